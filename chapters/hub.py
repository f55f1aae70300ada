"""The hub's reads about local chapters: the directory rows and the map of where they meet.

Every function here runs a fixed number of queries, however many chapters there are.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from chapters.models import Chapter
from meetings.models import Meeting

ACTIVITY_WINDOW = dt.timedelta(days=365)
# The map's drawing area, in SVG user units; the page scales it to the screen.
MAP_WIDTH = 800
MAP_HEIGHT = 400
MAP_MARGIN = 60
# Chapters close together still get a map a few degrees across, so labels stay apart.
MIN_SPAN_DEGREES = Decimal(4)


def upcoming_scheduled() -> "Meeting.objects":
    """Scheduled meetings that have not ended, soonest first."""
    return Meeting.objects.upcoming().filter(status=Meeting.Status.SCHEDULED)


def directory_chapters() -> list[Chapter]:
    """Every local chapter with its activity and next meeting, in three queries.

    Each chapter gets `member_count`, `meetings_last_year` (meetings held in the past
    year, cancelled ones not counted), `focus_areas` prefetched and `next_meeting`
    (or None). The meeting count is a subquery so it does not multiply the member count.
    """
    now = timezone.now()
    held = (
        Meeting.objects.filter(
            chapter=OuterRef("pk"), start__gte=now - ACTIVITY_WINDOW, start__lt=now
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by()
        .values("chapter")
        .annotate(count=Count("pk"))
        .values("count")
    )
    next_meetings = upcoming_scheduled().select_related("venue")[:1]
    chapters = list(
        Chapter.objects.annotate(
            member_count=Count("memberships", filter=Q(memberships__user__is_active=True)),
            meetings_last_year=Coalesce(Subquery(held, output_field=IntegerField()), 0),
        ).prefetch_related(
            "focus_areas", Prefetch("meetings", queryset=next_meetings, to_attr="next_meetings")
        )
    )
    for chapter in chapters:
        chapter.next_meeting = chapter.next_meetings[0] if chapter.next_meetings else None
    return chapters


@dataclass(frozen=True)
class MapPoint:
    """A chapter placed on the map: x and y in SVG units, and where to read more."""

    name: str
    url: str
    x: float
    y: float
    latitude: Decimal
    longitude: Decimal

    @property
    def osm_url(self) -> str:
        return osm_url(self.latitude, self.longitude)

    @property
    def label_anchor(self) -> str:
        """Labels on the right half of the map read leftward, so they stay inside it."""
        return "end" if self.x > MAP_WIDTH / 2 else "start"

    @property
    def label_x(self) -> float:
        return self.x - 10 if self.label_anchor == "end" else self.x + 10


def osm_url(latitude, longitude, zoom: int = 11) -> str:
    """An OpenStreetMap page centred on the point, with a marker."""
    return (
        f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"
        f"#map={zoom}/{latitude}/{longitude}"
    )


def map_points(places: list[tuple[str, str, Decimal | None, Decimal | None]]) -> list[MapPoint]:
    """Project (name, url, latitude, longitude) onto the map, equirectangular.

    Places without both coordinates are left out. The view is the places' bounding box,
    widened to at least MIN_SPAN_DEGREES and to the map's aspect ratio, so one degree is
    the same length across and down and the shapes of regions are kept.
    """
    located = [place for place in places if place[2] is not None and place[3] is not None]
    if not located:
        return []
    lats = [Decimal(place[2]) for place in located]
    lons = [Decimal(place[3]) for place in located]
    inner_w, inner_h = MAP_WIDTH - 2 * MAP_MARGIN, MAP_HEIGHT - 2 * MAP_MARGIN
    span = max(
        max(lons) - min(lons),
        (max(lats) - min(lats)) * inner_w / inner_h,
        MIN_SPAN_DEGREES,
    )
    scale = Decimal(inner_w) / span
    centre_lon = (max(lons) + min(lons)) / 2
    centre_lat = (max(lats) + min(lats)) / 2
    points = []
    for (name, url, *_coordinates), latitude, longitude in zip(located, lats, lons, strict=True):
        x = MAP_WIDTH / 2 + float((longitude - centre_lon) * scale)
        y = MAP_HEIGHT / 2 - float((latitude - centre_lat) * scale)
        points.append(MapPoint(name, url, round(x, 1), round(y, 1), latitude, longitude))
    return points
