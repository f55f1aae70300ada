"""A fixed-window rate limit kept in the database, shared by every worker process.

`hit("forum-post:user:5", limit=10, window_seconds=600)` counts one attempt and says
whether it is allowed. It is one statement, an INSERT ... ON CONFLICT DO UPDATE that
raises the counter only while `count < limit`, so two processes hitting at once can
never both get the last allowed slot, on SQLite or PostgreSQL.

Features name their limits in `settings.RATE_LIMITS` and call `charge(name, subject)`,
which raises `RateLimited` past the limit; views show the refusal with status 429.
"""

import ipaddress
import math
import time

from django.apps import apps
from django.conf import settings
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

UPSERT = """
INSERT INTO {table} ({key}, {window}, {count}) VALUES (%s, %s, 1)
ON CONFLICT ({key}, {window}) DO UPDATE SET {count} = {table}.{count} + 1
WHERE {table}.{count} < %s
RETURNING {count}
"""


def _counters():
    # The table lives in the forum app for now; other features share it through this module.
    return apps.get_model("forum", "RateLimit")


def window_of(window_seconds: int, now: float | None = None) -> int:
    """When (Unix seconds) the fixed window `now` falls in began."""
    now = time.time() if now is None else now
    return int(now // window_seconds) * window_seconds


def seconds_left(window_seconds: int, now: float | None = None) -> int:
    """Whole seconds until the fixed window `now` falls in ends (at least 1)."""
    now = time.time() if now is None else now
    return max(1, math.ceil(window_of(window_seconds, now) + window_seconds - now))


def _upsert_sql(connection) -> str:
    model = _counters()
    quote = connection.ops.quote_name
    fields = ("key", "window", "count")
    columns = {name: quote(model._meta.get_field(name).column) for name in fields}
    return UPSERT.format(table=quote(model._meta.db_table), **columns)


def hit(key: str, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one attempt on `key`; True if it is within `limit` attempts for this window."""
    if limit <= 0:
        return False
    connection = connections[router.db_for_write(_counters())]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(connection), [key, window_of(window_seconds, now), limit])
        return cursor.fetchone() is not None


def remaining(key: str, limit: int, window_seconds: int, now: float | None = None) -> int:
    """How many attempts `key` has left in the current window."""
    row = _counters().objects.filter(key=key, window=window_of(window_seconds, now)).first()
    return max(0, limit - (row.count if row else 0))


def prune(older_than_seconds: int, now: float | None = None) -> int:
    """Delete counters of windows that began more than `older_than_seconds` ago."""
    cutoff = (time.time() if now is None else now) - older_than_seconds
    deleted, _detail = _counters().objects.filter(window__lt=cutoff).delete()
    return deleted


class RateLimited(Exception):
    """An attempt over one of the limits; nothing was written. Says when to try again."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(self.message)

    @property
    def message(self) -> str:
        minutes = math.ceil(self.retry_after / 60)
        return ngettext(
            "You have tried this too many times. Please try again in %(minutes)d minute.",
            "You have tried this too many times. Please try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


def limit_of(name: str) -> tuple[int, int]:
    """(attempts, window in seconds) of a limit named in settings.RATE_LIMITS."""
    attempts, window_seconds = settings.RATE_LIMITS[name]
    return attempts, window_seconds


def charge(name: str, subject: object, now: float | None = None) -> None:
    """Count one attempt at `name` by `subject` (an address, an account id, a hashed
    e-mail address); raise RateLimited once the limit for this window is used up."""
    limit, window_seconds = limit_of(name)
    if not hit(f"{name}:{subject}", limit, window_seconds, now):
        raise RateLimited(seconds_left(window_seconds, now))


def email_subject(email: str) -> str:
    """A fixed-length stand-in for an e-mail address, so counters never store the address."""
    normalized = (email or "").strip().lower()
    return salted_hmac("chapterhouse.ratelimit.email", normalized).hexdigest()[:32]


def client_address(request: HttpRequest | None) -> str:
    """The client's address as the proxy in front of us reports it (see docs/deploy.md).

    An IPv6 client counts as its /64 network: one host usually holds the whole
    network, so counting single addresses would let it step around every limit.
    """
    raw = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(getattr(address, "ipv4_mapped", None) or address)


def mark_refused(response: HttpResponse, refusal: RateLimited) -> HttpResponse:
    """Give a page that shows a refusal (often the form again) status 429 and Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(refusal.retry_after)
    return response


def refusal_page(
    request: HttpRequest, refusal: RateLimited, back_url: str = "", back_label: str = ""
) -> HttpResponse:
    """The 429 page for an action that has no form to show again."""
    context = {
        "message": refusal.message,
        "back_url": back_url,
        "back_label": back_label or _("Go back"),
    }
    return mark_refused(render(request, "too_many_requests.html", context), refusal)
