"""Log-in by e-mail address and password, and finding the logged-in member on each request."""

from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from members.models import User


class AccountBackend(ModelBackend):
    """Django's model backend; the account behind a session is read with one plain query.

    Every logged-in request looks its account up by primary key, so that read
    skips building an ORM query each time.
    """

    def get_user(self, user_id) -> User | None:
        connection = connections[router.db_for_read(User)]
        table = connection.ops.quote_name(User._meta.db_table)
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        found = User.objects.raw(f"SELECT * FROM {table} WHERE id = %s", [user_id])  # noqa: S608 - our table name
        user = next(iter(found), None)
        return user if user is not None and self.user_can_authenticate(user) else None
