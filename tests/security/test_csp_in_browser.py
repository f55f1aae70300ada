"""The Content-Security-Policy as a browser enforces it: no page asks for anything it refuses.

The markup scans of test_headers cannot see what scripts do once a page runs (the API's
documentation is built by Swagger UI's script), so Chromium loads pages of each kind and
every policy violation it reports, and every script error, fails the test.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.test import Client

from stories.models import Story
from tests.browsing import CHROMIUM
from tests.factories import ChapterFactory, OrganizerFactory, UserFactory
from tests.forum.factories import CategoryFactory, thread_with_posts
from tests.meetings.factories import MeetingFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db(transaction=True)

API_DOCS = "/api/docs"


def problems_in_browser(base_url: str, paths: list[str], session: str = "") -> list[str]:
    """Load each page in Chromium; the policy violations and script errors it reports."""
    from playwright.sync_api import sync_playwright

    found: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = browser.new_context(base_url=base_url)
        if session:
            cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}
            context.add_cookies([cookie])
        page = context.new_page()
        page.on("pageerror", lambda error: found.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                found.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        for path in paths:
            response = page.goto(path)
            if response.status != 200:
                found.append(f"{path} answered {response.status}")
            if path == API_DOCS:
                page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
            page.wait_for_load_state("networkidle")
        browser.close()
    return found


def in_own_thread(function, *args):
    """Run Playwright in a thread of its own: its sync API refuses a thread that already
    runs an event loop, as another test directory's session-wide browser may."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    chapter = ChapterFactory(name="Code4LibNYC", slug="code4libnyc")
    organizer = OrganizerFactory(chapter=chapter).user
    meeting = MeetingFactory(chapter=chapter)
    story = StoryFactory(chapter=chapter, author=organizer, slug="news")
    thread = thread_with_posts(CategoryFactory(chapter=chapter), author=organizer, replies=1)
    pages = [
        "/",
        chapter.get_absolute_url(),
        meeting.get_absolute_url(),
        story.get_absolute_url(),
        thread.get_absolute_url(),
        "/accounts/login/",
        "/search/?q=news",
        API_DOCS,
    ]
    return live_server.url, pages


def test_public_pages_and_the_api_documentation_break_no_rule(site):
    base_url, pages = site
    assert in_own_thread(problems_in_browser, base_url, pages) == []


def test_the_admin_breaks_no_rule_either(site):
    base_url, _pages = site
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    story = Story.objects.get(slug="news")
    pages = [
        "/admin/",
        "/admin/meetings/meeting/",
        "/admin/meetings/meeting/add/",
        f"/admin/stories/story/{story.pk}/change/",
    ]
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert in_own_thread(problems_in_browser, base_url, pages, session) == []
