"""Jekyll front-matter files, as the Drupal 7 Jekyll exporter writes them: read and write.

A file is `---`, a YAML mapping (title, layout, categories, created or date,
excerpt), `---`, then the body (HTML, or Markdown when `format: markdown`).
Reading repairs mojibake and line ends; it never touches the database.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import ftfy
import yaml
from django.utils.text import slugify

FILE_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>.+?)(?:\.[A-Za-z0-9]+)?$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n---[ \t]*(?:\n|\Z)(?P<body>.*)\Z", re.S)
BREAK = "<!--break-->"
KINDS = {"story": "story", "blog": "blog", "page": "page", "post": "blog"}
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class BadPost(Exception):
    """A file that cannot be imported, and why."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


@dataclass
class Post:
    source: str
    title: str
    kind: str
    slug: str
    created: dt.datetime
    body: str
    body_format: str = "html"
    excerpt: str = ""
    categories: list[str] = field(default_factory=list)
    file_date: dt.date | None = None
    draft: bool = False

    @property
    def dated_path(self) -> str:
        """The Jekyll address of the post, /YYYY/MM/DD/slug, dated as its file name is."""
        day = self.file_date or self.created.date()
        return f"/{day:%Y/%m/%d}/{self.slug}"


def repair(text: str) -> str:
    """Undo mojibake (UTF-8 read as cp1252) and normalize line ends; change nothing else."""
    if not text.isascii():  # mojibake needs non-ASCII characters; most files have none
        text = ftfy.fix_text(
            text,
            unescape_html=False,
            uncurl_quotes=False,
            fix_latin_ligatures=False,
            fix_character_width=False,
            normalization="NFC",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_post(path: Path) -> Post:
    """Parse one file into a Post, or raise BadPost naming what is wrong."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadPost(path, f"not UTF-8 text (undecodable byte at offset {error.start})") from None
    except OSError as error:
        raise BadPost(path, f"cannot be read ({error.strerror})") from None
    match = FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise BadPost(path, "no front matter: the file must start with a --- line")
    meta = parse_yaml(path, match["yaml"])
    title = repair(str(meta.get("title") or "")).strip()
    if not title:
        raise BadPost(path, "no title in the front matter")
    name = FILE_NAME.match(path.name)
    body = repair(match["body"]).strip("\n")
    return Post(
        source=path.name,
        title=" ".join(title.split()),
        kind=KINDS.get(str(meta.get("layout") or "").lower(), "story"),
        slug=slugify(name["slug"] if name else path.stem, allow_unicode=True)[:200] or "story",
        created=created_of(path, meta, name),
        body=body,
        body_format="markdown" if str(meta.get("format", "")).lower() == "markdown" else "html",
        excerpt=repair(str(meta.get("excerpt") or "")).strip(),
        categories=categories_of(meta.get("categories")),
        file_date=dt.date.fromisoformat(name["date"]) if name else None,
        draft=str(meta.get("status", "")).lower() == "draft",
    )


def parse_yaml(path: Path, source: str) -> dict:
    try:
        meta = yaml.load(source, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""  # +2: the opening --- and 1-based
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise BadPost(path, f"broken YAML front matter{where}: {problem}") from None
    if not isinstance(meta, dict):
        raise BadPost(path, "the front matter is not a list of key: value lines")
    return meta


def created_of(path: Path, meta: dict, name: re.Match | None) -> dt.datetime:
    """`created` (Unix seconds), else `date`, else the date in the file name; always aware."""
    value = meta.get("created", meta.get("date"))
    try:
        if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
            return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
        if isinstance(value, str) and value.strip():
            value = dt.datetime.fromisoformat(value.strip())
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        if value is None and name:
            return dt.datetime.fromisoformat(name["date"]).replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise BadPost(path, f"no usable date: created or date is {value!r}")


def categories_of(value) -> list[str]:
    """Categories as a clean list, whether YAML gave a list, `[]`, or a space-separated string."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split()
    names = []
    for item in items:
        name = " ".join(repair(str(item)).split())[:100]
        if name and name not in names:
            names.append(name)
    return names


def write_post(post: Post, folder: Path) -> Path:
    """Write a Post as a front-matter file that read_post reads back to the same Post."""
    meta = {}
    if post.excerpt:
        meta["excerpt"] = post.excerpt
    meta["categories"] = post.categories
    meta["layout"] = post.kind
    meta["title"] = post.title
    meta["created"] = int(post.created.timestamp())
    if post.body_format == "markdown":
        meta["format"] = "markdown"
    if post.draft:
        meta["status"] = "draft"
    front = yaml.dump(meta, Dumper=SAFE_DUMPER, allow_unicode=True, sort_keys=False, width=88)
    path = folder / (post.source or f"{post.created:%Y-%m-%d}-{post.slug}.md")
    path.write_text(f"---\n{front}---\n{post.body}\n", encoding="utf-8")
    return path
