"""The search page, its JSON twin and the OpenSearch description; bad input never breaks them."""

from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from django.db import transaction
from django.test import Client

from tests.html import form_error, text_of
from tests.queries import assert_queries_do_not_grow
from tests.search.helpers import answer
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db(transaction=True)
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

BAD_QUERIES = [
    "",
    '"open quote',
    "AND OR (",
    "x" * 600,
    "図書館",
    "библиотека",
    "title:foo",
    "*",
    "-",
    "audience:public",
    "NOT",
    "a*",
    '""',
]


@pytest.fixture
def stories(chapter):
    with transaction.atomic():
        for n in range(25):
            StoryFactory(chapter=chapter, title=f"Library news {n}", body="Open library data.")
        StoryFactory(chapter=chapter, title="Библиотека и 図書館", body="Unicode words.")


@pytest.mark.parametrize("q", BAD_QUERIES)
def test_odd_queries_get_a_page_never_an_error(q, stories):
    page = Client().get("/search/", {"q": q})
    assert page.status_code == 200
    data = answer(Client(), q)
    assert data["total"] >= 0
    assert isinstance(data["message"], str)


def test_non_latin_words_are_found(stories):
    assert answer(Client(), "библиотека")["total"] == 1
    assert answer(Client(), "図書館")["total"] == 1


def test_a_null_character_is_a_bad_request(stories):
    page = Client().get("/search/", {"q": "library\x00"})
    assert page.status_code == 400
    assert form_error(page).startswith("Search for:")


def test_a_too_long_query_is_explained_not_run(stories):
    page = Client().get("/search/", {"q": "library " * 80})
    assert page.status_code == 200
    assert "too long" in page.text
    assert answer(Client(), "library " * 80)["results"] == []


def test_a_query_of_no_words_is_explained(stories):
    page = Client().get("/search/", {"q": "*"})
    assert "Type a word" in text_of(page.text)


def test_an_empty_search_shows_the_form_and_a_hint(chapter):
    page = Client().get("/search/")
    assert page.status_code == 200
    assert '<label for="search-q">' in page.text
    assert "Type what you are looking for" in page.text
    assert 'role="alert"' not in page.text


def test_a_chapter_link_scopes_the_search(chapter):
    page = Client().get("/search/", {"chapter": chapter.slug})
    assert f"Type what you are looking for in {chapter.name}" in text_of(page.text)
    assert f'<input type="hidden" name="chapter" value="{chapter.slug}">' in page.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "Page"),
        ({"page": "abc"}, "Page"),
        ({"page": "100000"}, "Page"),
        ({"kind": "spaceship"}, "Kind"),
        ({"year": "20x6"}, "Year"),
        ({"chapter": "not a slug!"}, "Chapter"),
        ({"remote": "maybe"}, "From other sites"),
    ],
)
def test_bad_parameters_are_a_bad_request_with_a_reason(params, field):
    page = Client().get("/search/", {"q": "library", **params})
    assert page.status_code == 400
    assert form_error(page).startswith(f"{field}:")
    response = Client().get("/search/json/", {"q": "library", **params})
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{field}:")


def test_results_page(stories):
    page = Client().get("/search/", {"q": "library"})
    text = text_of(page.text)
    assert "25 results" in text
    assert "Page 1 of 2" in text
    assert page.text.count('class="hit"') == 20
    assert 'href="?q=library&amp;page=2" rel="next"' in page.text
    second = Client().get("/search/", {"q": "library", "page": "2"})
    assert second.text.count('class="hit"') == 5
    assert 'rel="prev"' in second.text


def test_matches_are_highlighted_and_markup_escaped(chapter):
    StoryFactory(chapter=chapter, title="<b>Open</b> hours", body="Open <em>data</em> & more.")
    page = Client().get("/search/", {"q": "open"})
    assert "<mark>Open</mark>" in page.text
    assert "&lt;b&gt;Open&lt;/b&gt; hours" in page.text
    assert "<b>Open</b>" not in page.text


def test_facet_links_add_and_remove_filters(stories, chapter):
    page = Client().get("/search/", {"q": "library"})
    assert f'href="?q=library&amp;chapter={chapter.slug}"' in page.text
    assert "Code4LibNYC" in page.text
    narrowed = Client().get("/search/", {"q": "library", "kind": "story"})
    assert 'href="?q=library" aria-current="true"' in narrowed.text
    assert "Kind: Story" in text_of(narrowed.text)


def test_nothing_found_suggests_what_to_do(stories):
    page = Client().get("/search/", {"q": "zebra"})
    assert "Nothing found" in page.text
    assert "0 results" in text_of(page.text)


def test_json(stories, chapter):
    data = answer(Client(), "library", page="2")
    assert data["query"] == "library"
    assert data["total"] == 25
    assert data["page"] == 2
    assert len(data["results"]) == 5
    hit = data["results"][0]
    assert set(hit) == {"kind", "title", "url", "date", "chapter", "remote", "snippet"}
    assert hit["kind"] == "story" and hit["chapter"] == chapter.slug and hit["remote"] is False
    assert ["story", 25] in data["facets"]["kind"]
    assert data["message"] == ""


def test_opensearch_description(client):
    response = client.get("/search/opensearch.xml")
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own document
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    assert root.find(f"{OPENSEARCH}ShortName").text
    templates = {url.get("type"): url.get("template") for url in root.iter(f"{OPENSEARCH}Url")}
    html = urlsplit(templates["text/html"])
    assert html.path == "/search/"
    assert parse_qs(html.query)["q"] == ["{searchTerms}"]
    assert urlsplit(templates["application/json"]).path == "/search/json/"


def test_every_page_points_to_the_search(client):
    page = client.get("/search/")
    assert 'rel="search" type="application/opensearchdescription+xml"' in page.text
    assert 'role="search"' in page.text


def test_the_results_page_queries_do_not_grow(chapter, member_client):
    StoryFactory(chapter=chapter, title="Library news", body="Library data.")

    def add_rows():
        with transaction.atomic():
            for n in range(15):
                StoryFactory(chapter=chapter, title=f"More library news {n}")

    assert_queries_do_not_grow(member_client, "/search/?q=library", add_rows)
