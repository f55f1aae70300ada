"""Deliveries against a real HTTP inbox on loopback: signatures, retries, give-ups, restarts."""

import datetime as dt
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.utils import timezone

from federation import activities, delivery, httpsig, ids, keys
from federation.models import Activity, Delivery, Follower, RemoteActor
from tests.conftest import free_port
from tests.factories import ChapterFactory

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class InboxServer(ThreadingHTTPServer):
    """Records every request. /status/NNN/... answers NNN, /slow/... answers late, others 202."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self):
        super().__init__(("127.0.0.1", free_port()), RecordingHandler)
        self.requests: list[dict] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def to(self, path: str) -> list[dict]:
        return [request for request in self.requests if request["path"] == path]


class RecordingHandler(BaseHTTPRequestHandler):
    """Keep-alive like real inboxes; /drop/... closes the connection without saying so."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": body,
                    "connection": self.client_address,
                }
            )
        parts = self.path.split("/")
        if parts[1] == "slow":
            time.sleep(1.5)
        status = int(parts[2]) if parts[1] == "status" else 202
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.close_connection = parts[1] == "drop"

    def log_message(self, *args):
        pass


@pytest.fixture
def inbox_server(settings):
    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = True
    settings.FEDERATION_DELIVERY_TIMEOUT = 0.5
    server = InboxServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_worker(settings):
    """Queued delivery runs wait, so each test runs them itself."""
    settings.TASKS = DUMMY_TASKS


def follower(chapter, inbox: str, shared_inbox: str = "") -> Follower:
    number = RemoteActor.objects.count()
    actor = RemoteActor.objects.create(
        uri=f"https://remote.example/users/{number}",
        preferred_username=f"user{number}",
        inbox=inbox,
        shared_inbox=shared_inbox,
    )
    return Follower.objects.create(chapter=chapter, actor=actor)


def note_activity(chapter) -> dict:
    note = {"id": f"{ids.chapter_actor_id(chapter)}notes/1", "type": "Note", "content": "Hi"}
    return activities.wrap("Create", chapter, note)


def deliveries() -> list[Delivery]:
    return list(Delivery.objects.order_by("inbox"))


def test_publish_queues_one_delivery_per_inbox_shared_inboxes_once(chapter, no_worker):
    shared = "https://big.example/inbox"
    for number in range(3):
        follower(chapter, f"https://big.example/users/{number}/inbox", shared)
    follower(chapter, "https://small.example/users/alice/inbox")
    follower(ChapterFactory(slug="elsewhere"), "https://elsewhere.example/inbox")

    activity = delivery.publish(chapter, note_activity(chapter), "note:1")

    assert [row.inbox for row in deliveries()] == [
        "https://big.example/inbox",
        "https://small.example/users/alice/inbox",
    ]
    assert {row.activity_id for row in deliveries()} == {activity.id}
    assert activity.public and activity.object_key == "note:1"
    assert activity.data["id"] == ids.activity_id(activity.id)


def test_publish_without_followers_keeps_the_activity_in_the_outbox(chapter, no_worker):
    activity = delivery.publish(chapter, note_activity(chapter))

    assert Activity.objects.filter(pk=activity.pk, public=True).exists()
    assert not Delivery.objects.exists()


def test_send_to_targets_the_given_inboxes_once_and_stays_out_of_the_outbox(chapter, no_worker):
    inboxes = ["https://a.example/inbox", "https://a.example/inbox", "", "https://b.example/x"]

    activity = delivery.send_to(chapter, note_activity(chapter), inboxes)

    assert not activity.public
    assert [row.inbox for row in deliveries()] == ["https://a.example/inbox", "https://b.example/x"]


def test_delivered_posts_are_signed_and_verify(chapter, inbox_server, no_worker):
    follower(chapter, f"{inbox_server.url}/users/1/inbox")
    activity = delivery.publish(chapter, note_activity(chapter))

    assert delivery.deliver_due() == 1

    [request] = inbox_server.to("/users/1/inbox")
    assert json.loads(request["body"]) == activity.data
    assert request["headers"]["Content-Type"] == "application/activity+json"
    assert request["headers"]["Digest"] == httpsig.digest_header(request["body"])
    key_id = httpsig.verify_request(
        "POST", "/users/1/inbox", request["headers"], request["body"], keys.public_key_pem(chapter)
    )
    assert key_id == ids.key_id(chapter)
    [row] = deliveries()
    assert row.status == Delivery.Status.SENT and row.attempts == 1 and row.sent_at


def test_instance_activities_are_signed_with_the_instance_key(db, inbox_server, no_worker):
    delivery.send_to(None, {"type": "Note", "id": "x"}, [f"{inbox_server.url}/actor-inbox"])

    delivery.deliver_due()

    [request] = inbox_server.to("/actor-inbox")
    key_id = httpsig.verify_request(
        "POST", "/actor-inbox", request["headers"], request["body"], keys.public_key_pem(None)
    )
    assert key_id == ids.key_id(None)


def test_a_tampered_body_does_not_verify(chapter, inbox_server, no_worker):
    follower(chapter, f"{inbox_server.url}/users/1/inbox")
    delivery.publish(chapter, note_activity(chapter))
    delivery.deliver_due()
    [request] = inbox_server.requests

    with pytest.raises(httpsig.SignatureError):
        httpsig.verify_request(
            "POST", "/users/1/inbox", request["headers"], request["body"] + b" ",
            keys.public_key_pem(chapter),
        )  # fmt: skip


def assert_retry_in(row: Delivery, before: dt.datetime, minutes: float) -> None:
    wait = (row.next_attempt - before).total_seconds()
    assert minutes * 60 * 0.9 - 1 <= wait <= minutes * 60 * 1.1 + 5, wait


@pytest.mark.parametrize("status", [500, 503, 408, 429])
def test_server_errors_are_retried_with_exponential_backoff(
    chapter, inbox_server, no_worker, status
):
    follower(chapter, f"{inbox_server.url}/status/{status}/inbox")
    delivery.publish(chapter, note_activity(chapter))

    before = timezone.now()
    delivery.deliver_due()
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, f"HTTP {status}")
    assert_retry_in(row, before, 1)

    Delivery.objects.update(next_attempt=timezone.now())
    before = timezone.now()
    delivery.deliver_due()
    [row] = deliveries()
    assert (row.status, row.attempts) == ("pending", 2)
    assert_retry_in(row, before, 2)
    assert len(inbox_server.requests) == 2


def test_waits_double_up_to_twelve_hours():
    waits = [delivery.backoff(attempt).total_seconds() / 60 for attempt in range(1, 16)]

    assert 0.9 <= waits[0] <= 1.1 and 1.8 <= waits[1] <= 2.2 and 3.6 <= waits[2] <= 4.4
    assert all(12 * 60 * 0.9 <= wait <= 12 * 60 * 1.1 for wait in waits[10:])
    # The give-up comes after about three days of trying.
    total_hours = sum(waits[: delivery.MAX_ATTEMPTS - 1]) / 60
    assert 60 <= total_hours <= 90, total_hours


def test_a_timeout_is_retried(chapter, inbox_server, no_worker):
    follower(chapter, f"{inbox_server.url}/slow/inbox")
    delivery.publish(chapter, note_activity(chapter))

    delivery.deliver_due()

    [row] = deliveries()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error and row.next_attempt > timezone.now()


def test_a_refused_connection_is_retried(chapter, settings, no_worker):
    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = True
    follower(chapter, f"http://127.0.0.1:{free_port()}/inbox")
    delivery.publish(chapter, note_activity(chapter))

    delivery.deliver_due()

    [row] = deliveries()
    assert (row.status, row.attempts) == ("pending", 1) and row.last_error


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_client_errors_give_up_at_once_and_are_logged(
    chapter, inbox_server, no_worker, caplog, status
):
    follower(chapter, f"{inbox_server.url}/status/{status}/inbox")
    delivery.publish(chapter, note_activity(chapter))

    with caplog.at_level(logging.WARNING, logger="federation.delivery"):
        delivery.deliver_due()

    [row] = deliveries()
    assert (row.status, row.attempts, row.last_error) == ("given_up", 1, f"HTTP {status}")
    assert f"/status/{status}/inbox" in caplog.text and "Gave up" in caplog.text
    Delivery.objects.update(next_attempt=timezone.now() - dt.timedelta(hours=1))
    delivery.deliver_due()
    assert len(inbox_server.requests) == 1


def test_gives_up_after_the_last_attempt(chapter, inbox_server, no_worker, caplog):
    follower(chapter, f"{inbox_server.url}/status/500/inbox")
    delivery.publish(chapter, note_activity(chapter))
    Delivery.objects.update(attempts=delivery.MAX_ATTEMPTS - 1)

    with caplog.at_level(logging.WARNING, logger="federation.delivery"):
        delivery.deliver_due()

    [row] = deliveries()
    assert (row.status, row.attempts) == ("given_up", delivery.MAX_ATTEMPTS)
    assert "Gave up" in caplog.text


def test_unsafe_addresses_are_not_delivered_to(chapter, settings, no_worker):
    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = False
    follower(chapter, "https://169.254.169.254/inbox")
    delivery.publish(chapter, note_activity(chapter))

    delivery.deliver_due()

    [row] = deliveries()
    assert row.status != Delivery.Status.SENT and row.last_error


def test_a_claimed_row_falls_due_again_after_the_lease(chapter, inbox_server, no_worker):
    follower(chapter, f"{inbox_server.url}/users/1/inbox")
    delivery.publish(chapter, note_activity(chapter))
    now = timezone.now()

    # A worker claims the row and dies before sending it.
    assert len(delivery.claim_due(now=now)) == 1
    assert delivery.claim_due(now=now + delivery.LEASE - dt.timedelta(seconds=1)) == []
    assert delivery.deliver_due() == 0
    assert inbox_server.requests == []

    # Once the lease runs out another worker takes it, and sends it once.
    [claimed] = delivery.claim_due(now=now + delivery.LEASE + dt.timedelta(seconds=1))
    assert claimed.inbox == f"{inbox_server.url}/users/1/inbox"
    Delivery.objects.update(next_attempt=timezone.now())
    delivery.deliver_due()
    assert len(inbox_server.requests) == 1
    assert deliveries()[0].status == Delivery.Status.SENT


def test_a_sent_row_is_never_sent_again(chapter, inbox_server, no_worker):
    follower(chapter, f"{inbox_server.url}/users/1/inbox")
    delivery.publish(chapter, note_activity(chapter))
    delivery.deliver_due()

    # Even if its next attempt looks due, as after a restart in the middle of a run.
    Delivery.objects.update(next_attempt=timezone.now() - dt.timedelta(days=1))
    assert delivery.claim_due() == []
    assert delivery.deliver_due() == 0
    assert len(inbox_server.requests) == 1


def test_an_outcome_for_a_row_another_worker_finished_changes_nothing(chapter, no_worker):
    follower(chapter, "https://remote.example/inbox")
    delivery.publish(chapter, note_activity(chapter))
    [claimed] = delivery.claim_due()
    Delivery.objects.update(status=Delivery.Status.SENT)

    delivery.record_results([delivery.Result(claimed, 500, "HTTP 500")])

    [row] = deliveries()
    assert (row.status, row.attempts) == ("sent", 0)


def test_many_deliveries_go_out_in_batches(chapter, inbox_server, no_worker):
    for number in range(delivery.BATCH + 5):
        follower(chapter, f"{inbox_server.url}/users/{number}/inbox")
    delivery.publish(chapter, note_activity(chapter))

    assert delivery.deliver_due() == delivery.BATCH + 5

    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == delivery.BATCH + 5
    assert len({request["path"] for request in inbox_server.requests}) == delivery.BATCH + 5


@pytest.mark.django_db(transaction=True)
def test_the_queued_task_delivers_once_the_transaction_commits(inbox_server):
    chapter = ChapterFactory()
    follower(chapter, f"{inbox_server.url}/users/1/inbox")

    with transaction.atomic():
        delivery.publish(chapter, note_activity(chapter))
        assert inbox_server.requests == []

    assert len(inbox_server.requests) == 1
    assert deliveries()[0].status == Delivery.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_publish_sends_nothing(inbox_server):
    chapter = ChapterFactory()
    follower(chapter, f"{inbox_server.url}/users/1/inbox")

    with pytest.raises(RuntimeError), transaction.atomic():
        delivery.publish(chapter, note_activity(chapter))
        raise RuntimeError

    assert inbox_server.requests == [] and not Delivery.objects.exists()


def test_hosts_in_inbox_urls_are_sent_as_given(chapter, inbox_server, no_worker):
    follower(chapter, f"{inbox_server.url}/users/1/inbox")
    delivery.publish(chapter, note_activity(chapter))
    delivery.deliver_due()

    [request] = inbox_server.requests
    assert request["headers"]["Host"] == urlsplit(inbox_server.url).netloc


def test_a_connection_is_kept_alive_for_the_next_inbox_on_its_host(
    chapter, inbox_server, no_worker
):
    for number in range(10):
        follower(chapter, f"{inbox_server.url}/users/{number}/inbox")
    delivery.publish(chapter, note_activity(chapter))

    delivery.deliver_due(threads=1)

    assert len(inbox_server.requests) == 10
    assert len({request["connection"] for request in inbox_server.requests}) == 1


def test_a_connection_the_peer_closed_is_reopened_and_the_post_sent_once(
    chapter, inbox_server, no_worker
):
    for number in range(3):
        follower(chapter, f"{inbox_server.url}/drop/{number}/inbox")
    delivery.publish(chapter, note_activity(chapter))

    delivery.deliver_due(threads=1)

    assert sorted(request["path"] for request in inbox_server.requests) == [
        f"/drop/{number}/inbox" for number in range(3)
    ]
    assert {row.status for row in deliveries()} == {Delivery.Status.SENT}


def test_an_inbox_url_cannot_smuggle_headers(chapter, inbox_server, no_worker):
    follower(chapter, f"{inbox_server.url}/inbox\r\nX-Smuggled: yes\r\n")
    delivery.publish(chapter, note_activity(chapter))

    delivery.deliver_due()

    assert inbox_server.requests == []
    [row] = deliveries()
    assert row.status == Delivery.Status.PENDING and "refused" in row.last_error
