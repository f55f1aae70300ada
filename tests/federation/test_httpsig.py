"""HTTP Signatures against the published test vectors, round trips, and every refusal."""

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from federation import httpsig
from federation.httpsig import SignatureError

# draft-cavage-http-signatures-12, Appendix C: the test key and request.
CAVAGE_PRIVATE = """-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----"""
CAVAGE_PUBLIC = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----"""
CAVAGE_PATH = "/foo?param=value&pet=dog"
CAVAGE_BODY = b'{"hello": "world"}'
CAVAGE_HEADERS = {
    "Host": "example.com",
    "Date": "Sun, 05 Jan 2014 21:31:40 GMT",
    "Content-Type": "application/json",
    "Digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "Content-Length": "18",
}
CAVAGE_NOW = datetime(2014, 1, 5, 21, 31, 40, tzinfo=UTC)
C2_COVERED = "(request-target) host date"
C2_SIGNATURE = (
    "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3"
    "HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="
)
C3_COVERED = "(request-target) host date content-type digest content-length"
C3_SIGNATURE = (
    "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52"
    "LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE="
)

# RFC 9421, Appendix B.1.2 (test-key-rsa-pss), B.1.4 (test-key-ed25519) and B.2 (test-request).
RSA_PSS_PUBLIC = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----"""
ED25519_PUBLIC = """-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----"""
RFC_PATH = "/foo?param=Value&Pet=dog"
RFC_HEADERS = {
    "Host": "example.com",
    "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type": "application/json",
    "Content-Digest": (
        "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
    ),
    "Content-Length": "18",
}
RFC_NOW = datetime(2021, 4, 20, 2, 7, 55, tzinfo=UTC)
B21 = {
    "Signature-Input": (
        'sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"'
    ),
    "Signature": (
        "sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it"
        "++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCb"
        "zR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG"
        "5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9"
        "Q==:"
    ),
}
B22 = {
    "Signature-Input": (
        'sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;'
        'keyid="test-key-rsa-pss";tag="header-example"'
    ),
    "Signature": (
        "sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CD"
        "fKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1"
        "rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lanke"
        "nQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHS"
        "w==:"
    ),
}
B23 = {
    "Signature-Input": (
        'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest"'
        ' "content-length");created=1618884473;keyid="test-key-rsa-pss"'
    ),
    "Signature": (
        "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeG"
        "t683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7Ks"
        "LNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF"
        "8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA"
        "==:"
    ),
}
B26 = {
    "Signature-Input": (
        'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");'
        'created=1618884473;keyid="test-key-ed25519"'
    ),
    "Signature": (
        "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WP"
        "pBKRCw==:"
    ),
}


def cavage(covered: str, signature: str, **overrides) -> dict[str, str]:
    value = f'keyId="Test",algorithm="rsa-sha256",headers="{covered}",signature="{signature}"'
    return {**CAVAGE_HEADERS, "Signature": value, **overrides}


@pytest.fixture(scope="module")
def key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture(scope="module")
def other_public_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


KEY_ID = "https://remote.example/chapters/rust/#main-key"
INBOX = "https://chapters.example/chapters/code4libnyc/inbox"
BODY = b'{"type": "Follow", "id": "https://remote.example/follows/1"}'


def signed_post(key_pair, url=INBOX, body=BODY, **headers) -> dict[str, str]:
    return httpsig.sign_request("POST", url, body, KEY_ID, key_pair[0], headers or None)


# draft-cavage test vectors ------------------------------------------------------------------


def test_the_digest_of_the_cavage_test_body():
    assert httpsig.digest_header(CAVAGE_BODY) == CAVAGE_HEADERS["Digest"]


@pytest.mark.parametrize(
    ("covered", "expected"), [(C2_COVERED, C2_SIGNATURE), (C3_COVERED, C3_SIGNATURE)]
)
def test_signing_reproduces_the_cavage_vectors(covered, expected):
    text = httpsig.cavage_signing_string("POST", CAVAGE_PATH, CAVAGE_HEADERS, covered.split())
    assert httpsig.rsa_sha256_sign(CAVAGE_PRIVATE, text.encode()) == expected


def test_the_basic_cavage_signing_string_is_the_documented_one():
    text = httpsig.cavage_signing_string("POST", CAVAGE_PATH, CAVAGE_HEADERS, C2_COVERED.split())
    assert text == (
        "(request-target): post /foo?param=value&pet=dog\n"
        "host: example.com\n"
        "date: Sun, 05 Jan 2014 21:31:40 GMT"
    )


def test_the_all_headers_cavage_vector_verifies():
    key_id = httpsig.verify_request(
        "POST", CAVAGE_PATH, cavage(C3_COVERED, C3_SIGNATURE), CAVAGE_BODY, CAVAGE_PUBLIC,
        now=CAVAGE_NOW,
    )  # fmt: skip
    assert key_id == "Test"


def test_the_basic_cavage_vector_is_valid_but_a_post_must_sign_its_digest():
    headers = cavage(C2_COVERED, C2_SIGNATURE)
    assert httpsig.check_signature("POST", CAVAGE_PATH, headers, CAVAGE_PUBLIC).key_id == "Test"
    with pytest.raises(SignatureError, match="does not cover digest"):
        httpsig.verify_request(
            "POST", CAVAGE_PATH, headers, CAVAGE_BODY, CAVAGE_PUBLIC, now=CAVAGE_NOW
        )


def test_the_cavage_vector_in_an_authorization_header_verifies():
    headers = cavage(C3_COVERED, C3_SIGNATURE)
    headers["Authorization"] = "Signature " + headers.pop("Signature")
    assert httpsig.key_id_of(headers) == "Test"
    assert httpsig.check_signature("POST", CAVAGE_PATH, headers, CAVAGE_PUBLIC).key_id == "Test"


def test_hs2019_is_verified_as_the_key_allows():
    headers = cavage(C3_COVERED, C3_SIGNATURE)
    headers["Signature"] = headers["Signature"].replace("rsa-sha256", "hs2019")
    assert httpsig.verify_request(
        "POST", CAVAGE_PATH, headers, CAVAGE_BODY, CAVAGE_PUBLIC, now=CAVAGE_NOW
    ) == "Test"  # fmt: skip


# RFC 9421 test vectors ----------------------------------------------------------------------


def test_rfc9421_minimal_rsa_pss_signature_verifies():
    signed = httpsig.check_signature("POST", RFC_PATH, {**RFC_HEADERS, **B21}, RSA_PSS_PUBLIC)
    assert signed.key_id == "test-key-rsa-pss"
    assert signed.covered == []


def test_rfc9421_minimal_signature_covers_too_little_for_an_inbox():
    with pytest.raises(SignatureError, match="does not cover @method"):
        httpsig.verify_request(
            "POST", RFC_PATH, {**RFC_HEADERS, **B21}, CAVAGE_BODY, RSA_PSS_PUBLIC, now=RFC_NOW
        )


def test_rfc9421_selective_signature_with_a_query_parameter_verifies():
    signed = httpsig.check_signature("POST", RFC_PATH, {**RFC_HEADERS, **B22}, RSA_PSS_PUBLIC)
    assert signed.covered == ["@authority", "content-digest", "@query-param"]


def test_rfc9421_full_coverage_passes_every_check():
    key_id = httpsig.verify_request(
        "POST", RFC_PATH, {**RFC_HEADERS, **B23}, CAVAGE_BODY, RSA_PSS_PUBLIC, now=RFC_NOW
    )
    assert key_id == "test-key-rsa-pss"


def test_rfc9421_full_coverage_refuses_a_changed_body():
    with pytest.raises(SignatureError, match="Content-Digest does not match"):
        httpsig.verify_request(
            "POST", RFC_PATH, {**RFC_HEADERS, **B23}, b'{"hello": "mars"}', RSA_PSS_PUBLIC,
            now=RFC_NOW,
        )  # fmt: skip


def test_rfc9421_full_coverage_refuses_a_changed_header():
    headers = {**RFC_HEADERS, **B23, "Content-Type": "text/plain"}
    with pytest.raises(SignatureError, match="does not verify"):
        httpsig.check_signature("POST", RFC_PATH, headers, RSA_PSS_PUBLIC)


def test_rfc9421_ed25519_signature_verifies():
    signed = httpsig.check_signature("POST", RFC_PATH, {**RFC_HEADERS, **B26}, ED25519_PUBLIC)
    assert signed.key_id == "test-key-ed25519"


def test_an_rfc9421_signature_checked_with_another_key_fails(other_public_key):
    with pytest.raises(SignatureError, match="does not verify"):
        httpsig.check_signature("POST", RFC_PATH, {**RFC_HEADERS, **B23}, other_public_key)


def rfc9421_sign(private_pem: str, url: str, body: bytes, created: int) -> dict[str, str]:
    """How Fedify signs a POST with RFC 9421, written out by hand to check our base."""
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    headers = {
        "Host": "peer.example:8443",
        "Date": httpsig.http_date(datetime.fromtimestamp(created, UTC)),
        "Content-Digest": f"sha-256=:{digest}:",
    }
    params = (
        '("@method" "@target-uri" "@authority" "host" "date" "content-digest");'
        f'alg="rsa-v1_5-sha256";keyid="{KEY_ID}";created={created}'
    )
    base = (
        '"@method": POST\n'
        f'"@target-uri": {url}\n'
        '"@authority": peer.example:8443\n'
        '"host": peer.example:8443\n'
        f'"date": {headers["Date"]}\n'
        f'"content-digest": sha-256=:{digest}:\n'
        f'"@signature-params": {params}'
    )
    key = serialization.load_pem_private_key(private_pem.encode(), None)
    signature = key.sign(base.encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature-Input"] = f"sig1={params}"
    headers["Signature"] = f"sig1=:{base64.b64encode(signature).decode()}:"
    return headers


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_an_rfc9421_signature_over_the_target_uri_verifies(key_pair, scheme):
    url = f"{scheme}://peer.example:8443/inbox?x=1"
    now = datetime.now(UTC)
    headers = rfc9421_sign(key_pair[0], url, BODY, int(now.timestamp()))
    assert httpsig.key_id_of(headers) == KEY_ID
    assert httpsig.verify_request("POST", "/inbox?x=1", headers, BODY, key_pair[1]) == KEY_ID
    assert httpsig.verify_request(
        "POST", "/inbox?x=1", headers, BODY, key_pair[1], scheme=scheme
    ) == KEY_ID  # fmt: skip


def test_an_rfc9421_signature_for_another_path_fails(key_pair):
    now = int(datetime.now(UTC).timestamp())
    headers = rfc9421_sign(key_pair[0], "https://peer.example:8443/inbox", BODY, now)
    with pytest.raises(SignatureError, match="does not verify"):
        httpsig.verify_request("POST", "/other-inbox", headers, BODY, key_pair[1])


def test_an_old_rfc9421_created_time_is_refused(key_pair):
    old = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
    headers = rfc9421_sign(key_pair[0], "https://peer.example:8443/inbox", BODY, old)
    with pytest.raises(SignatureError, match="too old"):
        httpsig.verify_request("POST", "/inbox", headers, BODY, key_pair[1])


# Round trips --------------------------------------------------------------------------------


def test_a_signed_post_round_trips(key_pair):
    headers = signed_post(key_pair)
    assert set(headers) == {"Host", "Date", "Digest", "Content-Type", "Signature"}
    assert headers["Host"] == "chapters.example"
    assert headers["Content-Type"] == "application/activity+json"
    assert 'headers="(request-target) host date digest"' in headers["Signature"]
    path = "/chapters/code4libnyc/inbox"
    assert httpsig.verify_request("POST", path, headers, BODY, key_pair[1]) == KEY_ID


def test_a_signed_get_round_trips(key_pair):
    url = "https://remote.example/chapters/rust/?page=2"
    headers = httpsig.sign_request(
        "GET", url, None, KEY_ID, key_pair[0], {"Accept": "application/activity+json"}
    )
    assert set(headers) == {"Accept", "Host", "Date", "Signature"}
    assert 'headers="(request-target) host date"' in headers["Signature"]
    assert httpsig.verify_request("GET", "/chapters/rust/?page=2", headers, b"", key_pair[1]) == (
        KEY_ID
    )


def test_header_names_are_matched_whatever_their_case(key_pair):
    headers = {name.upper(): value for name, value in signed_post(key_pair).items()}
    path = "/chapters/code4libnyc/inbox"
    assert httpsig.verify_request("POST", path, headers, BODY, key_pair[1]) == KEY_ID
    assert httpsig.key_id_of(headers) == KEY_ID


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://chapters.example:8443/inbox", "chapters.example:8443"),
        ("https://chapters.example/inbox", "chapters.example"),
    ],
)
def test_the_host_is_taken_as_received(key_pair, url, host):
    headers = signed_post(key_pair, url=url)
    assert headers["Host"] == host
    assert httpsig.verify_request("POST", "/inbox", headers, BODY, key_pair[1]) == KEY_ID


def test_a_host_other_than_the_signed_one_fails(key_pair):
    headers = signed_post(key_pair, url="https://chapters.example:8443/inbox")
    headers["Host"] = "chapters.example"
    with pytest.raises(SignatureError, match="does not verify"):
        httpsig.verify_request("POST", "/inbox", headers, BODY, key_pair[1])


def test_signing_keeps_a_given_date_and_content_type(key_pair):
    date = "Tue, 20 Apr 2021 02:07:55 GMT"
    headers = signed_post(key_pair, date=date, **{"content-type": "application/ld+json"})
    assert headers["date"] == date and headers["content-type"] == "application/ld+json"
    assert "Date" not in headers and "Content-Type" not in headers


# Refusals -----------------------------------------------------------------------------------


def refusal(key_pair, headers, *, body=BODY, method="POST", path="/chapters/code4libnyc/inbox"):
    with pytest.raises(SignatureError) as caught:
        httpsig.verify_request(method, path, headers, body, key_pair[1])
    return caught.value.reason


def test_an_unsigned_request_is_refused(key_pair):
    headers = signed_post(key_pair)
    del headers["Signature"]
    assert refusal(key_pair, headers) == "the request is not signed"
    with pytest.raises(SignatureError, match="not signed"):
        httpsig.key_id_of(headers)


def test_an_unknown_algorithm_is_refused(key_pair):
    headers = signed_post(key_pair)
    headers["Signature"] = headers["Signature"].replace("rsa-sha256", "hmac-sha256")
    assert "unsupported signature algorithm 'hmac-sha256'" in refusal(key_pair, headers)


def test_an_unknown_rfc9421_algorithm_is_refused():
    headers = {**RFC_HEADERS, **B23}
    headers["Signature-Input"] += ';alg="hmac-sha256"'
    with pytest.raises(SignatureError, match="unsupported signature algorithm"):
        httpsig.check_signature("POST", RFC_PATH, headers, RSA_PSS_PUBLIC)


def test_a_wrong_signature_is_refused(key_pair):
    headers = signed_post(key_pair)
    value = headers["Signature"]
    start = value.index('signature="') + len('signature="')
    flipped = "B" if value[start] == "A" else "A"
    headers["Signature"] = value[:start] + flipped + value[start + 1 :]
    assert refusal(key_pair, headers) == "the signature does not verify"


def test_a_signature_by_another_key_is_refused(key_pair, other_public_key):
    headers = signed_post(key_pair)
    with pytest.raises(SignatureError, match="does not verify"):
        httpsig.verify_request(
            "POST", "/chapters/code4libnyc/inbox", headers, BODY, other_public_key
        )


def test_a_signature_for_another_path_is_refused(key_pair):
    assert refusal(key_pair, signed_post(key_pair), path="/inbox") == (
        "the signature does not verify"
    )


def test_a_changed_body_fails_its_digest(key_pair):
    headers = signed_post(key_pair)
    assert refusal(key_pair, headers, body=BODY + b" ") == "the Digest does not match the body"


def test_a_post_without_its_digest_is_refused(key_pair):
    headers = signed_post(key_pair)
    del headers["Digest"]
    assert refusal(key_pair, headers) == "the Digest header is missing"


def test_a_post_whose_signature_omits_the_digest_is_refused(key_pair):
    headers = httpsig.sign_request("GET", INBOX, None, KEY_ID, key_pair[0])
    headers["Digest"] = httpsig.digest_header(BODY)
    assert refusal(key_pair, headers) == "the signature does not cover digest"


def test_a_signature_without_the_request_target_is_refused(key_pair):
    headers = signed_post(key_pair)
    headers["Signature"] = headers["Signature"].replace("(request-target) ", "")
    assert refusal(key_pair, headers) == "the signature does not cover (request-target)"


def test_a_signature_without_the_host_is_refused(key_pair):
    headers = signed_post(key_pair)
    headers["Signature"] = headers["Signature"].replace(" host", "")
    assert refusal(key_pair, headers) == "the signature does not cover host"


@pytest.mark.parametrize(
    ("shift", "reason"),
    [(timedelta(minutes=-6), "the Date is too old"), (timedelta(minutes=6), "in the future")],
)
def test_a_date_outside_the_window_is_refused(key_pair, shift, reason):
    headers = signed_post(key_pair, Date=httpsig.http_date(datetime.now(UTC) + shift))
    assert reason in refusal(key_pair, headers)


def test_a_date_inside_the_window_is_accepted(key_pair):
    headers = signed_post(
        key_pair, Date=httpsig.http_date(datetime.now(UTC) - timedelta(minutes=4))
    )
    assert httpsig.verify_request(
        "POST", "/chapters/code4libnyc/inbox", headers, BODY, key_pair[1]
    ) == KEY_ID  # fmt: skip


def test_an_unreadable_date_is_refused(key_pair):
    headers = signed_post(key_pair, Date="yesterday")
    assert refusal(key_pair, headers) == "the Date header cannot be parsed"


@pytest.mark.parametrize(
    "value",
    [
        'keyId="x",signature="abc",garbage',
        'algorithm="rsa-sha256",headers="date"',
        "Signature",
    ],
)
def test_a_malformed_signature_header_is_refused(key_pair, value):
    headers = {**signed_post(key_pair), "Signature": value}
    assert "Signature header" in refusal(key_pair, headers)


@pytest.mark.parametrize(
    ("signature_input", "signature"),
    [
        ('sig1=("@method"', "sig1=:AAAA:"),
        ('sig1=("@method");keyid="k"', "sig1=:not base64!:"),
        ('sig1=("@method");keyid="k"', "other=:AAAA:"),
        ('sig1=("@method")', "sig1=:AAAA:"),
    ],
)
def test_a_malformed_rfc9421_signature_is_refused(key_pair, signature_input, signature):
    headers = {"Signature-Input": signature_input, "Signature": signature, "Host": "a"}
    with pytest.raises(SignatureError):
        httpsig.verify_request("GET", "/", headers, b"", key_pair[1])


def test_an_unreadable_public_key_is_refused(key_pair):
    with pytest.raises(SignatureError, match="public key cannot be read"):
        httpsig.verify_request(
            "POST", "/chapters/code4libnyc/inbox", signed_post(key_pair), BODY, "not a key"
        )


def test_a_pkcs1_public_key_is_read(key_pair):
    key = serialization.load_pem_public_key(key_pair[1].encode())
    pkcs1 = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    headers = signed_post(key_pair)
    assert httpsig.verify_request(
        "POST", "/chapters/code4libnyc/inbox", headers, BODY, pkcs1.decode()
    ) == KEY_ID  # fmt: skip


def test_the_key_id_of_an_rfc9421_request():
    assert httpsig.key_id_of({**RFC_HEADERS, **B23}) == "test-key-rsa-pss"
