"""Security headers that Django 5.2 does not set by itself."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

# No inline scripts or styles anywhere, the admin's pages included (Django 5.2's admin
# needs none); embedded players come only from the hosts markup.EMBED_PATHS allows.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; "
    "frame-src https://www.youtube.com https://www.youtube-nocookie.com "
    "https://player.vimeo.com https://archive.org"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def content_security_policy(get_response: Callable[[HttpRequest], HttpResponse]):
    """Add Content-Security-Policy and Permissions-Policy to every response."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


def reject_control_characters(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answer 400 to paths holding control characters (NUL breaks PostgreSQL text queries)."""
    from chapterhouse.views import error_page

    def middleware(request: HttpRequest) -> HttpResponse:
        if any(ord(character) < 32 or ord(character) == 127 for character in request.path):
            reason = _("The address contains characters that are not allowed.")
            if request.path.startswith("/api/"):  # the JSON API answers every error in JSON
                return JsonResponse({"detail": reason}, status=400)
            return error_page(request, 400, _("Bad request"), reason)
        return get_response(request)

    return middleware
