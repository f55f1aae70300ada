"""The chapter forum: categories, threads, posts, who watches what, and the moderation log."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class ForumSettings(models.Model):
    """What a chapter's organizers decide about its forum: who reads it, who waits for approval."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can read")
        MEMBERS = "members", _("Members only")

    chapter = models.OneToOneField(
        "chapters.Chapter", models.CASCADE, related_name="forum_settings"
    )
    visibility = models.CharField(
        _("who can read"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    approval_threshold = models.PositiveSmallIntegerField(
        _("approved posts before links go through"),
        default=2,
        help_text=_(
            "A member with fewer approved posts than this waits for an organizer's approval "
            "when a post contains a link."
        ),
    )

    class Meta:
        verbose_name = _("forum settings")
        verbose_name_plural = _("forum settings")

    def __str__(self) -> str:
        return str(self.chapter)


class Category(models.Model):
    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="forum_categories")
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("address name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    focus_area = models.ForeignKey(
        "chapters.FocusArea", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["chapter", "position", "name"]
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "slug"], name="unique_forum_category_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:category", args=[self.chapter.slug, self.slug])


class ThreadQuerySet(models.QuerySet):
    def listed(self) -> "ThreadQuerySet":
        """Threads a reader may see: not hidden, approved, and not opened by a banned member."""
        banned = Suspension.objects.filter(
            chapter=OuterRef("chapter"), user=OuterRef("author"), until=None
        )
        return self.filter(hidden=False, posts__position=0, posts__approved=True).exclude(
            Exists(banned)
        )

    def for_list(self) -> "ThreadQuerySet":
        return self.listed().select_related("author__profile", "category", "chapter")


class Thread(models.Model):
    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="forum_threads")
    category = models.ForeignKey(Category, models.PROTECT, related_name="threads")
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(USER, models.PROTECT, related_name="forum_threads")
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_activity = models.DateTimeField(_("last activity"), default=timezone.now)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    project = models.ForeignKey(
        "projects.Project",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("project"),
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-pinned", "-last_activity", "-pk"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [models.Index(fields=["category", "-pinned", "-last_activity"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:thread", args=[self.chapter.slug, self.pk])


class PostQuerySet(models.QuerySet):
    def shown(self, chapter_id: int) -> "PostQuerySet":
        """Approved posts, neither hidden by a moderator nor written by a banned member."""
        banned = Suspension.objects.filter(
            chapter_id=chapter_id, user=OuterRef("author"), until=None
        )
        return self.filter(approved=True, hidden=False).exclude(Exists(banned))


class Post(models.Model):
    thread = models.ForeignKey(Thread, models.CASCADE, related_name="posts")
    author = models.ForeignKey(USER, models.PROTECT, related_name="forum_posts")
    body = models.TextField(_("message"))
    position = models.PositiveIntegerField(_("position"), default=0)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    edited = models.DateTimeField(_("edited"), null=True, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    deleted = models.BooleanField(_("deleted"), default=False)
    approved = models.BooleanField(_("approved"), default=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["thread", "position", "pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["thread", "position"])]

    def __str__(self) -> str:
        return f"{self.thread} #{self.position}"

    def get_absolute_url(self) -> str:
        return reverse("forum:post", args=[self.thread.chapter.slug, self.pk])


class PostRevision(models.Model):
    """A post's body as it was before an edit."""

    post = models.ForeignKey(Post, models.CASCADE, related_name="revisions")
    body = models.TextField(_("message"))
    editor = models.ForeignKey(USER, models.PROTECT, related_name="+")
    created = models.DateTimeField(_("replaced"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["post", "-created", "-pk"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self) -> str:
        return f"{self.post} @ {self.created:%Y-%m-%d %H:%M}"


class Watch(models.Model):
    """A member follows a thread or a whole category and hears of new posts in it."""

    user = models.ForeignKey(USER, models.CASCADE, related_name="forum_watches")
    thread = models.ForeignKey(Thread, models.CASCADE, null=True, blank=True, related_name="+")
    category = models.ForeignKey(
        Category, models.CASCADE, null=True, blank=True, related_name="watches"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=True) ^ Q(category__isnull=True),
                name="forum_watch_one_target",
            ),
            models.UniqueConstraint(fields=["user", "thread"], name="unique_thread_watch"),
            models.UniqueConstraint(fields=["user", "category"], name="unique_category_watch"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.thread or self.category}"


class Preference(models.Model):
    """How one member of one chapter wants forum mail: at once, or one digest a day."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("One e-mail per new post")
        DIGEST = "digest", _("A daily digest")

    user = models.ForeignKey(USER, models.CASCADE, related_name="forum_preferences")
    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="+")
    delivery = models.CharField(
        _("forum e-mail"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )

    class Meta:
        verbose_name = _("forum preference")
        verbose_name_plural = _("forum preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "chapter"], name="unique_forum_preference"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.chapter}: {self.delivery}"


class Notification(models.Model):
    """A post a member should hear about; a row until it has gone out, alone or in a digest."""

    class Reason(models.TextChoices):
        MENTION = "mention", _("You were mentioned")
        THREAD = "thread", _("You watch this thread")
        CATEGORY = "category", _("You watch this category")

    user = models.ForeignKey(USER, models.CASCADE, related_name="forum_notifications")
    post = models.ForeignKey(Post, models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    digest = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="unique_forum_notification"),
        ]
        indexes = [models.Index(fields=["digest", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.post} for {self.user}"


class ThreadRead(models.Model):
    """How far a member has read a thread: posts after `last_read_position` are new to them."""

    user = models.ForeignKey(USER, models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, models.CASCADE, related_name="reads")
    last_read_position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="unique_thread_read"),
        ]

    def __str__(self) -> str:
        return f"{self.thread} read by {self.user} to {self.last_read_position}"


class Flag(models.Model):
    post = models.ForeignKey(Post, models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(USER, models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    created = models.DateTimeField(default=timezone.now, editable=False)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")

    def __str__(self) -> str:
        return f"{self.post}: {self.reason[:40]}"


class SuspensionQuerySet(models.QuerySet):
    def in_force(self) -> "SuspensionQuerySet":
        return self.filter(Q(until=None) | Q(until__gt=timezone.now()))


class Suspension(models.Model):
    """A member may not post in the chapter's forum until `until`; with no end date, a ban."""

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, models.CASCADE, related_name="forum_suspensions")
    until = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    created = models.DateTimeField(default=timezone.now, editable=False)

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "user"], name="unique_forum_suspension"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.chapter} until {self.until or 'ever'}"


class ModerationAction(models.Model):
    """The log: who did what to which post, thread or member, and why."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        LOCK = "lock", _("Locked")
        UNLOCK = "unlock", _("Unlocked")
        PIN = "pin", _("Pinned")
        UNPIN = "unpin", _("Unpinned")
        MOVE = "move", _("Moved")
        SUSPEND = "suspend", _("Suspended")
        BAN = "ban", _("Banned")
        LIFT = "lift", _("Suspension lifted")
        DISMISS = "dismiss", _("Flags dismissed")

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="+")
    actor = models.ForeignKey(USER, models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    thread = models.ForeignKey(Thread, models.SET_NULL, null=True, blank=True, related_name="+")
    post = models.ForeignKey(Post, models.SET_NULL, null=True, blank=True, related_name="+")
    member = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor}"


class RateLimit(models.Model):
    """One fixed-window counter of chapterhouse.ratelimit: `count` hits on `key` in a window."""

    key = models.CharField(max_length=200)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="unique_rate_limit_window"),
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window}: {self.count}"
