"""Sessions and the logged-in account, each read with one plain query on every request."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from chapterhouse.sessions import SessionStore
from members.backends import AccountBackend
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_stored_session_loads_and_an_expired_or_unknown_one_does_not():
    session = SessionStore()
    session["answer"] = 42
    session.create()
    assert SessionStore(session.session_key).load() == {"answer": 42}

    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(session.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("x" * 32).load() == {}


def test_the_backend_finds_active_accounts_only():
    active, inactive = UserFactory(), UserFactory(is_active=False)
    backend = AccountBackend()
    assert backend.get_user(active.pk) == active
    assert backend.get_user(str(active.pk)).email == active.email
    assert backend.get_user(inactive.pk) is None
    for bad in (None, "", "abc", 10**12):
        assert backend.get_user(bad) is None


def test_logging_out_ends_the_session_everywhere(member):
    client = client_for(member)
    assert client.get("/accounts/profile/").status_code == 200
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get("/accounts/profile/").status_code == 302  # back to the log-in page
