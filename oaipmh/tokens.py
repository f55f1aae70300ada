"""Stateless resumption tokens: the request and the last key seen, signed so they cannot be forged.

Nothing is stored between pages. A token carries the list's arguments, the (datestamp, kind, id)
of the last record sent, the cursor and the complete list size, signed with the site's secret key
(HMAC, through django.core.signing). A token older than `MAX_AGE` seconds, or one changed by a
single character, is refused with badResumptionToken.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing

from oaipmh.records import KINDS, Key

SALT = "oaipmh.resumption-token"
MAX_AGE = 24 * 60 * 60


class BadToken(Exception):
    """The token is expired, tampered with or not one of ours."""


@dataclass(frozen=True)
class Token:
    verb: str
    arguments: dict[str, str]
    after: Key
    cursor: int
    total: int


def max_age() -> int:
    return getattr(settings, "OAIPMH_TOKEN_MAX_AGE", MAX_AGE)


def dump(token: Token) -> str:
    payload = {
        "v": token.verb,
        "a": token.arguments,
        "k": [token.after.datestamp.isoformat(), token.after.kind, token.after.id],
        "c": token.cursor,
        "n": token.total,
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def load(value: str, verb: str) -> Token:
    try:
        payload = signing.loads(value, salt=SALT, max_age=max_age())
    except (signing.BadSignature, ValueError) as error:
        raise BadToken(str(error)) from error
    try:
        stamp, kind, object_id = payload["k"]
        token = Token(
            verb=payload["v"],
            arguments=dict(payload["a"]),
            after=Key(datetime.fromisoformat(stamp), kind, int(object_id)),
            cursor=int(payload["c"]),
            total=int(payload["n"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BadToken(str(error)) from error
    if token.verb != verb or kind not in KINDS or token.after.datestamp.tzinfo is None:
        raise BadToken("token for another list")
    return token
