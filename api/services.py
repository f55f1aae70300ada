"""Writes and reads for API tokens: making them, revoking them, and knowing whose a token is."""

import hashlib
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from members.models import User

STARTS_WITH = "chp_"
TOKEN_FORMAT = re.compile(r"chp_[A-Za-z0-9_-]{43}")
SHOWN_LENGTH = 12  # "chp_" and eight characters: enough to tell tokens apart, useless to guess
MAX_ACTIVE_TOKENS = 20
# Marking every request would make each API call a write; this often is enough to spot old tokens.
LAST_USED_PRECISION = timezone.timedelta(minutes=5)


def hash_token(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for the user; return it and its text, which is never stored or shown again."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time
    if user.api_tokens.filter(revoked=None).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You have %(count)d tokens: revoke one you no longer use first.")
            % {"count": MAX_ACTIVE_TOKENS},
            code="too_many",
        )
    text = STARTS_WITH + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=text[:SHOWN_LENGTH], token_hash=hash_token(text)
    )
    return token, text


@transaction.atomic
def revoke_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens at once; None if they have no such active token."""
    token = user.api_tokens.select_for_update().filter(pk=token_id, revoked=None).first()
    if token is not None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
    return token


def user_for_token(text: str) -> User | None:
    """The active account a token belongs to, or None; notes when the token was last used."""
    if not TOKEN_FORMAT.fullmatch(text):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user__profile")
        .filter(token_hash=hash_token(text))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
