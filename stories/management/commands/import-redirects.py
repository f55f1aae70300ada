import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from stories.services import import_redirect_row

COLUMNS = ["drupal_path", "export_path", "post_path"]


class Command(BaseCommand):
    help = (
        "Load old addresses from a tab-separated file with the columns drupal_path, "
        "export_path and post_path; each old path answers 301 to the story at post_path."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .tsv file.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: cannot be read ({error})") from None
        rows = list(csv.reader(lines, delimiter="\t"))
        if not rows or [c.strip() for c in rows[0]] != COLUMNS:
            raise CommandError(
                f"{path}:1: the first line must name the columns {', '.join(COLUMNS)}"
            )
        added = failed = 0
        for number, row in enumerate(rows[1:], start=2):
            try:
                added += self.load_row(row)
            except ValidationError as error:
                failed += 1
                self.stderr.write(f"{path}:{number}: {' '.join(error.messages)} (skipped)")
        self.stdout.write(
            f"Read {len(rows) - 1} lines: {added} old paths lead to stories, {failed} failed."
        )
        if failed:
            raise CommandError(f"{failed} lines of {path} could not be loaded.")

    @transaction.atomic
    def load_row(self, row: list[str]) -> int:
        if len(row) != len(COLUMNS):
            raise ValidationError(
                f"expected {len(COLUMNS)} tab-separated columns, found {len(row)}"
            )
        drupal_path, export_path, post_path = (cell.strip() for cell in row)
        added, warnings = import_redirect_row([drupal_path, export_path], post_path)
        if warnings:
            self.stderr.write(warnings)
        return added
