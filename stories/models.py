"""Stories: a chapter's announcements, blog posts and pages, and the old URLs they answer to."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chapterhouse.markup import (
    paragraphs_from_line_breaks,
    render_markdown,
    sanitize,
    visible_text,
)
from members.models import placeholder_user


class Category(models.Model):
    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=100, allow_unicode=True)

    class Meta:
        ordering = ["chapter", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "slug"], name="unique_category_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stories:category", args=[self.chapter.slug, self.slug])


class StoryQuerySet(models.QuerySet):
    def published(self) -> "StoryQuerySet":
        """Published stories whose publication time has come, newest first."""
        return self.filter(status=Story.Status.PUBLISHED, published__lte=timezone.now()).order_by(
            "-published", "-pk"
        )

    def visible_to(self, user) -> "StoryQuerySet":
        """Published stories, plus drafts the user wrote or organizes."""
        if not user.is_authenticated:
            return self.published()
        if user.is_superuser:
            return self
        organizes = Q(chapter__memberships__user=user, chapter__memberships__role="organizer")
        return self.filter(
            Q(status=Story.Status.PUBLISHED, published__lte=timezone.now())
            | Q(author=user)
            | organizes
        ).distinct()


class Story(models.Model):
    class Kind(models.TextChoices):
        STORY = "story", _("Story")
        BLOG = "blog", _("Blog post")
        PAGE = "page", _("Page")

    class Format(models.TextChoices):
        MARKDOWN = "markdown", _("Markdown")
        HTML = "html", _("HTML")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="stories")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STORY)
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("short name"), max_length=200, allow_unicode=True)
    excerpt = models.TextField(
        _("excerpt"),
        blank=True,
        max_length=2000,
        help_text=_("A short summary for lists and feeds."),
    )
    body = models.TextField(_("body"), blank=True, max_length=500_000)
    body_format = models.CharField(
        _("body format"), max_length=10, choices=Format.choices, default=Format.MARKDOWN
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="stories"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET(placeholder_user),
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("author"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    published = models.DateTimeField(_("published"), null=True, blank=True)
    updated = models.DateTimeField(_("updated"), default=timezone.now)
    source = models.CharField(
        _("imported from"),
        max_length=300,
        blank=True,
        help_text=_("The file this story was imported from; importing it again updates the story."),
    )

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published", "-created", "-pk"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "slug"], name="unique_story_slug"),
            models.UniqueConstraint(
                fields=["chapter", "source"], condition=~Q(source=""), name="unique_story_source"
            ),
        ]
        indexes = [
            models.Index(fields=["chapter", "status", "-published"]),
            # The unique constraint above is partial; SQLite only uses it for queries
            # that repeat its condition, so imports look stories up through this one.
            models.Index(fields=["chapter", "source"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", args=[self.chapter.slug, self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published is not None

    def body_html(self):
        """The body as safe HTML, whatever format it was written in."""
        if self.body_format == self.Format.HTML:
            return sanitize(paragraphs_from_line_breaks(self.body))
        return render_markdown(self.body)

    def excerpt_text(self) -> str:
        """The excerpt as plain text: imported excerpts are HTML teasers."""
        return visible_text(self.excerpt)


def validate_local_path(value: str) -> None:
    """Redirects stay on this site: a path, never a scheme or another host."""
    # "//host" and "/\host" are read by browsers as another site.
    bad_character = "\\" in value or any(ch.isspace() or not ch.isprintable() for ch in value)
    if not value.startswith("/") or value.startswith("//") or bad_character:
        raise ValidationError(
            _("Give a path on this site starting with a single /, such as /node/12."),
            code="off_site",
        )


class Redirect(models.Model):
    """An old address (from a previous site) that answers 301 to a story or a page here."""

    old_path = models.CharField(
        _("old path"), max_length=500, unique=True, validators=[validate_local_path]
    )
    story = models.ForeignKey(
        Story,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="redirects",
        verbose_name=_("story"),
    )
    target_path = models.CharField(
        _("target path"),
        max_length=500,
        blank=True,
        validators=[validate_local_path],
        help_text=_("Used when no story is chosen: a path on this site."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["old_path"]
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")

    def __str__(self) -> str:
        return self.old_path

    def clean(self) -> None:
        if not self.story_id and not self.target_path:
            raise ValidationError(_("Choose a story or give a target path."))

    @property
    def target(self) -> str:
        return self.story.get_absolute_url() if self.story_id else self.target_path
