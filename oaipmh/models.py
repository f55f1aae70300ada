"""The provider's own table: one row per record harvesters can see, live or deleted.

Each row holds everything a ListRecords page needs (the identifier parts, the chapter for set
membership, the datestamp and the finished oai_dc description), so a page is one indexed range
read. Rows are refreshed when content changes (oaipmh.signals) and rebuilt in bulk by
`chapterhouse oai-rebuild`. A deleted row keeps its header forever (deletedRecord persistent).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Record(models.Model):
    """A story, talk, meeting report or project as harvesters see it."""

    kind = models.CharField(_("kind"), max_length=10)
    object_id = models.PositiveBigIntegerField(_("object id"))
    chapter_slug = models.CharField(_("chapter"), max_length=50)
    datestamp = models.DateTimeField(_("datestamp"), default=timezone.now)
    deleted = models.BooleanField(_("deleted"), default=False)
    metadata = models.TextField(_("oai_dc description"), blank=True)

    class Meta:
        ordering = ["datestamp", "kind", "object_id"]
        verbose_name = _("OAI-PMH record")
        verbose_name_plural = _("OAI-PMH records")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_oai_record"),
        ]
        indexes = [
            models.Index(fields=["datestamp", "kind", "object_id"], name="oai_record_order"),
            models.Index(
                fields=["chapter_slug", "datestamp", "kind", "object_id"],
                name="oai_record_chapter_order",
            ),
            models.Index(fields=["kind", "datestamp", "object_id"], name="oai_record_kind_order"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.object_id}"
