"""CPU time per request for a logged-in member's pages, in one process, without HTTP.

    .venv/bin/python bench/page_cost.py               # the member directory and two references
    .venv/bin/python bench/page_cost.py --profile     # and where the directory's time goes

A fresh SQLite database with production settings (debug off), the Code4LibNYC
demo, 50 members listed in its directory and, as `bench/load/run.py` makes them,
thousands more who are not listed. Each page is requested through Django's WSGI
handler with a member's session cookie, as granian would call it, in batches;
the figure is the fastest batch's CPU time per request, which is what a busy
server's cores pay. The references, measured in the same run: a view that only
answers "ok" with no session, and the same view asked by a logged-in member who
is looked up, so a page's own cost is what it adds to those.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = Path(tempfile.mkdtemp(prefix="chapterhouse-cost-"))
LISTED = 50

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--unlisted", type=int, default=4_000, help="members not listed (4,000)")
parser.add_argument("--batches", type=int, default=7)
parser.add_argument("--requests", type=int, default=500, help="per batch")
parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
OPTIONS = parser.parse_args()

os.environ.update({
    "CHAPTERHOUSE_VAR_DIR": str(WORKSPACE),
    "DATABASE_URL": f"sqlite:///{WORKSPACE / 'chapterhouse.sqlite3'}",
    "CHAPTERHOUSE_STATIC_ROOT": str(WORKSPACE / "static"),
    "CHAPTERHOUSE_MEDIA_ROOT": str(WORKSPACE / "media"),
    "CHAPTERHOUSE_DEBUG": "false",
    "CHAPTERHOUSE_SECRET_KEY": secrets.token_urlsafe(40),
    "CHAPTERHOUSE_SITE_URL": "http://127.0.0.1:8000",
    "CHAPTERHOUSE_ALLOWED_HOSTS": "127.0.0.1",
    "CHAPTERHOUSE_LOG_LEVEL": "ERROR",
    "EMAIL_URL": "consolemail://",
    "DJANGO_SETTINGS_MODULE": "config.settings",
})  # fmt: skip
sys.path.insert(0, str(ROOT))
for command in (
    ["migrate", "--verbosity", "0"],
    ["collectstatic", "--noinput", "-v", "0"],
    ["demo"],
):
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "chapterhouse", *command], cwd=ROOT, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

from chapterhouse.sessions import SessionStore  # noqa: E402
from chapters.models import Chapter  # noqa: E402

UNUSABLE = make_password(None)
from members.models import Membership, Profile, User  # noqa: E402


def add_members(chapter: Chapter, count: int, prefix: str, listed: bool) -> list[User]:
    now = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"{prefix}{n}@example.org", password=UNUSABLE, email_verified_at=now)
        for n in range(count)
    )
    Profile.objects.bulk_create(
        Profile(user=user, display_name=f"{prefix.title()} {n}", in_directory=listed,
                bio="Systems librarian. " * 6)
        for n, user in enumerate(users)
    )  # fmt: skip
    Membership.objects.bulk_create(Membership(chapter=chapter, user=user) for user in users)
    return users


chapter = Chapter.objects.get(slug="code4libnyc")
readers = add_members(chapter, LISTED - chapter.memberships.directory().count(), "listed", True)
add_members(chapter, OPTIONS.unlisted, "unlisted", False)
reader = readers[0]
session = Session.objects.create(
    session_key=secrets.token_hex(16),
    session_data=SessionStore().encode({
        SESSION_KEY: str(reader.pk),
        BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
        HASH_SESSION_KEY: reader.get_session_auth_hash(),
    }),
    expire_date=timezone.now() + timedelta(days=1),
)  # fmt: skip
chapter.memberships.directory().count()
connection.close()  # as a web process's connections close, refreshing SQLite's statistics


def ok(request):
    request.user.is_authenticated  # noqa: B018 - looks the member up, as every page does
    response = HttpResponse("ok")
    response["Cache-Control"] = "private"  # never from the page cache
    return response


# The references beside the site's own addresses.
sys.modules["bench_urls"] = type(sys)("bench_urls")
sys.modules["bench_urls"].urlpatterns = [
    path("bench/ok/", ok),
    path("", include(settings.ROOT_URLCONF)),
]
settings.ROOT_URLCONF = "bench_urls"

from config.wsgi import application  # noqa: E402

COOKIE = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
PAGES = {
    '"ok", anonymous': ("/bench/ok/", ""),
    '"ok", logged-in member': ("/bench/ok/", COOKIE),
    f"member directory, {LISTED} rows": (f"/chapters/{chapter.slug}/members/", COOKIE),
}


def request(path: str, cookie: str) -> bytes:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_ACCEPT": "text/html",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
    }  # fmt: skip
    statuses = []
    body = b"".join(application(environ, lambda status, headers, *_: statuses.append(status)))
    if not statuses[0].startswith("200"):
        sys.exit(f"{path} answered {statuses[0]}")
    return body


def cost(page: tuple) -> float:
    """Milliseconds of CPU per request, in the fastest batch."""
    for _ in range(50):
        request(*page)
    batches = []
    for _ in range(OPTIONS.batches):
        started = time.process_time()
        for _ in range(OPTIONS.requests):
            request(*page)
        batches.append((time.process_time() - started) * 1000 / OPTIONS.requests)
    return min(batches)


def main() -> None:
    print(f"CPU per request, one process, SQLite; {LISTED} listed and {OPTIONS.unlisted:,} "
          "unlisted members; fastest of "
          f"{OPTIONS.batches} batches of {OPTIONS.requests:,}\n")  # fmt: skip
    print("| page | ms per request |\n| ---- | -------------: |")
    for name, page in PAGES.items():
        print(f"| {name} | {cost(page):.2f} |", flush=True)
    if OPTIONS.profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [request(*PAGES[list(PAGES)[-1]]) for _ in range(500)])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
