"""Harvest 100,000 OAI-PMH records with a real harvester (Sickle) from the real server.

Run from the repository root: `.venv/bin/python bench/oai_harvest.py`.
Everything listens on 127.0.0.1 only. A fresh SQLite database (or DATABASE_URL, when set, for
PostgreSQL) gets 25,000 each of stories, accepted talks, published meeting reports and
projects through bulk_create, then `chapterhouse oai-rebuild` describes them; granian serves
them with production settings (debug off, 2 workers, as `make run` starts it; BENCH_WORKERS
and BENCH_THREADS change them); Sickle pages through ListRecords (oai_dc) to the end. Exits
non-zero unless every record arrives exactly once and the rate is at least 3,000 records per
second.
"""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from processes import free_port, stop, wait_for  # bench/processes.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
PER_KIND = int(os.environ.get("BENCH_PER_KIND", "25000"))
GOAL = 3_000  # records per second


WORKSPACE = Path(tempfile.mkdtemp(prefix="chapterhouse-oai-harvest-"))
PORT = free_port()
SITE_URL = f"http://{HOST}:{PORT}"
ENVIRONMENT = {
    "CHAPTERHOUSE_VAR_DIR": str(WORKSPACE),
    "DATABASE_URL": os.environ.get(
        "DATABASE_URL", f"sqlite:///{WORKSPACE / 'chapterhouse.sqlite3'}"
    ),
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

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from sickle import Sickle  # noqa: E402

from chapters.models import Chapter  # noqa: E402
from meetings.models import Meeting, Report, Talk  # noqa: E402
from projects.models import Project  # noqa: E402
from stories.models import Story  # noqa: E402


def chapterhouse(*arguments: str) -> None:
    subprocess.run([BIN / "chapterhouse", *arguments], cwd=ROOT, check=True)  # noqa: S603 - ours


@transaction.atomic
def fill() -> int:
    """PER_KIND records of each kind; ten records share each second, so ties are common."""
    chapter = Chapter.objects.create(name="Bench chapter", slug="bench")
    base = timezone.now() - timedelta(days=365)

    def stamp(i: int):
        return base + timedelta(seconds=i // 10)

    batch = {"batch_size": 2000}
    Story.objects.bulk_create(
        (Story(chapter=chapter, title=f"Story {i}", slug=f"story-{i}", body="News " * 40,
               status="published", published=stamp(i), updated=stamp(i))
         for i in range(PER_KIND)), **batch)  # fmt: skip
    meetings = Meeting.objects.bulk_create(
        (Meeting(chapter=chapter, title=f"Meeting {i}", start=stamp(i),
                 end=stamp(i) + timedelta(hours=2), updated=stamp(i))
         for i in range(PER_KIND)), **batch)  # fmt: skip
    Talk.objects.bulk_create(
        (Talk(meeting=m, title=f"Talk {i}", speakers="Ada Lovelace, Grace Hopper",
              abstract="Linked data. " * 20, status="accepted", created=stamp(i),
              slides_url="https://slides.example.org/x", recording_url="https://v.example.org/x")
         for i, m in enumerate(meetings)), **batch)  # fmt: skip
    Report.objects.bulk_create(
        (Report(meeting=m, attendance=30, what_worked="Short talks.", notes="Went **well**.",
                published=True, updated=stamp(i))
         for i, m in enumerate(meetings)), **batch)  # fmt: skip
    Project.objects.bulk_create(
        (Project(chapter=chapter, name=f"Project {i}", slug=f"project-{i}", summary="A tool.",
                 licence="MIT", updated=stamp(i))
         for i in range(PER_KIND)), **batch)  # fmt: skip
    return 4 * PER_KIND


def start_granian(log: Path) -> subprocess.Popen:
    command = [
        BIN / "granian", "--interface", "wsgi", "--host", HOST, "--port", str(PORT),
        "--workers", os.environ.get("BENCH_WORKERS", "2"),
        "--blocking-threads", os.environ.get("BENCH_THREADS", "1"), "config.wsgi:application",
    ]  # fmt: skip
    with log.open("wb") as output:
        return subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603


def harvest() -> tuple[int, int, float]:
    """(records, distinct identifiers, seconds) for one full ListRecords harvest."""
    sickle = Sickle(SITE_URL + "/oai", max_retries=1, timeout=120)
    started = time.perf_counter()
    identifiers = [
        record.header.identifier for record in sickle.ListRecords(metadataPrefix="oai_dc")
    ]
    seconds = time.perf_counter() - started
    return len(identifiers), len(set(identifiers)), seconds


def main() -> int:
    granian = None
    log = WORKSPACE / "granian.log"
    try:
        chapterhouse("migrate", "--noinput", "--verbosity", "0")
        started = time.perf_counter()
        expected = fill()
        print(f"filled {expected:,} records in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        # bulk_create sends no signals: describe the records the way an operator would.
        chapterhouse("oai-rebuild", "--no-progress")
        print(f"described them in {time.perf_counter() - started:.1f} s")
        granian = start_granian(log)
        wait_for(SITE_URL + "/oai?verb=Identify", granian)
        count, distinct, seconds = harvest()
    finally:
        stop(granian)
        errors = (
            [line for line in log.read_text().splitlines() if "Error" in line]
            if log.exists()
            else []
        )
        if errors:
            print("granian's log:\n" + "\n".join(errors[:40]))
        shutil.rmtree(WORKSPACE, ignore_errors=True)
    rate = count / seconds
    print(f"harvested {count:,} records ({distinct:,} distinct) in {seconds:.1f} s: {rate:,.0f}/s")
    missed = []
    if count != expected or distinct != expected:
        missed.append(f"expected {expected:,} distinct records")
    if rate < GOAL:
        missed.append(f"rate {rate:,.0f}/s is below {GOAL:,}/s")
    for goal in missed:
        print(f"FAIL: {goal}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
