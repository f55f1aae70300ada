"""Refusing log-ins after repeated failures: per e-mail address, and per client address.

Ten failures (LOGIN_LOCKOUT_FAILURES) for one e-mail address within fifteen minutes
of the first (LOGIN_FAILURE_WINDOW) lock log-in with that address for fifteen minutes
(LOGIN_LOCKOUT_SECONDS); while locked, even the right password is refused, so the
lock caps password guessing at ten tries per account per window. Separately, every
failure counts against the client's address ("login-failure:address" in
RATE_LIMITS), and an address past its limit may not try any account until its
window ends. A successful log-in, or setting a new password from a reset link,
clears the account's count and lock.

The lock is keyed on the address typed, not on an account: an address that has no
account is counted, locked and worded exactly like one that has, so nothing here
tells anyone whether an account exists.

The trade-off: a lock also refuses the account's owner, so anyone who knows a
member's e-mail address could try to keep them out by failing ten times every
fifteen minutes. What keeps that from being cheap:

- a lock is short and never grows: attempts refused while locked are not counted
  and do not extend it;
- the failures that lock accounts also use up the sender's own address limit, so
  one address can lock only a few accounts per window (30 failures / 10), and
  keeping many accounts locked for long needs many addresses for as long;
- a password reset link, which proves the owner holds the mailbox, clears the
  lock, so the owner can always get back in.

Fewer failures or longer locks slow guessing further but make locking people out
cheaper; more failures or shorter locks do the reverse.
"""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from chapterhouse import ratelimit
from members.models import LoginThrottle, User

ADDRESS_LIMIT = "login-failure:address"


class LoginRefused(ratelimit.RateLimited):
    """A log-in refused before the password is checked; `until` is when to try again."""

    def __init__(self, until: datetime, now: datetime, by_address: bool = False):
        self.until, self.by_address = until, by_address
        super().__init__(max(1, math.ceil((until - now).total_seconds())))

    @property
    def message(self) -> str:
        local = timezone.localtime(self.until)
        minutes = math.ceil(self.retry_after / 60)
        values = {"time": f"{local:%H:%M} {local.tzname()}", "minutes": minutes}
        if self.by_address:
            return (
                ngettext(
                    "There were too many failed log-ins from your network. "
                    "Please try again after %(time)s (in %(minutes)d minute).",
                    "There were too many failed log-ins from your network. "
                    "Please try again after %(time)s (in %(minutes)d minutes).",
                    minutes,
                )
                % values
            )
        return (
            ngettext(
                "Log-in with this e-mail address is paused after too many failed attempts. "
                "Please try again after %(time)s (in %(minutes)d minute), "
                "or reset your password to log in now.",
                "Log-in with this e-mail address is paused after too many failed attempts. "
                "Please try again after %(time)s (in %(minutes)d minutes), "
                "or reset your password to log in now.",
                minutes,
            )
            % values
        )


def account_key(email: str) -> str:
    """The throttle key of an e-mail address: a keyed hash, the same for any letter case."""
    normalized = User.objects.normalize_email(email)
    return salted_hmac("members.lockout", normalized, algorithm="sha256").hexdigest()


def _address_key(address: str) -> str:
    return f"{ADDRESS_LIMIT}:{address}"


def refusal(email: str, address: str | None, now: datetime | None = None) -> LoginRefused | None:
    """Why a log-in with this e-mail address from this client must be refused, if it must."""
    now = now or timezone.now()
    if address is not None:
        limit, window = ratelimit.limit_of(ADDRESS_LIMIT)
        if ratelimit.remaining(_address_key(address), limit, window, now.timestamp()) == 0:
            until = now + timedelta(seconds=ratelimit.seconds_left(window, now.timestamp()))
            return LoginRefused(until, now, by_address=True)
    locked_until = (
        LoginThrottle.objects.filter(key=account_key(email), locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )
    return LoginRefused(locked_until, now) if locked_until else None


def record_failure(email: str, address: str | None, now: datetime | None = None) -> None:
    """Count a failed log-in against the e-mail address and the client; lock at the limit."""
    now = now or timezone.now()
    if address is not None:
        ratelimit.hit(_address_key(address), *ratelimit.limit_of(ADDRESS_LIMIT), now.timestamp())
    with transaction.atomic():
        throttle = _locked_throttle(account_key(email), now)
        if throttle.window_start <= now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW):
            throttle.failures, throttle.window_start = 0, now
        throttle.failures += 1
        if throttle.failures >= settings.LOGIN_LOCKOUT_FAILURES:
            throttle.locked_until = now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
            throttle.failures, throttle.window_start = 0, now
        throttle.save(update_fields=["failures", "window_start", "locked_until"])


def _locked_throttle(key: str, now: datetime) -> LoginThrottle:
    """The key's throttle row under a row lock, made (with no failures yet) if missing."""
    rows = LoginThrottle.objects.select_for_update()
    throttle = rows.filter(key=key).first()
    if throttle is not None:
        return throttle
    try:
        with transaction.atomic():
            return LoginThrottle.objects.create(key=key, failures=0, window_start=now)
    except IntegrityError:  # another request made it first
        return rows.get(key=key)


def clear(email: str) -> None:
    """Forget the failures and lock of an e-mail address (after a log-in or a password reset)."""
    LoginThrottle.objects.filter(key=account_key(email)).delete()


def prune(now: datetime | None = None) -> int:
    """Delete throttles with no lock in force and no failure inside the current window."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    deleted, _detail = (
        LoginThrottle.objects.filter(window_start__lt=stale).exclude(locked_until__gt=now).delete()
    )
    return deleted
