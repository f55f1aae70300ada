"""The oai_dc description of one record, written once when the record changes."""

from oaipmh.xmlwriter import Node

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

DC_ELEMENTS = (
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
    "format", "identifier", "source", "language", "relation", "coverage", "rights",
)  # fmt: skip


def oai_dc(elements: dict[str, list[str]]) -> str:
    """An <oai_dc:dc> element holding the fifteen Dublin Core elements in their order."""
    dc = Node(
        "oai_dc:dc",
        attributes={
            "xmlns:oai_dc": OAI_DC,
            "xmlns:dc": DC,
            "xsi:schemaLocation": f"{OAI_DC} {OAI_DC_SCHEMA}",
        },
    )
    for name in DC_ELEMENTS:
        for value in elements.get(name, []):
            dc.add(f"dc:{name}", value)
    out: list[str] = []
    dc.write(out)
    return "".join(out)
