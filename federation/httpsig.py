"""HTTP Signatures: signing what we send, verifying what arrives.

We sign with draft-cavage-http-signatures (rsa-sha256), which every ActivityPub server
understands. We verify draft-cavage and RFC 9421 (HTTP Message Signatures), so peers that
try the RFC first are accepted on the first attempt. Verification is two layers: the
cryptographic check of a signature over what it covers (`check_signature`), and our policy
on top of it (`verify_request`): what must be covered, a fresh date, a body that matches
its digest.
"""

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

AP_CONTENT_TYPE = "application/activity+json"
CAVAGE_ALGORITHMS = {"rsa-sha256", "hs2019"}
RFC9421_ALGORITHMS = {"rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519"}
DIGEST_HASHES = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


class SignatureError(Exception):
    """A request whose signature we refuse; `reason` is safe to show to the sender."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Signed:
    """What a valid signature vouches for: the key, the covered components, its times."""

    key_id: str
    covered: list[str]
    created: int | None = None
    expires: int | None = None
    rfc9421: bool = False
    params: dict = field(default_factory=dict)


# Signing -----------------------------------------------------------------------------------


def digest_header(body: bytes) -> str:
    """The draft-cavage Digest header of a body."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def http_date(moment: datetime | None = None) -> str:
    """An IMF-fixdate, the only Date format every peer parses."""
    return format_datetime((moment or datetime.now(UTC)).astimezone(UTC), usegmt=True)


def sign_request(
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key_pem: str,
    headers: dict | None = None,
) -> dict[str, str]:
    """Every header to send with a request, the cavage Signature among them.

    A POST signs `(request-target) host date digest`, a GET `(request-target) host date`:
    what Mastodon in secure mode and the other servers we talk to insist on.
    """
    parts = urlsplit(url)
    out = {name: str(value) for name, value in (headers or {}).items()}
    _set_default(out, "Host", parts.netloc.rpartition("@")[2])
    _set_default(out, "Date", http_date())
    covered = ["(request-target)", "host", "date"]
    if method.upper() == "POST" or body:
        _replace(out, "Digest", digest_header(body or b""))
        _set_default(out, "Content-Type", AP_CONTENT_TYPE)
        covered.append("digest")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    base = cavage_signing_string(method, target, out, covered)
    signature = rsa_sha256_sign(private_key_pem, base.encode())
    _replace(
        out,
        "Signature",
        f'keyId="{key_id}",algorithm="rsa-sha256",'
        f'headers="{" ".join(covered)}",signature="{signature}"',
    )
    return out


def rsa_sha256_sign(private_key_pem: str, data: bytes) -> str:
    """An RSASSA-PKCS1-v1_5 SHA-256 signature, base64: what rsa-sha256 means."""
    key = _private_key(private_key_pem)
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def _set_default(headers: dict, name: str, value: str) -> None:
    if not any(key.lower() == name.lower() for key in headers):
        headers[name] = value


def _replace(headers: dict, name: str, value: str) -> None:
    for key in [key for key in headers if key.lower() == name.lower()]:
        del headers[key]
    headers[name] = value


@lru_cache(maxsize=64)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    """Parsing a PEM costs more than signing with it; deliveries sign thousands of times."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("only RSA keys sign our requests")
    return key


@lru_cache(maxsize=1024)
def _public_key(pem: str):
    try:
        return serialization.load_pem_public_key(pem.encode())
    except ValueError:
        pass
    try:
        return serialization.load_der_public_key(
            b"\x30" + _rsa_public_der(pem)  # PKCS#1 "RSA PUBLIC KEY", still seen in the wild
        )
    except ValueError as error:
        raise SignatureError("the actor's public key cannot be read") from error


def _rsa_public_der(pem: str) -> bytes:
    if "BEGIN RSA PUBLIC KEY" not in pem:
        raise ValueError("not a PKCS#1 public key")
    body = "".join(line for line in pem.strip().splitlines() if "-----" not in line)
    pkcs1 = base64.b64decode(body)
    algorithm = bytes.fromhex("300d06092a864886f70d0101010500")
    bit_string = b"\x03" + _der_length(len(pkcs1) + 1) + b"\x00" + pkcs1
    inner = algorithm + bit_string
    return _der_length(len(inner)) + inner


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(encoded)]) + encoded


# Reading signature headers -----------------------------------------------------------------


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in headers.items()}


CAVAGE_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([0-9.]+))\s*(?:,|$)')


def parse_cavage(value: str) -> dict[str, str]:
    """The parameters of a cavage Signature header (or of `Authorization: Signature ...`)."""
    if value[:10].lower() == "signature ":
        value = value[10:]
    params, position = {}, 0
    while position < len(value.rstrip()):
        match = CAVAGE_PARAM.match(value, position)
        if not match:
            raise SignatureError("the Signature header cannot be parsed")
        params[match.group(1)] = match.group(2) if match.group(2) is not None else match.group(3)
        position = match.end()
    if not params.get("keyId") or not params.get("signature"):
        raise SignatureError("the Signature header has no keyId or no signature")
    return params


def key_id_of(headers: Mapping[str, str]) -> str:
    """The id of the key a request says it is signed with, before anything is checked."""
    lowered = _lower(headers)
    if "signature-input" in lowered:
        label, (_, params, _) = _first_rfc9421_input(lowered)
        key_id = params.get("keyid")
        if not isinstance(key_id, str) or not key_id:
            raise SignatureError(f"signature {label} has no keyid")
        return key_id
    return parse_cavage(_cavage_header(lowered))["keyId"]


def _cavage_header(lowered: dict[str, str]) -> str:
    if "signature" in lowered:
        return lowered["signature"]
    if lowered.get("authorization", "").lower().startswith("signature "):
        return lowered["authorization"]
    raise SignatureError("the request is not signed")


# Structured fields (RFC 8941), as much as RFC 9421 signatures use ---------------------------


class _Fields:
    """A tiny RFC 8941 reader: dictionaries of inner lists or byte sequences, with parameters."""

    TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]*")
    KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
    NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,3})?")

    def __init__(self, text: str):
        self.text, self.at = text, 0

    def fail(self, what: str):
        raise SignatureError(f"malformed {what} header")

    def skip(self, chars: str = " \t") -> None:
        while self.at < len(self.text) and self.text[self.at] in chars:
            self.at += 1

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def dictionary(self, what: str) -> dict[str, tuple]:
        """label -> (value, params, raw text of the member value)."""
        members: dict[str, tuple] = {}
        self.skip()
        while self.at < len(self.text):
            key = self.match(self.KEY, what)
            if self.peek() != "=":
                self.fail(what)
            self.at += 1
            start = self.at
            value = self.inner_list(what) if self.peek() == "(" else self.bare_item(what)
            params = self.parameters(what)
            members[key] = (value, params, self.text[start : self.at])
            self.skip()
            if self.at < len(self.text):
                if self.peek() != ",":
                    self.fail(what)
                self.at += 1
                self.skip()
        return members

    def match(self, pattern: re.Pattern, what: str) -> str:
        found = pattern.match(self.text, self.at)
        if not found:
            self.fail(what)
        self.at = found.end()
        return found.group(0)

    def inner_list(self, what: str) -> list[tuple]:
        self.at += 1
        items = []
        while True:
            self.skip(" ")
            if self.peek() == ")":
                self.at += 1
                return items
            items.append((self.bare_item(what), self.parameters(what)))
            if self.peek() not in " )":
                self.fail(what)

    def parameters(self, what: str) -> dict:
        params = {}
        while self.peek() == ";":
            self.at += 1
            self.skip(" ")
            key = self.match(self.KEY, what)
            params[key] = True
            if self.peek() == "=":
                self.at += 1
                params[key] = self.bare_item(what)
        return params

    def bare_item(self, what: str):
        char = self.peek()
        if char == '"':
            return self.string(what)
        if char == ":":
            end = self.text.find(":", self.at + 1)
            if end < 0:
                self.fail(what)
            raw, self.at = self.text[self.at + 1 : end], end + 1
            try:
                return base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                self.fail(what)
        if char == "?":
            self.at += 1
            return self.match(re.compile("[01]"), what) == "1"
        if char == "-" or char.isdigit():
            number = self.match(self.NUMBER, what)
            return float(number) if "." in number else int(number)
        return self.match(self.TOKEN, what)

    def string(self, what: str) -> str:
        self.at += 1
        out = []
        while self.at < len(self.text):
            char = self.text[self.at]
            self.at += 1
            if char == "\\":
                if self.peek() not in ('"', "\\"):
                    self.fail(what)
                out.append(self.peek())
                self.at += 1
            elif char == '"':
                return "".join(out)
            elif not " " <= char <= "~":
                self.fail(what)
            else:
                out.append(char)
        self.fail(what)


def _first_rfc9421_input(lowered: dict[str, str]) -> tuple[str, tuple]:
    inputs = _Fields(lowered["signature-input"]).dictionary("Signature-Input")
    for label, member in inputs.items():
        if isinstance(member[0], list):
            return label, member
    raise SignatureError("the Signature-Input header has no signature")


# Verification --------------------------------------------------------------------------------


def verify_request(
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    public_key_pem: str,
    now: datetime | None = None,
    max_skew: int = 300,
    scheme: str | None = None,
) -> str:
    """The key id of a request whose signature, coverage, digest and date all hold.

    The cheap refusals come first, so a flood of unsigned or stale requests costs no RSA.
    `path` includes the query string. `scheme` matters only for RFC 9421 signatures that
    cover `@target-uri` or `@scheme`; when not given, https and then http are tried.
    """
    lowered = _lower(headers)
    signed = read_signature(method, lowered, body)
    _check_time(signed, lowered, now or datetime.now(UTC), max_skew)
    _check_digest(signed, lowered, body)
    _verify(signed, method, path, lowered, public_key_pem, scheme)
    return signed.key_id


def check_signature(
    method: str,
    path: str,
    headers: Mapping[str, str],
    public_key_pem: str,
    scheme: str | None = None,
) -> Signed:
    """The cryptographic check alone, for test vectors: no policy on coverage or time."""
    lowered = _lower(headers)
    signed = _parse(lowered)
    _verify(signed, method, path, lowered, public_key_pem, scheme)
    return signed


def read_signature(method: str, lowered: dict[str, str], body: bytes) -> Signed:
    """The signature parameters, refused when they do not cover what we require."""
    signed = _parse(lowered)
    covered = set(signed.covered)
    if signed.rfc9421:
        _require(covered, "@method")
        if "@target-uri" not in covered:
            _require(covered, "@path")
            if "@authority" not in covered:
                _require(covered, "host")
        if signed.created is None:
            _require(covered, "date")
        if body or method.upper() == "POST":
            _require(covered, "content-digest")
    else:
        _require(covered, "(request-target)")
        _require(covered, "host")
        if "(created)" not in covered:
            _require(covered, "date")
        if body or method.upper() == "POST":
            _require(covered, "digest")
    return signed


def _require(covered: set[str], component: str) -> None:
    if component not in covered:
        raise SignatureError(f"the signature does not cover {component}")


def _parse(lowered: dict[str, str]) -> Signed:
    if "signature-input" in lowered:
        return _parse_rfc9421(lowered)
    params = parse_cavage(_cavage_header(lowered))
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in CAVAGE_ALGORITHMS:
        raise SignatureError(f"unsupported signature algorithm {algorithm!r}")
    covered = params.get("headers", "date").lower().split()
    if not covered:
        raise SignatureError("the signature covers no headers")
    return Signed(
        key_id=params["keyId"],
        covered=covered,
        created=_int_or_none(params.get("created")),
        expires=_int_or_none(params.get("expires")),
        params=params,
    )


def _int_or_none(value) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError as error:
        raise SignatureError("a signature time is not a number") from error


def _parse_rfc9421(lowered: dict[str, str]) -> Signed:
    label, (items, params, raw) = _first_rfc9421_input(lowered)
    signatures = _Fields(lowered.get("signature", "")).dictionary("Signature")
    if label not in signatures or not isinstance(signatures[label][0], bytes):
        raise SignatureError(f"no signature labelled {label}")
    algorithm = params.get("alg")
    if algorithm is not None and algorithm not in RFC9421_ALGORITHMS:
        raise SignatureError(f"unsupported signature algorithm {algorithm!r}")
    key_id = params.get("keyid")
    if not isinstance(key_id, str) or not key_id:
        raise SignatureError(f"signature {label} has no keyid")
    for name, _item_params in items:
        if not isinstance(name, str):
            raise SignatureError("malformed Signature-Input header")
    return Signed(
        key_id=key_id,
        covered=[name.lower() for name, _ in items],
        created=params.get("created") if isinstance(params.get("created"), int) else None,
        expires=params.get("expires") if isinstance(params.get("expires"), int) else None,
        rfc9421=True,
        params={"items": items, "raw": raw, "alg": algorithm, "signature": signatures[label][0]},
    )


def _check_time(signed: Signed, lowered: dict[str, str], now: datetime, max_skew: int) -> None:
    """A Date (or created) inside the window keeps captured requests from being replayed."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    stamp = now.timestamp()
    if signed.expires is not None and signed.expires < stamp - max_skew:
        raise SignatureError("the signature has expired")
    if signed.created is not None and ("(created)" in signed.covered or signed.rfc9421):
        _within(signed.created, stamp, max_skew, "created time")
    if "date" in signed.covered:
        if "date" not in lowered:
            raise SignatureError("the Date header is missing")
        try:
            sent = parsedate_to_datetime(lowered["date"])
        except (TypeError, ValueError):
            raise SignatureError("the Date header cannot be parsed") from None
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        _within(sent.timestamp(), stamp, max_skew, "Date")


def _within(sent: float, now: float, max_skew: int, what: str) -> None:
    if sent < now - max_skew:
        raise SignatureError(f"the {what} is too old")
    if sent > now + max_skew:
        raise SignatureError(f"the {what} is in the future")


def _check_digest(signed: Signed, lowered: dict[str, str], body: bytes) -> None:
    """A signed digest only vouches for the body if the body matches it."""
    if signed.rfc9421:
        if "content-digest" in lowered:
            _match_content_digest(lowered["content-digest"], body)
        elif body:
            raise SignatureError("the Content-Digest header is missing")
        return
    if "digest" in lowered:
        _match_digest(lowered["digest"], body)
    elif body:
        raise SignatureError("the Digest header is missing")


def _match_digest(header: str, body: bytes) -> None:
    known = False
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        hasher = DIGEST_HASHES.get(name.lower())
        if hasher is None:
            continue
        known = True
        expected = base64.b64encode(hasher(body).digest()).decode("ascii")
        if not hmac.compare_digest(value.strip(), expected):
            raise SignatureError("the Digest does not match the body")
    if not known:
        raise SignatureError("the Digest header has no SHA-256 or SHA-512 value")


def _match_content_digest(header: str, body: bytes) -> None:
    members = _Fields(header).dictionary("Content-Digest")
    known = False
    for name, (value, _, _) in members.items():
        hasher = DIGEST_HASHES.get(name)
        if hasher is None or not isinstance(value, bytes):
            continue
        known = True
        if not hmac.compare_digest(value, hasher(body).digest()):
            raise SignatureError("the Content-Digest does not match the body")
    if not known:
        raise SignatureError("the Content-Digest header has no sha-256 or sha-512 value")


def _verify(
    signed: Signed,
    method: str,
    path: str,
    lowered: dict[str, str],
    public_key_pem: str,
    scheme: str | None,
) -> None:
    key = _public_key(public_key_pem)
    if signed.rfc9421:
        schemes = [scheme] if scheme else ["https", "http"]
        needs_scheme = {"@target-uri", "@scheme"} & set(signed.covered)
        for candidate in schemes if needs_scheme else schemes[:1]:
            base = rfc9421_signature_base(method, path, lowered, signed, candidate)
            if _valid(key, signed.params["alg"], base.encode(), signed.params["signature"]):
                return
        raise SignatureError("the signature does not verify")
    try:
        signature = base64.b64decode(signed.params["signature"], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("the signature is not base64") from None
    base = cavage_signing_string(method, path, lowered, signed.covered, signed.params)
    if not _valid(key, None, base.encode(), signature):
        raise SignatureError("the signature does not verify")


PSS_SHA512 = padding.PSS(padding.MGF1(hashes.SHA512()), 64)
RSA_SCHEMES = {
    "rsa-v1_5-sha256": [(padding.PKCS1v15(), hashes.SHA256())],
    "rsa-pss-sha512": [(PSS_SHA512, hashes.SHA512())],
    # Without a named algorithm (cavage hs2019, RFC 9421 without alg) the key decides.
    None: [(padding.PKCS1v15(), hashes.SHA256()), (PSS_SHA512, hashes.SHA512())],
}


def _valid(key, algorithm: str | None, data: bytes, signature: bytes) -> bool:
    """Whether the signature holds, for the named algorithm or for those the key allows."""
    try:
        if isinstance(key, ed25519.Ed25519PublicKey) and algorithm in (None, "ed25519"):
            key.verify(signature, data)
            return True
    except InvalidSignature:
        return False
    if not isinstance(key, rsa.RSAPublicKey) or algorithm not in RSA_SCHEMES:
        raise SignatureError(f"the actor's key cannot make {algorithm or 'these'} signatures")
    for pad, digest in RSA_SCHEMES[algorithm]:
        try:
            key.verify(signature, data, pad, digest)
            return True
        except InvalidSignature:
            continue
    return False


def cavage_signing_string(
    method: str,
    path: str,
    headers: Mapping[str, str],
    covered: list[str],
    params: Mapping[str, str] | None = None,
) -> str:
    """The text a draft-cavage signature signs: one `name: value` line per covered header."""
    lowered = _lower(headers)
    params = params or {}
    lines = []
    for name in covered:
        name = name.lower()
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        elif name in ("(created)", "(expires)"):
            value = params.get(name[1:-1])
            if value is None:
                raise SignatureError(f"{name} is signed but has no value")
            lines.append(f"{name}: {value}")
        elif name in lowered:
            lines.append(f"{name}: {lowered[name].strip()}")
        else:
            raise SignatureError(f"the signed header {name} is missing")
    return "\n".join(lines)


def rfc9421_signature_base(
    method: str, path: str, lowered: dict[str, str], signed: Signed, scheme: str
) -> str:
    """The RFC 9421 signature base: covered components, then the signature parameters."""
    lines = []
    for name, item_params in signed.params["items"]:
        value = _component(name.lower(), item_params, method, path, lowered, scheme)
        lines.append(f"{_serialize_component(name.lower(), item_params)}: {value}")
    lines.append(f'"@signature-params": {signed.params["raw"]}')
    return "\n".join(lines)


def _serialize_component(name: str, params: dict) -> str:
    text = f'"{name}"'
    for key, value in params.items():
        if value is True:
            text += f";{key}"
        elif isinstance(value, str):
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            text += f';{key}="{escaped}"'
        else:
            text += f";{key}={value}"
    return text


def _component(
    name: str, params: dict, method: str, path: str, lowered: dict[str, str], scheme: str
) -> str:
    plain_path, _, query = path.partition("?")
    authority = lowered.get("host", "").strip().lower()
    derived = {
        "@method": method.upper(),
        "@authority": authority,
        "@scheme": scheme,
        "@path": plain_path or "/",
        "@query": f"?{query}",
        "@request-target": path,
        "@target-uri": f"{scheme}://{authority}{path}",
    }
    if name == "@query-param":
        wanted = params.get("name")
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key == wanted:
                return quote(value, safe="")
        raise SignatureError(f"the signed query parameter {wanted} is missing")
    if name.startswith("@"):
        if name not in derived:
            raise SignatureError(f"unsupported signature component {name}")
        return derived[name]
    if params:
        raise SignatureError(f"unsupported parameters on signature component {name}")
    if name not in lowered:
        raise SignatureError(f"the signed header {name} is missing")
    return lowered[name].strip()
