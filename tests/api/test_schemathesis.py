"""Schemathesis against the API's own OpenAPI schema: generated requests, valid and not.

Every answer must be a documented status with a documented content type and body, and never a
server error. Requests go straight into the WSGI application with a member's token; half of the
generated addresses are pointed at real chapters, meetings, stories and projects so that the
requests reach the services behind the lookups, not only the 404s in front of them.

Each request runs inside the test's transaction, as with Django's test client, so every
operation starts from the same data and nothing has to be flushed between operations.
"""

import datetime as dt

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import services as token_services
from meetings.models import Talk
from tests.factories import FocusAreaFactory
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import ContributorFactory, ProjectFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture(autouse=True)
def requests_share_the_test_transaction():
    """Keep the connection open when a request ends, as Django's test client does.

    A WSGI server's requests close an old connection when they finish; here that
    connection is the test's, in the middle of its transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Filled for each test by `real_addresses`; read while cases are generated.
ADDRESSES: dict = {}


@pytest.fixture(autouse=True)
def real_addresses(chapter, organizer, member, settings) -> None:
    """A chapter with something behind every kind of address, and the path values naming it."""
    # Generated requests come by the hundred; within the real limits most would get a 429
    # (which tests/api/test_api.py checks) instead of reaching the services.
    settings.RATE_LIMITS = {
        name: (10_000, window) for name, (_n, window) in settings.RATE_LIMITS.items()
    }
    chapter.members_can_blog = True
    chapter.save()
    FocusAreaFactory(chapter=chapter, name="Discovery")
    now = timezone.now()
    meeting = MeetingFactory(chapter=chapter, capacity=3, guests_allowed=2)
    MeetingFactory(chapter=chapter, start=now - dt.timedelta(days=40))
    Talk.objects.create(meeting=meeting, title="Solr", speakers="Ada", status="accepted")
    StoryFactory(chapter=chapter, slug="spring-news", author=organizer, categories=["News"])
    StoryFactory(chapter=chapter, slug="my-post", kind="blog", author=member)
    project = ProjectFactory(chapter=chapter, slug="catalog", technologies=["Solr"])
    ContributorFactory(project=project, user=member)
    ADDRESSES.clear()
    ADDRESSES.update(
        slug=chapter.slug, meeting_id=meeting.pk, story_slug="my-post", project_slug=project.slug
    )


@pytest.fixture
def member_token(member) -> str:
    return token_services.create_token(member, "schemathesis")[1]


# Reading the schema needs no database, so it is read once, when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@schema.hook
def flatmap_path_parameters(context, path_parameters: dict | None):
    """Half the time, name what exists: the chapter, meeting, story or project set up above."""
    if not path_parameters:  # an operation without path parameters
        return st.just(path_parameters)
    real = {name: ADDRESSES[name] for name in path_parameters if name in ADDRESSES}
    return st.sampled_from([path_parameters, {**path_parameters, **real}])


@schema.parametrize()
@hypothesis.settings(
    max_examples=8,
    deadline=None,
    # The data and token are set up once per operation; what the examples write accumulates.
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
        hypothesis.HealthCheck.filter_too_much,
    ],
)
def test_every_operation_answers_as_documented(case, member_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {member_token}"}, checks=CHECKS)
