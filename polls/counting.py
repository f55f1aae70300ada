"""Counting ballots: pure functions over option keys, with no database in sight.

Instant-runoff, as counted here:

1. Every ballot counts for its highest-ranked option still in the race.
2. An option with more than half of the ballots still counting (not exhausted) wins.
3. Otherwise the option with the fewest votes this round is eliminated. A tie for fewest
   is broken by the fewest votes in the round before, then the round before that, back to
   the first preferences; if the options are still tied, the one listed last is eliminated.
4. A ballot whose ranked options have all been eliminated is exhausted: it no longer counts,
   and the majority in step 2 is of the ballots that still do.
5. When one option is left, it wins; with no ballot counting at all there is no winner.

Every round keeps its counts, so a results page can show how the winner emerged.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

Key = Hashable


@dataclass
class Round:
    """One round of an instant-runoff count."""

    counts: dict[Key, int]
    exhausted: int
    eliminated: Key | None = None

    @property
    def continuing(self) -> int:
        return sum(self.counts.values())


@dataclass
class RunoffResult:
    rounds: list[Round] = field(default_factory=list)
    winner: Key | None = None


@dataclass
class Tally:
    """Votes for one option and their share of all ballots, in whole percent."""

    option: Key
    votes: int
    percent: int


@dataclass
class Availability:
    """Answers to one date option: yes, if need be, no."""

    option: Key
    yes: int = 0
    maybe: int = 0
    no: int = 0


def instant_runoff(options: Sequence[Key], ballots: Iterable[Sequence[Key]]) -> RunoffResult:
    """Count ranked ballots (each a sequence of options, most preferred first)."""
    ballots = [[choice for choice in ballot if choice in options] for ballot in ballots]
    remaining = list(options)
    result = RunoffResult()
    while remaining:
        current = round_counts(remaining, ballots)
        result.rounds.append(current)
        leader = max(remaining, key=lambda option: current.counts[option])
        if current.continuing == 0:
            return result
        if len(remaining) == 1 or 2 * current.counts[leader] > current.continuing:
            result.winner = leader
            return result
        current.eliminated = to_eliminate(remaining, options, result.rounds)
        remaining.remove(current.eliminated)
    return result


def round_counts(remaining: Sequence[Key], ballots: list[list[Key]]) -> Round:
    counts = dict.fromkeys(remaining, 0)
    exhausted = 0
    for ballot in ballots:
        top = next((choice for choice in ballot if choice in counts), None)
        if top is None:
            exhausted += 1
        else:
            counts[top] += 1
    return Round(counts=counts, exhausted=exhausted)


def to_eliminate(remaining: Sequence[Key], options: Sequence[Key], rounds: list[Round]) -> Key:
    """The weakest option: fewest votes now, then in earlier rounds, then listed last."""

    def weakness(option: Key) -> tuple:
        history = tuple(past.counts[option] for past in reversed(rounds))
        return (*history, -options.index(option))

    return min(remaining, key=weakness)


def tally(options: Sequence[Key], ballots: Iterable[Iterable[Key]]) -> list[Tally]:
    """Single-choice and approval counts, with each option's share of the ballots cast."""
    counts: Counter = Counter()
    total = 0
    for ballot in ballots:
        total += 1
        counts.update(set(ballot))
    return [
        Tally(option, counts[option], round(100 * counts[option] / total) if total else 0)
        for option in options
    ]


YES, MAYBE, NO = 2, 1, 0


def availability(
    options: Sequence[Key], ballots: Iterable[Mapping[Key, int]]
) -> list[Availability]:
    """Yes / if-need-be / no counts per date option; a ballot maps options to YES, MAYBE, NO."""
    answers = {option: Availability(option) for option in options}
    for ballot in ballots:
        for option, value in ballot.items():
            if option in answers:
                row = answers[option]
                if value == YES:
                    row.yes += 1
                elif value == MAYBE:
                    row.maybe += 1
                else:
                    row.no += 1
    return list(answers.values())


def best_date(rows: Sequence[Availability]) -> Key | None:
    """Most yes, then most if-need-be, then the earliest listed; None if nobody can come."""
    best = None
    for row in rows:
        if row.yes + row.maybe and (best is None or (row.yes, row.maybe) > (best.yes, best.maybe)):
            best = row
    return best.option if best else None
