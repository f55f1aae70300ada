"""Crashes under load lose nothing that was promised and do nothing twice.

The site runs as in production: granian, the database task queue with a real
`chapterhouse db_worker`, mail to a real SMTP server, on a database of the test
run's engine (a SQLite file, or a scratch PostgreSQL database). Members RSVP for
a meeting with fewer seats than members, from several threads; the chapter has
followers on another (local, slow) server, so the worker is in the middle of
delivering the meeting to them. Part-way through, the web server and the worker
are killed with SIGKILL, then started again, and the members whose request failed
try again, as people do. Afterwards:

- every RSVP whose POST was answered with success is in the database;
- the meeting is not over capacity, and the seats went to exactly its capacity;
- each member got at most one confirmation, and every one not sent is accounted for;
- every queued task ran once the worker was back, none is left running;
- no delivery is held past its lease: the ones the killed worker had claimed fall
  due again when their lease runs out, and a delivery run is queued for then.
"""

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from federation.delivery import LEASE
from tests.chapterhouse.servers import SESSION_FOR, Site, Visitor, kill, scratch_database

MEMBERS = 60
SEATS = 20
FOLLOWERS = 24
THREADS = 6
KILL_AFTER = 20  # successful RSVPs before the crash
INBOX_DELAY = 20  # seconds the followers' server takes to answer: the crash finds them in flight

SETUP = (
    SESSION_FOR
    + """
import json
from datetime import timedelta
from django.utils import timezone
from chapters.models import Chapter
from federation.models import Follower, RemoteActor
from meetings.models import Meeting
from members.models import Membership, User

chapter = Chapter.objects.create(name="Faults", slug="faults")
for number in range({followers}):
    actor = RemoteActor.objects.create(
        uri=f"http://127.0.0.1:{sink}/actors/{{number}}", inbox=f"http://127.0.0.1:{sink}/inbox/{{number}}"
    )
    Follower.objects.create(chapter=chapter, actor=actor)
sessions = {{}}
for number in range({members}):
    email = f"member{{number}}@example.org"
    user = User.objects.create_user(
        email, None, f"Member {{number}}", email_verified_at=timezone.now()
    )
    Membership.objects.create(chapter=chapter, user=user)
    sessions[email] = session_for(user)
print(json.dumps(sessions))
"""
)

# Publishing the meeting queues its delivery to every follower.
PUBLISH = """
import json
from datetime import timedelta
from django.utils import timezone
from chapters.models import Chapter
from meetings.models import Meeting
start = timezone.now() + timedelta(days=7)
meeting = Meeting.objects.create(
    chapter=Chapter.objects.get(slug="faults"), title="Crash-proof meetup", capacity={seats},
    start=start, end=start + timedelta(hours=2),
)
print(json.dumps(meeting.pk))
"""


class SlowInbox(BaseHTTPRequestHandler):
    """A follower's server: takes its time, then accepts every delivery."""

    arrived: Counter

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.arrived[self.path] += 1
        time.sleep(INBOX_DELAY)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def followers_server():
    SlowInbox.arrived = Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowInbox)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(tmp_path, static_root, smtp_server, settings, followers_server):
    with scratch_database(tmp_path, "faults") as database_url:
        made = Site(
            tmp_path, database_url, static_root,
            EMAIL_URL=f"smtp://{settings.EMAIL_HOST}:{settings.EMAIL_PORT}",
            CHAPTERHOUSE_FEDERATION_ALLOW_PRIVATE_NETWORKS="true",
        )  # fmt: skip
        made.prepare()
        sink = followers_server.server_address[1]
        made.sessions = made.python(SETUP.format(followers=FOLLOWERS, members=MEMBERS, sink=sink))
        try:
            yield made
        finally:
            made.stop()


class Load:
    """Members RSVP from several threads; a failed request is tried again, as people do."""

    def __init__(self, site: Site, sessions: dict[str, str], path: str):
        self.site, self.path = site, path
        self.queue = list(sessions.items())
        self.lock = threading.Lock()
        self.succeeded: list[str] = []
        self.failures = Counter()
        self.deadline = time.monotonic() + 90

    def next_member(self) -> tuple[str, str] | None:
        with self.lock:
            return self.queue.pop() if self.queue else None

    def rsvp(self, email: str, session_key: str) -> None:
        visitor = Visitor(session_key)
        while time.monotonic() < self.deadline:
            try:
                status, headers, _ = visitor.post(self.site.url + self.path, {"answer": "going"})
            except OSError as error:
                self.failures[type(error).__name__] += 1
            else:
                if status == 302 and headers.get("location") == self.path.removesuffix("rsvp/"):
                    with self.lock:
                        self.succeeded.append(email)
                    return
                self.failures[status] += 1
            time.sleep(0.2)

    def run(self) -> None:
        while (member := self.next_member()) is not None:
            self.rsvp(*member)
            time.sleep(0.1)  # paced, so that the crash comes with most members still to answer

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.run) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        return threads


def wait_for(condition, seconds: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(interval)


RESULTS = """
import json
from django.db.models import Sum
from django_tasks_db.models import DBTaskResult
from chapterhouse.models import SentMail
from federation.models import Delivery
from meetings.models import Rsvp
answers = Rsvp.objects.filter(meeting_id={meeting})
print(json.dumps({{
    "answers": dict(answers.values_list("user__email", "status")),
    "seats": answers.filter(status="going").aggregate(seats=Sum("seats"))["seats"],
    "tasks": [[t.task_path, t.status, t.run_after.isoformat()] for t in DBTaskResult.objects.all()],
    "unsent_claims": list(SentMail.objects.unsent().values_list("to", flat=True)),
    "deliveries": [[d.status, d.next_attempt.isoformat()] for d in Delivery.objects.all()],
}}))
"""

UNFINISHED_TASKS = """
import json
from django_tasks_db.models import DBTaskResult
print(json.dumps(DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count()))
"""


def test_killing_the_web_server_and_the_worker_mid_load_loses_nothing(
    site, smtp_server, followers_server
):
    web, worker = site.start_web(), site.start_worker()
    wait_for(lambda: site.python(UNFINISHED_TASKS) == 0, 60, "the worker to index the members")
    meeting = site.python(PUBLISH.format(seats=SEATS))
    wait_for(lambda: SlowInbox.arrived, 30, "the worker to deliver the meeting")
    path = f"/chapters/faults/meetings/{meeting}/rsvp/"
    load = Load(site, site.sessions, path)
    threads = load.start()

    wait_for(lambda: len(load.succeeded) >= KILL_AFTER, 60, f"{KILL_AFTER} RSVPs", 0.02)
    killed_at = datetime.now(UTC)
    kill(web)
    kill(worker)
    time.sleep(0.5)  # requests meanwhile find nobody answering
    site.start_web()
    site.start_worker()
    for thread in threads:
        thread.join(timeout=120)

    assert load.failures, "the crash should have failed some requests"
    assert sorted(load.succeeded) == sorted(site.sessions)
    wait_for(lambda: site.python(UNFINISHED_TASKS) == 0, 60, "the queued tasks to run")
    results = site.python(RESULTS.format(meeting=meeting))

    # Every RSVP answered with success is in the database; the seats are exactly filled.
    assert set(results["answers"]) == set(load.succeeded)
    assert results["seats"] == SEATS
    assert Counter(results["answers"].values()) == {"going": SEATS, "waitlisted": MEMBERS - SEATS}

    # Each member got one confirmation at most; one not received is a claim left unsent.
    confirmations = Counter(
        message["X-Envelope-To"]
        for message in smtp_server.messages
        if "Crash-proof meetup" in message["Subject"]
    )
    assert set(confirmations.values()) == {1}
    assert set(confirmations) | set(results["unsent_claims"]) == set(load.succeeded)

    # Every task ran; none is left running, none failed. The delivery run the crash cut
    # short was queued again by the worker that started next.
    assert "queued again" in site.log("worker")
    statuses = Counter(status for _, status, _ in results["tasks"])
    assert statuses["RUNNING"] == 0 and statuses["FAILED"] == 0
    ready = [(path, run_after) for path, status, run_after in results["tasks"] if status == "READY"]

    # Deliveries the killed worker held fall due when their lease ends, and a run is queued.
    pending = [at for status, at in results["deliveries"] if status == "pending"]
    assert len(results["deliveries"]) == FOLLOWERS
    lease_ends = killed_at + LEASE + timedelta(seconds=5)
    assert all(datetime.fromisoformat(at) <= lease_ends for at in pending)
    if pending:
        earliest = min(datetime.fromisoformat(at) for at in pending)
        runs = [at for path, at in ready if path == "federation.tasks.deliver"]
        assert any(datetime.fromisoformat(at) <= earliest for at in runs), ready
    assert all(p == "federation.tasks.deliver" for p, _ in ready), ready
