"""A poll's results as a page shows them, and who may see them; reads only.

Three queries whatever the number of ballots: the options, every mark, and (for date
polls shown to members) the names of those who answered.
"""

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from members.models import User
from polls import counting
from polls.models import Ballot, Choice, Option, Poll
from polls.services import is_member


@dataclass
class RankedRound:
    number: int
    exhausted: int
    eliminated: Option | None


@dataclass
class RankedRow:
    """One option across the rounds: its count in each (None once it is out)."""

    option: Option
    counts: list[int | None]
    eliminated_in: int | None


@dataclass
class Results:
    poll: Poll
    options: list[Option]
    ballot_count: int = 0
    winner: Option | None = None
    tallies: list[counting.Tally] = field(default_factory=list)
    rounds: list[RankedRound] = field(default_factory=list)
    ranked_rows: list[RankedRow] = field(default_factory=list)
    availability: list[counting.Availability] = field(default_factory=list)
    people: list[tuple[str, list[int | None]]] = field(default_factory=list)


def results_refusal(poll: Poll, user: User) -> str:
    """Why the user may not see the results yet, or "" if they may."""
    if poll.hide_results_until_close and not poll.is_closed():
        return _("The results are shown when the poll closes.")
    if poll.results_for == Poll.ResultsFor.MEMBERS and not is_member(user, poll.chapter):
        return _("The results of this poll are for the chapter's members.")
    return ""


def ballots_of(poll: Poll) -> dict[int, dict[int, int]]:
    """Every ballot's marks: {ballot id: {option id: value}}."""
    ballots: dict[int, dict[int, int]] = {}
    marks = Choice.objects.filter(ballot__poll=poll).values_list("ballot_id", "option_id", "value")
    for ballot_id, option_id, value in marks:
        ballots.setdefault(ballot_id, {})[option_id] = value
    return ballots


def count_poll(poll: Poll, with_names: bool = False) -> Results:
    """Count the poll; with_names adds who answered what on a date poll."""
    options = list(poll.options.order_by("position"))
    by_id = {option.pk: option for option in options}
    ballots = ballots_of(poll)
    results = Results(poll=poll, options=options, ballot_count=len(ballots))
    keys = list(by_id)
    if poll.kind == Poll.Kind.RANKED:
        count_ranked(results, keys, by_id, ballots)
    elif poll.kind == Poll.Kind.DATE:
        rows = counting.availability(keys, ballots.values())
        results.winner = by_id.get(counting.best_date(rows))
        results.availability = [replace(row, option=by_id[row.option]) for row in rows]
        if with_names:
            results.people = availability_grid(poll, keys, ballots)
    else:
        tallies = counting.tally(keys, (marks.keys() for marks in ballots.values()))
        results.tallies = [replace(row, option=by_id[row.option]) for row in tallies]
        top = max((row.votes for row in tallies), default=0)
        leaders = [row.option for row in results.tallies if row.votes == top and top]
        results.winner = leaders[0] if len(leaders) == 1 else None
    return results


def count_ranked(results: Results, keys: list, by_id: dict, ballots: dict) -> None:
    preferences = [sorted(marks, key=marks.get) for marks in ballots.values()]
    runoff = counting.instant_runoff(keys, preferences)
    results.winner = by_id.get(runoff.winner)
    out = {
        counted.eliminated: n for n, counted in enumerate(runoff.rounds, 1) if counted.eliminated
    }
    results.rounds = [
        RankedRound(number, counted.exhausted, by_id.get(counted.eliminated))
        for number, counted in enumerate(runoff.rounds, start=1)
    ]
    results.ranked_rows = [
        RankedRow(by_id[key], [counted.counts.get(key) for counted in runoff.rounds], out.get(key))
        for key in keys
    ]


def availability_grid(poll: Poll, keys: list, ballots: dict) -> list[tuple[str, list]]:
    """(name, answers in option order) for each person who answered, by name."""
    names = dict(
        Ballot.objects.filter(poll=poll)
        .select_related("user__profile")
        .values_list("pk", "user__profile__display_name")
    )
    rows = [
        (names.get(pk) or _("Member"), [marks.get(k) for k in keys])
        for pk, marks in ballots.items()
    ]
    return sorted(rows, key=lambda row: row[0].casefold())
