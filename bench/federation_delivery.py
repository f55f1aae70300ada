"""Publish one meeting to 10,000 followers, each with its own inbox, and time the deliveries.

Run from the repository root: `.venv/bin/python bench/federation_delivery.py` (or `make bench`).
Everything listens on 127.0.0.1 only.

A fresh SQLite database gets a chapter with 10,000 remote followers whose
inboxes are distinct paths on one local sink: an asyncio HTTP/1.1 server in its
own process that answers 202 to every POST. Publishing the meeting queues 10,000
deliveries; then delivery worker processes (as many as there are cores;
BENCH_WORKERS and BENCH_THREADS change the processes and their sending threads)
send them until every row is sent, each one signed with the chapter's RSA-2048
key, through the same guarded client as any delivery. The reference, measured in
the same run just before and just after the deliveries (their mean), is how many
RSA-2048 signatures one core makes per second. Exits non-zero unless every
delivery is sent exactly once and deliveries per second reach 40 % of twice the
one-core signing rate (0.8 x the one-core rate).
"""

import asyncio
import multiprocessing
import os
import resource
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from processes import free_port  # bench/processes.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", 10_000))
WORKERS = int(os.environ.get("BENCH_WORKERS", os.cpu_count() or 2))
THREADS = int(os.environ.get("BENCH_THREADS", 4))  # per worker
SIGNATURES = 3_000
GOAL = 0.4 * 2  # of the one-core signing rate
TIMEOUT = 300  # seconds: the bench always stops by itself


WORKSPACE = Path(tempfile.mkdtemp(prefix="chapterhouse-delivery-"))
SITE_URL = f"http://{HOST}:{free_port()}"
ENVIRONMENT = {
    "CHAPTERHOUSE_VAR_DIR": str(WORKSPACE),
    "DATABASE_URL": f"sqlite:///{WORKSPACE / 'chapterhouse.sqlite3'}",
    "CHAPTERHOUSE_DEBUG": "false",
    "CHAPTERHOUSE_SECRET_KEY": secrets.token_urlsafe(38)[:50],
    "CHAPTERHOUSE_SITE_URL": SITE_URL,
    "CHAPTERHOUSE_ALLOWED_HOSTS": HOST,
    # Deliveries are run by the workers below, not by a task queue.
    "CHAPTERHOUSE_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    "CHAPTERHOUSE_LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


class Sink(asyncio.Protocol):
    """Just enough HTTP/1.1: read a request (headers and Content-Length body), answer 202."""

    ANSWER = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"

    def __init__(self, counter):
        self.counter, self.buffer = counter, b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.counter[0] += 1
            self.transport.write(self.ANSWER)


def run_sink(port: int, ready, stop, count) -> None:
    """The sink's process: serve until told to stop, then report how many POSTs came."""

    async def serve():
        counter = [0]
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: Sink(counter), HOST, port, backlog=1024)
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        server.close()
        count.value = counter[0]

    asyncio.run(serve())


def children_cpu() -> float:
    """CPU seconds of the finished child processes: with other work on the machine the
    wall clock says how busy it was, this says what the deliveries cost."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def signing_rate() -> float:
    """RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second on one core."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    message = b"(request-target): post /users/1/inbox\nhost: example.org\ndate: now"
    started = time.perf_counter()
    for _ in range(SIGNATURES):
        key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return SIGNATURES / (time.perf_counter() - started)


def set_up(sink_url: str):
    """A chapter with FOLLOWERS remote followers, each reading at its own inbox on the sink."""
    from django.core.management import call_command

    from federation.keys import key_for
    from federation.models import Follower, RemoteActor
    from tests.factories import ChapterFactory

    call_command("migrate", verbosity=0)
    chapter = ChapterFactory(slug="code4libnyc", name="Code4LibNYC")
    key_for(chapter)
    actors = RemoteActor._default_manager.bulk_create(
        RemoteActor(
            uri=f"{sink_url}/users/{number}",
            preferred_username=f"user{number}",
            inbox=f"{sink_url}/users/{number}/inbox",
        )
        for number in range(FOLLOWERS)
    )
    Follower.objects.bulk_create(Follower(chapter=chapter, actor=actor) for actor in actors)
    return chapter


def publish_meeting(chapter) -> None:
    from meetings.services import publish_meeting
    from tests.meetings.factories import MeetingFactory

    publish_meeting(MeetingFactory.build(chapter=chapter, venue=None), announce=False)


def worker() -> None:
    """One delivery worker process: what the `deliver` task runs, given time to finish."""
    from django.conf import settings

    from federation import delivery

    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = True
    delivery.deliver_due(budget=delivery.timedelta(seconds=TIMEOUT), threads=THREADS)


def main() -> int:
    os.environ.update(ENVIRONMENT)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    from federation.models import Delivery

    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = True
    context = multiprocessing.get_context("fork")
    port = free_port()
    ready, stop, count = context.Event(), context.Event(), context.Value("l", 0)
    sink = context.Process(target=run_sink, args=(port, ready, stop, count), daemon=True)
    sink.start()
    ready.wait(10)

    rate_before = signing_rate()
    chapter = set_up(f"http://{HOST}:{port}")
    publish_meeting(chapter)
    queued = Delivery.objects.filter(status=Delivery.Status.PENDING).count()
    connections.close_all()  # each worker opens its own

    cpu_before = children_cpu()
    started = time.perf_counter()
    workers = [context.Process(target=worker) for _ in range(WORKERS)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(TIMEOUT)
    elapsed = time.perf_counter() - started
    stop.set()
    sink.join(10)
    cpu_per_delivery = (children_cpu() - cpu_before) / FOLLOWERS
    # Other work on the machine moves both numbers: the reference is taken on each side.
    rate_after = signing_rate()
    rate = (rate_before + rate_after) / 2

    sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
    per_second = sent / elapsed
    goal = GOAL * rate
    print(
        f"one-core RSA-2048 signing: {rate:,.0f} signatures/s "
        f"(before {rate_before:,.0f}, after {rate_after:,.0f})"
    )
    print(
        f"deliveries: {sent:,} of {queued:,} sent, {count.value:,} received, "
        f"in {elapsed:.2f} s with {WORKERS} workers: {per_second:,.0f}/s"
    )
    print(
        f"CPU (workers and sink): {cpu_per_delivery * 1000:.2f} ms per delivery, "
        f"{1000 / rate:.2f} ms per signature"
    )
    print(
        f"ratio: {per_second / rate:.2f} x the one-core signing rate "
        f"(goal {GOAL:.2f}: {goal:,.0f}/s)"
    )
    shutil.rmtree(WORKSPACE, ignore_errors=True)
    failures = []
    if not (sent == queued == count.value == FOLLOWERS):
        failures.append("every delivery sent exactly once")
    if per_second < goal:
        failures.append(f"at least {goal:,.0f} deliveries/s")
    for failure in failures:
        print(f"MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
