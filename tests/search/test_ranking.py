"""Ranking, phrases, prefixes, filters and facets on a small corpus whose answers are known."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from chapters.models import FocusArea
from search.engine import Document
from tests.factories import ChapterFactory
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import ProjectFactory
from tests.search.helpers import answer, found
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def corpus(chapter):
    """Stories, a meeting and a project in two chapters, indexed in one commit."""
    other = ChapterFactory(name="Code4Lib DC", slug="dc")
    with transaction.atomic():
        StoryFactory(
            chapter=chapter,
            title="Digital repository migration",
            body="Notes from moving to a new platform.",
            categories=["News"],
        )
        StoryFactory(
            chapter=chapter,
            title="Annual picnic",
            body="At the picnic we talked about the repository for hours.",
            categories=["Social"],
        )
        StoryFactory(
            chapter=other,
            title="Image collections",
            body="A repository of digital images, and the reports about it.",
            published=timezone.now() - dt.timedelta(days=365 * 6),
        )
        MeetingFactory(
            chapter=chapter, title="Repository roundtable", description="Bring questions."
        )
        area = FocusArea.objects.create(chapter=chapter, name="Discovery")
        project = ProjectFactory(
            chapter=chapter, name="Catalog search", summary="A repository front end."
        )
        project.focus_areas.add(area)
    return other


def test_a_title_match_outranks_a_body_match(client, corpus):
    ranked = found(client, "repository", kind="story")
    assert ranked[0] == "Digital repository migration"
    assert set(ranked[1:]) == {"Annual picnic", "Image collections"}


def test_more_matching_words_in_the_title_rank_higher(client, chapter):
    with transaction.atomic():
        StoryFactory(chapter=chapter, title="Linked data", body="A workshop on open vocabularies.")
        StoryFactory(chapter=chapter, title="Linked lists", body="Our open data portal.")
    assert found(client, "linked data") == ["Linked data", "Linked lists"]


def test_more_mentions_rank_higher(client, chapter):
    with transaction.atomic():
        StoryFactory(chapter=chapter, title="Once", body="Solr came up, with Koha and MARC.")
        StoryFactory(chapter=chapter, title="Often", body="Solr, Solr and more Solr tuning.")
    assert found(client, "solr") == ["Often", "Once"]


def test_a_quoted_phrase_needs_the_words_together(client, corpus):
    assert found(client, '"digital repository"') == ["Digital repository migration"]
    assert set(found(client, "digital repository")) == {
        "Digital repository migration",
        "Image collections",
    }


def test_a_star_finds_words_that_begin_so(client, corpus):
    titles = found(client, "repo*")
    assert "Image collections" in titles  # "reports" as well as "repository"
    assert len(titles) == 5
    assert found(client, "migra*") == ["Digital repository migration"]
    assert found(client, "zzz*") == []


def test_every_filter(client, corpus):
    assert found(client, "repository", kind="meeting") == ["Repository roundtable"]
    assert found(client, "repository", chapter="dc") == ["Image collections"]
    assert found(client, "repository", focus_area="Discovery") == ["Catalog search"]
    assert found(client, "repository", category="News") == ["Digital repository migration"]
    old = str(timezone.now().year - 6)
    assert found(client, "repository", year=old) == ["Image collections"]
    assert found(client, "repository", remote="1") == []


def test_facet_counts(client, corpus):
    facets = answer(client, "repository")["facets"]
    assert dict(map(tuple, facets["kind"])) == {"story": 3, "meeting": 1, "project": 1}
    assert dict(map(tuple, facets["chapter"])) == {"code4libnyc": 4, "dc": 1}
    assert dict(map(tuple, facets["category"])) == {"News": 1, "Social": 1}
    assert dict(map(tuple, facets["focus_area"])) == {"Discovery": 1}
    years = dict(map(tuple, facets["year"]))
    assert years[str(timezone.now().year - 6)] == 1
    assert sum(years.values()) == 5
    narrowed = answer(client, "repository", chapter="code4libnyc")["facets"]
    assert dict(map(tuple, narrowed["kind"])) == {"story": 2, "meeting": 1, "project": 1}


def test_remote_documents_are_marked_and_filtered(client, corpus, index):
    index.apply(
        [
            Document(
                key="remote:https://elsewhere.example/notes/1",
                kind="story",
                title="A repository elsewhere",
                body="From another instance.",
                url="https://elsewhere.example/notes/1",
                date=timezone.now(),
                audiences=["public"],
                remote=True,
            )
        ]
    )
    assert found(client, "repository", remote="1") == ["A repository elsewhere"]
    page = client.get("/search/", {"q": "elsewhere"})
    assert "From another site" in page.text
