"""Django's SQLite backend, with writers waiting their turn in line instead of polling.

SQLite lets one transaction write at a time. When the write lock is taken,
SQLite's own busy handler sleeps and retries, for up to 100 ms a time, so under
load a waiting writer can keep missing its turn while another process takes the
lock again and again. Here a write transaction first takes an exclusive `flock`
on a file beside the database: waiting writers sleep in the kernel and one is
woken the moment the lock is free. `flock` locks belong to an open file, so
threads of one process queue in the same line as other processes.

Only transactions opened with `BEGIN IMMEDIATE` (every `atomic()` block) take
the lock; single autocommit statements still rely on SQLite's busy timeout.

Closing a connection first runs `PRAGMA optimize`, as SQLite advises: it
refreshes the planner's statistics for tables this connection read through an
index whose statistics are missing or out of date. Without statistics SQLite
guesses that any indexed equality is selective, and drives the member directory
from every membership of the chapter rather than from the few listed profiles
(docs/performance.md, "Load").
"""

import fcntl
import os
import sqlite3

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    write_lock_fd: int | None = None

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode == "IMMEDIATE" and not self.is_in_memory_db():
            self.take_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self.release_write_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self.release_write_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self.release_write_lock()

    def _close(self) -> None:
        try:
            self.refresh_statistics()
            super()._close()
        finally:
            self.release_write_lock()
            if self.write_lock_fd is not None:
                os.close(self.write_lock_fd)
                self.write_lock_fd = None

    def refresh_statistics(self) -> None:
        if self.connection is None or self.in_atomic_block or self.is_in_memory_db():
            return
        try:
            # Bounded work, and no long wait for the write lock on the way out.
            self.connection.execute("PRAGMA busy_timeout = 200")
            self.connection.execute("PRAGMA analysis_limit = 1000")
            self.connection.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass  # statistics are an optimisation; another close will refresh them

    def take_write_lock(self) -> None:
        if self.write_lock_fd is None:
            path = f"{self.settings_dict['NAME']}.write-lock"
            self.write_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.write_lock_fd, fcntl.LOCK_EX)
        self.holds_write_lock = True

    def release_write_lock(self) -> None:
        if getattr(self, "holds_write_lock", False):
            self.holds_write_lock = False
            fcntl.flock(self.write_lock_fd, fcntl.LOCK_UN)
