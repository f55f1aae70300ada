import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chapters.models import Chapter
from meetings.digest import draft_monthly_digest, source_key
from stories.models import Story

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def last_month() -> tuple[int, int]:
    first = timezone.now().date().replace(day=1)
    previous = first - dt.timedelta(days=1)
    return previous.year, previous.month


def parse_month(value: str) -> tuple[int, int]:
    match = MONTH.match(value or "")
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise CommandError(f"--month takes a month as YYYY-MM, such as 2026-10; not {value!r}.")
    return int(match[1]), int(match[2])


class Command(BaseCommand):
    help = (
        "Draft each chapter's monthly digest story (last month unless --month is given) for "
        "its organizers to review and publish. Running it again refreshes drafts and never "
        "touches a digest that was published."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="The month to summarise, as YYYY-MM.")

    def handle(self, *args, **options):
        given = options["month"]
        year, month = last_month() if given is None else parse_month(given)
        key = source_key(year, month)
        tally = {"new": 0, "refreshed": 0, "published": 0}
        chapters = Chapter.objects.order_by("slug")
        for chapter in chapters:
            before = Story.objects.filter(chapter=chapter, source=key).first()
            story = draft_monthly_digest(chapter, year, month)
            if before is None:
                outcome = "new"
            elif story.status == Story.Status.PUBLISHED:
                outcome = "published"
            else:
                outcome = "refreshed"
            tally[outcome] += 1
            self.stdout.write(f"{chapter.slug}: {outcome} · {story.get_absolute_url()}")
        self.stdout.write(
            f"{year:04d}-{month:02d}: {len(chapters)} chapters, {tally['new']} new drafts, "
            f"{tally['refreshed']} drafts refreshed, {tally['published']} already published."
        )
