"""Search speed: Chapterhouse's search against bare tantivy-py, on the same corpus and queries.

Run from the repository root: `.venv/bin/python bench/search.py` (or `make bench`);
`--sizes 100000` runs one size only. Takes several minutes and a few GB of memory at 1M.

The corpus is synthetic and the same for both: posts of 150 words drawn from a
vocabulary of 20,000 made-up words with a Zipf distribution (s = 1), so a few
words are in most posts, as "the" and "library" are in real ones. Each post has
a 6-word title drawn the same way, a kind, a chapter, a year and a focus area.

The reference is tantivy-py as its documentation shows it: one text field,
default tokenizer, `parse_query` and `searcher.search(query, 10)`. Chapterhouse
runs its whole search as the search page does (`SearchIndex.search`): words
matched in title and body with the permission filter, the match count, facet
counts for five fields, and the first page of 20 hits with highlighted
snippets. Both indexes are built in the same run from the same texts, in
temporary folders, with the same writer memory and threads.

Queries: 100 one-word and 100 two-word queries. Half the words are drawn from
the 50 most common words (the slow tail: they match most posts), half from the
rest by Zipf rank. Every query is run once to warm up, then timed.

Goals (exit non-zero if missed): p95 latency at most 3x tantivy's for one- and
two-word queries at every size, and index build at most 4x tantivy's time.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CHAPTERHOUSE_VAR_DIR", tempfile.mkdtemp(prefix="chapterhouse-search-var-"))

import django  # noqa: E402

django.setup()

import tantivy  # noqa: E402

from search.engine import Document, SearchIndex  # noqa: E402

VOCABULARY = 20_000
WORDS_PER_POST = 150
WORDS_PER_TITLE = 6
QUERIES = 100  # of each length
MAX_SEARCH_RATIO = 3.0
MAX_BUILD_RATIO = 4.0
KINDS = ("post", "thread", "story", "meeting", "talk", "project")
CHAPTERS = ("nyc", "boston", "dc", "chicago", "bayarea", "seattle", "philly", "atlanta")
AREAS = ("Digital libraries", "Repositories", "Discovery", "Metadata", "Linked data")
HEAP, THREADS = 256_000_000, 2


def make_vocabulary(rng: random.Random) -> list[str]:
    """20,000 distinct pronounceable made-up words."""
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < VOCABULARY:
        syllables = rng.randint(1, 4)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(words, key=lambda w: (len(w), w))


def make_corpus(size: int, seed: int = 7) -> tuple[list[str], list[Document]]:
    rng = random.Random(seed)
    vocabulary = make_vocabulary(rng)
    weights = list(accumulate(1 / rank for rank in range(1, VOCABULARY + 1)))
    documents = []
    started = time.perf_counter()
    for number in range(size):
        words = rng.choices(vocabulary, cum_weights=weights, k=WORDS_PER_POST + WORDS_PER_TITLE)
        documents.append(
            Document(
                key=f"post:{number}", kind=KINDS[number % len(KINDS)],
                title=" ".join(words[:WORDS_PER_TITLE]), body=" ".join(words[WORDS_PER_TITLE:]),
                url=f"/posts/{number}/",
                date=datetime(2010 + number % 16, 1 + number % 12, 1, tzinfo=UTC),
                audiences=["public"], chapter=CHAPTERS[number % len(CHAPTERS)],
                chapter_name=CHAPTERS[number % len(CHAPTERS)].title(),
                focus_areas=[AREAS[number % len(AREAS)]],
            )
        )  # fmt: skip
        if number and number % 100_000 == 0:
            print(
                f"  corpus: {number:,} posts in {time.perf_counter() - started:.0f} s", flush=True
            )
    return vocabulary, documents


def make_queries(vocabulary: list[str], rng: random.Random) -> dict[str, list[str]]:
    weights = list(accumulate(1 / rank for rank in range(1, VOCABULARY + 1)))

    def word(common: bool) -> str:
        if common:
            return rng.choice(vocabulary[:50])
        return rng.choices(vocabulary[50:], cum_weights=weights[50:], k=1)[0]

    one = [word(number % 2 == 0) for number in range(QUERIES)]
    two = [f"{word(number % 2 == 0)} {word(number % 4 < 2)}" for number in range(QUERIES)]
    return {"one word": one, "two words": two}


def build_reference(folder: Path, documents: list[Document]) -> tuple[tantivy.Index, float]:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True)
    builder.add_text_field("body", stored=True)
    index = tantivy.Index(builder.build(), path=str(folder))
    started = time.perf_counter()
    writer = index.writer(HEAP, THREADS)
    for document in documents:
        writer.add_document(tantivy.Document(title=document.title, body=document.body))
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    index.reload()
    return index, seconds


def build_ours(folder: Path, documents: list[Document]) -> tuple[SearchIndex, float]:
    index = SearchIndex(folder)
    started = time.perf_counter()
    index.rebuild(documents)
    return index, time.perf_counter() - started


def timed(run, queries: list[str]) -> list[float]:
    for query in queries:  # warm-up
        run(query)
    latencies = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def p(latencies: list[float], percent: int) -> float:
    return statistics.quantiles(latencies, n=100, method="inclusive")[percent - 1]


def measure(size: int) -> list[str]:
    print(f"\n{size:,} posts")
    vocabulary, documents = make_corpus(size)
    queries = make_queries(vocabulary, random.Random(11))
    workspace = Path(tempfile.mkdtemp(prefix="chapterhouse-search-bench-"))
    missed = []
    try:
        (workspace / "reference").mkdir()
        reference, reference_build = build_reference(workspace / "reference", documents)
        ours, our_build = build_ours(workspace / "ours", documents)
        del documents
        build_ratio = our_build / reference_build
        print(f"  index build: tantivy {reference_build:.1f} s, Chapterhouse {our_build:.1f} s "
              f"({build_ratio:.1f}x)")  # fmt: skip
        if build_ratio > MAX_BUILD_RATIO:
            missed.append(
                f"{size:,}: index build {build_ratio:.1f}x (goal at most {MAX_BUILD_RATIO}x)"
            )
        searcher = reference.searcher()

        def run_reference(text: str):
            return searcher.search(reference.parse_query(text, ["title", "body"]), 10).count

        def run_ours(text: str):
            return ours.search(text, ["public"]).total

        print(f"  {'queries':<10}{'engine':<14}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
        for label, texts in queries.items():
            ref, mine = timed(run_reference, texts), timed(run_ours, texts)
            for name, latencies in (("tantivy", ref), ("Chapterhouse", mine)):
                print(f"  {label:<10}{name:<14}{p(latencies, 50):>8.2f}{p(latencies, 95):>8.2f}"
                      f"{p(latencies, 99):>8.2f}")  # fmt: skip
            ratio = p(mine, 95) / p(ref, 95)
            print(f"  {label}: p95 ratio {ratio:.2f}x")
            if ratio > MAX_SEARCH_RATIO:
                missed.append(f"{size:,}, {label}: p95 {ratio:.1f}x (goal at most 3x)")
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated corpus sizes")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    missed = []
    for size in sizes:
        missed += measure(size)
    for goal in missed:
        print(f"FAIL: {goal}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
