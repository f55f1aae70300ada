"""Whole pages kept for a few seconds for anonymous visitors (`PAGE_CACHE_SECONDS`).

Everyone who is not logged in gets the same home page, chapter page or meeting
list, so each web process keeps the pages it rendered for them in its own
memory (Django's local-memory cache) and serves them again, without running
the view, until they are `PAGE_CACHE_SECONDS` old. Nothing is shared between
processes and there is nothing to run or invalidate; a change reaches
anonymous visitors within that many seconds, and logged-in people at once.

Only requests that carry nothing personal use it: no session cookie (so no one
logged in), no message or language cookie, no Authorization or HTTP Signature
header. Only answers that are the same for everyone are kept: a 200 that sets
no cookie and used no CSRF token (a page with a form carries a token derived
from the visitor's secret, so it is never kept), is not marked private or
no-store, and varies on nothing but cookies and the Accept headers, which are
part of the key.

Such a page also says, in `X-Accel-Expires`, for how many more seconds it may be
kept, so nginx in front can keep it too and answer without reaching Python
(docs/deploy.md, "Keeping anonymous pages in nginx"). nginx reads that header,
keeps nothing that lacks it, and does not pass it on to browsers.
"""

import hashlib
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import cc_delim_re

PERSONAL_HEADERS = ("Authorization", "Signature")
KEYED_HEADERS = ("Accept", "Accept-Language")
ALLOWED_VARY = {"cookie", "accept", "accept-language"}
UNCACHEABLE = ("private", "no-store", "no-cache")
PROXY_EXPIRES = "X-Accel-Expires"  # seconds a proxy in front may keep the page


def personal_cookies() -> tuple[str, ...]:
    return (settings.SESSION_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, "messages")


def is_anonymous_and_plain(request: HttpRequest) -> bool:
    """A GET that carries no credentials and nothing that changes the page per person."""
    if request.method != "GET":
        return False
    if any(name in request.COOKIES for name in personal_cookies()):
        return False
    return not any(header in request.headers for header in PERSONAL_HEADERS)


def page_key(request: HttpRequest) -> str:
    parts = [request.build_absolute_uri()]
    parts += [request.headers.get(header, "") for header in KEYED_HEADERS]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"page:{digest}"


def is_the_same_for_everyone(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.headers.get("Cache-Control", "").lower()
    if any(word in cache_control for word in UNCACHEABLE):
        return False
    vary = {v.strip().lower() for v in cc_delim_re.split(response.headers.get("Vary", "")) if v}
    return vary <= ALLOWED_VARY


def anonymous_page_cache(get_response: Callable[[HttpRequest], HttpResponse]):
    """Middleware: serve anonymous GETs from the page cache, and fill it."""
    pages = caches["default"]

    def middleware(request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not is_anonymous_and_plain(request):
            return get_response(request)
        key = page_key(request)
        kept = pages.get(key)
        if kept is not None:
            content, headers, expires = kept
            response = HttpResponse(content, headers=headers)
            response[PROXY_EXPIRES] = str(max(math.ceil(expires - time.time()), 1))
            return response
        response = get_response(request)
        # A page that used the CSRF token holds a value derived from this visitor's secret.
        # Django sets the cookie again on such answers, so the cookie check already refuses
        # them; this says so directly, whatever CSRF_COOKIE settings a site uses.
        if is_the_same_for_everyone(response) and not request.META.get("CSRF_COOKIE_USED"):
            kept = (response.content, dict(response.headers), time.time() + seconds)
            pages.set(key, kept, seconds)
            response[PROXY_EXPIRES] = str(seconds)
        return response

    return middleware
