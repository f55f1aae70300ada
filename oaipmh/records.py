"""The four kinds of records and their merged, ordered list.

Every record (live or deleted) is ordered by its key (datestamp, kind, id). Each page asks each
source for at most `limit + 1` keys after the previous page's last key, merges them in Python
and loads only the chosen rows, so a page costs the same few queries however large the
repository is. A record changed during a harvest gets a new datestamp, so it moves behind the
harvester's position and is delivered again later rather than skipped.
"""

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Greatest
from django.utils import timezone

from oaipmh.models import DeletedRecord

KINDS = ("project", "report", "story", "talk")


@dataclass(frozen=True)
class Key:
    """Where a record sits in the one ordering every list uses."""

    datestamp: datetime
    kind: str
    id: int

    def as_tuple(self) -> tuple:
        return (self.datestamp, self.kind, self.id)


@dataclass
class Record:
    """One header's worth of facts, plus the content object for ListRecords and GetRecord."""

    key: Key
    chapter_slug: str
    deleted: bool = False
    obj: Any = None
    dublin_core: dict = field(default_factory=dict)

    @property
    def identifier(self) -> str:
        return identifier(self.key.kind, self.key.id)

    @property
    def sets(self) -> list[str]:
        return record_sets(self.chapter_slug, self.key.kind)


def repository_host() -> str:
    """The host part of identifiers: the site's host name, never its port."""
    from urllib.parse import urlsplit

    return urlsplit(settings.SITE_URL).hostname or "localhost"


def identifier(kind: str, object_id: int) -> str:
    return f"oai:{repository_host()}:{kind}/{object_id}"


def parse_identifier(value: str) -> tuple[str, int] | None:
    """(kind, id) for one of our identifiers, or None for anything else."""
    prefix = f"oai:{repository_host()}:"
    if not value.startswith(prefix):
        return None
    kind, _slash, number = value.removeprefix(prefix).partition("/")
    if kind not in KINDS or not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    return kind, int(number)


def record_sets(chapter_slug: str, kind: str) -> list[str]:
    return [f"chapter:{chapter_slug}", f"chapter:{chapter_slug}:kind:{kind}", f"kind:{kind}"]


@dataclass(frozen=True)
class Selection:
    """What a list request asks for: a set, and a datestamp range [start, end)."""

    chapter_slug: str | None = None
    kind: str | None = None
    start: datetime | None = None
    end: datetime | None = None


def parse_set(spec: str) -> tuple[str | None, str | None] | None:
    """(chapter slug, kind) for a setSpec we know the shape of, or None."""
    parts = spec.split(":")
    if parts == ["chapter"] or parts == ["kind"]:
        return None, None
    if len(parts) == 2 and parts[0] == "chapter" and parts[1]:
        return parts[1], None
    if len(parts) == 2 and parts[0] == "kind" and parts[1] in KINDS:
        return None, parts[1]
    if len(parts) == 4 and parts[0] == "chapter" and parts[2] == "kind" and parts[3] in KINDS:
        return parts[1], parts[3]
    return None


# Each source: the model, what "public" means, where its datestamp and chapter come from,
# and what its Dublin Core description reads, so one page loads it in a fixed number of queries.
SOURCES = {
    "story": {
        "model": "stories.Story",
        "chapter": "chapter__slug",
        "related": ["chapter", "author__profile"],
        "prefetch": ["categories"],
    },
    "talk": {
        "model": "meetings.Talk",
        "chapter": "meeting__chapter__slug",
        "related": ["meeting__chapter", "proposer__profile"],
        "prefetch": [],
    },
    "report": {
        "model": "meetings.Report",
        "chapter": "meeting__chapter__slug",
        "related": ["meeting__chapter"],
        "prefetch": [],
    },
    "project": {
        "model": "projects.Project",
        "chapter": "chapter__slug",
        "related": ["chapter"],
        "prefetch": ["contributors__user__profile", "technologies", "focus_areas"],
    },
}


def public(kind: str) -> QuerySet:
    """The records of one kind that are public, annotated with `oai_datestamp`."""
    model = apps.get_model(SOURCES[kind]["model"])
    if kind == "story":
        # A story scheduled for later appears when its publication time has come.
        return model.objects.filter(status="published", published__lte=timezone.now()).annotate(
            oai_datestamp=Greatest("updated", "published")
        )
    if kind == "talk":
        return model.objects.filter(status="accepted").annotate(oai_datestamp=F("updated"))
    if kind == "report":
        return model.objects.filter(published=True).annotate(oai_datestamp=F("updated"))
    return model.objects.annotate(oai_datestamp=F("updated"))


def is_public(kind: str, obj) -> bool:
    """Whether one object is part of the repository now (the signals ask this)."""
    return public(kind).filter(pk=obj.pk).exists()


def chapter_slug_of(kind: str, obj) -> str:
    chapter = obj.meeting.chapter if kind in ("talk", "report") else obj.chapter
    return chapter.slug


def after_filter(kind: str, after: Key | None, datestamp: str, id_field: str = "pk") -> Q:
    """Rows of `kind` whose key comes after `after` (kind is constant within a source)."""
    if after is None:
        return Q()
    later = Q(**{f"{datestamp}__gt": after.datestamp})
    if kind > after.kind:
        return later | Q(**{datestamp: after.datestamp})
    if kind == after.kind:
        return later | Q(**{datestamp: after.datestamp, f"{id_field}__gt": after.id})
    return later


def selection_filter(selection: Selection, datestamp: str, chapter: str) -> Q:
    condition = Q()
    if selection.chapter_slug is not None:
        condition &= Q(**{chapter: selection.chapter_slug})
    if selection.start is not None:
        condition &= Q(**{f"{datestamp}__gte": selection.start})
    if selection.end is not None:
        condition &= Q(**{f"{datestamp}__lt": selection.end})
    return condition


def live_keys(kind: str, selection: Selection) -> QuerySet:
    condition = selection_filter(selection, "oai_datestamp", SOURCES[kind]["chapter"])
    return public(kind).filter(condition)


def deleted_keys(selection: Selection) -> QuerySet:
    condition = selection_filter(selection, "datestamp", "chapter_slug")
    rows = DeletedRecord.objects.filter(condition)
    if selection.kind is not None:
        rows = rows.filter(kind=selection.kind)
    return rows


def kinds_of(selection: Selection) -> tuple[str, ...]:
    return (selection.kind,) if selection.kind else KINDS


def count(selection: Selection) -> int:
    """How many records the whole list holds (completeListSize)."""
    total = deleted_keys(selection).count()
    return total + sum(live_keys(kind, selection).count() for kind in kinds_of(selection))


def page(selection: Selection, after: Key | None, limit: int) -> tuple[list[Record], bool]:
    """Up to `limit` headers after `after`, and whether more follow."""
    streams = []
    for kind in kinds_of(selection):
        rows = (
            live_keys(kind, selection)
            .filter(after_filter(kind, after, "oai_datestamp"))
            .order_by("oai_datestamp", "pk")
            .values_list("oai_datestamp", "pk", SOURCES[kind]["chapter"])[: limit + 1]
        )
        streams.append([Record(Key(stamp, kind, pk), slug) for stamp, pk, slug in rows])
    # One query for deleted records: the OR of each kind's "after" condition keeps the order exact.
    condition = Q()
    for kind in kinds_of(selection):
        condition |= Q(kind=kind) & after_filter(kind, after, "datestamp", "object_id")
    rows = (
        deleted_keys(selection)
        .filter(condition)
        .order_by("datestamp", "kind", "object_id")
        .values_list("datestamp", "kind", "object_id", "chapter_slug")[: limit + 1]
    )
    deleted = [Record(Key(stamp, kind, pk), slug, deleted=True) for stamp, kind, pk, slug in rows]
    streams.append(deleted)
    merged = list(heapq.merge(*streams, key=lambda record: record.key.as_tuple()))
    return merged[:limit], len(merged) > limit


def load(records: list[Record]) -> None:
    """Attach each live record's object and Dublin Core description, a few queries per kind."""
    by_kind: dict[str, list[Record]] = {}
    for record in records:
        if not record.deleted:
            by_kind.setdefault(record.key.kind, []).append(record)
    for kind, wanted in by_kind.items():
        source = SOURCES[kind]
        objects = (
            public(kind)
            .select_related(*source["related"])
            .prefetch_related(*source["prefetch"])
            .in_bulk([record.key.id for record in wanted])
        )
        describe = dublin_core_function(kind)
        if kind == "talk":
            from meetings.metadata import speaker_directory

            describe = partial(describe, directory=speaker_directory(objects.values()))
        for record in wanted:
            record.obj = objects.get(record.key.id)
            if record.obj is not None:
                record.dublin_core = describe(record.obj)


def dublin_core_function(kind: str):
    """The content app's own description of a record (content apps never import this one)."""
    if kind == "story":
        from stories.metadata import dublin_core
    elif kind == "talk":
        from meetings.metadata import dublin_core
    elif kind == "report":
        from meetings.metadata import dublin_core_report as dublin_core
    else:
        from projects.metadata import dublin_core
    return dublin_core


def get(kind: str, object_id: int) -> Record | None:
    """One record by its identifier parts, live or deleted, or None."""
    row = (
        public(kind)
        .filter(pk=object_id)
        .values_list("oai_datestamp", SOURCES[kind]["chapter"])
        .first()
    )
    if row is not None:
        record = Record(Key(row[0], kind, object_id), row[1])
        load([record])
        return record
    gone = DeletedRecord.objects.filter(kind=kind, object_id=object_id).first()
    if gone is None:
        return None
    return Record(Key(gone.datestamp, kind, object_id), gone.chapter_slug, deleted=True)


def exists(kind: str, object_id: int) -> bool:
    if public(kind).filter(pk=object_id).exists():
        return True
    return DeletedRecord.objects.filter(kind=kind, object_id=object_id).exists()


def earliest_datestamp() -> datetime:
    """The oldest datestamp of any record, live or deleted (now when there are none)."""
    stamps = [
        public(kind).order_by("oai_datestamp").values_list("oai_datestamp", flat=True).first()
        for kind in KINDS
    ]
    stamps.append(
        DeletedRecord.objects.order_by("datestamp").values_list("datestamp", flat=True).first()
    )
    known = [stamp for stamp in stamps if stamp is not None]
    return min(known) if known else timezone.now()
