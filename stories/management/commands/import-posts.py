import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from stories.frontmatter import BadPost, read_post
from stories.management.commands._chapters import chapter_or_error
from stories.services import import_post

SUFFIXES = {".md", ".markdown", ".html", ".htm"}


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
        chapter = chapter_or_error(options["chapter"])
        files = post_files(options["paths"])
        counts = {"new": 0, "updated": 0, "failed": 0}
        started = time.monotonic()
        for path in tqdm(files, desc="Importing", unit="file", file=self.stderr, mininterval=0.5):
            try:
                _story, created, warnings = import_post(chapter, read_post(path))
            except BadPost as error:
                counts["failed"] += 1
                self.stderr.write(f"{error.path}: {error.reason} (skipped)")
                continue
            counts["new" if created else "updated"] += 1
            for warning in warnings:
                self.stderr.write(f"{path}: {warning}")
        self.summary(len(files), counts, time.monotonic() - started)
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} of {len(files)} files could not be imported.")

    def summary(self, total: int, counts: dict, seconds: float) -> None:
        rate = total / seconds if seconds else 0
        self.stdout.write(
            f"Read {total} files in {seconds:.1f} s ({rate:.0f} a second): "
            f"{counts['new']} new, {counts['updated']} updated, {counts['failed']} failed."
        )
