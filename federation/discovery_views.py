"""How other servers find us and read us: WebFinger, host-meta, NodeInfo, actors,
outboxes, followers, activities, and ActivityStreams JSON for our pages.

All of this is public and read-only. Only the follower list is withheld: anyone
sees how many follow a chapter, only its organizers see who.
"""

import datetime as dt
from importlib.metadata import PackageNotFoundError, version
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chapters.models import Chapter
from federation import activities, ids
from federation.models import Activity
from meetings.models import Meeting
from members.models import User
from members.services import is_organizer
from stories.models import Story

OUTBOX_PAGE_SIZE = 20
MAX_RESOURCE_LENGTH = 500
JRD_CONTENT_TYPE = "application/jrd+json"
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"
NODEINFO_CONTENT_TYPE = f'application/json; profile="{NODEINFO_SCHEMA}#"'
APPLICATION_REL = "https://www.w3.org/ns/activitystreams#Application"
HTML_TYPES = {"text/html", "application/xhtml+xml"}


# Content negotiation ---------------------------------------------------------------


def _media_ranges(accept: str):
    """(type, parameters, quality) for each media range of an Accept header."""
    for part in accept.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        params = {}
        for piece in pieces[1:]:
            name, _sep, value = piece.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        try:
            quality = float(params.get("q", "1"))
        except ValueError:
            quality = 0.0
        yield pieces[0].lower(), params, quality


def _is_activity_type(media_type: str, params: dict) -> bool:
    if media_type == "application/activity+json":
        return True
    profiles = params.get("profile", "").split()
    return media_type == "application/ld+json" and activities.AS_CONTEXT in profiles


def wants_activity_json(request: HttpRequest) -> bool:
    """Whether the client asks for ActivityStreams JSON at least as much as for HTML."""
    activity_q = html_q = 0.0
    for media_type, params, quality in _media_ranges(request.headers.get("Accept", "")):
        if _is_activity_type(media_type, params):
            activity_q = max(activity_q, quality)
        elif media_type in HTML_TYPES:
            html_q = max(html_q, quality)
    return activity_q > 0 and activity_q >= html_q


def activity_response(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data,
        status=status,
        content_type=activities.AP_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def json_error(reason: str, status: int) -> JsonResponse:
    """A 4xx for machines, with the reason in the body."""
    return JsonResponse({"error": reason}, status=status)


def activity_json_alternative(get_response):
    """Middleware: the chapter, meeting and story pages answer ActivityStreams JSON when asked.

    The page and its JSON share one URL, which is the object's ActivityPub id,
    so both answers say Vary: Accept for caches. It lives here, not in the
    content apps' views: federation reads the content apps, never the reverse.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if getattr(request, "varies_on_accept", False):
            patch_vary_headers(response, ["Accept"])
        return response

    def process_view(request, view, args, kwargs):
        builder = JSON_ALTERNATIVES.get(getattr(request.resolver_match, "view_name", ""))
        if builder is None or request.method not in ("GET", "HEAD"):
            return None
        request.varies_on_accept = True
        if not wants_activity_json(request):
            return None
        try:
            return activity_response(builder(request, *args, **kwargs))
        except Http404:
            return json_error(_("Not found."), 404)

    middleware.process_view = process_view
    return middleware


def chapter_actor_json(request: HttpRequest, slug: str) -> dict:
    return activities.group_actor(get_object_or_404(Chapter, slug=slug))


def meeting_event_json(request: HttpRequest, slug: str, pk: int) -> dict:
    meetings = Meeting.objects.select_related("chapter", "venue")
    return activities.event(get_object_or_404(meetings, chapter__slug=slug, pk=pk))


def story_article_json(request: HttpRequest, slug: str, story: str) -> dict:
    """Only published stories federate, whoever asks: drafts have no public id yet."""
    stories = Story.objects.published().select_related("chapter")
    return activities.article(get_object_or_404(stories, chapter__slug=slug, slug=story))


JSON_ALTERNATIVES = {
    "chapters:detail": chapter_actor_json,
    "meetings:detail": meeting_event_json,
    "stories:detail": story_article_json,
}


# WebFinger and host-meta -----------------------------------------------------------


class BadResource(ValueError):
    """A WebFinger resource that is neither acct:user@host nor an http(s) URL."""


def _actor_of_account(account: str) -> tuple[str, str] | None:
    user, _sep, host = account.removeprefix("@").rpartition("@")
    if not user or not host:
        raise BadResource(_("Give the resource as acct:name@host."))
    if host.lower() != ids.host():
        return None
    if user == ids.instance_username():
        return user, ids.instance_actor_id()
    chapter = Chapter.objects.filter(slug=user.lower()).only("slug").first()
    return (chapter.slug, ids.chapter_actor_id(chapter)) if chapter else None


def _actor_of_url(url: str) -> tuple[str, str] | None:
    if url == ids.instance_actor_id():
        return ids.instance_username(), url
    prefix = ids.site_url() + "/chapters/"
    slug = url.removeprefix(prefix).rstrip("/") if url.startswith(prefix) else ""
    if not slug or "/" in slug:
        return None
    chapter = Chapter.objects.filter(slug=slug).only("slug").first()
    return (chapter.slug, ids.chapter_actor_id(chapter)) if chapter else None


def actor_for_resource(resource: str) -> tuple[str, str] | None:
    """(username, actor id) for a WebFinger resource; None when it is not ours."""
    resource = resource.strip()
    if not resource or len(resource) > MAX_RESOURCE_LENGTH:
        raise BadResource(_("Give a resource of at most %d characters.") % MAX_RESOURCE_LENGTH)
    if resource.startswith(("https://", "http://")):
        return _actor_of_url(resource)
    if resource.lower().startswith("acct:"):
        return _actor_of_account(resource[5:])
    if "@" in resource and ":" not in resource:
        return _actor_of_account(resource)
    raise BadResource(_("Give the resource as acct:name@host or as an actor's URL."))


@require_safe
def webfinger(request: HttpRequest) -> HttpResponse:
    """RFC 7033: acct:slug@host (or the actor's URL) to the chapter's Group actor."""
    try:
        found = actor_for_resource(request.GET.get("resource", ""))
    except BadResource as error:
        return json_error(str(error), 400)
    if found is None:
        return json_error(_("No such actor here."), 404)
    username, actor_id = found
    document = {
        "subject": f"acct:{username}@{ids.host()}",
        "aliases": [actor_id],
        "links": [
            {"rel": "self", "type": activities.AP_CONTENT_TYPE, "href": actor_id},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
             "href": actor_id},
        ],
    }  # fmt: skip
    response = JsonResponse(document, content_type=JRD_CONTENT_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def host_meta(request: HttpRequest) -> HttpResponse:
    """The XRD that points older clients at our WebFinger endpoint."""
    template = ids.absolute(reverse("federation:webfinger")) + "?resource={uri}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/jrd+json" template={quoteattr(template)}/>\n'
        "</XRD>\n"
    )
    response = HttpResponse(body, content_type="application/xrd+xml; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


# NodeInfo --------------------------------------------------------------------------


def software_version() -> str:
    try:
        return version("chapterhouse")
    except PackageNotFoundError:
        return "0.0.0"


@require_safe
def nodeinfo_links(request: HttpRequest) -> HttpResponse:
    """/.well-known/nodeinfo: where the 2.1 document and the instance actor are."""
    return JsonResponse({"links": [
        {"rel": NODEINFO_SCHEMA, "href": ids.absolute(reverse("federation:nodeinfo"))},
        {"rel": APPLICATION_REL, "href": ids.instance_actor_id()},
    ]})  # fmt: skip


def usage() -> dict:
    """Counts for NodeInfo: people with accounts, and meetings and stories published here."""
    now = timezone.now()
    people = User.objects.filter(is_active=True, is_placeholder=False)
    return {
        "users": {
            "total": people.count(),
            "activeMonth": people.filter(last_login__gte=now - dt.timedelta(days=30)).count(),
            "activeHalfyear": people.filter(last_login__gte=now - dt.timedelta(days=180)).count(),
        },
        "localPosts": Meeting.objects.count() + Story.objects.published().count(),
    }


@require_safe
def nodeinfo(request: HttpRequest) -> HttpResponse:
    """NodeInfo 2.1: what software this is, what it speaks, and how many use it."""
    document = {
        "version": "2.1",
        "software": {"name": "chapterhouse", "version": software_version()},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0"]},
        "openRegistrations": True,
        "usage": usage(),
        "metadata": {
            "nodeName": settings.SITE_NAME,
            "chapters": Chapter.objects.count(),
            "instanceActor": ids.instance_actor_id(),
        },
    }
    response = JsonResponse(document, content_type=NODEINFO_CONTENT_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


# Actors and collections ------------------------------------------------------------


@require_safe
def instance_actor(request: HttpRequest) -> HttpResponse:
    return activity_response(activities.application_actor())


@require_safe
def instance_outbox(request: HttpRequest) -> HttpResponse:
    """The Application actor publishes nothing; its outbox exists because actors must have one."""
    url = ids.instance_actor_id() + "/outbox"
    empty = {"type": "OrderedCollection", "totalItems": 0, "orderedItems": []}
    return activity_response({"@context": activities.AS_CONTEXT, "id": url, **empty})


def _chapter_or_json_404(slug: str) -> Chapter | None:
    return Chapter.objects.filter(slug=slug).first()


def _outbox_page(outbox: str, paginator: Paginator, number: int) -> dict:
    page = paginator.page(number)
    data = {
        "@context": activities.AS_CONTEXT,
        "id": f"{outbox}?page={number}",
        "type": "OrderedCollectionPage",
        "partOf": outbox,
        "totalItems": paginator.count,
        "orderedItems": [activities.without_context(item.data) for item in page.object_list],
    }
    if page.has_next():
        data["next"] = f"{outbox}?page={page.next_page_number()}"
    if page.has_previous():
        data["prev"] = f"{outbox}?page={page.previous_page_number()}"
    return data


@require_safe
def outbox(request: HttpRequest, slug: str) -> HttpResponse:
    """The chapter's public activities, newest first, in pages of twenty."""
    chapter = _chapter_or_json_404(slug)
    if chapter is None:
        return json_error(_("No such chapter."), 404)
    url = ids.chapter_outbox(chapter)
    published = Activity.objects.filter(chapter=chapter, public=True).order_by("-created", "pk")
    paginator = Paginator(published.only("data"), OUTBOX_PAGE_SIZE)
    if "page" not in request.GET:
        return activity_response({
            "@context": activities.AS_CONTEXT, "id": url, "type": "OrderedCollection",
            "totalItems": paginator.count, "first": f"{url}?page=1",
            "last": f"{url}?page={paginator.num_pages}",
        })  # fmt: skip
    number = request.GET["page"]
    if not number.isdecimal() or len(number) > 9:
        return json_error(_("The page must be a whole number from 1."), 400)
    try:
        return activity_response(_outbox_page(url, paginator, int(number)))
    except EmptyPage:
        return json_error(_("There is no such page."), 404)


@require_safe
def followers(request: HttpRequest, slug: str) -> HttpResponse:
    """How many follow the chapter, for everyone; who they are, for its organizers only."""
    chapter = _chapter_or_json_404(slug)
    if chapter is None:
        return json_error(_("No such chapter."), 404)
    follows = chapter.followers.order_by("created", "pk")
    data = {"@context": activities.AS_CONTEXT, "id": ids.chapter_followers(chapter),
            "type": "OrderedCollection", "totalItems": follows.count()}  # fmt: skip
    if is_organizer(request.user, chapter):
        data["orderedItems"] = list(follows.values_list("actor__uri", flat=True))
    response = activity_response(data)
    patch_vary_headers(response, ["Cookie"])
    return response


@require_safe
def activity_detail(request: HttpRequest, activity_uuid) -> HttpResponse:
    """One of our public activities, at its id."""
    found = Activity.objects.filter(pk=activity_uuid, public=True).only("data").first()
    if found is None:
        return json_error(_("No such activity."), 404)
    return activity_response(found.data)
