"""Meetings, answering them (RSVP) and their talks.

RSVPs go through meetings.services, the same functions the meeting page calls, so seats,
the waitlist and the row lock that keeps two people from taking the last seat all hold.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Query, Router
from ninja.responses import Status

from api.auth import TokenAuth
from api.errors import error_responses, invalid
from api.reading import absolute, chapter_or_404, meeting_or_404, paginate
from api.schemas import (
    ChapterSlug,
    MeetingDetailOut,
    MeetingId,
    MeetingPage,
    MyRsvpOut,
    PageQuery,
    RsvpIn,
    TalkIn,
    TalkOut,
    TalkPage,
)
from meetings import services
from meetings.forms import RsvpForm, TalkForm
from meetings.models import Meeting, Rsvp, Talk
from members.services import is_member, is_organizer

router = Router(tags=["meetings"])


def venue_out(meeting: Meeting) -> dict | None:
    venue = meeting.venue
    if venue is None:
        return None
    return {
        "name": venue.name,
        "host": venue.host,
        "address": venue.address,
        "country": venue.country,
        "directions_url": venue.directions_url,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
        "accessibility_notes": venue.accessibility_notes,
        "access_instructions": venue.access_instructions,
    }


def meeting_out(meeting: Meeting, going: int | None = None) -> dict:
    return {
        "id": meeting.pk,
        "chapter": meeting.chapter.slug,
        "title": meeting.title,
        "start": meeting.start,
        "end": meeting.end,
        "time_zone": meeting.chapter.time_zone,
        "status": meeting.status,
        "format": meeting.format,
        "attendance_mode": meeting.attendance_mode,
        "capacity": meeting.capacity,
        "going": meeting.going_count if going is None else going,
        "venue": venue_out(meeting),
        "url": absolute(meeting.get_absolute_url()),
    }


def rsvp_out(answer: Rsvp) -> dict:
    return {
        "status": answer.status,
        "guests": answer.guests,
        "waitlist_position": services.waitlist_position(answer),
    }


def talk_out(talk: Talk, meeting: Meeting) -> dict:
    talk.meeting = meeting
    accepted = talk.status == Talk.Status.ACCEPTED
    return {
        "id": talk.pk,
        "meeting": meeting.pk,
        "title": talk.title,
        "kind": talk.kind,
        "minutes": talk.minutes,
        "speakers": talk.speakers,
        "abstract": talk.abstract,
        "status": talk.status,
        "starts_at": talk.starts_at,
        "slides_url": talk.slides_url,
        "recording_url": talk.recording_url,
        "licence": talk.licence,
        "url": absolute(talk.get_absolute_url()) if accepted else None,
    }


@router.get(
    "/{slug}/meetings/",
    response={200: MeetingPage, **error_responses(404)},
    url_name="meetings",
)
def meeting_list(
    request: HttpRequest,
    slug: ChapterSlug,
    page: Query[PageQuery],
    when: Literal["upcoming", "past"] = "upcoming",
):
    """The chapter's upcoming meetings (soonest first), or its past ones (latest first)."""
    chapter = chapter_or_404(slug)
    meetings = Meeting.objects.filter(chapter=chapter)
    meetings = meetings.upcoming() if when == "upcoming" else meetings.past()
    return paginate(meetings.listed(), page, meeting_out)


@router.get(
    "/{slug}/meetings/{meeting_id}/",
    response={200: MeetingDetailOut, **error_responses(404)},
    url_name="meeting",
)
def meeting_detail(request: HttpRequest, slug: ChapterSlug, meeting_id: MeetingId):
    """One meeting: seats, the RSVP window, and your own answer if you send a token."""
    meeting = meeting_or_404(slug, meeting_id)
    user = request.auth
    answer = meeting.rsvps.filter(user=user).first() if user.is_authenticated else None
    going = answer is not None and answer.status == Rsvp.Status.GOING
    # As on the meeting's page: the online link is for those going and the organizers.
    sees_link = going or user.is_superuser or is_organizer(user, meeting.chapter)
    return {
        **meeting_out(meeting, services.seats_taken(meeting)),
        "description": meeting.description,
        "guests_allowed": meeting.guests_allowed,
        "rsvp_open": meeting.rsvp_is_open(),
        "waitlisted": meeting.rsvps.filter(status=Rsvp.Status.WAITLISTED).count(),
        "online_url": (meeting.online_url or None) if sees_link else None,
        "my_rsvp": rsvp_out(answer) if answer else None,
    }


@router.get(
    "/{slug}/meetings/{meeting_id}/rsvp/",
    auth=TokenAuth(),
    response={200: MyRsvpOut, **error_responses(404)},
    url_name="rsvp",
)
def my_rsvp(request: HttpRequest, slug: ChapterSlug, meeting_id: MeetingId):
    """Your answer to the meeting, with your place on the waitlist."""
    meeting = meeting_or_404(slug, meeting_id)
    answer = meeting.rsvps.filter(user=request.auth).first()
    if answer is None:
        raise Http404(_("You have not answered this meeting."))
    return rsvp_out(answer)


@router.post(
    "/{slug}/meetings/{meeting_id}/rsvp/",
    auth=TokenAuth(),
    response={200: MyRsvpOut, **error_responses(403, 404, 409, 429, body=True)},
)
def rsvp(
    request: HttpRequest,
    slug: ChapterSlug,
    meeting_id: MeetingId,
    answer: RsvpIn = Body(None),  # noqa: B008 - an empty body means no guests
):
    """Say you are going: a seat if one is free, otherwise the end of the waitlist.

    Sending it again changes the number of guests and keeps your seat or place in line.
    """
    form = RsvpForm({"guests": answer.guests if answer else 0})
    if not form.is_valid():
        raise invalid(form)
    try:
        saved = services.rsvp_at(slug, meeting_id, request.auth, form.cleaned_data["guests"] or 0)
    except Meeting.DoesNotExist:
        raise Http404(_("This chapter has no meeting with this id.")) from None
    return rsvp_out(saved)


@router.delete(
    "/{slug}/meetings/{meeting_id}/rsvp/",
    auth=TokenAuth(),
    response={204: None, **error_responses(404, 429)},
)
def cancel_rsvp(request: HttpRequest, slug: ChapterSlug, meeting_id: MeetingId):
    """Say you are not going; your seats go to the first people waiting."""
    meeting = meeting_or_404(slug, meeting_id)
    services.cancel_rsvp(meeting, request.auth)
    return Status(204, None)


@router.get(
    "/{slug}/meetings/{meeting_id}/talks/",
    response={200: TalkPage, **error_responses(404)},
    url_name="talks",
)
def talk_list(
    request: HttpRequest, slug: ChapterSlug, meeting_id: MeetingId, page: Query[PageQuery]
):
    """The meeting's talks in agenda order: accepted ones for everyone.

    Organizers also see proposed and declined talks; members, the talks they proposed.
    """
    meeting = meeting_or_404(slug, meeting_id)
    user = request.auth
    talks = meeting.talks.order_by("starts_at", "created", "pk")
    if not (user.is_superuser or is_organizer(user, meeting.chapter)):
        shown = Q(status=Talk.Status.ACCEPTED)
        if user.is_authenticated:
            shown |= Q(proposer=user)
        talks = talks.filter(shown)
    return paginate(talks, page, lambda talk: talk_out(talk, meeting))


@router.post(
    "/{slug}/meetings/{meeting_id}/talks/",
    auth=TokenAuth(),
    response={201: TalkOut, **error_responses(403, 404, 429, body=True)},
)
def propose_talk(request: HttpRequest, slug: ChapterSlug, meeting_id: MeetingId, talk: TalkIn):
    """Offer a talk (members of the chapter); the organizers accept or decline it."""
    meeting = meeting_or_404(slug, meeting_id)
    user = request.auth
    if not is_member(user, meeting.chapter):
        raise PermissionDenied(_("Join the chapter to propose a talk."))
    fields = talk.dict()
    fields["speakers"] = fields["speakers"] or user.display_name
    form = TalkForm(fields)
    if not form.is_valid():
        raise invalid(form)
    proposed = services.propose_talk(meeting, user, form.cleaned_data)
    return Status(201, talk_out(proposed, meeting))
