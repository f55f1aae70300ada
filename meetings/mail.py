"""The meeting e-mail: who gets each kind, and the message each of them gets.

Every message names the chapter's meeting list (`chapter:<id>:meetings`) in its
List-Unsubscribe header. Leaving it stops announcements only: mail about a meeting
someone answered (confirmations, reminders, changes) still goes to them.
"""

import datetime as dt

from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from chapterhouse.mail import Recipient, build_mail
from chapterhouse.models import Unsubscribe
from chapters.models import Chapter
from meetings.ical import calendar_for, meeting_url
from meetings.models import Meeting, Rsvp
from members.models import User

DAY_FORMAT = "l, F j, Y"
TIME_FORMAT = "g:i A"
DASH = "\N{EN DASH}"


def list_key(chapter: Chapter) -> str:
    """The list a chapter's members leave to stop its meeting announcements."""
    return f"chapter:{chapter.pk}:meetings"


def announcement_recipients(meeting: Meeting) -> list[Recipient]:
    """Active, verified members who have not left the list, then the chapter's outside lists."""
    key = list_key(meeting.chapter)
    members = (
        User.objects.filter(memberships__chapter=meeting.chapter_id, is_active=True)
        .exclude(email_verified_at=None)
        .exclude(Unsubscribe.objects.left_by_user(key))
        .select_related("profile")
        .order_by("pk")
    )
    recipients = [Recipient(f"user:{user.pk}", user.email, user) for user in members]
    taken = {recipient.email for recipient in recipients}
    taken |= set(Unsubscribe.objects.filter(list_key=key).values_list("email", flat=True))
    for address in meeting.chapter.announcement_addresses.order_by("pk"):
        if address.email.lower() not in taken:
            taken.add(address.email.lower())
            recipients.append(Recipient(f"addr:{address.email.lower()}", address.email))
    return recipients


def going(meeting: Meeting) -> list[Recipient]:
    """Everyone with a seat at the meeting."""
    answers = meeting.rsvps.filter(status=Rsvp.Status.GOING, user__is_active=True)
    return [rsvp_recipient(answer) for answer in answers.select_related("user__profile")]


def rsvp_recipient(answer: Rsvp) -> Recipient:
    return Recipient(f"user:{answer.user_id}", answer.user.email, answer.user)


def answer_key(answer: Rsvp, kind: str) -> str:
    """The key prefix of a mail about one answer, e.g. `meeting:3:rsvp:7:going:<when>`.

    It includes when the answer was last given: saying yes again after cancelling
    is news again, while a rerun of the same task finds the same key.
    """
    version = answer.updated.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"meeting:{answer.meeting_id}:rsvp:{answer.pk}:{kind}:{version}"


def when(meeting: Meeting) -> str:
    """Start and end in the current zone, as "Wednesday, June 10, 2026, 6:00 PM to 8:00 PM EDT"."""
    start, end = timezone.localtime(meeting.start), timezone.localtime(meeting.end)
    day = formats.date_format(start, DAY_FORMAT)
    begins = formats.date_format(start, TIME_FORMAT)
    if end.date() == start.date():
        ends = formats.date_format(end, TIME_FORMAT)
    else:
        ends = f"{formats.date_format(end, DAY_FORMAT)}, {formats.date_format(end, TIME_FORMAT)}"
    return f"{day}, {begins} {DASH} {ends} {end.tzname()}"


def compose(template: str, meeting: Meeting, recipient: Recipient, calendar: bool = False):
    """Render one meeting message for one recipient, its times in the chapter's zone."""
    chapter = meeting.chapter
    with timezone.override(chapter.time_zone):
        context = {
            "meeting": meeting,
            "chapter": chapter,
            "user": recipient.user,
            "when": when(meeting),
            "meeting_url": meeting_url(meeting),
        }
        return build_mail(
            f"meetings/email/{template}",
            recipient.email,
            context,
            # Outside lists get no one-click unsubscribe: one reader could stop the
            # announcements for everyone on the list. Organizers remove those addresses.
            list_key=list_key(chapter) if recipient.user else "",
            list_name=_("%(chapter)s meetings") % {"chapter": chapter.name},
            attachments=[calendar_attachment(meeting)] if calendar else [],
        )


def calendar_attachment(meeting: Meeting) -> tuple[str, bytes, str]:
    """The meeting as an .ics file that calendar apps add, or update by its UID and SEQUENCE."""
    return ("meeting.ics", calendar_for([meeting], meeting.title), "text/calendar; method=PUBLISH")


def announcement(meeting: Meeting, recipient: Recipient) -> EmailMessage:
    return compose("announce", meeting, recipient)


def confirmation(answer: Rsvp, recipient: Recipient) -> EmailMessage:
    return compose(f"confirm_{answer.status}", answer.meeting, recipient, calendar=True)


def promotion(answer: Rsvp, recipient: Recipient) -> EmailMessage:
    return compose("promoted", answer.meeting, recipient, calendar=True)


def change_notice(meeting: Meeting, recipient: Recipient) -> EmailMessage:
    return compose("changed", meeting, recipient, calendar=True)


def reminder(meeting: Meeting, recipient: Recipient) -> EmailMessage:
    return compose("reminder", meeting, recipient)


def meetings_with_details() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("chapter", "venue")
