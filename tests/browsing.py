"""A real browser (Debian's Chromium, driven by Playwright) against the live test server.

One browser serves the whole run (tests/conftest.py makes these fixtures available to every
test directory): Playwright's sync API allows one running instance per thread.

Every page a test opens fails the test if a JavaScript dialog opens or the page throws, so an
injected script that runs is caught wherever it runs. Screenshots go to
$CHAPTERHOUSE_SCREENSHOT_DIR (default var/screenshots), which CI keeps as artifacts.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHAPTERHOUSE_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = Path(os.environ.get("CHAPTERHOUSE_SCREENSHOT_DIR", ROOT / "var" / "screenshots"))

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# beside it (fixtures, assertions) are ordinary synchronous code all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


class PageProblems:
    """What went wrong in a page that no test should ever see."""

    def __init__(self):
        self.dialogs: list[str] = []
        self.errors: list[str] = []

    def watch(self, page) -> None:
        def on_dialog(dialog) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))


@pytest.fixture
def new_page(browser, live_server, settings) -> Iterator:
    """`new_page(javascript=True, viewport=DESKTOP)` gives a page in a fresh browser context.

    The site's own URL is the live server's, so links and redirects stay on it.
    """
    settings.SITE_URL = live_server.url
    contexts, problems = [], PageProblems()

    def make(javascript: bool = True, viewport: dict | None = None):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=javascript,
            viewport=viewport or DESKTOP,
        )
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert problems.dialogs == [], f"a script opened a dialog: {problems.dialogs}"
    assert problems.errors == [], f"a page threw: {problems.errors}"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as <dir>/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
