"""Chapterhouse run as in production, for tests: granian web processes, the task worker, and a
database of its own (a SQLite file, or a scratch PostgreSQL database when the tests run there).

Like the second instance in tests/federation/test_two_instances.py, each process is the
real console command in a subprocess. Each runs in a session of its own, so a test can
kill a web server together with its worker processes, as a crash or the OOM killer would.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from contextlib import contextmanager, suppress
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
WORKER_STARTED = "Starting worker"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# The database a scratch site uses: the same engine as the test database.


def postgres_server() -> dict:
    """How to reach the PostgreSQL server the tests use, as psycopg.connect() arguments."""
    config = connection.settings_dict
    found = {
        "host": config["HOST"],
        "port": config["PORT"],
        "user": config["USER"],
        "password": config["PASSWORD"],
    }
    return {key: str(value) for key, value in found.items() if value}


def postgres_url(name: str) -> str:
    server = postgres_server()
    password = f":{server['password']}" if "password" in server else ""
    address = f"{server.get('host', HOST)}:{server.get('port', 5432)}"
    return f"postgres://{server.get('user', 'postgres')}{password}@{address}/{name}"


@contextmanager
def scratch_database(folder: Path, label: str):
    """A DATABASE_URL of the test database's engine: a SQLite file in `folder`, or a
    PostgreSQL database made for the test and dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{folder / 'site.sqlite3'}"
        return
    name = f"chapterhouse_{label}_{os.getpid()}"
    with psycopg.connect(**postgres_server(), dbname="postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url(name)
    finally:
        with psycopg.connect(**postgres_server(), dbname="postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The site and its processes.


class Site:
    """One installation: a folder, a database, production settings, and its processes."""

    def __init__(self, folder: Path, database_url: str, static_root: Path, **environment: str):
        self.folder = folder
        self.port = free_port()  # the first web process; its address is the site's URL
        self.url = f"http://{HOST}:{self.port}"
        self.env = {
            **os.environ,
            "CHAPTERHOUSE_VAR_DIR": str(folder),
            "CHAPTERHOUSE_STATIC_ROOT": str(static_root),
            "CHAPTERHOUSE_MEDIA_ROOT": str(folder / "media"),
            "DATABASE_URL": database_url,
            "CHAPTERHOUSE_DEBUG": "false",
            "CHAPTERHOUSE_SECRET_KEY": secrets.token_urlsafe(40),
            "CHAPTERHOUSE_SITE_URL": self.url,
            "CHAPTERHOUSE_ALLOWED_HOSTS": f"{HOST},localhost",
            "CHAPTERHOUSE_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "CHAPTERHOUSE_LOG_LEVEL": "WARNING",
            **environment,
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.processes: list[subprocess.Popen] = []

    def run(self, *arguments: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own command
            [str(BIN / "python"), "-m", "chapterhouse", *arguments], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str):
        """Run `code` in the site's shell; it prints one JSON value, which is returned."""
        return json.loads(self.run("shell", "--no-imports", "-c", code).strip().splitlines()[-1])

    def prepare(self) -> None:
        self.run("migrate", "--noinput", "--verbosity", "0")

    def spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own server and worker
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        self.processes.append(process)
        return process

    def start_web(self, port: int | None = None, workers: int = 1) -> subprocess.Popen:
        """granian as docs/deploy.md runs it, answering at `port` (the site's own by default)."""
        port = port or self.port
        command = [
            str(BIN / "granian"), "--interface", "wsgi", "--host", HOST, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", "1", "config.wsgi:application",
        ]  # fmt: skip
        process = self.spawn(f"web-{port}", command)
        wait_until_answering(f"http://{HOST}:{port}/chapters/", process)
        return process

    def start_worker(self) -> subprocess.Popen:
        """`chapterhouse db_worker`, once it has started taking tasks."""
        started = self.log("worker").count(WORKER_STARTED)
        command = [str(BIN / "python"), "-m", "chapterhouse", "db_worker", "--no-reload"]
        process = self.spawn("worker", [*command, "--interval", "0.2"])
        deadline = time.monotonic() + 60
        while self.log("worker").count(WORKER_STARTED) == started:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{self.log('worker')[-2000:]}")
            time.sleep(0.1)
        return process

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes:
            stop(process)


def collect_static(folder: Path) -> Path:
    """`collectstatic` with production's storage (hashed, compressed names) into `folder`."""
    site = Site(folder, f"sqlite:///{folder / 'unused.sqlite3'}", folder)
    site.run("collectstatic", "--noinput", "--verbosity", "0")
    return folder


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the process and every process it started: no handler, no clean-up."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        kill(process)
    except ProcessLookupError:
        pass


def wait_until_answering(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            Visitor().get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} after {seconds:.0f} s")


# A visitor: cookies (which browsers share between ports of one host) and plain HTTP/1.1.


class Visitor:
    """Someone's cookies, sent with every request to any of the site's processes."""

    def __init__(self, session_key: str = ""):
        self.cookies: dict[str, str] = {"sessionid": session_key} if session_key else {}

    def request(self, method: str, url: str, form: dict | None = None) -> tuple[int, dict, str]:
        """(status, headers with lower-case names, body); redirects are not followed."""
        address, _, path = url.removeprefix("http://").partition("/")
        host, port = address.split(":")
        headers = {"Host": address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{address}"
        exchange = HTTPConnection(host, int(port), timeout=30)
        try:
            exchange.request(method, f"/{path}", body=body, headers=headers)
            answer = exchange.getresponse()
            text = answer.read().decode(errors="replace")
            for value in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:  # Django deletes a cookie by sending it empty and expired
                        self.cookies.pop(name, None)
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, text
        finally:
            exchange.close()

    def get(self, url: str) -> tuple[int, dict, str]:
        return self.request("GET", url)

    def post(self, url: str, form: dict) -> tuple[int, dict, str]:
        """POST a form with the CSRF token a page would carry (the cookie's secret)."""
        token = self.cookies.setdefault("csrftoken", secrets.token_hex(16))
        return self.request("POST", url, {**form, "csrfmiddlewaretoken": token})

    def log_in(self, url: str, email: str, password: str) -> int:
        """Log in through the form at `url` as a browser would; the status of the POST."""
        status, _, page = self.get(url)
        assert status == 200, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": email, "password": password, "csrfmiddlewaretoken": token}
        return self.request("POST", url, form)[0]


# For set-up scripts run in the server's environment: a logged-in session for a user, as the
# log-in view would make it, so load can start without going through the form.
SESSION_FOR = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from chapterhouse.sessions import SessionStore

def session_for(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key
"""
