"""Old addresses from a previous site answer 301 to where their content lives now."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from stories.services import find_redirect


def legacy_redirects(get_response: Callable[[HttpRequest], HttpResponse]):
    """On a 404, look the path up among the redirects; unknown paths keep their 404."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        redirect = find_redirect(request.path)
        return HttpResponsePermanentRedirect(redirect.target) if redirect else response

    return middleware
