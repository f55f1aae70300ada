"""Markdown rendering and the one HTML sanitizer every piece of rich text goes through.

Rich text arrives as Markdown from members and as HTML from old Drupal and Jekyll
sites. `sanitize` first rewrites players (iframes, Flash objects) with a forgiving
parse, then nh3 cleans the result against an allow-list. nh3 is the gate: the
rewrite only decides how players look, never what is safe.
"""

import re
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "iframe", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
    "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "code": {"class"},
    "del": {"cite", "datetime"},
    "iframe": {"src", "width", "height", "title", "allowfullscreen", "loading"},
    "img": {"src", "alt", "title", "width", "height"},
    "ins": {"cite", "datetime"},
    "ol": {"start", "reversed"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
# hCalendar and hCard class names, so imported event listings stay machine-readable;
# every other class is dropped so content cannot borrow the site's own styles.
MICROFORMAT_CLASSES = {
    "vcalendar", "vevent", "summary", "dtstart", "dtend", "duration", "location",
    "description", "url", "uid", "category", "organizer", "attendee", "status",
    "vcard", "fn", "n", "org", "adr", "street-address", "locality", "region",
    "postal-code", "country-name", "geo", "latitude", "longitude", "email", "tel", "note",
}  # fmt: skip
ALLOWED_CLASSES = {
    tag: MICROFORMAT_CLASSES
    for tag in ("a", "abbr", "dd", "div", "dt", "li", "p", "span", "td", "time")
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
# Players we frame, by host and path prefix; keep in step with frame-src in middleware.py.
EMBED_PATHS = {
    "www.youtube.com": "/embed/",
    "www.youtube-nocookie.com": "/embed/",
    "player.vimeo.com": "/video/",
    "archive.org": "/embed/",
}
EMBED_TITLE = "Embedded video"
# Browsers and urlsplit disagree about backslashes, whitespace and control characters
# (https://evil.example\@www.youtube.com/ goes to evil.example), so such URLs never frame.
_AMBIGUOUS_URL = re.compile(r"[\x00-\x20\\\x7f]")
_DIMENSION = re.compile(r"\d{1,4}%?")
# Elements a reader sees as apart from the words around them (blocks, controls, players):
# removing one must not glue two words together.
SEPARATING_TAGS = {
    "address", "article", "aside", "audio", "blockquote", "br", "button", "caption", "center",
    "dd", "details", "dialog", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
    "iframe", "img", "input", "legend", "li", "listing", "main", "menu", "nav", "object", "ol",
    "option", "p", "pre", "section", "select", "summary", "table", "tbody", "td", "textarea",
    "tfoot", "th", "thead", "tr", "ul", "video",
}  # fmt: skip
HIDDEN_CONTENT_TAGS = {"script", "style", "template", "iframe"}
PLAYER_TAGS = {"iframe", "object", "embed", "param"}

_markdown = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(
    ["table", "strikethrough"]
)


def web_url(url: str | None) -> str | None:
    """The URL if it is http(s) (protocol-relative becomes https), else None."""
    url = (url or "").strip()
    if url.startswith("//"):
        url = "https:" + url  # we are served over https, so that is what the browser would use
    return url if urlsplit(url).scheme in {"http", "https"} else None


def is_embeddable(src: str) -> bool:
    """Whether an iframe may show this URL: https, no user or port, an allowed player path."""
    if _AMBIGUOUS_URL.search(src):
        return False
    parts = urlsplit(src)
    prefix = EMBED_PATHS.get(parts.netloc)
    return (
        parts.scheme == "https"
        and prefix is not None
        and parts.path.startswith(prefix)
        and ".." not in parts.path
    )


def _link(url: str | None) -> str:
    return f'<a href="{escape(url)}">{escape(url)}</a>' if url else ""


def _frame_or_link(attributes: dict[str, str | None]) -> str:
    src = web_url(attributes.get("src"))
    if not (src and is_embeddable(src)):
        return _link(src)
    size = "".join(
        f' {name}="{value}"'
        for name in ("width", "height")
        if _DIMENSION.fullmatch(value := (attributes.get(name) or "").strip())
    )
    title = escape((attributes.get("title") or "").strip() or EMBED_TITLE)
    return (
        f'<iframe src="{escape(src)}"{size} title="{title}" allowfullscreen loading="lazy">'
        "</iframe>"
    )


class _PlayerRewriter(HTMLParser):
    """Copy HTML through, turning iframes, <object> and <embed> into frames or links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.in_iframe = False
        # One entry per open <object>: whether it has already produced its link.
        self.objects: list[bool] = []

    def emit(self, text: str) -> None:
        if not self.in_iframe:  # iframe content is never shown, so it is dropped
            self.out.append(text)

    def handle_starttag(self, tag, attrs):
        if tag in PLAYER_TAGS:
            self.emit(f" {self.player(tag, dict(attrs))} ")
            self.in_iframe = self.in_iframe or tag == "iframe"
        elif tag != "noscript":  # our pages work without scripts, so show the fallback
            self.emit(self.get_starttag_text() + self.gap(tag))

    def handle_startendtag(self, tag, attrs):
        # "/>" closes nothing in HTML (<iframe/> still opens an iframe): no end tag.
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "iframe":
            self.in_iframe = False
        elif tag == "object" and not self.in_iframe:
            self.objects = self.objects[:-1]
            self.emit(" ")
        elif tag not in PLAYER_TAGS | {"noscript"}:
            self.emit(self.gap(tag) + f"</{tag}>")

    def handle_data(self, data):
        # Decoded by the HTML5 rules and escaped again, so nh3 reads the same text.
        self.emit(escape(data, quote=False))

    # Comments, declarations and processing instructions are never shown; they go.

    def player(self, tag: str, attributes: dict[str, str | None]) -> str:
        if self.in_iframe:
            return ""
        if tag == "iframe":
            return _frame_or_link(attributes)
        if tag == "object":
            src = web_url(attributes.get("data"))
            self.objects.append(src is not None)
            return _link(src)
        if tag == "embed":
            return self.object_source(attributes.get("src"))
        if (attributes.get("name") or "").lower() in {"movie", "src", "url"}:
            return self.object_source(attributes.get("value"))
        return ""

    def object_source(self, url: str | None) -> str:
        # Flash markup names one movie up to three times (data, param, embed): link it once.
        if self.objects and self.objects[-1]:
            return ""
        src = web_url(url)
        if self.objects:
            self.objects[-1] = src is not None
        return _link(src)

    @staticmethod
    def gap(tag: str) -> str:
        # nh3 removes this tag; a space keeps the words on either side apart.
        return " " if tag in SEPARATING_TAGS and tag not in ALLOWED_TAGS else ""


def _rewrite_players(html: str) -> str:
    rewriter = _PlayerRewriter()
    rewriter.feed(html)
    rewriter.close()
    return "".join(rewriter.out)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Checked again here because nh3 parses differently from html.parser and may
    # find an iframe or image the rewrite never saw.
    if tag == "iframe" and attribute == "src":
        return value if is_embeddable(value) else None
    if tag == "img" and attribute == "src":
        return value if urlsplit(value.strip()).scheme in {"", "http", "https"} else None
    if attribute in {"width", "height"}:
        return value if _DIMENSION.fullmatch(value.strip()) else None
    if tag == "code" and attribute == "class":
        # Markdown marks fenced code with language-*; other classes could borrow site styles.
        return " ".join(c for c in value.split() if c.startswith("language-")) or None
    return value


def _allow_list(html: str, span_classes: frozenset[str] = frozenset()) -> str:
    allowed_classes = ALLOWED_CLASSES
    if span_classes:
        allowed_classes = {**ALLOWED_CLASSES, "span": MICROFORMAT_CLASSES | span_classes}
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        allowed_classes=allowed_classes,
        set_tag_attribute_values={"iframe": {"loading": "lazy"}},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def sanitize(html: str, span_classes: frozenset[str] = frozenset()) -> Markup:
    """Clean untrusted HTML down to the allow-list: no scripts, handlers, styles or forms.

    `span_classes` adds class names allowed on <span> only (the highlighter's token classes).
    """
    cleaned = _allow_list(_rewrite_players(html or ""), span_classes)
    return Markup(cleaned)  # noqa: S704 - nh3 has just sanitized it


def render_markdown(text: str, highlight=None) -> Markup:
    """Render Markdown (raw HTML allowed) and sanitize the result.

    `highlight` (a Highlighter) colours fenced code: its token classes are then allowed
    on <span>, and only on <span>; without it, rendering is exactly as before.
    """
    if highlight is None:
        return sanitize(_markdown.render(text or ""))
    return sanitize(highlight.markdown.render(text or ""), highlight.classes)


def markdown_text(text: str, limit: int | None = None) -> str:
    """The text a reader would see in this Markdown, for metadata where no markup survives.

    Nothing is sanitized (all markup is dropped, and hidden content with it);
    with `limit`, only about the first `limit` characters of the source are rendered.
    """
    source = text or ""
    if limit is not None:
        source = source[: limit * 2]
    return visible_text(_markdown.render(source))


class Highlighter:
    """A Markdown renderer whose fenced code goes through `highlight(code, language, attrs)`."""

    def __init__(self, highlight, classes: frozenset[str]):
        self.classes = classes
        self.markdown = MarkdownIt(
            "commonmark", {"html": True, "typographer": True, "highlight": highlight}
        ).enable(["table", "strikethrough"])


class _TextCollector(HTMLParser):
    """Collect the text a reader sees, with a space wherever words are set apart."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def separate(self, tag: str) -> None:
        if tag in SEPARATING_TAGS and not self.hidden_depth:
            self.parts.append(" ")

    def handle_starttag(self, tag, attrs):
        self.hidden_depth += tag in HIDDEN_CONTENT_TAGS
        self.separate(tag)

    def handle_startendtag(self, tag, attrs):
        # "/>" closes nothing in HTML: <iframe/> still hides what follows it.
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in HIDDEN_CONTENT_TAGS:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        self.separate(tag)

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The whitespace-normalized text a reader sees in this HTML, entities decoded."""
    collector = _TextCollector()
    collector.feed(html or "")
    collector.close()
    return " ".join("".join(collector.parts).split())


_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|center|dd|details|div|dl|dt|embed|figcaption|figure"
    r"|footer|form|h[1-6]|header|hr|iframe|li|nav|object|ol|p|pre|section|summary|table|tbody"
    r"|td|tfoot|th|thead|tr|ul)\b",
    re.I,
)
_PRE_BLOCK = re.compile(r"(<pre\b.*?</pre\s*>)", re.I | re.S)
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


def paragraphs_from_line_breaks(html: str) -> str:
    """Turn blank lines into paragraphs and line breaks into <br>, as Drupal's filter did.

    Imported Drupal bodies relied on it: they are HTML without <p> tags. Runs of text
    that hold block-level tags are left alone, and so is everything inside <pre>.
    """
    pieces = []
    for chunk in _PRE_BLOCK.split(html.replace("\r\n", "\n")):
        if _PRE_BLOCK.fullmatch(chunk):
            pieces.append(chunk)
            continue
        for paragraph in _BLANK_LINES.split(chunk):
            paragraph = paragraph.strip()
            if not paragraph or _BLOCK_TAG.search(paragraph):
                pieces.append(paragraph)
            else:
                pieces.append("<p>" + paragraph.replace("\n", "<br>\n") + "</p>")
    return "\n".join(piece for piece in pieces if piece)
