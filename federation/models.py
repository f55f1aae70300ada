"""ActivityPub: our actors' keys, the remote actors we know, follows both ways,
the activities we publish and their deliveries, what arrives in our inboxes,
and the meetings and stories other chapters publish to us.
"""

import uuid

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chapterhouse.fields import URLField


class ActorKey(models.Model):
    """The RSA-2048 key pair of a chapter's Group actor, or of the instance's Application actor."""

    chapter = models.OneToOneField(
        "chapters.Chapter", models.CASCADE, null=True, blank=True, related_name="actor_key"
    )
    public_pem = models.TextField()
    private_pem = models.TextField()
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("actor key")
        verbose_name_plural = _("actor keys")
        constraints = [
            # One key per chapter, and one instance key (the row without a chapter): an
            # expression, because SQLite has no NULLS NOT DISTINCT.
            models.UniqueConstraint(
                Coalesce("chapter", models.Value(0)), name="one_key_per_chapter"
            ),
        ]

    def __str__(self) -> str:
        return f"key of {self.chapter or 'the instance'}"


class RemoteActor(models.Model):
    """An actor on another server, as last fetched."""

    uri = models.URLField(_("id"), max_length=500, unique=True)
    type = models.CharField(max_length=40, blank=True)
    preferred_username = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True, help_text=_("Sanitized HTML."))
    url = models.URLField(max_length=500, blank=True)
    icon_url = models.URLField(max_length=500, blank=True)
    inbox = models.URLField(max_length=500)
    shared_inbox = models.URLField(max_length=500, blank=True)
    outbox = models.URLField(max_length=500, blank=True)
    key_id = models.URLField(max_length=500, blank=True)
    public_key_pem = models.TextField(blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("remote actor")
        verbose_name_plural = _("remote actors")
        indexes = [models.Index(fields=["key_id"])]

    def __str__(self) -> str:
        return self.handle or self.uri

    @property
    def handle(self) -> str:
        from urllib.parse import urlsplit

        host = urlsplit(self.uri).hostname or ""
        return f"@{self.preferred_username}@{host}" if self.preferred_username else ""

    @property
    def delivery_inbox(self) -> str:
        return self.shared_inbox or self.inbox


class Follower(models.Model):
    """A remote actor that follows one of our chapters."""

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="followers")
    actor = models.ForeignKey(RemoteActor, models.CASCADE, related_name="following_us")
    follow_id = models.URLField(_("Follow activity id"), max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "actor"], name="unique_follower"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} follows {self.chapter}"


class Following(models.Model):
    """A remote Group one of our chapters follows, asked for by an organizer."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Following")
        REJECTED = "rejected", _("Refused")

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="followings")
    actor = models.ForeignKey(RemoteActor, models.CASCADE, related_name="followed_by_us")
    follow_id = models.URLField(_("Follow activity id"), max_length=500, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        "members.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("followed chapter")
        verbose_name_plural = _("followed chapters")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "actor"], name="unique_following"),
        ]

    def __str__(self) -> str:
        return f"{self.chapter} follows {self.actor} ({self.state})"


class Activity(models.Model):
    """An activity one of our actors published: the outbox, and what deliveries carry."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", models.CASCADE, null=True, blank=True, related_name="activities"
    )
    type = models.CharField(max_length=20)  # Create, Update, Delete, Accept, Follow, Undo
    object_key = models.CharField(
        max_length=100, blank=True, help_text=_('What it is about, e.g. "meeting:12".')
    )
    data = models.JSONField(help_text=_("The activity as sent, JSON-LD."))
    public = models.BooleanField(default=True, help_text=_("Listed in the outbox."))
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["chapter", "public", "-created"]),
            models.Index(fields=["chapter", "object_key", "-created"]),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.object_key}"


class Delivery(models.Model):
    """One activity to one inbox: sent once, retried with backoff, given up after days."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Delivered")
        GIVEN_UP = "given_up", _("Given up")

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="deliveries")
    inbox = models.URLField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["activity", "inbox"], name="unique_delivery"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt"])]

    def __str__(self) -> str:
        return f"{self.activity} → {self.inbox}: {self.status}"


class InboxItem(models.Model):
    """A verified activity as it arrived, kept until a task has processed it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Waiting")
        DONE = "done", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    activity_id = models.URLField(max_length=500, unique=True)  # replays are refused by this
    chapter = models.ForeignKey(
        "chapters.Chapter", models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor_uri = models.URLField(max_length=500)
    type = models.CharField(max_length=40)
    data = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    received = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("received activity")
        verbose_name_plural = _("received activities")
        indexes = [models.Index(fields=["status", "received"])]

    def __str__(self) -> str:
        return f"{self.type} from {self.actor_uri}"


class RemoteObject(models.Model):
    """A meeting (Event) or story (Article) published by a remote Group we follow."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        STORY = "story", _("Story")

    uri = models.URLField(max_length=500, unique=True)
    actor = models.ForeignKey(RemoteActor, models.CASCADE, related_name="remote_objects")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    content = models.TextField(blank=True, help_text=_("Sanitized HTML."))
    url = URLField(max_length=500, blank=True, help_text=_("The page at the origin."))
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    location = models.CharField(max_length=500, blank=True)
    is_online = models.BooleanField(default=False)
    cancelled = models.BooleanField(default=False)
    published = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, help_text=_("The object as last received."))
    # A meeting's format and published report, from the chapterhouse: extension of the Event
    # (docs/FEDERATION.md). The format is kept as sent, even one this site does not know.
    meeting_format = models.CharField(_("format"), max_length=40, blank=True)
    report_attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    report_what_worked = models.TextField(_("what worked"), blank=True)
    report_html = models.TextField(_("report notes"), blank=True, help_text=_("Sanitized HTML."))
    report_updated = models.DateTimeField(
        _("report updated"),
        null=True,
        blank=True,
        help_text=_("Set when the meeting has a published report; empty when it has none."),
    )

    class Meta:
        ordering = ["start", "published"]
        verbose_name = _("remote meeting or story")
        verbose_name_plural = _("remote meetings and stories")
        indexes = [models.Index(fields=["kind", "start"]), models.Index(fields=["actor", "kind"])]

    def __str__(self) -> str:
        return self.name
