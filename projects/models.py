"""The project showcase: what members build and run, with the technologies behind it."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chapterhouse.fields import URLField


class Technology(models.Model):
    """A free tag such as Solr, Blacklight, DSpace or Koha, shared by every chapter."""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("address name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("technology")
        verbose_name_plural = _("technologies")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="unique_technology_name_ignoring_case")
        ]

    def __str__(self) -> str:
        return self.name


class ProjectQuerySet(models.QuerySet):
    def for_listing(self) -> "ProjectQuerySet":
        """Projects with what a list shows of them, in a fixed number of queries."""
        return self.select_related("chapter").prefetch_related("technologies", "focus_areas")

    def contributed_to_by(self, user) -> "ProjectQuerySet":
        return self.filter(contributors__user=user)


class Project(models.Model):
    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        ACTIVE = "active", _("Active")
        MAINTAINED = "maintained", _("Maintained")
        RETIRED = "retired", _("Retired")

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="projects")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address name"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    repository_url = URLField(_("repository"), blank=True)
    homepage = URLField(_("homepage"), blank=True)
    licence = models.CharField(
        _("licence"), max_length=200, blank=True,
        help_text=_("An SPDX identifier or expression, such as MIT or GPL-3.0-or-later."),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    focus_areas = models.ManyToManyField(
        "chapters.FocusArea", blank=True, related_name="projects", verbose_name=_("focus areas")
    )
    technologies = models.ManyToManyField(
        Technology, blank=True, related_name="projects", verbose_name=_("technologies")
    )
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    talks = models.ManyToManyField(
        "meetings.Talk", blank=True, related_name="projects", verbose_name=_("talks")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["chapter", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "slug"], name="unique_project_slug"),
        ]
        indexes = [models.Index(fields=["chapter", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.chapter.slug, self.slug])


class Contributor(models.Model):
    """A member who works on a project, and what they do on it."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="contributors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="projects")
    role = models.CharField(
        _("role"), max_length=100, blank=True, help_text=_("Maintainer, developer, …")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["project", "position", "pk"]
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="unique_contributor"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.project}"
