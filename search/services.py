"""Keeping the index in step with the database, and asking it questions for a reader.

Every write that changes what search should find leaves a `PendingChange` row in its own
transaction (see search/signals.py). Once that transaction commits, `sync_index` turns
the waiting keys into documents and applies them to the index in one commit, then deletes
the rows it handled. Rows are cheap to write (one per change, no reads), so bulk loads stay
fast, and the task collapses repeated keys.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task_backends

from chapterhouse.tasks import enqueue_on_commit
from chapters.models import Chapter
from members.models import Membership, User
from search import tasks
from search.documents import PUBLIC, all_documents, documents_for_keys, members_of
from search.engine import Document, Results, get_index
from search.models import PendingChange

BATCH_SIZE = 500
PER_PAGE = 20


def audiences_for(user: User) -> set[str]:
    """Everything a reader may find: the public's, and their chapters' members-only content.

    Site staff may see every chapter, as they do in the admin.
    """
    audiences = {PUBLIC}
    if not user.is_authenticated:
        return audiences
    if user.is_staff or user.is_superuser:
        chapter_ids = Chapter.objects.values_list("pk", flat=True)
    else:
        chapter_ids = (
            Membership.objects.active().filter(user=user).values_list("chapter_id", flat=True)
        )
    audiences.update(members_of(chapter_id) for chapter_id in chapter_ids)
    return audiences


def search(
    user: User, text: str, filters: dict[str, str], page: int = 1, per_page: int = PER_PAGE
) -> Results:
    """One page of what `user` may find for `text`, narrowed by `filters`."""
    return get_index().search(text, audiences_for(user), filters, page=page, per_page=per_page)


def _sync_marker() -> None:
    """Does nothing: its presence among a transaction's commit callbacks means "sync queued"."""


def request_sync() -> None:
    """Queue `sync_index` once per transaction, however many changes the transaction makes."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        if any(callback is _sync_marker for _ids, callback, _robust in connection.run_on_commit):
            return
        transaction.on_commit(_sync_marker)
    enqueue_on_commit(tasks.sync_index)


def request_sync_at(when: datetime) -> None:
    """Queue `sync_index` to run at `when`, where the task queue can wait that long.

    Without such a queue the change still waits in the outbox and goes in with the
    next sync after its time.
    """
    if task_backends[tasks.sync_index.backend].supports_defer:
        enqueue_on_commit(tasks.sync_index.using(run_after=when))


def queue_changes(keys: Iterable[str], not_before: datetime | None = None) -> None:
    """Note that the documents behind `keys` changed; the index catches up after commit.

    With `not_before`, the change is applied only from that time on.
    """
    rows = [PendingChange(key=key, not_before=not_before) for key in dict.fromkeys(keys)]
    if not rows:
        return
    PendingChange.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if not_before is None:
        request_sync()
    else:
        request_sync_at(not_before)


def apply_pending(batch_size: int = BATCH_SIZE) -> int:
    """Apply the oldest waiting changes to the index; returns how many rows were handled.

    Only the rows read here are deleted, and only after the index has committed: a change
    that arrives meanwhile, or a worker that dies halfway, leaves its row for the next run.
    """
    due = PendingChange.objects.filter(Q(not_before=None) | Q(not_before__lte=timezone.now()))
    rows = list(due.order_by("pk").values_list("pk", "key")[:batch_size])
    if not rows:
        return 0
    documents = documents_for_keys(key for _pk, key in rows)
    found = [document for document in documents.values() if document is not None]
    gone = [key for key, document in documents.items() if document is None]
    get_index().apply(found, gone)
    PendingChange.objects.filter(pk__in=[pk for pk, _key in rows]).delete()
    return len(rows)


def sync_all(batch_size: int = BATCH_SIZE) -> int:
    """Apply every waiting change, a batch at a time; returns how many rows were handled."""
    handled = 0
    while True:
        done = apply_pending(batch_size)
        handled += done
        if done < batch_size:
            return handled


def _counted(documents: Iterator[Document], tally: Counter) -> Iterator[Document]:
    for document in documents:
        tally[document.kind] += 1
        yield document


def rebuild_index(on_progress: Callable[[int], None] | None = None) -> Counter:
    """Rebuild the whole index from the database; returns how many documents of each kind.

    Changes already waiting are covered by the rebuild and cleared; changes that arrive
    while it runs, and changes due later, keep their rows and are applied afterwards.
    """
    waiting = PendingChange.objects.filter(not_before=None)
    last_waiting = waiting.order_by("-pk").values_list("pk", flat=True).first()
    tally: Counter = Counter()
    get_index().rebuild(_counted(all_documents(), tally), on_progress)
    if last_waiting is not None:
        waiting.filter(pk__lte=last_waiting).delete()
    return tally
