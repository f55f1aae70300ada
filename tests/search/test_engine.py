"""The index engine on its own: matching, ranking, permissions, facets, snippets, writers."""

import threading
import time
from datetime import UTC, datetime

import pytest

from search import engine
from search.engine import Document, SearchIndex


def doc(key: str, title: str, body: str, audiences=("public",), **fields) -> Document:
    values = {
        "kind": "story", "url": f"/{key}/", "date": datetime(2024, 5, 1, tzinfo=UTC),
        "chapter": "nyc", "chapter_name": "Code4LibNYC", **fields,
    }  # fmt: skip
    return Document(key=key, title=title, body=body, audiences=list(audiences), **values)


@pytest.fixture
def index() -> SearchIndex:
    found = SearchIndex(None)
    found.apply(
        [
            doc("story:1", "Digital repository migration", "We moved our repository to DSpace 7."),
            doc("story:2", "Solr tuning", "Relevancy for a digital repository catalog."),
            doc("post:3", "Members only", "Digital notes for members", ["members:1"], kind="post"),
            doc(
                "member:4",
                "Ana Ruiz",
                "Digital archivist",
                ["members:1", "members:2"],
                kind="member",
            ),
            doc("story:5", "Библиотека", "Каталог и 図書館", date=datetime(2019, 1, 1, tzinfo=UTC)),
        ]
    )
    return found


def keys(results) -> list[str]:
    return [hit.key for hit in results.hits]


def test_every_word_must_match_and_titles_rank_first(index):
    assert keys(index.search("digital repository", ["public"])) == ["story:1", "story:2"]
    assert keys(index.search("repositories", ["public"])) == ["story:1", "story:2"]  # stemmed
    assert keys(index.search("dspace solr", ["public"])) == []


def test_phrases_and_prefixes(index):
    assert keys(index.search('"digital repository"', ["public"])) == ["story:1", "story:2"]
    assert keys(index.search('"repository digital"', ["public"])) == []
    assert keys(index.search("repo*", ["public"])) == ["story:1", "story:2"]
    assert keys(index.search('"digital repo"*', ["public"])) == ["story:1", "story:2"]
    assert keys(index.search("zzz*", ["public"])) == []


def test_restricted_documents_need_one_of_their_audiences(index):
    assert keys(index.search("digital", ["public"])) == ["story:1", "story:2"]
    assert set(keys(index.search("digital", ["public", "members:2"]))) == {
        "story:1", "story:2", "member:4",
    }  # fmt: skip
    assert set(keys(index.search("digital", ["public", "members:1"]))) == {
        "story:1", "story:2", "post:3", "member:4",
    }  # fmt: skip
    assert keys(index.search("digital", [])) == ["story:1", "story:2"]


def test_filters_and_facets(index):
    results = index.search("digital", ["public", "members:1"])
    assert dict(results.facets["kind"]) == {"story": 2, "post": 1, "member": 1}
    assert dict(results.facets["year"]) == {"2024": 4}
    assert not results.facets_estimated
    assert keys(index.search("digital", ["public", "members:1"], {"kind": "post"})) == ["post:3"]
    assert keys(index.search("digital", ["public"], {"chapter": "boston"})) == []
    assert keys(index.search("каталог", ["public"], {"year": "2019"})) == ["story:5"]
    assert keys(index.search("digital", ["public"], {"audience": "members:1"})) == [
        "story:1",
        "story:2",
    ]  # fmt: skip - only known filters apply


def test_facets_of_many_results_are_estimated_from_a_sample(monkeypatch):
    index = SearchIndex(None)
    index.apply(
        doc(f"story:{n}", "Common word", "common", kind=("talk", "post")[n % 2]) for n in range(400)
    )
    monkeypatch.setattr(engine, "FACET_EXACT", 100)
    results = index.search("common", ["public"])
    assert results.total == 400 and results.facets_estimated
    counts = dict(results.facets["kind"])
    assert 120 <= counts["talk"] <= 280 and 120 <= counts["post"] <= 280


def test_snippets_mark_the_words_and_escape_the_rest():
    index = SearchIndex(None)
    body = "Intro. " + "filler " * 60 + "<script>alert(1)</script> the repositories we run"
    index.apply([doc("story:9", "A <b>title</b>", body)])
    hit = index.search("repository", ["public"]).hits[0]
    assert "<mark>repositories</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert hit.snippet.startswith("…") and hit.title == "A <b>title</b>"  # escaped by the page


@pytest.mark.parametrize(
    "text",
    ["", "   ", '"open quote', "AND OR (", "title:solr", "*", "-", "a*", "x" * 600, "図書館"],
)
def test_bad_input_gets_results_or_a_message(index, text):
    results = index.search(text, ["public"])
    assert isinstance(results.total, int)
    if len(text) > engine.MAX_QUERY_LENGTH:
        assert "too long" in results.message


def test_replacing_and_removing_documents(index):
    index.apply([doc("story:1", "Linked data", "BIBFRAME in practice")])
    assert keys(index.search("bibframe", ["public"])) == ["story:1"]
    assert keys(index.search("dspace", ["public"])) == []
    index.apply([], ["story:1"])
    assert keys(index.search("bibframe", ["public"])) == []


def test_a_second_writer_waits_for_the_first(tmp_path):
    first, second = SearchIndex(tmp_path), SearchIndex(tmp_path)
    holder = first.writer()  # another process's writer, as far as `second` can tell
    done = threading.Event()

    def write():
        second.apply([doc("story:1", "Waited", "for the lock")])
        done.set()

    worker = threading.Thread(target=write)
    worker.start()
    time.sleep(0.3)
    assert not done.is_set()
    holder.commit()
    first.release_writer()
    worker.join(timeout=10)
    assert done.is_set()
    reader = SearchIndex(tmp_path)
    assert keys(reader.search("waited", ["public"])) == ["story:1"]


def test_an_index_with_an_older_schema_is_replaced(tmp_path):
    import tantivy

    old = tantivy.SchemaBuilder()
    old.add_text_field("title", stored=True)
    tantivy.Index(old.build(), path=str(tmp_path))
    index = SearchIndex(tmp_path)  # opens, empty, instead of failing every search
    assert index.search("anything", ["public"]).total == 0
    index.apply([doc("story:1", "Fresh", "start")])
    assert keys(index.search("fresh", ["public"])) == ["story:1"]


def test_stemmed_words_are_marked_as_written():
    index = SearchIndex(None)
    index.apply([doc("story:1", "Libraries", "Our library and other libraries")])
    snippet = index.search("library", ["public"]).hits[0].snippet
    assert "<mark>library</mark>" in snippet and "<mark>libraries</mark>" in snippet
