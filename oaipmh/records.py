"""The four kinds of records: what is public, how each is described, and the ordered list.

Harvesters read the Record table only. Every record (live or deleted) is ordered by its key
(datestamp, kind, id), which an index covers, so a page is one range read after the previous
page's last key however large the repository is. A record changed during a harvest gets a new
datestamp, so it moves behind the harvester's position and is delivered again later rather than
skipped.

`refresh()` brings rows up to date with their content: the datestamp is the content's own
(its last change), or now when only something it is described with changed (a speaker's
name, a category). A row whose datestamp lies ahead (a story scheduled for later) stays out of
every answer until its time comes.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Greatest
from django.utils import timezone

from oaipmh.describe import oai_dc
from oaipmh.models import Record as Row

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
    """One header's worth of facts, plus the finished oai_dc description of a live record."""

    key: Key
    chapter_slug: str
    deleted: bool = False
    metadata: str = ""

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


def public(kind: str, scheduled: bool = False) -> QuerySet:
    """The records of one kind that are public, annotated with `oai_datestamp`.

    With `scheduled`, stories published for a later time are included too: their datestamp is
    their publication time, so the table holds them back until then.
    """
    model = apps.get_model(SOURCES[kind]["model"])
    if kind == "story":
        stories = model.objects.filter(status="published")
        if not scheduled:
            stories = stories.filter(published__lte=timezone.now())
        return stories.annotate(oai_datestamp=Greatest("updated", "published"))
    if kind == "talk":
        return model.objects.filter(status="accepted").annotate(oai_datestamp=F("updated"))
    if kind == "report":
        return model.objects.filter(published=True).annotate(oai_datestamp=F("updated"))
    return model.objects.annotate(oai_datestamp=F("updated"))


def chapter_slug_of(kind: str, obj) -> str:
    chapter = obj.meeting.chapter if kind in ("talk", "report") else obj.chapter
    return chapter.slug


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


# Reading the table -------------------------------------------------------------------------


def visible() -> QuerySet:
    """Every row a harvester may see now: rows dated in the future wait for their time."""
    return Row.objects.filter(datestamp__lte=timezone.now())


def selected(selection: Selection) -> QuerySet:
    rows = visible()
    if selection.chapter_slug is not None:
        rows = rows.filter(chapter_slug=selection.chapter_slug)
    if selection.kind is not None:
        rows = rows.filter(kind=selection.kind)
    if selection.start is not None:
        rows = rows.filter(datestamp__gte=selection.start)
    if selection.end is not None:
        rows = rows.filter(datestamp__lt=selection.end)
    return rows


def after_filter(after: Key | None) -> Q:
    """Rows whose key comes after `after`; the plain lower bound lets the index range-scan."""
    if after is None:
        return Q()
    stamp = after.datestamp
    later = (
        Q(datestamp__gt=stamp)
        | Q(datestamp=stamp, kind__gt=after.kind)
        | Q(datestamp=stamp, kind=after.kind, object_id__gt=after.id)
    )
    return Q(datestamp__gte=stamp) & later


def count(selection: Selection) -> int:
    """How many records the whole list holds (completeListSize)."""
    return selected(selection).count()


def page(
    selection: Selection, after: Key | None, limit: int, with_metadata: bool = True
) -> tuple[list[Record], bool]:
    """Up to `limit` records after `after`, and whether more follow."""
    fields = ["datestamp", "kind", "object_id", "chapter_slug", "deleted"]
    if with_metadata:
        fields.append("metadata")
    rows = list(
        selected(selection)
        .filter(after_filter(after))
        .order_by("datestamp", "kind", "object_id")
        .values_list(*fields)[: limit + 1]
    )
    found = [
        Record(Key(row[0], row[1], row[2]), row[3], row[4], row[5] if with_metadata else "")
        for row in rows[:limit]
    ]
    return found, len(rows) > limit


def get(kind: str, object_id: int) -> Record | None:
    """One record by its identifier parts, live or deleted, or None."""
    row = visible().filter(kind=kind, object_id=object_id).first()
    if row is None:
        return None
    return Record(Key(row.datestamp, kind, object_id), row.chapter_slug, row.deleted, row.metadata)


def exists(kind: str, object_id: int) -> bool:
    return visible().filter(kind=kind, object_id=object_id).exists()


def earliest_datestamp() -> datetime:
    """The oldest datestamp of any record, live or deleted (now when there are none)."""
    first = visible().order_by("datestamp").values_list("datestamp", flat=True).first()
    return first or timezone.now()


# Keeping the table up to date --------------------------------------------------------------


def describe(kind: str, objects: list) -> dict[int, str]:
    """The oai_dc description of each object, a fixed number of queries for any number."""
    function = dublin_core_function(kind)
    if kind == "talk":
        from meetings.metadata import speaker_directory

        function = partial(function, directory=speaker_directory(objects))
    return {obj.pk: oai_dc(function(obj)) for obj in objects}


def load_public(kind: str, ids: Iterable[int]) -> list:
    source = SOURCES[kind]
    return list(
        public(kind, scheduled=True)
        .filter(pk__in=list(ids))
        .select_related(*source["related"])
        .prefetch_related(*source["prefetch"])
    )


def refresh(kind: str, ids: Iterable[int], related: bool = False) -> int:
    """Bring the rows of these objects up to date; how many rows were written.

    `related` says the change came from something the records are described with rather than
    from the objects themselves, so a changed description is dated now.
    """
    ids = list(dict.fromkeys(ids))
    if not ids:
        return 0
    objects = {obj.pk: obj for obj in load_public(kind, ids)}
    fragments = describe(kind, list(objects.values()))
    rows = {row.object_id: row for row in Row.objects.filter(kind=kind, object_id__in=ids)}
    now = timezone.now()
    created, changed, unseen = [], [], []
    for pk in ids:
        row, obj = rows.get(pk), objects.get(pk)
        if obj is None:
            if row is not None and not row.deleted and row.datestamp > now:
                unseen.append(row.pk)  # scheduled and withdrawn before anyone could see it
            elif row is not None and not row.deleted:
                row.deleted, row.metadata, row.datestamp = True, "", now
                changed.append(row)
            continue
        stamp, slug, metadata = obj.oai_datestamp, chapter_slug_of(kind, obj), fragments[pk]
        if row is None:
            created.append(Row(kind=kind, object_id=pk, chapter_slug=slug, datestamp=stamp,
                               metadata=metadata))  # fmt: skip
            continue
        described_anew = row.deleted or row.metadata != metadata or row.chapter_slug != slug
        if related:
            if not described_anew:
                continue
            if not row.deleted:
                stamp = max(stamp, now)
        elif not described_anew and row.datestamp == stamp:
            continue
        row.datestamp, row.chapter_slug, row.metadata, row.deleted = stamp, slug, metadata, False
        changed.append(row)
    with transaction.atomic():
        Row.objects.bulk_create(created)
        Row.objects.bulk_update(changed, ["datestamp", "chapter_slug", "metadata", "deleted"])
        Row.objects.filter(pk__in=unseen).delete()
    return len(created) + len(changed) + len(unseen)


def withdraw(kind: str, object_id: int) -> None:
    """The object is gone (deleted): its record stays, as deleted."""
    row = Row.objects.filter(kind=kind, object_id=object_id, deleted=False).first()
    if row is None:
        return
    if row.datestamp > timezone.now():
        row.delete()
    else:
        Row.objects.filter(pk=row.pk).update(deleted=True, metadata="", datestamp=timezone.now())


def rebuild(chunk: int = 1000, progress: Callable[[str, int], None] | None = None) -> dict:
    """Bring the whole table up to date; {kind: (records checked, rows written, withdrawn)}.

    For content written without model signals (bulk loads, raw SQL) and after upgrades.
    """
    summary = {}
    for kind in KINDS:
        ids = list(public(kind, scheduled=True).order_by("pk").values_list("pk", flat=True))
        written = 0
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            with transaction.atomic():
                written += refresh(kind, part)
            if progress is not None:
                progress(kind, len(part))
        stale = list(
            Row.objects.filter(kind=kind, deleted=False)
            .exclude(object_id__in=public(kind, scheduled=True).values("pk"))
            .values_list("object_id", flat=True)
        )
        for start in range(0, len(stale), chunk):
            refresh(kind, stale[start : start + chunk])
        summary[kind] = (len(ids), written, len(stale))
    return summary
