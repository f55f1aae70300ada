"""Content of every kind, and small readers for OAI-PMH responses."""

import xml.etree.ElementTree as ET

from meetings.models import Report, Talk
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import ProjectFactory
from tests.stories.factories import StoryFactory

NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
}


def make_talk(meeting, **fields) -> Talk:
    values = {"title": "Linked data in an afternoon", "speakers": "Ada Lovelace",
              "status": Talk.Status.ACCEPTED, "abstract": "How we did it."}  # fmt: skip
    values.update(fields)
    return Talk.objects.create(meeting=meeting, **values)


def make_report(meeting, **fields) -> Report:
    values = {"attendance": 30, "what_worked": "Short talks.", "published": True}
    values.update(fields)
    return Report.objects.create(meeting=meeting, **values)


def one_of_each(chapter) -> dict:
    meeting = MeetingFactory(chapter=chapter)
    return {
        "story": StoryFactory(chapter=chapter, title="Catalog news"),
        "talk": make_talk(
            meeting,
            slides_url="https://slides.example.org/ld",
            recording_url="https://video.example.org/ld",
            licence="CC-BY-4.0",
        ),
        "report": make_report(meeting),
        "project": ProjectFactory(chapter=chapter, name="Shelf", licence="MIT"),
    }


def oai(client, method: str = "get", **arguments) -> ET.Element:
    response = getattr(client, method)("/oai", arguments)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def error_codes(root: ET.Element) -> list[str]:
    return [error.get("code") for error in root.findall("oai:error", NS)]


def identifiers(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{{{NS['oai']}}}identifier")]


def identifier(kind: str, obj) -> str:
    return f"oai:testserver:{kind}/{obj.pk}"
