"""The network: meetings and news from the Groups our chapters follow, and following more.

Remote items are always shown as remote, with a link to their origin; their HTML was
sanitized when it arrived.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chapters.models import Chapter
from chapters.views import chapter_or_404, render_in_chapter_zone
from federation import following as services
from federation.forms import FollowForm
from federation.models import Following, RemoteObject
from members.services import is_organizer, require_organizer

UPCOMING_LIMIT = 100
NEWS_LIMIT = 20
# A meeting that started this long ago may still be going on.
STILL_ON = dt.timedelta(hours=6)


def network_objects(chapter: Chapter | None = None) -> QuerySet:
    """Remote objects of the Groups the chapter (or any chapter) follows and that said yes."""
    followed = Following.objects.filter(state=Following.State.ACCEPTED)
    if chapter is not None:
        followed = followed.filter(chapter=chapter)
    return RemoteObject.objects.filter(actor__in=followed.values("actor")).select_related("actor")


def upcoming_meetings(objects: QuerySet) -> QuerySet:
    since = timezone.now() - STILL_ON
    meetings = objects.filter(kind=RemoteObject.Kind.MEETING, start__gte=since)
    return meetings.order_by("start")[:UPCOMING_LIMIT]


def latest_news(objects: QuerySet) -> QuerySet:
    return objects.filter(kind=RemoteObject.Kind.STORY).order_by("-published")[:NEWS_LIMIT]


def chapter_network_page(request: HttpRequest, chapter: Chapter, form=None, status=200):
    organizer = is_organizer(request.user, chapter)
    followings = chapter.followings.select_related("actor").order_by("actor__name", "pk")
    if not organizer:
        followings = followings.filter(state=Following.State.ACCEPTED)
    objects = network_objects(chapter)
    context = {
        "meetings": upcoming_meetings(objects),
        "stories": latest_news(objects),
        "followings": followings,
        "organizer": organizer,
        "form": form or (FollowForm() if organizer else None),
    }
    return render_in_chapter_zone(request, chapter, "federation/network.html", context, status)


@require_GET
def chapter_network(request: HttpRequest, slug: str) -> HttpResponse:
    """A chapter's network: what the Groups it follows publish."""
    return chapter_network_page(request, chapter_or_404(slug))


@require_GET
def instance_network(request: HttpRequest) -> HttpResponse:
    """The whole instance's network: what every followed Group publishes."""
    objects = network_objects()
    context = {"meetings": upcoming_meetings(objects), "stories": latest_news(objects)}
    return render(request, "federation/instance_network.html", context)


@login_required
@require_POST
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    """An organizer follows a remote chapter by handle or address."""
    chapter = chapter_or_404(slug)
    require_organizer(request.user, chapter)
    form = FollowForm(request.POST)
    if form.is_valid():
        try:
            following = services.follow(chapter, request.user, form.cleaned_data["handle"])
        except ValidationError as error:
            form.add_error("handle", error)
        else:
            messages.success(request, _("Asked to follow %(actor)s.") % {"actor": following.actor})
            return redirect("federation:chapter_network", chapter.slug)
    return chapter_network_page(request, chapter, form, status=400)


@login_required
@require_POST
def unfollow(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An organizer stops following a remote chapter."""
    chapter = chapter_or_404(slug)
    require_organizer(request.user, chapter)
    following = get_object_or_404(Following.objects.select_related("actor"), chapter=chapter, pk=pk)
    services.unfollow(chapter, request.user, following)
    messages.success(request, _("No longer following %(actor)s.") % {"actor": following.actor})
    return redirect("federation:chapter_network", chapter.slug)
