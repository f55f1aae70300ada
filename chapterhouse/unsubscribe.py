"""Unsubscribe links: signed tokens naming an address and a list, and the page they open.

The links never expire: a message read a year later must still let its reader leave.
"""

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from chapterhouse.models import Unsubscribe
from chapterhouse.views import error_page

SALT = "chapterhouse.unsubscribe"


def make_unsubscribe_token(email: str, list_key: str) -> str:
    """A token that lets its holder take `email` off the list `list_key`."""
    return signing.dumps({"e": email.lower(), "l": list_key}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    """The (email, list_key) a token names, or None if it is forged or mangled."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not {"e", "l"} <= payload.keys():
        return None
    return str(payload["e"]), str(payload["l"])


def unsubscribe_url(email: str, list_key: str) -> str:
    """The absolute unsubscribe link for one recipient of one list."""
    return settings.SITE_URL + reverse(
        "unsubscribe", args=[make_unsubscribe_token(email, list_key)]
    )


def list_title(list_key: str) -> str:
    """What a list is called on the page, e.g. "meeting announcements from Code4LibNYC"."""
    kind, _sep, rest = list_key.partition(":")
    chapter_id, _sep, topic = rest.partition(":")
    titles = {
        "meetings": _("new meeting announcements from %(chapter)s"),
        "forum": _("forum e-mail from %(chapter)s"),
    }
    if kind == "chapter" and topic in titles and chapter_id.isdigit():
        chapter = apps.get_model("chapters", "Chapter").objects.filter(pk=chapter_id).first()
        if chapter is not None:
            return titles[topic] % {"chapter": chapter.name}
    return _("this mailing list")


# Exempt from CSRF: RFC 8058 one-click POSTs come from mail providers without a token,
# and the only thing a POST here can do is take the token's own address off its list.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks with a button (link scanners change nothing); POST, or a one-click POST, leaves."""
    found = read_unsubscribe_token(token)
    if found is None:
        return error_page(
            request, 400, _("This unsubscribe link does not work"),
            _("It is incomplete or was changed. Use the link from the message itself."),
        )  # fmt: skip
    email, list_key = found
    context = {"email": email, "list_title": list_title(list_key)}
    if request.method == "POST":
        Unsubscribe.objects.record(email, list_key)
        return render(request, "chapterhouse/unsubscribe_done.html", context)
    return render(request, "chapterhouse/unsubscribe.html", context)
