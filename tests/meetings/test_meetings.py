"""Publishing meetings, series, the meeting page, JSON-LD, talks and reports."""

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from meetings import services
from meetings.models import Meeting, Report, Series, Talk, Venue
from meetings.recurrence import MAX_OCCURRENCES, occurrences
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.html import field_error
from tests.meetings.test_rsvp import make_meeting
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def form_data(**changes) -> dict:
    data = {
        "title": "Code4LibNYC first meeting",
        "description": "Introductions and **projects**.",
        "start": "2030-09-11T10:00",
        "end": "2030-09-11T12:00",
        "new_venue_host": "METRO",
        "new_venue_name": "METRO offices",
        "new_venue_address": "57 East 11th Street",
        "new_venue_locality": "New York",
        "new_venue_directions": "http://www.metro.org/directions",
        "format": "presentations",
        "guests_allowed": "0",
    }
    return {**data, **changes}


def test_organizer_publishes_the_founding_meeting_in_the_chapter_zone(organizer_client, chapter):
    response = organizer_client.post(
        f"/chapters/{chapter.slug}/meetings/new/", form_data(capacity="30")
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.start == dt.datetime(2030, 9, 11, 10, tzinfo=NEW_YORK)
    assert meeting.end - meeting.start == dt.timedelta(hours=2)
    assert (
        meeting.venue.host == "METRO"
        and meeting.venue.directions_url == "http://www.metro.org/directions"
    )
    page = organizer_client.get(meeting.get_absolute_url()).text
    assert "Sept. 11, 2030, 10 a.m." in page
    assert 'href="http://www.metro.org/directions"' in page
    assert "<strong>projects</strong>" in page


def test_capacity_defaults_from_the_venue(organizer, chapter):
    venue = Venue.objects.create(chapter=chapter, host="NYPL", name="NYPL", capacity=25)
    start = timezone.now() + dt.timedelta(days=3)
    meeting = services.create_meeting(
        organizer,
        chapter,
        {"title": "T", "start": start, "end": start + dt.timedelta(hours=1), "venue": venue},
    )
    assert meeting.capacity == 25


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end": "2030-09-11T09:00"}, "end", "end after it starts"),
        ({"start": "tomorrow"}, "start", "valid date"),
        ({"title": ""}, "title", "required"),
        ({"capacity": "-3"}, "capacity", "greater than or equal to 0"),
        ({"guests_allowed": "11"}, "guests_allowed", "less than or equal to 10"),
        ({"new_venue_host": ""}, "new_venue_host", "Name the institution"),
        ({"repeat": "custom", "custom_rule": "FREQ=SECONDLY"}, "custom_rule", "FREQ=DAILY"),
        (
            {"repeat": "custom", "custom_rule": "FREQ=MONTHLY;BYDAY=XX"},
            "custom_rule",
            "cannot be read",
        ),
        ({"online_url": "javascript:alert(1)"}, "online_url", "valid URL"),
        ({"rsvp_closes": "2030-09-12T09:00"}, "rsvp_closes", "close before the meeting ends"),
    ],
)
def test_bad_meeting_input_is_rejected(organizer_client, chapter, changes, field, message):
    response = organizer_client.post(
        f"/chapters/{chapter.slug}/meetings/new/", form_data(**changes)
    )
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert not Meeting.objects.exists() and not Venue.objects.exists()


def test_only_organizers_publish(member_client, chapter):
    assert member_client.get(f"/chapters/{chapter.slug}/meetings/new/").status_code == 403
    assert (
        member_client.post(f"/chapters/{chapter.slug}/meetings/new/", form_data()).status_code
        == 403
    )


def test_a_monthly_series_keeps_its_wall_clock_time_across_dst(organizer_client, chapter):
    start = (timezone.now() + dt.timedelta(days=1)).astimezone(NEW_YORK)
    data = form_data(
        start=f"{start:%Y-%m-%d}T18:00", end=f"{start:%Y-%m-%d}T20:00", repeat="monthly"
    )
    organizer_client.post(f"/chapters/{chapter.slug}/meetings/new/", data)
    series = Series.objects.get()
    assert series.rule.startswith("FREQ=MONTHLY;BYDAY=")
    meetings = list(series.meetings.order_by("start"))
    assert 3 <= len(meetings) <= 5  # 120 days ahead
    assert {m.start.astimezone(NEW_YORK).hour for m in meetings} == {18}
    assert len({m.start.astimezone(NEW_YORK).weekday() for m in meetings}) == 1
    # Extending again creates nothing new; a skipped (cancelled) meeting is not recreated.
    services.cancel_meeting(meetings[1])
    assert services.extend_series(series) == []
    assert series.meetings.filter(status="cancelled").count() == 1


def test_moving_one_occurrence_keeps_it_in_the_series(organizer, chapter):
    start = dt.datetime.now(NEW_YORK).replace(
        hour=18, minute=0, second=0, microsecond=0
    ) + dt.timedelta(days=2)
    fields = {"title": "Hack night", "start": start, "end": start + dt.timedelta(hours=2)}
    first = services.create_meeting(organizer, chapter, fields, rule="FREQ=WEEKLY")
    second = first.series.meetings.order_by("start")[1]
    services.update_meeting(
        second,
        {"start": second.start + dt.timedelta(days=1), "end": second.end + dt.timedelta(days=1)},
    )
    assert services.extend_series(first.series) == []
    second.refresh_from_db()
    assert second.sequence == 1


def test_expansion_is_capped():
    start = timezone.now()
    many = occurrences("FREQ=DAILY", start, "UTC", start, start + dt.timedelta(days=10000))
    assert len(many) == MAX_OCCURRENCES


def test_meeting_page_json_ld_is_an_escaped_schema_org_event(client, chapter, organizer):
    venue = Venue.objects.create(
        chapter=chapter, host="METRO", name="METRO offices", street_address="57 East 11th Street",
        locality="New York", region="NY", postal_code="10003", country="US",
        latitude="40.732979", longitude="-73.991661",
    )  # fmt: skip
    meeting = make_meeting(
        chapter, venue=venue, online_url="https://meet.example.org/c4l",
        title="Solr </script><script>alert(1)</script> night",
    )  # fmt: skip
    talk = Talk.objects.create(
        meeting=meeting, title="Blacklight", speakers="Ada, Grace", status="accepted",
        starts_at=meeting.start,
    )  # fmt: skip
    page = client.get(meeting.get_absolute_url()).text
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert "</script" not in raw and "<script" not in raw
    data = json.loads(raw)
    assert data["@type"] == "Event" and data["name"] == meeting.title
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    place, virtual = data["location"]
    assert (
        place["address"]["@type"] == "PostalAddress" and place["address"]["postalCode"] == "10003"
    )
    assert virtual == {"@type": "VirtualLocation", "url": "https://meet.example.org/c4l"}
    assert data["organizer"]["name"] == chapter.name
    assert data["subEvent"][0]["name"] == "Blacklight"
    assert [p["name"] for p in data["subEvent"][0]["performer"]] == ["Ada", "Grace"]
    assert f"#talk-{talk.pk}" in data["subEvent"][0]["url"]


def test_cancelled_meeting_is_marked(client, chapter, organizer):
    meeting = services.cancel_meeting(make_meeting(chapter))
    page = client.get(meeting.get_absolute_url()).text
    assert "This meeting is cancelled" in page
    assert "EventCancelled" in page


def test_talks_are_proposed_accepted_and_placed_on_the_agenda(
    chapter, member, organizer, organizer_client
):
    meeting = make_meeting(chapter)
    client = client_for(member)
    data = {
        "title": "DSpace upgrade",
        "kind": "lightning",
        "speakers": "Member",
        "abstract": "How.",
    }
    assert client.post(f"{meeting.get_absolute_url()}talks/new/", data).status_code == 302
    talk = Talk.objects.get()
    assert talk.status == "proposed" and talk.proposer == member
    assert "DSpace upgrade" not in Client().get(meeting.get_absolute_url()).text  # not yet public
    organizer_client.post(f"{meeting.get_absolute_url()}talks/{talk.pk}/", {"decision": "accept"})
    talk.refresh_from_db()
    assert talk.status == "accepted" and talk.starts_at == meeting.start
    second = services.propose_talk(
        meeting, member, {"title": "Second", "speakers": "M", "kind": "talk"}
    )
    services.decide_talk(organizer, second, accept=True)
    second.refresh_from_db()
    assert second.starts_at == meeting.start + dt.timedelta(minutes=5)
    page = client.get(meeting.get_absolute_url()).text
    assert page.index("DSpace upgrade") < page.index("Second")
    outside = {"decision": "schedule", "starts_at": "1999-01-01T10:00"}
    response = organizer_client.post(
        f"{meeting.get_absolute_url()}talks/{talk.pk}/", outside, follow=True
    )
    assert "during the meeting" in response.text


def test_members_of_other_chapters_cannot_propose(chapter, outsider):
    meeting = make_meeting(chapter)
    data = {"title": "X", "kind": "lightning", "speakers": "Y"}
    response = client_for(outsider).post(f"{meeting.get_absolute_url()}talks/new/", data)
    assert response.status_code == 400 and not Talk.objects.exists()


def test_report_is_written_and_published(chapter, organizer_client, client, member):
    meeting = make_meeting(chapter)
    answer = services.rsvp(meeting, member)
    answer.attended = True
    answer.save()
    data = {"notes": "Great **night**", "what_worked": "Short talks", "published": ""}
    organizer_client.post(f"{meeting.get_absolute_url()}report/", data)
    report = Report.objects.get()
    assert report.attendance == 1 and not report.published
    assert "Great" not in client.get(meeting.get_absolute_url()).text
    organizer_client.post(
        f"{meeting.get_absolute_url()}report/", {**data, "published": "on", "attendance": "12"}
    )
    page = client.get(meeting.get_absolute_url()).text
    assert "<strong>night</strong>" in page and "12 people came" in page


def test_lists_and_chapter_page(client, chapter):
    soon = make_meeting(chapter, title="Next one")
    make_meeting(chapter, title="Long ago", start=timezone.now() - dt.timedelta(days=30),
                 end=timezone.now() - dt.timedelta(days=30) + dt.timedelta(hours=2))  # fmt: skip
    upcoming = client.get(f"/chapters/{chapter.slug}/meetings/").text
    assert "Next one" in upcoming and "Long ago" not in upcoming
    assert "webcal://" in upcoming
    past = client.get(f"/chapters/{chapter.slug}/meetings/past/").text
    assert "Long ago" in past and "Next one" not in past
    assert "Next one" in client.get(chapter.get_absolute_url()).text
    assert soon.get_absolute_url() in client.get(chapter.get_absolute_url()).text


def test_meeting_list_queries_do_not_grow(client, chapter):
    venue = Venue.objects.create(chapter=chapter, host="H", name="V")
    make_meeting(chapter, venue=venue)

    def more():
        for day in range(10):
            start = timezone.now() + dt.timedelta(days=day + 2)
            meeting = make_meeting(
                chapter, venue=venue, start=start, end=start + dt.timedelta(hours=1)
            )
            for user in [m.user for m in MembershipFactory.create_batch(2, chapter=chapter)]:
                services.rsvp(meeting, user)

    assert_queries_do_not_grow(client, f"/chapters/{chapter.slug}/meetings/", more)


def test_extend_series_command_is_idempotent(organizer, chapter):
    import io

    from django.core.management import call_command

    start = timezone.now() + dt.timedelta(days=1)
    fields = {"title": "Weekly hack", "start": start, "end": start + dt.timedelta(hours=1)}
    services.create_meeting(organizer, chapter, fields, rule="FREQ=WEEKLY")
    Meeting.objects.filter(start__gt=start + dt.timedelta(days=30)).delete()
    out = io.StringIO()
    call_command("extend-series", stdout=out)
    assert "1 series" in out.getvalue() and "0 new meetings" not in out.getvalue()
    count = Meeting.objects.count()
    call_command("extend-series", stdout=io.StringIO())
    assert Meeting.objects.count() == count


def test_chapter_page_shows_the_host_rotation(client, chapter):
    metro = Venue.objects.create(chapter=chapter, host="METRO", name="METRO offices")
    nypl = Venue.objects.create(chapter=chapter, host="New York Public Library", name="SASB")
    past = timezone.now() - dt.timedelta(days=60)
    make_meeting(chapter, venue=metro, start=past, end=past + dt.timedelta(hours=2))
    make_meeting(chapter, venue=nypl)
    page = client.get(chapter.get_absolute_url()).text
    hosts = page.split('id="hosts-heading"')[1]
    assert hosts.index("New York Public Library") < hosts.index("METRO")


def test_meeting_page_shows_seats_taken_and_add_to_calendar(client, chapter, member):
    meeting = make_meeting(chapter, capacity=1)
    services.rsvp(meeting, member)
    services.rsvp(meeting, MembershipFactory(chapter=chapter).user)
    page = client.get(meeting.get_absolute_url()).text
    assert "1 of 1 seats · 1 on the waitlist" in page
    assert f'href="/chapters/{chapter.slug}/meetings/{meeting.pk}/meeting.ics"' in page


def test_declined_talks_stay_off_the_agenda(chapter, member, organizer, client):
    meeting = make_meeting(chapter)
    talk = services.propose_talk(
        meeting, member, {"title": "Declined idea", "speakers": "M", "kind": "talk"}
    )
    services.decide_talk(organizer, talk, accept=False)
    talk.refresh_from_db()
    assert talk.status == "declined" and talk.starts_at is None
    assert "Declined idea" not in client.get(meeting.get_absolute_url()).text
    with pytest.raises(Exception, match="organizers"):
        services.decide_talk(member, talk, accept=True)


def test_a_proposer_sees_their_proposal_until_it_is_on_the_agenda(chapter, member, organizer):
    meeting = make_meeting(chapter)
    waiting = services.propose_talk(
        meeting, member, {"title": "Linked data for zines", "speakers": "M", "kind": "lightning"}
    )
    declined = services.propose_talk(
        meeting, member, {"title": "Second idea", "speakers": "M", "kind": "talk"}
    )
    services.decide_talk(organizer, declined, accept=False)
    page = client_for(member).get(meeting.get_absolute_url()).text
    proposals = page.split('id="own-proposals"')[1].split("</ul>")[0]
    assert "Linked data for zines" in proposals and "waiting for the organizers" in proposals
    assert "Second idea" in proposals and "not on this agenda" in proposals
    someone_else = client_for(MembershipFactory(chapter=chapter).user)
    for viewer in (someone_else, Client()):
        assert "Your proposals" not in viewer.get(meeting.get_absolute_url()).text
    services.decide_talk(organizer, waiting, accept=True)
    page = client_for(member).get(meeting.get_absolute_url()).text
    assert "Linked data for zines" not in page.split('id="own-proposals"')[1]
    assert 'id="agenda-heading"' in page and "Linked data for zines" in page


@pytest.mark.parametrize("guests_allowed", [0, 2])
def test_an_answer_given_offers_only_what_can_still_change(chapter, member, guests_allowed):
    meeting = make_meeting(chapter, capacity=1, guests_allowed=guests_allowed)
    services.rsvp(meeting, MembershipFactory(chapter=chapter).user)
    viewer = client_for(member)
    first = viewer.get(meeting.get_absolute_url()).text.replace("&#39;", "'")
    assert 'value="going">I\'m going</button>' in first
    services.rsvp(meeting, member)  # waitlisted
    page = viewer.get(meeting.get_absolute_url()).text.replace("&#39;", "'")
    assert "I'm going" not in page and 'value="cancel"' in page
    assert ("Update guests" in page) == bool(guests_allowed)


def test_a_meeting_that_has_taken_place_no_longer_asks_who_is_going(client, member, chapter):
    start = timezone.now() - dt.timedelta(days=7)
    past = make_meeting(chapter, start=start, end=start + dt.timedelta(hours=2))
    for viewer in (client, client_for(member)):
        page = viewer.get(past.get_absolute_url()).content.decode()
        assert "This meeting has taken place." in page
        assert "Are you going?" not in page and "Log in to RSVP" not in page
        assert "RSVPs are closed." not in page and 'name="answer"' not in page
        assert "No talks were on the agenda." in page
    upcoming = make_meeting(chapter)
    page = client.get(upcoming.get_absolute_url()).content.decode()
    assert "Are you going?" in page and "No talks on the agenda yet." in page


def test_only_an_accepted_talk_gets_a_time(chapter, member, organizer, organizer_client):
    meeting = make_meeting(chapter)
    talk = services.propose_talk(meeting, member, {"title": "T", "speakers": "M", "kind": "talk"})
    services.decide_talk(organizer, talk, accept=False)
    during = {"decision": "schedule", "starts_at": meeting.start.strftime("%Y-%m-%dT%H:%M")}
    response = organizer_client.post(
        f"{meeting.get_absolute_url()}talks/{talk.pk}/", during, follow=True
    )
    assert "Accept the talk before placing it on the agenda." in response.text
    talk.refresh_from_db()
    assert talk.starts_at is None
    page = organizer_client.get(f"{meeting.get_absolute_url()}attendees/").text
    assert f'id="starts-{talk.pk}"' not in page
    assert f'aria-labelledby="talk-title-{talk.pk}"' in page
