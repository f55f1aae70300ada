"""The limit on RSVP changes: per member, one statement on the RSVP path, nothing written
past it."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse import ratelimit
from forum.models import RateLimit
from meetings import services
from meetings.models import Meeting, Rsvp
from tests.conftest import client_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Windows are fixed on the clock; one this long never starts afresh in the middle of a test.
LONG = 10**9


@pytest.fixture
def rsvp_limit(settings):
    def set_limit(attempts: int) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rsvp:account": (attempts, LONG)}

    return set_limit


def make_meeting(chapter, **fields) -> Meeting:
    start = timezone.now() + dt.timedelta(days=7)
    values = {"title": "Monthly meeting", "start": start, "end": start + dt.timedelta(hours=2)}
    return Meeting.objects.create(chapter=chapter, **{**values, **fields})


def answer(client, meeting: Meeting, value: str, **extra):
    return client.post(f"{meeting.get_absolute_url()}rsvp/", {"answer": value, **extra})


def test_the_default_allows_a_few_changes_of_mind(settings):
    attempts, window = settings.RATE_LIMITS["rsvp:account"]
    assert 5 <= attempts <= 30 and 60 <= window <= 3600


def test_past_the_limit_a_member_gets_a_429_page_and_nothing_changes(
    rsvp_limit, chapter, member, django_capture_on_commit_callbacks
):
    rsvp_limit(3)
    meeting = make_meeting(chapter)
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        assert answer(client, meeting, "going").status_code == 302
        assert answer(client, meeting, "cancel").status_code == 302
        assert answer(client, meeting, "going").status_code == 302
        refused = answer(client, meeting, "cancel")
    assert refused.status_code == 429
    assert "You have tried this too many times. Please try again in" in refused.text
    assert int(refused["Retry-After"]) > 0
    assert f'href="{meeting.get_absolute_url()}"' in refused.text  # back to the meeting
    assert Rsvp.objects.get().status == Rsvp.Status.GOING  # the refused cancel did nothing
    mails = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        assert answer(client, meeting, "going", guests="1").status_code == 429
    assert Rsvp.objects.get().guests == 0
    assert len(mail.outbox) == mails


def test_the_limit_is_per_member_not_per_network(rsvp_limit, chapter, member):
    rsvp_limit(1)
    meeting = make_meeting(chapter)
    assert answer(client_for(member), meeting, "going").status_code == 302
    assert answer(client_for(member), meeting, "cancel").status_code == 429
    # Everyone at a meetup shares one address; each of them still answers.
    others = [m.user for m in MembershipFactory.create_batch(3, chapter=chapter)]
    for other in others:
        assert answer(client_for(other), meeting, "going").status_code == 302
    assert Rsvp.objects.filter(status=Rsvp.Status.GOING).count() == 4


def test_an_rsvp_that_fails_uses_up_nothing(rsvp_limit, chapter, member):
    rsvp_limit(1)
    closed = make_meeting(chapter, rsvp_closes=timezone.now() - dt.timedelta(hours=1))
    for _ in range(3):
        with pytest.raises(Exception, match="closed"):
            services.rsvp(closed, member)
    assert not RateLimit.objects.exists()
    services.rsvp(make_meeting(chapter), member)
    with pytest.raises(ratelimit.RateLimited):
        services.rsvp(make_meeting(chapter), member)


def test_the_limit_costs_one_statement_inside_the_rsvp(chapter, member):
    meeting = make_meeting(chapter)
    client = client_for(member)
    client.get(meeting.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        assert answer(client, meeting, "going").status_code == 302
    statements = [query["sql"] for query in captured]
    counting = [sql for sql in statements if RateLimit._meta.db_table in sql]
    assert len(counting) == 1
    assert counting[0].lstrip().startswith("INSERT") and "ON CONFLICT" in counting[0]
    locking = next(n for n, sql in enumerate(statements) if "is_member" in sql)
    assert statements.index(counting[0]) < locking  # counted before the meeting is locked
