"""Tasks that a dead worker left running are run again when a worker starts.

django_tasks_db marks a task RUNNING when a worker claims it, and finished when it
ends. A worker killed in between (SIGKILL, the OOM killer, a power cut) leaves the
task RUNNING for good, and no worker would ever take it again: a delivery run that
was interrupted would never reschedule itself, a mail never go out.

So every worker holds a lock named by its worker id for as long as it lives, one
that the system lets go of when the process dies: an exclusive `flock` on a file
beside the SQLite database (every process of a SQLite site is on one machine), or a
session advisory lock on PostgreSQL (released when the worker's connection drops).
A starting worker looks at the RUNNING tasks; a task whose worker's lock is free
belongs to a dead worker and is made READY again. Tasks are idempotent and mail is
keyed (chapterhouse.models.SentMail), so running one again is safe. A task that has
now been cut short MAX_CLAIMS times is marked failed rather than tried forever.
"""

import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.db import connections, router
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

MAX_CLAIMS = 5
ADVISORY_LOCK_NAMESPACE = 0x43485752  # the first key of every worker's advisory lock


class WorkerIdInUse(Exception):
    """Another live worker already holds this worker id."""


def lock_name(worker_id: str) -> bytes:
    return hashlib.sha256(worker_id.encode()).digest()


class FileLocks:
    """SQLite: one `flock`ed file per live worker, in a folder beside the database."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.held: dict[str, int] = {}

    def path(self, worker_id: str) -> Path:
        return self.folder / f"{lock_name(worker_id).hex()[:32]}.lock"

    def hold(self, worker_id: str) -> None:
        descriptor = os.open(self.path(worker_id), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise WorkerIdInUse(worker_id) from None
        self.held[worker_id] = descriptor

    def is_alive(self, worker_id: str) -> bool:
        if worker_id in self.held:
            return True
        path = self.path(worker_id)
        try:
            descriptor = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        else:
            path.unlink(missing_ok=True)  # its worker is gone
            return False
        finally:
            os.close(descriptor)

    def close(self) -> None:
        for worker_id, descriptor in self.held.items():
            self.path(worker_id).unlink(missing_ok=True)
            os.close(descriptor)
        self.held.clear()
        with contextlib.suppress(OSError):  # other workers' files are still in it
            self.folder.rmdir()


class AdvisoryLocks:
    """PostgreSQL: a session advisory lock per live worker, on a connection of its own
    (Django closes and reopens its connections; this one stays open while the worker lives)."""

    def __init__(self, alias: str):
        wrapper = connections[alias]
        self.connection = wrapper.get_new_connection(wrapper.get_connection_params())
        self.connection.autocommit = True
        self.held: set[str] = set()

    @staticmethod
    def key(worker_id: str) -> int:
        return int.from_bytes(lock_name(worker_id)[:4], "big", signed=True)

    def try_lock(self, worker_id: str) -> bool:
        arguments = [ADVISORY_LOCK_NAMESPACE, self.key(worker_id)]
        row = self.connection.execute("SELECT pg_try_advisory_lock(%s, %s)", arguments).fetchone()
        return bool(row[0])

    def hold(self, worker_id: str) -> None:
        if not self.try_lock(worker_id):
            raise WorkerIdInUse(worker_id)
        self.held.add(worker_id)

    def is_alive(self, worker_id: str) -> bool:
        if worker_id in self.held:
            return True
        if not self.try_lock(worker_id):
            return True
        arguments = [ADVISORY_LOCK_NAMESPACE, self.key(worker_id)]
        self.connection.execute("SELECT pg_advisory_unlock(%s, %s)", arguments)
        return False

    def close(self) -> None:
        self.connection.close()
        self.held.clear()


def worker_locks():
    """The lock registry for the database that holds the task queue."""
    alias = router.db_for_write(DBTaskResult)
    wrapper = connections[alias]
    if wrapper.vendor == "postgresql":
        return AdvisoryLocks(alias)
    name = str(wrapper.settings_dict["NAME"])
    if wrapper.is_in_memory_db():  # one process only: every other worker is gone
        return FileLocks(Path(tempfile.mkdtemp(prefix="chapterhouse-workers-")))
    return FileLocks(Path(f"{name}.workers"))


def requeue_abandoned(locks, backend_name: str) -> tuple[int, int]:
    """Make READY again the tasks whose worker died while running them; (requeued, failed)."""
    requeued = failed = 0
    running = DBTaskResult.objects.running().filter(backend_name=backend_name)
    for task_id, started_at, worker_ids in running.values_list("id", "started_at", "worker_ids"):
        if worker_ids and locks.is_alive(worker_ids[-1]):
            continue
        # Only if no one has requeued and claimed it again meanwhile.
        same = DBTaskResult.objects.filter(
            id=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        if len(worker_ids) >= MAX_CLAIMS:
            failed += same.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="chapterhouse.workers.WorkerDied",
                traceback=f"Its worker died while running it, {len(worker_ids)} times.",
            )
        else:
            requeued += same.update(status=TaskResultStatus.READY)
    if requeued or failed:
        logger.warning(
            "Tasks left running by workers that died: %d queued again, %d marked failed.",
            requeued,
            failed,
        )
    return requeued, failed
