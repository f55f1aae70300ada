"""Follows both ways, and the remote meetings and stories the Groups we follow send us.

Organizers follow a remote chapter by handle or URL; remote actors follow ours and are
accepted at once. Every write is here so that the inbox task, the views and the admin
share one set of rules. Remote HTML goes through the same sanitizer as our own.
"""

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.markup import sanitize, visible_text, web_url
from chapters.models import Chapter
from federation import actors, ids
from federation.actors import id_of, link_of, same_host
from federation.models import Follower, Following, RemoteActor, RemoteObject
from federation.reports import report_fields
from members.models import User
from members.services import require_organizer
from search.remote import queue_remote_changes

OBJECT_KINDS = {"Event": RemoteObject.Kind.MEETING, "Article": RemoteObject.Kind.STORY}
CANCELLED = {"CANCELLED", "CANCELED", "EventCancelled", "https://schema.org/EventCancelled"}
ADDRESS_PARTS = ("streetAddress", "addressLocality", "addressRegion", "postalCode")


def reindex(objects) -> None:
    """Queue the search entries of these remote objects (a queryset) for a rebuild or removal."""
    queue_remote_changes(list(objects.values_list("pk", flat=True)))


# Following remote Groups.


def follow(chapter: Chapter, user: User, handle_or_url: str) -> Following:
    """Follow a remote Group for the chapter: look it up, remember it as pending, send a Follow."""
    require_organizer(user, chapter)
    try:
        remote = actors.resolve_handle(handle_or_url)
    except actors.ActorError as error:
        raise ValidationError(str(error), code="not_found") from None
    return start_following(chapter, user, remote)


@transaction.atomic
def start_following(chapter: Chapter, user: User | None, remote: RemoteActor) -> Following:
    """Record the follow and send it; a refused follow may be asked again."""
    from federation import activities, delivery

    if remote.uri == ids.chapter_actor_id(chapter):
        raise ValidationError(_("A chapter cannot follow itself."), code="self")
    existing = Following.objects.filter(chapter=chapter, actor=remote).first()
    if existing and existing.state != Following.State.REJECTED:
        raise ValidationError(
            _("%(chapter)s already follows %(actor)s.") % {"chapter": chapter, "actor": remote},
            code="duplicate",
        )
    if existing:
        existing.delete()
    follow_activity = activities.follow(chapter, remote)
    following = Following.objects.create(
        chapter=chapter, actor=remote, follow_id=follow_activity["id"], created_by=user
    )
    delivery.send_to(chapter, follow_activity, [remote.inbox])
    return following


@transaction.atomic
def unfollow(chapter: Chapter, user: User, following: Following) -> None:
    """Stop following: tell the remote Group with Undo(Follow), forget what only it sent us."""
    from federation import activities, delivery

    require_organizer(user, chapter)
    if following.chapter_id != chapter.pk:
        raise ValidationError(_("That follow belongs to another chapter."), code="other_chapter")
    remote = following.actor
    follow_activity = {
        "id": following.follow_id,
        "type": "Follow",
        "actor": ids.chapter_actor_id(chapter),
        "object": remote.uri,
    }
    delivery.send_to(chapter, activities.undo(chapter, follow_activity), [remote.inbox])
    following.delete()
    reindex(remote.remote_objects.all())
    if not Following.objects.filter(actor=remote).exists():
        remote.remote_objects.all().delete()


@transaction.atomic
def settle_following(remote: RemoteActor, follow_id: str, accepted: bool) -> Following | None:
    """Record the remote Group's answer (Accept or Reject) to one of our Follows."""
    following = Following.objects.filter(actor=remote, follow_id=follow_id).first()
    if following is None:
        return None
    following.state = Following.State.ACCEPTED if accepted else Following.State.REJECTED
    following.save(update_fields=["state"])
    reindex(remote.remote_objects.all())
    return following


def is_followed(remote: RemoteActor) -> bool:
    """Whether any of our chapters follows this actor, and it has said yes."""
    return Following.objects.filter(actor=remote, state=Following.State.ACCEPTED).exists()


# Our followers.


def chapter_of_actor_id(uri: str) -> Chapter | None:
    """Our chapter whose Group actor has this id, if any."""
    prefix = f"{ids.site_url()}/chapters/"
    slug = uri[len(prefix) :].rstrip("/") if uri.startswith(prefix) else ""
    if not slug or "/" in slug:
        return None
    return Chapter.objects.filter(slug=slug).first()


@transaction.atomic
def add_follower(chapter: Chapter, remote: RemoteActor, follow_activity: dict) -> Follower:
    """A remote actor follows the chapter: accepted at once, and told so."""
    from federation import activities, delivery

    follower, _created = Follower.objects.update_or_create(
        chapter=chapter,
        actor=remote,
        defaults={"follow_id": id_of(follow_activity.get("id"))[:500]},
    )
    delivery.send_to(chapter, activities.accept(chapter, follow_activity), [remote.inbox])
    return follower


@transaction.atomic
def remove_follower(chapter: Chapter, remote: RemoteActor) -> int:
    """The remote actor no longer follows the chapter (Undo of its Follow)."""
    removed, _details = Follower.objects.filter(chapter=chapter, actor=remote).delete()
    return removed


# Remote meetings and stories.


def parse_time(value) -> dt.datetime | None:
    """An xsd:dateTime as an aware datetime (UTC when it carries no offset), None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)


def time_zone_of(value) -> str:
    """An IANA time zone name we recognise, else blank."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return ""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    return value


def place_of(location) -> str:
    """A Place (name and PostalAddress, or an address string) as one line of text."""
    if isinstance(location, list):
        location = location[0] if location else None
    if not isinstance(location, dict):
        return ""
    parts = [location.get("name")]
    address = location.get("address")
    if isinstance(address, dict):
        parts += [address.get(part) for part in ADDRESS_PARTS]
        country = address.get("addressCountry")
        parts.append(country.get("name") if isinstance(country, dict) else country)
    else:
        parts.append(address)
    seen = []
    for part in parts:
        if isinstance(part, str) and part.strip() and part.strip() not in seen:
            seen.append(part.strip())
    return ", ".join(seen)[:500]


def is_cancelled(obj: dict) -> bool:
    """Mobilizon says ical:status CANCELLED; schema.org says eventStatus EventCancelled."""
    statuses = (obj.get("ical:status"), obj.get("eventStatus"), obj.get("status"))
    return any(isinstance(status, str) and status in CANCELLED for status in statuses)


def page_url(obj: dict) -> str:
    """The object's HTML page at its origin: a text/html url entry, else the first, else the id."""
    urls = obj.get("url")
    urls = urls if isinstance(urls, list) else [urls]
    html = [u for u in urls if isinstance(u, dict) and u.get("mediaType") == "text/html"]
    return web_url(link_of(html or urls)) or web_url(id_of(obj.get("id"))) or ""


def remote_fields(obj: dict) -> dict:
    """The columns of a RemoteObject from an Event or Article, all HTML sanitized."""
    content = str(sanitize(obj["content"])) if isinstance(obj.get("content"), str) else ""
    summary = visible_text(str(sanitize(obj.get("summary") or "")))
    name = (
        visible_text(str(sanitize(obj.get("name") or "")))
        if isinstance(obj.get("name"), str)
        else ""
    )
    published = parse_time(obj.get("published")) or timezone.now()
    fields = {
        "kind": OBJECT_KINDS[obj["type"]],
        "name": (name or summary or visible_text(content) or _("Untitled"))[:500],
        "summary": summary,
        "content": content,
        "url": page_url(obj)[:500],
        "published": published,
        "updated": parse_time(obj.get("updated")) or published,
        "data": obj,
    }
    if obj["type"] == "Event":
        fields |= {
            "start": parse_time(obj.get("startTime")),
            "end": parse_time(obj.get("endTime")),
            "time_zone": time_zone_of(obj.get("timezone")),
            "location": place_of(obj.get("location")),
            "is_online": obj.get("isOnline") is True,
            "cancelled": is_cancelled(obj),
        } | report_fields(obj)
    return fields


def can_publish(remote: RemoteActor, obj: dict, fetched_from: str = "") -> bool:
    """Only Events and Articles, and only from their own server.

    An object the Group sent itself must be on the Group's server; one we fetched (the
    object of an Announce) must be on the server we fetched it from.
    """
    uri = id_of(obj.get("id"))
    return (
        obj.get("type") in OBJECT_KINDS
        and bool(uri)
        and len(uri) <= 500
        and same_host(uri, fetched_from or remote.uri)
    )


@transaction.atomic
def store_remote_object(
    remote: RemoteActor, obj: dict, fetched_from: str = ""
) -> RemoteObject | None:
    """Create or update a remote meeting or story the Group shared; None when it may not."""
    if not can_publish(remote, obj, fetched_from):
        return None
    uri = id_of(obj["id"])
    existing = RemoteObject.objects.select_for_update().filter(uri=uri).first()
    if existing and existing.actor_id != remote.pk:
        return None
    fields = remote_fields(obj)
    if existing is None:
        existing = RemoteObject(uri=uri, actor=remote)
    for name, value in fields.items():
        setattr(existing, name, value)
    existing.save()
    queue_remote_changes([existing.pk])
    return existing


@transaction.atomic
def delete_remote_object(remote: RemoteActor, uri: str) -> int:
    """Remove a remote meeting or story its Group (or its origin server) deleted."""
    objects = RemoteObject.objects.filter(uri=uri)
    if not same_host(uri, remote.uri):
        objects = objects.filter(actor=remote)
    reindex(objects)
    removed, _details = objects.delete()
    return removed


@transaction.atomic
def forget_actor(remote: RemoteActor) -> None:
    """The remote actor deleted itself: its follows, followers and objects go with it."""
    reindex(remote.remote_objects.all())
    remote.delete()
