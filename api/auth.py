"""Bearer tokens for the API; sessions are never read, so no request rides on browser cookies."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from api import services
from members.models import User


def user_from_header(header: str) -> User:
    """The account behind `Authorization: Bearer <token>`; 401 for anything else."""
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError(message=_("Send your token as: Authorization: Bearer <token>."))
    user = services.user_for_token(token.strip())
    if user is None:
        raise AuthenticationError(
            message=_("This token is not valid: it may have been revoked, or mistyped.")
        )
    return user


class TokenAuth(HttpBearer):
    """A token is required: writes, and reads of your own things."""

    openapi_description = "A personal token, made on the API tokens page of your account."

    def __call__(self, request: HttpRequest) -> User:
        header = request.headers.get("Authorization", "")
        if not header:
            raise AuthenticationError(
                message=_("This needs a token: send Authorization: Bearer <token>.")
            )
        return user_from_header(header)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return services.user_for_token(token)


class OptionalTokenAuth(TokenAuth):
    """Public reads: anyone may ask; a token shows what its holder may see besides."""

    def __call__(self, request: HttpRequest) -> User | AnonymousUser:
        header = request.headers.get("Authorization", "")
        return user_from_header(header) if header else AnonymousUser()
