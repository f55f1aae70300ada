"""The JSON API as users and attackers meet it: tokens, who may read and write what, errors."""

import datetime as dt
import hashlib
import http.client
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from api import services as token_services
from api.models import ApiToken
from meetings import services as meeting_services
from meetings.models import Meeting, Rsvp, Talk
from projects.models import Contributor, Project
from stories.models import Story
from tests.conftest import client_for
from tests.factories import (
    ChapterFactory,
    FocusAreaFactory,
    MembershipFactory,
    OrganizerFactory,
    UserFactory,
)
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import ContributorFactory, ProjectFactory
from tests.queries import assert_queries_do_not_grow
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

BASE = "/api/chapters/code4libnyc"


def token_for(user) -> str:
    return token_services.create_token(user, "test script")[1]


def api_client(user=None) -> Client:
    """A client that sends a fresh token of `user`'s, or none at all."""
    if user is None:
        return Client()
    return Client(headers={"authorization": f"Bearer {token_for(user)}"})


def counted_client(user=None) -> Client:
    """A token client whose first request is done: marking a token used is a one-off write."""
    client = api_client(user)
    client.get("/api/me/" if user else "/api/")
    return client


def post_json(client: Client, url: str, data, method: str = "post"):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def meeting(chapter):
    return MeetingFactory(chapter=chapter, capacity=2, guests_allowed=1)


# Tokens: made on a page, shown once, stored as a hash, revocable.


def test_a_token_is_shown_once_and_only_its_hash_is_kept(member, member_client):
    response = member_client.post("/api/tokens/", {"name": "Calendar sync"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    text = re.search(r'value="(chp_[^"]+)"', response.text).group(1)
    token = ApiToken.objects.get()
    assert token.user == member and token.name == "Calendar sync"
    assert token.token_hash == hashlib.sha256(text.encode()).hexdigest()
    assert token.prefix == text[:12]
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert text not in stored and text[12:] not in stored

    listing = member_client.get("/api/tokens/")
    assert token.prefix in listing.text and text not in listing.text

    me = Client(headers={"authorization": f"Bearer {text}"}).get("/api/me/")
    assert me.status_code == 200
    assert me.json() == {
        "id": member.pk,
        "display_name": member.display_name,
        "chapters": [{"chapter": "code4libnyc", "role": "member"}],
    }
    token.refresh_from_db()
    assert token.last_used is not None


def test_a_revoked_token_stops_working_at_once(member, member_client):
    text = token_for(member)
    client = Client(headers={"authorization": f"Bearer {text}"})
    assert client.get("/api/me/").status_code == 200
    token = ApiToken.objects.get()

    response = member_client.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked is not None
    refused = client.get("/api/me/")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert "Calendar" not in member_client.get("/api/tokens/").text


def test_nobody_revokes_another_members_token(member, outsider):
    token_for(member)
    token = ApiToken.objects.get()
    response = client_for(outsider).post(f"/api/tokens/{token.pk}/revoke/", follow=True)
    assert "no such token" in response.text
    token.refresh_from_db()
    assert token.revoked is None


def test_the_token_page_needs_a_login_and_a_name(member_client):
    response = Client().get("/api/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().post("/api/tokens/", {"name": "x"}).status_code == 302
    bad = member_client.post("/api/tokens/", {"name": ""})
    assert bad.status_code == 400 and 'id="id_name_error"' in bad.text
    assert not ApiToken.objects.exists()


def test_a_member_keeps_at_most_twenty_tokens(member, member_client):
    for _ in range(token_services.MAX_ACTIVE_TOKENS):
        token_for(member)
    response = member_client.post("/api/tokens/", {"name": "one too many"})
    assert response.status_code == 400 and "revoke one" in response.text
    assert ApiToken.objects.count() == token_services.MAX_ACTIVE_TOKENS


def test_tokens_of_deactivated_accounts_stop_working(member):
    client = api_client(member)
    member.is_active = False
    member.save()
    assert client.get("/api/me/").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer chp_" + "x" * 43,  # well formed, unknown
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Token chp_" + "x" * 43,
    ],
)
def test_bad_credentials_are_refused_even_on_public_reads(chapter, header):
    client = Client(headers={"authorization": header})
    for url in ("/api/chapters/", "/api/me/", f"{BASE}/meetings/"):
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert isinstance(response.json()["detail"], str)


def test_a_logged_in_browser_session_cannot_write(member_client, meeting):
    """Only tokens count: a page elsewhere cannot make a member's browser RSVP (no CSRF)."""
    response = post_json(member_client, f"{BASE}/meetings/{meeting.pk}/rsvp/", {})
    assert response.status_code == 401
    assert not Rsvp.objects.exists()
    assert member_client.get("/api/me/").status_code == 401


# Reading: what everyone sees, what tokens add, and lists that cost the same at any size.


def test_chapters_and_a_chapter(chapter, member):
    FocusAreaFactory(chapter=chapter, name="Discovery")
    listing = Client().get("/api/chapters/").json()
    assert listing["count"] == 1
    assert listing["items"][0]["slug"] == "code4libnyc"
    assert listing["items"][0]["member_count"] == 2  # the organizer and the member
    detail = Client().get(f"{BASE}/").json()
    assert detail["focus_areas"][0]["name"] == "Discovery"
    assert detail["url"] == "http://testserver/chapters/code4libnyc/"
    assert Client().get("/api/chapters/nowhere/").status_code == 404


def test_the_chapter_list_costs_the_same_for_many_chapters(chapter):
    def add_rows():
        for _ in range(5):
            MembershipFactory.create_batch(2, chapter=ChapterFactory())

    assert_queries_do_not_grow(Client(), "/api/chapters/", add_rows)


def test_upcoming_and_past_meetings_with_pagination(chapter):
    now = timezone.now()
    soon = [
        MeetingFactory(chapter=chapter, start=now + dt.timedelta(days=day)) for day in (3, 1, 2)
    ]
    MeetingFactory(chapter=chapter, start=now - dt.timedelta(days=30), title="Last month")
    MeetingFactory(start=now + dt.timedelta(days=1))  # another chapter's

    upcoming = Client().get(f"{BASE}/meetings/?limit=2").json()
    assert upcoming["count"] == 3
    assert [m["id"] for m in upcoming["items"]] == [soon[1].pk, soon[2].pk]
    rest = Client().get(f"{BASE}/meetings/?limit=2&offset=2").json()
    assert [m["id"] for m in rest["items"]] == [soon[0].pk]
    past = Client().get(f"{BASE}/meetings/?when=past").json()
    assert [m["title"] for m in past["items"]] == ["Last month"]

    for query in ("limit=101", "limit=0", "offset=-1", "when=tomorrow", "limit=x"):
        response = Client().get(f"{BASE}/meetings/?{query}")
        assert response.status_code == 422, query
        assert isinstance(response.json()["detail"], list)


def test_the_meeting_list_costs_the_same_for_many_meetings(chapter, member):
    MeetingFactory(chapter=chapter)

    def add_rows():
        for _ in range(5):
            meeting = MeetingFactory(chapter=chapter)
            meeting_services.rsvp(meeting, member)

    assert_queries_do_not_grow(counted_client(member), f"{BASE}/meetings/", add_rows)


def test_the_online_link_is_for_those_going_and_organizers(chapter, organizer, member):
    meeting = MeetingFactory(chapter=chapter, online_url="https://meet.example.org/c4l")
    url = f"{BASE}/meetings/{meeting.pk}/"
    assert Client().get(url).json()["online_url"] is None
    member_api = api_client(member)
    assert member_api.get(url).json()["online_url"] is None
    assert member_api.get(url).json()["my_rsvp"] is None
    assert api_client(organizer).get(url).json()["online_url"] == meeting.online_url

    meeting_services.rsvp(meeting, member)
    detail = member_api.get(url).json()
    assert detail["online_url"] == meeting.online_url
    assert detail["my_rsvp"] == {"status": "going", "guests": 0, "waitlist_position": None}
    assert detail["going"] == 1


def test_talks_shown_by_who_asks(chapter, organizer, member, outsider, meeting):
    accepted = Talk.objects.create(
        meeting=meeting, title="Solr at scale", speakers="Ada", status=Talk.Status.ACCEPTED
    )
    proposed = Talk.objects.create(
        meeting=meeting, title="Mine", speakers="Member", proposer=member
    )
    Talk.objects.create(meeting=meeting, title="Declined", speakers="Bo", status="declined")
    url = f"{BASE}/meetings/{meeting.pk}/talks/"

    def titles(client):
        return {talk["title"] for talk in client.get(url).json()["items"]}

    assert titles(Client()) == titles(api_client(outsider)) == {"Solr at scale"}
    assert titles(api_client(member)) == {"Solr at scale", "Mine"}
    assert titles(api_client(organizer)) == {"Solr at scale", "Mine", "Declined"}
    items = {talk["id"]: talk for talk in api_client(member).get(url).json()["items"]}
    assert items[accepted.pk]["url"].endswith(f"/talks/{accepted.pk}/about/")
    assert items[proposed.pk]["url"] is None


def test_the_talk_list_costs_the_same_for_many_talks(chapter, organizer, meeting):
    Talk.objects.create(meeting=meeting, title="First", speakers="Ada", status="accepted")

    def add_rows():
        for number in range(5):
            Talk.objects.create(meeting=meeting, title=f"Talk {number}", speakers="Bo")

    url = f"{BASE}/meetings/{meeting.pk}/talks/"
    assert_queries_do_not_grow(counted_client(organizer), url, add_rows)


def test_drafts_are_for_their_author_and_the_organizers(chapter, organizer, member, outsider):
    StoryFactory(chapter=chapter, slug="news", title="News")
    StoryFactory(chapter=chapter, slug="draft", status="draft", published=None, author=member)
    StoryFactory(
        chapter=chapter, slug="later", published=timezone.now() + dt.timedelta(days=2)
    )  # scheduled, not yet public

    def slugs(client):
        return [story["slug"] for story in client.get(f"{BASE}/stories/").json()["items"]]

    assert slugs(Client()) == slugs(api_client(outsider)) == ["news"]
    assert set(slugs(api_client(member))) == {"news", "draft"}
    assert set(slugs(api_client(organizer))) == {"news", "draft", "later"}
    assert Client().get(f"{BASE}/stories/draft/").status_code == 404
    assert api_client(outsider).get(f"{BASE}/stories/draft/").status_code == 404
    detail = api_client(organizer).get(f"{BASE}/stories/draft/").json()
    assert detail["status"] == "draft"
    assert detail["body_html"] == "<p>Some <strong>news</strong>.</p>\n"


def test_the_story_list_costs_the_same_for_many_stories(chapter, organizer):
    StoryFactory(chapter=chapter, author=organizer, categories=["Solr"])

    def add_rows():
        for number in range(5):
            StoryFactory(chapter=chapter, author=organizer, categories=[f"Topic {number}"])
            StoryFactory(chapter=chapter, status="draft", published=None)

    assert_queries_do_not_grow(counted_client(organizer), f"{BASE}/stories/", add_rows)


def test_projects_filtered_as_on_their_page(chapter):
    ProjectFactory(chapter=chapter, name="Catalog", technologies=["Solr", "Blacklight"])
    ProjectFactory(chapter=chapter, name="Archive", technologies=["Fedora"], status="retired")
    listing = Client().get(f"{BASE}/projects/").json()
    assert [p["name"] for p in listing["items"]] == ["Archive", "Catalog"]
    solr = Client().get(f"{BASE}/projects/?technology=solr").json()
    assert [p["name"] for p in solr["items"]] == ["Catalog"]
    retired = Client().get(f"{BASE}/projects/?status=retired").json()
    assert [p["name"] for p in retired["items"]] == ["Archive"]
    unknown = Client().get(f"{BASE}/projects/?technology=cobol")
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "technology"]


def test_the_project_list_costs_the_same_for_many_projects(chapter, member):
    area = FocusAreaFactory(chapter=chapter)
    ProjectFactory(chapter=chapter, technologies=["Solr"]).focus_areas.add(area)

    def add_rows():
        for number in range(5):
            project = ProjectFactory(chapter=chapter, technologies=[f"Tech {number}", "Koha"])
            project.focus_areas.add(area)
            ContributorFactory(project=project, user=member)

    assert_queries_do_not_grow(Client(), f"{BASE}/projects/", add_rows)


def test_a_project_with_its_contributors(chapter, member):
    project = ProjectFactory(chapter=chapter, slug="catalog", technologies=["Solr"])
    ContributorFactory(project=project, user=member, role="Maintainer")
    detail = Client().get(f"{BASE}/projects/catalog/").json()
    assert detail["contributors"] == [{"name": member.display_name, "role": "Maintainer"}]
    assert detail["technologies"] == ["Solr"]
    assert Client().get(f"{BASE}/projects/nothing/").status_code == 404


# RSVPs: through the same service as the meeting page, so seats and the waitlist hold.


def test_rsvp_needs_a_token_and_membership(chapter, outsider, meeting):
    url = f"{BASE}/meetings/{meeting.pk}/rsvp/"
    assert post_json(Client(), url, {}).status_code == 401
    refused = post_json(api_client(outsider), url, {})
    assert refused.status_code == 403 and "Join the chapter" in refused.json()["detail"]
    assert not Rsvp.objects.exists()


def test_rsvp_seats_then_waitlist_then_promotion(chapter, member, meeting):
    first, second = (m.user for m in MembershipFactory.create_batch(2, chapter=chapter))
    url = f"{BASE}/meetings/{meeting.pk}/rsvp/"
    assert post_json(api_client(first), url, {"guests": 1}).json()["status"] == "going"
    member_api = api_client(member)
    waiting = post_json(member_api, url, {})
    assert waiting.status_code == 200
    assert waiting.json() == {"status": "waitlisted", "guests": 0, "waitlist_position": 1}
    assert member_api.get(url).json()["waitlist_position"] == 1
    assert post_json(api_client(second), url, {}).json()["waitlist_position"] == 2

    assert api_client(first).delete(url).status_code == 204
    assert Rsvp.objects.get(user=first).status == "cancelled"
    assert Rsvp.objects.get(user=member).status == "going"
    assert Rsvp.objects.get(user=second).status == "going"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_rsvps_over_http_never_exceed_capacity(live_server, chapter):
    """A dozen members' programs answer at the same moment; the meeting's lock holds."""
    meeting = MeetingFactory(chapter=chapter, capacity=3)
    tokens = [token_for(m.user) for m in MembershipFactory.create_batch(12, chapter=chapter)]
    server = urlsplit(live_server.url)
    start = threading.Barrier(len(tokens))

    def answer(token: str) -> dict:
        connection = http.client.HTTPConnection(server.hostname, server.port, timeout=60)
        start.wait()
        connection.request(
            "POST", f"{BASE}/meetings/{meeting.pk}/rsvp/", body=b"{}",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        response = connection.getresponse()
        assert response.status == 200
        return json.load(response)

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        answers = list(pool.map(answer, tokens))
    assert [a["status"] for a in answers].count("going") == 3
    positions = sorted(a["waitlist_position"] for a in answers if a["status"] == "waitlisted")
    assert positions == list(range(1, 10))
    assert Rsvp.objects.filter(meeting=meeting, status="going").count() == 3


def test_an_rsvp_without_a_body_means_no_guests(member, meeting):
    client = api_client(member)
    response = client.post(f"{BASE}/meetings/{meeting.pk}/rsvp/", b"", content_type="")
    assert response.status_code == 200 and response.json()["guests"] == 0


def test_rsvp_refusals_say_why_and_change_nothing(chapter, member, meeting):
    url = f"{BASE}/meetings/{meeting.pk}/rsvp/"
    client = api_client(member)
    too_many = post_json(client, url, {"guests": 2})
    assert too_many.status_code == 422 and "at most 1 guests" in json.dumps(too_many.json())
    assert post_json(client, url, {"guests": 11}).status_code == 422
    assert post_json(client, url, {"guests": "lots"}).status_code == 422
    assert not Rsvp.objects.exists()

    Meeting.objects.filter(pk=meeting.pk).update(rsvp_closes=timezone.now())
    closed = post_json(client, url, {})
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]
    assert not Rsvp.objects.exists()

    missing = post_json(client, f"{BASE}/meetings/{meeting.pk + 1000}/rsvp/", {})
    assert missing.status_code == 404
    other = MeetingFactory()
    assert post_json(client, f"{BASE}/meetings/{other.pk}/rsvp/", {}).status_code == 404
    assert client.get(url).status_code == 404  # no answer yet


def test_the_pages_rate_limits_hold_and_answer_429(settings, chapter, organizer, member):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rsvp:account": (2, 600)}
    meeting = MeetingFactory(chapter=chapter)
    url = f"{BASE}/meetings/{meeting.pk}/rsvp/"
    client = api_client(member)
    assert post_json(client, url, {}).status_code == 200
    assert client.delete(url).status_code == 204
    refused = post_json(client, url, {})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0 and "try again" in refused.json()["detail"]
    assert Rsvp.objects.get(user=member).status == "cancelled"

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "story:account": (1, 3600)}
    writer = api_client(organizer)
    assert post_json(writer, f"{BASE}/stories/", {"title": "One"}).status_code == 201
    assert post_json(writer, f"{BASE}/stories/", {"title": "Two"}).status_code == 429
    assert list(Story.objects.values_list("title", flat=True)) == ["One"]


# Talks, stories and projects: the page's forms check the input, its services decide who may.


def test_members_propose_talks(member, outsider, meeting):
    url = f"{BASE}/meetings/{meeting.pk}/talks/"
    proposal = {"title": "Linked data in practice", "kind": "talk", "abstract": "Why and how."}
    response = post_json(api_client(member), url, proposal)
    assert response.status_code == 201
    talk = Talk.objects.get()
    assert talk.proposer == member and talk.status == "proposed"
    assert talk.speakers == member.display_name
    assert response.json()["id"] == talk.pk and response.json()["minutes"] == 20

    refused = post_json(api_client(outsider), url, proposal)
    assert refused.status_code == 403
    assert post_json(Client(), url, proposal).status_code == 401
    blank = post_json(api_client(member), url, {**proposal, "title": "   "})
    assert blank.status_code == 422 and blank.json()["detail"][0]["loc"] == ["body", "title"]
    assert Talk.objects.count() == 1


def test_organizers_write_stories_and_members_only_where_allowed(chapter, organizer, member):
    story = {"title": "Spring meetup", "body": "See you **there**.", "categories": ["Meetups"]}
    refused = post_json(api_client(member), f"{BASE}/stories/", story)
    assert refused.status_code == 403
    assert not Story.objects.exists()

    created = post_json(api_client(organizer), f"{BASE}/stories/", {**story, "publish": True})
    assert created.status_code == 201
    body = created.json()
    assert body["slug"] == "spring-meetup" and body["status"] == "published"
    assert body["categories"] == ["Meetups"] and body["author"] == organizer.display_name
    assert Client().get(f"{BASE}/stories/spring-meetup/").status_code == 200

    chapter.members_can_blog = True
    chapter.save()
    member_api = api_client(member)
    post = post_json(member_api, f"{BASE}/stories/", {"title": "My first post"})
    assert post.status_code == 201
    assert post.json()["kind"] == "blog" and post.json()["status"] == "draft"
    page = post_json(member_api, f"{BASE}/stories/", {"title": "A page", "kind": "page"})
    assert page.status_code == 422 and page.json()["detail"][0]["loc"] == ["body", "kind"]
    assert Story.objects.count() == 2


def test_story_edits_follow_the_editor_rules(chapter, organizer, member, outsider):
    chapter.members_can_blog = True
    chapter.save()
    StoryFactory(chapter=chapter, slug="mine", kind="blog", author=member, title="Mine")
    StoryFactory(chapter=chapter, slug="theirs", author=organizer, title="Theirs")
    StoryFactory(chapter=chapter, slug="hidden", status="draft", published=None)

    member_api = api_client(member)
    edited = post_json(
        member_api, f"{BASE}/stories/mine/", {"title": "Mine, edited", "categories": ["A", "B"]},
        method="patch",
    )  # fmt: skip
    assert edited.status_code == 200
    assert edited.json()["title"] == "Mine, edited" and edited.json()["categories"] == ["A", "B"]
    assert edited.json()["status"] == "published"  # left out: unchanged

    refused = post_json(member_api, f"{BASE}/stories/theirs/", {"title": "x"}, method="patch")
    assert refused.status_code == 403
    elsewhere = OrganizerFactory().user  # organizes another chapter
    refused = post_json(api_client(elsewhere), f"{BASE}/stories/theirs/", {"title": "x"}, "patch")
    assert refused.status_code == 403
    hidden = post_json(api_client(outsider), f"{BASE}/stories/hidden/", {"title": "x"}, "patch")
    assert hidden.status_code == 404
    unpublished = post_json(
        api_client(organizer), f"{BASE}/stories/theirs/", {"publish": False}, method="patch"
    )
    assert unpublished.json()["status"] == "draft"
    assert Story.objects.get(slug="theirs").title == "Theirs"
    assert Client().get(f"{BASE}/stories/theirs/").status_code == 404


def test_members_add_projects_and_contributors_edit_them(chapter, organizer, member, outsider):
    area = FocusAreaFactory(chapter=chapter, name="Discovery")
    project = {
        "name": "Consortium catalog",
        "summary": "A Blacklight front end.",
        "licence": "mit",
        "technologies": ["Blacklight", "Solr"],
        "focus_areas": [area.pk],
    }
    assert post_json(api_client(outsider), f"{BASE}/projects/", project).status_code == 403
    created = post_json(api_client(member), f"{BASE}/projects/", project)
    assert created.status_code == 201
    assert created.json()["licence"] == "MIT"
    assert created.json()["focus_areas"] == [{"id": area.pk, "name": "Discovery"}]
    saved = Project.objects.get()
    assert Contributor.objects.get(project=saved).user == member

    url = f"{BASE}/projects/{saved.slug}/"
    other_member = MembershipFactory(chapter=chapter).user
    refused = post_json(api_client(other_member), url, {"summary": "Mine now"}, "patch")
    assert refused.status_code == 403
    elsewhere = OrganizerFactory().user  # organizes another chapter
    assert post_json(api_client(elsewhere), url, {"summary": "x"}, "patch").status_code == 403
    assert post_json(Client(), url, {"summary": "x"}, "patch").status_code == 401
    edited = post_json(api_client(organizer), url, {"status": "maintained"}, "patch")
    assert edited.status_code == 200 and edited.json()["status"] == "maintained"
    assert edited.json()["technologies"] == ["Blacklight", "Solr"]  # left out: unchanged
    saved.refresh_from_db()
    assert saved.summary == "A Blacklight front end." and saved.status == "maintained"


def test_bad_project_input_is_refused_and_nothing_is_written(chapter, member):
    client = api_client(member)
    base = {"name": "Catalog", "summary": "A catalog."}
    for changes, field in [
        ({"licence": "Foo-1"}, "licence"),
        ({"repository_url": "javascript:alert(1)"}, "repository_url"),
        ({"focus_areas": [FocusAreaFactory().pk]}, "focus_areas"),  # the chapter has none
        ({"name": "\x00"}, "name"),
    ]:
        response = post_json(client, f"{BASE}/projects/", {**base, **changes})
        assert response.status_code == 422, changes
        assert ["body", field] in [problem["loc"] for problem in response.json()["detail"]]
    comma = post_json(client, f"{BASE}/projects/", {**base, "technologies": ["Solr, Koha"]})
    assert comma.status_code == 422
    FocusAreaFactory(chapter=chapter)
    elsewhere = {**base, "focus_areas": [FocusAreaFactory().pk]}
    response = post_json(client, f"{BASE}/projects/", elsewhere)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "focus_areas"]
    assert not Project.objects.exists()


# Errors: JSON with a detail, the right status, never a server error.


def test_malformed_requests_get_clear_json_errors(member, meeting):
    client = api_client(member)
    url = f"{BASE}/projects/"
    broken = client.post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["detail"]
    wrong_shape = post_json(client, url, ["a", "list"])
    assert wrong_shape.status_code == 422
    huge = post_json(
        client, url, {"name": "Big", "summary": "x", "description": "\U0001f600" * 10**6}
    )
    assert huge.status_code == 413 and "too large" in huge.json()["detail"]
    assert client.get(f"{BASE}/meetings/{2**70}/").status_code == 422
    assert client.get("/api/chapters/bad%20slug/").status_code == 422
    control = client.get("/api/chapters/%07/")
    assert control.status_code == 400 and "not allowed" in control.json()["detail"]
    missing = client.get("/api/no/such/thing/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "The API has no such address."}
    assert client.put(f"{BASE}/stories/").status_code == 405
    assert not Project.objects.exists()


def test_the_index_and_the_documentation():
    index = Client().get("/api/").json()
    assert index["openapi"] == "http://testserver/api/openapi.json"
    schema = Client().get("/api/openapi.json").json()
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    reads = schema["paths"]["/api/chapters/"]["get"]
    assert reads["security"] == [{"TokenAuth": []}, {}]
    writes = schema["paths"]["/api/chapters/{slug}/stories/"]["post"]
    assert writes["security"] == [{"TokenAuth": []}]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in docs.text and "cdn." not in docs.text
    assert "<noscript>" in docs.text


def test_a_user_without_a_profile_row_still_works(chapter):
    user = UserFactory(profile=None)
    MembershipFactory(chapter=chapter, user=user)
    assert api_client(user).get("/api/me/").status_code == 200
