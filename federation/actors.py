"""Remote actors: fetch them (signed as the instance), remember them, find them by key or handle.

Every fetch goes through safefetch, the one guard for outbound requests. An actor's
document is trusted only for its own host: the id it declares must be on the host
it was fetched from, and so must its inbox and key.
"""

import datetime as dt
import json
import re
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.markup import sanitize, web_url
from federation.keys import signing_identity
from federation.models import RemoteActor

ACTOR_TYPES = {"Person", "Group", "Organization", "Application", "Service"}
# A known actor is refetched after this long, so renamed Groups and rotated keys catch up.
STALE_AFTER = dt.timedelta(days=1)
HANDLE = re.compile(r"@?(?P<user>[^@\s/]+)@(?P<host>[A-Za-z0-9.\-]+(?::\d{1,5})?)")
JRD_ACCEPT = "application/jrd+json, application/json"
AP_TYPES = ("application/activity+json", "application/ld+json")


class ActorError(Exception):
    """A remote actor could not be found, fetched or understood; the message says why."""


def instance_signer() -> tuple[str, str]:
    """The instance actor's key id and private key: every GET of a remote object is signed."""
    return signing_identity(None)


def same_host(first: str, second: str) -> bool:
    """Whether two URLs are on the same host and port (scheme-insensitive netloc)."""
    return bool(first and second) and urlsplit(first).netloc == urlsplit(second).netloc


def fetch_document(uri: str) -> dict:
    """A remote ActivityPub document, fetched through the guard and signed as the instance."""
    from federation.safefetch import FetchError, fetch_json

    try:
        return fetch_json(uri, sign_as=instance_signer())
    except FetchError as error:
        message = _("Could not fetch %(uri)s: %(error)s") % {"uri": uri, "error": error}
        raise ActorError(message) from None


def get_actor(uri: str, refresh: bool = False) -> RemoteActor:
    """The actor at this URI, from our records unless stale or `refresh` asks for a new copy."""
    known = RemoteActor.objects.filter(uri=uri).first()
    if known and not refresh and timezone.now() - known.fetched_at < STALE_AFTER:
        return known
    return store_actor(uri, fetch_document(uri))


def link_of(value) -> str:
    """The URL of a JSON-LD value that is a string, a Link/Image object, or a list of those."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("href") or value.get("url") or value.get("id") or ""
        return link_of(value)
    return value if isinstance(value, str) else ""


def id_of(value) -> str:
    """The id of an object given inline or by its id (activities may do either)."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def public_key_of(document: dict, key_id: str = "") -> dict:
    """The actor's publicKey entry (the one with `key_id` when it lists several)."""
    keys = document.get("publicKey") or {}
    keys = keys if isinstance(keys, list) else [keys]
    keys = [key for key in keys if isinstance(key, dict)]
    for key in keys:
        if not key_id or key.get("id") == key_id:
            return key
    return keys[0] if keys else {}


def text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def actor_fields(fetched_from: str, document: dict) -> dict:
    """The columns of a RemoteActor from its JSON; ActorError if it is not one we can trust."""
    uri, inbox = id_of(document.get("id")), link_of(document.get("inbox"))
    if document.get("type") not in ACTOR_TYPES:
        raise ActorError(_("%(uri)s is not an actor.") % {"uri": fetched_from})
    if not same_host(uri, fetched_from) or not same_host(inbox, uri) or len(uri) > 500:
        raise ActorError(_("%(uri)s describes an actor on another server.") % {"uri": fetched_from})
    key = public_key_of(document)
    if key and not same_host(id_of(key.get("id")), uri):
        raise ActorError(_("%(uri)s has a key on another server.") % {"uri": uri})
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    return {
        "type": document["type"],
        "preferred_username": text(document.get("preferredUsername"), 200),
        "name": text(document.get("name"), 300),
        "summary": str(sanitize(text(document.get("summary"), 20_000))),
        "url": text(web_url(link_of(document.get("url"))), 500),
        "icon_url": text(web_url(link_of(document.get("icon"))), 500),
        "inbox": inbox[:500],
        "shared_inbox": text(web_url(link_of(endpoints.get("sharedInbox"))), 500),
        "outbox": text(web_url(link_of(document.get("outbox"))), 500),
        "key_id": text(id_of(key.get("id")), 500),
        "public_key_pem": text(key.get("publicKeyPem"), 10_000),
        "fetched_at": timezone.now(),
    }


def store_actor(fetched_from: str, document: dict) -> RemoteActor:
    """Save (or refresh) the actor described by `document`, fetched from `fetched_from`."""
    fields = actor_fields(fetched_from, document)
    actor, _created = RemoteActor.objects.update_or_create(
        uri=id_of(document.get("id")), defaults=fields
    )
    return actor


def actor_for_key_id(key_id: str) -> RemoteActor:
    """The owner of a signing key: known already, or fetched from the key's URL."""
    known = RemoteActor.objects.filter(key_id=key_id).first()
    if known:
        return known
    document_url = key_id.split("#", 1)[0]
    if not web_url(document_url):
        raise ActorError(_("The key id is not a web address."))
    document = fetch_document(document_url)
    owner = id_of(document.get("owner"))
    if document.get("type") not in ACTOR_TYPES and owner:
        # The key is a document of its own (some servers): its owner is the actor.
        if not same_host(owner, document_url):
            raise ActorError(_("The key belongs to an actor on another server."))
        actor = get_actor(owner, refresh=True)
    else:
        actor = store_actor(document_url, document)
    if actor.key_id != key_id:
        raise ActorError(_("The actor does not publish the key %(key)s.") % {"key": key_id})
    return actor


def webfinger_url(user: str, host: str) -> str:
    """WebFinger over https; over http only where tests allow private networks."""
    scheme = "http" if getattr(settings, "FEDERATION_ALLOW_PRIVATE_NETWORKS", False) else "https"
    query = urlencode({"resource": f"acct:{user}@{host}"})
    return f"{scheme}://{host}/.well-known/webfinger?{query}"


def webfinger(user: str, host: str) -> str:
    """The actor URI that a WebFinger lookup of user@host names."""
    from federation.safefetch import FetchError, fetch

    try:
        response = fetch(webfinger_url(user, host), headers={"Accept": JRD_ACCEPT})
        if not 200 <= response.status < 300:
            raise FetchError(_("the server answered %(status)s") % {"status": response.status})
        links = json.loads(response.body).get("links") or []
    except (FetchError, ValueError, AttributeError) as error:
        raise ActorError(
            _("Could not look up @%(user)s@%(host)s: %(error)s")
            % {"user": user, "host": host, "error": error}
        ) from None
    for link in links if isinstance(links, list) else []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and str(link.get("type", "")).startswith(AP_TYPES)
        ):
            return link_of(link.get("href"))
    raise ActorError(
        _("@%(user)s@%(host)s has no ActivityPub actor.") % {"user": user, "host": host}
    )


def resolve_handle(handle_or_url: str) -> RemoteActor:
    """The actor named by a handle (@slug@host, found by WebFinger) or by its URL."""
    value = handle_or_url.strip()
    if value.startswith(("https://", "http://")):
        return get_actor(value, refresh=True)
    match = HANDLE.fullmatch(value)
    if not match:
        raise ActorError(_("Enter a handle such as @chapter@example.org, or a web address."))
    user, host = match["user"], match["host"].lower()
    actor = get_actor(webfinger(user, host), refresh=True)
    if actor.preferred_username.lower() != user.lower():
        raise ActorError(
            _("@%(user)s@%(host)s leads to a different actor.") % {"user": user, "host": host}
        )
    return actor
