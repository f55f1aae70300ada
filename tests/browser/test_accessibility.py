"""axe-core on every page of the site, logged out, as a member and as an organizer.

No page may have a "serious" or "critical" violation, in the light or the dark colour
scheme; the lesser ones are printed for the record. The pages come from the URL
configuration (tests/browser/a11y_pages.py), so a new page is audited without anyone
remembering to add it.
"""

import pytest
from django.test import Client

from tests.browser.a11y_axe import BLOCKING, Finding, audit_both_schemes, log_in, serve_axe
from tests.browser.a11y_pages import (
    NOT_HTML,
    PAGES_IN_DATA_NAMESPACES,
    POST_ONLY,
    answers_data,
    load_site,
    page_urls,
    route_names,
    route_urls,
)
from tests.browsing import PHONE, SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

# Pages beyond one URL per route: a search with results, filtered lists, error pages.
MORE_PAGES = {
    "search with results": "/search/?q=Solr",
    "search with no results": "/search/?q=zzyzx",
    "hub calendar of one chapter": "/hub/calendar/?chapter=code4lib-dc",
    "playbook of one format": "/playbook/?format=breakouts",
    "projects by technology": "/chapters/code4libnyc/projects/?technology=solr",
    "the 404 page": "/no-such-page/",
    "the 400 page": "/%07/",
}
ROLES = ["visitor", "member", "organizer"]


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return load_site()


def blocking(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.impact in BLOCKING]


def record(findings: list[Finding], name: str) -> None:
    """Print the violations that do not fail the test, and keep them beside the screenshots."""
    lesser = [
        f"axe (not blocking): {finding}" for finding in findings if finding.impact not in BLOCKING
    ]
    print(*lesser, sep="\n")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"axe-{name}.txt").write_text("\n".join(lesser) + "\n", encoding="utf-8")


def visit_and_audit(page, urls: dict[str, str], role: str) -> list[Finding]:
    findings = []
    for label, url in urls.items():
        response = page.goto(url)
        assert response is not None and response.status < 500, f"{url} as {role}: {response}"
        assert response.status != 405, f"{label} takes only POST: list it in POST_ONLY"
        findings += audit_both_schemes(page, f"{label} {url} as {role} ({response.status})")
    return findings


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_serious_violation(new_page, live_server, site, role):
    page = new_page()
    serve_axe(page)
    if role != "visitor":
        log_in(page, getattr(site, role), live_server.url)

    findings = visit_and_audit(page, page_urls(site) | MORE_PAGES, role)

    record(findings, role)
    assert blocking(findings) == [], "\n".join(map(str, blocking(findings)))


def test_pages_on_a_phone_have_no_serious_violation(new_page, live_server, site):
    page = new_page(viewport=PHONE)
    serve_axe(page)
    log_in(page, site.organizer, live_server.url)
    findings = visit_and_audit(page, page_urls(site) | MORE_PAGES, "organizer on a phone")

    record(findings, "phone")
    assert blocking(findings) == [], "\n".join(map(str, blocking(findings)))


def submit(page, url: str, fields: dict[str, str]) -> None:
    """Fill a form's fields (by name) and send it with its submit button."""
    page.goto(url)
    for name, value in fields.items():
        page.locator(f"main [name={name}]").fill(value)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


def test_forms_showing_errors_have_no_serious_violation(new_page, live_server, site):
    visitor = new_page()
    serve_axe(visitor)
    submit(
        visitor,
        "/accounts/signup/",
        {"email": "not-an-address@", "password1": "short", "password2": "other"},
    )
    assert visitor.locator(".field-errors").count() >= 2
    findings = audit_both_schemes(visitor, "sign-up with errors")
    submit(visitor, "/accounts/login/", {"username": site.member.email, "password": "wrong"})
    assert visitor.locator(".form-errors").count() == 1
    findings += audit_both_schemes(visitor, "log-in refused")

    organizer = new_page()
    serve_axe(organizer)
    log_in(organizer, site.organizer, live_server.url)
    submit(organizer, "/chapters/code4libnyc/meetings/new/", {"title": "", "start": "someday"})
    assert organizer.locator(".field-errors").count() >= 1
    findings += audit_both_schemes(organizer, "new meeting with errors")

    record(findings, "forms-with-errors")
    assert blocking(findings) == [], "\n".join(map(str, blocking(findings)))


def test_every_named_route_is_a_page_or_listed_as_something_else(site):
    """The audit covers every route but feeds, data and POST-only actions, checked here."""
    names = set(route_names())
    urls = route_urls(site)  # raises for a route with arguments nobody filled in
    listed = set(NOT_HTML) | POST_ONLY | PAGES_IN_DATA_NAMESPACES
    assert listed - names == set(), "a listed route no longer exists"
    client = Client()
    client.force_login(site.organizer)
    for name in sorted(POST_ONLY):
        assert client.get(urls[name]).status_code == 405, f"{name} answers GET"
    for name in sorted(filter(answers_data, names - POST_ONLY)):
        response = client.get(urls[name])
        assert not response.get("Content-Type", "").startswith("text/html"), f"{name} is a page"
    assert len(page_urls(site)) > 60  # the pages audited above
