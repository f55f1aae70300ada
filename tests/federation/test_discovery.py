"""How peers find and read us: WebFinger, host-meta, NodeInfo, actors and collections."""

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from importlib.metadata import version
from urllib.parse import quote, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.utils import timezone

from federation import activities, ids
from federation.models import Activity, Follower, RemoteActor
from tests.factories import ChapterFactory, UserFactory
from tests.meetings.factories import MeetingFactory
from tests.queries import assert_queries_do_not_grow
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

AP = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACTOR = "http://testserver/chapters/code4libnyc/"


def finger(client, resource: str):
    return client.get("/.well-known/webfinger", {"resource": resource})


_numbers = itertools.count()


def remote_actor() -> RemoteActor:
    uri = f"https://social{next(_numbers)}.example/users/ada"
    return RemoteActor.objects.create(uri=uri, inbox=uri + "/inbox")


# WebFinger ---------------------------------------------------------------------------


def test_webfinger_round_trip(client, chapter):
    response = finger(client, "acct:code4libnyc@testserver")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["subject"] == "acct:code4libnyc@testserver"
    self_link = next(link for link in document["links"] if link["rel"] == "self")
    assert self_link == {"rel": "self", "type": AP, "href": ACTOR}
    actor = client.get(urlsplit(self_link["href"]).path, HTTP_ACCEPT=AP).json()
    handle = f"acct:{actor['preferredUsername']}@{urlsplit(actor['id']).netloc}"
    assert finger(client, handle).json()["links"] == document["links"]


def test_webfinger_accepts_the_actor_url_and_a_bare_handle(client, chapter):
    assert finger(client, ACTOR).json()["subject"] == "acct:code4libnyc@testserver"
    assert finger(client, "code4libnyc@testserver").json()["aliases"] == [ACTOR]
    assert finger(client, "acct:Code4LibNYC@TestServer").status_code == 200


def test_webfinger_finds_the_instance_actor(client, db):
    document = finger(client, "acct:testserver@testserver").json()
    assert document["links"][0]["href"] == "http://testserver/actor"
    assert finger(client, "http://testserver/actor").status_code == 200


def test_webfinger_handles_carry_the_port(client, chapter, settings):
    settings.SITE_URL = "http://127.0.0.1:8001"
    assert finger(client, "acct:code4libnyc@127.0.0.1:8001").status_code == 200
    assert finger(client, "acct:code4libnyc@127.0.0.1").status_code == 404


@pytest.mark.parametrize(
    "resource",
    ["", "code4libnyc", "acct:", "acct:@testserver", "acct:code4libnyc@", "mailto:a@b",
     "acct:" + "x" * 600 + "@testserver"],
)  # fmt: skip
def test_malformed_resources_are_400_with_a_reason(client, chapter, resource):
    response = finger(client, resource)
    assert response.status_code == 400
    assert response.json()["error"]


def test_a_missing_resource_is_400(client, db):
    response = client.get("/.well-known/webfinger")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "resource",
    ["acct:nowhere@testserver", "acct:code4libnyc@elsewhere.example",
     "https://elsewhere.example/chapters/code4libnyc/",
     "http://testserver/chapters/code4libnyc/meetings/1/"],
)  # fmt: skip
def test_unknown_resources_are_404(client, chapter, resource):
    response = finger(client, resource)
    assert response.status_code == 404
    assert response.json()["error"]


def test_host_meta_points_at_webfinger(client, db):
    response = client.get("/.well-known/host-meta")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xrd+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    link = root.find("{http://docs.oasis-open.org/ns/xri/xrd-1.0}Link")
    assert link.get("rel") == "lrdd"
    template = link.get("template")
    assert template == "http://testserver/.well-known/webfinger?resource={uri}"
    resource = quote("acct:code4libnyc@testserver")
    assert urlsplit(template.replace("{uri}", resource)).path == "/.well-known/webfinger"


# NodeInfo ----------------------------------------------------------------------------


def test_nodeinfo_links_to_the_2_1_document_and_the_instance_actor(client, db):
    links = client.get("/.well-known/nodeinfo").json()["links"]
    by_rel = {link["rel"]: link["href"] for link in links}
    assert by_rel["http://nodeinfo.diaspora.software/ns/schema/2.1"] == (
        "http://testserver/nodeinfo/2.1"
    )
    assert by_rel["https://www.w3.org/ns/activitystreams#Application"] == (
        "http://testserver/actor"
    )


def test_nodeinfo_2_1_has_the_schema_fields(client, chapter, organizer, member):
    UserFactory(last_login=timezone.now() - dt.timedelta(days=3))
    UserFactory(last_login=timezone.now() - dt.timedelta(days=90))
    UserFactory(is_active=False)
    MeetingFactory(chapter=chapter)
    StoryFactory(chapter=chapter)
    StoryFactory(chapter=chapter, status="draft", published=None)
    response = client.get("/nodeinfo/2.1")
    assert response["Content-Type"].startswith("application/json")
    assert "schema/2.1#" in response["Content-Type"]
    info = response.json()
    assert info["version"] == "2.1"
    assert info["software"]["name"] == "chapterhouse"
    assert re.fullmatch(r"[a-z0-9-]+", info["software"]["name"])
    assert info["software"]["version"] == version("chapterhouse")
    assert info["protocols"] == ["activitypub"]
    assert set(info["services"]) == {"inbound", "outbound"}
    assert isinstance(info["openRegistrations"], bool)
    assert info["usage"]["users"] == {"total": 4, "activeMonth": 1, "activeHalfyear": 2}
    assert info["usage"]["localPosts"] == 2
    assert info["metadata"]["instanceActor"] == "http://testserver/actor"


# Actors ------------------------------------------------------------------------------


def test_the_group_actor_has_every_field_and_an_rsa_2048_key(client, chapter):
    chapter.description = "We meet **monthly**. <script>x()</script>"
    chapter.save()
    response = client.get("/chapters/code4libnyc/", HTTP_ACCEPT=AP)
    assert response["Content-Type"] == AP
    actor = response.json()
    assert actor["@context"][:2] == [activities.AS_CONTEXT, "https://w3id.org/security/v1"]
    assert actor["type"] == "Group"
    assert actor["id"] == actor["url"] == ACTOR
    assert actor["preferredUsername"] == "code4libnyc"
    assert actor["name"] == "Code4LibNYC"
    assert "<strong>monthly</strong>" in actor["summary"]
    assert "<script" not in actor["summary"]
    assert actor["inbox"] == ACTOR + "inbox"
    assert actor["outbox"] == ACTOR + "outbox"
    assert actor["followers"] == ACTOR + "followers"
    assert actor["endpoints"] == {"sharedInbox": "http://testserver/inbox"}
    assert actor["manuallyApprovesFollowers"] is False
    assert actor["discoverable"] is True
    assert "icon" not in actor
    assert actor["published"].endswith("Z")
    key = actor["publicKey"]
    assert key["id"] == ACTOR + "#main-key"
    assert key["owner"] == ACTOR
    public = load_pem_public_key(key["publicKeyPem"].encode())
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    again = client.get("/chapters/code4libnyc/", HTTP_ACCEPT=LD).json()
    assert again["publicKey"] == key


def test_the_instance_actor_is_an_application(client, db):
    response = client.get("/actor")
    assert response["Content-Type"] == AP
    actor = response.json()
    assert actor["type"] == "Application"
    assert actor["id"] == "http://testserver/actor"
    assert actor["inbox"] == "http://testserver/actor/inbox"
    assert actor["publicKey"]["id"] == "http://testserver/actor#main-key"
    assert load_pem_public_key(actor["publicKey"]["publicKeyPem"].encode()).key_size == 2048
    outbox = client.get(urlsplit(actor["outbox"]).path).json()
    assert outbox["type"] == "OrderedCollection"
    assert outbox["totalItems"] == 0


# Content negotiation on pages ---------------------------------------------------------


@pytest.mark.parametrize("accept", [AP, LD, f"{LD}, {AP}", f"{AP}, text/html;q=0.5"])
def test_pages_answer_activity_json_when_asked(client, chapter, accept):
    meeting = MeetingFactory(chapter=chapter)
    story = StoryFactory(chapter=chapter, slug="news")
    cases = [
        (chapter.get_absolute_url(), "Group"),
        (meeting.get_absolute_url(), "Event"),
        (story.get_absolute_url(), "Article"),
    ]
    for path, kind in cases:
        response = client.get(path, HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"] == AP
        assert "Accept" in response["Vary"]
        assert response.json()["type"] == kind
        assert response.json()["id"] == "http://testserver" + path


@pytest.mark.parametrize(
    "accept", [BROWSER, "text/html", "", "application/ld+json", f"{AP};q=0.5, text/html"]
)
def test_pages_stay_html_otherwise(client, chapter, accept):
    meeting = MeetingFactory(chapter=chapter, title="Winter meetup")
    story = StoryFactory(chapter=chapter, slug="news", title="Big news")
    cases = [(chapter, "Code4LibNYC"), (meeting, "Winter meetup"), (story, "Big news")]
    for obj, text in cases:
        response = client.get(obj.get_absolute_url(), HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "Accept" in response["Vary"]
        assert text in response.content.decode()


def test_drafts_and_unknown_objects_are_json_404s(organizer_client, chapter):
    draft = StoryFactory(chapter=chapter, slug="draft", status="draft", published=None)
    assert organizer_client.get(draft.get_absolute_url()).status_code == 200
    for path in [draft.get_absolute_url(), "/chapters/nowhere/",
                 "/chapters/code4libnyc/meetings/999999/"]:  # fmt: skip
        response = organizer_client.get(path, HTTP_ACCEPT=AP)
        assert response.status_code == 404
        assert response.json()["error"]


def test_event_content_in_json_is_sanitized(client, chapter):
    meeting = MeetingFactory(chapter=chapter, description="<script>alert(1)</script>Hi")
    response = client.get(meeting.get_absolute_url(), HTTP_ACCEPT=AP)
    assert b"<script" not in response.content
    assert "<script" not in response.json()["content"]


# Outbox ------------------------------------------------------------------------------


def publish_activities(chapter, count: int, public: bool = True) -> None:
    start = timezone.now() - dt.timedelta(days=1)
    for n in range(count):
        data = {"@context": activities.AS_CONTEXT, "type": "Create", "n": n}
        Activity.objects.create(chapter=chapter, type="Create", data=data, public=public,
                                created=start + dt.timedelta(minutes=n))  # fmt: skip


def test_the_outbox_is_paged_newest_first(client, chapter):
    publish_activities(chapter, 45)
    publish_activities(chapter, 3, public=False)
    publish_activities(ChapterFactory(), 2)
    root = client.get("/chapters/code4libnyc/outbox").json()
    outbox = ACTOR + "outbox"
    assert root["type"] == "OrderedCollection"
    assert root["id"] == outbox
    assert root["totalItems"] == 45
    assert root["first"] == outbox + "?page=1"
    assert root["last"] == outbox + "?page=3"
    first = client.get("/chapters/code4libnyc/outbox", {"page": 1}).json()
    assert first["type"] == "OrderedCollectionPage"
    assert first["partOf"] == outbox
    assert [item["n"] for item in first["orderedItems"]] == list(range(44, 24, -1))
    assert "@context" not in first["orderedItems"][0]
    assert first["next"] == outbox + "?page=2"
    assert "prev" not in first
    last = client.get("/chapters/code4libnyc/outbox", {"page": 3}).json()
    assert [item["n"] for item in last["orderedItems"]] == [4, 3, 2, 1, 0]
    assert last["prev"] == outbox + "?page=2"
    assert "next" not in last


def test_an_empty_outbox_has_one_empty_page(client, chapter):
    root = client.get("/chapters/code4libnyc/outbox").json()
    assert root["totalItems"] == 0
    page = client.get(root["first"].removeprefix("http://testserver")).json()
    assert page["orderedItems"] == []


@pytest.mark.parametrize("page,status", [("4", 404), ("0", 404), ("abc", 400), ("-1", 400),
                                         ("1" * 30, 400)])  # fmt: skip
def test_bad_outbox_pages_are_refused(client, chapter, page, status):
    publish_activities(chapter, 45)
    response = client.get("/chapters/code4libnyc/outbox", {"page": page})
    assert response.status_code == status
    assert response.json()["error"]


def test_unknown_chapters_have_no_collections(client, db):
    assert client.get("/chapters/nowhere/outbox").status_code == 404
    assert client.get("/chapters/nowhere/followers").status_code == 404


def test_outbox_queries_do_not_grow(client, chapter):
    publish_activities(chapter, 2)
    url = "/chapters/code4libnyc/outbox?page=1"
    assert_queries_do_not_grow(client, url, lambda: publish_activities(chapter, 15))


# Followers ---------------------------------------------------------------------------


def add_followers(chapter, count: int) -> list[str]:
    actors = [remote_actor() for _ in range(count)]
    for actor in actors:
        Follower.objects.create(chapter=chapter, actor=actor)
    return [actor.uri for actor in actors]


def test_anyone_sees_the_follower_count_only(client, member_client, chapter):
    add_followers(chapter, 3)
    for viewer in (client, member_client):
        response = viewer.get("/chapters/code4libnyc/followers")
        data = response.json()
        assert data["type"] == "OrderedCollection"
        assert data["id"] == ACTOR + "followers"
        assert data["totalItems"] == 3
        assert "orderedItems" not in data
        assert "Cookie" in response["Vary"]


def test_organizers_see_who_follows(organizer_client, chapter):
    uris = add_followers(chapter, 3)
    other = ChapterFactory()
    Follower.objects.create(chapter=other, actor=remote_actor())
    data = organizer_client.get("/chapters/code4libnyc/followers").json()
    assert data["orderedItems"] == uris
    assert data["totalItems"] == 3


def test_followers_queries_do_not_grow(organizer_client, chapter):
    add_followers(chapter, 1)
    url = "/chapters/code4libnyc/followers"
    assert_queries_do_not_grow(organizer_client, url, lambda: add_followers(chapter, 10))


# Activities --------------------------------------------------------------------------


def test_a_public_activity_is_served_at_its_id(client, chapter):
    data = activities.wrap("Create", chapter, activities.event(MeetingFactory(chapter=chapter)))
    Activity.objects.create(id=ids.activity_uuid(data["id"]), chapter=chapter, type="Create",
                            data=data)  # fmt: skip
    response = client.get(urlsplit(data["id"]).path)
    assert response.status_code == 200
    assert response["Content-Type"] == AP
    assert response.json() == data


def test_private_and_unknown_activities_are_404(client, chapter):
    hidden = Activity.objects.create(chapter=chapter, type="Accept", data={}, public=False)
    assert client.get(f"/activities/{hidden.pk}").status_code == 404
    assert client.get("/activities/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/activities/not-a-uuid").status_code == 404


def test_discovery_is_read_only(client, chapter):
    for path in [
        "/.well-known/webfinger",
        "/nodeinfo/2.1",
        "/actor",
        "/chapters/code4libnyc/outbox",
    ]:
        assert client.post(path).status_code == 405
