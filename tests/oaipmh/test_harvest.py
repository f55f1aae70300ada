"""A real harvester (Sickle) pages through everything over HTTP, while the repository changes."""

import pytest
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken, NoRecordsMatch

from oaipmh.models import Record
from oaipmh.records import KINDS, public, repository_host
from tests.factories import ChapterFactory
from tests.oaipmh.helpers import one_of_each
from tests.stories.factories import StoryFactory

PAGE = 3


@pytest.fixture
def harvester(live_server, settings):
    settings.OAIPMH_PAGE_SIZE = PAGE
    settings.SITE_URL = live_server.url
    return Sickle(live_server.url + "/oai", max_retries=1)


def public_identifiers(host: str) -> set[str]:
    return {
        f"oai:{host}:{kind}/{pk}"
        for kind in KINDS
        for pk in public(kind).values_list("pk", flat=True)
    }


@pytest.mark.django_db(transaction=True)
def test_harvest_pages_through_everything(harvester, live_server):
    for chapter in (ChapterFactory(slug="nyc"), ChapterFactory(slug="dc")):
        for _ in range(3):
            one_of_each(chapter)
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    seen = [record.header.identifier for record in records]
    assert len(seen) == len(set(seen)) == 24
    assert set(seen) == public_identifiers(repository_host())
    talks = [r for r in records if "/talk/" in r.header.identifier]
    assert all("https://video.example.org/ld" in r.metadata["relation"] for r in talks)
    only_dc = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="chapter:dc:kind:talk"))
    assert len(only_dc) == 3


@pytest.mark.django_db(transaction=True)
def test_harvest_while_records_are_added_and_deleted(harvester):
    chapter = ChapterFactory(slug="nyc")
    for _ in range(5):
        one_of_each(chapter)
    at_start = public_identifiers(repository_host())
    added, deleted = set(), set()
    seen: list[tuple[str, bool]] = []
    for position, record in enumerate(harvester.ListRecords(metadataPrefix="oai_dc")):
        seen.append((record.header.identifier, record.header.deleted))
        if position % PAGE == PAGE - 1:
            # Between pages: one new story, and one record the harvester has not reached yet.
            added.add(f"oai:{repository_host()}:story/{StoryFactory(chapter=chapter).pk}")
            reached = {identifier for identifier, _gone in seen}
            waiting = [
                story
                for story in public("story").order_by("-pk")
                if f"oai:{repository_host()}:story/{story.pk}" in at_start - reached
            ]
            if waiting and len(deleted) < 4:
                victim = waiting[0]
                deleted.add(victim.pk)
                victim.delete()
    assert len(seen) == len(set(seen)), "a record was delivered twice"
    # The harvester ends up with exactly the repository's state: nothing skipped.
    latest = dict(seen)
    live = {identifier for identifier, gone in latest.items() if not gone}
    assert live == public_identifiers(repository_host())
    assert added <= live
    gone = {identifier for identifier, is_gone in latest.items() if is_gone}
    assert gone == {f"oai:{repository_host()}:story/{pk}" for pk in deleted}
    assert at_start <= set(latest)
    assert Record.objects.filter(deleted=True).count() == len(deleted)


@pytest.mark.django_db(transaction=True)
def test_harvester_sees_errors(harvester):
    ChapterFactory(slug="nyc")
    with pytest.raises(NoRecordsMatch):
        list(harvester.ListRecords(metadataPrefix="oai_dc"))
    with pytest.raises(BadResumptionToken):
        list(harvester.ListRecords(resumptionToken="not-a-token"))
