"""Two Chapterhouse instances on loopback follow each other and see each other's meetings.

Instance A is this test process (pytest-django's live server, the test database).
Instance B is a second real server (granian) with its own SQLite database and
data folder, driven through `chapterhouse shell`. Both run their background
tasks at once, so a delivery has happened when the request that caused it ends.
"""

import os
import socket
import subprocess
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from federation import following
from federation.models import Follower, Following, RemoteObject
from meetings import services
from tests.factories import ChapterFactory, OrganizerFactory

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Instance:
    """Another Chapterhouse: its own data folder, database and server process."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CHAPTERHOUSE_VAR_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'b.sqlite3'}",
            "CHAPTERHOUSE_SITE_URL": self.url,
            "CHAPTERHOUSE_DEBUG": "true",
            "CHAPTERHOUSE_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "CHAPTERHOUSE_FEDERATION_ALLOW_PRIVATE_NETWORKS": "true",
            "CHAPTERHOUSE_LOG_LEVEL": "WARNING",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.server = None

    def run(self, *arguments: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own command
            [str(BIN / "chapterhouse"), *arguments], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str) -> str:
        return self.run("shell", "--no-imports", "-c", code)

    def start(self) -> None:
        self.run("migrate", "--noinput", "--verbosity", "0")
        self.server = subprocess.Popen(  # noqa: S603 - our own server
            [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", "1", "--blocking-threads", "2",
             "config.wsgi:application"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/chapters/", timeout=2)  # noqa: S310 - loopback
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("instance B did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=15)


SETUP_B = """
from chapters.models import Chapter
from members.models import Membership, Role, User
chapter = Chapter.objects.create(name="Code4Lib Boston", slug="boston")
user = User.objects.create_user("organizer@boston.example", "a long passphrase here", "Bo")
Membership.objects.create(chapter=chapter, user=user, role=Role.ORGANIZER)
"""

FOLLOW_FROM_B = """
from chapters.models import Chapter
from federation.following import follow
chapter = Chapter.objects.get(slug="boston")
followed = follow(chapter, chapter.memberships.get().user, "{handle}")
followed.refresh_from_db()
print(followed.state)
"""

PUBLISH_ON_B = """
from datetime import timedelta
from django.utils import timezone
from chapters.models import Chapter
from meetings import services
chapter = Chapter.objects.get(slug="boston")
start = timezone.now() + timedelta(days=20)
fields = {"title": "Boston hack night", "start": start, "end": start + timedelta(hours=3)}
print(services.create_meeting(chapter.memberships.get().user, chapter, fields, None, "").pk)
"""

REPORT_ON_B = """
from meetings import services
from meetings.models import Meeting
meeting = Meeting.objects.get(pk={pk})
fields = {{"attendance": 23, "notes": "Two **teams**.", "published": True,
          "what_worked": "A whiteboard of open issues"}}
services.save_report(meeting.chapter.memberships.get().user, meeting, fields)
"""

STATE_ON_B = """
from federation.models import Follower, Following, RemoteObject
print(Following.objects.get().state, Follower.objects.count(),
      list(RemoteObject.objects.values_list("name", flat=True)))
"""


@pytest.fixture
def instance_b(tmp_path):
    instance = Instance(tmp_path)
    instance.start()
    instance.python(SETUP_B)
    yield instance
    instance.stop()


def test_two_instances_follow_each_other_and_see_each_others_meetings(
    instance_b, live_server, settings
):
    settings.SITE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["*"]
    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = True
    nyc = ChapterFactory(slug="code4libnyc", name="Code4LibNYC")
    organizer = OrganizerFactory(chapter=nyc).user
    host_a = live_server.url.split("//", 1)[1]

    # A follows B by handle; B accepts at once.
    followed = following.follow(nyc, organizer, f"@boston@127.0.0.1:{instance_b.port}")
    followed.refresh_from_db()
    assert followed.state == Following.State.ACCEPTED

    # B follows A back.
    assert "accepted" in instance_b.python(FOLLOW_FROM_B.format(handle=f"@code4libnyc@{host_a}"))
    assert Follower.objects.filter(chapter=nyc).count() == 1

    # A meeting published on B arrives on A, and shows on A's network page.
    meeting_on_b = instance_b.python(PUBLISH_ON_B).strip()
    remote = RemoteObject.objects.get()
    assert remote.name == "Boston hack night" and remote.kind == RemoteObject.Kind.MEETING
    page = live_server.url + f"/chapters/{nyc.slug}/network/"
    with urllib.request.urlopen(page) as answer:  # noqa: S310 - loopback
        assert "Boston hack night" in answer.read().decode()

    # Its report, published on B, reaches A's playbook with B's chapter named.
    instance_b.python(REPORT_ON_B.format(pk=meeting_on_b))
    with urllib.request.urlopen(live_server.url + "/playbook/") as answer:  # noqa: S310
        playbook = answer.read().decode()
    assert "A whiteboard of open issues" in playbook and "Code4Lib Boston" in playbook
    assert "Two <strong>teams</strong>." in playbook and "<dd>23</dd>" in playbook

    # A meeting published on A arrives on B.
    start = timezone.now() + timedelta(days=12)
    fields = {"title": "NYC linked data night", "start": start, "end": start + timedelta(hours=2)}
    services.create_meeting(organizer, nyc, fields, None, "")
    state = instance_b.python(STATE_ON_B)
    assert state.startswith("accepted 1") and "NYC linked data night" in state
