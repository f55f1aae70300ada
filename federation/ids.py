"""The public addresses of our actors, objects and activities.

Every part of federation builds identifiers here so that an id written into an
activity today is the same string a peer fetches tomorrow. Ids hang off
settings.SITE_URL, never off the request, because peers sign and cache them.
"""

import uuid
from urllib.parse import urlsplit

from django.conf import settings

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def host() -> str:
    """The host part of handles (@slug@host): the site's host, with its port if it has one."""
    return urlsplit(site_url()).netloc.lower()


def absolute(path: str) -> str:
    """A site-relative path as a full URL on this site."""
    return site_url() + path


def _slug(chapter_or_slug) -> str:
    return chapter_or_slug if isinstance(chapter_or_slug, str) else chapter_or_slug.slug


def chapter_actor_id(chapter_or_slug) -> str:
    """A chapter's Group actor id: its page, so people and servers share one address."""
    return f"{site_url()}/chapters/{_slug(chapter_or_slug)}/"


def chapter_inbox(chapter_or_slug) -> str:
    return chapter_actor_id(chapter_or_slug) + "inbox"


def chapter_outbox(chapter_or_slug) -> str:
    return chapter_actor_id(chapter_or_slug) + "outbox"


def chapter_followers(chapter_or_slug) -> str:
    return chapter_actor_id(chapter_or_slug) + "followers"


def chapter_handle(chapter_or_slug) -> str:
    return f"@{_slug(chapter_or_slug)}@{host()}"


def instance_actor_id() -> str:
    return f"{site_url()}/actor"


def instance_inbox() -> str:
    return f"{site_url()}/actor/inbox"


def instance_username() -> str:
    """The Application actor's preferredUsername: the host, which no slug can equal."""
    return urlsplit(site_url()).hostname or "instance"


def shared_inbox() -> str:
    return f"{site_url()}/inbox"


def actor_id(chapter=None) -> str:
    """The Group actor of a chapter, or the instance's Application actor for None."""
    return instance_actor_id() if chapter is None else chapter_actor_id(chapter)


def key_id(chapter=None) -> str:
    return actor_id(chapter) + "#main-key"


def activity_id(activity_uuid) -> str:
    return f"{site_url()}/activities/{activity_uuid}"


def new_activity_id() -> str:
    """A fresh activity id; activity_uuid() gives back the UUID to store as the Activity's key."""
    return activity_id(uuid.uuid4())


def activity_uuid(activity_url: str) -> uuid.UUID | None:
    """The UUID in one of our activity ids, or None when the URL is not one."""
    prefix = f"{site_url()}/activities/"
    if not activity_url.startswith(prefix):
        return None
    try:
        return uuid.UUID(activity_url[len(prefix) :])
    except ValueError:
        return None


def meeting_id(meeting) -> str:
    return absolute(meeting.get_absolute_url())


def story_id(story) -> str:
    return absolute(story.get_absolute_url())


def is_local(uri: str) -> bool:
    """Whether a URI names something on this site."""
    return uri == site_url() or uri.startswith(site_url() + "/")
