"""Meeting pages: lists, a meeting with its agenda and RSVP, and the organizers' tools."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chapterhouse import ratelimit
from chapters.models import Chapter
from chapters.views import chapter_or_404, render_in_chapter_zone
from meetings import metadata, services
from meetings.forms import (
    AnnouncementAddressForm,
    CapacityForm,
    MeetingForm,
    ReportForm,
    RsvpForm,
    TalkDecisionForm,
    TalkForm,
    TalkMaterialsForm,
    VenueForm,
)
from meetings.jsonld import meeting_json_ld
from meetings.models import Meeting, Report, Rsvp, Talk, Venue
from members.services import is_organizer, require_organizer


def meeting_or_404(slug: str, pk: int) -> Meeting:
    """The meeting and its chapter in one query."""
    meetings = Meeting.objects.select_related("chapter", "venue")
    return get_object_or_404(meetings, chapter__slug=slug, pk=pk)


@require_GET
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    meetings = Meeting.objects.filter(chapter=chapter).upcoming().listed()
    context = {
        "meetings": meetings,
        "heading": _("Upcoming meetings"),
        "organizer": is_organizer(request.user, chapter),
    }
    return render_in_chapter_zone(request, chapter, "meetings/list.html", context)


@require_GET
def past_meetings(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    meetings = Meeting.objects.filter(chapter=chapter).past().listed()[:200]
    context = {"meetings": meetings, "heading": _("Past meetings"), "organizer": False}
    return render_in_chapter_zone(request, chapter, "meetings/list.html", context)


@require_GET
def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = meeting_or_404(slug, pk)
    chapter = meeting.chapter
    talks = meeting.talks.filter(status=Talk.Status.ACCEPTED).order_by("starts_at", "pk")
    answer = (
        meeting.rsvps.filter(user=request.user).first() if request.user.is_authenticated else None
    )
    report = Report.objects.filter(meeting=meeting, published=True).first()
    # The viewer's own proposals not on the agenda: waiting for the organizers, or declined.
    own_proposals = (
        meeting.talks.filter(proposer=request.user).exclude(status=Talk.Status.ACCEPTED)
        if request.user.is_authenticated
        else Talk.objects.none()
    )
    context = {
        "meeting": meeting,
        "talks": talks,
        "own_proposals": own_proposals.order_by("pk"),
        "answer": answer,
        "position": services.waitlist_position(answer) if answer else None,
        "going": services.seats_taken(meeting),
        "waiting": meeting.rsvps.filter(status=Rsvp.Status.WAITLISTED).count(),
        "is_member": bool(
            request.user.is_authenticated and chapter.memberships.filter(user=request.user).exists()
        ),
        "organizer": is_organizer(request.user, chapter),
        "report": report,
        "json_ld": meeting_json_ld(meeting, talks),
        "rsvp_form": RsvpForm(initial={"guests": answer.guests if answer else 0}),
    }
    return render_in_chapter_zone(request, chapter, "meetings/detail.html", context)


@login_required
@require_POST
def rsvp(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    form = RsvpForm(request.POST)
    try:
        if request.POST.get("answer") == "cancel":
            meeting = meeting_or_404(slug, pk)
            services.cancel_rsvp(meeting, request.user)
            messages.success(request, _("You are no longer going."))
        elif form.is_valid():
            # The hot path under load: one locked read finds and checks the meeting.
            guests = form.cleaned_data["guests"] or 0
            try:
                answer = services.rsvp_at(slug, pk, request.user, guests)
            except Meeting.DoesNotExist:
                raise Http404(_("No such meeting.")) from None
            messages.success(request, rsvp_message(answer))
            return redirect("meetings:detail", slug, pk)  # the meeting's address, without a query
        else:
            meeting = meeting_or_404(slug, pk)
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    except ValidationError as error:
        meeting = meeting_or_404(slug, pk)
        messages.error(request, " ".join(error.messages))
    except ratelimit.RateLimited as refusal:
        back = reverse("meetings:detail", args=[slug, pk])
        return ratelimit.refusal_page(request, refusal, back, _("Back to the meeting"))
    return redirect(meeting)


def rsvp_message(answer: Rsvp) -> str:
    if answer.status == Rsvp.Status.GOING:
        return _("You are going. See you there!")
    position = services.waitlist_position(answer)
    return _("The meeting is full: you are number %(position)d on the waitlist.") % {
        "position": position
    }


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    require_organizer(request.user, chapter)
    return meeting_editor(request, chapter, None)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = meeting_or_404(slug, pk)
    require_organizer(request.user, meeting.chapter)
    return meeting_editor(request, meeting.chapter, meeting)


def meeting_editor(request, chapter: Chapter, meeting: Meeting | None) -> HttpResponse:
    """The form for a new or an existing meeting; times are read in the chapter's zone."""
    with timezone.override(chapter.time_zone):
        form = MeetingForm(request.POST or None, instance=meeting, chapter=chapter)
        if form.is_valid():
            try:
                saved = save_meeting(request, chapter, meeting, form)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(saved)
    context = {"form": form, "meeting": meeting}
    status = 400 if form.errors else 200
    return render_in_chapter_zone(request, chapter, "meetings/form.html", context, status)


def save_meeting(request, chapter: Chapter, meeting: Meeting | None, form: MeetingForm) -> Meeting:
    fields = {name: form.cleaned_data[name] for name in form._meta.fields}
    if meeting is None:
        rule = form.cleaned_data.get("rule", "")
        saved = services.create_meeting(request.user, chapter, fields, form.new_venue(), rule)
        messages.success(request, _("The meeting is published."))
        return saved
    new_venue = form.new_venue()
    if new_venue is not None:
        fields["venue"] = services.add_venue(request.user, new_venue)
    if "cancel_meeting" in request.POST:
        fields["status"] = Meeting.Status.CANCELLED
    saved = services.update_meeting(meeting, fields)
    messages.success(request, _("The meeting is saved; those going are told of any change."))
    return saved


@login_required
@require_http_methods(["GET", "POST"])
def attendees(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Organizers: who is going and waiting, seats, and attendance at the door."""
    meeting = meeting_or_404(slug, pk)
    chapter = meeting.chapter
    require_organizer(request.user, chapter)
    capacity_form = CapacityForm(initial={"capacity": meeting.capacity})
    if request.method == "POST" and "capacity" in request.POST:
        capacity_form = CapacityForm(request.POST)
        if capacity_form.is_valid():
            services.set_capacity(request.user, meeting, capacity_form.cleaned_data["capacity"])
            messages.success(request, _("Seats updated."))
            return redirect("meetings:attendees", chapter.slug, meeting.pk)
    elif request.method == "POST":
        ids = {int(value) for value in request.POST.getlist("attended") if value.isdigit()}
        count = services.mark_attendance(request.user, meeting, ids)
        messages.success(request, _("Attendance saved: %(count)d came.") % {"count": count})
        return redirect("meetings:attendees", chapter.slug, meeting.pk)
    answers = meeting.rsvps.select_related("user__profile")
    context = {
        "meeting": meeting,
        "going": answers.filter(status=Rsvp.Status.GOING).order_by("created", "pk"),
        "waiting": answers.filter(status=Rsvp.Status.WAITLISTED).order_by("queued_at", "pk"),
        "seats": services.seats_taken(meeting),
        "capacity_form": capacity_form,
        "talks": meeting.talks.select_related("proposer__profile").order_by(
            "status", "starts_at", "created"
        ),
        "decision_form": TalkDecisionForm(),
    }
    status = 400 if capacity_form.errors else 200
    return render_in_chapter_zone(request, chapter, "meetings/attendees.html", context, status)


@login_required
@require_GET
def attendees_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = meeting_or_404(slug, pk)
    chapter = meeting.chapter
    require_organizer(request.user, chapter)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-attendees.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["name", "institution", "status", "guests", "waitlist position", "answered", "attended"]
    )
    answers = meeting.rsvps.exclude(status=Rsvp.Status.CANCELLED).select_related("user__profile")
    position = 0
    for answer in answers.order_by("status", "queued_at", "created"):
        position += answer.status == Rsvp.Status.WAITLISTED
        writer.writerow([
            safe_cell(answer.user.display_name), safe_cell(answer.user.institution), answer.status,
            answer.guests, position if answer.status == Rsvp.Status.WAITLISTED else "",
            answer.created.isoformat(), {True: "yes", False: "no"}.get(answer.attended, ""),
        ])  # fmt: skip
    return response


def safe_cell(value: str) -> str:
    """Keep spreadsheets from running a member's name as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_http_methods(["GET", "POST"])
def propose_talk(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = meeting_or_404(slug, pk)
    chapter = meeting.chapter
    initial = {"speakers": request.user.display_name}
    form = TalkForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            services.propose_talk(meeting, request.user, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except ratelimit.RateLimited as refusal:
            form.add_error(None, refusal.message)
            context = {"form": form, "meeting": meeting}
            page = render_in_chapter_zone(request, chapter, "meetings/talk_form.html", context)
            return ratelimit.mark_refused(page, refusal)
        else:
            messages.success(request, _("Thank you! The organizers will let you know."))
            return redirect(meeting)
    status = 400 if form.errors else 200
    return render_in_chapter_zone(
        request, chapter, "meetings/talk_form.html", {"form": form, "meeting": meeting}, status
    )


@require_GET
def talk_detail(request: HttpRequest, slug: str, pk: int, talk: int) -> HttpResponse:
    """One accepted talk with its materials and citation metadata, for reference managers."""
    meeting = meeting_or_404(slug, pk)
    talks = Talk.objects.select_related("proposer__profile")
    talk = get_object_or_404(talks, meeting=meeting, pk=talk, status=Talk.Status.ACCEPTED)
    talk.meeting = meeting
    context = {
        "meeting": meeting,
        "talk": talk,
        "organizer": is_organizer(request.user, meeting.chapter),
        "citation": metadata.citation_meta(talk),
    }
    return render_in_chapter_zone(request, meeting.chapter, "meetings/talk_detail.html", context)


@login_required
@require_POST
def talk_decision(request: HttpRequest, slug: str, pk: int, talk: int) -> HttpResponse:
    meeting = meeting_or_404(slug, pk)
    chapter = meeting.chapter
    require_organizer(request.user, chapter)
    talk = get_object_or_404(Talk, meeting=meeting, pk=talk)
    with timezone.override(chapter.time_zone):
        form = TalkDecisionForm(request.POST)
        valid = form.is_valid()
    try:
        if not valid:
            raise ValidationError(_("Choose accept, decline or a time."))
        decision = form.cleaned_data["decision"]
        if decision == "schedule":
            if not form.cleaned_data["starts_at"]:
                raise ValidationError(_("Give the time the talk starts."))
            services.schedule_talk(request.user, talk, form.cleaned_data["starts_at"])
        else:
            services.decide_talk(request.user, talk, accept=decision == "accept")
        messages.success(request, _("Saved: %(title)s.") % {"title": talk.title})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("meetings:attendees", chapter.slug, meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = meeting_or_404(slug, pk)
    chapter = meeting.chapter
    require_organizer(request.user, chapter)
    instance = Report.objects.filter(meeting=meeting).first()
    form = ReportForm(request.POST or None, instance=instance)
    if form.is_valid():
        services.save_report(request.user, meeting, form.cleaned_data)
        messages.success(request, _("The report is saved."))
        return redirect(meeting)
    status = 400 if form.errors else 200
    return render_in_chapter_zone(
        request, chapter, "meetings/report_form.html", {"form": form, "meeting": meeting}, status
    )


def upcoming_for(chapter: Chapter, limit: int = 3):
    """The chapter's next meetings, for its page."""
    return Meeting.objects.filter(chapter=chapter).upcoming().listed()[:limit]


@login_required
@require_http_methods(["GET", "POST"])
def talk_materials(request: HttpRequest, slug: str, pk: int, talk: int) -> HttpResponse:
    """Speakers and organizers attach slides, links and notes to a talk."""
    meeting = meeting_or_404(slug, pk)
    chapter = meeting.chapter
    talk = get_object_or_404(Talk, meeting=meeting, pk=talk)
    if not services.can_edit_talk(request.user, talk):
        raise PermissionDenied(_("Only the speaker and the organizers can change this talk."))
    form = TalkMaterialsForm(request.POST or None, request.FILES or None, instance=talk)
    if form.is_valid():
        data = dict(form.cleaned_data)
        services.save_talk_materials(request.user, talk, data, getattr(form, "slides_type", ""))
        messages.success(request, _("The talk's materials are saved."))
        return redirect(f"{meeting.get_absolute_url()}#talk-{talk.pk}")
    context = {"form": form, "meeting": meeting, "talk": talk}
    status = 400 if form.errors else 200
    return render_in_chapter_zone(request, chapter, "meetings/talk_materials.html", context, status)


@require_GET
def talk_slides(request: HttpRequest, slug: str, pk: int, talk: int) -> FileResponse:
    """The slides as a download, with the type checked at upload time."""
    meeting = meeting_or_404(slug, pk)
    talk = get_object_or_404(Talk, meeting=meeting, pk=talk, status=Talk.Status.ACCEPTED)
    if not talk.slides:
        raise Http404(_("This talk has no slides."))
    extension = talk.slides.name.rsplit(".", 1)[-1]
    name = f"{slugify(talk.title)[:60] or 'slides'}.{extension}"
    response = FileResponse(talk.slides.open("rb"), as_attachment=True, filename=name)
    response["Content-Type"] = talk.slides_type or "application/octet-stream"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def announcement_addresses(request: HttpRequest, slug: str) -> HttpResponse:
    """Organizers: outside addresses (mailing lists) that get every new meeting's announcement."""
    chapter = chapter_or_404(slug)
    require_organizer(request.user, chapter)
    form = AnnouncementAddressForm(request.POST or None)
    if request.method == "POST" and "remove" in request.POST:
        remove = request.POST["remove"]
        if remove.isdigit():
            services.remove_announcement_address(request.user, chapter, int(remove))
        return redirect("meetings:announcement_addresses", chapter.slug)
    if form.is_valid():
        services.add_announcement_address(
            request.user, chapter, form.cleaned_data["email"], form.cleaned_data["label"]
        )
        messages.success(request, _("Added: new meetings will be announced there too."))
        return redirect("meetings:announcement_addresses", chapter.slug)
    context = {"form": form, "addresses": chapter.announcement_addresses.all()}
    return render_in_chapter_zone(
        request,
        chapter,
        "meetings/announcement_addresses.html",
        context,
        400 if form.errors else 200,
    )


@login_required
@require_POST
def announcements_preference(request: HttpRequest, slug: str) -> HttpResponse:
    """A member turns the chapter's meeting announcements on or off."""
    chapter = chapter_or_404(slug)
    wanted = request.POST.get("announcements") == "on"
    services.set_announcements(request.user, chapter, wanted)
    if wanted:
        messages.success(request, _("You will get an e-mail about each new meeting."))
    else:
        messages.success(request, _("No more e-mail about new meetings from this chapter."))
    return redirect(chapter)


@login_required
@require_GET
def venue_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Organizers: the chapter's venues, with how often each has hosted."""
    chapter = chapter_or_404(slug)
    require_organizer(request.user, chapter)
    venues = Venue.objects.filter(chapter=chapter).annotate(
        meeting_count=Count("meetings"), last_meeting=Max("meetings__start")
    )
    return render_in_chapter_zone(request, chapter, "meetings/venues.html", {"venues": venues})


@login_required
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, slug: str, venue: int | None = None) -> HttpResponse:
    chapter = chapter_or_404(slug)
    require_organizer(request.user, chapter)
    instance = (
        get_object_or_404(Venue, chapter=chapter, pk=venue) if venue else Venue(chapter=chapter)
    )
    form = VenueForm(request.POST or None, instance=instance)
    if form.is_valid():
        if instance.pk:
            services.update_venue(request.user, instance, form.cleaned_data)
        else:
            services.add_venue(request.user, form.save(commit=False))
        messages.success(request, _("The venue is saved."))
        return redirect("meetings:venues", chapter.slug)
    context = {"form": form, "venue": instance}
    return render_in_chapter_zone(
        request, chapter, "meetings/venue_form.html", context, 400 if form.errors else 200
    )
