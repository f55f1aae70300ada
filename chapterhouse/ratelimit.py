"""A fixed-window rate limit kept in the database, shared by every worker process.

`hit("forum-post:user:5", limit=10, window_seconds=600)` counts one attempt and says
whether it is allowed. The counter is raised with a conditional UPDATE (`count < limit`)
and the window's first hit is an INSERT in its own savepoint, so two processes hitting
at once can never both get the last allowed slot, on SQLite or PostgreSQL.
"""

import time

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F


def _counters():
    # The table lives in the forum app for now; other features share it through this module.
    return apps.get_model("forum", "RateLimit")


def window_of(window_seconds: int, now: float | None = None) -> int:
    """When (Unix seconds) the fixed window `now` falls in began."""
    now = time.time() if now is None else now
    return int(now // window_seconds) * window_seconds


def _take_slot(key: str, window: int, limit: int) -> bool:
    updated = (
        _counters()
        .objects.filter(key=key, window=window, count__lt=limit)
        .update(count=F("count") + 1)
    )
    return updated == 1


def hit(key: str, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one attempt on `key`; True if it is within `limit` attempts for this window."""
    if limit <= 0:
        return False
    window = window_of(window_seconds, now)
    if _take_slot(key, window, limit):
        return True
    try:
        with transaction.atomic():
            _counters().objects.create(key=key, window=window, count=1)
        return True
    except IntegrityError:
        # Someone else opened the window first: take a slot from their row, if one is left.
        return _take_slot(key, window, limit)


def remaining(key: str, limit: int, window_seconds: int, now: float | None = None) -> int:
    """How many attempts `key` has left in the current window."""
    row = _counters().objects.filter(key=key, window=window_of(window_seconds, now)).first()
    return max(0, limit - (row.count if row else 0))


def prune(older_than_seconds: int, now: float | None = None) -> int:
    """Delete counters of windows that began more than `older_than_seconds` ago."""
    cutoff = (time.time() if now is None else now) - older_than_seconds
    deleted, _detail = _counters().objects.filter(window__lt=cutoff).delete()
    return deleted
