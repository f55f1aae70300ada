"""In a real browser: a member makes a token, uses it, revokes it; the documentation renders.

Both under the site's Content-Security-Policy, on a phone and a desktop, checked with axe.
"""

import pytest

from tests.browser.a11y_axe import BLOCKING, audit, serve_axe
from tests.browsing import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def serious(findings) -> list[str]:
    return [str(finding) for finding in findings if finding.impact in BLOCKING]


def test_a_member_makes_uses_and_revokes_a_token(new_page, chapter, member):
    page = new_page(viewport=PHONE)
    serve_axe(page)
    page.goto("/accounts/login/?next=/api/tokens/")
    page.locator("#id_username").fill(member.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/api/tokens/")
    assert serious(audit(page, "token list, empty")) == []

    page.get_by_label("Name").fill("Calendar sync")
    page.get_by_role("button", name="Make a token").click()
    field = page.get_by_label("Token “Calendar sync”")
    token = field.input_value()
    assert token.startswith("chp_")
    assert serious(audit(page, "new token")) == []
    screenshot(page, "api-token-created-phone")

    def me():
        return page.request.get("/api/me/", headers={"Authorization": f"Bearer {token}"})

    assert me().status == 200 and me().json()["display_name"] == member.display_name

    page.get_by_role("link", name="Back to your tokens").click()
    assert page.get_by_text(token[:12] + "…").is_visible()
    assert token not in page.content()
    assert serious(audit(page, "token list")) == []
    screenshot(page, "api-tokens-phone")
    page.get_by_role("button", name="Revoke Calendar sync").click()
    assert page.get_by_text("The token Calendar sync is revoked.").is_visible()
    # The browser still holds the member's session: the API takes only tokens.
    assert me().status == 401


def test_the_documentation_renders_under_the_content_security_policy(new_page):
    page = new_page(viewport=DESKTOP)
    serve_axe(page)
    page.goto("/api/docs")
    page.get_by_text("/api/chapters/{slug}/meetings/", exact=True).first.wait_for()
    assert serious(audit(page, "API documentation")) == []
    screenshot(page, "api-docs")

    without_scripts = new_page(javascript=False)
    without_scripts.goto("/api/docs")
    assert without_scripts.get_by_role("link", name="/api/openapi.json").is_visible()
