"""Dublin Core and citation metadata for stories, read by the OAI-PMH provider and the pages.

`dublin_core()` is the one description of a story; `citation_meta()` turns any such description
into the <meta> tags Zotero, Google Scholar and similar tools read, so every kind of content
shares one mapping.
"""

from django.conf import settings

from chapterhouse.markup import markdown_text, visible_text

DESCRIPTION_LIMIT = 2000


def plain_text(html: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Text for a description element: no markup, bounded so records stay small."""
    text = visible_text(str(html))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def body_text(story) -> str:
    """The start of the story's text, without rendering and sanitizing all of it."""
    if story.body_format == story.Format.HTML:
        return visible_text(story.body[: DESCRIPTION_LIMIT * 2])
    return markdown_text(story.body, DESCRIPTION_LIMIT)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def person(user) -> tuple[str, str]:
    """A member's name and ORCID iD URL as metadata shows them.

    The iD is only published for members who chose to appear in directories.
    """
    profile = getattr(user, "profile", None)
    return user.display_name, (profile.orcid_url if profile and profile.in_directory else "")


def record(**elements) -> dict[str, list[str]]:
    """A Dublin Core dict without empty values; `creator_orcid` stays parallel to `creator`."""
    result = {}
    for key, values in elements.items():
        if key == "creator_orcid":
            continue
        kept = [str(value) for value in values if value]
        if kept:
            result[key] = kept
    if "creator" in result:
        result["creator_orcid"] = [str(orcid or "") for orcid in elements.get("creator_orcid", [])]
    return result


def dublin_core(story) -> dict[str, list[str]]:
    """A published story as Dublin Core elements (callers pass published stories only)."""
    creators = [person(story.author)] if story.author_id and not story.author.is_placeholder else []
    description = story.excerpt_text() or plain_text(body_text(story))
    published = story.published or story.created
    return record(
        title=[story.title],
        creator=[name for name, _orcid in creators],
        creator_orcid=[orcid for _name, orcid in creators],
        subject=[category.name for category in story.categories.all()],
        description=[description],
        publisher=[story.chapter.name],
        date=[published.date().isoformat()],
        type=["Text"],
        format=["text/html"],
        identifier=[absolute(story.get_absolute_url())],
        language=["en"],
    )


def citation_meta_from(dc: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The citation_* (Highwire) and DC.* meta tag pairs for one Dublin Core description."""
    pairs = [("citation_title", title) for title in dc.get("title", [])[:1]]
    orcids = dc.get("creator_orcid", [])
    for index, name in enumerate(dc.get("creator", [])):
        pairs.append(("citation_author", name))
        if index < len(orcids) and orcids[index]:
            pairs.append(("citation_author_orcid", orcids[index]))
    pairs += [("citation_publication_date", d.replace("-", "/")) for d in dc.get("date", [])[:1]]
    pairs += [("citation_publisher", value) for value in dc.get("publisher", [])[:1]]
    pairs += [("citation_public_url", value) for value in dc.get("identifier", [])[:1]]
    for element in ("title", "creator", "date", "publisher", "identifier", "type", "rights"):
        pairs += [(f"DC.{element}", value) for value in dc.get(element, [])]
    return pairs


def citation_meta(story) -> list[tuple[str, str]]:
    return citation_meta_from(dublin_core(story))
