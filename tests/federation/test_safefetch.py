"""The outbound guard: refused addresses and schemes, redirects, caps, and real requests."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from federation import httpsig, safefetch
from federation.safefetch import FetchError

BIG = 50 * 1024 * 1024


class Peer(BaseHTTPRequestHandler):
    """A small ActivityPub-ish server with the misbehaviours the guard must survive."""

    protocol_version = "HTTP/1.1"
    seen: list[dict] = []
    stream_done = threading.Event()
    stream_finished = False

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.record(b"")
        self.route()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.record(self.rfile.read(length))
        self.route()

    def record(self, body: bytes) -> None:
        Peer.seen.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )

    def route(self):
        port = self.server.server_address[1]
        path = self.path.split("?")[0]
        routes = {
            "/actor": lambda: self.send(200, json.dumps({"id": "x", "type": "Group"}).encode()),
            "/echo": lambda: self.send(200, b"{}"),
            "/list": lambda: self.send(200, b"[1, 2]"),
            "/text": lambda: self.send(200, b"<html>hello</html>", "text/html"),
            "/deep": lambda: self.send(200, b"[" * 100_000),
            "/same-host": lambda: self.redirect("/actor"),
            "/other-host": lambda: self.redirect(f"http://localhost:{port}/actor"),
            "/loop": lambda: self.redirect("/loop"),
            "/declared-big": lambda: self.send(200, b"{}", length=str(BIG)),
            "/stream": self.stream,
            "/slow": self.slow,
        }
        routes.get(path, lambda: self.send(404, b"{}"))()

    def send(self, status, body, content_type="application/activity+json", length=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", length or str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream(self):
        """Fifty megabytes without a Content-Length: only reading less than all of it helps."""
        self.send_response(200)
        self.send_header("Content-Type", "application/activity+json")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            for _ in range(BIG // 65536):
                self.wfile.write(b" " * 65536)
            Peer.stream_finished = True
        except OSError:
            pass
        finally:
            Peer.stream_done.set()

    def slow(self):
        time.sleep(2)
        self.send(200, b"{}")


@pytest.fixture(scope="module")
def peer():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Peer)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def local(settings, peer):
    """The peer on loopback, reachable because tests allow private networks."""
    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = True
    Peer.seen.clear()
    return peer


@pytest.fixture
def guarded(settings):
    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = False
    Peer.seen.clear()


@pytest.fixture(scope="module")
def key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


KEY_ID = "http://testserver/actor#main-key"


# Refused before any connection --------------------------------------------------------------


@pytest.mark.usefixtures("guarded")
@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/actor",
        "ftp://example.com/actor",
        "file:///etc/passwd",
        "gopher://example.com/",
    ],
)
def test_only_https_is_fetched(url):
    with pytest.raises(FetchError, match="only https"):
        safefetch.fetch(url)


@pytest.mark.usefixtures("guarded")
@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1.2.3",
        "[::1]",
        "10.0.0.1",
        "10.255.255.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.10",
        "169.254.169.254",
        "[fc00::1]",
        "[fd00:ec2::254]",
        "[fe80::1]",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",  # noqa: S104
        "[::]",
        "[::ffff:127.0.0.1]",
        "[::ffff:169.254.169.254]",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "198.18.0.1",
        "2130706433",
        "localhost",
    ],
)
def test_non_public_addresses_are_refused(host):
    with pytest.raises(FetchError, match="is not a public address"):
        safefetch.fetch(f"https://{host}/actor")


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "2a01:4f8::1"]
)
def test_public_addresses_are_allowed(address):
    assert safefetch.is_public_address(address)


def test_a_guarded_fetch_never_reaches_a_local_server(guarded, peer):
    port = peer.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is not a public address"):
        safefetch.fetch(f"https://127.0.0.1:{port}/echo")
    assert Peer.seen == []


def test_an_unresolvable_host_is_refused(guarded):
    with pytest.raises(FetchError, match="cannot resolve"):
        safefetch.fetch("https://no-such-host.invalid/actor")


# Against a real local server ----------------------------------------------------------------


def test_fetch_json_reads_an_activity_document(local):
    assert safefetch.fetch_json(f"{local}/actor") == {"id": "x", "type": "Group"}
    assert Peer.seen[0]["headers"]["Accept"] == safefetch.ACTIVITY_ACCEPT
    assert Peer.seen[0]["headers"]["User-Agent"].startswith("Chapterhouse")


def test_fetch_returns_status_headers_and_body(local):
    response = safefetch.fetch(f"{local}/text")
    assert response.status == 200
    assert response.headers["content-type"] == "text/html"
    assert response.body == b"<html>hello</html>"
    assert response.url == f"{local}/text"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "answered 404"),
        ("/text", "did not return JSON"),
        ("/list", "not return a JSON object"),
        ("/deep", "did not return JSON"),
    ],
)
def test_fetch_json_refuses_what_is_not_a_json_object(local, path, message):
    with pytest.raises(FetchError, match=message):
        safefetch.fetch_json(f"{local}{path}")


def test_a_same_host_redirect_is_followed(local):
    response = safefetch.fetch(f"{local}/same-host")
    assert response.status == 200
    assert response.url == f"{local}/actor"
    assert [seen["path"] for seen in Peer.seen] == ["/same-host", "/actor"]


def test_a_redirect_to_another_host_is_refused(local):
    with pytest.raises(FetchError, match=r"redirect .* to another host"):
        safefetch.fetch(f"{local}/other-host")
    assert [seen["path"] for seen in Peer.seen] == ["/other-host"]


def test_a_redirect_loop_is_capped(local):
    with pytest.raises(FetchError, match="more than 3 redirects"):
        safefetch.fetch(f"{local}/loop")
    assert len(Peer.seen) == 4


def test_a_redirected_post_is_returned_not_followed(local):
    response = safefetch.fetch(f"{local}/same-host", method="POST", body=b"{}")
    assert response.status == 302
    assert len(Peer.seen) == 1


def test_a_declared_oversize_answer_is_refused(local):
    with pytest.raises(FetchError, match="larger than 1000000 bytes"):
        safefetch.fetch(f"{local}/declared-big")


def test_an_endless_answer_is_cut_at_the_cap(local):
    Peer.stream_done.clear()
    Peer.stream_finished = False
    with pytest.raises(FetchError, match="larger than 100000 bytes"):
        safefetch.fetch(f"{local}/stream", max_bytes=100_000)
    assert Peer.stream_done.wait(10)
    assert not Peer.stream_finished


def test_a_slow_server_times_out(local):
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        safefetch.fetch(f"{local}/slow", timeout=0.3)
    assert time.monotonic() - started < 1.9


def test_a_refused_connection_is_a_fetch_error(local):
    with pytest.raises(FetchError):
        safefetch.fetch("http://127.0.0.1:9/actor", timeout=2)


@pytest.mark.parametrize("path", ["/ac tor", "/act\u00f6r", "/actor\r\nX-Injected: 1"])
def test_a_malformed_url_is_a_fetch_error(local, path):
    with pytest.raises(FetchError):
        safefetch.fetch(f"{local}{path}")
    assert Peer.seen == []


def test_a_lower_case_get_follows_redirects_too(local):
    assert safefetch.fetch(f"{local}/same-host", method="get").status == 200


def test_a_signed_get_arrives_verifiable(local, key_pair):
    safefetch.fetch_json(f"{local}/actor?page=1", sign_as=(KEY_ID, key_pair[0]))
    seen = Peer.seen[0]
    assert "Signature" in seen["headers"]
    assert seen["headers"]["Host"] == local.removeprefix("http://")
    key_id = httpsig.verify_request("GET", seen["path"], seen["headers"], b"", key_pair[1])
    assert key_id == KEY_ID


def test_a_signed_post_arrives_verifiable(local, key_pair):
    body = b'{"type": "Create"}'
    response = safefetch.fetch(
        f"{local}/echo", method="POST", body=body, sign_as=(KEY_ID, key_pair[0])
    )
    assert response.status == 200
    seen = Peer.seen[0]
    assert seen["body"] == body
    assert seen["headers"]["Content-Type"] == "application/activity+json"
    assert httpsig.verify_request("POST", "/echo", seen["headers"], body, key_pair[1]) == KEY_ID


def test_a_server_that_closes_the_connection_after_answering(settings):
    """HTTP/1.0 peers (and `Connection: close`) end the connection with the answer."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Closing(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            body = b'{"type": "Group"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/activity+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = True
    server = HTTPServer(("127.0.0.1", 0), Closing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert safefetch.fetch_json(f"http://127.0.0.1:{server.server_port}/g") == {"type": "Group"}
    finally:
        server.shutdown()
        server.server_close()


def test_the_deploy_check_refuses_private_networks(settings):
    from django.core.checks import run_checks

    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = True
    errors = run_checks(include_deployment_checks=True)
    assert "federation.E001" in {error.id for error in errors}
    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = False
    assert "federation.E001" not in {e.id for e in run_checks(include_deployment_checks=True)}
