"""Journeys done with the keyboard alone: signing up, and logging in to RSVP to a meeting.

Only page.keyboard is used (Tab, Shift+Tab, Enter, Space, arrows and typing); the one
address opened directly is where the journey starts, or the link in an e-mail. After
every Tab the focused element must be visible and must show it has the focus (an
outline or a box shadow), as WCAG 2.4.7 asks.
"""

import re

import pytest

from meetings.models import Rsvp
from members.models import Membership, User
from tests.factories import PASSWORD
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)

MAX_TABS = 80
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    tag: element.tagName.toLowerCase(),
    name: (element.labels?.[0]?.innerText || element.getAttribute("aria-label")
           || element.innerText || element.value || "").trim(),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== "none",
    shown: box.width > 0 && box.height > 0 && style.visibility !== "hidden",
    inView: box.bottom > 0 && box.top < window.innerHeight,
  };
}"""


def focused(page) -> dict:
    """What has the focus, and whether the focus can be seen."""
    element = page.evaluate(FOCUSED)
    assert element is not None, f"nothing has the focus on {page.url}"
    assert element["shown"] and element["inView"], f"the focused element is not visible: {element}"
    assert element["outline"] or element["shadow"], f"focus is not visible on {element}"
    return element


def tab_to(page, name: str, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the element named `name` has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    wanted = re.compile(re.escape(name), re.IGNORECASE)
    for _press in range(MAX_TABS):
        page.keyboard.press(key)
        element = focused(page)
        if wanted.search(element["name"]):
            return element
    raise AssertionError(f"{name!r} is not reachable with {key} on {page.url}")


def press_and_wait(page, key: str) -> None:
    """Press a key that leaves the page (follows a link or sends a form)."""
    with page.expect_navigation():
        page.keyboard.press(key)


def skip_to_content(page) -> None:
    """The first Tab on a page reaches the skip link; Enter moves the focus to the content."""
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_rsvp_with_the_keyboard_only(new_page, chapter, member):
    meeting = MeetingFactory(
        chapter=chapter, title="Linked data lightning talks", capacity=30, guests_allowed=2
    )
    page = new_page()
    page.goto("/")

    tab_to(page, "Linked data lightning talks")
    press_and_wait(page, "Enter")
    assert page.url.endswith(meeting.get_absolute_url())
    tab_to(page, "Log in to RSVP")
    press_and_wait(page, "Enter")

    # The log-in form puts the focus in its first field itself.
    assert focused(page)["name"].startswith("E-mail address")
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    assert focused(page)["name"].startswith("Password")
    page.keyboard.type(PASSWORD)
    press_and_wait(page, "Enter")
    assert page.url.endswith(meeting.get_absolute_url())

    tab_to(page, "I'm going")
    press_and_wait(page, "Space")

    assert Rsvp.objects.get(meeting=meeting, user=member).status == Rsvp.Status.GOING
    assert page.get_by_text("You are going.", exact=True).is_visible()
    # The answer can be changed the same way, going forward and back through the form.
    tab_to(page, "I can't go")
    tab_to(page, "Update guests", backwards=True)


def test_sign_up_with_the_keyboard_only(new_page, chapter, smtp_server):
    page = new_page()
    page.goto("/")

    tab_to(page, "Sign up")
    press_and_wait(page, "Enter")
    assert page.url.endswith("/accounts/signup/")
    skip_to_content(page)
    tab_to(page, "Your name")
    page.keyboard.type("Ada Newcomer")
    tab_to(page, "E-mail address")
    page.keyboard.type("ada.keyboard@example.org")
    tab_to(page, "Password")
    page.keyboard.type("a long keyboard passphrase")
    tab_to(page, "Password again")
    page.keyboard.type("a long keyboard passphrase")
    tab_to(page, "Join a chapter")
    page.keyboard.press("ArrowDown")  # from "Not now" to the one chapter
    tab_to(page, "List me in the member directory")
    page.keyboard.press("Space")  # listed by default; this one would rather not be
    tab_to(page, "Create my account")
    press_and_wait(page, "Enter")

    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    user = User.objects.get(email="ada.keyboard@example.org")
    assert not user.is_verified and user.profile.display_name == "Ada Newcomer"
    assert user.profile.in_directory is False

    (message,) = smtp_server.to("ada.keyboard@example.org")
    link = re.search(r"https?://\S+/accounts/verify/\S+", smtp_server.body(message)).group(0)
    page.goto(link)  # following the link in the e-mail
    tab_to(page, "Confirm and log in")
    press_and_wait(page, "Enter")

    user.refresh_from_db()
    assert user.is_verified
    assert Membership.objects.filter(user=user, chapter=chapter).exists()
    assert page.url.endswith(chapter.get_absolute_url())
