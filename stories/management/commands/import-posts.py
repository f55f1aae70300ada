import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from stories.frontmatter import BadPost, read_post
from stories.management.commands._chapters import chapter_or_error
from stories.services import import_post

SUFFIXES = {".md", ".markdown", ".html", ".htm"}
# Files committed together; each file still has its own savepoint, so a bad one
# rolls back alone and nothing is ever half written.
BATCH = 200


def post_files(paths: list[str]) -> list[Path]:
    """The files named, and every front-matter file below the folders named, in order."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
        elif path.exists():
            files.append(path)
        else:
            raise CommandError(f"{path}: no such file or folder")
    return files


class Command(BaseCommand):
    help = (
        "Import Jekyll front-matter files (as exported from Drupal) as a chapter's stories. "
        "Importing a file again updates its story."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders of .md/.html files.")
        parser.add_argument("--chapter", required=True, help="The chapter's short name.")

    def handle(self, *args, **options):
        self.chapter = chapter_or_error(options["chapter"])
        files = post_files(options["paths"])
        self.counts = {"new": 0, "updated": 0, "failed": 0}
        self.categories: dict = {}
        started = time.monotonic()
        progress = tqdm(
            total=len(files), desc="Importing", unit="file", file=self.stderr, mininterval=0.5
        )
        for start in range(0, len(files), BATCH):
            with transaction.atomic():
                for path in files[start : start + BATCH]:
                    self.import_file(path)
                    progress.update()
        progress.close()
        self.summary(len(files), time.monotonic() - started)
        if self.counts["failed"]:
            raise CommandError(
                f"{self.counts['failed']} of {len(files)} files could not be imported."
            )

    def import_file(self, path: Path) -> None:
        try:
            _story, created, warnings = import_post(self.chapter, read_post(path), self.categories)
        except (BadPost, ValidationError) as error:
            self.counts["failed"] += 1
            reason = error.reason if isinstance(error, BadPost) else "; ".join(error.messages)
            self.stderr.write(f"{path}: {reason} (skipped)")
            self.categories.clear()  # a rolled-back file may have made categories
            return
        self.counts["new" if created else "updated"] += 1
        for warning in warnings:
            self.stderr.write(f"{path}: {warning}")

    def summary(self, total: int, seconds: float) -> None:
        rate = total / seconds if seconds else 0
        counts = self.counts
        self.stdout.write(
            f"Read {total} files in {seconds:.1f} s ({rate:.0f} a second): "
            f"{counts['new']} new, {counts['updated']} updated, {counts['failed']} failed."
        )
