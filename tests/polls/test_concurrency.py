"""Two submits of the same member at once still leave one ballot with one set of marks."""

import threading

import pytest
from django.db import connection

from polls import services
from polls.models import Ballot, Choice
from tests.polls.factories import poll_with_options


@pytest.mark.django_db(transaction=True)
def test_simultaneous_ballots_by_one_member_make_one_ballot(chapter, member):
    poll = poll_with_options(chapter, kind="approval")
    ids = list(poll.options.order_by("position").values_list("pk", flat=True))
    start = threading.Barrier(4)
    errors = []

    def vote(marks):
        try:
            start.wait()
            services.cast_ballot(poll, member, marks)
        except Exception as error:  # a thread cannot raise into the test: kept for the assert
            errors.append(error)
        finally:
            connection.close()

    ballots = [{ids[0]: 1}, {ids[1]: 1, ids[2]: 1}, {ids[0]: 1, ids[2]: 1}, {ids[2]: 1}]
    threads = [threading.Thread(target=vote, args=(marks,)) for marks in ballots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Ballot.objects.count() == 1
    kept = set(Choice.objects.values_list("option_id", flat=True))
    assert kept in [set(marks) for marks in ballots]
