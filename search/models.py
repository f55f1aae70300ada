"""The search outbox: which documents changed since the index last caught up."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingChange(models.Model):
    """One change to one searchable thing, written in the transaction that made the change.

    The row outlives a crashed or restarted worker: `search.tasks.sync_index` deletes it
    only once the index holds the change, so nothing committed is ever missed.
    """

    key = models.CharField(_("document key"), max_length=500)
    created = models.DateTimeField(_("changed"), default=timezone.now, editable=False)
    not_before = models.DateTimeField(
        _("not before"),
        null=True,
        blank=True,
        help_text=_("For a change that takes effect later, such as a story scheduled to appear."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pending search change")
        verbose_name_plural = _("pending search changes")

    def __str__(self) -> str:
        return self.key
