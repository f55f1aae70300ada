"""Writes for the project showcase, and who may make them.

Members of a chapter create projects and become their first contributor; the
contributors and the chapter's organizers edit them; only organizers delete them.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chapters.models import Chapter
from meetings.models import Talk
from members.models import Membership, User
from members.services import is_member, is_organizer, require_organizer
from projects.models import Contributor, Project, Technology

MAX_TECHNOLOGIES = 20
# Path segments of the chapter's project pages that a project's slug must not take.
RESERVED_SLUGS = {"new", "technologies"}


def require_member(actor: User, chapter: Chapter) -> None:
    """Refuse anyone outside the chapter: only members add projects to it."""
    if not (actor.is_superuser or is_member(actor, chapter)):
        raise PermissionDenied(_("Only members of the chapter can add projects."))


def can_edit(user: User, project: Project) -> bool:
    """Contributors and the chapter's organizers edit a project."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or project.contributors.filter(user=user).exists():
        return True
    return is_organizer(user, project.chapter)


def require_editor(actor: User, project: Project) -> None:
    if not can_edit(actor, project):
        raise PermissionDenied(_("Only the project's contributors and organizers can change it."))


def split_technologies(text: str) -> list[str]:
    """Names from a comma-separated list, each once (ignoring case), in the order typed."""
    names: dict[str, str] = {}
    for part in text.split(","):
        name = " ".join(part.split())
        if name:
            names.setdefault(name.lower(), name)
    found = list(names.values())
    too_long = [name for name in found if len(name) > Technology._meta.get_field("name").max_length]
    if too_long:
        raise ValidationError(
            _("Technology names are at most 60 characters: %(names)s.")
            % {"names": ", ".join(too_long)},
            code="too_long",
        )
    if len(found) > MAX_TECHNOLOGIES:
        raise ValidationError(
            _("Name at most %(count)d technologies.") % {"count": MAX_TECHNOLOGIES},
            code="too_many",
        )
    return found


def technology_named(name: str) -> Technology:
    """The technology with this name in any letter case, created on first use."""
    existing = Technology.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Technology.objects.create(name=name, slug=free_technology_slug(name))
    except IntegrityError:  # someone else named it just now
        return Technology.objects.get(name__iexact=name)


def free_technology_slug(name: str) -> str:
    base = slugify(name)[:50] or "technology"
    return free_slug(base, set(Technology.objects.values_list("slug", flat=True)))


def free_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… whichever is not taken."""
    slug, number = base, 1
    while slug in taken or slug in RESERVED_SLUGS:
        number += 1
        slug = f"{base}-{number}"
    return slug


def free_project_slug(chapter: Chapter, name: str) -> str:
    base = slugify(name)[:100] or "project"
    taken = Project.objects.filter(chapter=chapter, slug__startswith=base)
    return free_slug(base, set(taken.values_list("slug", flat=True)))


@transaction.atomic
def create_project(actor: User, chapter: Chapter, fields: dict) -> Project:
    """Add a project to the chapter; its creator becomes its first contributor."""
    require_member(actor, chapter)
    fields = dict(fields)
    focus_areas, technologies = fields.pop("focus_areas", []), fields.pop("technologies", [])
    project = Project(chapter=chapter, created_by=actor, **fields)
    project.slug = free_project_slug(chapter, project.name)
    project.full_clean()
    save_with_free_slug(project)
    set_tags(project, focus_areas, technologies)
    Contributor.objects.create(project=project, user=actor, role=_("Creator"))
    return project


def save_with_free_slug(project: Project, attempts: int = 3) -> None:
    """Save a new project; if someone took its slug in the meantime, take the next one."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                project.save(force_insert=True)
            return
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            project.slug = free_project_slug(project.chapter, project.name)


@transaction.atomic
def update_project(actor: User, project: Project, fields: dict) -> Project:
    """Change a project; its address stays the same so that shared links keep working."""
    require_editor(actor, project)
    fields = dict(fields)
    focus_areas, technologies = fields.pop("focus_areas", []), fields.pop("technologies", [])
    for name, value in fields.items():
        setattr(project, name, value)
    project.updated = timezone.now()
    project.full_clean()
    project.save()
    set_tags(project, focus_areas, technologies)
    return project


def set_tags(project: Project, focus_areas, technology_names: list[str]) -> None:
    if any(area.chapter_id != project.chapter_id for area in focus_areas):
        raise ValidationError(_("Choose focus areas of this chapter."), code="focus_area")
    project.focus_areas.set(focus_areas)
    project.technologies.set([technology_named(name) for name in technology_names])


@transaction.atomic
def delete_project(actor: User, project: Project) -> None:
    """Remove a project for good; only organizers may."""
    require_organizer(actor, project.chapter)
    project.delete()


@transaction.atomic
def add_contributor(actor: User, project: Project, user: User, role: str = "") -> Contributor:
    """Credit a member of the chapter on the project, or change their role on it."""
    require_editor(actor, project)
    if not Membership.objects.filter(chapter=project.chapter, user=user).exists():
        raise ValidationError(_("Contributors must be members of the chapter."), code="not_member")
    contributor = Contributor.objects.filter(project=project, user=user).first()
    if contributor is None:
        last = project.contributors.aggregate(last=Max("position"))["last"]
        contributor = Contributor(project=project, user=user, position=(last or 0) + 1)
    contributor.role = role
    contributor.full_clean(validate_unique=False)
    contributor.save()
    return contributor


@transaction.atomic
def remove_contributor(actor: User, project: Project, user: User) -> None:
    """Take someone off the project; a project always keeps at least one contributor."""
    require_editor(actor, project)
    others = project.contributors.exclude(user=user)
    if not others.exists():
        raise ValidationError(_("A project needs at least one contributor."), code="last")
    project.contributors.filter(user=user).delete()


@transaction.atomic
def link_talk(actor: User, project: Project, talk: Talk) -> None:
    """Show a talk given at one of the chapter's meetings on the project's page."""
    require_editor(actor, project)
    if talk.meeting.chapter_id != project.chapter_id:
        raise ValidationError(_("Choose a talk from this chapter's meetings."), code="talk")
    project.talks.add(talk)


@transaction.atomic
def unlink_talk(actor: User, project: Project, talk: Talk) -> None:
    require_editor(actor, project)
    project.talks.remove(talk)


def projects_of(user: User, viewer: User):
    """The projects a member contributes to, for their profile page.

    Projects are public pages, so the viewer sees them all; the profile page
    itself decides whether the viewer may see the member at all.
    """
    return Project.objects.contributed_to_by(user).for_listing().order_by("chapter__name", "name")


def visible_profile_ids(viewer: User, users: list[User]) -> set[int]:
    """Which of these people's profile pages the viewer may open, in one query.

    The same rule as the profile page: your own, or a listed profile of someone
    who shares a chapter with you (staff see all).
    """
    if not viewer.is_authenticated:
        return set()
    if viewer.is_staff:
        return {user.pk for user in users}
    listed = [user.pk for user in users if user.is_active and listed_profile(user)]
    shared = Membership.objects.filter(
        user__in=listed, chapter__in=Membership.objects.filter(user=viewer).values("chapter")
    )
    return set(shared.values_list("user_id", flat=True)) | {viewer.pk}


def listed_profile(user: User) -> bool:
    profile = getattr(user, "profile", None)
    return profile is not None and profile.in_directory
