"""Reads for browsing projects: filtered lists, counts beside each filter, technology tallies.

Each count is a single grouped query, so pages cost the same whatever the number of projects.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from chapters.models import Chapter
from projects.models import Project, Technology


def apply_filters(projects: QuerySet, filters: dict, skip: str = "") -> QuerySet:
    """Projects matching every chosen filter except `skip` (the facet being counted)."""
    lookups = {
        "area": "focus_areas",
        "technology": "technologies",
        "institution": "institution",
        "status": "status",
    }
    for name, lookup in lookups.items():
        if name in filters and name != skip:
            projects = projects.filter(**{lookup: filters[name]})
    # A plain set of ids keeps later joins on the same relations from reusing the filters' joins.
    return Project.objects.filter(pk__in=projects.values("pk"))


@dataclass
class Facets:
    """Each filter's values with how many projects they would list, given the other filters."""

    areas: list = field(default_factory=list)
    technologies: list = field(default_factory=list)
    institutions: list = field(default_factory=list)
    statuses: list = field(default_factory=list)


def facets(chapter: Chapter, filters: dict) -> Facets:
    base = Project.objects.filter(chapter=chapter)
    areas = chapter.focus_areas.annotate(
        count=Count("projects", filter=Q(projects__in=apply_filters(base, filters, "area")))
    )
    technologies = (
        Technology.objects.filter(projects__in=apply_filters(base, filters, "technology"))
        .annotate(count=Count("projects"))
        .order_by("-count", "name")
    )
    institutions = (
        apply_filters(base, filters, "institution")
        .exclude(institution="")
        .values_list("institution")
        .annotate(count=Count("pk"))
        .order_by("institution")
    )
    by_status = dict(
        apply_filters(base, filters, "status")
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return Facets(
        areas=[area for area in areas if area.count or filters.get("area") == area],
        technologies=list(technologies),
        institutions=list(institutions),
        statuses=[
            (value, label, by_status.get(value, 0)) for value, label in Project.Status.choices
        ],
    )


def technology_tally(projects: QuerySet, order: str = "projects") -> list[Technology]:
    """Technologies used by these projects, with how many projects and institutions use each."""
    chosen = Project.objects.filter(pk__in=projects.values("pk"))
    tally = Technology.objects.filter(projects__in=chosen).annotate(
        project_count=Count("projects", distinct=True),
        institution_count=Count(
            "projects__institution", distinct=True, filter=~Q(projects__institution="")
        ),
    )
    counts = ["-project_count", "-institution_count"]
    if order == "institutions":
        counts.reverse()
    return list(tally.order_by(*counts, "name"))


def chapters_using(technologies: list[Technology]) -> dict[int, list[dict]]:
    """For each technology, the chapters whose projects use it and how many, in one query."""
    through = Project.technologies.through.objects.filter(technology__in=technologies)
    rows = (
        through.values("technology_id", "project__chapter__slug", "project__chapter__name")
        .annotate(count=Count("project_id"))
        .order_by("technology_id", "-count", "project__chapter__name")
    )
    found: dict[int, list[dict]] = {}
    for row in rows:
        found.setdefault(row["technology_id"], []).append({
            "slug": row["project__chapter__slug"],
            "name": row["project__chapter__name"],
            "count": row["count"],
        })  # fmt: skip
    return found
