"""Fire 2,000 RSVP POSTs from 64 clients at a 50-seat meeting, beside nginx serving a static page.

Run from the repository root: `.venv/bin/python bench/rsvp_load.py` (or `make bench`).
Needs nginx (Debian: `apt-get install -y nginx`). Everything listens on 127.0.0.1 only.

The real server (granian, 2 workers, 1 blocking thread each, as `make run` starts it;
BENCH_WORKERS and BENCH_THREADS change them)
runs with a fresh SQLite database and production settings (debug off). Each of
2,000 verified members answers "going" once, through their own session and CSRF
token, over 64 keep-alive connections. The reference, loaded by the same
asyncio client in the same run, is nginx serving a saved copy of the meeting
page. Exits non-zero unless exactly 50 seats are taken and 1,950 members are
waitlisted, no answer is a 5xx, Django's requests/s is at least 0.8 % of
nginx's, and Django's 99th-percentile latency is at most 3x its median.
"""

import asyncio
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from processes import free_port, stop, wait_for  # bench/processes.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
NGINX = Path("/usr/sbin/nginx")
HOST = "127.0.0.1"
CLIENTS = 64
MEMBERS = 2_000
SEATS = 50
NGINX_REQUESTS = 40_000  # before Django, and again after
MIN_RATIO_PERCENT = 0.8
MAX_TAIL = 3.0  # p99 / p50
LOAD_TIMEOUT = 120  # seconds, for each phase: the bench always stops by itself


if not NGINX.exists():
    sys.exit(f"nginx is missing ({NGINX}): install it with `apt-get install -y nginx`.")
WORKSPACE = Path(tempfile.mkdtemp(prefix="chapterhouse-rsvp-load-"))
DJANGO_PORT = free_port()
SITE_URL = f"http://{HOST}:{DJANGO_PORT}"
# Production settings; every value that a .env file could also set is set here.
ENVIRONMENT = {
    "CHAPTERHOUSE_VAR_DIR": str(WORKSPACE),
    "DATABASE_URL": f"sqlite:///{WORKSPACE / 'chapterhouse.sqlite3'}",
    "CHAPTERHOUSE_STATIC_ROOT": str(WORKSPACE / "static"),
    "CHAPTERHOUSE_MEDIA_ROOT": str(WORKSPACE / "media"),
    "CHAPTERHOUSE_DEBUG": "false",
    "CHAPTERHOUSE_SECRET_KEY": secrets.token_urlsafe(38)[:50],
    "CHAPTERHOUSE_SITE_URL": SITE_URL,
    "CHAPTERHOUSE_ALLOWED_HOSTS": f"{HOST},localhost",
    "CHAPTERHOUSE_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    "CHAPTERHOUSE_LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
os.environ.update(ENVIRONMENT)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from chapterhouse.sessions import SessionStore  # noqa: E402
from chapters.models import Chapter  # noqa: E402
from meetings.models import Meeting, Rsvp  # noqa: E402
from members.models import Membership, Profile, User  # noqa: E402

NGINX_CONF = """\
worker_processes 2;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/html;
    keepalive_requests 100000;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen {host}:{port};
        root {folder}/site;
        index meeting.html;
    }}
}}
"""


# Setting up: the database, the members and their sessions.


def chapterhouse(*arguments: str) -> None:
    subprocess.run([BIN / "chapterhouse", *arguments], cwd=ROOT, check=True)  # noqa: S603 - ours


@transaction.atomic
def create_meeting_and_members() -> tuple[Meeting, list[User]]:
    """A chapter, a 50-seat meeting next week with RSVP open, and 2,000 verified members."""
    chapter = Chapter.objects.create(name="Load test chapter", slug="load-test")
    start = timezone.now() + timedelta(days=7)
    meeting = Meeting.objects.create(
        chapter=chapter, title="Load test meetup", capacity=SEATS,
        start=start, end=start + timedelta(hours=2),
    )  # fmt: skip
    now, unusable = timezone.now(), make_password(None)
    users = User.objects.bulk_create(
        User(email=f"member{number}@example.org", password=unusable, email_verified_at=now)
        for number in range(MEMBERS)
    )
    Profile.objects.bulk_create(
        Profile(user=user, display_name=f"Member {number}") for number, user in enumerate(users)
    )
    Membership.objects.bulk_create(Membership(chapter=chapter, user=user) for user in users)
    return meeting, users


@transaction.atomic
def log_in(users: list[User]) -> list[str]:
    """A session key per member, as logging in would store it (without hashing passwords)."""
    keys = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def rsvp_request(meeting: Meeting, session_key: str) -> bytes:
    """One member's POST: their session cookie, and a CSRF cookie whose token the form repeats."""
    token = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    body = f"answer=going&csrfmiddlewaretoken={token}".encode()
    path = f"/chapters/{meeting.chapter.slug}/meetings/{meeting.pk}/rsvp/"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}:{DJANGO_PORT}\r\n"
        f"Origin: {SITE_URL}\r\nReferer: {SITE_URL}{meeting.get_absolute_url()}\r\n"
        f"Cookie: {settings.SESSION_COOKIE_NAME}={session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={token}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


# The servers.


def start_granian(log: Path) -> subprocess.Popen:
    command = [
        BIN / "granian", "--interface", "wsgi", "--host", HOST, "--port", str(DJANGO_PORT),
        "--workers", os.environ.get("BENCH_WORKERS", "2"),
        "--blocking-threads", os.environ.get("BENCH_THREADS", "1"), "config.wsgi:application",
    ]  # fmt: skip
    with log.open("wb") as output:
        output_to_log = {"stdout": output, "stderr": subprocess.STDOUT}
        return subprocess.Popen(command, cwd=ROOT, **output_to_log)  # noqa: S603 - our server


def start_nginx(page: bytes) -> tuple[subprocess.Popen, int]:
    """nginx serving `page` from a folder its unprivileged workers can read."""
    folder = WORKSPACE / "nginx"
    (folder / "site").mkdir(parents=True)
    (folder / "site" / "meeting.html").write_bytes(page)
    for path in (WORKSPACE, folder, folder / "site", folder / "site" / "meeting.html"):
        path.chmod(0o755)
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(folder=folder, host=HOST, port=port))
    command = [NGINX, "-c", conf, "-p", folder, "-e", folder / "error.log"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    return subprocess.Popen(command, **quiet), port  # noqa: S603 - fixed arguments


# The load generator: one asyncio client per connection, keep-alive HTTP/1.1.


@dataclass
class Load:
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    body_bytes: Counter = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1]


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> int:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        size = 0
        while chunk := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            size += len(await reader.readexactly(chunk + 2)) - 2
        await reader.readuntil(b"\r\n")  # the empty line after the last chunk
        return size
    return len(await reader.readexactly(int(headers.get("content-length", "0"))))


async def exchange(reader, writer, request: bytes, load: Load) -> bool:
    """Send one request and read its whole answer (redirects are not followed); True: keep-alive."""
    started = time.perf_counter()
    writer.write(request)
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in head[1:] if ": " in line)
    load.body_bytes[await read_body(reader, headers)] += 1
    load.latencies.append(time.perf_counter() - started)
    load.statuses[int(head[0].split()[1])] += 1
    return headers.get("connection", "") != "close"


async def client(port: int, connection, requests: list[bytes], load: Load) -> None:
    reader, writer = connection
    try:
        for request in requests:
            if not await exchange(reader, writer, request, load):
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
    finally:
        writer.close()


async def fire(port: int, requests: list[bytes]) -> Load:
    """Send the requests over CLIENTS connections, each client its share in turn."""
    load = Load()
    connections = [await asyncio.open_connection(HOST, port) for _ in range(CLIENTS)]
    started, cpu_started = time.perf_counter(), time.process_time()
    shares = [requests[number::CLIENTS] for number in range(CLIENTS)]
    await asyncio.gather(
        *(client(port, c, s, load) for c, s in zip(connections, shares, strict=True))
    )
    load.seconds = time.perf_counter() - started
    load.cpu_seconds = time.process_time() - cpu_started
    return load


def run_load(port: int, requests: list[bytes]) -> Load:
    return asyncio.run(asyncio.wait_for(fire(port, requests), LOAD_TIMEOUT))


# Results.


def outcome(meeting: Meeting) -> dict[str, int]:
    answers = Rsvp.objects.filter(meeting=meeting)
    going = answers.filter(status=Rsvp.Status.GOING)
    return {
        "seats": going.aggregate(total=Sum("seats", default=0))["total"],
        "waitlisted": answers.filter(status=Rsvp.Status.WAITLISTED).count(),
    }


def print_table(runs: list[tuple[str, Load]]) -> None:
    print(f"{'server':<22}{'requests':>10}{'seconds':>9}{'requests/s':>12}{'client CPU':>12}")
    for name, load in runs:
        cpu = 100 * load.cpu_seconds / load.seconds
        print(f"{name:<22}{load.requests:>10,}{load.seconds:>9.2f}{load.per_second:>12,.0f}"
              f"{cpu:>11.0f}%")  # fmt: skip


def report(static: list[Load], django_load: Load, answers: dict[str, int]) -> list[str]:
    """Print the table; return the goals that were missed."""
    print_table([
        ("nginx, before Django", static[0]), ("Django, RSVP POST", django_load),
        ("nginx, after Django", static[1]),
    ])  # fmt: skip
    reference = statistics.mean(load.per_second for load in static)
    ratio = 100 * django_load.per_second / reference
    p50, p95, p99 = (django_load.percentile(p) * 1000 for p in (50, 95, 99))
    print(f"Django/nginx: {ratio:.2f} % of nginx's mean {reference:,.0f} requests/s")
    if any(load.cpu_seconds > 0.9 * load.seconds for load in static):
        print("(the client used a whole core against nginx: the reference is bounded by it)")
    print(
        f"Django latency ms: p50 {p50:.0f}, p95 {p95:.0f}, p99 {p99:.0f}; p99/p50 {p99 / p50:.1f}"
    )
    print(f"Django answers by status: {dict(sorted(django_load.statuses.items()))}")
    print(f"seats going: {answers['seats']}, waitlisted: {answers['waitlisted']}")
    return missed_goals(answers, django_load.statuses, ratio, p99 / p50)


def missed_goals(answers: dict[str, int], statuses: Counter, ratio: float, tail: float):
    errors = sum(count for status, count in statuses.items() if status >= 500)
    goals = {
        f"seats going: {answers['seats']}, not {SEATS}": answers["seats"] == SEATS,
        f"waitlisted: {answers['waitlisted']}, not {MEMBERS - SEATS}": (
            answers["waitlisted"] == MEMBERS - SEATS
        ),
        f"{errors} answers were 5xx": errors == 0,
        f"{ratio:.2f} % of nginx's requests/s (goal: at least {MIN_RATIO_PERCENT} %)": (
            ratio >= MIN_RATIO_PERCENT
        ),
        f"p99 is {tail:.1f}x p50 (goal: at most {MAX_TAIL:.0f}x)": tail <= MAX_TAIL,
    }
    return [goal for goal, met in goals.items() if not met]


def load_nginx(port: int, page: bytes) -> Load:
    """GET the saved page NGINX_REQUESTS times; stop unless every answer was the whole page."""
    request = f"GET / HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    static = run_load(port, [request] * NGINX_REQUESTS)
    if static.statuses != Counter({200: NGINX_REQUESTS}) or set(static.body_bytes) != {len(page)}:
        sys.exit(f"nginx did not serve the page every time: {dict(static.statuses)}")
    return static


def measure(granian: subprocess.Popen) -> list[str]:
    """Load nginx, then Django, then nginx again; the reference is the mean of the two."""
    meeting, users = create_meeting_and_members()
    requests = [rsvp_request(meeting, key) for key in log_in(users)]
    page = wait_for(SITE_URL + meeting.get_absolute_url(), granian)
    connection.close()  # the server's writers must not wait on this process
    nginx, nginx_port = start_nginx(page)
    try:
        wait_for(f"http://{HOST}:{nginx_port}/", nginx)
        before = load_nginx(nginx_port, page)
        django_load = run_load(DJANGO_PORT, requests)
        after = load_nginx(nginx_port, page)
    finally:
        stop(nginx, signal.SIGQUIT)
    return report([before, after], django_load, outcome(meeting))


def print_server_errors(log: Path) -> None:
    """Show what the server logged beyond its start and stop messages (errors, tracebacks)."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    unusual = [line for line in lines if not line.startswith("[INFO]")]
    if unusual:
        print("granian's log:\n" + "\n".join(unusual[:40]))


def main() -> int:
    granian = None
    log = WORKSPACE / "granian.log"
    try:
        chapterhouse("migrate", "--noinput", "--verbosity", "0")
        chapterhouse("collectstatic", "--noinput", "--verbosity", "0")
        granian = start_granian(log)
        missed = measure(granian)
    finally:
        stop(granian)
        print_server_errors(log)
        shutil.rmtree(WORKSPACE, ignore_errors=True)
    for goal in missed:
        print(f"FAIL: {goal}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
