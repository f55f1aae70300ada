"""The demo's projects load once, with technologies, contributors and talks."""

import pytest

from chapterhouse.demo import load_demo
from chapterhouse.demo_projects import load_projects
from projects.models import Project, Technology

pytestmark = pytest.mark.django_db


def test_demo_projects_load_once(client):
    chapter = load_demo().chapter  # loads the projects
    people = [membership.user for membership in chapter.memberships.order_by("pk")]
    assert load_projects(chapter, people) == 0
    assert Project.objects.filter(chapter=chapter).count() == 5
    catalog = Project.objects.get(slug="consortium-blacklight-catalog")
    assert set(catalog.technologies.values_list("name", flat=True)) >= {"Blacklight", "Solr"}
    assert catalog.contributors.count() == 2 and catalog.focus_areas.exists()
    assert Technology.objects.filter(name="Solr").count() == 1
    listing = client.get(f"/chapters/{chapter.slug}/projects/")
    assert listing.status_code == 200 and "Koha course reserves plugin" in listing.text
    assert client.get(catalog.get_absolute_url()).status_code == 200
    assert client.get(f"/chapters/{chapter.slug}/projects/technologies/").status_code == 200


def test_demo_links_talks_from_the_demo_meetings():
    chapter = load_demo().chapter
    people = [membership.user for membership in chapter.memberships.order_by("pk")]
    load_projects(chapter, people)
    catalog = Project.objects.get(slug="consortium-blacklight-catalog")
    assert [talk.title for talk in catalog.talks.all()] == [
        "Blacklight on top of Solr: a year in production"
    ]
