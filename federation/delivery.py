"""Sending our activities: one Delivery row per (activity, inbox), claimed, signed, POSTed.

A row is the unit of work that survives a crash. A worker claims due rows by
pushing their next attempt one lease ahead (so a crashed worker's rows fall due
again by themselves), POSTs them, then marks each one sent, retried later or
given up. The window is honest: a crash after a POST returns but before its row
is marked sent resends that activity once; receivers de-duplicate by activity id.
A row marked sent is never claimed again.
"""

import http.client
import json
import logging
import random
import re
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django_tasks import task_backends

from chapterhouse.tasks import enqueue_on_commit
from federation import ids
from federation.activities import AP_CONTENT_TYPE
from federation.models import Activity, Delivery, Follower

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # longer than a batch can take: BATCH / THREADS * TIMEOUT
BATCH = 200
THREADS = 16
TIMEOUT = 10.0  # seconds; the FEDERATION_DELIVERY_TIMEOUT setting changes it
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=12)
# 1 min doubling to 12 h, then every 12 h: the 15th failure comes about 3 days in.
MAX_ATTEMPTS = 15
RUN_BUDGET = timedelta(minutes=2)  # one task run, then the rest goes to a fresh task
RETRY_STATUSES = {408, 429}
MAX_ANSWER = 64 * 1024  # an inbox's answer is read, to reuse the connection, up to this
OPEN_PER_THREAD = 8  # keep-alive connections each sending thread holds at most
UNSAFE_IN_TARGET = re.compile(r"[\x00-\x20\x7f-\xff]")
UNSAFE_IN_HEADER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
STALE_CONNECTION = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds the lease on."""

    id: int
    activity_id: uuid.UUID
    inbox: str
    attempts: int


@dataclass(frozen=True)
class Result:
    delivery: Claimed
    status: int | None  # the HTTP status, or None when no answer came
    error: str = ""


def own_id(data: dict) -> uuid.UUID:
    """The UUID in an activity id we minted (the builders mint them), or a fresh one."""
    return ids.activity_uuid(str(data.get("id") or "")) or uuid.uuid4()


def record(chapter, data: dict, object_key: str = "", public: bool = True) -> Activity:
    """Store an activity under its own id (the id in the JSON is always our URL for the row)."""
    activity_id = own_id(data)
    data = {**data, "id": ids.activity_id(activity_id)}
    return Activity.objects.create(
        id=activity_id,
        chapter=chapter,
        type=str(data.get("type", ""))[:20],
        object_key=object_key,
        data=data,
        public=public,
    )


def follower_inboxes(chapter) -> list[str]:
    """Where the chapter's followers read: each shared inbox once, else each personal inbox."""
    inbox = Coalesce(NullIf(F("actor__shared_inbox"), Value("")), F("actor__inbox"))
    found = Follower.objects.filter(chapter=chapter).annotate(target=inbox)
    return sorted(set(found.values_list("target", flat=True)))


@transaction.atomic
def publish(chapter, activity: dict, object_key: str = "") -> Activity:
    """Put an activity in the chapter's outbox and queue it for every follower's inbox."""
    stored = record(chapter, activity, object_key, public=True)
    queue(stored, follower_inboxes(chapter))
    return stored


@transaction.atomic
def send_to(chapter, activity: dict, inboxes: list[str], public: bool = False) -> Activity:
    """Send an activity to chosen inboxes only (an Accept to a follower, a Follow to a Group)."""
    stored = record(chapter, activity, public=public)
    queue(stored, list(dict.fromkeys(inbox for inbox in inboxes if inbox)))
    return stored


def queue(activity: Activity, inboxes: list[str]) -> None:
    """One row per inbox, and a delivery run once the rows are committed."""
    if not inboxes:
        return
    rows = [Delivery(activity=activity, inbox=inbox) for inbox in inboxes]
    Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    from federation import tasks

    enqueue_on_commit(tasks.deliver)


def claim_due(limit: int = BATCH, now: datetime | None = None) -> list[Claimed]:
    """Take up to `limit` due rows: their next attempt moves one lease ahead, so no one else
    takes them, and they fall due again if this worker dies before it records the outcome."""
    now = now or timezone.now()
    with transaction.atomic():
        due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt__lte=now)
        # SKIP LOCKED lets workers share the queue on PostgreSQL; SQLite's IMMEDIATE
        # transactions already let only one writer in at a time.
        rows = list(
            due.select_for_update(skip_locked=True)
            .order_by("next_attempt", "id")
            .values_list("id", "activity_id", "inbox", "attempts")[:limit]
        )
        if rows:
            Delivery.objects.filter(id__in=[row[0] for row in rows]).update(
                next_attempt=now + LEASE
            )
    return [Claimed(*row) for row in rows]


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: doubling from a minute, capped at 12 h, ±10 % jitter so a
    recovering server is not hit by every retry in the same second."""
    wait = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)
    return wait * random.uniform(0.9, 1.1)  # noqa: S311 - spread, not secrecy


def verdict(result: Result) -> str:
    """sent, retry or give_up, from what the inbox answered (or did not)."""
    status = result.status
    if status is not None and 200 <= status < 300:
        return "sent"
    if status is not None and 400 <= status < 500 and status not in RETRY_STATUSES:
        return "give_up"
    if result.delivery.attempts + 1 >= MAX_ATTEMPTS:
        return "give_up"
    return "retry"


def request_bytes(target: str, headers: dict, body: bytes) -> bytes:
    """A POST as it goes on the wire; the target and header values come from peers' URLs,
    so anything that could end a line or a field is refused (as http.client refuses it)."""
    if UNSAFE_IN_TARGET.search(target):
        raise ValueError(f"refused an inbox path with spaces or control characters: {target!r}")
    lines = [f"POST {target} HTTP/1.1"]
    for name, value in {**headers, "Content-Length": str(len(body))}.items():
        if UNSAFE_IN_HEADER.search(f"{name}{value}"):
            raise ValueError(f"refused a control character in the {name} header")
        lines.append(f"{name}: {value}")
    return "\r\n".join([*lines, "", ""]).encode("ascii") + body


class InboxClient:
    """Keep-alive POSTs for one sending thread: one open connection per inbox origin.

    Each connection is opened by safefetch's guard (https only, public addresses only, the
    checked address pinned), so reusing it for the next inbox on that host skips only the
    TCP and TLS handshakes, never a check. POSTs are not redirected.
    """

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.user_agent = f"Chapterhouse (+{settings.SITE_URL}/)"
        self.open: dict[tuple, http.client.HTTPConnection] = {}

    def post(self, url: str, body: bytes, sign_as: tuple[str, str]) -> int:
        """The status the inbox answered; FetchError, OSError or HTTPException if none came."""
        from federation import httpsig, safefetch

        scheme, host, port = safefetch.checked_url(url)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": self.user_agent, "Content-Type": AP_CONTENT_TYPE}
        headers = httpsig.sign_request("POST", url, body, *sign_as, headers)
        reused = (scheme, host, port) in self.open
        try:
            return self.exchange((scheme, host, port), url, target, body, headers)
        except STALE_CONNECTION:
            # The peer closed an idle connection before reading this request: once more, fresh.
            if not reused:
                raise
            return self.exchange((scheme, host, port), url, target, body, headers)

    def exchange(self, origin: tuple, url: str, target: str, body: bytes, headers: dict) -> int:
        from federation import safefetch

        deadline = time.monotonic() + self.timeout
        connection = self.open.get(origin) or self.connect(origin)
        try:
            connection.pinned_socket.settimeout(self.timeout)
            # One write for the whole request: half the wake-ups of headers then body.
            connection.sock.sendall(request_bytes(target, headers, body))
            reply = http.client.HTTPResponse(connection.sock, method="POST")
            reply.begin()
            safefetch.read_capped(reply, deadline, MAX_ANSWER, url, connection)
            reply.close()
        except BaseException:
            self.drop(origin)
            raise
        if reply.will_close:
            self.drop(origin)
        return reply.status

    def connect(self, origin: tuple) -> http.client.HTTPConnection:
        """A new connection through safefetch's guard, kept for the next inbox on its host."""
        from federation import safefetch

        if len(self.open) >= OPEN_PER_THREAD:
            self.drop(next(iter(self.open)))  # the longest open: followers span many hosts
        addresses = safefetch.resolve_public(origin[1], origin[2])
        connection = self.open[origin] = safefetch.open_connection(*origin, addresses, self.timeout)
        try:
            connection.connect()
            # Headers and body go out in two writes: without this, a reused connection
            # waits out the peer's delayed ACK (40 ms) on every request.
            connection.pinned_socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except BaseException:
            self.drop(origin)
            raise
        return connection

    def drop(self, origin: tuple) -> None:
        connection = self.open.pop(origin, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for origin in list(self.open):
            self.drop(origin)


class Sender:
    """Signs and POSTs claimed rows: bodies and keys read once, a keep-alive client per thread."""

    def __init__(self):
        self.bodies: dict[uuid.UUID, bytes] = {}
        self.signers: dict[uuid.UUID, tuple[str, str]] = {}
        self.timeout = getattr(settings, "FEDERATION_DELIVERY_TIMEOUT", TIMEOUT)
        self.local = threading.local()
        self.clients: list[InboxClient] = []

    def load(self, claimed: list[Claimed]) -> None:
        missing = {row.activity_id for row in claimed} - self.bodies.keys()
        for activity in Activity.objects.filter(id__in=missing).select_related("chapter"):
            self.bodies[activity.id] = json.dumps(activity.data).encode()
            self.signers[activity.id] = signer_for(activity.chapter)

    def client(self) -> InboxClient:
        client = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = InboxClient(self.timeout)
            self.clients.append(client)  # list.append is atomic: no lock needed
        return client

    def send(self, row: Claimed) -> Result:
        try:
            status = self.client().post(
                row.inbox, self.bodies[row.activity_id], self.signers[row.activity_id]
            )
        except Exception as error:  # any failure to send is retried, never fatal
            return Result(row, None, f"{type(error).__name__}: {error}"[:1000])
        return Result(row, status, "" if status < 300 else f"HTTP {status}")

    def close(self) -> None:
        for client in self.clients:
            client.close()


def signer_for(chapter) -> tuple[str, str]:
    """(key id, private key PEM) of the chapter's Group actor, or of the instance actor."""
    from federation.keys import signing_identity

    return signing_identity(chapter)


def record_results(results: list[Result], now: datetime | None = None) -> None:
    """Write what happened: sent rows in one statement, each retry and give-up on its own."""
    now = now or timezone.now()
    by_verdict: dict[str, list[Result]] = {"sent": [], "retry": [], "give_up": []}
    for result in results:
        by_verdict[verdict(result)].append(result)
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING)
    with transaction.atomic():
        if by_verdict["sent"]:
            pending.filter(id__in=[result.delivery.id for result in by_verdict["sent"]]).update(
                status=Delivery.Status.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                last_error="",
            )
        for result in by_verdict["retry"]:
            attempts = result.delivery.attempts + 1
            pending.filter(id=result.delivery.id).update(
                attempts=attempts, next_attempt=now + backoff(attempts), last_error=result.error
            )
        for result in by_verdict["give_up"]:
            pending.filter(id=result.delivery.id).update(
                status=Delivery.Status.GIVEN_UP,
                attempts=result.delivery.attempts + 1,
                last_error=result.error,
            )
    for result in by_verdict["give_up"]:
        logger.warning(
            "Gave up delivering activity %s to %s after %d attempts: %s",
            result.delivery.activity_id,
            result.delivery.inbox,
            result.delivery.attempts + 1,
            result.error,
        )


def deliver_due(budget: timedelta = RUN_BUDGET, threads: int = THREADS) -> int:
    """Send every due delivery, batch by batch, for at most `budget`; return how many were tried.

    What is left (retries, or rows beyond the budget) is picked up by a later run.
    """
    started, tried = time.monotonic(), 0
    sender = Sender()
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="delivery") as pool:
        while time.monotonic() - started < budget.total_seconds():
            claimed = claim_due()
            if not claimed:
                break
            sender.load(claimed)
            record_results(list(pool.map(sender.send, claimed)))
            tried += len(claimed)
    sender.close()
    schedule_next_run()
    return tried


def schedule_next_run() -> None:
    """Queue the next run for the earliest pending row, if the queue can hold it till then."""
    from federation import tasks

    earliest = Delivery.objects.filter(status=Delivery.Status.PENDING).aggregate(
        at=Min("next_attempt")
    )["at"]
    if earliest is None:
        return
    if task_backends[tasks.deliver.backend].supports_defer:
        tasks.deliver.using(run_after=earliest).enqueue()
    elif earliest <= timezone.now():
        tasks.deliver.enqueue()
