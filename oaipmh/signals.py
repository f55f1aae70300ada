"""Keep deleted records persistent: note a record the moment it stops being public.

Content apps know nothing of OAI-PMH, so the provider listens to their model signals. Before a
save it notes whether the row was public; after it, a row that stopped being public gets a
DeletedRecord (datestamp now) and a row that became public again loses its DeletedRecord.
Deleting a public row records it too, whether deleted directly or through a cascade.
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from oaipmh import records
from oaipmh.models import DeletedRecord

MODELS = {
    "stories.Story": "story",
    "meetings.Talk": "talk",
    "meetings.Report": "report",
    "projects.Project": "project",
}


def remember_state(sender, instance, raw=False, **kwargs) -> None:
    """Note, before the write, whether the row is public now."""
    if raw:
        return
    kind = MODELS[sender._meta.label]
    instance._oai_was_public = bool(instance.pk) and records.is_public(kind, instance)


def after_save(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw:
        return
    kind = MODELS[sender._meta.label]
    if records.is_public(kind, instance):
        DeletedRecord.objects.filter(kind=kind, object_id=instance.pk).delete()
    elif getattr(instance, "_oai_was_public", False):
        withdraw(kind, instance.pk, records.chapter_slug_of(kind, instance))


def before_delete(sender, instance, **kwargs) -> None:
    """Read what the header needs while the row and its chapter still exist."""
    kind = MODELS[sender._meta.label]
    instance._oai_was_public = records.is_public(kind, instance)
    if instance._oai_was_public:
        instance._oai_chapter_slug = records.chapter_slug_of(kind, instance)


def after_delete(sender, instance, **kwargs) -> None:
    if getattr(instance, "_oai_was_public", False):
        kind = MODELS[sender._meta.label]
        withdraw(kind, instance.pk, instance._oai_chapter_slug)


def withdraw(kind: str, object_id: int, chapter_slug: str) -> None:
    DeletedRecord.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={"chapter_slug": chapter_slug, "datestamp": timezone.now()},
    )


def connect() -> None:
    from django.apps import apps

    for label in MODELS:
        model = apps.get_model(label)
        uid = f"oaipmh-{label}"
        pre_save.connect(remember_state, sender=model, dispatch_uid=uid + "-pre-save")
        post_save.connect(after_save, sender=model, dispatch_uid=uid + "-post-save")
        pre_delete.connect(before_delete, sender=model, dispatch_uid=uid + "-pre-delete")
        post_delete.connect(after_delete, sender=model, dispatch_uid=uid + "-post-delete")
