"""Meetings: venues and hosts, series, RSVPs with a waitlist, talks and reports."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chapterhouse.fields import URLField
from meetings.uploads import slides_path


class Venue(models.Model):
    """A place a member institution lends for meetings; reused from meeting to meeting."""

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="venues")
    host = models.CharField(_("host institution"), max_length=200)
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. METRO offices"))
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    locality = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("Two letters, e.g. US.")
    )
    directions_url = URLField(_("directions"), max_length=500, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    accessibility_notes = models.TextField(_("accessibility"), blank=True, max_length=2000)
    access_instructions = models.TextField(
        _("getting in"), blank=True, max_length=2000,
        help_text=_("Guest sign-in, which entrance, Wi-Fi."),
    )  # fmt: skip
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    class Meta:
        ordering = ["chapter", "host", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return (
            f"{self.name} ({self.host})" if self.host and self.host not in self.name else self.name
        )

    @property
    def address(self) -> str:
        parts = [
            self.street_address,
            self.locality,
            " ".join(filter(None, [self.region, self.postal_code])),
        ]
        return ", ".join(part for part in parts if part)

    def postal_address(self) -> dict[str, str]:
        """The address in schema.org PostalAddress terms, empty parts left out."""
        parts = {
            "streetAddress": self.street_address,
            "addressLocality": self.locality,
            "addressRegion": self.region,
            "postalCode": self.postal_code,
            "addressCountry": self.country,
        }
        return {name: value for name, value in parts.items() if value}

    @property
    def map_url(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        return (
            f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
            f"#map=17/{self.latitude}/{self.longitude}"
        )


class Format(models.TextChoices):
    PRESENTATIONS = "presentations", _("Presentations")
    LIGHTNING = "lightning", _("Lightning talks")
    BREAKOUTS = "breakouts", _("Breakouts or unconference")
    HACK = "hack", _("Hack session")
    SOCIAL = "social", _("Social")
    OTHER = "other", _("Other")


class Series(models.Model):
    """Meetings that repeat by an RFC 5545 rule, created ahead of time as single meetings."""

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="series")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    rule = models.CharField(
        _("repeats"), max_length=500,
        help_text=_("An iCalendar RRULE, e.g. FREQ=MONTHLY;BYDAY=2WE (every second Wednesday)."),
    )  # fmt: skip
    first_start = models.DateTimeField(_("first meeting starts"))
    duration_minutes = models.PositiveIntegerField(
        _("length in minutes"),
        default=120,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    venue = models.ForeignKey(
        Venue, models.SET_NULL, null=True, blank=True, verbose_name=_("venue")
    )
    online_url = URLField(_("online link"), max_length=500, blank=True)
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.PRESENTATIONS
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self) -> str:
        return self.title


class MeetingQuerySet(models.QuerySet):
    def upcoming(self) -> "MeetingQuerySet":
        """Meetings that have not ended, soonest first (cancelled ones included, marked)."""
        return self.filter(end__gte=timezone.now()).order_by("start", "pk")

    def past(self) -> "MeetingQuerySet":
        return self.filter(end__lt=timezone.now()).order_by("-start", "-pk")

    def listed(self) -> "MeetingQuerySet":
        return self.select_related("chapter", "venue").annotate(
            going_count=Sum("rsvps__seats", filter=Q(rsvps__status="going"), default=0)
        )


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        POSTPONED = "postponed", _("Postponed")

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="meetings")
    series = models.ForeignKey(
        Series, models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    occurrence = models.DateTimeField(
        _("original start in its series"), null=True, blank=True, editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, max_length=20000, help_text=_("Markdown.")
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    venue = models.ForeignKey(
        Venue,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("venue"),
    )
    online_url = URLField(_("online link"), max_length=500, blank=True)
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.PRESENTATIONS
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Seats, guests included. Empty: no limit."),
    )
    guests_allowed = models.PositiveSmallIntegerField(
        _("guests per member"), default=0, validators=[MaxValueValidator(10)]
    )
    rsvp_opens = models.DateTimeField(_("RSVP opens"), null=True, blank=True)
    rsvp_closes = models.DateTimeField(_("RSVP closes"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="meeting_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["series", "occurrence"],
                name="unique_series_occurrence",
                condition=Q(series__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["chapter", "start"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.chapter.slug, self.pk])

    @property
    def attendance_mode(self) -> str:
        if self.venue_id and self.online_url:
            return "hybrid"
        return "online" if self.online_url else "in-person"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def rsvp_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.SCHEDULED or now >= self.end:
            return False
        if self.rsvp_opens and now < self.rsvp_opens:
            return False
        return not (self.rsvp_closes and now >= self.rsvp_closes)


class Rsvp(models.Model):
    class Status(models.TextChoices):
        GOING = "going", _("Going")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Not going")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="rsvps")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    guests = models.PositiveSmallIntegerField(_("guests"), default=0)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1, editable=False)
    queued_at = models.DateTimeField(
        _("joined the waitlist"), null=True, blank=True, help_text=_("First come, first served.")
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created = models.DateTimeField(_("answered"), default=timezone.now)
    updated = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["meeting", "created", "pk"]
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="unique_rsvp")]
        indexes = [models.Index(fields=["meeting", "status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.meeting}: {self.status}"


class Talk(models.Model):
    class Kind(models.TextChoices):
        LIGHTNING = "lightning", _("Lightning talk (5 minutes)")
        TALK = "talk", _("Talk (20 minutes)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    MINUTES = {Kind.LIGHTNING: 5, Kind.TALK: 20}

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="talks")
    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(_("abstract"), max_length=5000, blank=True)
    speakers = models.CharField(
        _("speakers"), max_length=300, help_text=_("Names, separated by commas.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LIGHTNING)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="talks"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    starts_at = models.DateTimeField(_("on the agenda at"), null=True, blank=True)
    slides = models.FileField(_("slides"), upload_to=slides_path, blank=True, max_length=200)
    slides_type = models.CharField(_("slides type"), max_length=100, blank=True, editable=False)
    slides_url = URLField(_("link to slides"), max_length=500, blank=True)
    recording_url = URLField(_("link to a recording"), max_length=500, blank=True)
    licence = models.CharField(
        _("licence"), max_length=100, blank=True,
        help_text=_("For the slides and recording: an SPDX or Creative Commons identifier, "
                    "such as CC-BY-4.0."),
    )  # fmt: skip
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    created = models.DateTimeField(_("proposed"), default=timezone.now)
    updated = models.DateTimeField(_("changed"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["meeting", "starts_at", "created", "pk"]
        verbose_name = _("talk")
        verbose_name_plural = _("talks")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        """Every change dates the talk: harvesters ask what changed since their last visit."""
        self.updated = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("meetings:talk", args=[self.meeting.chapter.slug, self.meeting_id, self.pk])

    def get_slides_url(self) -> str:
        return reverse(
            "meetings:talk_slides", args=[self.meeting.chapter.slug, self.meeting_id, self.pk]
        )

    @property
    def minutes(self) -> int:
        return self.MINUTES.get(self.kind, 20)


class Report(models.Model):
    """What happened at a meeting, for the chapter and for other chapters to learn from."""

    meeting = models.OneToOneField(Meeting, models.CASCADE, related_name="report")
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=20000, help_text=_("Markdown."))
    what_worked = models.TextField(_("what worked"), blank=True, max_length=5000)
    published = models.BooleanField(_("published"), default=False)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting report")
        verbose_name_plural = _("meeting reports")

    def __str__(self) -> str:
        return f"Report: {self.meeting}"


class AnnouncementAddress(models.Model):
    """An outside address (a mailing list) that receives each new meeting's announcement."""

    chapter = models.ForeignKey(
        "chapters.Chapter", models.CASCADE, related_name="announcement_addresses"
    )
    email = models.EmailField(_("e-mail address"), max_length=254)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("e.g. Code4Lib list")
    )

    class Meta:
        ordering = ["chapter", "email"]
        verbose_name = _("announcement address")
        verbose_name_plural = _("announcement addresses")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "email"], name="unique_announcement_address")
        ]

    def __str__(self) -> str:
        return self.label or self.email
