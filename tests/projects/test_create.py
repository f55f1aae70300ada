"""Adding and editing projects: licences checked against SPDX, technologies as free tags."""

import pytest

from projects.models import Contributor, Project, Technology
from tests.factories import FocusAreaFactory
from tests.html import field_error
from tests.projects.factories import TechnologyFactory

pytestmark = pytest.mark.django_db


def new_project(client, chapter, **changes):
    data = {
        "name": "Consortium catalog",
        "summary": "A Blacklight front end for the consortium's catalog.",
        "description": "Built on **Solr**.",
        "status": "active",
        "institution": "Columbia University Libraries",
        "repository_url": "https://github.com/example/catalog",
        "homepage": "",
        "licence": "",
        "technologies": "Blacklight, Solr",
        **changes,
    }
    return client.post(f"/chapters/{chapter.slug}/projects/new/", data)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("MIT", "MIT"),
        ("Apache-2.0", "Apache-2.0"),
        ("apache-2.0", "Apache-2.0"),
        ("GPL-3.0-or-later", "GPL-3.0-or-later"),
        ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
        ("mit  or  apache-2.0", "MIT OR Apache-2.0"),
        ("", ""),
    ],
)
def test_valid_licences_are_stored_normalized(member_client, chapter, member, typed, stored):
    response = new_project(member_client, chapter, licence=typed)
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.licence == stored


@pytest.mark.parametrize(
    ("typed", "named"),
    [("Foo-1", "Foo-1"), ("GPL", "GPL"), ("MIT OR Foo-1", "Foo-1")],
)
def test_unknown_licence_is_a_form_error_naming_the_key(member_client, chapter, typed, named):
    response = new_project(member_client, chapter, licence=typed)
    assert response.status_code == 400
    error = field_error(response, "licence")
    assert f"Unknown licence: {named}." in error
    assert not Project.objects.exists() and not Technology.objects.exists()


@pytest.mark.parametrize(
    "typed", ["MIT OR", "(MIT", "MIT)", "MIT AND (Apache-2.0", "MIT AND AND GPL-2.0-only"]
)
def test_malformed_licence_expression_is_a_form_error(member_client, chapter, typed):
    response = new_project(member_client, chapter, licence=typed)
    assert response.status_code == 400
    assert "is not a licence expression" in field_error(response, "licence")
    assert not Project.objects.exists()


def test_creator_becomes_contributor_and_slug_comes_from_name(member_client, chapter, member):
    new_project(member_client, chapter)
    project = Project.objects.get()
    assert project.slug == "consortium-catalog" and project.created_by == member
    assert list(project.contributors.values_list("user", flat=True)) == [member.pk]
    page = member_client.get(project.get_absolute_url()).text
    assert "Consortium catalog" in page and "<strong>Solr</strong>" in page


def test_slugs_are_unique_per_chapter_and_avoid_reserved_words(member_client, chapter):
    new_project(member_client, chapter)
    new_project(member_client, chapter)
    new_project(member_client, chapter, name="New")
    slugs = set(Project.objects.values_list("slug", flat=True))
    assert slugs == {"consortium-catalog", "consortium-catalog-2", "new-2"}
    assert member_client.get("/chapters/code4libnyc/projects/new-2/").status_code == 200


def test_technologies_match_existing_ones_ignoring_case(member_client, chapter):
    solr = TechnologyFactory(name="Solr", slug="solr")
    new_project(member_client, chapter, technologies="SOLR, blacklight, Blacklight, , DSpace ")
    project = Project.objects.get()
    names = sorted(project.technologies.values_list("name", flat=True))
    assert names == ["DSpace", "Solr", "blacklight"]
    assert project.technologies.get(name="Solr") == solr
    assert Technology.objects.count() == 3
    assert set(Technology.objects.values_list("slug", flat=True)) == {
        "solr",
        "blacklight",
        "dspace",
    }


def test_technologies_with_the_same_slug_get_distinct_slugs(member_client, chapter):
    new_project(member_client, chapter, technologies="C++, C#, ++")
    slugs = set(Technology.objects.values_list("slug", flat=True))
    assert slugs == {"c", "c-2", "technology"}


def test_too_many_or_too_long_technologies_are_form_errors(member_client, chapter):
    response = new_project(
        member_client, chapter, technologies=", ".join(f"T{n}" for n in range(21))
    )
    assert "at most 20 technologies" in field_error(response, "technologies")
    response = new_project(member_client, chapter, technologies="x" * 61)
    assert "at most 60 characters" in field_error(response, "technologies")
    assert not Project.objects.exists() and not Technology.objects.exists()


def test_focus_areas_are_the_chapters_own(member_client, chapter):
    mine = FocusAreaFactory(chapter=chapter, name="Discovery")
    other = FocusAreaFactory(name="Elsewhere")
    response = new_project(member_client, chapter, focus_areas=[other.pk])
    assert response.status_code == 400
    assert "Select a valid choice" in field_error(response, "focus_areas")
    new_project(member_client, chapter, focus_areas=[mine.pk])
    assert list(Project.objects.get().focus_areas.all()) == [mine]


def test_editing_keeps_the_address_and_replaces_technologies(member_client, chapter, member):
    new_project(member_client, chapter, technologies="Solr")
    project = Project.objects.get()
    form = member_client.get(f"{project.get_absolute_url()}edit/").text
    assert 'value="Solr"' in form
    data = {"name": "Renamed", "summary": "New summary", "status": "maintained",
            "technologies": "Koha", "licence": "gpl-3.0-or-later"}  # fmt: skip
    response = member_client.post(f"{project.get_absolute_url()}edit/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.slug, project.licence) == (
        "Renamed", "consortium-catalog", "GPL-3.0-or-later",
    )  # fmt: skip
    assert list(project.technologies.values_list("name", flat=True)) == ["Koha"]
    assert Contributor.objects.filter(project=project).count() == 1
