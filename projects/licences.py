"""Licences as SPDX identifiers and expressions, checked against the SPDX list."""

import re
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from license_expression import get_spdx_licensing

OPERATORS = {"and", "or", "with"}
TOKEN_SEPARATORS = re.compile(r"[\s()]+")


@cache
def licensing():
    """The SPDX licence list is large; load it once per process."""
    return get_spdx_licensing()


@cache
def known_keys() -> frozenset[str]:
    return frozenset(key.lower() for key in licensing().known_symbols)


def normalize_licence(expression: str) -> str:
    """The expression in SPDX's canonical spelling, or a ValidationError naming what is wrong."""
    expression = " ".join(expression.split())
    if not expression:
        return ""
    try:
        info = licensing().validate(expression)
    # The library fails with assorted exceptions on malformed expressions such as "MIT OR".
    except Exception:
        raise invalid_expression(expression) from None
    unknown = [symbol for symbol in info.invalid_symbols if is_key_like(symbol)]
    if unknown:
        raise unknown_keys(unknown)
    if info.invalid_symbols or info.errors or not info.normalized_expression:
        raise invalid_expression(expression)
    unversioned = [key for key in keys_in(expression) if not names_a_version(key)]
    if unversioned:
        raise unknown_keys(unversioned)
    return info.normalized_expression


def is_key_like(symbol: str) -> bool:
    """Whether the library's complaint is about a key, not a misplaced operator or bracket."""
    symbol = symbol.strip("() ")
    return bool(symbol) and symbol.lower() not in OPERATORS


def keys_in(expression: str) -> list[str]:
    words = TOKEN_SEPARATORS.split(expression)
    return [word for word in words if word and word.lower() not in OPERATORS]


def names_a_version(key: str) -> bool:
    """SPDX keys, and the versioned aliases SPDX once used (GPL-3.0+), but not a bare "GPL".

    A family name without a version is an alias in the library, yet it does not say
    which licence applies, so it is refused like an unknown key.
    """
    return key.lower() in known_keys() or any(character.isdigit() for character in key)


def unknown_keys(keys: list[str]) -> ValidationError:
    return ValidationError(
        _("Unknown licence: %(keys)s. Use SPDX identifiers such as MIT or GPL-3.0-or-later.")
        % {"keys": ", ".join(keys)},
        code="unknown_licence",
    )


def invalid_expression(expression: str) -> ValidationError:
    return ValidationError(
        _("“%(expression)s” is not a licence expression; try e.g. “MIT OR Apache-2.0”.")
        % {"expression": expression},
        code="invalid_licence",
    )
