"""Writes for chapters: settings, focus areas and links."""

from django.db import transaction

from chapters.models import Chapter, ChapterLink, FocusArea


@transaction.atomic
def update_chapter(
    chapter: Chapter, fields: dict, focus_areas: list[str], links: list[tuple[str, str]]
) -> Chapter:
    """Save a chapter's settings and replace its focus areas and links, keeping their order."""
    for name, value in fields.items():
        setattr(chapter, name, value)
    chapter.full_clean()
    chapter.save()
    set_focus_areas(chapter, focus_areas)
    chapter.links.all().delete()
    ChapterLink.objects.bulk_create(
        ChapterLink(chapter=chapter, label=label, url=url, position=index)
        for index, (label, url) in enumerate(links)
    )
    return chapter


def set_focus_areas(chapter: Chapter, names: list[str]) -> None:
    """Make the chapter's focus areas exactly `names`, in order.

    Areas that stay keep their rows, so members' chosen interests survive a reorder.
    """
    existing = {area.name.casefold(): area for area in chapter.focus_areas.all()}
    keep = []
    for position, name in enumerate(names):
        area = existing.pop(name.casefold(), None) or FocusArea(chapter=chapter)
        area.name, area.position = name, position
        area.save()
        keep.append(area.pk)
    chapter.focus_areas.exclude(pk__in=keep).delete()
