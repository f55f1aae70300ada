"""Error pages in the site's own layout, each saying what went wrong."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def error_page(request: HttpRequest, status: int, title: str, reason: str = "") -> HttpResponse:
    return render(request, "error.html", {"title": title, "reason": reason}, status=status)


def reason_of(exception: Exception | None) -> str:
    """The message a view gave its exception, if it was meant for people."""
    message = str(exception) if exception else ""
    return message if message and not message.startswith(("{", "<", "Resolver404")) else ""


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 400, _("Bad request"), reason_of(exception))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 403, _("Not allowed"), reason_of(exception))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 404, _("Page not found"), reason_of(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
