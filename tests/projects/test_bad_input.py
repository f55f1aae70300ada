"""Bad input gets a clear error next to the field, never a 500, and writes nothing."""

import pytest

from members.models import User
from projects.models import Project, Technology
from tests.conftest import client_for
from tests.html import field_error
from tests.projects.factories import ContributorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Koha plugin",
    "summary": "Adds course reserves to Koha.",
    "status": "active",
    "technologies": "Koha, Perl",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "x" * 121, "at most 120 characters"),
        ("name", "", "This field is required."),
        ("summary", "x" * 301, "at most 300 characters"),
        ("institution", "x" * 201, "at most 200 characters"),
        ("repository_url", "not a url", "Enter a valid URL."),
        ("repository_url", "javascript:alert(1)", "Enter a valid URL."),
        ("homepage", "JavaScript:alert(document.cookie)", "Enter a valid URL."),
        ("homepage", "data:text/html,<script>alert(1)</script>", "Enter a valid URL."),
        ("homepage", "https://example.org/" + "x" * 200, "at most 200 characters"),
        ("licence", "x" * 201, "at most 200 characters"),
        ("status", "finished", "Select a valid choice."),
        ("technologies", "x" * 1001, "at most 1000 characters"),
    ],
)
def test_bad_fields_are_form_errors(member_client, chapter, field, value, message):
    response = member_client.post(
        f"/chapters/{chapter.slug}/projects/new/", {**VALID, field: value}
    )
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert not Project.objects.exists() and not Technology.objects.exists()


def test_bad_edit_changes_nothing(client, chapter, member):
    project = ProjectFactory(chapter=chapter, name="Before", technologies=["Solr"])
    ContributorFactory(project=project, user=member)
    response = client_for(member).post(
        f"{project.get_absolute_url()}edit/",
        {**VALID, "homepage": "javascript:alert(1)", "technologies": "Koha"},
    )
    assert response.status_code == 400
    assert "Enter a valid URL." in field_error(response, "homepage")
    project.refresh_from_db()
    assert project.name == "Before" and project.homepage == ""
    assert list(project.technologies.values_list("name", flat=True)) == ["Solr"]


def test_schemeless_urls_are_taken_as_https(member_client, chapter):
    member_client.post(
        f"/chapters/{chapter.slug}/projects/new/", {**VALID, "homepage": "example.org/koha"}
    )
    assert Project.objects.get().homepage == "https://example.org/koha"


def test_over_long_or_odd_query_strings_are_400_not_500(client, chapter):
    url = f"/chapters/{chapter.slug}/projects/"
    assert client.get(f"{url}?institution={'x' * 201}").status_code == 400
    assert client.get(f"{url}?technology=not%20a%20slug").status_code == 400
    assert client.get(f"{url}?area=-1").status_code == 400
    assert client.get(f"{url}?page=999999").status_code == 200
    assert client.get(f"{url}technologies/?order=nonsense").status_code == 200


def test_contributor_form_bad_input(organizer_client, chapter):
    project = ProjectFactory(chapter=chapter)
    url = f"{project.get_absolute_url()}contributors/"
    for data in ({"user": "abc"}, {"user": ""}, {"user": 999999}):
        assert organizer_client.post(url, data).status_code == 400
    organizer = User.objects.get(email="organizer@example.org")
    response = organizer_client.post(url, {"user": organizer.pk, "role": "x" * 101})
    assert response.status_code == 400
    assert "at most 100 characters" in field_error(response, "role")
    assert not project.contributors.exists()


def test_wrong_methods_are_refused(organizer_client, chapter):
    project = ProjectFactory(chapter=chapter)
    assert organizer_client.get(f"{project.get_absolute_url()}talks/").status_code == 405
    assert organizer_client.post(f"/chapters/{chapter.slug}/projects/").status_code == 405
