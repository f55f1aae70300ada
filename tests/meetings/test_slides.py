"""Slides: PDF, ODP or PPTX by content, size-capped, served as a download."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings.models import Talk
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.html import field_error
from tests.meetings.test_rsvp import make_meeting

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ODP = zipped(
    {"mimetype": b"application/vnd.oasis.opendocument.presentation", "content.xml": b"<x/>"}
)
PPTX = zipped({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})
DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def talk(chapter, member):
    meeting = make_meeting(chapter)
    return Talk.objects.create(meeting=meeting, title="Solr tips", speakers="M", proposer=member,
                               status=Talk.Status.ACCEPTED)  # fmt: skip


def upload(client, talk, name: str, content: bytes, **extra):
    url = f"{talk.meeting.get_absolute_url()}talks/{talk.pk}/materials/"
    data = {
        "slides": SimpleUploadedFile(name, content),
        "slides_url": "",
        "recording_url": "",
        **extra,
    }
    return client.post(url, data)


@pytest.mark.parametrize(
    ("name", "content", "media_type", "extension"),
    [
        ("talk.pdf", PDF, "application/pdf", "pdf"),
        ("talk.odp", ODP, "application/vnd.oasis.opendocument.presentation", "odp"),
        (
            "deck.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ),
        ("misnamed.txt", PDF, "application/pdf", "pdf"),
    ],
)
def test_speaker_uploads_slides_and_anyone_downloads_them(
    talk, member, client, name, content, media_type, extension
):
    assert upload(client_for(member), talk, name, content).status_code == 302
    talk.refresh_from_db()
    assert talk.slides_type == media_type and talk.slides.name.endswith(f".{extension}")
    response = client.get(f"{talk.meeting.get_absolute_url()}talks/{talk.pk}/slides/")
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == f'attachment; filename="solr-tips.{extension}"'
    assert b"".join(response.streaming_content) == content
    assert f"Slides ({extension.upper()})" in client.get(talk.meeting.get_absolute_url()).text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.pdf", b"MZ\x90\x00 not a pdf", "PDF, ODP or PPTX"),
        ("page.pdf", b"<html><script>alert(1)</script>", "PDF, ODP or PPTX"),
        ("report.pptx", DOCX, "PDF, ODP or PPTX"),
        ("broken.odp", b"PK\x03\x04 truncated", "PDF, ODP or PPTX"),
    ],
)
def test_files_that_are_not_slides_are_refused(talk, member, name, content, message):
    response = upload(client_for(member), talk, name, content)
    assert response.status_code == 400
    assert message in field_error(response, "slides")
    talk.refresh_from_db()
    assert not talk.slides


def test_slides_are_size_capped(talk, member, settings):
    settings.MAX_SLIDES_MB = 1
    response = upload(client_for(member), talk, "big.pdf", PDF + b"0" * (1024 * 1024 + 1))
    assert response.status_code == 400
    assert "at most 1 MB" in field_error(response, "slides")


def test_links_and_notes_and_who_may_edit(talk, member, chapter, organizer_client):
    url = f"{talk.meeting.get_absolute_url()}talks/{talk.pk}/materials/"
    data = {"slides_url": "https://slides.example.org/x", "recording_url": "https://archive.org/details/x",
            "notes": "Questions about **facets**."}  # fmt: skip
    other = client_for(MembershipFactory(chapter=chapter).user)
    assert other.get(url).status_code == 403
    assert other.post(url, data).status_code == 403
    assert organizer_client.post(url, data).status_code == 302
    page = client_for(member).get(talk.meeting.get_absolute_url()).text
    assert 'href="https://archive.org/details/x"' in page and "<strong>facets</strong>" in page
    bad = client_for(member).post(url, {**data, "recording_url": "javascript:alert(1)"})
    assert bad.status_code == 400 and "valid URL" in field_error(bad, "recording_url")


def test_no_slides_is_a_404(talk, client):
    assert (
        client.get(f"{talk.meeting.get_absolute_url()}talks/{talk.pk}/slides/").status_code == 404
    )
