from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from stories.frontmatter import write_post
from stories.management.commands._chapters import chapter_or_error
from stories.models import Story
from stories.services import story_as_post


class Command(BaseCommand):
    help = (
        "Write every story of a chapter as a Jekyll front-matter file, as import-posts reads them."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Where to write the files (created if missing).")
        parser.add_argument("--chapter", required=True, help="The chapter's short name.")

    def handle(self, *args, **options):
        chapter = chapter_or_error(options["chapter"])
        folder = Path(options["folder"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"{folder}: cannot be created ({error.strerror})") from None
        stories = Story.objects.filter(chapter=chapter).prefetch_related("categories")
        count = 0
        for story in tqdm(stories.iterator(chunk_size=500), total=stories.count(), desc="Exporting",
                          unit="story", file=self.stderr, mininterval=0.5):  # fmt: skip
            write_post(story_as_post(story), folder)
            count += 1
        self.stdout.write(f"Wrote {count} stories to {folder}.")
