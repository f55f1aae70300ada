"""Expanding a series' RFC 5545 rule into meeting times, in the chapter's wall-clock time.

The rule runs on local times, then each is made aware in the chapter's zone, so
"every second Wednesday at 18:00" stays at 18:00 across daylight-saving changes.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# No rule may produce more than this many meetings at once, nor look further ahead.
MAX_OCCURRENCES = 60
MAX_HORIZON = dt.timedelta(days=2 * 366)
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}


def parse_rule(rule: str, first_local: dt.datetime):
    """The dateutil rule for an RRULE string, or a ValidationError saying what is wrong."""
    text = rule.strip().removeprefix("RRULE:")
    parts = dict(part.split("=", 1) for part in text.split(";") if "=" in part)
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise ValidationError(
            _(
                "Start the rule with FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, "
                "e.g. FREQ=MONTHLY;BYDAY=2WE."
            ),
            code="rule",
        )
    try:
        return rrulestr(text, dtstart=first_local.replace(tzinfo=None), cache=False)
    except (ValueError, TypeError) as error:
        raise ValidationError(
            _("This rule cannot be read: %(error)s") % {"error": error}, code="rule"
        ) from None


def occurrences(
    rule: str, first_start: dt.datetime, zone: str, after: dt.datetime, until: dt.datetime
):
    """Aware start times from the rule between `after` and `until` (capped in count and reach)."""
    tz = ZoneInfo(zone)
    first_local = first_start.astimezone(tz)
    until = min(until, after + MAX_HORIZON)
    starts = []
    for local in parse_rule(rule, first_local):
        start = local.replace(tzinfo=tz)
        if start > until or len(starts) >= MAX_OCCURRENCES:
            break
        if start >= after:
            starts.append(start)
    return starts
