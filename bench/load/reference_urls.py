"""The site's addresses, and `/bench/ok/` to compare its pages with.

`/bench/ok/` answers "ok" after all of the site's middleware; asked with a member's session
it also looks the member up, as every page does. What a page costs beyond it is its own.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def ok(request: HttpRequest) -> HttpResponse:
    request.user.is_authenticated  # noqa: B018 - looks the member up
    response = HttpResponse("ok")
    response["Cache-Control"] = "private"  # never from the page cache
    return response


urlpatterns = [
    path("bench/ok/", ok),
    path("", include("config.urls")),
]
