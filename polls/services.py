"""Writes for polls: creating and changing them, ballots, closing, and a date poll's meeting.

A ballot is one row per member and poll (a unique constraint), re-read under a row lock
before its marks are replaced, so two submits at once leave one ballot with one set of marks.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapters.models import Chapter
from meetings.models import Meeting
from meetings.services import create_meeting
from members.models import User
from members.services import is_member as chapter_member
from members.services import require_organizer
from polls import counting
from polls.models import Ballot, Choice, Option, Poll

MAX_OPTIONS = 50


@dataclass(frozen=True)
class OptionText:
    """An option as an organizer wrote it; date polls also carry its start time."""

    label: str
    starts_at: dt.datetime | None = None


def is_member(user: User, chapter: Chapter) -> bool:
    """Whether the user belongs to the chapter (site administrators count as members)."""
    return user.is_authenticated and (user.is_superuser or chapter_member(user, chapter))


def check_options(kind: str, options: list[OptionText]) -> None:
    """Refuse option lists no poll can work with: too few, too many, repeated, undated."""
    if len(options) < 2:
        raise ValidationError(_("Give at least two options, one per line."), code="too_few")
    if len(options) > MAX_OPTIONS:
        raise ValidationError(
            _("Give at most %(count)d options.") % {"count": MAX_OPTIONS}, code="too_many"
        )
    keys = [option.starts_at or option.label.casefold() for option in options]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("Each option may be given only once."), code="duplicate")
    if kind == Poll.Kind.DATE and any(option.starts_at is None for option in options):
        raise ValidationError(_("Each option of a date poll needs a date and time."), code="date")


def current_options(poll: Poll) -> list[OptionText]:
    return [OptionText(o.label, o.starts_at) for o in poll.options.order_by("position")]


def replace_options(poll: Poll, options: list[OptionText]) -> None:
    poll.options.all().delete()
    Option.objects.bulk_create(
        Option(poll=poll, position=position, label=option.label, starts_at=option.starts_at)
        for position, option in enumerate(options, start=1)
    )


@transaction.atomic
def create_poll(actor: User, chapter: Chapter, fields: dict, options: list[OptionText]) -> Poll:
    """Publish a poll with its options."""
    require_organizer(actor, chapter)
    poll = Poll(chapter=chapter, created_by=actor, **fields)
    check_options(poll.kind, options)
    poll.full_clean()
    poll.save()
    replace_options(poll, options)
    return poll


@transaction.atomic
def update_poll(actor: User, poll: Poll, fields: dict, options: list[OptionText]) -> Poll:
    """Change a poll; its kind and options are fixed once someone has voted."""
    require_organizer(actor, poll.chapter)
    locked = Poll.objects.select_for_update().get(pk=poll.pk)
    new_options = options != current_options(locked)
    if locked.ballots.exists() and (new_options or fields.get("kind", locked.kind) != locked.kind):
        raise ValidationError(
            _("People have voted: the kind of poll and its options can no longer change."),
            code="voted",
        )
    for name, value in fields.items():
        setattr(locked, name, value)
    check_options(locked.kind, options)
    locked.updated = timezone.now()
    locked.full_clean()
    locked.save()
    if new_options:
        replace_options(locked, options)
    return locked


@transaction.atomic
def close_poll(actor: User, poll: Poll) -> Poll:
    """Close a poll now; closing a closed poll changes nothing."""
    require_organizer(actor, poll.chapter)
    locked = Poll.objects.select_for_update().get(pk=poll.pk)
    now = timezone.now()
    if locked.is_closed(now):
        return locked
    if not locked.has_opened(now):
        raise ValidationError(
            _("This poll has not opened yet: change its opening time instead."), code="not_open"
        )
    locked.closes_at = locked.updated = now
    locked.save(update_fields=["closes_at", "updated"])
    return locked


def check_marks(poll: Poll, option_ids: list[int], marks: dict[int, int]) -> dict[int, int]:
    """The ballot's marks, checked against the poll's kind; ranks renumbered 1, 2, 3…"""
    if not marks or not set(marks) <= set(option_ids):
        raise ValidationError(_("Choose among this poll's options."), code="unknown_option")
    values = list(marks.values())
    if poll.kind == Poll.Kind.SINGLE and (len(marks) != 1 or values != [1]):
        raise ValidationError(_("Choose exactly one option."), code="single")
    if poll.kind == Poll.Kind.APPROVAL and set(values) != {1}:
        raise ValidationError(_("Tick the options you approve of."), code="approval")
    if poll.kind == Poll.Kind.RANKED:
        if len(set(values)) != len(values) or min(values) < 1:
            raise ValidationError(_("Give each rank to one option only."), code="duplicate_rank")
        ranked = sorted(marks, key=marks.get)
        return {option: rank for rank, option in enumerate(ranked, start=1)}
    if poll.kind == Poll.Kind.DATE:
        allowed = {counting.YES, counting.MAYBE, counting.NO}
        if set(marks) != set(option_ids) or not set(values) <= allowed:
            raise ValidationError(_("Answer yes, if need be or no for every date."), code="date")
    return marks


@transaction.atomic
def cast_ballot(poll: Poll, user: User, marks: dict[int, int]) -> Ballot:
    """Vote, or change your vote, while the poll is open; one ballot per member."""
    poll = Poll.objects.select_related("chapter").get(pk=poll.pk)
    if not is_member(user, poll.chapter):
        raise PermissionDenied(_("Only members of the chapter can vote."))
    if not poll.is_open():
        raise ValidationError(_("This poll is not open for voting."), code="closed")
    marks = check_marks(poll, list(poll.options.values_list("pk", flat=True)), marks)
    ballot, created = Ballot.objects.get_or_create(poll=poll, user=user)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if not created:
        ballot.choices.all().delete()
        ballot.updated = timezone.now()
        ballot.save(update_fields=["updated"])
    Choice.objects.bulk_create(
        Choice(ballot=ballot, option_id=option, value=value) for option, value in marks.items()
    )
    return ballot


def marks_of(poll: Poll, user: User) -> dict[int, int]:
    """The user's current marks on the poll, by option id (empty if they have not voted)."""
    if not user.is_authenticated:
        return {}
    choices = Choice.objects.filter(ballot__poll=poll, ballot__user=user)
    return dict(choices.values_list("option_id", "value"))


@transaction.atomic
def schedule_meeting(actor: User, poll: Poll, option: Option | None = None) -> Meeting:
    """Make the date poll's winning date a meeting, once; an open poll closes with it."""
    require_organizer(actor, poll.chapter)
    locked = Poll.objects.select_for_update().select_related("chapter").get(pk=poll.pk)
    if locked.meeting_id:
        return locked.meeting
    if locked.kind != Poll.Kind.DATE:
        raise ValidationError(_("Only a date poll can become a meeting."), code="not_date")
    option = option or best_option(locked)
    if option is None or option.poll_id != locked.pk:
        raise ValidationError(_("Nobody can come on any of these dates yet."), code="no_date")
    fields = {
        "title": locked.question,
        "description": locked.description,
        "start": option.starts_at,
        "end": option.starts_at + dt.timedelta(minutes=locked.duration_minutes),
    }
    meeting = create_meeting(actor, locked.chapter, fields)
    locked.meeting = meeting
    locked.updated = timezone.now()
    if not locked.is_closed(locked.updated):
        locked.closes_at = max(locked.updated, locked.opens_at + dt.timedelta(microseconds=1))
    locked.save(update_fields=["meeting", "updated", "closes_at"])
    return meeting


def best_option(poll: Poll) -> Option | None:
    """The date with most yes answers, then most if-need-be answers, then the earliest listed."""
    options = list(poll.options.order_by("position"))
    ballots: dict[int, dict[int, int]] = {}
    for ballot_id, option_id, value in Choice.objects.filter(ballot__poll=poll).values_list(
        "ballot_id", "option_id", "value"
    ):
        ballots.setdefault(ballot_id, {})[option_id] = value
    rows = counting.availability([o.pk for o in options], ballots.values())
    best = counting.best_date(rows)
    return next((o for o in options if o.pk == best), None)
