import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from chapterhouse.backup import (
    ENGINE_NAMES,
    BackupError,
    RestoreSummary,
    check_engine,
    database_is_empty,
    no_progress,
    open_backup,
    plural,
    restore,
)


class Command(BaseCommand):
    help = (
        "Replace the database and the media files with those of a backup made by "
        "`chapterhouse backup` (or a bare SQLite database or pg_dump custom-format file). "
        "Stop the web server and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that holds data without asking.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Never ask; without --force, refuse to replace a database that holds data.",
        )

    def handle(self, *args, path: Path, force: bool, interactive: bool, verbosity: int, **options):
        progress = self.stdout.write if verbosity > 0 else no_progress
        try:
            found = open_backup(path)
            check_engine(found)
            if not force and not database_is_empty():
                self.confirm(path, interactive)
            summary = restore(found, progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if verbosity > 0:
            self.report(summary)

    def confirm(self, path: Path, interactive: bool) -> None:
        name = connection.settings_dict["NAME"]
        if not (interactive and sys.stdin.isatty()):
            raise CommandError(
                f"{path}: not restored, because the database {name} holds data; "
                "add --force to replace it"
            )
        answer = input(
            f"This replaces everything in the database {name} and in {settings.MEDIA_ROOT} "
            f"with the contents of {path}.\nType 'yes' to continue: "
        )
        if answer.strip().lower() != "yes":
            raise CommandError(f"{path}: not restored; nothing changed")

    def report(self, summary: RestoreSummary) -> None:
        taken = f", taken {summary.created}" if summary.created else ""
        media = (
            plural(summary.media_files, "media file")
            if summary.media_files is not None
            else "the media folder left as it was (the backup holds none)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {summary.path} ({ENGINE_NAMES[summary.engine]}{taken}): "
                f"{plural(summary.tables, 'table')}, {plural(summary.rows, 'row')}; {media}."
            )
        )
        if summary.migrations_to_apply:
            self.stdout.write(
                f"The backup is from an earlier version: run `chapterhouse migrate` "
                f"({summary.migrations_to_apply} migrations to apply)."
            )
        self.stdout.write(
            "Rebuild the search index with `chapterhouse reindex`, then start the web "
            "server and the worker."
        )
