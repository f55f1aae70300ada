"""The counting functions, against examples worked by hand."""

from polls.counting import (
    MAYBE,
    NO,
    YES,
    Availability,
    availability,
    best_date,
    instant_runoff,
    tally,
)

TENNESSEE = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]


def tennessee_ballots() -> list[list[str]]:
    """Wikipedia's Tennessee capital example, one ballot per hundred voters."""
    return (
        [["Memphis", "Nashville", "Chattanooga", "Knoxville"]] * 42
        + [["Nashville", "Chattanooga", "Knoxville", "Memphis"]] * 26
        + [["Chattanooga", "Knoxville", "Nashville", "Memphis"]] * 15
        + [["Knoxville", "Chattanooga", "Nashville", "Memphis"]] * 17
    )


def test_tennessee_capital_goes_to_knoxville_in_three_rounds():
    result = instant_runoff(TENNESSEE, tennessee_ballots())
    assert result.winner == "Knoxville"
    assert [r.counts for r in result.rounds] == [
        {"Memphis": 42, "Nashville": 26, "Chattanooga": 15, "Knoxville": 17},
        {"Memphis": 42, "Nashville": 26, "Knoxville": 32},
        {"Memphis": 42, "Knoxville": 58},
    ]
    assert [r.eliminated for r in result.rounds] == ["Chattanooga", "Nashville", None]
    assert all(r.exhausted == 0 for r in result.rounds)


def test_a_majority_of_first_preferences_wins_at_once():
    result = instant_runoff(["A", "B"], [["A"], ["A", "B"], ["B"]])
    assert result.winner == "A" and len(result.rounds) == 1


def test_exhausted_ballots_stop_counting_and_lower_the_majority():
    ballots = [["A"]] * 4 + [["B"]] * 3 + [["C"]] * 2 + [["C", "B"]]
    result = instant_runoff(["A", "B", "C"], ballots)
    # Round 1: A 4, B 3, C 3 → B and C tie; C had no fewer first preferences, so the
    # tie goes against the one listed last: C. Two C ballots are exhausted, one moves to B.
    assert result.rounds[0].counts == {"A": 4, "B": 3, "C": 3}
    assert result.rounds[0].eliminated == "C"
    assert result.rounds[1].counts == {"A": 4, "B": 4}
    assert result.rounds[1].exhausted == 2
    # 4 of 8 continuing is not a majority: A and B tie in every round → B (listed last) goes.
    assert result.rounds[1].eliminated == "B"
    assert result.winner == "A"
    assert result.rounds[2].exhausted == 6 and result.rounds[2].counts == {"A": 4}


def test_a_tie_for_last_is_broken_by_earlier_rounds_before_position():
    ballots = [["A"]] * 5 + [["B"]] * 3 + [["C"]] * 2 + [["D", "C"]] * 2 + [["E", "B"]] * 1
    result = instant_runoff(["A", "B", "C", "D", "E"], ballots)
    # Round 1: E has fewest (1) and goes; its ballot moves to B.
    assert result.rounds[0].eliminated == "E"
    # Round 2: A 5, B 4, C 2, D 2: C and D tie now and in round 1 → D, listed last, goes.
    assert result.rounds[1].counts == {"A": 5, "B": 4, "C": 2, "D": 2}
    assert result.rounds[1].eliminated == "D"
    # Round 3: A 5, B 4, C 4: B and C tie; in round 2 C had fewer (2 < 4) → C goes,
    # although B is listed before it.
    assert result.rounds[2].counts == {"A": 5, "B": 4, "C": 4}
    assert result.rounds[2].eliminated == "C"
    assert result.rounds[3].counts == {"A": 5, "B": 4}
    assert result.rounds[3].exhausted == 4
    assert result.winner == "A"


def test_no_ballots_means_no_winner():
    result = instant_runoff(["A", "B"], [])
    assert result.winner is None and result.rounds[0].counts == {"A": 0, "B": 0}


def test_unknown_and_repeated_options_on_a_ballot_are_ignored():
    result = instant_runoff(["A", "B"], [["X", "B", "B"], ["B"], ["A"]])
    assert result.winner == "B" and result.rounds[0].counts == {"A": 1, "B": 2}


def test_tally_gives_counts_and_shares_of_ballots():
    rows = tally(["A", "B", "C"], [["A", "B"], ["A"], ["A", "C"]])
    assert [(r.option, r.votes, r.percent) for r in rows] == [
        ("A", 3, 100),
        ("B", 1, 33),
        ("C", 1, 33),
    ]
    assert [r.percent for r in tally(["A"], [])] == [0]


def test_best_date_is_most_yes_then_most_if_need_be_then_earliest():
    ballots = [
        {"mon": YES, "tue": YES, "wed": MAYBE},
        {"mon": NO, "tue": MAYBE, "wed": YES},
        {"mon": YES, "tue": NO, "wed": YES},
    ]
    rows = availability(["mon", "tue", "wed"], ballots)
    assert rows == [
        Availability("mon", 2, 0, 1),
        Availability("tue", 1, 1, 1),
        Availability("wed", 2, 1, 0),
    ]
    assert best_date(rows) == "wed"
    assert best_date([Availability("a", 1), Availability("b", 1)]) == "a"
    assert best_date([Availability("a", 0, 0, 3)]) is None
