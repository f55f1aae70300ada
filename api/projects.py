"""The project showcase: lists with the same filters as the page, and writing projects.

Writes use the project form and projects.services, whose require_member and require_editor
decide who may add and change projects, as on the pages.
"""

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import ValidationError as InputError
from ninja.responses import Status

from api.auth import TokenAuth
from api.errors import error_responses, invalid, problems
from api.reading import absolute, chapter_or_404, paginate
from api.schemas import (
    ChapterSlug,
    ProjectDetailOut,
    ProjectIn,
    ProjectPage,
    ProjectPatch,
    ProjectQuery,
    ProjectSlug,
)
from chapters.models import Chapter
from projects import browse, services
from projects.forms import ProjectFilterForm, ProjectForm
from projects.models import Contributor, Project

router = Router(tags=["projects"])

FILTERS = ("area", "technology", "institution", "status")


def project_or_404(chapter_slug: str, project_slug: str) -> Project:
    project = (
        Project.objects.for_listing()
        .prefetch_related(
            Prefetch("contributors", Contributor.objects.select_related("user__profile"))
        )
        .filter(chapter__slug=chapter_slug, slug=project_slug)
        .first()
    )
    if project is None:
        raise Http404(_("This chapter has no project with this short name."))
    return project


def project_out(project: Project) -> dict:
    return {
        "slug": project.slug,
        "chapter": project.chapter.slug,
        "name": project.name,
        "summary": project.summary,
        "status": project.status,
        "institution": project.institution,
        "repository_url": project.repository_url,
        "homepage": project.homepage,
        "licence": project.licence,
        "technologies": [technology.name for technology in project.technologies.all()],
        "focus_areas": [{"id": area.pk, "name": area.name} for area in project.focus_areas.all()],
        "url": absolute(project.get_absolute_url()),
    }


def project_detail_out(project: Project) -> dict:
    return {
        **project_out(project),
        "description": project.description,
        "contributors": [
            {"name": contributor.user.display_name, "role": contributor.role}
            for contributor in project.contributors.all()
        ],
        "created": project.created,
        "updated": project.updated,
    }


@router.get(
    "/{slug}/projects/",
    response={200: ProjectPage, **error_responses(404)},
    url_name="projects",
)
def project_list(request: HttpRequest, slug: ChapterSlug, query: Query[ProjectQuery]):
    """The chapter's projects by name, filtered as on the projects page."""
    chapter = chapter_or_404(slug)
    chosen = {name: getattr(query, name) for name in FILTERS if getattr(query, name) is not None}
    form = ProjectFilterForm({name: str(value) for name, value in chosen.items()}, chapter=chapter)
    if not form.is_valid():
        raise invalid(form)
    projects = browse.apply_filters(Project.objects.filter(chapter=chapter), form.filters())
    return paginate(projects.for_listing().order_by("name", "pk"), query, project_out)


@router.get(
    "/{slug}/projects/{project_slug}/",
    response={200: ProjectDetailOut, **error_responses(404)},
    url_name="project",
)
def project_detail(request: HttpRequest, slug: ChapterSlug, project_slug: ProjectSlug):
    """One project, with its description and contributors."""
    return project_detail_out(project_or_404(slug, project_slug))


@router.post(
    "/{slug}/projects/",
    auth=TokenAuth(),
    response={201: ProjectDetailOut, **error_responses(403, 404, body=True)},
)
def create_project(request: HttpRequest, slug: ChapterSlug, project: ProjectIn):
    """Add a project to the chapter (members); you become its first contributor."""
    chapter = chapter_or_404(slug)
    services.require_member(request.auth, chapter)
    form = project_form(chapter, None, project.dict())
    saved = services.create_project(request.auth, chapter, form.project_fields())
    return Status(201, project_detail_out(project_or_404(slug, saved.slug)))


@router.patch(
    "/{slug}/projects/{project_slug}/",
    auth=TokenAuth(),
    response={200: ProjectDetailOut, **error_responses(403, 404, body=True)},
)
def update_project(
    request: HttpRequest, slug: ChapterSlug, project_slug: ProjectSlug, changes: ProjectPatch
):
    """Change a project (its contributors and the organizers); its address stays the same."""
    project = project_or_404(slug, project_slug)
    services.require_editor(request.auth, project)
    data = {name: getattr(project, name) for name in ProjectForm._meta.fields}
    data["focus_areas"] = [area.pk for area in project.focus_areas.all()]
    data["technologies"] = [technology.name for technology in project.technologies.all()]
    given = {name: value for name, value in changes.dict().items() if value is not None}
    form = project_form(project.chapter, project, {**data, **given})
    services.update_project(request.auth, project, form.project_fields())
    return project_detail_out(project_or_404(slug, project_slug))


def project_form(chapter: Chapter, project: Project | None, data: dict) -> ProjectForm:
    """The project page's form, checked; technologies are typed there with commas between."""
    data = {**data, "technologies": ", ".join(data["technologies"])}
    form = ProjectForm(data, instance=project, chapter=chapter)
    if data["focus_areas"] and "focus_areas" not in form.fields:
        # The page has no such field then; here the areas asked for would be dropped unseen.
        message = _("This chapter has no focus areas.")
        raise InputError(problems({"focus_areas": [{"message": message, "code": "invalid"}]}))
    if not form.is_valid():
        raise invalid(form)
    return form
