"""Chapters: the local groups an instance hosts, their focus areas and links."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chapterhouse.fields import URLField
from chapterhouse.prepared import PreparedQuery
from chapters.validators import validate_time_zone


class ChapterQuerySet(models.QuerySet):
    def with_member_count(self) -> "ChapterQuerySet":
        """Annotate each chapter with `member_count` (active accounts only)."""
        return self.annotate(
            member_count=Count("memberships", filter=Q(memberships__user__is_active=True))
        )


class Chapter(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_("Used in web addresses and as the chapter's fediverse handle."),
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    region = models.CharField(_("region"), max_length=120, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=63,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Meeting times are shown in this zone, e.g. America/New_York."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Where the chapter meets, for the map of chapters, e.g. 40.7128."),
    )  # fmt: skip
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("e.g. -74.0060 (west is negative)."),
    )  # fmt: skip
    members_can_blog = models.BooleanField(
        _("members may write blog posts"),
        default=False,
        help_text=_("Organizers always can; with this on, every member can publish blog posts."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ChapterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("chapters:detail", args=[self.slug])


class FocusArea(models.Model):
    """A topic the chapter cares about; members pick theirs as interests."""

    chapter = models.ForeignKey(Chapter, models.CASCADE, related_name="focus_areas")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["chapter", "position", "name"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "name"], name="unique_focus_area_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ChapterLink(models.Model):
    """A link on the chapter page: the host organization, a wiki, a mailing list."""

    chapter = models.ForeignKey(Chapter, models.CASCADE, related_name="links")
    label = models.CharField(_("label"), max_length=100)
    url = URLField(_("address"), max_length=500)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["chapter", "position", "label"]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self) -> str:
        return self.label


# Nearly every chapter page starts here, so it is compiled once (chapterhouse/prepared.py).
chapter_by_slug = PreparedQuery(lambda slug: Chapter.objects.filter(slug=slug), slug=str)
