"""A member downloads their own data from the account page, and can delete the account there."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum.models import Post
from meetings.models import Rsvp, Talk
from members.models import ContactMessage, User
from polls.models import Ballot, Choice
from stories.models import Story
from tests.conftest import client_for
from tests.factories import PASSWORD, FocusAreaFactory, MembershipFactory
from tests.forum.factories import CategoryFactory, PostFactory, ThreadFactory
from tests.meetings.factories import MeetingFactory
from tests.polls.factories import poll_with_options
from tests.projects.factories import ContributorFactory, ProjectFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

SECTIONS = [
    "account", "profile", "memberships", "rsvps", "talks_proposed", "stories", "forum_threads",
    "forum_posts", "poll_votes", "project_contributions", "messages_to_organizers",
]  # fmt: skip


def give_content(user: User, chapter, tag: str) -> None:
    """One of everything the export covers, each marked with `tag`."""
    user.profile.interests.add(FocusAreaFactory(chapter=chapter, name=f"{tag} area"))
    meeting = MeetingFactory(chapter=chapter, title=f"{tag} meeting")
    Rsvp.objects.create(meeting=meeting, user=user, status=Rsvp.Status.GOING, guests=1)
    Talk.objects.create(meeting=meeting, proposer=user, title=f"{tag} talk", speakers=tag)
    StoryFactory(chapter=chapter, author=user, title=f"{tag} story", categories=[f"{tag} topic"])
    draft = {"status": Story.Status.DRAFT, "published": None}
    StoryFactory(chapter=chapter, author=user, title=f"{tag} draft", **draft)
    category = CategoryFactory(chapter=chapter)
    thread = ThreadFactory(category=category, author=user, title=f"{tag} thread")
    PostFactory(thread=thread, author=user, body=f"{tag} post")
    poll = poll_with_options(chapter, labels=(f"{tag} yes", f"{tag} no"), question=f"{tag} poll?")
    ballot = Ballot.objects.create(poll=poll, user=user)
    Choice.objects.create(ballot=ballot, option=poll.options.get(position=2))
    project = ProjectFactory(chapter=chapter, name=f"{tag} project")
    ContributorFactory(project=project, user=user, role=f"{tag} role")
    ContactMessage.objects.create(
        chapter=chapter, sender=user, name=tag, email=user.email,
        subject=f"{tag} subject", body=f"{tag} message",
    )  # fmt: skip


def download(client: Client) -> dict:
    response = client.post("/accounts/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def test_the_download_holds_the_members_data_and_nobody_elses(member, organizer, chapter):
    give_content(member, chapter, "mine")
    give_content(organizer, chapter, "theirs")
    # Another member's thread that the member replied to: only the reply is theirs.
    their_thread = Post.objects.get(body="theirs post").thread
    PostFactory(thread=their_thread, author=member, body="mine reply", position=1)

    data = download(client_for(member))
    text = json.dumps(data)
    assert "theirs" not in text.replace("theirs thread", "")
    assert organizer.email not in text
    assert data["format"] == "chapterhouse-member-export" and data["version"] == 1
    assert list(data)[-len(SECTIONS) :] == SECTIONS

    assert data["account"]["email"] == "member@example.org"
    assert [a["name"] for a in data["profile"]["interests"]] == ["mine area"]
    assert [m["chapter"] for m in data["memberships"]] == ["code4libnyc"]
    (rsvp,) = data["rsvps"]
    assert rsvp["meeting"] == "mine meeting" and rsvp["status"] == "going"
    assert rsvp["guests"] == 1 and rsvp["meeting_url"].startswith("http://testserver/chapters/")
    assert [t["title"] for t in data["talks_proposed"]] == ["mine talk"]
    assert [(s["title"], s["status"]) for s in data["stories"]] == [
        ("mine story", "published"),
        ("mine draft", "draft"),
    ]
    assert data["stories"][0]["categories"] == ["mine topic"]
    assert [t["title"] for t in data["forum_threads"]] == ["mine thread"]
    assert [(p["thread"], p["body"]) for p in data["forum_posts"]] == [
        ("mine thread", "mine post"),
        ("theirs thread", "mine reply"),
    ]
    (vote,) = data["poll_votes"]
    assert vote["poll"] == "mine poll?" and vote["choices"] == [{"option": "mine no", "value": 1}]
    assert [(c["project"], c["role"]) for c in data["project_contributions"]] == [
        ("mine project", "mine role")
    ]
    assert [m["body"] for m in data["messages_to_organizers"]] == ["mine message"]


def test_a_new_member_gets_every_section_empty_but_their_account(chapter):
    newcomer = MembershipFactory(chapter=chapter, user__email="new@example.org").user
    data = download(client_for(newcomer))
    assert data["account"]["email"] == "new@example.org"
    assert data["profile"]["display_name"] == newcomer.display_name
    for section in SECTIONS[3:]:
        assert data[section] == [], section


def test_no_one_can_ask_for_someone_elses_data(member, organizer, chapter):
    give_content(organizer, chapter, "theirs")
    client = client_for(member)
    for query in [f"?user={organizer.pk}", f"?email={organizer.email}"]:
        response = client.post(f"/accounts/export/{query}", {"user": organizer.pk})
        assert "theirs" not in response.text
        assert json.loads(response.content)["account"]["email"] == member.email


def test_the_export_needs_a_log_in(client, member):
    for method in (client.get, client.post):
        response = method("/accounts/export/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=/accounts/export/")
    assert client.put("/accounts/export/").status_code in (302, 405)
    assert client_for(member).put("/accounts/export/").status_code == 405


def test_the_export_costs_the_same_queries_however_much_there_is(member, organizer, chapter):
    client = client_for(member)
    give_content(member, chapter, "first")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            download(client)
        return len(captured)

    before = queries()
    for number in range(4):
        give_content(member, chapter, f"more {number}")
    assert queries() == before
    assert len(download(client)["forum_posts"]) == 5


def test_the_account_page_leads_to_the_download_and_to_deleting_the_account(member, chapter):
    client = client_for(member)
    settings_page = client.get("/accounts/settings/").text
    assert 'href="/accounts/export/"' in settings_page
    assert 'href="/accounts/delete/"' in settings_page

    export_page = client.get("/accounts/export/")
    assert export_page.status_code == 200
    assert '<form method="post"' in export_page.text
    assert "csrfmiddlewaretoken" in export_page.text
    assert "Download my data" in export_page.text

    assert client.get("/accounts/delete/").status_code == 200
    response = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert client.post("/accounts/export/").status_code == 302  # logged out, nothing to export


def test_the_export_page_works_through_a_real_csrf_check(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    page = client.get("/accounts/export/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    assert token
    assert client.post("/accounts/export/").status_code == 403
    response = client.post("/accounts/export/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert json.loads(response.content)["account"]["email"] == member.email
