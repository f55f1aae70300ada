"""The chapter a command works on, or a clear error."""

from django.core.management.base import CommandError

from chapters.models import Chapter


def chapter_or_error(slug: str) -> Chapter:
    chapter = Chapter.objects.filter(slug=slug).first()
    if chapter is None:
        known = ", ".join(Chapter.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"There is no chapter {slug!r} (chapters: {known}).")
    return chapter
