"""Sessions in the database, read with one plain query.

Every request from someone logged in reads their session first, so this read
skips building an ORM query each time. Writing, expiry and clean-up are
Django's own database sessions (`SESSION_ENGINE = "chapterhouse.sessions"`).
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict:
        model = self.model
        connection = connections[router.db_for_read(model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608 - our table name
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
