"""The full-text index: tantivy, embedded, the same on SQLite and PostgreSQL.

Why tantivy and not the database's own full-text search: ranking a common word
means scoring every document that holds it, and SQLite FTS5 does that in
Python-callable SQL one row at a time (p95 above 800 ms at a million posts);
tantivy scores in compiled code over compressed posting lists, with facets
read from columnar "fast" fields. See docs/performance.md, "Search".

One index serves the instance. Only the task worker writes it (through
`search.tasks.sync_index`, and `chapterhouse reindex`); web processes read it
and reload when a newer commit exists. tantivy lets one writer hold the index
at a time; `apply` waits its turn if another process is writing.

Queries are not tantivy's query language: people type words, "quoted
phrases" and prefixes (`repo*`), and everything else is read as words, so no
input can reach fields such as `audience`. Every word must match (in the title
or the body); titles weigh double. Permission is a filter every query carries:
a document is found only by someone holding one of its audiences.
"""

import logging
import math
import re
import shutil
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import tantivy
from django.conf import settings
from django.utils.translation import gettext as _
from markupsafe import Markup, escape

logger = logging.getLogger(__name__)
ANALYZER = "words"
SHOWN = ("title", "body", "url", "chapter_name")  # stored for the results page only
SEPARATOR = "="  # between a facet's name and its value in the facet column
RESTRICTED = "restricted"  # an extra audience of everything that is not public
FACETS = ("kind", "chapter", "focus_area", "category", "year")
FILTERS = (*FACETS, "remote")
MAX_QUERY_LENGTH = 500
FACET_VALUES = 1000  # counted values of all facets together
# Facets are counted exactly up to this many results; beyond, on a sample of about
# this many (every document belongs to one of SAMPLES fixed slices), scaled up.
FACET_EXACT = 5_000
SAMPLES = 100
MAX_CLAUSES = 12
MIN_PREFIX = 2
MAX_PREFIX_TERMS = 50  # a prefix matches at most this many words of the index
SNIPPET_CHARS = 220
WRITER_HEAP = 64_000_000
WRITER_WAIT_SECONDS = 30
REBUILD_HEAP = 256_000_000
REBUILD_THREADS = 2


@dataclass
class Document:
    key: str
    kind: str
    title: str
    body: str
    url: str
    date: datetime
    audiences: list[str]
    chapter: str = ""
    chapter_name: str = ""
    focus_areas: list[str] | tuple = ()
    category: str = ""
    remote: bool = False


@dataclass
class Hit:
    key: str
    kind: str
    title: str
    url: str
    date: datetime
    chapter: str
    chapter_name: str
    remote: bool
    snippet: Markup
    score: float = 0.0


@dataclass
class Results:
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    facets_estimated: bool = False  # counted on a sample of the results: show them as "about"
    message: str = ""


def analyzer() -> tantivy.TextAnalyzer:
    """Words: split on anything not a letter or digit, lower-cased, accents folded, stemmed."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    for step in (
        tantivy.Filter.remove_long(40),
        tantivy.Filter.lowercase(),
        tantivy.Filter.ascii_fold(),
        tantivy.Filter.stemmer("english"),
    ):
        builder = builder.filter(step)
    return builder.build()


def build_schema() -> tantivy.Schema:
    """One indexed text field for matching, stored fields for showing, one column for facets.

    `text` holds the title twice and then the body (as separate values, so a
    phrase never runs from the title into the body): one term lookup per word
    ranks title matches higher without a second field to search. What a hit
    shows (title, body for the snippet, address) is stored, not indexed. Every
    facet and filter value is a term of the one `facet` column ("kind=talk",
    "year=2024"): one pass over one column counts them all.
    """
    schema = tantivy.SchemaBuilder()
    schema.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
    schema.add_text_field("text", tokenizer_name=ANALYZER)
    schema.add_text_field(
        "facet", stored=True, fast=True, tokenizer_name="raw", index_option="basic"
    )
    schema.add_text_field("audience", tokenizer_name="raw", index_option="basic")
    schema.add_text_field("sample", tokenizer_name="raw", index_option="basic")
    for name in SHOWN:
        schema.add_bytes_field(name, stored=True)
    schema.add_date_field("date", stored=True)
    return schema.build()


@dataclass
class Clause:
    """One thing every result must hold: a word, a phrase, or a word's beginning."""

    terms: list[str]
    prefix: bool = False


QUERY_PART = re.compile(r'"([^"]*)"?(\*?)|(\S+)')


def parse(text: str, words: tantivy.TextAnalyzer) -> list[Clause]:
    """People's query text as clauses; operators and field names are read as plain words.

    A word or a quoted phrase ending in `*` matches words that begin with its last word.
    """
    clauses = []
    for phrase, phrase_star, word in QUERY_PART.findall(text):
        if not phrase and word.upper() in ("AND", "OR", "NOT"):
            continue
        terms = words.analyze(phrase or word)
        if not terms:
            continue
        prefix = bool(phrase_star) if phrase else word.endswith("*")
        clauses.append(Clause(terms, prefix=prefix and len(terms[-1]) >= MIN_PREFIX))
    return clauses[:MAX_CLAUSES]


def highlighter(clauses: list[Clause]) -> re.Pattern | None:
    """A pattern for the words people searched for as they appear in text.

    The index stems words ("repositories" is "repositori"), so a word counts as
    found where a searched stem begins it; non-Latin scripts have no spaces
    between words, so their terms are found anywhere.
    """
    # The stemmer turns a final y into i ("library" is "librari"): look for both.
    terms = {term for clause in clauses for term in clause.terms}
    terms |= {term[:-1] for term in terms if term.endswith("i") and len(term) > 3}
    stems = sorted(terms, key=len, reverse=True)
    if not stems:
        return None
    parts = [
        (r"(?<!\w)" if term.isascii() else "")
        + re.escape(term)
        + (r"\w*" if term.isascii() else "")
        for term in stems
    ]
    return re.compile("|".join(parts), re.IGNORECASE)


def snippet(body: str, marks: re.Pattern | None) -> Markup:
    """About SNIPPET_CHARS of `body` around its first searched word, escaped, the words marked."""
    found = marks.search(body) if marks else None
    start = 0
    if found and found.start() > SNIPPET_CHARS // 3:
        start = body.rfind(" ", 0, found.start() - SNIPPET_CHARS // 3) + 1
    end = start + SNIPPET_CHARS
    if end < len(body):
        end = max(body.rfind(" ", start, end), start + SNIPPET_CHARS // 2)
    window = body[start:end]
    pieces, position = [Markup("…") if start else Markup("")], 0
    for match in marks.finditer(window) if marks else ():
        pieces.append(escape(window[position : match.start()]))
        pieces.append(Markup("<mark>%s</mark>") % match.group())
        position = match.end()
    pieces.append(escape(window[position:]))
    if end < len(body):
        pieces.append(Markup("…"))
    return Markup("").join(pieces)


class SearchIndex:
    """The index at `path`, or in memory when `path` is None (tests)."""

    def __init__(self, path: Path | None):
        self.schema = build_schema()
        self.words = analyzer()
        self.lock = threading.Lock()
        if path is None:
            self.index = tantivy.Index(self.schema)
        else:
            path.mkdir(parents=True, exist_ok=True)
            self.index = self.open(path)
            # Web processes see the worker's commits as soon as they land.
            self.index.config_reader(reload_policy="OnCommit")
        self.index.register_tokenizer(ANALYZER, self.words)
        self.writer_ = None

    def open(self, path: Path) -> tantivy.Index:
        """The index at `path`; one built with an older schema is replaced by an empty one.

        The index only mirrors the database, so nothing is lost: the outbox
        fills it again as content changes, and `chapterhouse reindex` at once.
        """
        try:
            return tantivy.Index(self.schema, path=str(path), reuse=True)
        except ValueError as error:
            if "schema does not match" not in str(error):
                raise
            logger.warning("The search index at %s is outdated: run `chapterhouse reindex`.", path)
            shutil.rmtree(path)
            path.mkdir(parents=True)
            return tantivy.Index(self.schema, path=str(path), reuse=True)

    # Writing.

    def writer(self, heap: int = WRITER_HEAP, threads: int = 1) -> tantivy.IndexWriter:
        """The writer, waiting while another process holds the index's writer lock."""
        if self.writer_ is not None:
            return self.writer_
        deadline = time.monotonic() + WRITER_WAIT_SECONDS
        while True:
            try:
                self.writer_ = self.index.writer(heap, threads)
                return self.writer_
            except ValueError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def release_writer(self) -> None:
        """Let other processes write: tantivy keeps its lock while a writer lives."""
        if self.writer_ is not None:
            self.writer_.wait_merging_threads()
            self.writer_ = None

    def to_tantivy(self, document: Document) -> tantivy.Document:
        when = document.date.astimezone(UTC)
        row = tantivy.Document(key=document.key)
        for name in SHOWN:
            row.add_bytes(name, getattr(document, name).encode())
        for value in (document.title, document.title, document.body):
            row.add_text("text", value)
        values = {
            "kind": [document.kind], "chapter": [document.chapter],
            "category": [document.category], "year": [str(when.year)],
            "focus_area": list(document.focus_areas), "remote": ["1" if document.remote else "0"],
        }  # fmt: skip
        for name, found in values.items():
            for value in found:
                if value:
                    row.add_text("facet", f"{name}{SEPARATOR}{value}")
        audiences = list(document.audiences)
        if "public" not in audiences:
            audiences.append(RESTRICTED)
        for audience in audiences:
            row.add_text("audience", audience)
        row.add_text("sample", str(zlib.crc32(document.key.encode()) % SAMPLES))
        row.add_date("date", when.replace(tzinfo=None))
        return row

    @contextmanager
    def writing(self, heap: int = WRITER_HEAP, threads: int = 1):
        """A writer whose changes are committed together, or not at all if anything fails."""
        with self.lock:
            writer = self.writer(heap, threads)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                self.release_writer()
        self.index.reload()

    def apply(self, documents: Iterable[Document], removed_keys: Iterable[str] = ()) -> None:
        """Add or replace `documents` and remove `removed_keys`, in one commit."""
        with self.writing() as writer:
            for key in removed_keys:
                writer.delete_documents_by_term("key", key)
            for document in documents:
                writer.delete_documents_by_term("key", document.key)
                writer.add_document(self.to_tantivy(document))

    def rebuild(
        self, documents: Iterable[Document], on_progress: Callable[[int], None] | None = None
    ) -> int:
        """Replace the whole index with `documents` in one commit; returns how many were indexed.

        Until the commit, searches see the old index; if the rebuild fails, they still do.
        """
        count = 0
        with self.writing(REBUILD_HEAP, REBUILD_THREADS) as writer:
            writer.delete_all_documents()
            for document in documents:
                writer.add_document(self.to_tantivy(document))
                count += 1
                if on_progress is not None:
                    on_progress(1)
        return count

    # Reading.

    def clause_query(self, clause: Clause, name: str = "text") -> tantivy.Query | None:
        schema = self.schema
        if clause.prefix:
            expansions = self.expand_prefix(name, clause.terms[-1])
            if not expansions:
                return None
            if len(clause.terms) == 1:
                return tantivy.Query.term_set_query(schema, name, expansions)
            return tantivy.Query.phrase_prefix_query(schema, name, clause.terms)
        if len(clause.terms) == 1:
            return tantivy.Query.term_query(schema, name, clause.terms[0])
        return tantivy.Query.phrase_query(schema, name, clause.terms)

    def expand_prefix(self, name: str, prefix: str) -> list[str]:
        """The index's words that start with `prefix`, the most common ones first, capped."""
        searcher = self.index.searcher()
        found = searcher.terms_with_prefix(name, prefix, limit=MAX_PREFIX_TERMS)
        return [term for term, _count in found]

    def permitted(self, matching: list, audiences: Iterable[str]) -> tantivy.Query:
        """`matching` among the documents the holder of `audiences` may see.

        Nearly everything is public, so public documents are found by leaving
        out the few restricted ones (cheap), and restricted ones by requiring
        one of the reader's own audiences (a short list to intersect with).
        """
        schema, occur = self.schema, tantivy.Occur
        public = tantivy.Query.boolean_query(
            [*matching, (occur.MustNot, tantivy.Query.term_query(schema, "audience", RESTRICTED))]
        )
        own = sorted(set(audiences) - {"public", RESTRICTED})
        if not own:
            return public
        allowed = tantivy.Query.term_set_query(schema, "audience", own)
        restricted = tantivy.Query.boolean_query(
            [*matching, (occur.Must, tantivy.Query.const_score_query(allowed, 0.0))]
        )
        return tantivy.Query.boolean_query([(occur.Should, public), (occur.Should, restricted)])

    def search(
        self,
        text: str,
        audiences: Iterable[str],
        filters: dict[str, str] | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> Results:
        """Ranked results for `text` that `audiences` may see; never raises on bad input."""
        text = (text or "").strip()
        if len(text) > MAX_QUERY_LENGTH:
            message = _("The search is too long: use at most %(count)d characters.")
            return Results(message=message % {"count": MAX_QUERY_LENGTH})
        clauses = parse(text, self.words)
        if not clauses:
            if text:
                return Results(message=_("Type a word to search for: that search has none."))
            return Results()
        queries = [self.clause_query(clause) for clause in clauses]
        if any(query is None for query in queries):
            return Results()  # a prefix that begins no word in the index: nothing can match
        matching = [(tantivy.Occur.Must, query) for query in queries]
        for name, value in sorted((filters or {}).items()):
            if name in FILTERS and value:
                term = tantivy.Query.term_query(self.schema, "facet", f"{name}{SEPARATOR}{value}")
                matching.append((tantivy.Occur.Must, tantivy.Query.const_score_query(term, 0.0)))
        query = self.permitted(matching, audiences)
        searcher = self.index.searcher()
        page = max(page, 1)
        found = searcher.search(query, per_page, count=True, offset=(page - 1) * per_page)
        total = found.count or 0
        hits = self.hits(searcher, clauses, found.hits) if found.hits else []
        facets = self.facets(searcher, query, total) if total else {}
        return Results(total=total, hits=hits, facets=facets, facets_estimated=total > FACET_EXACT)

    def hits(self, searcher, clauses: list[Clause], scored) -> list[Hit]:
        marks = highlighter(clauses)
        hits = []
        for score, address in scored:
            stored = searcher.doc(address)
            shown = {name: (stored.get_first(name) or b"").decode() for name in SHOWN}
            facets = dict(value.split(SEPARATOR, 1) for value in stored.get_all("facet"))
            hits.append(
                Hit(
                    key=stored.get_first("key"), kind=facets.get("kind", ""),
                    title=shown["title"], url=shown["url"],
                    date=stored.get_first("date").replace(tzinfo=UTC),
                    chapter=facets.get("chapter", ""), chapter_name=shown["chapter_name"],
                    remote=facets.get("remote") == "1", snippet=snippet(shown["body"], marks),
                    score=score,
                )
            )  # fmt: skip
        return hits

    def facets(self, searcher, query, total: int) -> dict[str, list[tuple[str, int]]]:
        """Result counts for each value of each facet, most results first.

        Counting reads a column for every result, so for more than FACET_EXACT
        results only a fixed sample of them is counted and the counts scaled up
        (the page then says "about"): a million results cost what 5,000 do.
        """
        scale = 1.0
        if total > FACET_EXACT:
            slices = max(1, math.ceil(SAMPLES * FACET_EXACT / total))
            scale = SAMPLES / slices
            sample = tantivy.Query.term_set_query(
                self.schema, "sample", [str(number) for number in range(slices)]
            )
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, sample)]
            )
        request = {"facet": {"terms": {"field": "facet", "size": FACET_VALUES}}}
        buckets = searcher.aggregate(query, request).get("facet", {}).get("buckets", [])
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
        for bucket in buckets:
            name, _sep, value = str(bucket["key"]).partition(SEPARATOR)
            if name in facets:
                facets[name].append((value, round(int(bucket["doc_count"]) * scale)))
        return facets


_index: SearchIndex | None = None
_index_lock = threading.Lock()


def get_index() -> SearchIndex:
    """The process-wide index at settings.SEARCH_INDEX_DIR, opened on first use."""
    global _index
    with _index_lock:
        if _index is None:
            _index = SearchIndex(Path(settings.SEARCH_INDEX_DIR))
        return _index


def reset_index_for_tests(index: SearchIndex | None) -> None:
    """Tests swap in an in-memory index (or None to open the configured one again)."""
    global _index
    with _index_lock:
        _index = index
