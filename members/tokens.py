"""Signed, expiring tokens for the links we e-mail: verification and change of address.

Each token carries the address it was made for, so it stops working as soon as
the account's address changes; password reset uses Django's own generator.
"""

from django.conf import settings
from django.core import signing

VERIFY_SALT = "members.verify-email"
CHANGE_SALT = "members.change-email"


def make_verification_token(user, chapter_slug: str = "") -> str:
    """A token proving the holder received mail at the account's current address."""
    return signing.dumps({"u": user.pk, "e": user.email, "c": chapter_slug}, salt=VERIFY_SALT)


def make_email_change_token(user, new_email: str) -> str:
    """A token proving the holder received mail at `new_email`."""
    return signing.dumps({"u": user.pk, "old": user.email, "new": new_email}, salt=CHANGE_SALT)


def read_token(token: str, salt: str) -> dict | None:
    """The token's payload, or None if it is forged, mangled or expired."""
    try:
        payload = signing.loads(token, salt=salt, max_age=settings.EMAIL_CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return payload if isinstance(payload, dict) else None
