"""Reading a remote meeting's format and report from the chapterhouse: terms of its Event.

The terms are described in docs/FEDERATION.md. What arrives is checked field by field:
a value of the wrong type is left out, text that is too long is cut, and the notes go
through the site's one sanitizer. Nothing here raises on bad input.
"""

import datetime as dt
import re

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from chapterhouse.markup import sanitize

FORMAT_MAX_LENGTH = 40
WHAT_WORKED_MAX_LENGTH = 5000
NOTES_MAX_LENGTH = 100_000
ATTENDANCE_MAX = 1_000_000
# Control characters other than tab and newline have no place in plain text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
NO_REPORT = {
    "report_attendance": None,
    "report_what_worked": "",
    "report_html": "",
    "report_updated": None,
}


def report_fields(event: dict) -> dict:
    """The RemoteObject columns for an Event's format and report; blank when it has none."""
    fields = {"meeting_format": format_of(event.get("meetingFormat"))}
    report = event.get("meetingReport")
    if isinstance(report, list):
        report = next((item for item in report if isinstance(item, dict)), None)
    if not isinstance(report, dict):
        return fields | NO_REPORT
    notes = report.get("content")
    return fields | {
        "report_attendance": attendance_of(report.get("attendance")),
        "report_what_worked": plain_text(report.get("whatWorked"), WHAT_WORKED_MAX_LENGTH),
        "report_html": str(sanitize(notes[:NOTES_MAX_LENGTH])) if isinstance(notes, str) else "",
        "report_updated": (
            time_of(report.get("updated")) or time_of(event.get("updated")) or timezone.now()
        ),
    }


def plain_text(value, limit: int) -> str:
    """A string without control characters, trimmed to `limit`; anything else is blank."""
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub("", value).strip()[:limit]


def format_of(value) -> str:
    """The format as sent (one line, at most 40 characters); blank if it is not text."""
    return " ".join(plain_text(value, FORMAT_MAX_LENGTH * 4).split())[:FORMAT_MAX_LENGTH]


def attendance_of(value) -> int | None:
    """A head count: a whole number from 0 to a million (digits in a string too), else None."""
    if isinstance(value, str):
        digits = value.strip()
        value = int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 7 else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= ATTENDANCE_MAX else None


def time_of(value) -> dt.datetime | None:
    """An xsd:dateTime as an aware datetime (UTC when it has no offset), None if unreadable."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        return None
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)
