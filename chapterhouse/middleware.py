"""Security headers that Django 5.2 does not set by itself."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

# No inline scripts or styles anywhere in our pages; the admin still carries a
# few inline style attributes, so only it may use them.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; "
    "frame-src https://www.youtube.com https://www.youtube-nocookie.com "
    "https://player.vimeo.com https://archive.org"
)
ADMIN_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def content_security_policy(get_response: Callable[[HttpRequest], HttpResponse]):
    """Add Content-Security-Policy and Permissions-Policy to every response."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        is_admin = request.path.startswith("/admin/")
        response.headers.setdefault("Content-Security-Policy", ADMIN_POLICY if is_admin else POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


def reject_control_characters(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answer 400 to paths holding control characters (NUL breaks PostgreSQL text queries)."""
    from chapterhouse.views import error_page

    def middleware(request: HttpRequest) -> HttpResponse:
        if any(ord(character) < 32 or ord(character) == 127 for character in request.path):
            reason = _("The address contains characters that are not allowed.")
            return error_page(request, 400, _("Bad request"), reason)
        return get_response(request)

    return middleware
