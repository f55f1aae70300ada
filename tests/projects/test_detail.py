"""A project's page: everything about it, its contributors, talks and forum threads."""

import pytest
from django.template.loader import render_to_string

from forum.models import Category, Thread
from forum.services import settings_for, start_thread
from meetings.models import Talk
from projects.models import Project
from projects.services import projects_of
from tests.conftest import client_for
from tests.factories import ChapterFactory, MembershipFactory, UserFactory
from tests.html import text_of
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import ContributorFactory, ProjectFactory
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(chapter):
    return ProjectFactory(
        chapter=chapter, name="Consortium catalog", slug="consortium-catalog",
        description="Uses <script>alert(1)</script> **Solr**.", licence="MIT OR Apache-2.0",
        repository_url="https://github.com/example/catalog", technologies=["Blacklight"],
    )  # fmt: skip


def test_page_shows_the_project_with_sanitized_description(client, project):
    page = client.get(project.get_absolute_url()).text
    assert "<strong>Solr</strong>" in page and "<script>alert" not in page
    assert "MIT OR Apache-2.0" in page and 'href="https://github.com/example/catalog"' in page
    assert 'href="/chapters/code4libnyc/projects/?technology=blacklight">Blacklight</a>' in page
    assert "New York Public Library" in text_of(page)


def test_contributors_link_to_profiles_the_viewer_may_see(chapter, project, member):
    listed = ContributorFactory(
        project=project, user=MembershipFactory(chapter=chapter).user, role="Maintainer"
    ).user
    private = MembershipFactory(chapter=chapter).user
    private.profile.in_directory = False
    private.profile.save()
    ContributorFactory(project=project, user=private, role="Developer")
    page = client_for(member).get(project.get_absolute_url()).text
    assert f'href="/accounts/people/{listed.pk}/">{listed.display_name}</a> · Maintainer' in page
    assert f"{private.display_name} · Developer" in page
    assert f"/accounts/people/{private.pk}/" not in page
    anonymous = client_for(UserFactory()).get(project.get_absolute_url()).text
    assert f"/accounts/people/{listed.pk}/" not in anonymous and listed.display_name in anonymous


def test_detail_queries_do_not_grow_with_contributors(client, chapter, project, member):
    ContributorFactory(project=project, user=MembershipFactory(chapter=chapter).user)

    def add_rows():
        for _number in range(10):
            ContributorFactory(project=project, user=MembershipFactory(chapter=chapter).user)

    assert_queries_do_not_grow(client_for(member), project.get_absolute_url(), add_rows)


def test_editors_link_and_unlink_talks_of_the_chapters_meetings(organizer_client, chapter, project):
    meeting = MeetingFactory(chapter=chapter, title="October meeting")
    talk = Talk.objects.create(
        meeting=meeting, title="Blacklight in production", speakers="Maria Alvarez",
        status=Talk.Status.ACCEPTED,
    )  # fmt: skip
    form = organizer_client.get(project.get_absolute_url()).text
    assert "Blacklight in production (October meeting" in form
    url = f"{project.get_absolute_url()}talks/"
    assert organizer_client.post(url, {"talk": talk.pk}).status_code == 302
    assert list(project.talks.all()) == [talk]
    page = organizer_client.get(project.get_absolute_url()).text
    assert f'href="{meeting.get_absolute_url()}#talk-{talk.pk}">Blacklight in production' in page
    organizer_client.post(url, {"unlink": talk.pk})
    assert not project.talks.exists()


def test_talks_of_other_chapters_or_unknown_talks_are_refused(organizer_client, project):
    foreign = Talk.objects.create(
        meeting=MeetingFactory(chapter=ChapterFactory()), title="Elsewhere", speakers="X"
    )
    url = f"{project.get_absolute_url()}talks/"
    for value in (foreign.pk, 999999, "abc", ""):
        response = organizer_client.post(url, {"talk": value})
        assert response.status_code == 400
        assert "Select a valid choice" in response.text or "This field is required" in response.text
    assert not project.talks.exists()
    assert organizer_client.post(url, {"unlink": "abc"}).status_code == 302


def test_members_who_do_not_contribute_cannot_link_talks(member_client, chapter, project):
    talk = Talk.objects.create(meeting=MeetingFactory(chapter=chapter), title="T", speakers="X")
    response = member_client.post(f"{project.get_absolute_url()}talks/", {"talk": talk.pk})
    assert response.status_code == 403
    assert not project.talks.exists()
    assert 'name="talk"' not in member_client.get(project.get_absolute_url()).text


def test_forum_threads_are_listed_as_the_forum_shows_them(client, chapter, project, member):
    category = Category.objects.create(chapter=chapter, name="General", slug="general")
    start_thread(member, category, "Facet ordering question", "Which order?", project=project)
    spam = start_thread(member, category, "Spam thread", "Buy now", project=project)
    Thread.objects.filter(pk=spam.pk).update(hidden=True)
    page = client.get(project.get_absolute_url()).text
    assert "Facet ordering question" in page and "Spam thread" not in page

    forum = settings_for(chapter)
    forum.visibility = forum.Visibility.MEMBERS
    forum.save()
    assert "Facet ordering question" not in client.get(project.get_absolute_url()).text
    member_page = client_for(member).get(project.get_absolute_url()).text
    assert "Facet ordering question" in member_page


def test_projects_of_a_member_for_their_profile(chapter, project, member):
    ContributorFactory(project=project, user=member)
    ProjectFactory(chapter=chapter, name="Not theirs")
    other = ProjectFactory(chapter=ChapterFactory(name="Another"), name="Also theirs")
    ContributorFactory(project=other, user=member)
    found = projects_of(member, viewer=UserFactory())
    assert [p.name for p in found] == ["Also theirs", "Consortium catalog"]
    assert isinstance(found.first(), Project)


def test_member_projects_partial_renders(rf, chapter, project, member):
    ContributorFactory(project=project, user=member)
    request = rf.get("/")
    html = render_to_string(
        "projects/_member_projects.html",
        {"projects": projects_of(member, member)},
        request=request,
    )
    assert 'href="/chapters/code4libnyc/projects/consortium-catalog/">Consortium catalog' in html
    assert render_to_string("projects/_member_projects.html", {"projects": []}).strip() == ""
