"""One world of content per test module, and requests made in it as each kind of visitor.

The world is built once per module inside a transaction that is rolled back at the end;
every probe runs in a savepoint of its own that is rolled back too, so a POST that
deletes a story or logs someone out leaves the next probe the same world.
"""

import json
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode

from api.services import create_token
from chapterhouse.unsubscribe import make_unsubscribe_token
from federation.models import Activity, Following, RemoteActor
from forum.models import Post
from meetings.models import Talk
from meetings.services import rsvp
from members.tokens import make_email_change_token, make_verification_token
from tests.factories import ChapterFactory, MembershipFactory, OrganizerFactory, UserFactory
from tests.forum.factories import CategoryFactory, thread_with_posts
from tests.meetings.factories import MeetingFactory, VenueFactory
from tests.polls.factories import poll_with_options
from tests.projects.factories import ProjectFactory
from tests.security.routes import Route, fill
from tests.stories.factories import StoryFactory

METHODS = ("GET", "POST")
# A POST carries one field no form knows: forms are bound and fail validation, so an actor
# who gets that far is told what is wrong (400) instead of seeing the blank form again.
PROBE_DATA = {"probe": "1"}
FORM = "application/x-www-form-urlencoded"
API_NAMESPACE = "api:"


# Text a visitor could have written, in every title and body the pages show: if any of it
# reaches a page as markup, the page scans of test_headers find a script or a style.
HOSTILE = '<script>alert(1)</script><b style="color:red" onclick="alert(2)">bold</b>'
HOSTILE_MARKDOWN = f"Some **news**. {HOSTILE} [link](javascript:alert(3))"


@dataclass
class World:
    """What the routes' parameters point at, and each actor's session cookie and API token."""

    parameters: dict
    queries: dict[str, str] = field(default_factory=dict)
    post_data: dict[str, dict] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    api_tokens: dict[str, str] = field(default_factory=dict)


def build_world() -> World:
    """Two chapters, the actors, and one of each thing a route's address can name."""
    chapter = ChapterFactory(
        name=f"Code4LibNYC {HOSTILE}", slug="code4libnyc", description=HOSTILE_MARKDOWN
    )
    other_chapter = ChapterFactory(name="Code4Lib Elsewhere", slug="elsewhere")
    organizer = OrganizerFactory(chapter=chapter, user__email="organizer@example.org").user
    member = MembershipFactory(
        chapter=chapter,
        user__email="member@example.org",
        user__profile__display_name=f"Member {HOSTILE}",
    ).user
    other_organizer = OrganizerFactory(
        chapter=other_chapter, user__email="other-organizer@example.org"
    ).user
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)

    story = StoryFactory(
        chapter=chapter, author=organizer, slug="news", title=f"News {HOSTILE}",
        body=HOSTILE_MARKDOWN, categories=["Events"],
    )  # fmt: skip
    venue = VenueFactory(chapter=chapter, name=f"Room {HOSTILE}")
    meeting = MeetingFactory(
        chapter=chapter, venue=venue, title=f"Meeting {HOSTILE}", description=HOSTILE_MARKDOWN
    )
    talk = Talk.objects.create(
        meeting=meeting, title=f"Linked data {HOSTILE}", speakers=f"Member {HOSTILE}",
        abstract=HOSTILE_MARKDOWN, proposer=member, status=Talk.Status.ACCEPTED,
        slides_type="application/pdf",
    )  # fmt: skip
    talk.slides.save("slides.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    rsvp(meeting, member)
    category = CategoryFactory(chapter=chapter)
    thread = thread_with_posts(category, author=member, replies=1)
    thread.title = f"Thread {HOSTILE}"
    thread.save(update_fields=["title"])
    Post.objects.filter(thread=thread).update(body=HOSTILE_MARKDOWN)
    post = Post.objects.get(thread=thread, position=0)
    project = ProjectFactory(
        chapter=chapter, slug="catalog", name=f"Catalog {HOSTILE}", summary=HOSTILE
    )
    poll = poll_with_options(chapter, labels=("Room A", f"Room {HOSTILE}"), question=HOSTILE)
    remote = RemoteActor.objects.create(
        uri="https://remote.example/groups/c4l", inbox="https://remote.example/inbox",
        type="Group", preferred_username="c4l", name="Remote chapter",
    )  # fmt: skip
    following = Following.objects.create(
        chapter=chapter, actor=remote, follow_id="https://testserver/follows/1",
        state=Following.State.ACCEPTED, created_by=organizer,
    )  # fmt: skip
    activity = Activity.objects.create(
        chapter=chapter, type="Create", object_key=f"story:{story.pk}",
        data={"type": "Create", "id": "https://testserver/activities/1"},
    )  # fmt: skip
    with timezone.override(chapter.time_zone):
        year = timezone.localtime(story.published).year
    users = {
        "member": member,
        "organizer": organizer,
        "other_organizer": other_organizer,
        "staff": staff,
    }
    api_tokens = {actor: create_token(user, "Matrix") for actor, user in users.items()}

    parameters = {
        "slug": chapter.slug,
        "story": story.slug,
        "project": project.slug,
        "story_slug": story.slug,
        "project_slug": project.slug,
        "meeting_id": meeting.pk,
        "path": "no/such/endpoint/",
        "year": year,
        "venue": venue.pk,
        "talk": talk.pk,
        "activity_uuid": activity.pk,
        "user_id": member.pk,
        "category": {"stories": "events", "forum": category.slug},
        "pk": {
            "meetings": meeting.pk,
            "forum": thread.pk,
            "forum:post": post.pk,
            "forum:edit_post": post.pk,
            "forum:delete_post": post.pk,
            "forum:post_history": post.pk,
            "forum:flag_post": post.pk,
            "forum:moderate_post": post.pk,
            "polls": poll.pk,
            "federation:unfollow": following.pk,
        },
        "token": {
            "members:verify": make_verification_token(member),
            "members:confirm_email_change": make_email_change_token(member, "new@example.org"),
            "members:password_reset_confirm": default_token_generator.make_token(member),
            "unsubscribe": make_unsubscribe_token(member.email, f"chapter:{chapter.pk}:meetings"),
            "api_tokens:revoke": api_tokens["member"][0].pk,
        },
        "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
    }
    # Where a view checks who may act only after the form is valid, the probe sends a
    # valid form, so the answer shows the permission and not the validation.
    post_data = {
        "forum:new_thread": {"category": category.slug, "title": "Hello", "body": "Hello all."},
        "forum:reply": {"body": "A reply."},
        "forum:edit_post": {"body": "Edited."},
        "forum:flag_post": {"reason": "Spam."},
        "meetings:propose_talk": {"title": "A talk", "kind": "lightning", "speakers": "Me"},
        "polls:detail": {"option": str(poll.options.first().pk)},
        # The API reads JSON bodies.
        "api:rsvp": {"guests": 0},
        "api:talks": {"title": "A talk"},
        "api:stories": {"title": "A story", "body": "Text."},
        "api:projects": {"name": "A project", "summary": "What it does."},
    }
    queries = {"federation:webfinger": f"resource=acct:{chapter.slug}@testserver"}
    world = World(parameters, queries, post_data)
    world.api_tokens = {actor: text for actor, (_token, text) in api_tokens.items()}
    for actor, user in users.items():
        client = Client()
        client.force_login(user)
        world.sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def is_api(route: Route) -> bool:
    """Routes of the token API, which reads no session and takes JSON."""
    return route.name.startswith(API_NAMESPACE)


def client_as(world: World, actor: str, enforce_csrf_checks=False, token=False) -> Client:
    """A fresh client carrying the actor's session, and API token if asked (anonymous: none)."""
    headers = {}
    if token and actor != "anonymous":
        headers["Authorization"] = f"Bearer {world.api_tokens[actor]}"
    client = Client(
        enforce_csrf_checks=enforce_csrf_checks, raise_request_exception=False, headers=headers
    )
    if actor != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    return client


def url_for(world: World, route: Route) -> str:
    """The route's URL in the world, with the query string the route needs, if any."""
    url = fill(route, world.parameters)
    query = world.queries.get(route.name)
    return f"{url}?{query}" if query else url


def send(client: Client, method: str, url: str, data: dict | None = None, as_json=False):
    if method == "GET":
        return client.get(url)
    if as_json:
        return client.generic(method, url, json.dumps(data or {}), "application/json")
    return client.generic(method, url, urlencode(data or {}), FORM)


def probe(world: World, actor: str, method: str, route: Route, enforce_csrf_checks=False):
    """Request the route as `actor` (on the API, with the actor's token), then roll back."""
    api = is_api(route)
    client = client_as(world, actor, enforce_csrf_checks, token=api)
    data = world.post_data.get(route.name, PROBE_DATA)
    with transaction.atomic():
        response = send(client, method, url_for(world, route), data, as_json=api)
        transaction.set_rollback(True)
    return response


ADMIN_LOGIN = "/admin/login/"


def outcome_of(response) -> str:
    """The outcome class of a response, as the permission table names them."""
    status = response.status_code
    if status >= 500:
        return "error"
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        login = reverse(settings.LOGIN_URL)
        return "login" if location.startswith((login, ADMIN_LOGIN)) else "ok"
    if 200 <= status < 300:
        return "ok"
    if status in (401, 403, 404):
        return "denied"
    if status == 405:
        return "method"
    if status in (400, 413, 422, 429):
        return "bad"
    return f"status {status}"
