"""SQLite writers queue on a file lock for the length of each write transaction."""

import fcntl
import os
import threading

import pytest
from django.db import connection, transaction

from chapters.models import Chapter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the write lock is SQLite's"),
]


def lock_is_free() -> bool:
    """True when another open file can take the write lock at once."""
    descriptor = os.open(f"{connection.settings_dict['NAME']}.write-lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)
    return True


def test_a_write_transaction_holds_the_lock_until_commit():
    with transaction.atomic():
        Chapter.objects.create(name="Locked", slug="locked")
        assert not lock_is_free()
    assert lock_is_free()
    assert Chapter.objects.filter(slug="locked").exists()


def test_a_failed_transaction_rolls_back_and_releases_the_lock():
    with pytest.raises(RuntimeError), transaction.atomic():
        Chapter.objects.create(name="Gone", slug="gone")
        raise RuntimeError("stop")
    assert lock_is_free()
    assert not Chapter.objects.filter(slug="gone").exists()


def test_a_second_writer_waits_for_the_first_then_writes():
    order = []
    inside = threading.Event()

    def second_writer():
        try:
            inside.wait()
            with transaction.atomic():
                order.append("second")
                Chapter.objects.create(name="Second", slug="second")
        finally:
            connection.close()

    worker = threading.Thread(target=second_writer)
    worker.start()
    with transaction.atomic():
        Chapter.objects.create(name="First", slug="first")
        inside.set()
        worker.join(timeout=0.3)  # it cannot get in while this transaction is open
        assert worker.is_alive()
        order.append("first")
    worker.join(timeout=10)
    assert order == ["first", "second"]
    assert set(Chapter.objects.values_list("slug", flat=True)) >= {"first", "second"}
