"""A remote server for federation tests: real HTTP on loopback, no mocks.

It serves WebFinger, one Group actor with a key made for the test, any documents a
test adds, and records every request we make to it. Test modules load it with
`pytest_plugins = ["tests.federation.fake_remote"]` for the `remote`, `make_remote` and
`run_tasks` fixtures.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from federation import httpsig, keys
from tests.conftest import free_port

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"


class FakeRemote(ThreadingHTTPServer):
    """Another server: one Group actor with its own key, documents by path, a recording inbox."""

    daemon_threads = True

    def __init__(self, username: str = "remote"):
        super().__init__(("127.0.0.1", free_port()), FakeRemoteHandler)
        self.username = username
        self.private_pem, self.public_pem = keys.generate_pem_pair()
        self.documents: dict[str, dict] = {}
        self.received: list[dict] = []
        self.fetched: list[dict] = []
        self.lock = threading.Lock()
        self.documents[urlsplit(self.actor_id).path] = self.actor_document()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    @property
    def handle(self) -> str:
        return f"@{self.username}@{self.host}"

    @property
    def actor_id(self) -> str:
        return f"{self.url}/groups/{self.username}"

    @property
    def key_id(self) -> str:
        return f"{self.actor_id}#main-key"

    def actor_document(self) -> dict:
        return {
            "@context": [AS_CONTEXT, "https://w3id.org/security/v1"],
            "id": self.actor_id,
            "type": "Group",
            "preferredUsername": self.username,
            "name": "Remote Chapter",
            "summary": "<p>Hello<script>alert(1)</script></p>",
            "url": f"{self.url}/@{self.username}",
            "inbox": f"{self.actor_id}/inbox",
            "outbox": f"{self.actor_id}/outbox",
            "endpoints": {"sharedInbox": f"{self.url}/inbox"},
            "publicKey": {
                "id": self.key_id,
                "owner": self.actor_id,
                "publicKeyPem": self.public_pem,
            },
        }

    def add(self, document: dict) -> dict:
        """Serve a document at the path of its id."""
        self.documents[urlsplit(document["id"]).path] = document
        return document

    def to(self, path: str) -> list[dict]:
        return [request for request in self.received if request["path"] == path]

    def activities_to(self, path: str) -> list[dict]:
        return [json.loads(request["body"]) for request in self.to(path)]

    def post_body(self, client, path: str, body: bytes, **options):
        """POST a body to our site signed as this server would.

        Options: `headers` to sign with (e.g. an old Date), `send_body` to send instead of
        the signed body, `key_id` and `private_pem` to sign with another key.
        """
        headers = httpsig.sign_request(
            "POST",
            f"http://testserver{path}",
            body,
            options.get("key_id", self.key_id),
            options.get("private_pem", self.private_pem),
            options.get("headers"),
        )
        headers.pop("Content-Type", None)
        sent = options.get("send_body", body)
        return client.post(path, sent, content_type="application/activity+json", headers=headers)

    def post(self, client, path: str, activity: dict, **options):
        """POST an activity to one of our inboxes, signed by this server's Group."""
        return self.post_body(client, path, json.dumps(activity).encode(), **options)


class FakeRemoteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        parts = urlsplit(self.path)
        with self.server.lock:
            self.server.fetched.append({"path": parts.path, "headers": dict(self.headers.items())})
        if parts.path == "/.well-known/webfinger":
            self.answer_webfinger(parse_qs(parts.query).get("resource", [""])[0])
        elif parts.path in self.server.documents:
            self.answer(200, self.server.documents[parts.path], "application/activity+json")
        else:
            self.answer(404, {"error": "not found"})

    def answer_webfinger(self, resource: str):
        server = self.server
        if resource != f"acct:{server.username}@{server.host}":
            self.answer(404, {"error": "no such account"})
            return
        links = [{"rel": "self", "type": "application/activity+json", "href": server.actor_id}]
        self.answer(200, {"subject": resource, "links": links}, "application/jrd+json")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.received.append(
                {"path": self.path, "headers": dict(self.headers.items()), "body": body}
            )
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def answer(self, status: int, document: dict, content_type: str = "application/json"):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(server: ThreadingHTTPServer):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def make_remote(settings):
    """Start remote servers on loopback; tests allow plain http and loopback for them."""
    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = True
    settings.FEDERATION_DELIVERY_TIMEOUT = 2.0
    started: list[FakeRemote] = []

    def start(username: str = "remote") -> FakeRemote:
        started.append(serve(FakeRemote(username)))
        return started[-1]

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture
def remote(make_remote) -> FakeRemote:
    """One remote server with a Group named "remote"."""
    return make_remote()


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what is queued on commit (processing, then deliveries) as a real commit would."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run
