"""Load the production setup with wrk: cached anonymous pages, an uncached 50-row list page and
RSVP POSTs, each against nginx serving a static copy of the chapter page in the same run.

Run from the repository root (see bench/load/README.md):

    .venv/bin/python bench/load/run.py                  # 3 minutes a target, about 25 minutes
    .venv/bin/python bench/load/run.py --duration 20s   # a quick run, about 5 minutes

Needs wrk and nginx (Debian: `apt-get install -y wrk nginx`). Everything listens on
127.0.0.1 only, in a temporary folder that is removed at the end. Exits non-zero if
a goal is missed: no errors anywhere, cached anonymous pages at least 6 % of nginx's
requests per second, the uncached 50-row list page at least 2 %.
"""

import argparse
import getpass
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/, for processes.py
from processes import free_port, stop
from processes import wait_for as wait_for_any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = ROOT / ".venv" / "bin"
NGINX = Path("/usr/sbin/nginx")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
HOST = "127.0.0.1"
CHAPTER = "code4libnyc"  # the demo chapter
LISTED_MEMBERS = 50
SEATS = 100
RSVP_LIMIT = 10  # RSVP changes a member may make in ten minutes (RATE_LIMITS["rsvp:account"])
MOST_RSVPS_PER_SECOND = 1_000  # enough members that none reaches the limit below this rate
CACHED_GOAL, UNCACHED_GOAL = 6.0, 2.0  # percent of nginx's requests per second
OK = "/bench/ok/"  # bench/load/reference_site.py

NGINX_CONF = """\
{user}worker_processes 2;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 100000;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;

    # As docs/deploy.md: the web processes behind one upstream, connections kept open,
    # and anonymous pages kept in nginx (docs/nginx/page-cache.conf).
    proxy_cache_path {folder}/cache keys_zone=chapterhouse_pages:10m max_size=100m
                     inactive=10m use_temp_path=off;
    upstream chapterhouse {{
        server {host}:{granian};
        keepalive 64;
    }}
    server {{
        listen {host}:{proxy};
        location / {{
            proxy_pass http://chapterhouse;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_redirect off;
            include {snippet};
        }}
    }}

    # The reference: the same chapter page, saved, served as a file.
    server {{
        listen {host}:{static};
        root {folder}/site;
        default_type text/html;
        location / {{ try_files /chapter.html =404; }}
    }}
}}
"""


def seconds(text: str) -> int:
    """'20s', '3m', '90' -> seconds."""
    found = re.fullmatch(r"(\d+)([sm]?)", text.strip())
    if not found:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 20s or 3m)")
    return int(found.group(1)) * (60 if found.group(2) == "m" else 1)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=seconds, default=180, help="per target (default 3m)")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="granian workers (default 2)")
    parser.add_argument("--blocking-threads", type=int, default=1)
    parser.add_argument(
        "--only", action="append", choices=["cached", "directory", "rsvp", "bare"],
        help="load only these targets besides nginx (repeatable; default: all)",
    )  # fmt: skip
    parser.add_argument(
        "--database-url",
        help="an empty database to fill (default: a new SQLite file in the temporary folder)",
    )
    return parser.parse_args()


OPTIONS = arguments()
for tool in (NGINX, Path(WRK)):
    if not tool.exists():
        sys.exit(f"{tool} is missing: install it with `apt-get install -y wrk nginx`.")
WORKSPACE = Path(tempfile.mkdtemp(prefix="chapterhouse-load-"))
PORTS = {"granian": free_port(), "proxy": free_port(), "static": free_port()}
SITE_URL = f"http://{HOST}:{PORTS['proxy']}"
# Production settings, as a .env file would give them; the page cache keeps its default.
ENVIRONMENT = {
    "CHAPTERHOUSE_VAR_DIR": str(WORKSPACE),
    "DATABASE_URL": OPTIONS.database_url or f"sqlite:///{WORKSPACE / 'chapterhouse.sqlite3'}",
    "CHAPTERHOUSE_STATIC_ROOT": str(WORKSPACE / "static"),
    "CHAPTERHOUSE_MEDIA_ROOT": str(WORKSPACE / "media"),
    "CHAPTERHOUSE_DEBUG": "false",
    "CHAPTERHOUSE_SECRET_KEY": secrets.token_urlsafe(40),
    "CHAPTERHOUSE_SITE_URL": SITE_URL,
    "CHAPTERHOUSE_ALLOWED_HOSTS": HOST,
    "CHAPTERHOUSE_BEHIND_PROXY": "true",
    "CHAPTERHOUSE_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    "CHAPTERHOUSE_LOG_LEVEL": "WARNING",
    "EMAIL_URL": "consolemail://",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
os.environ.update(ENVIRONMENT)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from chapterhouse.sessions import SessionStore  # noqa: E402
from chapters.models import Chapter  # noqa: E402
from meetings.models import Meeting, Rsvp  # noqa: E402
from members.models import Membership, Profile, User  # noqa: E402

# The data: the demo, 50 members in its directory, a meeting, and members to RSVP.


def chapterhouse(*arguments: str) -> None:
    command = [BIN / "python", "-m", "chapterhouse", *arguments]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - ours


def add_members(chapter: Chapter, count: int, prefix: str, listed: bool) -> list[User]:
    now, unusable = timezone.now(), make_password(None)
    users = User.objects.bulk_create(
        User(email=f"{prefix}{number}@example.org", password=unusable, email_verified_at=now)
        for number in range(count)
    )
    Profile.objects.bulk_create(
        Profile(user=user, display_name=f"{prefix.title()} {number}", in_directory=listed)
        for number, user in enumerate(users)
    )
    Membership.objects.bulk_create(Membership(chapter=chapter, user=user) for user in users)
    return users


def sessions_for(users: list[User]) -> list[str]:
    """A session per member, as logging in stores it (without hashing a password each)."""
    expires = timezone.now() + timedelta(days=1)
    rows = []
    for user in users:
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        encoded = SessionStore().encode(data)
        rows.append(Session(session_key=key, session_data=encoded, expire_date=expires))
    Session.objects.bulk_create(rows, batch_size=1000)
    return [row.session_key for row in rows]


def write_members(path: Path, session_keys: list[str]) -> Path:
    """One line a member: their session key and a CSRF secret (cookie and form token)."""
    lines = (
        f"{key} {get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)}\n"
        for key in session_keys
    )
    path.write_text("".join(lines))
    return path


@transaction.atomic
def prepare_data(duration: int) -> dict:
    chapter = Chapter.objects.get(slug=CHAPTER)
    listed = chapter.memberships.directory().count()
    readers = add_members(chapter, max(LISTED_MEMBERS - listed, 0), "listed", listed=True)
    start = timezone.now() + timedelta(days=7)
    meeting = Meeting.objects.create(
        chapter=chapter, title="Load test meetup", capacity=SEATS,
        start=start, end=start + timedelta(hours=2),
    )  # fmt: skip
    # No member may reach the RSVP rate limit while the target runs below MOST_RSVPS_PER_SECOND.
    rsvp_members = max(1_000, duration * MOST_RSVPS_PER_SECOND // RSVP_LIMIT)
    answering = add_members(chapter, rsvp_members, "answering", listed=False)
    return {
        "meeting": meeting,
        "listed": chapter.memberships.directory().count(),
        "readers": write_members(WORKSPACE / "readers.txt", sessions_for(readers)),
        "answering": write_members(WORKSPACE / "answering.txt", sessions_for(answering)),
        "answering_count": len(answering),
    }


# The servers.


def start(name: str, command: list, environment: dict | None = None) -> subprocess.Popen:
    log = (WORKSPACE / f"{name}.log").open("wb")
    return subprocess.Popen(  # noqa: S603 - our servers
        command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, **(environment or {})},
    )  # fmt: skip


def start_granian() -> subprocess.Popen:
    return start("granian", [
        BIN / "granian", "--interface", "wsgi", "--host", HOST, "--port", str(PORTS["granian"]),
        "--workers", str(OPTIONS.workers), "--blocking-threads", str(OPTIONS.blocking_threads),
        "config.wsgi:application",
    ], {"DJANGO_SETTINGS_MODULE": "bench.load.reference_site"})  # fmt: skip


def start_nginx(page: bytes) -> subprocess.Popen:
    folder = WORKSPACE / "nginx"
    (folder / "site").mkdir(parents=True)
    (folder / "site" / "chapter.html").write_bytes(page)
    for path in (WORKSPACE, folder, folder / "site", folder / "site" / "chapter.html"):
        path.chmod(0o755)  # nginx's unprivileged workers read the page
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        folder=folder, host=HOST, snippet=ROOT / "docs" / "nginx" / "page-cache.conf",
        # Started as root, nginx's workers would be `nobody`, who may not write its cache here.
        user=f"user {getpass.getuser()};\n" if os.geteuid() == 0 else "", **PORTS,
    ))  # fmt: skip
    return start("nginx", [NGINX, "-c", conf, "-p", folder, "-e", folder / "error.log"])


def fetch(url: str, headers: dict | None = None, data: bytes | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    opener = urllib.request.build_opener(NoRedirects)
    return opener.open(request, timeout=10)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_for(url: str, server: subprocess.Popen) -> bytes:
    """The page, once the server answers it; through nginx, with the site's Host header."""
    return wait_for_any(url, server, 60, opener=lambda address: fetch(address, {"Host": HOST}))


# wrk and its results.


@dataclass
class Target:
    name: str
    url: str
    goal: float | None = None  # percent of nginx's requests/s
    script: list[str] | None = None  # members.lua and its arguments
    result: dict | None = None

    @property
    def is_reference(self) -> bool:
        return self.url.startswith(f"http://{HOST}:{PORTS['static']}")


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS_MS[unit]


def parse_wrk(output: str) -> dict:
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    percentile = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "errors": (sum(map(int, socket_errors.groups())) if socket_errors else 0)
        + (int(non_2xx.group(1)) if non_2xx else 0),
        "p50": milliseconds(percentile["50"]),
        "p99": milliseconds(percentile["99"]),
        "error_lines": [
            line.strip()
            for line in output.splitlines()
            if line.lstrip().startswith(("Socket errors", "Non-2xx", "Status "))
        ],
    }


def run_wrk(target: Target) -> dict:
    command = [
        WRK, "--latency", "-t", str(OPTIONS.wrk_threads), "-c", str(OPTIONS.connections),
        "-d", f"{OPTIONS.duration}s", "--timeout", "10s",
    ]  # fmt: skip
    if target.script:
        command += ["-s", str(HERE / "members.lua"), target.url, "--", *target.script]
    else:
        command.append(target.url)
    print(f"== {target.name}: {target.url}", flush=True)
    done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603 - wrk
    try:
        target.result = {**parse_wrk(done.stdout), "load": os.getloadavg()[0]}
    except (AttributeError, KeyError):
        sys.exit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    print(
        f"   {target.result['per_second']:,.0f} requests/s, {target.result['errors']} errors, "
        f"p50 {target.result['p50']:.1f} ms, p99 {target.result['p99']:.1f} ms",
        *(f"\n   {line}" for line in target.result["error_lines"]),
        flush=True,
    )
    return target.result


# Checks before loading: each target answers as it should.


def check_targets(data: dict) -> None:
    """Anonymous pages set no cookie and are kept by nginx; the others answer as expected."""
    for path in ("/", f"/chapters/{CHAPTER}/", f"/chapters/{CHAPTER}/meetings/"):
        with fetch(SITE_URL + path) as response:
            cookies = response.headers.get_all("Set-Cookie") or []
            if response.status != 200 or cookies:
                sys.exit(f"{path} answered {response.status} setting {cookies}: not cacheable")
        with fetch(SITE_URL + path) as response:
            if response.headers["X-Cache-Status"] != "HIT":
                sys.exit(f"{path} is not kept by nginx: {response.headers['X-Cache-Status']}")
    session, csrf = data["readers"].read_text().split()[:2]
    cookie = {"Cookie": f"sessionid={session}; csrftoken={csrf}"}  # as members.lua sends them
    with fetch(f"{SITE_URL}/chapters/{CHAPTER}/members/", cookie) as r:
        cards = r.read().decode().count('<li class="card">')
    if r.status != 200 or cards != data["listed"]:
        sys.exit(f"the member directory answered {r.status} with {cards} members")


def rsvp_outcome(meeting: Meeting) -> dict:
    answers = Rsvp.objects.filter(meeting=meeting)
    by_status = dict(answers.values_list("status").annotate(count=Count("id")))
    seats = answers.filter(status=Rsvp.Status.GOING).aggregate(total=Sum("seats", default=0))
    return {"seats": seats["total"], **by_status}


# Report.


def report(targets: list[Target], outcome: dict, answering: int) -> list[str]:
    reference = statistics.mean(t.result["per_second"] for t in targets if t.is_reference)
    print(f"\nLoad, {OPTIONS.duration} s a target, {OPTIONS.connections} connections, "
          f"granian {OPTIONS.workers} workers x {OPTIONS.blocking_threads} blocking thread(s) "
          "behind nginx; reference: nginx's mean over its two runs; load avg: the machine's "
          "1-minute load average as the target ended.\n")  # fmt: skip
    print("| target | requests/s | errors | p50 ms | p99 ms | % of nginx | goal | load avg |")
    print("| ------ | ---------: | -----: | -----: | -----: | ---------: | ---: | -------: |")
    missed = []
    for target in targets:
        result = target.result
        ratio = 100 * result["per_second"] / reference
        goal = f"≥ {target.goal:g} %" if target.goal else ""
        print(
            f"| {target.name} | {result['per_second']:,.0f} | {result['errors']} | "
            f"{result['p50']:.1f} | {result['p99']:.1f} | {ratio:.2f} % | {goal} | "
            f"{result['load']:.1f} |"
        )
        if result["errors"]:
            missed.append(f"{target.name}: {result['errors']} errors")
        if target.goal and ratio < target.goal:
            missed.append(f"{target.name}: {ratio:.2f} % of nginx (goal ≥ {target.goal:g} %)")
    print(f"\nRSVPs from {answering:,} members: {outcome}")
    if any("RSVP" in target.name for target in targets) and outcome["seats"] != SEATS:
        missed.append(f"seats taken: {outcome['seats']}, not {SEATS}")
    return missed


def measure() -> list[str]:
    data = prepare_data(OPTIONS.duration)
    meeting = data["meeting"]
    connection.close()  # the servers' writers must not wait on this process
    granian = nginx = None
    try:
        granian = start_granian()
        page = wait_for(f"http://{HOST}:{PORTS['granian']}/chapters/{CHAPTER}/", granian)
        nginx = start_nginx(page)
        wait_for(f"http://{HOST}:{PORTS['static']}/", nginx)
        wait_for(SITE_URL + "/", nginx)
        check_targets(data)
        rsvp_path = f"/chapters/{CHAPTER}/meetings/{meeting.pk}/rsvp/"
        static = f"http://{HOST}:{PORTS['static']}/"
        chapter, directory = f"/chapters/{CHAPTER}/", f"/chapters/{CHAPTER}/members/"
        meetings = f"{chapter}meetings/"
        threads = str(OPTIONS.wrk_threads)
        targets = [
            Target("nginx, static copy of the chapter page", static),
            Target('Django\'s bare "ok" view, anonymous', SITE_URL + OK),
            Target(
                'Django\'s bare "ok" view, logged in', SITE_URL + OK, None,
                [str(data["readers"]), threads, "GET", OK, SITE_URL],
            ),
            Target("home page, anonymous (cached)", SITE_URL + "/", CACHED_GOAL),
            Target("chapter page, anonymous (cached)", SITE_URL + chapter, CACHED_GOAL),
            Target("meeting list, anonymous (cached)", SITE_URL + meetings, CACHED_GOAL),
            Target(
                f"member directory, {data['listed']} rows, logged in (uncached)",
                SITE_URL + directory, UNCACHED_GOAL,
                [str(data["readers"]), threads, "GET", directory, SITE_URL],
            ),
            Target(
                "RSVP POST, logged in, CSRF token", SITE_URL + rsvp_path, None,
                [str(data["answering"]), threads, "RSVP", rsvp_path, SITE_URL],
            ),
            Target("nginx again", static),
        ]  # fmt: skip
        if OPTIONS.only:
            kinds = {
                "cached": "(cached)", "directory": "member directory", "rsvp": "RSVP",
                "bare": "bare",
            }  # fmt: skip
            wanted = [kinds[kind] for kind in OPTIONS.only]
            targets = [t for t in targets if t.is_reference or any(w in t.name for w in wanted)]
        for target in targets:
            run_wrk(target)
            time.sleep(2)
    finally:
        stop(nginx, signal.SIGQUIT)
        stop(granian)
    return report(targets, rsvp_outcome(meeting), data["answering_count"])


def main() -> int:
    try:
        print(f"Preparing the site in {WORKSPACE} (migrate, collectstatic, demo)…", flush=True)
        chapterhouse("migrate", "--noinput", "--verbosity", "0")
        chapterhouse("collectstatic", "--noinput", "--verbosity", "0")
        chapterhouse("demo")
        missed = measure()
    finally:
        for name in ("granian", "nginx"):
            log = WORKSPACE / f"{name}.log"
            lines = log.read_text(errors="replace").splitlines() if log.exists() else []
            unusual = [line for line in lines if not line.startswith("[INFO]")]
            if unusual:
                print(f"{name}'s log:\n" + "\n".join(unusual[:40]))
        shutil.rmtree(WORKSPACE, ignore_errors=True)
    for goal in missed:
        print(f"FAIL: {goal}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
