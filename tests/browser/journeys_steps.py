"""What every journey does between clicks: naming screenshots, finding fields, reading mail.

Fields are found the way a screen reader user finds them, by their label; a required
field's label ends in "(required)", which `field` accepts without spelling it out.
"""

import re
import time
from email.message import EmailMessage

from playwright.sync_api import expect

from tests.browsing import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD

MAIL_WAIT_SECONDS = 10


def field(page, label: str):
    """The form control labelled `label`, or `label (required)`."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(?: \(required\))?$"))


def button(scope, name: str):
    return scope.get_by_role("button", name=name, exact=True)


def link(scope, name: str):
    return scope.get_by_role("link", name=name, exact=True)


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Open the log-in page and log in, as a returning member does."""
    page.goto("/accounts/login/")
    fill_in_log_in(page, email, password)


def fill_in_log_in(page, email: str, password: str = PASSWORD) -> None:
    """Fill in the log-in form the page shows, and send it."""
    field(page, "E-mail address").fill(email)
    field(page, "Password").fill(password)
    button(page, "Log in").click()
    expect(button(page, "Log out")).to_be_visible()


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


class Journey:
    """One person's way through the site, saving a screenshot of each step.

    The journey runs at one width. With `both_widths`, each step is also shot at the
    other width, from the very same page (flash messages included), and must not
    scroll sideways on a phone there either.
    """

    def __init__(self, page, name: str, *, javascript: bool, phone: bool, both_widths: bool):
        self.page, self.name = page, name if javascript else f"{name}-nojs"
        self.phone, self.both_widths = phone, both_widths
        self.steps = 0

    def shot(self, label: str) -> None:
        self.steps += 1
        base = f"{self.name}-{self.steps:02d}-{label}"
        widths = [self.phone, not self.phone] if self.both_widths else [self.phone]
        for phone in widths:
            self.page.set_viewport_size(PHONE if phone else DESKTOP)
            if phone:
                assert overflow(self.page) <= 0, f"{base} scrolls sideways on a phone"
            screenshot(self.page, f"{base}-{'phone' if phone else 'desktop'}")
        self.page.set_viewport_size(PHONE if self.phone else DESKTOP)


def wait_for_mail(mailbox, address: str, subject: str) -> EmailMessage:
    """The message to `address` whose subject contains `subject`, once the server has it."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while True:
        found = [m for m in mailbox.to(address) if subject in str(m["Subject"])]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            subjects = [str(m["Subject"]) for m in mailbox.to(address)]
            raise AssertionError(f"no mail to {address} about {subject!r}; got {subjects}")
        time.sleep(0.05)


def link_in(message: EmailMessage, path_start: str) -> str:
    """The first address in the message's text that leads to a page under `path_start`."""
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"https?://[^\s/]+{re.escape(path_start)}\S*", text)
    assert found, f"no link to {path_start} in:\n{text}"
    return found.group(0)
