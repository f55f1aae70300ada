"""What the provider remembers itself: withdrawn records (deletedRecord persistent)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeletedRecord(models.Model):
    """A story, talk, report or project harvesters saw and that is gone or no longer public.

    The content row may not exist any more, so the record keeps what its header needs:
    the identifier parts, the chapter for set membership and when it went away.
    """

    kind = models.CharField(_("kind"), max_length=10)
    object_id = models.PositiveBigIntegerField(_("object id"))
    chapter_slug = models.CharField(_("chapter"), max_length=50)
    datestamp = models.DateTimeField(_("withdrawn"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["datestamp", "kind", "object_id"]
        verbose_name = _("deleted record")
        verbose_name_plural = _("deleted records")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_deleted_record"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.object_id}"
