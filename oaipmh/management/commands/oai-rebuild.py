import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from oaipmh import records


class Command(BaseCommand):
    help = (
        "Bring the OAI-PMH record table up to date with the content (after bulk loads or raw "
        "SQL; ordinary saves keep it current)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw a progress bar."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        total = sum(records.public(kind, scheduled=True).count() for kind in records.KINDS)
        self.stderr.ending = ""  # tqdm redraws its line with carriage returns
        with tqdm(
            total=total, unit="record", desc="Describing", file=self.stderr,
            disable=options["no_progress"],
        ) as progress:  # fmt: skip
            summary = records.rebuild(progress=lambda _kind, done: progress.update(done))
        checked = sum(part[0] for part in summary.values())
        written = sum(part[1] for part in summary.values())
        withdrawn = sum(part[2] for part in summary.values())
        detail = ", ".join(f"{part[0]} {kind}" for kind, part in summary.items() if part[0])
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {checked} records ({detail or 'none'}): {written} written, "
                f"{withdrawn} withdrawn, in {time.monotonic() - started:.1f} s"
            )
        )
