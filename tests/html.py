"""Read what a person would see in a page: field errors, text without tags."""

import html
import re

TAGS = re.compile(r"<[^>]+>")


def text_of(markup: str) -> str:
    return " ".join(html.unescape(TAGS.sub(" ", markup)).split())


def field_error(response, field: str) -> str:
    """The error text shown next to a field (in the block its input points to)."""
    match = re.search(
        rf'<div class="field-errors" id="id_{field}_error">(.*?)</div>', response.text, re.S
    )
    assert match, f"no error shown for {field!r}"
    # The field itself points at its error, so screen readers announce it.
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error', response.text)
    return text_of(match.group(1))


def form_error(response) -> str:
    """The error shown above a form, not tied to one field."""
    match = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', response.text, re.S)
    assert match, "no form error shown"
    return text_of(match.group(1))
