"""The shared fixed-window rate limit: counts, windows, and no lost or doubled slots."""

import threading

import pytest
from django.db import connections

from chapterhouse import ratelimit
from forum.models import RateLimit

pytestmark = pytest.mark.django_db


def test_allows_up_to_the_limit_then_refuses():
    results = [ratelimit.hit("login:1.2.3.4", 3, 60, now=1000) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert RateLimit.objects.get(key="login:1.2.3.4").count == 3
    assert ratelimit.remaining("login:1.2.3.4", 3, 60, now=1000) == 0


def test_a_new_window_starts_afresh_and_keys_are_separate():
    assert ratelimit.hit("a", 1, 60, now=1000)
    assert not ratelimit.hit("a", 1, 60, now=1019)
    assert ratelimit.hit("b", 1, 60, now=1019)
    assert ratelimit.hit("a", 1, 60, now=1020)  # 1020 starts the next 60-second window
    assert ratelimit.remaining("a", 5, 60, now=1020) == 4


def test_a_zero_limit_refuses_everything_and_writes_nothing():
    assert not ratelimit.hit("rsvp:9", 0, 60)
    assert not RateLimit.objects.exists()


def test_prune_removes_old_windows_only():
    ratelimit.hit("old", 5, 60, now=1000)
    ratelimit.hit("new", 5, 60, now=5000)
    assert ratelimit.prune(600, now=5000) == 1
    assert list(RateLimit.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_never_exceed_the_limit():
    """Threads with their own connections race for 5 slots: exactly 5 win."""
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def attempt():
        try:
            barrier.wait()
            for _ in range(3):
                wins.append(ratelimit.hit("race", 5, 3600, now=7200))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count(True) == 5
    assert RateLimit.objects.get(key="race").count == 5
