"""Background work wiring: tasks are queued only once the transaction that asked commits."""

from functools import partial

from django.db import transaction


def enqueue_on_commit(task_to_run, *args, **kwargs) -> None:
    """Queue a task once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(task_to_run.enqueue, *args, **kwargs))
