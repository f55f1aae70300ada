"""The home page, the chapter directory and a chapter's page."""

import pytest

from tests.factories import ChapterFactory, FocusAreaFactory, MembershipFactory, OrganizerFactory

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


def test_chapter_directory_query_count_does_not_grow(client, django_assert_max_num_queries):
    for _ in range(3):
        chapter = ChapterFactory()
        FocusAreaFactory.create_batch(3, chapter=chapter)
        MembershipFactory.create_batch(2, chapter=chapter)
    with django_assert_max_num_queries(4):
        client.get("/chapters/")
    for _ in range(10):
        FocusAreaFactory(chapter=ChapterFactory())
    with django_assert_max_num_queries(4):
        assert client.get("/chapters/").status_code == 200


def test_chapter_page_query_count_does_not_grow(client, chapter, django_assert_max_num_queries):
    OrganizerFactory.create_batch(2, chapter=chapter)
    with django_assert_max_num_queries(10):
        client.get(chapter.get_absolute_url())
    OrganizerFactory.create_batch(5, chapter=chapter)
    MembershipFactory.create_batch(10, chapter=chapter)
    FocusAreaFactory.create_batch(7, chapter=chapter)
    with django_assert_max_num_queries(10):
        client.get(chapter.get_absolute_url())
