"""Mail about meetings, sent by the worker. Each task takes ids and may be rerun."""

from django_tasks import task


@task()
def announce_meeting(meeting_id: int) -> None:
    """Tell the chapter's members (and its outside lists) about a new meeting."""


@task()
def send_rsvp_confirmation(rsvp_id: int, status: str) -> None:
    """Confirm an RSVP (seat or waitlist place), with the meeting's .ics attached."""


@task()
def send_promotion(rsvp_id: int) -> None:
    """Tell someone on the waitlist they now have a seat."""


@task()
def send_meeting_changed(meeting_id: int, sequence: int) -> None:
    """Tell everyone going that the meeting moved, changed or was cancelled."""


@task()
def send_reminder(meeting_id: int, start: str) -> None:
    """Remind everyone going, 24 hours ahead, if the meeting still starts at `start`."""
