"""Log-in by e-mail address and password, and finding the logged-in member on each request."""

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend

from chapterhouse.prepared import PreparedQuery
from chapterhouse.ratelimit import client_address
from members import lockout
from members.models import User

# The account with its profile (every page header shows the display name), compiled once.
ACCOUNT = PreparedQuery(lambda id: User.objects.select_related("profile").filter(pk=id), id=int)


class AccountBackend(ModelBackend):
    """Django's model backend with the log-in lockout; the account behind a session is read
    with its profile in one query compiled once.

    Every log-in form (ours and the admin's) comes through `authenticate`, so the
    lockout holds for all of them; our log-in form checks it first as well, to say
    until when. Every logged-in request looks its account up by primary key, so that
    read skips building a queryset each time.
    """

    def authenticate(self, request, username=None, password=None, **kwargs) -> User | None:
        email = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if email is None or password is None:
            return None
        # Without a request (a script, a test client's login()) there is no client to count.
        address = client_address(request) if request is not None else None
        if lockout.refusal(email, address) is not None:
            return None
        user = super().authenticate(request, username=email, password=password)
        if user is None:
            lockout.record_failure(email, address)
        else:
            lockout.clear(email)
        return user

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)

    def get_user(self, user_id) -> User | None:
        try:
            user = ACCOUNT.first(id=int(user_id))
        except (TypeError, ValueError, OverflowError):
            return None
        return user if user is not None and self.user_can_authenticate(user) else None
