"""Rate limits on sign-up, mail requests, messages to organizers, talks and stories.

Past a limit a request gets a 429 that says when to try again, shows the form
again where there is one, and writes nothing.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from chapterhouse import ratelimit
from forum.models import RateLimit
from meetings.models import Meeting, Talk
from members.models import ContactMessage, User
from stories.models import Story
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.html import form_error
from tests.test_signup_data import SIGNUP

pytestmark = pytest.mark.django_db

TOO_MANY = "You have tried this too many times. Please try again in"
# Windows are fixed on the clock; one this long never starts afresh in the middle of a test.
LONG = 10**9


@pytest.fixture
def limits(settings):
    """Set one limit low for a test: limits("signup:address", 2)."""

    def set_limits(name: str, attempts: int, seconds: int = LONG):
        assert name in settings.RATE_LIMITS
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, name: (attempts, seconds)}

    return set_limits


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def assert_refused(response) -> None:
    """A 429 that re-shows the form with the reason above it and says when to come back."""
    assert response.status_code == 429
    assert TOO_MANY in form_error(response)
    assert 0 < int(response["Retry-After"]) <= LONG
    assert '<form method="post"' in response.text


def signup_as(client: Client, number: int):
    data = {**SIGNUP, "email": f"newcomer{number}@example.org"}
    return client.post("/accounts/signup/", data)


def test_a_refusal_says_when_the_window_ends():
    ratelimit.charge("signup:address", "203.0.113.1", now=7200 + 1000)
    with pytest.raises(ratelimit.RateLimited) as refusal:
        for _ in range(100):
            ratelimit.charge("signup:address", "203.0.113.1", now=7200 + 1000)
    assert refusal.value.retry_after == 2600
    assert refusal.value.message.endswith("Please try again in 44 minutes.")
    with pytest.raises(ratelimit.RateLimited) as last_second:
        for _ in range(100):
            ratelimit.charge("signup:address", "203.0.113.1", now=7200 + 3599.5)
    assert last_second.value.retry_after == 1
    assert last_second.value.message.endswith("Please try again in 1 minute.")


def test_the_limits_are_settings_with_defaults(settings):
    for name in [
        "signup:address", "password-reset:address", "password-reset:email",
        "verification:address", "verification:email", "email-change:account",
        "login-failure:address", "rsvp:account", "contact:address", "talk:account",
        "story:account",
    ]:  # fmt: skip
        attempts, window = ratelimit.limit_of(name)
        assert attempts > 0 and window >= 60, name
    assert settings.LOGIN_LOCKOUT_FAILURES == 10
    assert settings.LOGIN_FAILURE_WINDOW == settings.LOGIN_LOCKOUT_SECONDS == 900


def test_sign_ups_from_one_address_are_limited_and_the_refused_one_writes_nothing(
    limits, django_capture_on_commit_callbacks
):
    limits("signup:address", 2)
    client = from_address("203.0.113.7")
    with django_capture_on_commit_callbacks(execute=True):
        assert signup_as(client, 1).status_code == 200
        assert signup_as(client, 2).status_code == 200
        refused = signup_as(client, 3)
    assert_refused(refused)
    assert 'value="newcomer3@example.org"' in refused.text  # what they typed is kept
    assert not User.objects.filter(email="newcomer3@example.org").exists()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "newcomer1@example.org",
        "newcomer2@example.org",
    ]
    # Another address is not affected.
    assert signup_as(from_address("198.51.100.9"), 4).status_code == 200


def test_invalid_sign_ups_count_too_so_addresses_cannot_be_probed_endlessly(limits, member):
    limits("signup:address", 3)
    client = from_address("203.0.113.7")
    probes = [
        client.post("/accounts/signup/", {**SIGNUP, "email": "member@example.org"})
        for _ in range(4)
    ]
    assert [p.status_code for p in probes] == [400, 400, 400, 429]
    assert "already exists" not in form_error(probes[-1])


def test_an_ipv6_client_counts_as_its_whole_64_network(limits):
    limits("signup:address", 1)
    assert signup_as(from_address("2001:db8:1:2::1"), 1).status_code == 200
    assert signup_as(from_address("2001:db8:1:2:ffff::9"), 2).status_code == 429
    assert signup_as(from_address("2001:db8:1:3::1"), 3).status_code == 200


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/accounts/password/reset/", "password-reset"), ("/accounts/verify/resend/", "verification")],
)
def test_mail_requests_are_limited_per_recipient_whoever_asks(
    limits, django_capture_on_commit_callbacks, path, kind
):
    limits(f"{kind}:email", 2)
    UserFactory(email="target@example.org", email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            from_address(f"203.0.113.{n}").post(path, {"email": "Target@Example.org"})
            for n in range(1, 4)
        ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert_refused(answers[-1])
    assert len(mail.outbox) == 2


def test_the_limit_on_an_unknown_address_looks_the_same_as_on_a_known_one(limits):
    limits("password-reset:email", 1)
    UserFactory(email="known@example.org")
    client = from_address("203.0.113.5")
    answers = {}
    for email in ["known@example.org", "nobody@example.org"]:
        client.post("/accounts/password/reset/", {"email": email})
        answers[email] = client.post("/accounts/password/reset/", {"email": email})
    known, unknown = answers.values()
    assert known.status_code == unknown.status_code == 429
    assert form_error(known) == form_error(unknown)


def test_mail_requests_are_limited_per_address_too(limits):
    limits("password-reset:address", 2)
    client = from_address("203.0.113.5")
    answers = [
        client.post("/accounts/password/reset/", {"email": f"someone{n}@example.org"})
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert_refused(answers[-1])


def test_e_mail_changes_are_limited_per_account(limits, member, django_capture_on_commit_callbacks):
    limits("email-change:account", 1)
    client = client_for(member)
    data = {"password": "correct-horse-battery"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/accounts/settings/", {**data, "email": "new1@example.org"})
        assert first.status_code == 302
        refused = client.post("/accounts/settings/", {**data, "email": "new2@example.org"})
    assert_refused(refused)
    assert 'value="new2@example.org"' in refused.text
    assert [m.to for m in mail.outbox] == [["new1@example.org"]]


def test_messages_to_organizers_are_limited_per_address(
    limits, chapter, organizer, django_capture_on_commit_callbacks
):
    limits("contact:address", 2)
    message = {"name": "Spam", "email": "spam@example.org", "subject": "Hi", "body": "Buy now"}
    client = from_address("203.0.113.66")
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(f"/chapters/{chapter.slug}/contact/", message) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert_refused(answers[-1])
    assert "Buy now" in answers[-1].text  # the message is not lost
    assert ContactMessage.objects.count() == 2
    assert len(mail.outbox) == 2


def make_meeting(chapter) -> Meeting:
    start = timezone.now() + dt.timedelta(days=7)
    return Meeting.objects.create(
        chapter=chapter, title="Monthly", start=start, end=start + dt.timedelta(hours=2)
    )


def test_talk_proposals_are_limited_per_member(limits, chapter, member):
    limits("talk:account", 2)
    meeting = make_meeting(chapter)
    client = client_for(member)
    data = {"title": "Talk", "kind": "lightning", "speakers": "Member", "abstract": ""}
    answers = [
        client.post(f"{meeting.get_absolute_url()}talks/new/", {**data, "title": f"Talk {n}"})
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert_refused(answers[-1])
    assert 'value="Talk 2"' in answers[-1].text
    assert sorted(Talk.objects.values_list("title", flat=True)) == ["Talk 0", "Talk 1"]


def test_new_stories_are_limited_per_author_but_editing_is_not(limits, chapter, organizer):
    limits("story:account", 1)
    client = client_for(organizer)
    data = {"kind": "story", "excerpt": "", "body": "Text", "categories_text": "", "save": "1"}
    new = f"/chapters/{chapter.slug}/stories/new/"
    assert client.post(new, {**data, "title": "First"}).status_code == 302
    refused = client.post(new, {**data, "title": "Second"})
    assert_refused(refused)
    assert list(Story.objects.values_list("title", flat=True)) == ["First"]
    story = Story.objects.get()
    edit = f"/chapters/{chapter.slug}/stories/{story.slug}/edit/"
    for n in range(3):
        assert client.post(edit, {**data, "title": f"First, take {n}"}).status_code == 302


def test_a_refusal_adds_nothing_to_the_counter(limits):
    limits("signup:address", 1)
    client = from_address("203.0.113.7")
    for number in range(4):
        signup_as(client, number)
    (counter,) = RateLimit.objects.filter(key__startswith="signup:address:")
    assert counter.count == 1


def test_counters_never_hold_the_e_mail_addresses_typed():
    from_address("203.0.113.5").post("/accounts/password/reset/", {"email": "who@example.org"})
    keys = " ".join(RateLimit.objects.values_list("key", flat=True))
    assert "203.0.113.5" in keys
    assert "who@example.org" not in keys and "example" not in keys
    assert re.search(r"password-reset:email:[0-9a-f]{32}\b", keys)
