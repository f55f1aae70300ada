"""Import the Drupal/Jekyll corpus repeated to 483 and to 10,000 documents, on SQLite.

Run from the repository root: `.venv/bin/python bench/import_posts.py` (or `make bench`).
The reference, measured in the same run, is reading and parsing the same files
without touching the database: the import's cost over it is the database work.
Exits non-zero if the 483-document export takes 10 seconds or more.
"""

import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "code4lib-drupal-export"
SIZES = [483, 10_000]
LIMIT_483 = 10.0

os.environ["CHAPTERHOUSE_VAR_DIR"] = tempfile.mkdtemp(prefix="chapterhouse-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from chapters.models import Chapter  # noqa: E402
from stories.frontmatter import read_post  # noqa: E402


def make_export(size: int, folder: Path) -> Path:
    """Copy the corpus, renamed, until `size` files exist (the real export has 483)."""
    sources = sorted(CORPUS.glob("*.md"))
    folder.mkdir(parents=True)
    for number in range(size):
        source = sources[number % len(sources)]
        copy = number // len(sources)
        (folder / source.name.replace(".md", f"-{copy}.md")).write_bytes(source.read_bytes())
    return folder


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(size: int, workspace: Path) -> tuple[float, float]:
    folder = make_export(size, workspace / f"export-{size}")
    files = sorted(folder.glob("*.md"))
    parse = seconds(lambda: [read_post(path) for path in files])
    chapter = Chapter.objects.create(name=f"Bench {size}", slug=f"bench-{size}")
    output = io.StringIO()
    arguments = ["import-posts", str(folder), "--chapter", chapter.slug]
    run = seconds(lambda: call_command(*arguments, stdout=output, stderr=io.StringIO()))
    assert f"{size} new" in output.getvalue(), output.getvalue()
    return run, parse


def main() -> int:
    if not CORPUS.is_dir():
        sys.exit(f"The corpus is missing: expected it at {CORPUS}")
    call_command("migrate", verbosity=0)
    workspace = Path(os.environ["CHAPTERHOUSE_VAR_DIR"])
    print(f"{'documents':>10}{'import s':>10}{'docs/s':>9}{'parse-only s':>14}{'import/parse':>14}")
    results = {}
    for size in SIZES:
        run, parse = measure(size, workspace)
        results[size] = run
        print(f"{size:>10}{run:>10.2f}{size / run:>9.0f}{parse:>14.2f}{run / parse:>13.1f}x")
    if results[483] >= LIMIT_483:
        print(f"FAIL: 483 documents took {results[483]:.1f} s (target: under {LIMIT_483:.0f} s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
