"""Every route, as every kind of visitor, by GET and POST, against the permission table.

The routes come from the URL configuration itself, so a new route fails here until the
table says who may use it, and a removed one fails until its row goes.
"""

import pytest

from tests.security.conftest import METHODS, outcome_of, probe, url_for
from tests.security.permission_table import ACTORS, TABLE, expected
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db

ROUTES = all_routes()


def test_the_table_names_no_route_that_is_gone():
    gone = sorted(set(TABLE) - set(ROUTES))
    assert gone == [], f"routes in permission_table.py that no longer exist: {gone}"


def test_the_table_parses():
    for name in TABLE:
        assert len(expected(name)) == len(METHODS) * len(ACTORS)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route(world, name):
    assert name in TABLE, f"{name} ({ROUTES[name].pattern}) is missing from permission_table.py"
    route, wanted = ROUTES[name], expected(name)
    wrong = []
    for method in METHODS:
        for actor in ACTORS:
            response = probe(world, actor, method, route)
            got = outcome_of(response)
            assert got != "error", f"{method} {url_for(world, route)} as {actor}: 500"
            if got == "bad":
                assert response.content.strip(), f"{method} as {actor}: a 4xx without a reason"
            if got != wanted[method, actor]:
                answer = f"{response.status_code} {response.headers.get('Location', '')}".strip()
                wrong.append(
                    f"{method} as {actor}: {got} ({answer}); the table: {wanted[method, actor]}"
                )
    assert wrong == [], f"{url_for(world, route)}:\n" + "\n".join(wrong)
