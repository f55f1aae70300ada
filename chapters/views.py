"""Chapter pages: the directory, a chapter's page, its members, joining and contacting."""

from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chapterhouse.ratelimit import RateLimited, client_address, mark_refused
from chapters import services as chapter_services
from chapters.forms import ChapterForm, MemberActionForm
from chapters.models import Chapter, chapter_by_slug
from meetings.models import Meeting, Venue
from meetings.services import announcements_on
from members import services
from members.forms import ContactForm
from members.models import (
    JobRole,
    Membership,
    Role,
    RoleChange,
    directory_entries_of,
    membership_in,
)
from stories.models import Story
from stories.permissions import writable_kinds

LATEST_STORIES = 5
UPCOMING = 3
DIRECTORY_PAGE = 50
LAST_PAGE = 100_000  # a larger page number is read as the first page


def chapter_or_404(slug: str) -> Chapter:
    chapter = chapter_by_slug.first(slug=slug)
    if chapter is None:
        raise Http404(_("No chapter has this short name."))
    return chapter


def page_number(value: str | None) -> int:
    """A page number from the address: 1 for anything that is not one."""
    if value is None or not value.isascii() or not value.isdigit():
        return 1
    number = int(value)
    return number if 1 <= number <= LAST_PAGE else 1


def render_in_chapter_zone(request, chapter: Chapter, template: str, context: dict, status=200):
    """Render a chapter's page with dates and times in the chapter's own time zone."""
    with timezone.override(chapter.time_zone):
        return render(request, template, {"chapter": chapter, **context}, status=status)


def membership_of(request: HttpRequest, chapter: Chapter) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    return membership_in.first(chapter=chapter.pk, user=request.user.pk)


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """With one chapter, its page; with several, the directory of chapters."""
    chapters = list(Chapter.objects.with_member_count()[:2])
    if len(chapters) == 1:
        return chapter_page(request, chapters[0])
    return chapter_list(request)


@require_http_methods(["GET"])
def chapter_list(request: HttpRequest) -> HttpResponse:
    chapters = Chapter.objects.with_member_count().prefetch_related("focus_areas")
    return render(request, "chapters/list.html", {"chapters": chapters})


@require_http_methods(["GET"])
def chapter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return chapter_page(request, chapter_or_404(slug))


def hosts_of(chapter: Chapter) -> list:
    """Institutions that have hosted, with their last and next meeting: the host rotation."""
    return list(
        Venue.objects.filter(chapter=chapter, meetings__status=Meeting.Status.SCHEDULED)
        .values("host")
        .annotate(last=Max("meetings__start"), count=Count("meetings"))
        .order_by("-last")[:10]
    )


def chapter_page(request: HttpRequest, chapter: Chapter) -> HttpResponse:
    membership = membership_of(request, chapter)
    active = chapter.memberships.active()
    role_counts = dict(
        active.exclude(user__profile__job_role="")
        .values_list("user__profile__job_role")
        .annotate(count=Count("pk"))
    )
    context = {
        "chapter": chapter,
        "membership": membership,
        "organizers": chapter.memberships.organizers(),
        "member_count": active.count(),
        "job_roles": [
            (label, role_counts[value]) for value, label in JobRole.choices if value in role_counts
        ],
        "focus_areas": chapter.focus_areas.all(),
        "links": chapter.links.all(),
        "upcoming_meetings": Meeting.objects.filter(chapter=chapter).upcoming().listed()[:UPCOMING],
        "hosts": hosts_of(chapter),
        "latest_stories": Story.objects.filter(chapter=chapter)
        .published()
        .select_related("chapter")[:LATEST_STORIES],
        "can_write": bool(writable_kinds(request.user, chapter)),
        "announcements": membership is not None and announcements_on(request.user, chapter),
    }
    return render_in_chapter_zone(request, chapter, "chapters/detail.html", context)


class Labels(dict):
    """Choice labels by value, read-only by convention; "" for a value with none."""

    def __missing__(self, key) -> str:
        return ""


@cache
def job_role_labels(language: str | None) -> Labels:
    """Job roles' labels in `language`, translated once a process."""
    with override(language):
        return Labels((value, str(label)) for value, label in JobRole.choices)


@require_http_methods(["GET"])
def member_directory(request: HttpRequest, slug: str) -> HttpResponse:
    """The chapter's members who chose to be listed; for members of the chapter only.

    Fifty rows and more: the rows are plain tuples and the template calls no
    function in its loop (docs/performance.md, "Load").
    """
    chapter = chapter_or_404(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    membership = membership_of(request, chapter)
    if membership is None and not request.user.is_staff:
        return render(request, "chapters/members_only.html", {"chapter": chapter}, status=403)
    number = page_number(request.GET.get("page"))
    start = (number - 1) * DIRECTORY_PAGE
    # One row more than a page says whether there is a next page, without counting them all.
    entries = directory_entries_of.slice(start, start + DIRECTORY_PAGE + 1, chapter=chapter.pk)
    context = {
        "chapter": chapter,
        "entries": entries[:DIRECTORY_PAGE],
        "page_number": number,
        "has_next": len(entries) > DIRECTORY_PAGE,
        "membership": membership,
        "job_roles": job_role_labels(get_language()),
        # One reverse() for the page: each row's profile address is this, its id and "/".
        "profile_prefix": reverse("members:detail", args=[1]).removesuffix("1/"),
        "organizer_role": Role.ORGANIZER,
    }
    return render(request, "chapters/directory.html", context)


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    try:
        services.join_chapter(request.user, chapter)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Welcome to %s!") % chapter.name)
    return redirect(page_in_chapter(request, chapter))


def page_in_chapter(request: HttpRequest, chapter: Chapter) -> str:
    """The chapter's page a join button asks to return to (a meeting, a poll), else its own."""
    own, wanted = chapter.get_absolute_url(), request.POST.get("next", "")
    local = url_has_allowed_host_and_scheme(wanted, allowed_hosts=None)
    return wanted if local and wanted.startswith(own) else own


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    try:
        services.leave_chapter(request.user, chapter)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("You have left %s.") % chapter.name)
    return redirect(chapter)


def organizer_chapter_or_403(request: HttpRequest, slug: str) -> Chapter:
    chapter = chapter_or_404(slug)
    services.require_organizer(request.user, chapter)
    return chapter


@login_required
@require_http_methods(["GET", "POST"])
def manage_members(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = organizer_chapter_or_403(request, slug)
    form = MemberActionForm(chapter, request.POST or None)
    if form.is_valid():
        membership, action = form.cleaned_data["membership"], form.cleaned_data["action"]
        try:
            if action == "remove":
                services.remove_member(request.user, membership)
            else:
                role = Role.ORGANIZER if action == "promote" else Role.MEMBER
                services.change_role(request.user, membership, role)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Done: %s.") % membership.user.display_name)
            return redirect("chapters:manage_members", chapter.slug)
    context = {
        "chapter": chapter,
        "form": form,
        "memberships": chapter.memberships.active()
        .select_related("user__profile")
        .order_by("-role", "user__profile__display_name"),
        "history": RoleChange.objects.filter(chapter=chapter).select_related(
            "member__profile", "actor__profile"
        )[:50],
    }
    return render(
        request, "chapters/manage_members.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    user = request.user
    initial = {"name": user.display_name, "email": user.email} if user.is_authenticated else {}
    form = ContactForm(request.POST or None, initial=initial)
    if form.is_valid():
        address = client_address(request)
        try:
            services.contact_organizers(chapter, sender=user, address=address, **form.cleaned_data)
        except RateLimited as refusal:
            form.add_error(None, refusal.message)
            page = render(request, "chapters/contact.html", {"chapter": chapter, "form": form})
            return mark_refused(page, refusal)
        messages.success(request, _("Your message is on its way to the organizers."))
        return redirect(chapter)
    status = 400 if form.errors else 200
    return render(
        request, "chapters/contact.html", {"chapter": chapter, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_chapter(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = organizer_chapter_or_403(request, slug)
    form = ChapterForm(request.POST or None, instance=chapter)
    if form.is_valid():
        data = dict(form.cleaned_data)
        focus_areas, links = data.pop("focus_areas"), data.pop("links")
        chapter_services.update_chapter(chapter, data, focus_areas, links)
        messages.success(request, _("The chapter's settings are saved."))
        return redirect(chapter)
    status = 400 if form.errors else 200
    return render(request, "chapters/edit.html", {"chapter": chapter, "form": form}, status=status)
