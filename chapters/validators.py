"""Validation of chapter settings."""

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_names() -> list[str]:
    """Every IANA time zone name the system knows, sorted."""
    return sorted(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """Reject a name that is not an IANA time zone."""
    if value not in time_zone_names():
        raise ValidationError(
            _("%(value)s is not a time zone; use a name such as America/New_York."),
            params={"value": value},
            code="time_zone",
        )
