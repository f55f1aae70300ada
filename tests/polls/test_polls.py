"""Polls end to end: writing them, voting, closing, results, permissions, and scheduling."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from meetings.models import Meeting
from polls import services
from polls.models import Ballot, Choice, Option, Poll
from tests.conftest import client_for
from tests.factories import ChapterFactory, MembershipFactory, OrganizerFactory
from tests.html import field_error, form_error, text_of
from tests.polls.factories import PollFactory, poll_with_options
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def poll_data(**changes) -> dict:
    data = {
        "question": "Which venue next spring?",
        "description": "Hosts **offered** rooms.",
        "kind": "single",
        "options_text": "METRO\nNYPL\n\nPratt Institute\n",
        "results_for": "members",
        "opens_at": "2026-01-01T09:00",
        "closes_at": "2030-01-01T09:00",
        "duration_minutes": "120",
    }
    return {**data, **changes}


def url(poll: Poll, page: str = "") -> str:
    return f"/chapters/{poll.chapter.slug}/polls/{poll.pk}/{page}"


def members(chapter, count: int) -> list:
    return [MembershipFactory(chapter=chapter).user for _ in range(count)]


def option_ids(poll: Poll) -> list[int]:
    return list(poll.options.order_by("position").values_list("pk", flat=True))


# Writing polls


def test_organizer_publishes_a_poll_with_one_option_per_line(organizer_client, chapter):
    response = organizer_client.post(f"/chapters/{chapter.slug}/polls/new/", poll_data())
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert [o.label for o in poll.options.all()] == ["METRO", "NYPL", "Pratt Institute"]
    assert poll.closes_at == dt.datetime(2030, 1, 1, 9, tzinfo=NEW_YORK)
    page = organizer_client.get(response["Location"]).text
    assert "<strong>offered</strong>" in page and 'type="radio"' in page


def test_date_poll_lines_are_read_in_the_chapter_zone(organizer_client, chapter):
    lines = "2030-03-13 18:00\n2030-03-14T18:30\n"
    data = poll_data(kind="date", options_text=lines, duration_minutes="90")
    assert organizer_client.post(f"/chapters/{chapter.slug}/polls/new/", data).status_code == 302
    starts = [o.starts_at for o in Poll.objects.get().options.all()]
    assert starts == [
        dt.datetime(2030, 3, 13, 18, tzinfo=NEW_YORK),
        dt.datetime(2030, 3, 14, 18, 30, tzinfo=NEW_YORK),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"options_text": "  \n"}, "options_text", "This field is required."),
        ({"options_text": "METRO"}, "options_text", "Give at least two options"),
        ({"options_text": "METRO\nNYPL\nmetro"}, "options_text", "Line 3 repeats line 1."),
        (
            {"kind": "date", "options_text": "2030-03-13 18:00\nnext Tuesday"},
            "options_text",
            "Line 2 (“next Tuesday”) is not a date and time like 2026-12-09 18:00.",
        ),
        (
            {"kind": "date", "options_text": "2030-03-13 18:00\n2030-03-13T18:00"},
            "options_text",
            "Line 2 repeats line 1.",
        ),
        ({"options_text": "A\n" + "B" * 201}, "options_text", "Line 2 is longer than 200"),
        ({"closes_at": "2025-01-01T09:00"}, "closes_at", "must close after it opens"),
        ({"kind": "plurality"}, "kind", "Select a valid choice"),
    ],
)
def test_bad_poll_input_gets_a_clear_error_and_writes_nothing(
    organizer_client, chapter, changes, field, message
):
    response = organizer_client.post(f"/chapters/{chapter.slug}/polls/new/", poll_data(**changes))
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert not Poll.objects.exists() and not Option.objects.exists()


def test_options_are_fixed_once_someone_voted(organizer_client, chapter, member):
    poll = poll_with_options(chapter)
    edit = organizer_client.get(url(poll, "edit/")).text
    assert "Venue A\nVenue B\nVenue C" in edit
    changed = organizer_client.post(
        url(poll, "edit/"), poll_data(options_text="Venue A\nVenue B\nVenue D")
    )
    assert changed.status_code == 302  # no ballots yet: options may change
    assert [o.label for o in poll.options.all()] == ["Venue A", "Venue B", "Venue D"]
    services.cast_ballot(poll, member, {option_ids(poll)[0]: 1})
    response = organizer_client.post(
        url(poll, "edit/"), poll_data(question="New?", options_text="Venue A\nVenue E")
    )
    assert response.status_code == 400
    assert "can no longer change" in form_error(response)
    poll.refresh_from_db()
    assert poll.question != "New?" and poll.options.count() == 3
    kept = organizer_client.post(
        url(poll, "edit/"), poll_data(question="Renamed?", options_text="Venue A\nVenue B\nVenue D")
    )
    assert kept.status_code == 302 and Poll.objects.get().question == "Renamed?"


# Voting


def test_single_choice_counts_and_percentages(chapter, organizer, member_client, member):
    poll = poll_with_options(chapter, results_for="public")
    a, b, c = option_ids(poll)
    for user, choice in zip(members(chapter, 3), [a, a, b], strict=True):
        services.cast_ballot(poll, user, {choice: 1})
    assert member_client.post(url(poll), {"option": str(c)}).status_code == 302
    page = text_of(client_for(organizer).get(url(poll, "results/")).text)
    assert "4 ballots cast." in page
    assert "Venue A 2 50%" in page and "Venue B 1 25%" in page and "Venue C 1 25%" in page
    assert "Leading: Venue A" in page


def test_approval_counts_each_tick(chapter, member_client, member):
    poll = poll_with_options(chapter, kind=Poll.Kind.APPROVAL)
    a, b, c = option_ids(poll)
    assert member_client.post(url(poll), {"options": [str(a), str(c)]}).status_code == 302
    for user, ticks in zip(members(chapter, 2), [[a, b], [a]], strict=True):
        services.cast_ballot(poll, user, dict.fromkeys(ticks, 1))
    page = text_of(member_client.get(url(poll, "results/")).text)
    assert "Venue A 3 100%" in page and "Venue B 1 33%" in page and "Venue C 1 33%" in page
    nothing = member_client.post(url(poll), {})
    assert nothing.status_code == 400 and "Tick at least one option." in field_error(
        nothing, "options"
    )


def test_ranked_choice_results_show_each_round(chapter, member_client, member):
    poll = poll_with_options(chapter, TENNESSEE, kind=Poll.Kind.RANKED)
    ids = dict(zip(TENNESSEE, option_ids(poll), strict=True))
    voters = iter(members(chapter, 100))
    for count, order in [(42, "MNCK"), (26, "NCKM"), (15, "CKNM"), (17, "KCNM")]:
        for _ in range(count):
            ranks = {ids[FIRST_LETTER[letter]]: rank for rank, letter in enumerate(order, 1)}
            services.cast_ballot(poll, next(voters), ranks)
    page = text_of(member_client.get(url(poll, "results/")).text)
    assert "Round 1 Round 2 Round 3" in page
    assert "Memphis 42 42 42" in page
    assert "Nashville 26 26 (eliminated) — out Chattanooga" in page
    assert "Chattanooga 15 (eliminated) — out — out Knoxville" in page
    assert "Knoxville 17 32 58" in page
    assert "Leading: Knoxville" in page


TENNESSEE = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
FIRST_LETTER = {name[0]: name for name in TENNESSEE}


def test_a_ranked_ballot_by_form_skips_unranked_options(chapter, member_client, member):
    poll = poll_with_options(chapter, kind=Poll.Kind.RANKED)
    a, b, c = option_ids(poll)
    form = member_client.get(url(poll)).text
    assert f'<label for="id_rank_{a}">Venue A' in form and "2nd choice" in form
    response = member_client.post(url(poll), {f"rank_{a}": "2", f"rank_{b}": "", f"rank_{c}": "1"})
    assert response.status_code == 302
    ballot = Ballot.objects.get(user=member)
    assert dict(ballot.choices.values_list("option_id", "value")) == {c: 1, a: 2}
    page = text_of(member_client.get(url(poll)).text)
    assert "Your ballot Venue C 1st choice Venue A 2nd choice" in page


def test_duplicate_ranks_are_refused_with_a_clear_error(chapter, member_client, member):
    poll = poll_with_options(chapter, kind=Poll.Kind.RANKED)
    a, b, c = option_ids(poll)
    response = member_client.post(url(poll), {f"rank_{a}": "1", f"rank_{b}": "1", f"rank_{c}": "2"})
    assert response.status_code == 400
    assert "You gave the rank “1st choice” to more than one option" in form_error(response)
    empty = member_client.post(url(poll), {f"rank_{a}": "", f"rank_{b}": ""})
    assert empty.status_code == 400 and "Rank at least one option." in form_error(empty)
    too_high = member_client.post(url(poll), {f"rank_{a}": "9"})
    assert too_high.status_code == 400 and "valid choice" in field_error(too_high, f"rank_{a}")
    assert not Ballot.objects.exists()


def test_unknown_option_ids_are_refused(chapter, member_client, member):
    poll = poll_with_options(chapter)
    other = poll_with_options(chapter)
    response = member_client.post(url(poll), {"option": str(option_ids(other)[0])})
    assert response.status_code == 400 and "valid choice" in field_error(response, "option")
    garbage = member_client.post(url(poll), {"option": "99999999999999999999"})
    assert garbage.status_code == 400
    with pytest.raises(ValidationError, match="Choose among this poll"):
        services.cast_ballot(poll, member, {option_ids(other)[0]: 1})
    with pytest.raises(ValidationError, match="exactly one"):
        services.cast_ballot(poll, member, dict.fromkeys(option_ids(poll), 1))
    assert not Ballot.objects.exists()


def test_one_ballot_per_member_which_they_can_change(chapter, member_client, member):
    poll = poll_with_options(chapter)
    a, b, _c = option_ids(poll)
    member_client.post(url(poll), {"option": str(a)})
    page = member_client.get(url(poll)).text
    assert "Change your ballot" in page
    assert re.search(rf'<input type="radio" name="option" value="{a}"[^>]* checked', page)
    assert not re.search(rf'<input type="radio" name="option" value="{b}"[^>]* checked', page)
    member_client.post(url(poll), {"option": str(b)})
    assert Ballot.objects.count() == 1
    assert list(Choice.objects.values_list("option_id", flat=True)) == [b]


def test_date_poll_answers_and_who_answered_what(chapter, organizer, member_client, member):
    mon = dt.datetime(2030, 3, 11, 18, tzinfo=NEW_YORK)
    tue, thu = mon + dt.timedelta(days=1), mon + dt.timedelta(days=3)
    poll = poll_with_options(chapter, [mon, tue, thu], kind=Poll.Kind.DATE, results_for="public")
    m, t, h = option_ids(poll)
    form = member_client.get(url(poll)).text
    assert "If need be" in form and f'name="date_{m}"' in form
    incomplete = member_client.post(url(poll), {f"date_{m}": "2"})
    assert incomplete.status_code == 400
    assert "Answer for this date." in field_error(incomplete, f"date_{t}")
    assert member_client.post(url(poll), {f"date_{m}": "2", f"date_{t}": "1", f"date_{h}": "0"})
    other = MembershipFactory(chapter=chapter, user__profile__display_name="Zora Neale").user
    services.cast_ballot(poll, other, {m: 0, t: 2, h: 1})
    page = text_of(member_client.get(url(poll, "results/")).text)
    assert "Best date:" in page
    assert "Everyone's answers" in page and "Zora Neale No Yes If need be" in page
    public = text_of(client_for(organizer).get(url(poll, "results/")).text)
    assert "Zora Neale" in public  # the organizer is a member
    anonymous = text_of(Client().get(url(poll, "results/")).text)
    assert "Best date:" in anonymous and "Zora Neale" not in anonymous
    assert "Everyone's answers" not in anonymous


# Closing


def test_a_ballot_after_the_close_is_refused_and_writes_nothing(chapter, member_client, member):
    poll = poll_with_options(chapter)
    a, b, _c = option_ids(poll)
    services.cast_ballot(poll, member, {a: 1})
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    response = member_client.post(url(poll), {"option": str(b)})
    assert response.status_code == 400
    assert "This poll is not open for voting." in form_error(response)
    assert list(Choice.objects.values_list("option_id", flat=True)) == [a]
    poll.refresh_from_db()
    with pytest.raises(ValidationError, match="not open"):
        services.cast_ballot(poll, member, {b: 1})
    assert "This poll is closed." in member_client.get(url(poll)).text


def test_a_poll_not_yet_open_takes_no_ballots(chapter, member_client, member):
    poll = poll_with_options(chapter, opens_at=timezone.now() + dt.timedelta(days=1))
    response = member_client.post(url(poll), {"option": str(option_ids(poll)[0])})
    assert response.status_code == 400 and not Ballot.objects.exists()


def test_organizer_closes_a_poll(chapter, organizer_client, member_client):
    poll = poll_with_options(chapter)
    assert member_client.post(url(poll, "close/")).status_code == 403
    assert organizer_client.post(url(poll, "close/")).status_code == 302
    poll.refresh_from_db()
    assert poll.is_closed()
    closed_at = poll.closes_at
    organizer_client.post(url(poll, "close/"))
    poll.refresh_from_db()
    assert poll.closes_at == closed_at
    upcoming = poll_with_options(chapter, opens_at=timezone.now() + dt.timedelta(days=1))
    refused = organizer_client.post(url(upcoming, "close/"))
    assert refused.status_code == 400 and "has not opened yet" in refused.text


# Results


def test_results_hidden_until_the_close_even_from_organizers(chapter, organizer_client, member):
    poll = poll_with_options(chapter, hide_results_until_close=True, results_for="public")
    services.cast_ballot(poll, member, {option_ids(poll)[0]: 1})
    hidden = organizer_client.get(url(poll, "results/"))
    assert hidden.status_code == 403
    assert "The results are shown when the poll closes." in hidden.text
    assert "See the results" not in organizer_client.get(url(poll)).text
    services.close_poll(poll.chapter.memberships.get(role="organizer").user, poll)
    shown = organizer_client.get(url(poll, "results/"))
    assert shown.status_code == 200 and "Winner: Venue A" in text_of(shown.text)


def test_members_only_results_are_refused_to_others(chapter, member_client, outsider):
    poll = poll_with_options(chapter, results_for="members")
    assert member_client.get(url(poll, "results/")).status_code == 200
    refused = client_for(outsider).get(url(poll, "results/"))
    assert refused.status_code == 403 and "for the chapter's members" in text_of(refused.text)
    assert Client().get(url(poll, "results/")).status_code == 403
    Poll.objects.filter(pk=poll.pk).update(results_for="public")
    assert client_for(outsider).get(url(poll, "results/")).status_code == 200
    assert Client().get(url(poll, "results/")).status_code == 200


# Permissions


@pytest.mark.parametrize("page", ["new/", "{pk}/edit/"])
def test_only_the_chapters_organizers_write_polls(chapter, member, outsider, page):
    poll = poll_with_options(chapter)
    address = f"/chapters/{chapter.slug}/polls/" + page.format(pk=poll.pk)
    elsewhere = OrganizerFactory(chapter=ChapterFactory()).user
    for user in (member, outsider, elsewhere):
        client = client_for(user)
        assert client.get(address).status_code == 403
        assert client.post(address, poll_data(question="Hijacked?")).status_code == 403
    anonymous = Client().post(address, poll_data(question="Hijacked?"))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert not Poll.objects.filter(question="Hijacked?").exists()


def test_only_members_vote(chapter, outsider):
    poll = poll_with_options(chapter)
    elsewhere = OrganizerFactory(chapter=ChapterFactory()).user
    data = {"option": str(option_ids(poll)[0])}
    for user in (outsider, elsewhere):
        client = client_for(user)
        assert "Join Code4LibNYC to vote" in client.get(url(poll)).text
        refused = client.post(url(poll), data)
        assert (
            refused.status_code == 403 and "Only members of the chapter can vote." in refused.text
        )
    anonymous = Client().post(url(poll), data)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert "Log in to vote" in Client().get(url(poll)).text
    assert not Ballot.objects.exists()


def test_list_shows_open_upcoming_and_closed_polls(chapter, member_client, member):
    PollFactory(chapter=chapter, question="Open now?")
    PollFactory(chapter=chapter, question="Later?", opens_at=timezone.now() + dt.timedelta(days=2))
    PollFactory(
        chapter=chapter, question="Done?", opens_at=timezone.now() - dt.timedelta(days=9),
        closes_at=timezone.now() - dt.timedelta(days=2),
    )  # fmt: skip
    PollFactory(question="Another chapter?")
    page = text_of(member_client.get(f"/chapters/{chapter.slug}/polls/").text)
    assert page.index("Open now?") < page.index("Later?") < page.index("Done?")
    assert "Another chapter?" not in page and "New poll" not in page


def test_list_queries_do_not_grow(chapter, member_client, member):
    def add_rows():
        for n in range(5):
            poll = poll_with_options(
                chapter, closes_at=None if n % 2 else timezone.now() + dt.timedelta(days=1)
            )
            services.cast_ballot(poll, member, {option_ids(poll)[0]: 1})

    add_rows()
    assert_queries_do_not_grow(member_client, f"/chapters/{chapter.slug}/polls/", add_rows)


def test_results_queries_do_not_grow(chapter, member_client):
    mon = dt.datetime(2030, 3, 11, 18, tzinfo=NEW_YORK)
    poll = poll_with_options(chapter, [mon, mon + dt.timedelta(days=1)], kind=Poll.Kind.DATE)
    m, t = option_ids(poll)

    def add_rows():
        for user in members(chapter, 5):
            services.cast_ballot(poll, user, {m: 2, t: 1})

    assert_queries_do_not_grow(member_client, url(poll, "results/"), add_rows)


# From a date poll to a meeting


def test_the_best_date_becomes_a_meeting_once(chapter, organizer, organizer_client, member):
    mon = dt.datetime(2030, 3, 11, 18, tzinfo=NEW_YORK)
    poll = poll_with_options(
        chapter, [mon, mon + dt.timedelta(days=2)], kind=Poll.Kind.DATE, duration_minutes=90,
        description="Pick a *night*.",
    )  # fmt: skip
    m, w = option_ids(poll)
    services.cast_ballot(poll, member, {m: 1, w: 2})
    services.cast_ballot(poll, organizer, {m: 2, w: 2})
    assert "Schedule the meeting" in organizer_client.get(url(poll, "results/")).text
    response = organizer_client.post(url(poll, "schedule/"))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.title == poll.question and meeting.chapter == chapter
    assert meeting.start == mon + dt.timedelta(days=2)
    assert meeting.end - meeting.start == dt.timedelta(minutes=90)
    poll.refresh_from_db()
    assert poll.meeting == meeting and poll.is_closed()
    again = organizer_client.post(url(poll, "schedule/"))
    assert again["Location"] == meeting.get_absolute_url() and Meeting.objects.count() == 1
    assert "The meeting made from this poll" in organizer_client.get(url(poll, "results/")).text


def test_the_organizer_may_pick_another_date(chapter, organizer, organizer_client):
    mon = dt.datetime(2030, 3, 11, 18, tzinfo=NEW_YORK)
    poll = poll_with_options(chapter, [mon, mon + dt.timedelta(days=2)], kind=Poll.Kind.DATE)
    m, w = option_ids(poll)
    services.cast_ballot(poll, organizer, {m: 2, w: 1})
    other = poll_with_options(chapter, [mon], kind=Poll.Kind.DATE)
    bad = organizer_client.post(url(poll, "schedule/"), {"option": str(option_ids(other)[0])})
    assert bad.status_code == 400 and "This poll has no such date." in bad.text
    assert organizer_client.post(url(poll, "schedule/"), {"option": "x"}).status_code == 400
    organizer_client.post(url(poll, "schedule/"), {"option": str(w)})
    assert Meeting.objects.get().start == mon + dt.timedelta(days=2)


def test_scheduling_needs_a_date_poll_with_answers_and_an_organizer(
    chapter, organizer_client, member_client
):
    single = poll_with_options(chapter)
    refused = organizer_client.post(url(single, "schedule/"))
    assert refused.status_code == 400 and "Only a date poll" in refused.text
    mon = dt.datetime(2030, 3, 11, 18, tzinfo=NEW_YORK)
    unanswered = poll_with_options(chapter, [mon, mon + dt.timedelta(days=1)], kind="date")
    empty = organizer_client.post(url(unanswered, "schedule/"))
    assert empty.status_code == 400 and "Nobody can come" in empty.text
    assert member_client.post(url(unanswered, "schedule/")).status_code == 403
    elsewhere = client_for(OrganizerFactory(chapter=ChapterFactory()).user)
    assert elsewhere.post(url(unanswered, "schedule/")).status_code == 403
    assert member_client.get(url(unanswered, "schedule/")).status_code == 405
    assert not Meeting.objects.exists()
