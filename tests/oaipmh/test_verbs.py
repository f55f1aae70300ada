"""The six verbs answer as OAI-PMH 2.0 says, with oai_dc records for every kind."""

import pytest

from meetings.models import Talk
from tests.factories import ChapterFactory
from tests.oaipmh.helpers import NS, error_codes, identifier, identifiers, oai, one_of_each
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_identify(client, chapter):
    one_of_each(chapter)
    root = oai(client, verb="Identify")
    assert error_codes(root) == []
    assert root.find("oai:request", NS).get("verb") == "Identify"
    found = root.find("oai:Identify", NS)
    assert found.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai"
    assert found.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert found.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert found.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert "@" in found.findtext("oai:adminEmail", namespaces=NS)
    assert found.findtext("oai:earliestDatestamp", namespaces=NS).endswith("Z")


def test_post_is_answered_like_get(client, chapter):
    one_of_each(chapter)
    assert identifiers(oai(client, "post", verb="ListIdentifiers", metadataPrefix="oai_dc")) == (
        identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    )


def test_list_metadata_formats(client, chapter):
    content = one_of_each(chapter)
    for root in (
        oai(client, verb="ListMetadataFormats"),
        oai(client, verb="ListMetadataFormats", identifier=identifier("story", content["story"])),
    ):
        prefixes = [e.text for e in root.iter(f"{{{NS['oai']}}}metadataPrefix")]
        assert prefixes == ["oai_dc"]


def test_list_sets_has_chapters_kinds_and_both(client, chapter):
    root = oai(client, verb="ListSets")
    specs = [e.text for e in root.iter(f"{{{NS['oai']}}}setSpec")]
    assert {f"chapter:{chapter.slug}", "kind:talk", f"chapter:{chapter.slug}:kind:talk"} <= set(
        specs
    )


def test_every_kind_is_a_record_with_dublin_core(client, chapter):
    content = one_of_each(chapter)
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert sorted(identifiers(root)) == sorted(identifier(k, o) for k, o in content.items())
    for record in root.iter(f"{{{NS['oai']}}}record"):
        header = record.find("oai:header", NS)
        assert f"chapter:{chapter.slug}" in [e.text for e in header.findall("oai:setSpec", NS)]
        dc = record.find("oai:metadata/oai_dc:dc", NS)
        assert dc.findtext("dc:title", namespaces=NS)
        assert dc.findtext("dc:publisher", namespaces=NS) == chapter.name


def test_talk_record_has_slides_recording_and_licence(client, chapter):
    talk = one_of_each(chapter)["talk"]
    root = oai(
        client, verb="GetRecord", identifier=identifier("talk", talk), metadataPrefix="oai_dc"
    )
    dc = root.find(".//oai_dc:dc", NS)
    relations = [e.text for e in dc.findall("dc:relation", NS)]
    assert "https://slides.example.org/ld" in relations
    assert "https://video.example.org/ld" in relations
    assert dc.findtext("dc:rights", namespaces=NS) == "CC-BY-4.0"
    assert dc.findtext("dc:creator", namespaces=NS) == "Ada Lovelace"
    assert dc.findtext("dc:type", namespaces=NS) == "Event"


def test_proposed_talks_and_drafts_are_not_records(client, chapter):
    content = one_of_each(chapter)
    proposed = Talk.objects.create(meeting=content["talk"].meeting, title="Maybe", speakers="X")
    root = oai(
        client, verb="GetRecord", identifier=identifier("talk", proposed), metadataPrefix="oai_dc"
    )
    assert error_codes(root) == ["idDoesNotExist"]
    assert identifier("talk", proposed) not in identifiers(
        oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    )


@pytest.mark.parametrize(
    ("set_spec", "kinds"),
    [
        ("kind:talk", {"talk"}),
        ("chapter:{slug}", {"story", "talk", "report", "project"}),
        ("chapter:{slug}:kind:report", {"report"}),
        ("chapter:other", set()),
    ],
)
def test_sets_select_records(client, chapter, set_spec, kinds):
    content = one_of_each(chapter)
    ProjectFactory(chapter=ChapterFactory(slug="other-chapter"))
    root = oai(
        client,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        set=set_spec.format(slug=chapter.slug),
    )
    if not kinds:
        assert error_codes(root) == ["noRecordsMatch"]
        return
    assert sorted(identifiers(root)) == sorted(identifier(k, content[k]) for k in kinds)
