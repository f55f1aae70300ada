"""Anonymous pages are served from a short-lived cache; nothing personal ever is."""

import pytest
from django.core.cache import cache
from django.test import Client

from chapters.models import Chapter
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def rename(chapter, name: str) -> None:
    Chapter.objects.filter(pk=chapter.pk).update(name=name)


def page(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_an_anonymous_page_comes_from_the_cache_without_a_query(chapter, django_assert_num_queries):
    url = f"/chapters/{chapter.slug}/"
    assert "Code4LibNYC" in page(Client(), url)
    rename(chapter, "Renamed meanwhile")
    with django_assert_num_queries(0):
        assert "Code4LibNYC" in page(Client(), url)
    cache.clear()
    assert "Renamed meanwhile" in page(Client(), url)


def test_with_the_cache_off_every_visitor_gets_a_fresh_page(chapter, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = f"/chapters/{chapter.slug}/"
    page(Client(), url)
    rename(chapter, "Renamed meanwhile")
    assert "Renamed meanwhile" in page(Client(), url)


def test_someone_logged_in_never_gets_the_cached_page(chapter, member):
    url = f"/chapters/{chapter.slug}/"
    page(Client(), url)
    rename(chapter, "Renamed meanwhile")
    logged_in = page(client_for(member), url)
    assert "Renamed meanwhile" in logged_in and "Log out" in logged_in


def test_a_page_rendered_for_someone_logged_in_is_never_kept(chapter, member):
    url = f"/chapters/{chapter.slug}/"
    assert "Log out" in page(client_for(member), url)
    anonymous = page(Client(), url)
    assert "Log out" not in anonymous and member.display_name not in anonymous


def test_a_page_with_a_csrf_token_is_never_kept(db):
    first, second = Client(), Client()
    first_page, second_page = page(first, "/accounts/login/"), page(second, "/accounts/login/")
    assert "csrfmiddlewaretoken" in second_page
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    assert first_page != second_page  # each form carries its own visitor's token


def test_requests_with_messages_or_credentials_skip_the_cache(chapter):
    url = f"/chapters/{chapter.slug}/"
    page(Client(), url)
    rename(chapter, "Renamed meanwhile")
    with_messages = Client()
    with_messages.cookies["messages"] = "anything"
    assert "Renamed meanwhile" in page(with_messages, url)
    assert "Renamed meanwhile" in page(Client(), url, Authorization="Bearer token")
    assert "Renamed meanwhile" in page(Client(), url, Signature='keyId="x"')


def test_the_activitypub_answer_and_the_page_are_kept_apart(chapter):
    url = f"/chapters/{chapter.slug}/"
    assert "<html" in page(Client(), url)
    answer = Client().get(url, headers={"Accept": "application/activity+json"})
    assert answer["Content-Type"].startswith("application/activity+json")
    assert answer.json()["type"] == "Group"
    assert "<html" in page(Client(), url)


def test_errors_and_redirects_are_not_kept(chapter):
    assert Client().get("/chapters/no-such-chapter/").status_code == 404
    Chapter.objects.create(name="No such chapter", slug="no-such-chapter")
    assert Client().get("/chapters/no-such-chapter/").status_code == 200


def test_a_kept_page_tells_a_proxy_for_how_much_longer_it_may_keep_it(chapter, settings):
    url = f"/chapters/{chapter.slug}/"
    first = Client().get(url)
    assert first["X-Accel-Expires"] == "60"
    again = Client().get(url)
    assert 1 <= int(again["X-Accel-Expires"]) <= 60
    assert again.content == first.content


def test_no_proxy_may_keep_what_is_personal_or_not_kept_here(chapter, member, settings):
    url = f"/chapters/{chapter.slug}/"
    assert "X-Accel-Expires" not in client_for(member).get(url)
    assert "X-Accel-Expires" not in Client().get("/accounts/login/")
    assert "X-Accel-Expires" not in Client().get("/chapters/no-such-chapter/")
    settings.PAGE_CACHE_SECONDS = 0
    assert "X-Accel-Expires" not in Client().get(url)
