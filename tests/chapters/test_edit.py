"""Organizers edit the chapter: settings, focus areas and links."""

import pytest

from chapters.models import Chapter
from tests.html import field_error

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Code4LibNYC",
    "tagline": "Library technologists in New York",
    "description": "We meet monthly.",
    "region": "New York City area",
    "time_zone": "America/New_York",
    "focus_areas": "Digital library systems\nFederated search tools\n\n",
    "links": "METRO page http://www.metro.org/collaborate/index.php/Code4libNYC",
}


def test_organizer_edits_focus_areas_and_keeps_members_interests(organizer_client, chapter, member):
    organizer_client.post(f"/chapters/{chapter.slug}/edit/", VALID)
    search = chapter.focus_areas.get(name="Federated search tools")
    member.profile.interests.add(search)

    data = {**VALID, "focus_areas": "Federated search tools\nNext generation OPACs"}
    assert organizer_client.post(f"/chapters/{chapter.slug}/edit/", data).status_code == 302
    assert list(chapter.focus_areas.values_list("name", flat=True)) == [
        "Federated search tools",
        "Next generation OPACs",
    ]
    assert list(member.profile.interests.all()) == [search]
    link = chapter.links.get()
    assert (link.label, link.url) == (
        "METRO page",
        "http://www.metro.org/collaborate/index.php/Code4libNYC",
    )
    page = organizer_client.get(chapter.get_absolute_url()).text
    assert "Next generation OPACs" in page and "METRO page" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"links": "Good https://example.org\nBroken link"}, "links", "Line 2"),
        ({"links": "https://example.org"}, "links", "Line 1: give a label"),
        ({"focus_areas": "ok\n" + "x" * 101}, "focus_areas", "Line 2 is longer"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "valid choice"),
        ({"name": ""}, "name", "required"),
        ({"name": "n" * 121}, "name", "at most 120"),
    ],
)
def test_bad_chapter_settings_are_rejected(organizer_client, chapter, changes, field, message):
    response = organizer_client.post(f"/chapters/{chapter.slug}/edit/", {**VALID, **changes})
    assert response.status_code == 400
    assert message in field_error(response, field)
    chapter = Chapter.objects.get(pk=chapter.pk)
    assert chapter.tagline == "" and not chapter.focus_areas.exists() and not chapter.links.exists()
