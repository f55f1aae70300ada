"""Browsing: filters with counts in shareable addresses, pages, and what members run."""

import re

import pytest

from projects.models import Project
from tests.factories import ChapterFactory, FocusAreaFactory
from tests.html import text_of
from tests.projects.factories import ProjectFactory
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

LIST = "/chapters/code4libnyc/projects/"


@pytest.fixture
def showcase(chapter):
    """Three projects across two institutions, two focus areas and three technologies."""
    discovery = FocusAreaFactory(chapter=chapter, name="Discovery")
    repositories = FocusAreaFactory(chapter=chapter, name="Repositories")
    catalog = ProjectFactory(
        chapter=chapter, name="Consortium catalog", institution="NYPL",
        technologies=["Blacklight", "Solr"],
    )  # fmt: skip
    catalog.focus_areas.add(discovery)
    relevancy = ProjectFactory(
        chapter=chapter, name="Relevancy suite", institution="Columbia",
        status=Project.Status.MAINTAINED, technologies=["Solr"],
    )  # fmt: skip
    relevancy.focus_areas.add(discovery)
    migration = ProjectFactory(
        chapter=chapter, name="Islandora migration", institution="NYPL",
        status=Project.Status.IDEA, technologies=["DSpace"],
    )  # fmt: skip
    migration.focus_areas.add(repositories)
    ProjectFactory(chapter=ChapterFactory(), name="Elsewhere", technologies=["Solr"])
    return {"discovery": discovery, "repositories": repositories}


def listed(response) -> list[str]:
    return re.findall(r'<h2><a href="[^"]+">([^<]+)</a>', response.text)


def count_beside(response, label: str) -> int:
    """The count shown next to a filter value's link."""
    match = re.search(rf">{re.escape(label)}</a> \((\d+)\)", response.text)
    assert match, f"no filter value {label!r}"
    return int(match.group(1))


def test_unfiltered_list_shows_the_chapters_projects_with_counts(client, showcase):
    response = client.get(LIST)
    assert listed(response) == ["Consortium catalog", "Islandora migration", "Relevancy suite"]
    assert count_beside(response, "Solr") == 2
    assert count_beside(response, "NYPL") == 2
    assert count_beside(response, "Discovery") == 2
    assert count_beside(response, "Idea") == 1 and count_beside(response, "Retired") == 0


def test_filter_by_technology(client, showcase):
    response = client.get(f"{LIST}?technology=solr")
    assert listed(response) == ["Consortium catalog", "Relevancy suite"]
    # Other filters count within the technology; the technology's own facet does not narrow.
    assert count_beside(response, "NYPL") == 1 and count_beside(response, "Columbia") == 1
    assert count_beside(response, "DSpace") == 1
    assert 'aria-current="page">Solr</a>' in response.text


def test_filter_by_focus_area(client, showcase):
    response = client.get(f"{LIST}?area={showcase['repositories'].pk}")
    assert listed(response) == ["Islandora migration"]
    assert "Solr</a>" not in response.text and count_beside(response, "DSpace") == 1
    assert count_beside(response, "Discovery") == 2
    assert count_beside(response, "Idea") == 1


def test_filter_by_institution(client, showcase):
    response = client.get(f"{LIST}?institution=NYPL")
    assert listed(response) == ["Consortium catalog", "Islandora migration"]
    assert count_beside(response, "Solr") == 1 and count_beside(response, "DSpace") == 1
    assert count_beside(response, "Columbia") == 1


def test_filter_by_status(client, showcase):
    response = client.get(f"{LIST}?status=maintained")
    assert listed(response) == ["Relevancy suite"]
    assert count_beside(response, "Columbia") == 1
    assert count_beside(response, "Active") == 1


def test_filters_combine_and_links_keep_the_others(client, showcase):
    response = client.get(f"{LIST}?technology=solr&institution=NYPL")
    assert listed(response) == ["Consortium catalog"]
    assert "1 project matches the filters." in text_of(response.text)
    assert 'href="?technology=solr&amp;institution=Columbia"' in response.text
    assert 'href="?institution=NYPL"' in response.text  # "any technology"


def test_unknown_filter_values_are_a_clear_400(client, showcase):
    for query, reason in [
        ("area=99999", "This chapter has no such focus area."),
        ("area=abc", "Enter a whole number."),
        ("technology=nope", "No technology has this name."),
        ("status=lost", "Select a valid choice."),
    ]:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 400, query
        assert reason in response.text
    other_area = FocusAreaFactory(name="Not ours")
    assert client.get(f"{LIST}?area={other_area.pk}").status_code == 400


def test_pages_keep_the_filters(client, chapter):
    for number in range(25):
        ProjectFactory(chapter=chapter, name=f"Solr tool {number:02d}", technologies=["Solr"])
    ProjectFactory(chapter=chapter, name="Koha plugin", technologies=["Koha"])
    first = client.get(f"{LIST}?technology=solr")
    assert len(listed(first)) == 20 and "Page 1 of 2" in first.text
    assert 'href="?technology=solr&amp;page=2"' in first.text
    second = client.get(f"{LIST}?technology=solr&page=2")
    assert listed(second) == [f"Solr tool {number}" for number in range(20, 25)]
    assert client.get(f"{LIST}?page=abc").status_code == 200


def test_list_queries_do_not_grow(client, chapter, showcase):
    def add_rows():
        for number in range(30):
            project = ProjectFactory(
                chapter=chapter, name=f"More {number}", institution=f"Library {number}",
                technologies=[f"Tech {number}", "Solr"],
            )  # fmt: skip
            project.focus_areas.add(showcase["discovery"])

    assert_queries_do_not_grow(client, LIST, add_rows)


def test_filtered_list_queries_do_not_grow(client, chapter, showcase):
    def add_rows():
        for _number in range(30):
            ProjectFactory(chapter=chapter, institution="NYPL", technologies=["Solr", "Koha"])

    assert_queries_do_not_grow(client, f"{LIST}?technology=solr&institution=NYPL", add_rows)


def tally_rows(response) -> list[tuple[str, int, int]]:
    rows = re.findall(
        r'<th scope="row">(?:<a [^>]+>)?([^<]+)(?:</a>)?</th>\s*<td>(\d+)</td>\s*<td>(\d+)</td>',
        response.text,
    )
    return [(name, int(projects), int(institutions)) for name, projects, institutions in rows]


@pytest.fixture
def tally_data(chapter):
    for institution in ("NYPL", "NYPL", "NYPL", "NYPL"):
        ProjectFactory(chapter=chapter, institution=institution, technologies=["Koha"])
    for institution in ("NYPL", "Columbia"):
        ProjectFactory(chapter=chapter, institution=institution, technologies=["Solr"])
    ProjectFactory(chapter=chapter, institution="", technologies=["Solr"])
    ProjectFactory(chapter=chapter, institution="Brooklyn", technologies=["Fedora"])
    ProjectFactory(chapter=chapter, institution="Queens", technologies=["Fedora"])
    ProjectFactory(chapter=ChapterFactory(slug="other"), institution="Yale", technologies=["Koha"])


def test_technologies_by_projects_then_by_institutions(client, tally_data):
    by_projects = client.get(f"{LIST}technologies/")
    assert tally_rows(by_projects) == [
        ("Koha", 4, 1), ("Solr", 3, 2), ("Fedora", 2, 2),
    ]  # fmt: skip
    assert f'href="{LIST}?technology=koha"' in by_projects.text
    by_institutions = client.get(f"{LIST}technologies/?order=institutions")
    assert tally_rows(by_institutions) == [
        ("Solr", 3, 2), ("Fedora", 2, 2), ("Koha", 4, 1),
    ]  # fmt: skip
    assert 'aria-sort="descending"' in by_institutions.text


def test_technologies_across_the_site_link_to_each_chapter(client, tally_data):
    response = client.get("/projects/")
    assert tally_rows(response) == [("Koha", 5, 2), ("Solr", 3, 2), ("Fedora", 2, 2)]
    assert f'href="{LIST}?technology=koha">Code4LibNYC</a> (4)' in response.text
    assert 'href="/chapters/other/projects/?technology=koha">' in response.text


def test_technology_pages_queries_do_not_grow(client, chapter, tally_data):
    def add_rows():
        for number in range(20):
            ProjectFactory(chapter=chapter, institution=f"L{number}", technologies=[f"T{number}"])

    assert_queries_do_not_grow(client, f"{LIST}technologies/", add_rows)


def test_site_technologies_queries_do_not_grow(client, tally_data):
    def add_rows():
        for number in range(20):
            ProjectFactory(institution=f"L{number}", technologies=[f"T{number}", "Solr"])

    assert_queries_do_not_grow(client, "/projects/", add_rows)
