"""Keep the Record table in step with the content harvesters see.

Content apps know nothing of OAI-PMH, so the provider listens to their model signals. A saved
story, talk, report or project has its row refreshed in the same transaction; a deleted one
keeps its row as a deleted record. Changes to what records are described with (a meeting, a
category, a contributor, a member's name, a chapter) refresh the records that mention them:
a few inline, many through a background task.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from chapterhouse.tasks import enqueue_on_commit
from oaipmh import records, tasks

MODELS = {
    "stories.Story": "story",
    "meetings.Talk": "talk",
    "meetings.Report": "report",
    "projects.Project": "project",
}


def saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        records.refresh(MODELS[sender._meta.label], [instance.pk])


def deleted(sender, instance, **kwargs) -> None:
    records.withdraw(MODELS[sender._meta.label], instance.pk)


def meeting_saved(sender, instance, raw=False, **kwargs) -> None:
    """A meeting's title, date and chapter are part of its talks and its report."""
    if raw:
        return
    records.refresh("talk", instance.talks.values_list("pk", flat=True), related=True)
    reports = records.public("report").filter(meeting=instance).values_list("pk", flat=True)
    records.refresh("report", reports, related=True)


def labels_changed(kind: str):
    """m2m_changed receiver for a record's categories, technologies or focus areas."""

    def receiver(sender, instance, action, reverse, pk_set, **kwargs) -> None:
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not reverse:
            records.refresh(kind, [instance.pk], related=True)
        elif pk_set:
            enqueue_on_commit(tasks.refresh_records, kind, sorted(pk_set))

    return receiver


def label_renamed(kind: str, lookup: str):
    """post_save receiver for a category, technology or focus area: its records say its name."""

    def receiver(sender, instance, raw=False, created=False, **kwargs) -> None:
        if raw or created:
            return
        ids = records.public(kind).filter(**{lookup: instance.pk}).values_list("pk", flat=True)
        enqueue_on_commit(tasks.refresh_records, kind, list(ids))

    return receiver


def contributor_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        records.refresh("project", [instance.project_id], related=True)


def person_changed(sender, instance, raw=False, created=False, **kwargs) -> None:
    """A member's name: the records that credit them as creator (a new profile has none)."""
    if not raw and not created:
        enqueue_on_commit(tasks.refresh_person, instance.user_id)


def chapter_saved(sender, instance, raw=False, created=False, **kwargs) -> None:
    """The chapter is every record's publisher, and its slug names its sets."""
    if not raw and not created:
        enqueue_on_commit(tasks.refresh_chapter, instance.pk)


_receivers = []  # m2m and label receivers are closures: keep them alive (weak references)


def connect() -> None:
    from django.apps import apps

    for label in MODELS:
        model = apps.get_model(label)
        uid = f"oaipmh-{label}"
        post_save.connect(saved, sender=model, dispatch_uid=uid + "-saved")
        post_delete.connect(deleted, sender=model, dispatch_uid=uid + "-deleted")
    model = apps.get_model
    post_save.connect(meeting_saved, sender=model("meetings.Meeting"), dispatch_uid="oaipmh-mtg")
    for through, kind in (
        (model("stories.Story").categories.through, "story"),
        (model("projects.Project").technologies.through, "project"),
        (model("projects.Project").focus_areas.through, "project"),
    ):
        receiver = labels_changed(kind)
        _receivers.append(receiver)
        m2m_changed.connect(receiver, sender=through, dispatch_uid=f"oaipmh-m2m-{through}")
    for label, kind, lookup in (
        ("stories.Category", "story", "categories"),
        ("projects.Technology", "project", "technologies"),
        ("chapters.FocusArea", "project", "focus_areas"),
    ):
        receiver = label_renamed(kind, lookup)
        _receivers.append(receiver)
        post_save.connect(receiver, sender=model(label), dispatch_uid=f"oaipmh-label-{label}")
    contributor = model("projects.Contributor")
    post_save.connect(contributor_changed, sender=contributor, dispatch_uid="oaipmh-contrib-s")
    post_delete.connect(contributor_changed, sender=contributor, dispatch_uid="oaipmh-contrib-d")
    post_save.connect(person_changed, sender=model("members.Profile"), dispatch_uid="oaipmh-pr")
    post_save.connect(chapter_saved, sender=model("chapters.Chapter"), dispatch_uid="oaipmh-ch")
