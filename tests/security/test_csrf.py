"""Cross-site requests: every route that changes something refuses a POST without a CSRF token.

Each route the permission table says takes a POST is sent one from a client that enforces
CSRF checks, as every actor the route would otherwise serve (and PUT, PATCH and DELETE as
one of them). The answer must be 403, and no table of the database may change. The few
routes that are exempt on purpose are listed with the reason, and the list must match the
code.
"""

import hashlib
import json

import pytest
from django.db import connection, transaction

from chapterhouse.models import Unsubscribe
from tests.security.conftest import (
    PROBE_DATA,
    client_as,
    is_api,
    outcome_of,
    probe,
    send,
    url_for,
)
from tests.security.permission_table import TABLE, accepts_post, expected
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
CSRF_REFUSAL = "Form not accepted"  # the heading of templates/403_csrf.html

TOKEN_API = (
    "api:me", "api:chapters", "api:chapter", "api:meetings", "api:meeting", "api:rsvp",
    "api:talks", "api:stories", "api:story", "api:projects", "api:project",
)  # fmt: skip
TOKEN_API_REASON = (
    "The JSON API authenticates each request by its bearer token and never reads the session "
    "cookie, so a cross-site request carries no credentials."
)
CSRF_EXEMPT = {
    "federation:shared_inbox": "ActivityPub servers POST activities signed with HTTP Signatures; "
    "nothing is stored before the signature of the activity's actor is verified.",
    "federation:instance_inbox": "The same, for the instance actor's inbox.",
    "federation:chapter_inbox": "The same, for each chapter Group's inbox.",
    "oaipmh:endpoint": "OAI-PMH harvesters may POST the same requests as GET; the endpoint "
    "only reads.",
    "unsubscribe": "RFC 8058 one-click unsubscribe comes from mail providers without a session; "
    "the signed token can only take its own address off its own list.",
    **dict.fromkeys(TOKEN_API, TOKEN_API_REASON),
}
STATE_CHANGING = sorted(name for name in TABLE if accepts_post(name) and name not in CSRF_EXEMPT)


def database_state() -> dict[str, str]:
    """A digest of every table's rows, to tell whether a request wrote anything at all."""
    state = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            state[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return state


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in after if before.get(table) != after[table])


def send_and_compare(world, actor: str, method: str, route, data=None, as_json=False):
    """Send with the session but no CSRF token (nor API token), then roll back.

    Returns the response and the tables the request changed.
    """
    client = client_as(world, actor, enforce_csrf_checks=True)
    payload = world.post_data.get(route.name, PROBE_DATA) if data is None else data
    with transaction.atomic():
        before = database_state()
        response = send(client, method, url_for(world, route), payload, as_json)
        after = database_state()
        transaction.set_rollback(True)
    return response, changed_tables(before, after)


def test_the_exempt_routes_are_exactly_the_views_marked_exempt():
    marked = {name for name, route in ROUTES.items() if getattr(route.view, "csrf_exempt", False)}
    assert marked == set(CSRF_EXEMPT)


def test_there_are_state_changing_routes_to_check():
    assert {"members:login", "members:logout", "chapters:edit", "admin"} <= set(STATE_CHANGING)


@pytest.mark.parametrize("name", STATE_CHANGING)
def test_a_post_without_a_token_is_refused_and_writes_nothing(world, name):
    route, actors = ROUTES[name], accepts_post(name)
    # POST as everyone the route serves; the other unsafe methods as one of them.
    attempts = [(actor, "POST") for actor in actors] + [(actors[0], m) for m in UNSAFE[1:]]
    for actor, method in attempts:
        response, changed = send_and_compare(world, actor, method, route)
        assert response.status_code == 403, f"{method} as {actor}: {response.status_code}"
        assert CSRF_REFUSAL in response.text, f"{method} as {actor}: refused, but not for CSRF"
        assert changed == [], f"{method} as {actor} wrote to {changed}"


@pytest.mark.parametrize("name", sorted(CSRF_EXEMPT))
def test_exempt_routes_answer_a_post_without_a_token_as_the_table_says(world, name):
    route = ROUTES[name]
    for actor, method in (("anonymous", "POST"), ("member", "POST")):
        response = probe(world, actor, method, route, enforce_csrf_checks=True)
        assert outcome_of(response) == expected(name)[method, actor]


@pytest.mark.parametrize("name", sorted(name for name in CSRF_EXEMPT if is_api(ROUTES[name])))
def test_the_api_acts_for_no_one_on_the_strength_of_a_session_cookie(world, name):
    route = ROUTES[name]
    for method in ("GET", *UNSAFE):
        response, changed = send_and_compare(world, "member", method, route, as_json=True)
        if method == "GET":
            anonymous = probe(world, "anonymous", method, route)
            assert response.status_code == anonymous.status_code
        else:
            assert response.status_code in (401, 405), f"{method}: {response.status_code}"
        assert changed == [], f"{method} wrote to {changed}"


@pytest.mark.parametrize("name", ["oaipmh:endpoint"])
def test_the_oai_pmh_post_only_reads(world, name):
    identify = {"verb": "Identify"}
    response, changed = send_and_compare(world, "member", "POST", ROUTES[name], identify)
    assert response.status_code == 200
    assert b"<Identify>" in response.content
    assert changed == []


@pytest.mark.parametrize(
    "name", ["federation:shared_inbox", "federation:instance_inbox", "federation:chapter_inbox"]
)
def test_an_unsigned_activity_is_refused_and_not_stored(world, name):
    activity = {
        "id": "https://attacker.example/activities/1",
        "type": "Follow",
        "actor": "https://attacker.example/actor",
        "object": "https://testserver/chapters/code4libnyc",
    }
    client = client_as(world, "member", enforce_csrf_checks=True)
    with transaction.atomic():
        before = database_state()
        response = client.post(
            url_for(world, ROUTES[name]), json.dumps(activity), "application/activity+json"
        )
        changed = changed_tables(before, database_state())
        transaction.set_rollback(True)
    assert response.status_code == 401
    assert changed == []


def test_one_click_unsubscribe_takes_off_only_the_tokens_own_address(world):
    response, changed = send_and_compare(world, "organizer", "POST", ROUTES["unsubscribe"])
    assert response.status_code == 200
    assert changed == [Unsubscribe._meta.db_table]
