"""Posts to HTML: Markdown with highlighted code, @mentions, and cards for local links.

A line holding nothing but a link to a meeting, a story or a project of this site
becomes a small card. The cards of a whole page are looked up together (one query per
kind), so a thread page costs the same number of queries however many posts it shows.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.text import slugify
from markupsafe import Markup
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from chapterhouse.markup import Highlighter, render_markdown

CLASS_PREFIX = "hl-"
HIGHLIGHT_CLASSES = frozenset(CLASS_PREFIX + name for name in STANDARD_TYPES.values() if name)
_formatter = HtmlFormatter(nowrap=True, classprefix=CLASS_PREFIX)

CARD_PATHS = {
    "meeting": re.compile(r"/chapters/(?P<chapter>[-\w]+)/meetings/(?P<key>[1-9]\d{0,17})/"),
    "story": re.compile(r"/chapters/(?P<chapter>[-\w]+)/stories/(?P<key>[^/\s]+)/"),
    "project": re.compile(r"/chapters/(?P<chapter>[-\w]+)/projects/(?P<key>[-\w]+)/"),
}
_LINK_LINE = re.compile(r"\s*<?(?P<url>\S+?)>?\s*")
_FENCE = re.compile(r"\s{0,3}(```|~~~)")
# A handle is the slugified display name: "Ana María Ruiz" is @ana-maria-ruiz.
MENTION = re.compile(r"(?<![\w@/.])@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)", re.I)


def highlight_code(code: str, language: str, _attrs) -> str:
    """Pygments token spans (CSS classes only) for a known language; "" lets Markdown escape it."""
    try:
        lexer = get_lexer_by_name(language.strip().split()[0]) if language.strip() else None
    except ClassNotFound:
        lexer = None
    return pygments_highlight(code, lexer, _formatter) if lexer else ""


HIGHLIGHTER = Highlighter(highlight_code, HIGHLIGHT_CLASSES)


def handle_for(display_name: str) -> str:
    """The name members use to @mention someone: their display name, slugified."""
    return slugify(display_name)


def mentioned_handles(body: str) -> set[str]:
    """The handles a post mentions, outside code."""
    text = "\n".join(line for line, in_code in _lines_with_fences(body) if not in_code)
    text = re.sub(r"`[^`]*`", "", text)
    return {handle.lower() for handle in MENTION.findall(text)}


def _lines_with_fences(body: str) -> Iterable[tuple[str, bool]]:
    in_code = False
    for line in (body or "").splitlines():
        if _FENCE.match(line):
            in_code = not in_code
            yield line, True
        else:
            yield line, in_code


@dataclass(frozen=True)
class CardRef:
    kind: str
    chapter: str
    key: str


def card_ref(line: str) -> CardRef | None:
    """The meeting, story or project a line links to, if the line is only that link."""
    match = _LINK_LINE.fullmatch(line)
    if not match:
        return None
    url = match.group("url")
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if parts.scheme or parts.netloc:
        if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
            return None
    elif not url.startswith("/"):
        return None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    for kind, pattern in CARD_PATHS.items():
        found = pattern.fullmatch(path)
        if found:
            return CardRef(kind, found["chapter"], found["key"])
    return None


def split_body(body: str) -> list[str | CardRef]:
    """The body as Markdown chunks and card references, in order."""
    pieces: list[str | CardRef] = []
    chunk: list[str] = []
    for line, in_code in _lines_with_fences(body):
        ref = None if in_code else card_ref(line)
        if ref is None:
            chunk.append(line)
            continue
        pieces.append("\n".join(chunk))
        pieces.append(ref)
        chunk = []
    pieces.append("\n".join(chunk))
    return [piece for piece in pieces if not isinstance(piece, str) or piece.strip()]


def lookup_cards(refs: Iterable[CardRef]) -> dict[CardRef, object]:
    """Fetch every referenced object with one query per kind."""
    from meetings.models import Meeting
    from projects.models import Project
    from stories.models import Story

    wanted: dict[str, set[CardRef]] = {}
    for ref in refs:
        wanted.setdefault(ref.kind, set()).add(ref)
    found: dict[CardRef, object] = {}
    if wanted.get("meeting"):
        ids = {int(ref.key) for ref in wanted["meeting"]}
        for meeting in Meeting.objects.filter(pk__in=ids).select_related("chapter", "venue"):
            found[CardRef("meeting", meeting.chapter.slug, str(meeting.pk))] = meeting
    if wanted.get("story"):
        slugs = {ref.key for ref in wanted["story"]}
        for story in Story.objects.published().filter(slug__in=slugs).select_related("chapter"):
            found[CardRef("story", story.chapter.slug, story.slug)] = story
    if wanted.get("project"):
        slugs = {ref.key for ref in wanted["project"]}
        for project in Project.objects.filter(slug__in=slugs).select_related("chapter"):
            found[CardRef("project", project.chapter.slug, project.slug)] = project
    return found


def _render_piece(piece: str | CardRef, cards: dict) -> Markup:
    if isinstance(piece, str):
        return render_markdown(piece, highlight=HIGHLIGHTER)
    target = cards.get(piece)
    if target is None:  # not found, or not public: the link as the member wrote it
        url = f"{settings.SITE_URL}/chapters/{piece.chapter}/{piece.kind}s/{piece.key}/"
        return render_markdown(f"<{url}>")
    card = render_to_string("forum/_link_card.html", {"kind": piece.kind, "target": target})
    return Markup(card)  # noqa: S704 - an autoescaping template of our own


def render_bodies(bodies: dict[int, str]) -> dict[int, Markup]:
    """Render many post bodies (by post id), looking their cards up together."""
    split = {pk: split_body(body) for pk, body in bodies.items()}
    refs = [piece for pieces in split.values() for piece in pieces if isinstance(piece, CardRef)]
    cards = lookup_cards(refs) if refs else {}
    return {
        pk: Markup("").join(_render_piece(piece, cards) for piece in pieces)
        for pk, pieces in split.items()
    }


def render_body(body: str) -> Markup:
    return render_bodies({0: body})[0]


def quote(author_name: str, body: str) -> str:
    """A Markdown blockquote of a post, to start a reply with."""
    lines = [f"> **{author_name}:**", ">"] + [f"> {line}".rstrip() for line in body.splitlines()]
    return "\n".join(lines) + "\n\n"


def has_link(body: str) -> bool:
    """Whether a post links anywhere: the thing spam needs."""
    return bool(re.search(r"https?://|www\.|<a\s|\]\(", body or "", re.I))
