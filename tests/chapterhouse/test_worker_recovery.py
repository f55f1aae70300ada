"""A worker that starts queues again the tasks that dead workers left running.

The whole story, with real processes killed by SIGKILL, is in test_faults.py; these
tests pin down the rule: whose worker still holds its lock, and what happens to the rest.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from chapterhouse.workers import MAX_CLAIMS, WorkerIdInUse, requeue_abandoned, worker_locks
from members import tasks
from tests.factories import UserFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def queued(database_queue, chapter):
    """A real task in the database queue: the mail a newcomer gets to verify their address."""
    newcomer = UserFactory(email="newcomer@example.org", email_verified_at=None)
    result = tasks.send_verification_email.enqueue(newcomer.pk, chapter.slug)
    return DBTaskResult.objects.get(pk=result.id)


@pytest.fixture
def locks():
    """Two workers' lock registries, as two processes would have them."""
    mine, theirs = worker_locks(), worker_locks()
    yield mine, theirs
    mine.close()
    theirs.close()


def claimed_by(task: DBTaskResult, *worker_ids: str) -> DBTaskResult:
    for worker_id in worker_ids:
        task.claim(worker_id)
    return task


def status_of(task: DBTaskResult) -> str:
    return DBTaskResult.objects.get(pk=task.pk).status


def test_a_task_whose_worker_died_is_queued_again(queued, locks):
    mine, _ = locks
    claimed_by(queued, "worker-that-died")
    assert requeue_abandoned(mine, "default") == (1, 0)
    assert status_of(queued) == "READY"


def test_a_task_whose_worker_lives_is_left_to_it(queued, locks):
    mine, theirs = locks
    theirs.hold("worker-still-running")
    claimed_by(queued, "worker-still-running")
    assert requeue_abandoned(mine, "default") == (0, 0)
    assert status_of(queued) == "RUNNING"
    theirs.close()  # that worker exits (or dies): its lock goes with it
    assert requeue_abandoned(mine, "default") == (1, 0)


def test_a_task_that_keeps_killing_its_worker_is_failed_not_retried(queued, locks):
    mine, _ = locks
    claimed_by(queued, *[f"worker-{number}" for number in range(MAX_CLAIMS)])
    assert requeue_abandoned(mine, "default") == (0, 1)
    failed = DBTaskResult.objects.get(pk=queued.pk)
    assert failed.status == "FAILED" and "died" in failed.traceback


def test_two_live_workers_cannot_share_a_worker_id(locks):
    mine, theirs = locks
    mine.hold("the-same-id")
    with pytest.raises(WorkerIdInUse):
        theirs.hold("the-same-id")


def test_the_worker_command_runs_a_requeued_task(queued, smtp_server):
    claimed_by(queued, "worker-that-died")
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0,
        stdout=io.StringIO(),
    )  # fmt: skip
    assert status_of(queued) == "SUCCESSFUL"
    assert [message["To"] for message in smtp_server.messages] == ["newcomer@example.org"]


def test_the_worker_command_refuses_a_worker_id_in_use(database_queue, locks):
    mine, _ = locks
    mine.hold("busy-id")
    with pytest.raises(CommandError, match="another running worker has the worker id busy-id"):
        call_command("db_worker", "--batch", "--no-reload", "--worker-id", "busy-id")
