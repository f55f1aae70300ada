from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from chapterhouse.workers import WorkerIdInUse, requeue_abandoned, worker_locks


class Command(DatabaseWorkerCommand):
    """django_tasks_db's worker, which first runs again what dead workers left running.

    It replaces django_tasks_db's `db_worker` because the chapterhouse app comes
    first in INSTALLED_APPS. See chapterhouse/workers.py.
    """

    help = (
        "Run a database background worker. On start, tasks that workers which died "
        "left running are queued again."
    )

    def handle(self, *args, worker_id: str, backend_name: str, **options) -> None:
        locks = worker_locks()
        try:
            locks.hold(worker_id)
        except WorkerIdInUse:
            raise CommandError(f"another running worker has the worker id {worker_id}") from None
        try:
            requeue_abandoned(locks, backend_name)
            super().handle(*args, worker_id=worker_id, backend_name=backend_name, **options)
        finally:
            locks.close()
