"""Who may do what: members add, contributors and organizers edit, organizers delete."""

import pytest

from projects.models import Contributor, Project
from tests.conftest import client_for
from tests.factories import ChapterFactory, MembershipFactory, OrganizerFactory
from tests.projects.factories import ContributorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

EDIT = {"name": "Changed", "summary": "Changed summary", "status": "idea", "technologies": ""}
NEW = {"name": "Koha plugin", "summary": "A plugin.", "status": "idea", "technologies": "Koha"}


@pytest.fixture
def project(chapter):
    return ProjectFactory(chapter=chapter, name="Relevancy tests", slug="relevancy-tests")


@pytest.fixture
def contributor(chapter, project):
    return ContributorFactory(project=project, user=MembershipFactory(chapter=chapter).user).user


@pytest.fixture
def other_organizer(db):
    return OrganizerFactory(chapter=ChapterFactory(slug="elsewhere")).user


@pytest.fixture
def people(organizer, member, outsider, contributor, other_organizer):
    return {
        "organizer": organizer,
        "member": member,
        "outsider": outsider,
        "contributor": contributor,
        "other_organizer": other_organizer,
    }


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("organizer", True), ("member", True), ("contributor", True), ("outsider", False),
     ("other_organizer", False)],
)  # fmt: skip
def test_create(people, chapter, who, allowed):
    client = client_for(people[who])
    url = f"/chapters/{chapter.slug}/projects/new/"
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, NEW)
    assert response.status_code == (302 if allowed else 403)
    assert Project.objects.filter(name="Koha plugin").exists() == allowed
    if not allowed:
        assert "Only members of the chapter can add projects." in response.text


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("organizer", True), ("member", False), ("contributor", True), ("outsider", False),
     ("other_organizer", False)],
)  # fmt: skip
def test_edit(people, project, who, allowed):
    client = client_for(people[who])
    url = f"{project.get_absolute_url()}edit/"
    assert client.get(url).status_code == (200 if allowed else 403)
    assert client.post(url, EDIT).status_code == (302 if allowed else 403)
    project.refresh_from_db()
    assert (project.name == "Changed") == allowed
    detail = client.get(project.get_absolute_url()).text
    assert (f'href="{url}"' in detail) == allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("organizer", True), ("member", False), ("contributor", False), ("outsider", False),
     ("other_organizer", False)],
)  # fmt: skip
def test_delete(people, project, who, allowed):
    client = client_for(people[who])
    url = f"{project.get_absolute_url()}delete/"
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url)
    assert response.status_code == (302 if allowed else 403)
    assert Project.objects.filter(pk=project.pk).exists() != allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("organizer", True), ("member", False), ("contributor", True), ("outsider", False),
     ("other_organizer", False)],
)  # fmt: skip
def test_contributors_page(people, project, member, who, allowed):
    client = client_for(people[who])
    url = f"{project.get_absolute_url()}contributors/"
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, {"user": member.pk, "role": "Tester"})
    assert response.status_code == (302 if allowed else 403)
    assert Contributor.objects.filter(project=project, user=member).exists() == allowed


def test_anonymous_visitors_read_but_are_sent_to_log_in_to_write(client, project):
    assert client.get(project.get_absolute_url()).status_code == 200
    assert client.get(f"/chapters/{project.chapter.slug}/projects/").status_code == 200
    for action in ("edit/", "delete/", "contributors/"):
        response = client.post(f"{project.get_absolute_url()}{action}", EDIT)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    project.refresh_from_db()
    assert project.name == "Relevancy tests"


def test_unknown_project_or_chapter_is_404(member_client, chapter):
    assert member_client.get(f"/chapters/{chapter.slug}/projects/nope/").status_code == 404
    assert member_client.get("/chapters/nope/projects/").status_code == 404


def test_a_project_belongs_to_its_chapter_only(organizer_client, other_organizer):
    elsewhere = ProjectFactory(chapter=ChapterFactory(slug="elsewhere"), slug="theirs")
    assert organizer_client.get("/chapters/code4libnyc/projects/theirs/").status_code == 404
    assert organizer_client.post("/chapters/elsewhere/projects/theirs/delete/").status_code == 403
    assert Project.objects.filter(pk=elsewhere.pk).exists()


def test_only_chapter_members_can_be_credited(organizer_client, project, other_organizer):
    url = f"{project.get_absolute_url()}contributors/"
    response = organizer_client.post(url, {"user": other_organizer.pk, "role": "Tester"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not project.contributors.filter(user=other_organizer).exists()


def test_removing_contributors_keeps_at_least_one(
    organizer_client, organizer, project, contributor
):
    url = f"{project.get_absolute_url()}contributors/"
    response = organizer_client.post(url, {"remove": contributor.pk}, follow=True)
    assert "A project needs at least one contributor." in response.text
    assert project.contributors.filter(user=contributor).exists()
    organizer_client.post(url, {"user": contributor.pk, "role": "Maintainer"})
    organizer_client.post(url, {"user": organizer.pk, "role": "Reviewer"})
    roles = dict(project.contributors.values_list("user", "role"))
    assert roles == {contributor.pk: "Maintainer", organizer.pk: "Reviewer"}
    organizer_client.post(url, {"remove": contributor.pk})
    assert list(project.contributors.values_list("user", flat=True)) == [organizer.pk]
    assert organizer_client.post(url, {"remove": "x"}).status_code == 302
