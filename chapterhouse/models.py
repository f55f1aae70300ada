"""Mail bookkeeping shared by every app: which messages went out, and who opted out of what."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SentMailQuerySet(models.QuerySet):
    def claim(self, key: str, to: str) -> "SentMail | None":
        """Reserve a message's key before sending it; None if it was reserved before."""
        try:
            # Its own transaction (or savepoint), so a duplicate key spoils nothing around it.
            with transaction.atomic():
                return self.create(key=key, to=to)
        except IntegrityError:
            return None

    def unsent(self) -> "SentMailQuerySet":
        """Claims whose sending never finished: the worker died, or is sending right now."""
        return self.filter(sent_at=None)


class SentMail(models.Model):
    """One message identity, claimed before it is sent, so that a rerun task never resends it.

    The guarantee is at most once. A claim whose send was refused (or whose message
    could not be built) is deleted again, so a rerun sends it. If the worker dies, or
    the connection drops, between the SMTP server taking the message and `sent_at`
    being written, the row keeps an empty `sent_at` and the message is never sent
    again: it probably arrived, and a second copy is worse than a rare missing one.
    The admin lists such rows.
    """

    key = models.CharField(_("message key"), max_length=255, unique=True)
    to = models.EmailField(_("to"), max_length=254)
    created = models.DateTimeField(_("claimed"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = SentMailQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("sent message")
        verbose_name_plural = _("sent messages")

    def __str__(self) -> str:
        return self.key

    def mark_sent(self) -> None:
        self.sent_at = timezone.now()
        self.save(update_fields=["sent_at"])


class UnsubscribeQuerySet(models.QuerySet):
    def record(self, email: str, list_key: str) -> "Unsubscribe":
        """Opt an address out of a list (again is harmless), tied to its account if it has one."""
        email = email.strip().lower()
        user = get_user_model().objects.filter(email=email).first()
        unsubscribe, _created = self.get_or_create(
            email=email, list_key=list_key, defaults={"user": user}
        )
        return unsubscribe

    def left_by_user(self, list_key: str) -> Exists:
        """For a queryset of users: whether the user, by account or address, left the list."""
        return Exists(
            self.filter(list_key=list_key).filter(
                Q(user=OuterRef("pk")) | Q(email=OuterRef("email"))
            )
        )


class Unsubscribe(models.Model):
    """An address (and its account, if any) that asked for no more mail from one list.

    Lists are named by keys such as `chapter:3:meetings` (that chapter's meeting
    announcements). The account link keeps the opt-out if the member changes address.
    """

    email = models.EmailField(_("e-mail address"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="unsubscribes",
        verbose_name=_("account"),
    )
    list_key = models.CharField(_("list"), max_length=100)
    created = models.DateTimeField(_("unsubscribed"), default=timezone.now, editable=False)

    objects = UnsubscribeQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")
        constraints = [
            models.UniqueConstraint(fields=["email", "list_key"], name="unique_unsubscribe"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ✕ {self.list_key}"
