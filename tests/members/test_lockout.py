"""Locking log-in after repeated failures: per e-mail address, per client address, and the
ways out (waiting, a successful log-in, a password reset)."""

import datetime as dt
import re
import threading
from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import aauthenticate, get_user
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import timezone

from forum.models import RateLimit
from members import lockout
from members.models import LoginThrottle
from tests.factories import PASSWORD, UserFactory, hashed_password
from tests.html import form_error

pytestmark = pytest.mark.django_db

PAUSED = "Log-in with this e-mail address is paused after too many failed attempts."
FROM_NETWORK = "There were too many failed log-ins from your network."
WRONG = "That e-mail address and password do not match an account."
# Address windows are fixed on the clock; one this long never starts afresh mid-test.
LONG = 10**9
YEAR = dt.timedelta(days=365)


@pytest.fixture(autouse=True)
def quick_hashes(settings):
    """These tests log in hundreds of times; what they test is not the (slow) hash."""
    hashed_password()  # made (and cached) with the site's hasher, for the tests after these
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def member(member):
    member.password = make_password(PASSWORD)
    member.save(update_fields=["password"])
    return member


def account(**fields):
    return UserFactory(password=make_password(PASSWORD), **fields)


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def log_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


def fail(client: Client, email: str, times: int) -> None:
    for _ in range(times):
        response = log_in(client, email, "not-the-password")
        assert response.status_code == 200
        assert WRONG in form_error(response)


def test_ten_failures_lock_the_account_even_against_the_right_password(member):
    client = from_address("203.0.113.1")
    fail(client, member.email, 10)
    refused = log_in(client, member.email)
    assert refused.status_code == 429
    assert not get_user(client).is_authenticated
    message = form_error(refused)
    assert message.startswith(PAUSED)
    assert re.search(r"try again after \d\d:\d\d UTC \(in 15 minutes\)", message)
    assert "reset your password" in message
    assert 890 <= int(refused["Retry-After"]) <= 900
    assert 'name="username"' in refused.text  # the form is there again
    # The lock is on the account, not on the address that failed.
    assert log_in(from_address("198.51.100.2"), member.email).status_code == 429


def test_nine_failures_do_not_lock_and_a_successful_log_in_starts_the_count_again(member):
    client = from_address("203.0.113.1")
    fail(client, member.email, 9)
    assert log_in(client, member.email).status_code == 302
    client.post("/accounts/logout/")
    fail(client, member.email, 9)
    assert log_in(client, member.email).status_code == 302
    assert not LoginThrottle.objects.exists()


def test_an_address_without_an_account_is_locked_and_worded_exactly_the_same(member):
    answers = []
    for number, email in enumerate([member.email, "nobody@example.org"]):
        client = from_address(f"203.0.113.{number + 1}")
        fail(client, email, 10)
        answers.append(log_in(client, email))
    known, unknown = answers
    assert known.status_code == unknown.status_code == 429
    # The same words, up to the time (the two locks began a moment apart).
    assert re.sub(r"\d+", "N", form_error(known)) == re.sub(r"\d+", "N", form_error(unknown))
    assert abs(int(known["Retry-After"]) - int(unknown["Retry-After"])) <= 60


def test_attempts_refused_while_locked_write_nothing_and_do_not_extend_the_lock(member):
    client = from_address("203.0.113.1")
    fail(client, member.email, 10)
    throttle = LoginThrottle.objects.values().get()
    counters = list(RateLimit.objects.values("key", "count"))
    for password in [PASSWORD, "another-guess", "and-another"]:
        assert log_in(client, member.email, password).status_code == 429
    assert LoginThrottle.objects.values().get() == throttle
    assert list(RateLimit.objects.values("key", "count")) == counters


def test_the_lock_lasts_fifteen_minutes_from_the_tenth_failure(member):
    start = timezone.now()
    for second in range(10):
        lockout.record_failure(member.email, None, now=start + dt.timedelta(seconds=second))
    tenth = start + dt.timedelta(seconds=9)
    refusal = lockout.refusal(member.email, None, now=tenth + dt.timedelta(minutes=14))
    assert refusal is not None and refusal.until == tenth + dt.timedelta(minutes=15)
    assert refusal.retry_after == 60
    assert "(in 1 minute)" in refusal.message
    assert lockout.refusal(member.email, None, now=tenth + dt.timedelta(minutes=15)) is None


def test_failures_spread_wider_than_the_window_do_not_lock(member):
    start = timezone.now()
    for _ in range(9):
        lockout.record_failure(member.email, None, now=start)
    later = start + dt.timedelta(minutes=15, seconds=1)
    lockout.record_failure(member.email, None, now=later)
    assert lockout.refusal(member.email, None, now=later) is None
    assert LoginThrottle.objects.get().failures == 1


def test_letter_case_does_not_make_a_new_account_to_guess_at(member):
    client = from_address("203.0.113.1")
    for variant in ["member@example.org", "MEMBER@example.org", " Member@Example.ORG "] * 4:
        log_in(client, variant, "not-the-password")
    assert log_in(client, member.email).status_code == 429


def test_one_address_can_lock_only_a_few_accounts_then_may_try_none(settings):
    attempts, _window = settings.RATE_LIMITS["login-failure:address"]
    assert attempts == 30
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-failure:address": (30, LONG)}
    victims = [account() for _ in range(5)]
    attacker = from_address("203.0.113.66")
    for victim in victims:
        for _ in range(10):
            log_in(attacker, victim.email, "guess")
    locked = [v for v in victims if lockout.refusal(v.email, None) is not None]
    assert locked == victims[:3]  # 30 failures lock three accounts, no more

    refused = log_in(attacker, victims[4].email)  # even the right password
    assert refused.status_code == 429
    assert form_error(refused).startswith(FROM_NETWORK)
    assert not get_user(attacker).is_authenticated
    # The victims the attacker could not lock log in as usual from their own networks.
    assert log_in(from_address("198.51.100.4"), victims[4].email).status_code == 302


def test_an_ipv6_attacker_cannot_step_around_the_address_limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-failure:address": (3, LONG)}
    member = account()
    for host in range(1, 4):
        log_in(from_address(f"2001:db8:5:6::{host}"), "someone@example.org", "guess")
    assert log_in(from_address("2001:db8:5:6::99"), member.email).status_code == 429
    assert log_in(from_address("2001:db8:5:7::1"), member.email).status_code == 302


def test_a_password_reset_lifts_the_lock(member, django_capture_on_commit_callbacks):
    client = from_address("203.0.113.1")
    fail(client, member.email, 10)
    assert log_in(client, member.email).status_code == 429

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": member.email})
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    new = {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"}
    assert client.post(form_page.redirect_chain[-1][0], new).status_code == 302

    assert log_in(client, member.email, "a-brand-new-passphrase").status_code == 302
    assert get_user(client) == member


def test_the_admin_log_in_counts_failures_and_is_locked_too(db):
    admin = account(is_staff=True, is_superuser=True)
    client = from_address("203.0.113.1")
    for _ in range(10):
        client.post("/admin/login/", {"username": admin.email, "password": "guess"})
    right = {"username": admin.email, "password": PASSWORD}
    response = client.post("/admin/login/?next=/admin/", right)
    assert response.status_code == 200
    assert not get_user(client).is_authenticated
    assert log_in(from_address("198.51.100.1"), admin.email).status_code == 429


def test_the_async_log_in_path_is_locked_too(member):
    for _ in range(10):
        lockout.record_failure(member.email, None)
    authenticate = async_to_sync(aauthenticate)
    assert authenticate(None, username=member.email, password=PASSWORD) is None
    lockout.clear(member.email)
    assert authenticate(None, username=member.email, password=PASSWORD) == member


def test_the_throttle_never_stores_the_address_typed(member):
    fail(from_address("203.0.113.1"), "Someone.Else@Example.org", 1)
    (throttle,) = LoginThrottle.objects.all()
    assert re.fullmatch(r"[0-9a-f]{64}", throttle.key)
    assert throttle.key == lockout.account_key("someone.else@example.org")


def test_prune_keeps_locks_in_force_and_the_current_window(member):
    now = timezone.now()
    for _ in range(10):
        lockout.record_failure("locked@example.org", None, now=now)
    lockout.record_failure("recent@example.org", None, now=now)
    lockout.record_failure("stale@example.org", None, now=now - dt.timedelta(hours=1))
    assert lockout.prune(now=now) == 1
    assert lockout.refusal("locked@example.org", None, now=now) is not None
    assert LoginThrottle.objects.count() == 2


def test_the_daily_prune_command_drops_spent_counters_and_throttles(member):
    lockout.record_failure("stale@example.org", "203.0.113.1", now=timezone.now() - YEAR)
    fail(from_address("203.0.113.2"), member.email, 1)
    output = StringIO()
    call_command("prune-rate-limits", stdout=output)
    assert output.getvalue().strip() == "1 counter(s) and 1 log-in throttle(s) deleted."
    assert list(RateLimit.objects.values_list("key", flat=True)) == [
        "login-failure:address:203.0.113.2"
    ]
    assert LoginThrottle.objects.get().key == lockout.account_key(member.email)


@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_are_all_counted(db):
    """Threads with their own connections fail at once: every failure counts, one row."""
    email, start = "target@example.org", timezone.now()
    barrier = threading.Barrier(6)
    errors: list[Exception] = []

    def attempt():
        try:
            barrier.wait()
            lockout.record_failure(email, None, now=start)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert LoginThrottle.objects.get().failures == 6
