"""Poll pages: the chapter's polls, a poll with its ballot, results, and the organizers' tools."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chapterhouse.views import error_page
from chapters.models import Chapter
from chapters.views import chapter_or_404, render_in_chapter_zone
from members.services import is_organizer, require_organizer
from polls import services
from polls.forms import DATE_ANSWERS, BallotForm, PollForm, ordinal
from polls.models import Option, Poll
from polls.results import count_poll, results_refusal


def poll_or_404(slug: str, pk: int) -> Poll:
    """The poll and its chapter in one query."""
    return get_object_or_404(Poll.objects.select_related("chapter"), chapter__slug=slug, pk=pk)


@require_GET
def poll_list(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    polls = Poll.objects.filter(chapter=chapter).listed()
    now = timezone.now()
    context = {
        "open_polls": polls.open(now),
        "upcoming_polls": polls.upcoming(now),
        "closed_polls": polls.closed(now)[:100],
        "organizer": is_organizer(request.user, chapter),
    }
    return render_in_chapter_zone(request, chapter, "polls/list.html", context)


@require_http_methods(["GET", "POST"])
def poll_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The poll, the viewer's ballot, and (POST) casting or changing it."""
    poll = poll_or_404(slug, pk)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(poll.get_absolute_url())
    member = services.is_member(request.user, poll.chapter)
    if request.method == "POST" and not member:
        raise PermissionDenied(_("Only members of the chapter can vote."))
    options = list(poll.options.order_by("position"))
    current = services.marks_of(poll, request.user)
    data = request.POST if request.method == "POST" else None
    form = BallotForm(data, poll=poll, options=options, current=current)
    if request.method == "POST" and cast(request, poll, form):
        return redirect(poll)
    context = {
        "poll": poll,
        "options": options,
        "form": form,
        "is_member": member,
        "organizer": is_organizer(request.user, poll.chapter),
        "my_ballot": describe_ballot(poll, options, current),
        "results_refusal": results_refusal(poll, request.user),
        "ballot_count": poll.ballots.count(),
    }
    status = 400 if form.errors else 200
    return render_in_chapter_zone(request, poll.chapter, "polls/detail.html", context, status)


def cast(request: HttpRequest, poll: Poll, form: BallotForm) -> bool:
    """Record the ballot; on refusal the form carries the reason."""
    if not poll.is_open():
        form.is_valid()  # binds the data so the refusal is shown above the form
        form.add_error(None, _("This poll is not open for voting."))
        return False
    if not form.is_valid():
        return False
    try:
        services.cast_ballot(poll, request.user, form.marks)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    messages.success(request, _("Your ballot is saved. You can change it until the poll closes."))
    return True


def describe_ballot(poll: Poll, options: list[Option], marks: dict) -> list[tuple[str, str]]:
    """The viewer's ballot as (option, answer) lines, ranked ones in rank order."""
    if not marks:
        return []
    chosen = [option for option in options if option.pk in marks]
    if poll.kind == Poll.Kind.RANKED:
        chosen.sort(key=lambda option: marks[option.pk])
        return [(option.label, ordinal(marks[option.pk])) for option in chosen]
    if poll.kind == Poll.Kind.DATE:
        answers = {int(value): label for value, label in DATE_ANSWERS}
        return [(option.label, answers.get(marks[option.pk], "")) for option in chosen]
    return [(option.label, _("Chosen")) for option in chosen]


@require_GET
def poll_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    poll = poll_or_404(slug, pk)
    refusal = results_refusal(poll, request.user)
    if refusal:
        raise PermissionDenied(refusal)
    member = services.is_member(request.user, poll.chapter)
    context = {
        "poll": poll,
        "results": count_poll(poll, with_names=member),
        "is_member": member,
        "organizer": is_organizer(request.user, poll.chapter),
    }
    return render_in_chapter_zone(request, poll.chapter, "polls/results.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def poll_create(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    require_organizer(request.user, chapter)
    return poll_editor(request, chapter, None)


@login_required
@require_http_methods(["GET", "POST"])
def poll_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    poll = poll_or_404(slug, pk)
    require_organizer(request.user, poll.chapter)
    return poll_editor(request, poll.chapter, poll)


def poll_editor(request: HttpRequest, chapter: Chapter, poll: Poll | None) -> HttpResponse:
    """The form for a new or an existing poll; times are read in the chapter's zone."""
    with timezone.override(chapter.time_zone):
        data = request.POST if request.method == "POST" else None
        form = PollForm(data, instance=poll, chapter=chapter)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form._meta.fields}
            options = form.cleaned_data["options"]
            try:
                if poll is None:
                    saved = services.create_poll(request.user, chapter, fields, options)
                else:
                    saved = services.update_poll(request.user, poll, fields, options)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The poll is saved."))
                return redirect(saved)
    context = {"form": form, "poll": poll}
    status = 400 if form.errors else 200
    return render_in_chapter_zone(request, chapter, "polls/form.html", context, status)


@login_required
@require_POST
def poll_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    poll = poll_or_404(slug, pk)
    try:
        services.close_poll(request.user, poll)
    except ValidationError as error:
        return error_page(request, 400, _("The poll cannot close"), " ".join(error.messages))
    messages.success(request, _("The poll is closed."))
    return redirect(poll)


@login_required
@require_POST
def poll_schedule(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Organizers: make the date poll's winning date (or the date they pick) a meeting."""
    poll = poll_or_404(slug, pk)
    require_organizer(request.user, poll.chapter)
    option = None
    if request.POST.get("option"):
        option = poll.options.filter(pk=as_id(request.POST["option"])).first()
        if option is None:
            return error_page(request, 400, _("No such date"), _("This poll has no such date."))
    try:
        meeting = services.schedule_meeting(request.user, poll, option)
    except ValidationError as error:
        return error_page(request, 400, _("No meeting made"), " ".join(error.messages))
    messages.success(request, _("The meeting is scheduled."))
    return redirect(meeting)


def as_id(value: str) -> int:
    """A positive id from form data, or 0 for anything else (which matches nothing)."""
    return int(value) if value.isdigit() and len(value) < 18 else 0
