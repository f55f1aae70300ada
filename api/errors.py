"""Errors as JSON `{"detail": ...}` with the status that says what went wrong.

Services and forms speak in Django's exceptions; this turns them into API answers:
PermissionDenied is 403, a conflict with the current state is 409, bad input is 422,
a body past the upload limit 413, and past one of the site's rate limits (the same as on
the pages) 429 with Retry-After.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as InputError

from api.schemas import Error
from chapterhouse import ratelimit

# Codes of service errors that refuse the person rather than the input.
REFUSED = {"not_member", "unverified"}
# Codes of service errors about the current state of things, which may change.
CONFLICTS = {"closed", "no_room_for_guests", "last_organizer", "too_many"}


# Any request may be malformed (400: its address or body unreadable; 422: invalid values)
# or carry a bad token (401).
EVERY_OPERATION = (400, 401, 422)
# What an operation that reads a body may answer besides: the body is too large.
WITH_BODY = (413,)


def error_responses(*statuses: int, body: bool = False) -> dict[int, type[Error]]:
    """Response schemas for the error statuses an operation may answer, besides the usual."""
    usual = {*EVERY_OPERATION, *(WITH_BODY if body else ())}
    return dict.fromkeys(sorted({*usual, *statuses}), Error)


def problems(field_errors: dict[str, list[dict]], renamed: dict[str, str] | None = None) -> list:
    """Form-style errors as the API's list of problems, located like pydantic's."""
    renamed = renamed or {}
    return [
        {
            "loc": ["body"] if field == "__all__" else ["body", renamed.get(field, field)],
            "msg": error["message"],
            "type": error["code"] or "invalid",
        }
        for field, errors_of_field in field_errors.items()
        for error in errors_of_field
    ]


def invalid(form: Form, renamed: dict[str, str] | None = None) -> InputError:
    """The 422 error for a form that did not validate."""
    return InputError(problems(form.errors.get_json_data(), renamed))


def service_error(error: DjangoValidationError) -> tuple[int, str | list]:
    """The status and detail for a ValidationError raised by a service."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {"__all__": error.error_list}
    codes = {each.code for errors_of_field in by_field.values() for each in errors_of_field}
    if codes & REFUSED:
        return 403, " ".join(error.messages)
    if codes & CONFLICTS:
        return 409, " ".join(error.messages)
    listed = {
        field: [{"message": each.messages[0], "code": each.code} for each in errors_of_field]
        for field, errors_of_field in by_field.items()
    }
    return 422, problems(listed)


def install(api: NinjaAPI) -> None:
    """Answer every error the services, forms and lookups raise as JSON."""

    def refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("You may not do this.")
        return api.create_response(request, {"detail": detail}, status=403)

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        detail = str(exc) or _("Not found.")
        return api.create_response(request, {"detail": detail}, status=404)

    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(request, {"detail": str(exc)}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def rejected(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        status, detail = service_error(exc)
        return api.create_response(request, {"detail": detail}, status=status)

    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        detail = _("The request is too large: send at most %(kb)d KB.") % {"kb": limit}
        return api.create_response(request, {"detail": detail}, status=413)

    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return api.create_response(request, {"detail": _("Bad request.")}, status=400)

    def too_many(request: HttpRequest, exc: ratelimit.RateLimited) -> HttpResponse:
        response = api.create_response(request, {"detail": exc.message}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    api.add_exception_handler(PermissionDenied, refused)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(DjangoValidationError, rejected)
    api.add_exception_handler(ratelimit.RateLimited, too_many)
    api.add_exception_handler(RequestDataTooBig, too_large)
    api.add_exception_handler(SuspiciousOperation, suspicious)
