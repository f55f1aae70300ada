"""Project pages: the filtered list, a project, its editors' tools, and what members run."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chapters.models import Chapter
from chapters.views import chapter_or_404, render_in_chapter_zone
from forum import services as forum_services
from members.models import User
from members.services import is_organizer, require_organizer
from projects import browse, metadata, services
from projects.forms import ContributorForm, ProjectFilterForm, ProjectForm, TalkLinkForm
from projects.models import Contributor, Project

PAGE_SIZE = 20
THREADS_SHOWN = 20


def project_or_404(slug: str, project: str) -> Project:
    """The project and its chapter in one query."""
    projects = Project.objects.select_related("chapter")
    return get_object_or_404(projects, chapter__slug=slug, slug=project)


def query_links(params: dict):
    """A function for templates: this list's address with one filter changed, from page one."""

    def link(name: str, value="") -> str:
        changed = {key: item for key, item in params.items() if key not in (name, "page")}
        if value != "":
            changed[name] = value
        return "?" + urlencode(changed) if changed else "?"

    return link


@require_GET
def project_list(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    form = ProjectFilterForm(request.GET, chapter=chapter)
    valid = form.is_valid()
    filters = form.filters() if valid else {}
    projects = browse.apply_filters(Project.objects.filter(chapter=chapter), filters)
    page = Paginator(projects.for_listing().order_by("name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    names = ("area", "technology", "institution", "status")
    params = {name: request.GET[name] for name in names if valid and request.GET.get(name)}
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "facets": browse.facets(chapter, filters),
        "link": query_links(params),
        "can_create": services.is_member(request.user, chapter) or request.user.is_superuser,
    }
    status = 200 if valid else 400
    return render_in_chapter_zone(request, chapter, "projects/list.html", context, status)


@require_GET
def project_detail(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    project = project_or_404(slug, project)
    people = Prefetch("contributors", Contributor.objects.select_related("user__profile"))
    prefetch_related_objects([project], people, "technologies", "focus_areas")
    contributors = list(project.contributors.all())
    editor = services.can_edit(request.user, project)
    context = {
        "project": project,
        "contributors": contributors,
        "visible": services.visible_profile_ids(request.user, [c.user for c in contributors]),
        "talks": project.talks.select_related("meeting").order_by("-meeting__start", "pk"),
        "threads": threads_of(project, request.user),
        "can_edit": editor,
        "can_delete": request.user.is_superuser or is_organizer(request.user, project.chapter),
        "talk_form": TalkLinkForm(project=project) if editor else None,
        "citation": metadata.citation_meta(project),
    }
    return render_in_chapter_zone(request, project.chapter, "projects/detail.html", context)


def threads_of(project: Project, viewer) -> list:
    """The project's threads in its chapter's forum that the forum would show `viewer`."""
    chapter = project.chapter
    if not forum_services.can_read(viewer, chapter, forum_services.settings_for(chapter)):
        return []
    threads = project.threads.listed().filter(chapter=chapter).select_related("chapter")
    return list(threads[:THREADS_SHOWN])


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    services.require_member(request.user, chapter)
    return project_editor(request, chapter, None)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    project = project_or_404(slug, project)
    services.require_editor(request.user, project)
    return project_editor(request, project.chapter, project)


def project_editor(request, chapter: Chapter, project: Project | None) -> HttpResponse:
    form = ProjectForm(request.POST or None, instance=project, chapter=chapter)
    if form.is_valid():
        try:
            if project is None:
                saved = services.create_project(request.user, chapter, form.project_fields())
                messages.success(request, _("The project is added."))
            else:
                saved = services.update_project(request.user, project, form.project_fields())
                messages.success(request, _("The project is saved."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(saved)
    context = {"form": form, "project": project}
    status = 400 if form.errors else 200
    return render_in_chapter_zone(request, chapter, "projects/form.html", context, status)


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    project = project_or_404(slug, project)
    require_organizer(request.user, project.chapter)
    if request.method == "POST":
        services.delete_project(request.user, project)
        messages.success(request, _("The project %(name)s is deleted.") % {"name": project.name})
        return redirect("projects:list", project.chapter.slug)
    return render_in_chapter_zone(
        request, project.chapter, "projects/delete.html", {"project": project}
    )


@login_required
@require_http_methods(["GET", "POST"])
def contributors(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    """Editors credit members of the chapter on the project, change their roles or remove them."""
    project = project_or_404(slug, project)
    services.require_editor(request.user, project)
    form = ContributorForm(request.POST or None, chapter=project.chapter)
    if request.method == "POST" and "remove" in request.POST:
        return remove_contributor(request, project)
    if form.is_valid():
        try:
            data = form.cleaned_data
            services.add_contributor(request.user, project, data["user"], data["role"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The contributors are saved."))
            return redirect("projects:contributors", project.chapter.slug, project.slug)
    context = {
        "project": project,
        "form": form,
        "contributors": project.contributors.select_related("user__profile"),
    }
    status = 400 if form.errors else 200
    return render_in_chapter_zone(
        request, project.chapter, "projects/contributors.html", context, status
    )


def remove_contributor(request: HttpRequest, project: Project) -> HttpResponse:
    chosen = request.POST["remove"]
    found = project.contributors.filter(user_id=chosen) if chosen.isdigit() else None
    user = User.objects.filter(projects__in=found).first() if found is not None else None
    try:
        if user is None:
            raise ValidationError(_("Choose a contributor to remove."))
        services.remove_contributor(request.user, project, user)
        messages.success(request, _("%(name)s is no longer credited.") % {"name": user})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("projects:contributors", project.chapter.slug, project.slug)


@login_required
@require_POST
def talks(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    """Editors link a talk from the chapter's meetings to the project, or unlink one."""
    project = project_or_404(slug, project)
    services.require_editor(request.user, project)
    if "unlink" in request.POST:
        unlink = request.POST["unlink"]
        talk = project.talks.filter(pk=unlink).first() if unlink.isdigit() else None
        if talk is not None:
            services.unlink_talk(request.user, project, talk)
            messages.success(request, _("The talk is no longer linked."))
        return redirect(project)
    form = TalkLinkForm(request.POST, project=project)
    if form.is_valid():
        services.link_talk(request.user, project, form.cleaned_data["talk"])
        messages.success(request, _("The talk is linked to the project."))
        return redirect(project)
    context = {"project": project, "form": form}
    return render_in_chapter_zone(request, project.chapter, "projects/talk_form.html", context, 400)


@require_GET
def technologies(request: HttpRequest, slug: str) -> HttpResponse:
    """Which systems the chapter's members run, by projects and by institutions."""
    chapter = chapter_or_404(slug)
    order = tally_order(request)
    context = {
        "tally": browse.technology_tally(Project.objects.filter(chapter=chapter), order),
        "order": order,
    }
    return render_in_chapter_zone(request, chapter, "projects/technologies.html", context)


@require_GET
def all_technologies(request: HttpRequest) -> HttpResponse:
    """The same across every chapter of this site, with links to each chapter's projects."""
    order = tally_order(request)
    tally = browse.technology_tally(Project.objects.all(), order)
    context = {"tally": tally, "order": order, "chapters": browse.chapters_using(tally)}
    return render(request, "projects/all_technologies.html", context)


def tally_order(request: HttpRequest) -> str:
    return "institutions" if request.GET.get("order") == "institutions" else "projects"
