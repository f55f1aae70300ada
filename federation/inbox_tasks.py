"""Processing what arrived in our inboxes, once each, after the inbox has verified it.

An item is processed under its row lock and only while it is still "received", so a
task that runs twice (a worker restarted mid-way) does nothing the second time.
Every change goes through a service in federation.following.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django_tasks import task

from federation import actors, following
from federation.actors import id_of, same_host
from federation.models import Following, InboxItem, RemoteActor

logger = logging.getLogger(__name__)


@task()
def process_inbox(item_id: int) -> None:
    """Act on one received activity: follows, answers, and remote meetings and stories."""
    process_item(item_id)


def process_item(item_id: int) -> InboxItem | None:
    """Handle the item if it still waits; record whether it was done, ignored or failed."""
    with transaction.atomic():
        item = InboxItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.status != InboxItem.Status.RECEIVED:
            return item
        try:
            with transaction.atomic():
                handled = handle(item)
            item.status = InboxItem.Status.DONE if handled else InboxItem.Status.IGNORED
        except Exception as error:  # one bad activity must not stop the queue
            logger.warning("inbox item %s failed: %s", item.pk, error, exc_info=True)
            item.status, item.error = InboxItem.Status.FAILED, str(error)[:2000]
        item.save(update_fields=["status", "error"])
        return item


def handle(item: InboxItem) -> bool:
    """Dispatch on the activity's type; True when it changed something."""
    sender = RemoteActor.objects.filter(uri=item.actor_uri).first()
    handler = HANDLERS.get(item.type)
    if sender is None or handler is None:
        return False
    return handler(sender, item.data)


def on_follow(sender: RemoteActor, activity: dict) -> bool:
    chapter = following.chapter_of_actor_id(id_of(activity.get("object")))
    if chapter is None:
        return False
    following.add_follower(chapter, sender, activity)
    return True


def on_undo(sender: RemoteActor, activity: dict) -> bool:
    """Undo(Follow) removes the follower; other undos (likes, boosts) do not concern us."""
    inner = activity.get("object")
    if isinstance(inner, dict):
        if inner.get("type") != "Follow" or id_of(inner.get("actor")) not in ("", sender.uri):
            return False
        chapter = following.chapter_of_actor_id(id_of(inner.get("object")))
        return chapter is not None and following.remove_follower(chapter, sender) > 0
    follower = sender.following_us.filter(follow_id=id_of(inner)).first()
    return follower is not None and following.remove_follower(follower.chapter, sender) > 0


def on_answer(sender: RemoteActor, activity: dict) -> bool:
    """Accept or Reject of one of our Follows, named by its id (or by who followed whom)."""
    inner = activity.get("object")
    follow_id = id_of(inner)
    if isinstance(inner, dict) and not sender.followed_by_us.filter(follow_id=follow_id).exists():
        chapter = following.chapter_of_actor_id(id_of(inner.get("actor")))
        if chapter is None or id_of(inner.get("object")) != sender.uri:
            return False
        match = Following.objects.filter(chapter=chapter, actor=sender).first()
        follow_id = match.follow_id if match else ""
    accepted = activity.get("type") == "Accept"
    return following.settle_following(sender, follow_id, accepted) is not None


def on_create(sender: RemoteActor, activity: dict) -> bool:
    """A new or changed Event or Article from a Group we follow; an Update of the actor itself."""
    obj = activity.get("object")
    if activity.get("type") == "Update" and id_of(obj) == sender.uri:
        actors.get_actor(sender.uri, refresh=True)
        return True
    if not following.is_followed(sender):
        return False
    return share(sender, obj)


def on_announce(sender: RemoteActor, activity: dict) -> bool:
    """A Group we follow shares an Event or Article: a Create, an object, or only its id."""
    if not following.is_followed(sender):
        return False
    obj = activity.get("object")
    if isinstance(obj, dict) and obj.get("type") in ("Create", "Update"):
        obj = obj.get("object")
    return share(sender, obj)


def share(sender: RemoteActor, obj) -> bool:
    """Store an object the sender shared; one from another server is fetched from its origin."""
    uri = id_of(obj)
    if not uri:
        return False
    if isinstance(obj, dict) and same_host(uri, sender.uri):
        return following.store_remote_object(sender, obj) is not None
    fetched = actors.fetch_document(uri)
    return following.store_remote_object(sender, fetched, fetched_from=uri) is not None


def on_delete(sender: RemoteActor, activity: dict) -> bool:
    """Delete of an object (or a Tombstone of it) removes it; Delete of the actor forgets it."""
    uri = id_of(activity.get("object"))
    if uri == sender.uri:
        following.forget_actor(sender)
        return True
    return bool(uri) and following.delete_remote_object(sender, uri) > 0


HANDLERS: dict[str, Callable[[RemoteActor, dict], bool]] = {
    "Follow": on_follow,
    "Undo": on_undo,
    "Accept": on_answer,
    "Reject": on_answer,
    "Create": on_create,
    "Update": on_create,
    "Announce": on_announce,
    "Delete": on_delete,
}
