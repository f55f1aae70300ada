"""The one way federation talks to other servers.

Actor documents, keys, WebFinger answers and inbox URLs all come from strangers, so every
outbound request passes the same guard: https only; every address the host resolves to
must be public (no loopback, private, link-local, CGNAT, metadata or other reserved
ranges, IPv6 and IPv4-in-IPv6 included); the connection goes to the address that was
checked, never to a second DNS answer; redirects stay on the same origin and are checked
again; time and size are capped. `FEDERATION_ALLOW_PRIVATE_NETWORKS`, a setting only tests
turn on, allows plain http and local addresses so two instances can talk on loopback.
"""

import contextlib
import http.client
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from federation import httpsig

ACTIVITY_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MAX_REDIRECTS = 3
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024
# Ranges Python's `is_global` still calls global, or that carry an IPv4 address inside.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """A request the guard refused, or one that failed; the message says which."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str


def private_networks_allowed() -> bool:
    return bool(getattr(settings, "FEDERATION_ALLOW_PRIVATE_NETWORKS", False))


def fetch(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict | None = None,
    sign_as: tuple[str, str] | None = None,
    timeout: float = 10.0,
    max_bytes: int = 1_000_000,
) -> Response:
    """One guarded request; same-origin redirects of a GET are followed, each checked anew."""
    deadline = time.monotonic() + timeout
    method = method.upper()
    for _ in range(MAX_REDIRECTS + 1):
        response = _request_once(url, method, body, headers, sign_as, deadline, max_bytes)
        location = response.headers.get("location")
        if response.status not in REDIRECT_STATUSES or not location or method != "GET":
            return response
        url = _redirect_target(url, location)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects from {url}")


def fetch_json(url: str, *, sign_as: tuple[str, str] | None = None) -> dict:
    """An ActivityStreams document as a dict; anything else is a FetchError."""
    response = fetch(url, headers={"Accept": ACTIVITY_ACCEPT}, sign_as=sign_as)
    if not 200 <= response.status < 300:
        raise FetchError(f"{url} answered {response.status}")
    try:
        document = json.loads(response.body)
    except (ValueError, RecursionError) as error:
        raise FetchError(f"{url} did not return JSON") from error
    if not isinstance(document, dict):
        raise FetchError(f"{url} did not return a JSON object")
    return document


def _redirect_target(current: str, location: str) -> str:
    """Only the same scheme, host and port: another host could be anything we refused."""
    target = urljoin(current, location)
    if _origin(target) != _origin(current):
        raise FetchError(f"refused a redirect from {current} to another host")
    return target


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError as error:
        raise FetchError(f"bad port in {url}") from error
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _request_once(url, method, body, headers, sign_as, deadline, max_bytes) -> Response:
    scheme, host, port = checked_url(url)
    addresses = resolve_public(host, port)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    to_send = {"User-Agent": _user_agent(), **(headers or {})}
    if sign_as:
        to_send = httpsig.sign_request(method, url, body, sign_as[0], sign_as[1], to_send)
    connection = open_connection(scheme, host, port, addresses, _remaining(deadline, url))
    try:
        connection.request(method, target, body=body, headers=to_send)
        connection.pinned_socket.settimeout(_remaining(deadline, url))
        reply = connection.getresponse()
        received = read_capped(reply, deadline, max_bytes, url, connection)
        names = {name.lower() for name, _ in reply.getheaders()}
        found = {name: ", ".join(reply.headers.get_all(name) or []) for name in names}
        return Response(status=reply.status, headers=found, body=received, url=url)
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise FetchError(f"{url}: {error or type(error).__name__}") from error
    finally:
        connection.close()


def checked_url(url: str) -> tuple[str, str, int]:
    scheme, host, port = _origin(url)
    allowed = {"https", "http"} if private_networks_allowed() else {"https"}
    if scheme not in allowed:
        raise FetchError(f"refused {url}: only https URLs are fetched")
    if not host:
        raise FetchError(f"refused {url}: no host")
    return scheme, host, port or (443 if scheme == "https" else 80)


def resolve_public(host: str, port: int) -> list[str]:
    """The addresses to connect to, all checked; one non-public answer refuses the host."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchError(f"cannot resolve {host}") from error
    addresses = list(dict.fromkeys(answer[4][0] for answer in answers))
    if not private_networks_allowed():
        for address in addresses:
            if not is_public_address(address):
                raise FetchError(f"refused {host}: {address} is not a public address")
    if not addresses:
        raise FetchError(f"cannot resolve {host}")
    return addresses


def is_public_address(address: str) -> bool:
    """Whether an address is on the public internet, including what IPv6 wraps around IPv4."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo or (None, None))[1]
        if ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_private
    )


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"{url}: timed out")
    return left


def read_capped(reply, deadline, max_bytes, url, connection) -> bytes:
    """Stop at the cap: a peer that streams forever costs us max_bytes and no more."""
    declared = reply.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url}: the answer is larger than {max_bytes} bytes")
    chunks, total = [], 0
    while True:
        _limit_wait(connection, _remaining(deadline, url))
        chunk = reply.read(min(CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"{url}: the answer is larger than {max_bytes} bytes")


def _limit_wait(connection, seconds: float) -> None:
    """Shorten the socket's timeout to what is left of the deadline.

    A peer that answers with `Connection: close` has the connection's socket
    closed by http.client once the headers are read (the answer's stream keeps
    its file open); that socket then keeps the timeout it had.
    """
    with contextlib.suppress(OSError):
        connection.pinned_socket.settimeout(seconds)


def _user_agent() -> str:
    return f"Chapterhouse (+{settings.SITE_URL}/)"


def open_connection(scheme, host, port, addresses, timeout):
    if scheme == "https":
        return _PinnedHTTPSConnection(host, port, addresses, timeout)
    return _PinnedHTTPConnection(host, port, addresses, timeout)


def _connect_first(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """Connect to one of the checked addresses, never to a fresh DNS answer."""
    last_error: OSError | None = None
    for address in addresses:
        try:
            connected = socket.create_connection((address, port), timeout=timeout)
            # Requests go out as headers then body: without this, Nagle holds the body back.
            connected.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connected
        except OSError as error:
            last_error = error
    raise last_error or OSError("no address to connect to")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, addresses, timeout):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self):
        self.sock = self.pinned_socket = _connect_first(self.addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, addresses, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.addresses = addresses

    def connect(self):
        raw = _connect_first(self.addresses, self.port, self.timeout)
        self.sock = self.pinned_socket = self._context.wrap_socket(raw, server_hostname=self.host)
