"""Polls: a chapter's question, its options, and one ballot per member."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PollQuerySet(models.QuerySet):
    def open(self, now=None) -> "PollQuerySet":
        """Polls taking ballots now, closing soonest first."""
        now = now or timezone.now()
        return self.filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now), opens_at__lte=now
        ).order_by(F("closes_at").asc(nulls_last=True), "-opens_at", "pk")

    def upcoming(self, now=None) -> "PollQuerySet":
        """Polls that have not opened yet, opening soonest first."""
        return self.filter(opens_at__gt=now or timezone.now()).order_by("opens_at", "pk")

    def closed(self, now=None) -> "PollQuerySet":
        """Polls that have closed, the most recently closed first."""
        return self.filter(closes_at__lte=now or timezone.now()).order_by("-closes_at", "-pk")

    def listed(self) -> "PollQuerySet":
        return self.select_related("chapter").annotate(ballot_count=Count("ballots"))


class Poll(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        APPROVAL = "approval", _("Approval (tick any number)")
        RANKED = "ranked", _("Ranked choice (instant-runoff)")
        DATE = "date", _("Date poll (yes / if need be / no)")

    class ResultsFor(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        MEMBERS = "members", _("Members of the chapter")

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="polls")
    question = models.CharField(_("question"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, max_length=20000, help_text=_("Markdown.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    results_for = models.CharField(
        _("results are shown to"), max_length=10, choices=ResultsFor.choices,
        default=ResultsFor.MEMBERS,
    )  # fmt: skip
    hide_results_until_close = models.BooleanField(
        _("hide results until the poll closes"), default=False,
        help_text=_("Nobody, organizers included, sees the counts before the close."),
    )  # fmt: skip
    opens_at = models.DateTimeField(_("opens"), default=timezone.now)
    closes_at = models.DateTimeField(
        _("closes"), null=True, blank=True, help_text=_("Empty: open until an organizer closes it.")
    )
    duration_minutes = models.PositiveIntegerField(
        _("meeting length in minutes"), default=120,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text=_("Date polls: the length of the meeting made from the winning date."),
    )  # fmt: skip
    meeting = models.ForeignKey(
        "meetings.Meeting", models.SET_NULL, null=True, blank=True, related_name="polls",
        verbose_name=_("meeting"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="poll_closes_after_opening",
            )
        ]
        indexes = [models.Index(fields=["chapter", "closes_at"])]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("polls:detail", args=[self.chapter.slug, self.pk])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now and not self.is_closed(now)

    def is_closed(self, now=None) -> bool:
        return self.closes_at is not None and (now or timezone.now()) >= self.closes_at

    def has_opened(self, now=None) -> bool:
        return self.opens_at <= (now or timezone.now())

    @property
    def is_date_poll(self) -> bool:
        return self.kind == self.Kind.DATE


class Option(models.Model):
    """One answer to a poll; date polls' options are a start time."""

    poll = models.ForeignKey(Poll, models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=200)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)

    class Meta:
        ordering = ["poll", "position"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="unique_option_position"),
        ]

    def __str__(self) -> str:
        return self.label


class Ballot(models.Model):
    """A member's answer to a poll; they may change it until the poll closes."""

    poll = models.ForeignKey(Poll, models.CASCADE, related_name="ballots")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="ballots")
    created = models.DateTimeField(_("cast"), default=timezone.now)
    updated = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["poll", "created", "pk"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="unique_ballot")]

    def __str__(self) -> str:
        return f"{self.user} → {self.poll}"


class Choice(models.Model):
    """A mark on a ballot: 1 for a tick, the rank for ranked polls, 2/1/0 for yes/maybe/no."""

    ballot = models.ForeignKey(Ballot, models.CASCADE, related_name="choices")
    option = models.ForeignKey(Option, models.CASCADE, related_name="choices")
    value = models.PositiveSmallIntegerField(_("value"), default=1)

    class Meta:
        ordering = ["ballot", "value", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "option"], name="unique_choice"),
        ]

    def __str__(self) -> str:
        return f"{self.option}: {self.value}"
