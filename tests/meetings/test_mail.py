"""Meeting e-mail over a real SMTP server: who gets what, unsubscribing, and sending once."""

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.mail import EmailMessage, get_connection
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chapterhouse.mail import send_once
from chapterhouse.models import SentMail, Unsubscribe
from meetings import services, tasks
from meetings.models import AnnouncementAddress, Meeting
from tests.conftest import free_port
from tests.factories import MembershipFactory
from tests.meetings.factories import MeetingFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
LIST_ADDRESS = "code4lib@lists.example.org"


def hours_ahead(hours: float) -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=hours)


def publish(chapter, hours: float = 6, **fields) -> Meeting:
    """Publish through the service; under 24 hours ahead, so no reminder is queued.

    The meeting starts and ends on one day in the chapter's zone (mails name the end's day
    when it differs), so what the tests expect does not depend on the time they run.
    """
    start = hours_ahead(hours)
    zone = ZoneInfo(chapter.time_zone)
    local = start.astimezone(zone)
    if local.date() != (local + dt.timedelta(hours=2)).date():
        after_midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0, 30))
        start = after_midnight.replace(tzinfo=zone)
    meeting = Meeting(
        chapter=chapter, title=fields.pop("title", "Linked data lightning talks"),
        start=start, end=start + dt.timedelta(hours=2), venue=VenueFactory(chapter=chapter),
        **fields,
    )  # fmt: skip
    return services.publish_meeting(meeting)


def soon_meeting(chapter, **fields) -> Meeting:
    """A meeting saved without announcing it, starting in six hours."""
    start = hours_ahead(6)
    return MeetingFactory(chapter=chapter, start=start, end=start + dt.timedelta(hours=2), **fields)


def addressees(mailbox) -> list[str]:
    return sorted(message["X-Envelope-To"] for message in mailbox.messages)


def unsubscribe_link(message) -> str:
    """The List-Unsubscribe URL; a header this long is folded onto the next line."""
    value = message["List-Unsubscribe"].strip()
    assert value.startswith("<") and value.endswith(">")
    return value[1:-1]


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def calendar_of(message) -> icalendar.Event:
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == "meeting.ics"
    return icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]


def local_time(moment: dt.datetime) -> str:
    """How the mails write a time in the chapter's zone, e.g. "6:00 PM"."""
    local = moment.astimezone(ZoneInfo("America/New_York"))
    return f"{local:%-I:%M %p}"


def test_announcement_reaches_members_and_lists_but_not_those_who_left(
    smtp_server, chapter, member, organizer
):
    MembershipFactory(
        chapter=chapter, user__email="unverified@example.org", user__email_verified_at=None
    )
    MembershipFactory(chapter=chapter, user__email="inactive@example.org", user__is_active=False)
    leaver = MembershipFactory(chapter=chapter, user__email="leaver@example.org").user
    Unsubscribe.objects.record(leaver.email, f"chapter:{chapter.pk}:meetings")
    MembershipFactory(user__email="elsewhere@example.org")  # another chapter's member
    AnnouncementAddress.objects.create(chapter=chapter, email=LIST_ADDRESS, label="Code4Lib")

    meeting = publish(chapter)

    assert addressees(smtp_server) == [LIST_ADDRESS, "member@example.org", "organizer@example.org"]
    (message,) = smtp_server.to("member@example.org")
    assert message["Subject"] == "[Code4LibNYC] New meeting: Linked data lightning talks"
    text = smtp_server.body(message)
    local = meeting.start.astimezone(ZoneInfo("America/New_York"))
    dash = "\N{EN DASH}"
    assert f"{local_time(meeting.start)} {dash} {local_time(meeting.end)} {local.tzname()}" in text
    assert f"http://testserver/chapters/code4libnyc/meetings/{meeting.pk}/" in text
    assert meeting.venue.name in text
    assert "<strong>pizza</strong>" not in text and "**pizza**" not in text  # no description set
    html = html_of(message)
    assert "<h1>Linked data lightning talks</h1>" in html and local_time(meeting.start) in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = unsubscribe_link(message)
    assert unsubscribe_url.startswith("http://testserver/unsubscribe/")
    assert message["List-Id"] == f"Code4LibNYC meetings <chapter.{chapter.pk}.meetings.testserver>"
    assert unsubscribe_url in text and unsubscribe_url in html
    # The outside list gets its own message, without one-click unsubscribe: one reader of
    # the list must not be able to stop the announcements for all of it.
    (to_list,) = smtp_server.to(LIST_ADDRESS)
    assert to_list["List-Unsubscribe"] is None and to_list["List-Unsubscribe-Post"] is None
    assert "send their meeting announcements to this address" in smtp_server.body(to_list)
    assert "/unsubscribe/" not in smtp_server.body(to_list)


def test_description_is_markdown_in_html_and_text_in_plain_text(smtp_server, chapter, member):
    publish(chapter, description="Talks and **pizza** <script>x()</script>")
    (message,) = smtp_server.to("member@example.org")
    assert "Talks and **pizza**" in smtp_server.body(message)
    html = html_of(message)
    assert "<strong>pizza</strong>" in html and "<script>" not in html


def test_one_click_unsubscribe_without_csrf_token(smtp_server, chapter, member, organizer):
    AnnouncementAddress.objects.create(chapter=chapter, email=LIST_ADDRESS)
    publish(chapter)
    client = Client(enforce_csrf_checks=True)
    for address in ("member@example.org",):
        (message,) = smtp_server.to(address)
        path = urlsplit(unsubscribe_link(message)).path
        # A GET (a link scanner, or a person before clicking the button) changes nothing.
        page = client.get(path)
        assert page.status_code == 200 and "Stop sending" in page.text
        assert not Unsubscribe.objects.filter(email=address).exists()
        response = client.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        assert "You are unsubscribed" in response.text
        assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200  # again

    left = Unsubscribe.objects.get(email="member@example.org")
    assert left.user == member and left.list_key == f"chapter:{chapter.pk}:meetings"
    assert Unsubscribe.objects.count() == 1

    publish(chapter, title="The next one")
    assert addressees(smtp_server) == [
        LIST_ADDRESS, LIST_ADDRESS, "member@example.org", "organizer@example.org",
        "organizer@example.org",
    ]  # fmt: skip


def test_an_unsubscribe_holds_after_a_change_of_address(smtp_server, chapter, member):
    Unsubscribe.objects.record("Member@example.org", f"chapter:{chapter.pk}:meetings")
    member.email = "new.home@example.org"
    member.save()
    publish(chapter)
    assert smtp_server.to("new.home@example.org") == []


@pytest.mark.parametrize("token", ["garbage", "eyJlIjoiYUBleGFtcGxlLm9yZyJ9:1aaaaa:forged"])
def test_a_bad_unsubscribe_link_says_why_and_writes_nothing(client, token):
    response = client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert "This unsubscribe link does not work" in response.text
    assert "Use the link from the message itself" in response.text
    assert not Unsubscribe.objects.exists()


def test_rsvp_confirmation_carries_the_meetings_calendar(smtp_server, chapter, member, organizer):
    meeting = soon_meeting(chapter, capacity=1)
    services.rsvp(meeting, member)
    services.rsvp(meeting, organizer)

    (going,) = smtp_server.to("member@example.org")
    assert going["Subject"] == f"[Code4LibNYC] You are going: {meeting.title}"
    assert "You have a seat" in smtp_server.body(going) and "You have a seat" in html_of(going)
    event = calendar_of(going)
    assert str(event["UID"]) == f"meeting-{meeting.pk}@testserver"
    assert event.decoded("DTSTART") == meeting.start
    assert str(event["SUMMARY"]) == meeting.title

    (waiting,) = smtp_server.to("organizer@example.org")
    assert waiting["Subject"] == f"[Code4LibNYC] You are on the waitlist: {meeting.title}"
    assert calendar_of(waiting).decoded("DTEND") == meeting.end


def test_a_freed_seat_goes_to_the_waitlist_with_a_mail(smtp_server, chapter, member, organizer):
    meeting = soon_meeting(chapter, capacity=1)
    services.rsvp(meeting, member)
    services.rsvp(meeting, organizer)
    smtp_server.messages.clear()

    services.cancel_rsvp(meeting, member)

    (promoted,) = smtp_server.messages
    assert promoted["X-Envelope-To"] == "organizer@example.org"
    assert (
        promoted["Subject"] == f"[Code4LibNYC] A seat opened up: you are going to {meeting.title}"
    )
    assert "it is yours" in smtp_server.body(promoted)
    assert calendar_of(promoted).decoded("DTSTART") == meeting.start


def test_changes_and_cancellation_go_to_everyone_going(smtp_server, chapter, member, organizer):
    meeting = soon_meeting(chapter, capacity=1)
    services.rsvp(meeting, member)
    services.rsvp(meeting, organizer)  # waitlisted: not told
    gone = MembershipFactory(chapter=chapter, user__email="gone@example.org").user
    services.rsvp(meeting, gone)
    services.cancel_rsvp(meeting, gone)
    smtp_server.messages.clear()

    new_start = meeting.start + dt.timedelta(hours=1)
    meeting = services.update_meeting(
        meeting, {"start": new_start, "end": new_start + dt.timedelta(hours=2)}
    )
    (moved,) = smtp_server.messages
    assert moved["X-Envelope-To"] == "member@example.org"
    assert moved["Subject"] == f"[Code4LibNYC] New time or place: {meeting.title}"
    assert local_time(new_start) in smtp_server.body(moved)
    assert calendar_of(moved)["SEQUENCE"] == 1

    services.cancel_meeting(meeting)
    moved, cancelled = smtp_server.messages
    assert cancelled["X-Envelope-To"] == "member@example.org"
    assert cancelled["Subject"] == f"[Code4LibNYC] Cancelled: {meeting.title}"
    assert "cancelled this meeting" in smtp_server.body(cancelled)
    event = calendar_of(cancelled)
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 2)

    # An old revision's task, or this one's again, sends nothing more.
    tasks.send_meeting_changed.call(meeting.pk, 1)
    tasks.send_meeting_changed.call(meeting.pk, 2)
    assert len(smtp_server.messages) == 2


def test_reminder_only_for_the_current_start(smtp_server, chapter, member):
    meeting = soon_meeting(chapter)
    services.rsvp(meeting, member)
    first_start = meeting.start.isoformat()
    smtp_server.messages.clear()

    tasks.send_reminder.call(meeting.pk, first_start)
    (reminder,) = smtp_server.messages
    assert reminder["Subject"] == f"[Code4LibNYC] Reminder: {meeting.title}"
    assert local_time(meeting.start) in smtp_server.body(reminder)

    new_start = meeting.start + dt.timedelta(hours=2)
    meeting = services.update_meeting(
        meeting, {"start": new_start, "end": new_start + dt.timedelta(hours=2)}
    )
    smtp_server.messages.clear()
    tasks.send_reminder.call(meeting.pk, first_start)  # queued for the old time
    assert smtp_server.messages == []
    tasks.send_reminder.call(meeting.pk, new_start.isoformat())
    assert len(smtp_server.messages) == 1

    services.cancel_meeting(meeting)
    smtp_server.messages.clear()
    tasks.send_reminder.call(meeting.pk, new_start.isoformat())
    assert smtp_server.messages == []


def test_running_a_task_twice_sends_once(smtp_server, chapter, member, organizer):
    AnnouncementAddress.objects.create(chapter=chapter, email=LIST_ADDRESS)
    meeting = publish(chapter)
    tasks.announce_meeting.call(meeting.pk)
    tasks.announce_meeting.enqueue(meeting.pk)
    assert len(smtp_server.messages) == 3

    answer = services.rsvp(meeting, member)
    tasks.send_rsvp_confirmation.call(answer.pk, "going")
    tasks.send_reminder.call(meeting.pk, meeting.start.isoformat())
    tasks.send_reminder.call(meeting.pk, meeting.start.isoformat())
    assert len(smtp_server.to("member@example.org")) == 3  # announcement, confirmation, reminder
    assert SentMail.objects.count() == 5
    assert not SentMail.objects.unsent().exists()


def test_answering_again_after_cancelling_is_confirmed_again(smtp_server, chapter, member):
    meeting = soon_meeting(chapter)
    services.rsvp(meeting, member)
    services.cancel_rsvp(meeting, member)
    services.rsvp(meeting, member)
    assert len(smtp_server.to("member@example.org")) == 2


def test_a_refused_message_is_not_marked_and_a_rerun_sends_it(smtp_server, db):
    def compose() -> EmailMessage:
        return EmailMessage("Hello", "Body\n", to=["someone@example.org"])

    nobody_listening = get_connection(port=free_port())
    with pytest.raises(ConnectionRefusedError):
        send_once("test:refused", "someone@example.org", compose, nobody_listening)
    assert not SentMail.objects.exists()

    assert send_once("test:refused", "someone@example.org", compose)
    assert not send_once("test:refused", "someone@example.org", compose)
    assert len(smtp_server.messages) == 1
    assert SentMail.objects.get().sent_at is not None


def test_an_unreachable_mail_server_loses_no_announcement(smtp_server, settings, chapter, member):
    meeting = soon_meeting(chapter)
    working_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()
    with pytest.raises(ConnectionRefusedError):
        tasks.announce_meeting.call(meeting.pk)
    settings.EMAIL_PORT = working_port
    tasks.announce_meeting.call(meeting.pk)
    assert addressees(smtp_server) == ["member@example.org", "organizer@example.org"]


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_through_the_database_queue_each_message_arrives_once(
    smtp_server, settings, chapter, member, organizer
):
    settings.TASKS = DATABASE_TASKS
    AnnouncementAddress.objects.create(chapter=chapter, email=LIST_ADDRESS)
    meeting = publish(chapter, hours=72)  # far enough ahead to queue its reminder
    tasks.announce_meeting.enqueue(meeting.pk)  # queued twice, as a retried request might
    services.rsvp(meeting, member)
    assert smtp_server.messages == []

    run_worker()
    run_worker()

    assert addressees(smtp_server) == [
        LIST_ADDRESS, "member@example.org", "member@example.org", "organizer@example.org"
    ]  # fmt: skip
    statuses = dict(DBTaskResult.objects.values_list("task_path", "status").distinct())
    assert statuses["meetings.tasks.announce_meeting"] == "SUCCESSFUL"
    assert statuses["meetings.tasks.send_rsvp_confirmation"] == "SUCCESSFUL"
    assert statuses["meetings.tasks.send_reminder"] == "READY"  # waits for its hour
    assert not SentMail.objects.unsent().exists()
