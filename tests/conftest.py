"""Shared fixtures: a real SMTP server, chapters with people in them, logged-in clients."""

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from tests.browsing import browser, new_page  # noqa: F401 - fixtures for every directory
from tests.factories import ChapterFactory, MembershipFactory, OrganizerFactory, UserFactory

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _search_index():
    """Every test gets a fresh in-memory search index, never the one under var/."""
    from search.engine import SearchIndex, reset_index_for_tests

    reset_index_for_tests(SearchIndex(None))
    yield
    reset_index_for_tests(None)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Run queued tasks at once, unless a test asks for the real queue."""
    settings.TASKS = IMMEDIATE_TASKS
    settings.SITE_URL = "http://testserver"


class Mailbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    @staticmethod
    def body(message: EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost; Django sends to it over the network."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield mailbox
    controller.stop()


@pytest.fixture
def chapter(db):
    return ChapterFactory(name="Code4LibNYC", slug="code4libnyc")


@pytest.fixture
def organizer(chapter):
    return OrganizerFactory(chapter=chapter, user__email="organizer@example.org").user


@pytest.fixture
def member(chapter, organizer):
    return MembershipFactory(chapter=chapter, user__email="member@example.org").user


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.org")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def organizer_client(organizer):
    return client_for(organizer)


@pytest.fixture
def member_client(member):
    return client_for(member)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)


def pytest_sessionfinish(session, exitstatus):
    """Remove the test database's write-lock file (the database itself Django removes)."""
    from pathlib import Path

    from django.conf import settings

    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if test_name:
        Path(f"{test_name}.write-lock").unlink(missing_ok=True)
