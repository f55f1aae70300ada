"""Mail about meetings, sent by the worker. Each task takes ids and may be rerun.

Every message is keyed (see chapterhouse.models.SentMail), so a rerun, a second
enqueue or a restarted worker never sends one twice.
"""

import datetime as dt
from functools import partial

from django.utils import timezone
from django_tasks import task

from chapterhouse.mail import send_each
from meetings import mail
from meetings.models import Meeting, Rsvp


def scheduled_meeting(meeting_id: int) -> Meeting | None:
    """The meeting if it is still scheduled and has not started."""
    meeting = mail.meetings_with_details().filter(pk=meeting_id).first()
    if meeting is None or meeting.status != Meeting.Status.SCHEDULED:
        return None
    return meeting if meeting.start > timezone.now() else None


def current_answer(rsvp_id: int, status: str) -> Rsvp | None:
    """The RSVP if it still has this status and its meeting is still scheduled."""
    answers = Rsvp.objects.select_related("user__profile", "meeting__chapter", "meeting__venue")
    return answers.filter(
        pk=rsvp_id, status=status, user__is_active=True, meeting__status=Meeting.Status.SCHEDULED
    ).first()


@task()
def announce_meeting(meeting_id: int) -> None:
    """Tell the chapter's members (and its outside lists) about a new meeting."""
    meeting = scheduled_meeting(meeting_id)
    if meeting is not None:
        recipients = mail.announcement_recipients(meeting)
        send_each(f"meeting:{meeting.pk}:announce", recipients, partial(mail.announcement, meeting))


@task()
def send_rsvp_confirmation(rsvp_id: int, status: str) -> None:
    """Confirm an RSVP (seat or waitlist place), with the meeting's .ics attached."""
    answer = current_answer(rsvp_id, status)
    if answer is not None and status in (Rsvp.Status.GOING, Rsvp.Status.WAITLISTED):
        send_each(
            mail.answer_key(answer, status),
            [mail.rsvp_recipient(answer)],
            partial(mail.confirmation, answer),
        )


@task()
def send_promotion(rsvp_id: int) -> None:
    """Tell someone on the waitlist they now have a seat."""
    answer = current_answer(rsvp_id, Rsvp.Status.GOING)
    if answer is not None:
        send_each(
            mail.answer_key(answer, "promoted"),
            [mail.rsvp_recipient(answer)],
            partial(mail.promotion, answer),
        )


@task()
def send_meeting_changed(meeting_id: int, sequence: int) -> None:
    """Tell everyone going that the meeting moved, changed or was cancelled."""
    # A later revision has its own task, which tells the latest news instead.
    meeting = mail.meetings_with_details().filter(pk=meeting_id, sequence=sequence).first()
    if meeting is not None and meeting.end > timezone.now():
        prefix = f"meeting:{meeting.pk}:changed:seq{sequence}"
        send_each(prefix, mail.going(meeting), partial(mail.change_notice, meeting))


@task()
def send_reminder(meeting_id: int, start: str) -> None:
    """Remind everyone going, 24 hours ahead, if the meeting still starts at `start`."""
    meeting = scheduled_meeting(meeting_id)
    if meeting is not None and meeting.start == dt.datetime.fromisoformat(start):
        prefix = f"meeting:{meeting.pk}:reminder:{int(meeting.start.timestamp())}"
        send_each(prefix, mail.going(meeting), partial(mail.reminder, meeting))
