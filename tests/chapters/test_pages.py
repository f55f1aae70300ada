"""The home page, the chapter directory and a chapter's page."""

import pytest

from tests.factories import ChapterFactory, FocusAreaFactory, MembershipFactory, OrganizerFactory
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def test_with_one_chapter_home_is_its_page(client, chapter, organizer):
    response = client.get("/")
    assert response.status_code == 200
    assert "<h1>Code4LibNYC</h1>" in response.text
    assert f'rel="canonical" href="http://testserver/chapters/{chapter.slug}/"' in response.text


def test_with_many_chapters_home_is_the_directory(client, chapter):
    ChapterFactory(name="Code4Lib North", slug="north")
    response = client.get("/")
    assert "<h1>Chapters</h1>" in response.text
    assert "Code4LibNYC" in response.text and "Code4Lib North" in response.text


def test_with_no_chapter_home_says_how_to_start(client, db):
    assert "No chapters yet" in client.get("/").text


def test_chapter_page_shows_about_focus_areas_organizers_and_placeholders(client, chapter):
    chapter.description = "We meet **monthly**.<script>alert(1)</script>"
    chapter.save()
    FocusAreaFactory(chapter=chapter, name="Federated search tools")
    OrganizerFactory(chapter=chapter, user__profile__display_name="Kevin Reiss")
    page = client.get(chapter.get_absolute_url()).text
    assert "<strong>monthly</strong>" in page
    assert "<script>alert" not in page
    assert "Federated search tools" in page
    assert "Kevin Reiss" in page
    assert "Upcoming meetings" in page and "Latest stories" in page
    assert "Contact the organizers" in page
    assert f"/accounts/signup/?chapter={chapter.slug}" in page


def add_chapters_with_people(count: int) -> None:
    for _ in range(count):
        chapter = ChapterFactory()
        FocusAreaFactory.create_batch(3, chapter=chapter)
        MembershipFactory.create_batch(2, chapter=chapter)


def test_chapter_list_queries_do_not_grow(client):
    add_chapters_with_people(3)
    assert_queries_do_not_grow(client, "/chapters/", lambda: add_chapters_with_people(10))


def test_chapter_page_queries_do_not_grow(client, chapter):
    def add_people_and_areas():
        OrganizerFactory.create_batch(5, chapter=chapter)
        MembershipFactory.create_batch(10, chapter=chapter)
        FocusAreaFactory.create_batch(7, chapter=chapter)

    OrganizerFactory.create_batch(2, chapter=chapter)
    assert_queries_do_not_grow(client, chapter.get_absolute_url(), add_people_and_areas)


def test_the_site_has_an_icon_at_the_root_and_in_every_page(client, chapter):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon" href="/static/favicon' in client.get(chapter.get_absolute_url()).text
