"""Every bad request gets the error code the specification names, never a server error."""

import time
import xml.etree.ElementTree as ET

import pytest
from django.core import signing

from oaipmh import tokens
from oaipmh.models import Record
from tests.oaipmh.helpers import NS, error_codes, identifier, oai, one_of_each

pytestmark = pytest.mark.django_db
LIST = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "badVerb"),
        ("verb=Dance", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=Identify&extra=1", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=yesterday", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-30", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01T00:00:00.5Z", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01&until=2026-01-02T00:00:00Z",
         "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-02&until=2026-01-01", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=x", "badArgument"),
        ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01", "noRecordsMatch"),
        ("verb=ListRecords&metadataPrefix=oai_dc&until=1999-01-01", "noRecordsMatch"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=nonsense", "noRecordsMatch"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=kind:poll", "noRecordsMatch"),
        ("verb=ListRecords&resumptionToken=forged", "badResumptionToken"),
        ("verb=ListSets&resumptionToken=anything", "badResumptionToken"),
        ("verb=GetRecord&metadataPrefix=oai_dc", "badArgument"),
        ("verb=GetRecord&identifier=oai:testserver:story/999999&metadataPrefix=oai_dc",
         "idDoesNotExist"),
        ("verb=GetRecord&identifier=oai:elsewhere.org:story/1&metadataPrefix=oai_dc",
         "idDoesNotExist"),
        ("verb=GetRecord&identifier=oai:testserver:story/1x&metadataPrefix=oai_dc",
         "idDoesNotExist"),
        ("verb=ListMetadataFormats&identifier=oai:testserver:poll/1", "idDoesNotExist"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=9999-12-31&until=9999-12-31",
         "noRecordsMatch"),
        ("verb=Identify&x=%00%FF", "badArgument"),
    ],
)  # fmt: skip
def test_errors(client, chapter, query, code):
    one_of_each(chapter)
    response = client.get("/oai?" + query)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    assert error_codes(root) == [code]
    request = root.find("oai:request", NS)
    assert request.text == "http://testserver/oai"
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}


def test_unknown_format_for_an_existing_record(client, chapter):
    story = one_of_each(chapter)["story"]
    root = oai(client, verb="GetRecord", identifier=identifier("story", story), metadataPrefix="x")
    assert error_codes(root) == ["cannotDisseminateFormat"]


def first_token(client, settings) -> str:
    settings.OAIPMH_PAGE_SIZE = 2
    root = oai(client, **LIST)
    return root.find(".//oai:resumptionToken", NS).text


def test_tampered_token_is_refused(client, settings, chapter):
    one_of_each(chapter)
    token = first_token(client, settings)
    assert error_codes(oai(client, verb="ListIdentifiers", resumptionToken=token)) == []
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    root = oai(client, verb="ListIdentifiers", resumptionToken=flipped)
    assert error_codes(root) == ["badResumptionToken"]
    # A token for one verb does not page another.
    assert error_codes(oai(client, verb="ListRecords", resumptionToken=token)) == [
        "badResumptionToken"
    ]


def test_expired_token_is_refused(client, settings, chapter):
    one_of_each(chapter)
    payload = signing.loads(first_token(client, settings), salt=tokens.SALT)

    class TwoDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 2 * 86400)

    old = TwoDaysAgo(salt=tokens.SALT).sign_object(payload, compress=True)
    root = oai(client, verb="ListIdentifiers", resumptionToken=old)
    assert error_codes(root) == ["badResumptionToken"]


def test_bad_requests_write_nothing(client, chapter):
    one_of_each(chapter)
    before = list(Record.objects.values_list("kind", "object_id", "datestamp", "deleted"))
    client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&set=kind:talk&from=bad")
    client.post("/oai", {"verb": "Dance"})
    assert list(Record.objects.values_list("kind", "object_id", "datestamp", "deleted")) == before


def test_other_methods_are_refused(client):
    assert client.put("/oai").status_code == 405
