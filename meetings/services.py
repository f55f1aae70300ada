"""Writes for meetings: publishing and changing them, RSVPs and the waitlist, talks, reports.

Every RSVP change locks the meeting's row first (SELECT ... FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions serialize writers), so two people
can never both take the last seat.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task_backends

from chapterhouse import ratelimit
from chapterhouse.models import Unsubscribe
from chapterhouse.tasks import enqueue_on_commit
from chapters.models import Chapter
from meetings import tasks
from meetings.mail import list_key
from meetings.models import AnnouncementAddress, Meeting, Report, Rsvp, Series, Talk, Venue
from meetings.recurrence import occurrences
from members.models import Membership, User
from members.services import is_organizer, require_organizer

SERIES_HORIZON_DAYS = 120
# A change to any of these is news for everyone going, and a new calendar revision.
SCHEDULE_FIELDS = ("start", "end", "venue_id", "online_url", "status")


@transaction.atomic
def publish_meeting(meeting: Meeting, announce: bool = True) -> Meeting:
    """Save a new meeting (capacity defaults to the venue's) and announce it to the chapter."""
    if meeting.capacity is None and meeting.venue_id:
        meeting.capacity = meeting.venue.capacity
    meeting.full_clean()
    meeting.save()
    if announce:
        enqueue_on_commit(tasks.announce_meeting, meeting.pk)
    schedule_reminder(meeting)
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, fields: dict) -> Meeting:
    """Change a meeting; a new time, place or status raises its revision and tells those going."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before = {name: getattr(locked, name) for name in SCHEDULE_FIELDS}
    old_capacity = locked.capacity
    for name, value in fields.items():
        setattr(locked, name, value)
    changed = [name for name in SCHEDULE_FIELDS if getattr(locked, name) != before[name]]
    locked.updated = timezone.now()
    if changed:
        locked.sequence += 1
    locked.full_clean()
    locked.save()
    if locked.capacity != old_capacity:
        promote_from_waitlist(locked)
    if changed:
        enqueue_on_commit(tasks.send_meeting_changed, locked.pk, locked.sequence)
        if "start" in changed:
            schedule_reminder(locked)
    return locked


def cancel_meeting(meeting: Meeting) -> Meeting:
    """Cancel a meeting: it stays listed, marked cancelled, and everyone going is told."""
    return update_meeting(meeting, {"status": Meeting.Status.CANCELLED})


def schedule_reminder(meeting: Meeting) -> None:
    """Queue the 24-hour reminder; a reminder for an old start time finds nothing to do."""
    when = meeting.start - timezone.timedelta(hours=24)
    # A backend that runs tasks at once (no worker) cannot hold a reminder for later.
    if when > timezone.now() and task_backends[tasks.send_reminder.backend].supports_defer:
        reminder = tasks.send_reminder.using(run_after=when)
        enqueue_on_commit(reminder, meeting.pk, meeting.start.isoformat())


def seats_taken(meeting: Meeting, excluding: Rsvp | None = None) -> int:
    going = meeting.rsvps.filter(status=Rsvp.Status.GOING)
    if excluding is not None and excluding.pk:
        going = going.exclude(pk=excluding.pk)
    return going.aggregate(total=Sum("seats", default=0))["total"]


def locked_meetings():
    """Meetings read under a row lock that serializes every RSVP change to one of them."""
    return Meeting.objects.select_for_update(of=("self",)).select_related("chapter")


def lock(meeting: Meeting) -> Meeting:
    """The meeting, re-read under its row lock."""
    return locked_meetings().get(pk=meeting.pk)


# The hot path of a busy meeting: every RSVP runs these two plain queries
# (building them with the ORM cost more than running them). The first finds the
# meeting by its address and locks it; the second, a separate statement so that
# on PostgreSQL it sees every answer committed before the lock was granted, counts.
LOCK_FOR_RSVP = """
SELECT meeting.*, EXISTS (
    SELECT 1 FROM {membership} membership
    WHERE membership.chapter_id = meeting.chapter_id AND membership.user_id = %s
) AS is_member
FROM {meeting} meeting JOIN {chapter} chapter ON chapter.id = meeting.chapter_id
WHERE chapter.slug = %s AND meeting.id = %s
"""
ANSWERS_FOR_RSVP = """
SELECT
    (SELECT id FROM {rsvp} WHERE meeting_id = %s AND user_id = %s),
    (SELECT status FROM {rsvp} WHERE meeting_id = %s AND user_id = %s),
    (SELECT COALESCE(SUM(seats), 0) FROM {rsvp}
     WHERE meeting_id = %s AND status = %s AND user_id <> %s),
    (SELECT COUNT(*) FROM {rsvp} WHERE meeting_id = %s AND status = %s AND user_id <> %s)
"""


def rsvp_sql(template: str, connection) -> str:
    tables = {"meeting": Meeting, "chapter": Chapter, "membership": Membership, "rsvp": Rsvp}
    names = {key: connection.ops.quote_name(model._meta.db_table) for key, model in tables.items()}
    sql = template.format(**names)
    if template is LOCK_FOR_RSVP and connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF meeting"
    return sql


def rsvp(meeting: Meeting, user: User, guests: int = 0) -> Rsvp:
    """Say you are going: a seat if one is free, otherwise the end of the waitlist."""
    return rsvp_at(meeting.chapter.slug, meeting.pk, user, guests)


def rsvp_at(chapter_slug: str, meeting_id: int, user: User, guests: int = 0) -> Rsvp:
    """RSVP by the meeting's address; raises Meeting.DoesNotExist for an unknown one,
    ratelimit.RateLimited past the member's limit on RSVP changes."""
    connection = transaction.get_connection()
    with transaction.atomic():
        # One statement, in this transaction: a refused or failed RSVP leaves no count behind.
        # Before the lock, so the meeting's row is held no longer than it was.
        ratelimit.charge("rsvp:account", user.pk)
        found = Meeting.objects.raw(
            rsvp_sql(LOCK_FOR_RSVP, connection), [user.pk, chapter_slug, meeting_id]
        )
        meeting = next(iter(found), None)
        if meeting is None:
            raise Meeting.DoesNotExist
        if not meeting.is_member:
            raise ValidationError(_("Join the chapter to RSVP."), code="not_member")
        return answer_going(meeting, user, guests)


def answer_going(meeting: Meeting, user: User, guests: int) -> Rsvp:
    """The RSVP itself, inside the transaction that locked the meeting."""
    if not meeting.rsvp_is_open():
        raise ValidationError(_("RSVPs for this meeting are closed."), code="closed")
    if guests > meeting.guests_allowed:
        raise ValidationError(
            _("You can bring at most %(count)d guests.") % {"count": meeting.guests_allowed},
            code="guests",
        )
    with transaction.get_connection().cursor() as cursor:
        mine = [meeting.pk, user.pk]
        others = [
            [meeting.pk, status, user.pk] for status in (Rsvp.Status.GOING, Rsvp.Status.WAITLISTED)
        ]
        cursor.execute(rsvp_sql(ANSWERS_FOR_RSVP, cursor.db), mine * 2 + others[0] + others[1])
        answer_id, status, taken, waiting = cursor.fetchone()
    answer = Rsvp(pk=answer_id, meeting=meeting, user=user, status=status or "")
    was_going, was_waiting = status == Rsvp.Status.GOING, status == Rsvp.Status.WAITLISTED
    answer.guests, answer.seats, answer.updated = guests, 1 + guests, timezone.now()
    fits = meeting.capacity is None or taken + answer.seats <= meeting.capacity
    if was_going and not fits:
        raise ValidationError(
            _("There are not enough free seats for more guests; you keep your seat."),
            code="no_room_for_guests",
        )
    if was_waiting:  # keeps their place in line; the promotion below seats them in turn
        answer.queued_at = Rsvp.objects.values_list("queued_at", flat=True).get(pk=answer_id)
    elif fits and (was_going or not waiting):  # nobody waiting is passed over
        answer.status, answer.queued_at = Rsvp.Status.GOING, None
    else:
        answer.status, answer.queued_at = Rsvp.Status.WAITLISTED, timezone.now()
        answer.position = waiting + 1  # last in line; saves the reader a count
    if answer_id is None:
        answer.save(force_insert=True)
    else:
        answer.save(update_fields=["status", "guests", "seats", "queued_at", "updated"])
    # Fewer guests may free seats, or let this waiting party in.
    changed_party = was_going or was_waiting
    if changed_party and answer.pk in {seated.pk for seated in promote_from_waitlist(meeting)}:
        answer.status, answer.queued_at = Rsvp.Status.GOING, None
    if answer.status != status and not was_waiting:
        enqueue_on_commit(tasks.send_rsvp_confirmation, answer.pk, answer.status)
    return answer


@transaction.atomic
def cancel_rsvp(meeting: Meeting, user: User) -> Rsvp | None:
    """Say you are not going; the seats go to the first people on the waitlist."""
    ratelimit.charge("rsvp:account", user.pk)
    meeting = lock(meeting)
    answer = Rsvp.objects.filter(meeting=meeting, user=user).first()
    if answer is None or answer.status == Rsvp.Status.CANCELLED:
        return answer
    answer.status, answer.queued_at, answer.updated = Rsvp.Status.CANCELLED, None, timezone.now()
    answer.save()
    promote_from_waitlist(meeting)
    return answer


def promote_from_waitlist(meeting: Meeting) -> list[Rsvp]:
    """Give free seats to the waitlist in the order people joined it.

    Strictly first come: if the first party does not fit, nobody behind it jumps the queue.
    Call with the meeting locked.
    """
    if meeting.status != Meeting.Status.SCHEDULED or meeting.end <= timezone.now():
        return []
    waiting = meeting.rsvps.filter(status=Rsvp.Status.WAITLISTED).order_by("queued_at", "pk")
    free = None if meeting.capacity is None else meeting.capacity - seats_taken(meeting)
    if free is not None:
        if free <= 0:
            return []
        # Each party takes a seat at least, so no more than this many can get in: the
        # rest of a long waitlist is not read.
        waiting = waiting[:free]
    promoted = []
    for answer in waiting:
        if free is not None and answer.seats > free:
            break
        answer.status, answer.queued_at, answer.updated = Rsvp.Status.GOING, None, timezone.now()
        answer.save(update_fields=["status", "queued_at", "updated"])
        enqueue_on_commit(tasks.send_promotion, answer.pk)
        promoted.append(answer)
        if free is not None:
            free -= answer.seats
    return promoted


def waitlist_position(answer: Rsvp) -> int | None:
    """1 for the first person on the waitlist; None if not waiting."""
    if answer.status != Rsvp.Status.WAITLISTED:
        return None
    if getattr(answer, "position", None):  # known when the answer was just queued
        return answer.position
    ahead = answer.meeting.rsvps.filter(
        status=Rsvp.Status.WAITLISTED, queued_at__lt=answer.queued_at
    )
    return ahead.count() + 1


@transaction.atomic
def set_capacity(actor: User, meeting: Meeting, capacity: int | None) -> Meeting:
    """Change the number of seats; raising it promotes from the waitlist at once."""
    require_organizer(actor, meeting.chapter)
    return update_meeting(meeting, {"capacity": capacity})


@transaction.atomic
def mark_attendance(actor: User, meeting: Meeting, attended_ids: set[int]) -> int:
    """Record at the door who came, among those going; return how many did."""
    require_organizer(actor, meeting.chapter)
    going = meeting.rsvps.filter(status=Rsvp.Status.GOING)
    going.filter(pk__in=attended_ids).update(attended=True)
    going.exclude(pk__in=attended_ids).update(attended=False)
    return going.filter(attended=True).count()


@transaction.atomic
def propose_talk(meeting: Meeting, proposer: User, fields: dict) -> Talk:
    """A member offers a talk; organizers accept or decline it."""
    if not meeting.chapter.memberships.filter(user=proposer).exists():
        raise ValidationError(_("Join the chapter to propose a talk."), code="not_member")
    ratelimit.charge("talk:account", proposer.pk)
    talk = Talk(meeting=meeting, proposer=proposer, **fields)
    talk.full_clean()
    talk.save()
    return talk


@transaction.atomic
def decide_talk(actor: User, talk: Talk, accept: bool) -> Talk:
    """Accept a talk (it joins the end of the agenda) or decline it."""
    require_organizer(actor, talk.meeting.chapter)
    if accept and talk.status != Talk.Status.ACCEPTED:
        talk.status = Talk.Status.ACCEPTED
        talk.starts_at = talk.starts_at or next_agenda_slot(talk.meeting)
    elif not accept:
        talk.status, talk.starts_at = Talk.Status.DECLINED, None
    talk.save()
    return talk


def next_agenda_slot(meeting: Meeting):
    """When the next talk would start: after the last accepted talk, or at the start."""
    last = (
        meeting.talks.filter(status=Talk.Status.ACCEPTED, starts_at__isnull=False)
        .order_by("-starts_at")
        .first()
    )
    if last is None:
        return meeting.start
    return last.starts_at + timezone.timedelta(minutes=last.minutes)


@transaction.atomic
def schedule_talk(actor: User, talk: Talk, starts_at) -> Talk:
    """Place an accepted talk on the agenda; it must fall within the meeting."""
    require_organizer(actor, talk.meeting.chapter)
    meeting = talk.meeting
    if talk.status != Talk.Status.ACCEPTED:
        raise ValidationError(
            _("Accept the talk before placing it on the agenda."), code="not_accepted"
        )
    if not (meeting.start <= starts_at < meeting.end):
        raise ValidationError(_("Choose a time during the meeting."), code="outside")
    talk.starts_at = starts_at
    talk.save(update_fields=["starts_at"])
    return talk


@transaction.atomic
def save_report(actor: User, meeting: Meeting, fields: dict) -> Report:
    """Write or update a meeting's report; attendance defaults to those marked at the door."""
    require_organizer(actor, meeting.chapter)
    report, _created = Report.objects.get_or_create(meeting=meeting)
    for name, value in fields.items():
        setattr(report, name, value)
    if report.attendance is None:
        marked = meeting.rsvps.filter(attended=True).aggregate(total=Sum("seats", default=0))[
            "total"
        ]
        report.attendance = marked or None
    report.updated = timezone.now()
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def extend_series(series, until=None) -> list[Meeting]:
    """Create the series' meetings up to `until` (120 days ahead by default) that do not exist.

    A meeting skipped (cancelled) or moved keeps its row, so it is never created again.
    """
    now = timezone.now()
    until = until or now + timezone.timedelta(days=SERIES_HORIZON_DAYS)
    length = timezone.timedelta(minutes=series.duration_minutes)
    existing = set(series.meetings.values_list("occurrence", flat=True))
    created = []
    for start in occurrences(series.rule, series.first_start, series.chapter.time_zone, now, until):
        if start in existing:
            continue
        meeting = Meeting(
            chapter=series.chapter, series=series, occurrence=start, title=series.title,
            description=series.description, start=start, end=start + length, venue=series.venue,
            online_url=series.online_url, format=series.format, capacity=series.capacity,
        )  # fmt: skip
        created.append(publish_meeting(meeting, announce=False))
    return created


@transaction.atomic
def create_meeting(
    actor: User, chapter: Chapter, fields: dict, new_venue: Venue | None = None, rule: str = ""
) -> Meeting:
    """Publish a meeting (with a new venue, and as the first of a series if a rule is given)."""
    require_organizer(actor, chapter)
    if new_venue is not None:
        fields["venue"] = add_venue(actor, new_venue)
    meeting = Meeting(chapter=chapter, **fields)
    if rule:
        meeting.series = Series.objects.create(
            chapter=chapter, title=meeting.title, description=meeting.description, rule=rule,
            first_start=meeting.start, venue=meeting.venue, online_url=meeting.online_url,
            duration_minutes=int((meeting.end - meeting.start).total_seconds() // 60),
            format=meeting.format, capacity=meeting.capacity,
        )  # fmt: skip
        meeting.occurrence = meeting.start
    publish_meeting(meeting)
    if rule:
        extend_series(meeting.series)
    return meeting


@transaction.atomic
def add_venue(actor: User, venue: Venue) -> Venue:
    """Save a new venue for the chapter, to be reused by later meetings."""
    require_organizer(actor, venue.chapter)
    venue.full_clean()
    venue.save()
    return venue


def can_edit_talk(user: User, talk: Talk) -> bool:
    """Speakers edit their own talk's materials; organizers edit any."""
    if not user.is_authenticated:
        return False
    return (
        talk.proposer_id == user.pk or user.is_superuser or is_organizer(user, talk.meeting.chapter)
    )


@transaction.atomic
def save_talk_materials(actor: User, talk: Talk, fields: dict, slides_type: str = "") -> Talk:
    """Attach slides (a checked upload), links to slides and a recording, and notes."""
    if not can_edit_talk(actor, talk):
        raise PermissionDenied(_("Only the speaker and the organizers can change this talk."))
    upload, remove = fields.pop("slides", None), fields.pop("remove_slides", False)
    for name, value in fields.items():
        setattr(talk, name, value)
    if remove and not upload:
        talk.slides.delete(save=False)
        talk.slides_type = ""
    elif upload is not None and slides_type:
        talk.slides.delete(save=False)
        talk._slides_type = talk.slides_type = slides_type
        talk.slides.save(upload.name, upload, save=False)
    talk.full_clean()
    talk.save()
    return talk


def announcements_on(user: User, chapter: Chapter) -> bool:
    """Whether the member gets the chapter's new-meeting announcements."""
    left = Unsubscribe.objects.filter(list_key=list_key(chapter))
    return not left.filter(Q(user=user) | Q(email=user.email)).exists()


@transaction.atomic
def set_announcements(user: User, chapter: Chapter, wanted: bool) -> None:
    """Turn the chapter's meeting announcements on or off for a member."""
    key = list_key(chapter)
    if wanted:
        Unsubscribe.objects.filter(list_key=key).filter(Q(user=user) | Q(email=user.email)).delete()
    else:
        Unsubscribe.objects.record(user.email, key)


@transaction.atomic
def add_announcement_address(actor: User, chapter: Chapter, email: str, label: str) -> None:
    """Send each new meeting's announcement to an outside address too (a mailing list)."""
    require_organizer(actor, chapter)
    AnnouncementAddress.objects.get_or_create(
        chapter=chapter, email=email.strip().lower(), defaults={"label": label}
    )


@transaction.atomic
def remove_announcement_address(actor: User, chapter: Chapter, address_id: int) -> None:
    require_organizer(actor, chapter)
    AnnouncementAddress.objects.filter(chapter=chapter, pk=address_id).delete()


@transaction.atomic
def update_venue(actor: User, venue: Venue, fields: dict) -> Venue:
    """Change a venue; its meetings show the new details at once."""
    require_organizer(actor, venue.chapter)
    for name, value in fields.items():
        setattr(venue, name, value)
    venue.full_clean()
    venue.save()
    return venue
