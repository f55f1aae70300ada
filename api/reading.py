"""Shared by the API's endpoints: finding what an address names, and paging through lists."""

from collections.abc import Callable

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from api.schemas import PageQuery
from chapters.models import Chapter, chapter_by_slug
from meetings.models import Meeting


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def chapter_or_404(slug: str) -> Chapter:
    chapter = chapter_by_slug.first(slug=slug)
    if chapter is None:
        raise Http404(_("No chapter has this short name."))
    return chapter


def meeting_or_404(slug: str, meeting_id: int) -> Meeting:
    """The meeting with its chapter and venue, in one query."""
    meeting = (
        Meeting.objects.select_related("chapter", "venue")
        .filter(chapter__slug=slug, pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404(_("This chapter has no meeting with this id."))
    return meeting


def paginate(items: QuerySet, page: PageQuery, render: Callable) -> dict:
    """One page of `items`, each rendered, with the total: two queries, plus the list's own."""
    chosen = items[page.offset : page.offset + page.limit]
    return {
        "count": items.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": [render(item) for item in chosen],
    }
