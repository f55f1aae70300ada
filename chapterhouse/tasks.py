"""Background work wiring: a task is queued together with the data it is about."""

from functools import partial

from django.db import transaction
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend


def enqueue_on_commit(task_to_run, *args, **kwargs) -> None:
    """Queue a task so that it exists only if the current transaction commits.

    With the database queue the task row is written in the same transaction (it
    commits or rolls back with the data, and needs no second write afterwards);
    with any other backend the task is queued once the transaction has committed.
    """
    if isinstance(task_backends[task_to_run.backend], DatabaseBackend):
        task_to_run.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task_to_run.enqueue, *args, **kwargs))
