"""Security headers on every answer, no inline code in any page, and what a public site sends.

Every GET of the permission matrix (every route, as every actor) is checked: the headers on
whatever comes back, and, when it is HTML, the markup itself. The world's titles and bodies
carry a script, a style attribute and an event handler, so a page that let visitors' text
through as markup fails here too. The admin is checked page by page as staff. With debug
off, the settings a public site runs with are read from a fresh process.
"""

import json
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.chapterhouse.test_startup import PRODUCTION, chapterhouse
from tests.security.conftest import client_as, probe, url_for
from tests.security.permission_table import ACTORS
from tests.security.routes import ADMIN, all_routes, fill

ROUTES = all_routes()
# JSON and JSON-LD in a <script> element are data: browsers never run them.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}
STRICT_REFERRERS = (
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
)


class InlineCode(HTMLParser):
    """Collects every piece of markup a strict Content-Security-Policy would block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script" and not attributes.get("src"):
            kind = (attributes.get("type") or "").split(";")[0].strip().lower()
            if kind not in DATA_SCRIPT_TYPES:
                self.found.append(f"inline <script type={kind!r}>")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style attribute on <{tag}>")
            elif name.startswith("on"):
                self.found.append(f"{name} handler on <{tag}>")
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {name} of <{tag}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = [word.lower() for word in words[1:]]
    return found


def header_problems(response) -> list[str]:
    """What is missing or too loose in a response's security headers."""
    headers, problems = response.headers, []
    policy = directives(headers.get("Content-Security-Policy", ""))
    if not policy:
        return ["no Content-Security-Policy"]
    for kind in ("script-src", "style-src"):
        sources = policy.get(kind, policy.get("default-src", ["*"]))
        loose = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(sources)
        if loose:
            problems.append(f"{kind} allows {sorted(loose)}")
    if policy.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    if "base-uri" not in policy:
        problems.append("no base-uri")
    if policy.get("frame-ancestors") != ["'none'"] and headers.get("X-Frame-Options") != "DENY":
        problems.append("framing is not refused")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in STRICT_REFERRERS:
        problems.append(f"Referrer-Policy is {headers.get('Referrer-Policy')!r}")
    if headers.get("Cross-Origin-Opener-Policy") != "same-origin":
        problems.append("no Cross-Origin-Opener-Policy: same-origin")
    if "camera=()" not in headers.get("Permissions-Policy", ""):
        problems.append("no Permissions-Policy")
    return problems


def is_html(response) -> bool:
    return response.headers.get("Content-Type", "").startswith("text/html")


def check(response, label: str) -> list[str]:
    problems = [f"{label}: {problem}" for problem in header_problems(response)]
    if is_html(response):
        problems += [f"{label}: {found}" for found in inline_code(response.content.decode())]
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_answer_has_the_headers_and_no_page_has_inline_code(world, name):
    route, problems = ROUTES[name], []
    for actor in ACTORS:
        response = probe(world, actor, "GET", route)
        problems += check(response, f"GET {url_for(world, route)} as {actor}")
    assert problems == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["chapters:detail", "stories:detail", "meetings:detail", "meetings:talk", "forum:thread",
     "projects:detail", "polls:detail", "members:detail"],
)  # fmt: skip
def test_visitors_text_reaches_pages_as_text_only(world, name):
    response = probe(world, "member", "GET", ROUTES[name])
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert inline_code(response.text) == []


def admin_pages(world) -> list[str]:
    """The admin's index, and every model's list, add form and change form."""
    pages = [fill(ROUTES[ADMIN], world.parameters)]
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages += [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"{info}_change", args=[first.pk]))
    return pages


@pytest.mark.django_db
def test_the_admin_pages_are_as_strict_as_the_rest(world):
    client, problems, seen = client_as(world, "staff"), [], 0
    for page in admin_pages(world):
        response = client.get(page)
        if response.status_code == 403:  # an admin that allows no adding
            continue
        assert response.status_code == 200, page
        seen += is_html(response)
        problems += check(response, page)
    assert problems == []
    assert seen > 50


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "method", "path"),
    [
        ("not found", "GET", "/no/such/page/"),
        ("bad request", "GET", "/chapters/%00/"),
        ("not allowed", "GET", "/chapters/code4libnyc/edit/"),
        ("CSRF refusal", "POST", "/chapters/code4libnyc/contact/"),
    ],
)
def test_error_pages_are_as_strict_as_the_rest(world, label, method, path):
    client = client_as(world, "member", enforce_csrf_checks=True)
    response = client.get(path) if method == "GET" else client.post(path, {"name": "x"})
    assert response.status_code in (400, 403, 404)
    assert is_html(response)
    assert check(response, label) == []


@pytest.mark.django_db
def test_a_csrf_refusal_explains_itself_in_the_sites_layout(world):
    client = client_as(world, "member", enforce_csrf_checks=True)
    response = client.post("/chapters/code4libnyc/contact/", {"name": "x"})
    assert response.status_code == 403
    assert "Form not accepted" in response.text
    assert "/static/css/chapterhouse.css" in response.text


@pytest.mark.parametrize(
    "html",
    [
        "<p style='color:red'>x</p>",
        "<style>p{}</style>",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=' JavaScript:alert(1)'>x</a>",
    ],
)
def test_the_scan_finds_inline_code(html):
    assert inline_code(html) != []


def test_the_scan_passes_data_scripts_and_scripts_from_files():
    html = '<script type="application/ld+json">{}</script><script src="/static/x.js"></script>'
    assert inline_code(html) == []


# With debug off ----------------------------------------------------------------------------

DEPLOYED_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name)"
    " for name in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
    " 'CSRF_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE',"
    " 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'DEBUG']}))"
)


@pytest.fixture(scope="module")
def deployed() -> dict:
    """The cookie and transport settings of a public site, as a fresh process reads them."""
    result = chapterhouse("shell", "-v", "0", "-c", DEPLOYED_SETTINGS, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_public_site_sends_cookies_only_over_https_and_asks_for_https(deployed):
    assert deployed["DEBUG"] is False
    for cookie in ("SESSION", "CSRF"):
        assert deployed[f"{cookie}_COOKIE_SECURE"] is True
        assert deployed[f"{cookie}_COOKIE_HTTPONLY"] is True
        assert deployed[f"{cookie}_COOKIE_SAMESITE"] == "Lax"
    assert deployed["SECURE_HSTS_SECONDS"] >= 31536000
    assert deployed["SECURE_SSL_REDIRECT"] is True


@pytest.mark.django_db
def test_with_those_settings_the_cookies_and_hsts_reach_the_browser(world, deployed, settings):
    for name, value in deployed.items():
        if name != "DEBUG":
            setattr(settings, name, value)
    client = client_as(world, "anonymous")
    page = client.get("/accounts/login/", secure=True)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf_cookie = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf_cookie["secure"] and csrf_cookie["httponly"] and csrf_cookie["samesite"] == "Lax"
    token = csrf_cookie.value
    client = client_as(world, "anonymous", enforce_csrf_checks=True)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    logged_in = client.post(
        "/accounts/login/",
        {"username": "member@example.org", "password": "correct-horse-battery",
         "csrfmiddlewaretoken": token},
        secure=True, headers={"Referer": "https://testserver/accounts/login/"},
    )  # fmt: skip
    assert logged_in.status_code == 302
    session_cookie = logged_in.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
    plain = client_as(world, "anonymous").get("/accounts/login/")
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
