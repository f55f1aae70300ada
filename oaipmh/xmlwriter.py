"""A small XML tree that writes prefixed names as given and escapes every text and attribute.

ElementTree cannot write a default namespace next to unprefixed attributes, which OAI-PMH
needs everywhere (verb="", code=""), so the provider builds its documents with this instead.
"""

import re
from xml.sax.saxutils import escape, quoteattr

# Characters XML 1.0 cannot carry at all; member-written text may contain them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(value) -> str:
    return NOT_XML.sub("", str(value))


class Node:
    __slots__ = ("attributes", "children", "tag", "text")

    def __init__(self, tag: str, text=None, attributes: dict | None = None):
        self.tag = tag
        self.text = None if text is None else clean(text)
        self.attributes = {name: clean(value) for name, value in (attributes or {}).items()}
        self.children: list[Node] = []

    def add(self, tag: str, text=None, **attributes) -> "Node":
        child = Node(tag, text, attributes)
        self.children.append(child)
        return child

    def write(self, out: list[str]) -> None:
        attributes = "".join(
            f" {name}={quoteattr(value)}" for name, value in self.attributes.items()
        )
        if self.text is None and not self.children:
            out.append(f"<{self.tag}{attributes}/>")
            return
        out.append(f"<{self.tag}{attributes}>")
        if self.text is not None:
            out.append(escape(self.text))
        for child in self.children:
            child.write(out)
        out.append(f"</{self.tag}>")

    def to_bytes(self) -> bytes:
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
        self.write(out)
        return "".join(out).encode("utf-8")


class Written:
    """Markup already written by a Node (a stored description), placed as it is."""

    __slots__ = ("markup",)

    def __init__(self, markup: str):
        self.markup = markup

    def write(self, out: list[str]) -> None:
        out.append(self.markup)
