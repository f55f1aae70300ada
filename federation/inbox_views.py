"""Inboxes: a chapter's, the shared one and the instance actor's.

Nothing is believed before it is checked: the size, then the JSON, then the HTTP
signature of the key's owner, who must be the activity's actor. Only then is the
activity stored (its id is unique, so a replay is answered 200 and never processed
again) and answered 202; process_inbox does the rest in the background.
"""

import datetime as dt
import json
import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chapterhouse.tasks import enqueue_on_commit
from chapters.models import Chapter
from federation import actors, inbox_tasks
from federation.actors import id_of
from federation.models import InboxItem, RemoteActor

logger = logging.getLogger(__name__)

MAX_BODY = 1_000_000
MAX_DEPTH = 20
MAX_ID_LENGTH = 500
KEY_REFRESH_AFTER = dt.timedelta(minutes=1)


class Refusal(Exception):
    """A request the inbox will not take, with the status and reason to answer."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON nests objects and arrays deeper than `limit` (checked without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


def read_body(request: HttpRequest) -> bytes:
    """The raw body, refused with 413 past MAX_BODY whatever Content-Length claims."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        raise Refusal(400, _("The Content-Length header is not a number.")) from None
    if declared > MAX_BODY:
        raise Refusal(413, _("The body is larger than %(max)d bytes.") % {"max": MAX_BODY})
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise Refusal(413, _("The body is larger than %(max)d bytes.") % {"max": MAX_BODY})
    return body


def parse_activity(body: bytes) -> dict:
    """The activity as a dict with an id, a type and an actor; 400 for anything else."""
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError):
        raise Refusal(400, _("The body is not valid JSON.")) from None
    if too_deep(activity):
        raise Refusal(400, _("The JSON is nested too deeply.")) from None
    if not isinstance(activity, dict):
        raise Refusal(400, _("The body is not an activity."))
    activity_id, actor = id_of(activity.get("id")), id_of(activity.get("actor"))
    if not isinstance(activity.get("type"), str) or not activity_id or not actor:
        raise Refusal(400, _("The activity needs an id, a type and an actor."))
    if len(activity_id) > MAX_ID_LENGTH or len(actor) > MAX_ID_LENGTH:
        raise Refusal(400, _("The activity's id or actor is too long."))
    if "\\u0000" in json.dumps(activity):
        # PostgreSQL cannot store NUL characters in text or JSON.
        raise Refusal(400, _("The activity contains NUL characters."))
    return activity


def signer_of(request: HttpRequest, body: bytes, actor_uri: str) -> RemoteActor:
    """The verified sender: the key's owner, who must be `actor_uri`; 401 otherwise."""
    from federation.httpsig import SignatureError, key_id_of, verify_request

    try:
        key_id = key_id_of(request.headers)
        owner = actors.actor_for_key_id(key_id)
    except SignatureError as error:
        raise Refusal(401, error.reason) from None
    except actors.ActorError as error:
        raise Refusal(
            401, _("The signing key could not be fetched: %(e)s") % {"e": error}
        ) from None
    if owner.uri != actor_uri:
        raise Refusal(401, _("The signing key's owner is not the activity's actor."))
    path = request.get_full_path()
    try:
        verify_request(request.method, path, request.headers, body, owner.public_key_pem)
    except SignatureError as error:
        refreshed = refetched_key(owner)
        if refreshed is None:
            raise Refusal(401, error.reason) from None
        try:
            verify_request(request.method, path, request.headers, body, refreshed.public_key_pem)
        except SignatureError as error_again:
            raise Refusal(401, error_again.reason) from None
        owner = refreshed
    return owner


def refetched_key(owner: RemoteActor) -> RemoteActor | None:
    """The owner fetched anew when its stored key may have been rotated, else None.

    A key fetched within the last minute is not fetched again, so forged requests cannot
    make us hammer a server with fetches.
    """
    if timezone.now() - owner.fetched_at < KEY_REFRESH_AFTER:
        return None
    try:
        refreshed = actors.get_actor(owner.uri, refresh=True)
    except actors.ActorError:
        return None
    changed = refreshed.public_key_pem != owner.public_key_pem
    return refreshed if changed else None


def is_unknown_actor_deleting_itself(activity: dict) -> bool:
    """Servers announce deleted accounts to everyone; with the key gone there is nothing to do."""
    actor = id_of(activity.get("actor"))
    return (
        activity.get("type") == "Delete"
        and id_of(activity.get("object")) == actor
        and not RemoteActor.objects.filter(uri=actor).exists()
    )


def store(activity: dict, sender: RemoteActor, chapter: Chapter | None) -> bool:
    """Keep the activity for processing; False when its id was seen before (a replay)."""
    try:
        with transaction.atomic():
            item = InboxItem.objects.create(
                activity_id=id_of(activity["id"]),
                chapter=chapter,
                actor_uri=sender.uri,
                type=activity["type"][:40],
                data=activity,
            )
            enqueue_on_commit(inbox_tasks.process_inbox, item.pk)
    except IntegrityError:
        return False
    return True


def receive(request: HttpRequest, chapter: Chapter | None) -> HttpResponse:
    """Check, store and acknowledge one activity posted to an inbox."""
    try:
        body = read_body(request)
        activity = parse_activity(body)
        if is_unknown_actor_deleting_itself(activity):
            return plain(202, _("Nothing to do."))
        sender = signer_of(request, body, id_of(activity["actor"]))
    except Refusal as refusal:
        logger.info("inbox refused a request (%s): %s", refusal.status, refusal.reason)
        response = plain(refusal.status, refusal.reason)
        if refusal.status == 401:
            response["WWW-Authenticate"] = 'Signature headers="(request-target) host date digest"'
        return response
    if not store(activity, sender, chapter):
        return plain(200, _("Already received."))
    return plain(202, _("Accepted."))


def plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def chapter_inbox(request: HttpRequest, slug: str) -> HttpResponse:
    """A chapter Group's own inbox."""
    return receive(request, get_object_or_404(Chapter, slug=slug))


@csrf_exempt
@require_POST
def shared_inbox(request: HttpRequest) -> HttpResponse:
    """The inbox every chapter shares, so a server sends one copy for all of them."""
    return receive(request, None)


@csrf_exempt
@require_POST
def instance_inbox(request: HttpRequest) -> HttpResponse:
    """The instance Application actor's inbox."""
    return receive(request, None)
