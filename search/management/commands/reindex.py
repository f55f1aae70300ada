import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from search import services
from search.documents import SOURCES, counts
from search.forms import KIND_LABELS


def summary(tally, seconds: float) -> str:
    """ "Indexed 12 documents (3 stories, 9 forum posts) in 0.4 s", kinds in index order."""
    parts = [f"{tally[kind]} {plural(kind, tally[kind])}" for kind in SOURCES if tally.get(kind)]
    detail = f" ({', '.join(parts)})" if parts else ""
    return f"Indexed {sum(tally.values())} documents{detail} in {seconds:.1f} s"


def plural(kind: str, count: int) -> str:
    name = str(KIND_LABELS[kind]).lower()
    if count == 1:
        return name
    return name[:-1] + "ies" if name.endswith("y") else name + "s"


class Command(BaseCommand):
    help = "Rebuild the search index from the database (the worker keeps it current after)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw a progress bar."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        total = sum(counts().values())
        self.stderr.ending = ""  # tqdm redraws its line with carriage returns
        with tqdm(
            total=total,
            unit="doc",
            desc="Indexing",
            file=self.stderr,
            disable=options["no_progress"],
        ) as progress:
            tally = services.rebuild_index(on_progress=progress.update)
        self.stdout.write(self.style.SUCCESS(summary(tally, time.monotonic() - started)))
