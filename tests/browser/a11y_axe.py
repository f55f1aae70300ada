"""axe-core in the browser, under the site's own Content-Security-Policy, and logging in.

The policy allows scripts from the site only, so axe is served from a path on the site
(answered by the browser context from node_modules) rather than injected inline: the
pages are audited exactly as the policy lets them render.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.test import Client

from tests.browsing import ROOT

AXE_FILE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__axe-core__/axe.min.js"
BLOCKING = {"serious", "critical"}


@dataclass
class Finding:
    """One axe rule that failed on one page, with the elements it failed on."""

    page: str
    rule: str
    impact: str
    help: str
    targets: list[str] = field(default_factory=list)
    summary: str = ""

    def __str__(self) -> str:
        where = ", ".join(self.targets[:5]) + (" ..." if len(self.targets) > 5 else "")
        return (
            f"{self.page}: [{self.impact}] {self.rule} ({self.help}) at {where}\n  {self.summary}"
        )


def serve_axe(page) -> None:
    """Answer AXE_PATH on the page's own origin with axe-core."""
    page.context.route(
        f"**{AXE_PATH}",
        lambda route: route.fulfill(path=AXE_FILE, content_type="text/javascript"),
    )


def audit(page, label: str, rules: list[str] | None = None) -> list[Finding]:
    """Run axe on the page as it is now; every violation, of any impact."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = rules
    result = page.evaluate("options => axe.run(document, options)", options)
    return [
        Finding(
            page=label,
            rule=violation["id"],
            impact=violation["impact"] or "",
            help=violation["help"],
            targets=[" ".join(map(str, node["target"])) for node in violation["nodes"]],
            summary=violation["nodes"][0].get("failureSummary", "").replace("\n", " "),
        )
        for violation in result["violations"]
    ]


def audit_both_schemes(page, label: str) -> list[Finding]:
    """Every rule in the light scheme, then colour contrast again in the dark one."""
    page.emulate_media(color_scheme="light")
    findings = audit(page, label)
    page.emulate_media(color_scheme="dark")
    findings += audit(page, f"{label} (dark)", rules=["color-contrast"])
    page.emulate_media(color_scheme="light")
    return findings


def log_in(page, user, base_url: str) -> None:
    """Give the page's browser context a session of `user`, made by Django's test client."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}]
    )
