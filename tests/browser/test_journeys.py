"""Journeys through the site in a real browser, with and without JavaScript.

A newcomer signs up and confirms their address from the mail a real SMTP server
received, joins Code4LibNYC, answers a full meeting and is seated from the waitlist
when someone cancels, adds the meeting to a calendar, proposes a talk, starts a forum
thread and finds it by searching, and votes. An organizer publishes a monthly series,
accepts talks and builds the agenda, marks who came to last month's meeting and
publishes its report. Each step is screenshotted: the JavaScript journey at desktop
width (and each of its pages again at phone width), the one without at phone width.
"""

import datetime as dt
from pathlib import Path

import icalendar
import pytest
from django.conf import settings
from playwright.sync_api import expect

from forum.models import Thread
from meetings.models import Meeting, Report, Rsvp, Series, Talk
from members.models import User
from polls.models import Ballot
from tests.browser.journeys_data import (
    NEW_YORK,
    WORKSHOP_TOPICS,
    full_meeting,
    member_named,
    open_poll,
    past_meeting,
    propose,
    rename,
    second_wednesday_after,
)
from tests.browser.journeys_steps import (
    Journey,
    button,
    field,
    fill_in_log_in,
    link,
    log_in,
    wait_for_mail,
)
from tests.browser.journeys_steps import link_in as link_in_mail
from tests.browsing import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

MODES = [pytest.param(True, id="javascript"), pytest.param(False, id="no-javascript")]
NEWCOMER = {"name": "Noor Haddad", "email": "noor@example.org", "password": "lantern-orchard-42"}
THREAD_TITLE = "A checklist for moving to FOLIO"
TALK_TITLE = "Wikidata for special collections"
MONTHLY = "Every month on this weekday (e.g. the second Wednesday)"
TAP_HEIGHT = 44  # CSS pixels, the height of the site's text fields


def journey_page(new_page, name: str, javascript: bool) -> Journey:
    """With JavaScript at desktop width (pages shot at both); without, on a phone."""
    page = new_page(javascript=javascript, viewport=DESKTOP if javascript else PHONE)
    return Journey(page, name, javascript=javascript, phone=not javascript, both_widths=javascript)


def messages_of(page):
    return page.locator(".messages")


def rsvp_box(page):
    return page.get_by_role("region", name="Are you going?")


# The newcomer


@pytest.mark.parametrize("javascript", MODES)
def test_a_newcomer_signs_up_gets_a_seat_and_takes_part(
    new_page, smtp_server, chapter, organizer, javascript
):
    seated = [
        member_named(chapter, "Ada Osei", "ada@example.org"),
        member_named(chapter, "Grace Lin", "grace@example.org"),
    ]
    meeting = full_meeting(chapter, seated)
    poll = open_poll(chapter, organizer)
    journey = journey_page(new_page, "newcomer", javascript)

    sign_up_and_confirm(journey, smtp_server)
    join_from_the_next_meeting(journey, meeting)
    answer_the_full_meeting(journey, smtp_server, meeting)
    give_up_a_seat(new_page(javascript=javascript), meeting, seated[0])
    learn_of_the_seat(journey, smtp_server, meeting)
    add_to_calendar(journey, meeting)
    propose_a_talk(journey, meeting)
    start_a_thread(journey)
    search_for_the_thread(journey)
    vote(journey, poll)


def sign_up_and_confirm(journey: Journey, mailbox) -> None:
    page = journey.page
    page.goto("/")
    journey.shot("home")
    link(page.get_by_role("navigation", name="Account"), "Sign up").click()
    field(page, "Your name").fill(NEWCOMER["name"])
    field(page, "E-mail address").fill(NEWCOMER["email"])
    field(page, "Password").fill(NEWCOMER["password"])
    field(page, "Password again").fill(NEWCOMER["password"])
    journey.shot("sign-up")
    button(page, "Create my account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    journey.shot("check-inbox")

    message = wait_for_mail(mailbox, NEWCOMER["email"], "Confirm your e-mail address")
    page.goto(link_in_mail(message, "/accounts/verify/"))
    journey.shot("confirm")
    button(page, "Confirm and log in").click()
    expect(messages_of(page)).to_contain_text("Your e-mail address is confirmed")
    assert User.objects.get(email=NEWCOMER["email"]).is_verified


def join_from_the_next_meeting(journey: Journey, meeting: Meeting) -> None:
    page = journey.page
    link(page, "Chapterhouse").click()
    link(page.get_by_role("region", name="Upcoming meetings"), meeting.title).click()
    button(page, "Join Code4LibNYC to RSVP").click()
    expect(messages_of(page)).to_contain_text("Welcome to Code4LibNYC!")
    expect(page.get_by_role("heading", level=1)).to_have_text(meeting.title)
    expect(page.get_by_text("2 of 2 seats")).to_be_visible()
    journey.shot("joined")


def answer_the_full_meeting(journey: Journey, mailbox, meeting: Meeting) -> None:
    page = journey.page
    button(page, "I'm going").click()
    expect(messages_of(page)).to_contain_text(
        "The meeting is full: you are number 1 on the waitlist."
    )
    expect(rsvp_box(page)).to_contain_text("You are number 1 on the waitlist.")
    journey.shot("waitlisted")
    wait_for_mail(mailbox, NEWCOMER["email"], f"You are on the waitlist: {meeting.title}")
    answer = Rsvp.objects.get(meeting=meeting, user__email=NEWCOMER["email"])
    assert answer.status == Rsvp.Status.WAITLISTED


def give_up_a_seat(page, meeting: Meeting, member: User) -> None:
    """Another member, on their own device, says they cannot come after all."""
    page.goto(meeting.get_absolute_url())
    link(page, "Log in to RSVP").click()
    fill_in_log_in(page, member.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(meeting.title)
    button(page, "I can't go").click()
    expect(messages_of(page)).to_contain_text("You are no longer going.")


def learn_of_the_seat(journey: Journey, mailbox, meeting: Meeting) -> None:
    message = wait_for_mail(mailbox, NEWCOMER["email"], "A seat opened up")
    page = journey.page
    page.goto(link_in_mail(message, meeting.get_absolute_url()))
    expect(rsvp_box(page)).to_contain_text("You are going.")
    expect(page.get_by_text("2 of 2 seats")).to_be_visible()
    journey.shot("seated")
    answer = Rsvp.objects.get(meeting=meeting, user__email=NEWCOMER["email"])
    assert answer.status == Rsvp.Status.GOING


def add_to_calendar(journey: Journey, meeting: Meeting) -> None:
    page = journey.page
    with page.expect_download() as download:
        link(page, "Add to calendar (.ics)").click()
    assert download.value.suggested_filename == f"code4libnyc-{meeting.pk}.ics"
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    assert str(calendar["VERSION"]) == "2.0"
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == meeting.title
    assert event.decoded("DTSTART") == meeting.start
    assert event.decoded("DTEND") == meeting.end
    assert str(event["URL"]) == settings.SITE_URL + meeting.get_absolute_url()
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["America/New_York"]


def propose_a_talk(journey: Journey, meeting: Meeting) -> None:
    page = journey.page
    link(page, "Propose a talk").click()
    field(page, "Title").fill(TALK_TITLE)
    field(page, "Kind").select_option(label="Lightning talk (5 minutes)")
    expect(field(page, "Speakers")).to_have_value(NEWCOMER["name"])
    field(page, "Abstract").fill("How we describe letters and photographs with Wikidata.")
    journey.shot("propose-talk")
    button(page, "Propose").click()
    expect(messages_of(page)).to_contain_text("Thank you! The organizers will let you know.")
    talk = Talk.objects.get(meeting=meeting, title=TALK_TITLE)
    assert (talk.proposer.email, talk.status) == (NEWCOMER["email"], Talk.Status.PROPOSED)


def start_a_thread(journey: Journey) -> None:
    page = journey.page
    link(page, "Code4LibNYC").click()
    link(page, "Forum").click()
    link(page, "Start a thread").click()
    field(page, "Title").fill(THREAD_TITLE)
    field(page, "Category").select_option(label="General")
    field(page, "Message").fill("We are moving to FOLIO next year. What belongs on the list?")
    journey.shot("new-thread")
    button(page, "Post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(THREAD_TITLE)
    assert Thread.objects.get(title=THREAD_TITLE).author.email == NEWCOMER["email"]


def search_for_the_thread(journey: Journey) -> None:
    page = journey.page
    site_search = page.get_by_role("search", name="Site")
    site_search.get_by_role("searchbox", name="Search", exact=True).fill("checklist")
    button(site_search, "Go").click()
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    journey.shot("search")
    link(page.get_by_role("region", name="1 result"), THREAD_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(THREAD_TITLE)


def vote(journey: Journey, poll) -> None:
    page = journey.page
    link(page, "Code4LibNYC").click()
    link(page, "Polls").click()
    link(page, poll.question).click()
    page.get_by_role("checkbox", name=WORKSHOP_TOPICS[1]).check()
    page.get_by_role("checkbox", name=WORKSHOP_TOPICS[2]).check()
    button(page, "Vote").click()
    expect(messages_of(page)).to_contain_text("Your ballot is saved.")
    mine = page.get_by_role("region", name="Your ballot", exact=True)
    expect(mine).to_contain_text(WORKSHOP_TOPICS[2])
    journey.shot("voted")
    ballot = Ballot.objects.get(poll=poll, user__email=NEWCOMER["email"])
    assert sorted(c.option.label for c in ballot.choices.all()) == list(WORKSHOP_TOPICS[1:])


# The organizer


@pytest.mark.parametrize("javascript", MODES)
def test_an_organizer_plans_a_series_runs_the_agenda_and_reports(
    new_page, chapter, organizer, javascript
):
    members = [
        member_named(chapter, "Ada Osei", "ada@example.org"),
        member_named(chapter, "Grace Lin", "grace@example.org"),
        member_named(chapter, "Lin Wu", "lin@example.org"),
    ]
    last_month = past_meeting(chapter, members)
    rename(organizer, "Maya Chen")
    journey = journey_page(new_page, "organizer", javascript)
    log_in(journey.page, organizer.email)

    first = publish_a_monthly_series(journey)
    propose(first, members[0], "IIIF in five minutes", Talk.Kind.LIGHTNING)
    propose(first, members[1], "Our move to FOLIO", Talk.Kind.TALK)
    propose(first, members[2], "Selling NFTs of the card catalogue", Talk.Kind.TALK)
    build_the_agenda(journey, first)
    mark_who_came(journey, last_month, came=members[:2])
    publish_the_report(journey, last_month)
    a_visitor_reads_the_report(new_page(javascript=javascript), last_month)


def publish_a_monthly_series(journey: Journey) -> Meeting:
    page, start = journey.page, second_wednesday_after(21)
    page.goto("/")
    link(page, "New meeting").click()
    field(page, "Title").fill("Code4LibNYC monthly")
    field(page, "Description").fill("Talks, news and *pizza*. Everyone is welcome.")
    field(page, "Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    field(page, "Ends").fill(start.replace(hour=20).strftime("%Y-%m-%dT%H:%M"))
    field(page, "New venue: host institution").fill("METRO")
    field(page, "New venue: name").fill("METRO offices")
    field(page, "Format").select_option(label="Lightning talks")
    field(page, "Capacity").fill("30")
    field(page, "Repeat").select_option(label=MONTHLY)
    for name in ("Starts", "Ends"):  # as easy to tap on a phone as every other field
        assert field(page, name).bounding_box()["height"] >= TAP_HEIGHT
    journey.shot("new-series")
    button(page, "Publish").click()
    expect(messages_of(page)).to_contain_text("The meeting is published.")

    series = Series.objects.get(title="Code4LibNYC monthly")
    assert series.rule == "FREQ=MONTHLY;BYDAY=2WE"
    meetings = list(series.meetings.order_by("start"))
    assert len(meetings) >= 3 and meetings[0].start == start
    assert all(m.start.astimezone(start.tzinfo).hour == 18 for m in meetings)
    assert all(8 <= m.start.astimezone(start.tzinfo).day <= 14 for m in meetings)
    link(page, "Meetings").click()
    expect(page.get_by_role("link", name="Code4LibNYC monthly")).to_have_count(len(meetings))
    journey.shot("series")
    return meetings[0]


def talk_card(page, title: str):
    return page.locator("article").filter(has=page.get_by_role("heading", name=title))


def decide(page, title: str, decision: str) -> None:
    button(talk_card(page, title), decision).click()
    expect(messages_of(page)).to_contain_text(f"Saved: {title}.")


def build_the_agenda(journey: Journey, meeting: Meeting) -> None:
    page = journey.page
    page.get_by_role("link", name=meeting.title).first.click()
    link(page, "Attendees, waitlist and talks").click()
    decide(page, "IIIF in five minutes", "Accept")
    decide(page, "Our move to FOLIO", "Accept")
    decide(page, "Selling NFTs of the card catalogue", "Decline")
    folio = talk_card(page, "Our move to FOLIO")
    half_past = meeting.start.astimezone(NEW_YORK) + dt.timedelta(minutes=30)
    folio.get_by_label("Starts at").fill(half_past.strftime("%Y-%m-%dT%H:%M"))
    button(folio, "Set time").click()
    expect(messages_of(page)).to_contain_text("Saved: Our move to FOLIO.")
    journey.shot("talks")

    link(page.locator(".breadcrumb"), meeting.title).click()
    agenda = page.get_by_role("region", name="Agenda").get_by_role("listitem")
    expect(agenda).to_have_count(2)
    expect(agenda.nth(0)).to_contain_text("IIIF in five minutes")
    expect(agenda.nth(1)).to_contain_text("6:30 p.m. Our move to FOLIO")
    journey.shot("agenda")
    accepted = meeting.talks.filter(status=Talk.Status.ACCEPTED).order_by("starts_at")
    assert [talk.title for talk in accepted] == ["IIIF in five minutes", "Our move to FOLIO"]
    half_past = meeting.start + dt.timedelta(minutes=30)
    assert [talk.starts_at for talk in accepted] == [meeting.start, half_past]


def mark_who_came(journey: Journey, meeting: Meeting, came: list[User]) -> None:
    page = journey.page
    page.goto("/")
    link(page, "Past meetings").click()
    link(page.get_by_role("main"), meeting.title).click()
    link(page, "Attendees, waitlist and talks").click()
    for member in came:
        page.get_by_label(member.display_name, exact=True).check()
    journey.shot("attendance")
    button(page, "Save attendance").click()
    expect(messages_of(page)).to_contain_text("Attendance saved: 2 came.")
    attended = meeting.rsvps.filter(attended=True).values_list("user__email", flat=True)
    assert sorted(attended) == sorted(member.email for member in came)


def publish_the_report(journey: Journey, meeting: Meeting) -> None:
    page = journey.page
    link(page.locator(".breadcrumb"), meeting.title).click()
    link(page, "Write the report").click()
    field(page, "Notes").fill("We fixed three bugs in the **open hours** widget.")
    field(page, "What worked").fill("Pairing newcomers with regulars.")
    field(page, "Published").check()
    journey.shot("report")
    button(page, "Save").click()
    expect(messages_of(page)).to_contain_text("The report is saved.")
    expect(page.get_by_role("region", name="Report")).to_contain_text("2 people came.")
    journey.shot("report-published")
    report = Report.objects.get(meeting=meeting)
    assert (report.published, report.attendance) == (True, 2)


def a_visitor_reads_the_report(page, meeting: Meeting) -> None:
    page.goto(meeting.get_absolute_url())
    report = page.get_by_role("region", name="Report")
    expect(report).to_contain_text("2 people came.")
    expect(report.locator("strong")).to_have_text("open hours")
