from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chapterhouse.backup import ENGINE_NAMES, BackupError, backup, no_progress, plural


class Command(BaseCommand):
    help = (
        "Back up the database and the media files into one .tar.gz archive, "
        "while the site runs (restore it with `chapterhouse restore`)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="The archive to write, or a folder to put it in "
            "(default: var/backups/chapterhouse-<date>-<time>.tar.gz).",
        )

    def handle(self, *args, output: Path | None = None, verbosity: int = 1, **options):
        progress = self.stdout.write if verbosity > 0 else no_progress
        try:
            summary = backup(output, progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if verbosity == 0:
            return
        media = plural(summary.media_files, "media file")
        size = f"{summary.archive_bytes / 1_000_000:.1f} MB"
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {ENGINE_NAMES[summary.engine]} database and {media} "
                f"to {summary.path} ({size})."
            )
        )
