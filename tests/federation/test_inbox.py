"""The inboxes: every refusal before anything is stored, replays, follows and their answers.

The remote server is real: tests.federation.fake_remote, an HTTP server on loopback.
"""

import base64
import datetime as dt
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from federation import httpsig, ids, keys
from federation.models import Follower, InboxItem, RemoteActor
from tests.conftest import free_port

pytest_plugins = ["tests.federation.fake_remote"]

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"


def inbox_path(chapter) -> str:
    return f"/chapters/{chapter.slug}/inbox"


def follow_of(remote, chapter, number: int = 1) -> dict:
    return {
        "@context": AS_CONTEXT,
        "id": f"{remote.url}/activities/follow-{number}",
        "type": "Follow",
        "actor": remote.actor_id,
        "object": ids.chapter_actor_id(chapter),
    }


def test_a_signed_activity_is_stored_and_answered_202(client, chapter, remote):
    response = remote.post(client, inbox_path(chapter), follow_of(remote, chapter))

    assert response.status_code == 202
    item = InboxItem.objects.get()
    assert item.activity_id == f"{remote.url}/activities/follow-1"
    assert item.actor_uri == remote.actor_id and item.chapter == chapter
    # The key's owner was fetched with a signed GET, as servers in secure mode require.
    actor_fetch = next(f for f in remote.fetched if f["path"] == "/groups/remote")
    assert 'keyId="http://testserver/actor#main-key"' in actor_fetch["headers"]["Signature"]
    actor = RemoteActor.objects.get(uri=remote.actor_id)
    assert actor.summary == "<p>Hello</p>" and actor.shared_inbox == f"{remote.url}/inbox"


def test_the_shared_and_instance_inboxes_take_activities_too(client, chapter, remote):
    first = remote.post(client, "/inbox", follow_of(remote, chapter, 1))
    second = remote.post(client, "/actor/inbox", follow_of(remote, chapter, 2))

    assert (first.status_code, second.status_code) == (202, 202)
    assert InboxItem.objects.filter(chapter=None).count() == 2


def test_a_replayed_activity_is_not_stored_or_processed_again(client, chapter, remote, run_tasks):
    activity = follow_of(remote, chapter)
    run_tasks(lambda: remote.post(client, inbox_path(chapter), activity))
    Follower.objects.all().delete()

    replay = run_tasks(lambda: remote.post(client, inbox_path(chapter), activity))

    assert replay.status_code == 200 and "Already received" in replay.text
    assert InboxItem.objects.count() == 1
    assert not Follower.objects.exists()  # the replay did not follow again
    assert len(remote.to("/groups/remote/inbox")) == 1  # nor was it accepted twice


def test_a_body_over_one_megabyte_gets_413(client, chapter, remote):
    activity = follow_of(remote, chapter) | {"padding": "x" * 1_000_000}

    response = remote.post(client, inbox_path(chapter), activity)

    assert response.status_code == 413 and "larger than" in response.text
    assert not InboxItem.objects.exists() and not RemoteActor.objects.exists()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "not an activity"),
        (b'{"type": "Follow"}', "needs an id, a type and an actor"),
        (b'{"id": "https://a.example/1", "type": "Note", "actor": "x\\u0000"}', "NUL"),
    ],
)
def test_malformed_json_gets_400(client, chapter, remote, body, reason):
    response = remote.post_body(client, inbox_path(chapter), body)

    assert response.status_code == 400 and reason in response.text
    assert not InboxItem.objects.exists()


def test_deeply_nested_json_gets_400(client, chapter, remote):
    nested: object = "deep"
    for _level in range(25):
        nested = [nested]
    activity = follow_of(remote, chapter) | {"object": nested}

    response = remote.post(client, inbox_path(chapter), activity)

    assert response.status_code == 400 and "nested too deeply" in response.text
    assert not InboxItem.objects.exists()


def test_json_nested_too_deep_for_the_parser_gets_400_not_500(client, chapter):
    body = b"[" * 100_000 + b"]" * 100_000

    response = client.post(inbox_path(chapter), body, content_type="application/activity+json")

    assert response.status_code == 400


def test_an_unsigned_activity_gets_401(client, chapter, remote):
    body = json.dumps(follow_of(remote, chapter))

    response = client.post(inbox_path(chapter), body, content_type="application/activity+json")

    assert response.status_code == 401 and response.text
    assert "Signature" in response["WWW-Authenticate"]
    assert not InboxItem.objects.exists()


def test_a_signature_by_another_key_gets_401(client, chapter, remote):
    other_private, _other_public = keys.generate_pem_pair()
    body = json.dumps(follow_of(remote, chapter)).encode()

    response = remote.post_body(client, inbox_path(chapter), body, private_pem=other_private)

    assert response.status_code == 401 and response.text
    assert not InboxItem.objects.exists()


def test_a_key_whose_owner_is_not_the_actor_gets_401(client, chapter, remote):
    activity = follow_of(remote, chapter) | {"actor": f"{remote.url}/groups/someone-else"}

    response = remote.post(client, inbox_path(chapter), activity)

    assert response.status_code == 401
    assert "owner is not the activity's actor" in response.text
    assert not InboxItem.objects.exists()


def test_a_body_that_does_not_match_its_digest_gets_401(client, chapter, remote):
    activity = follow_of(remote, chapter)
    tampered = json.dumps(activity | {"object": ids.chapter_actor_id("other")}).encode()

    response = remote.post(client, inbox_path(chapter), activity, send_body=tampered)

    assert response.status_code == 401 and "igest" in response.text
    assert not InboxItem.objects.exists()


def test_a_stale_date_gets_401(client, chapter, remote):
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    headers = {"Date": httpsig.http_date(an_hour_ago)}

    response = remote.post(client, inbox_path(chapter), follow_of(remote, chapter), headers=headers)

    assert response.status_code == 401 and response.text
    assert not InboxItem.objects.exists()


def test_a_key_that_cannot_be_fetched_gets_401_not_500(client, chapter, remote, settings):
    gone = f"http://127.0.0.1:{free_port()}/groups/gone"
    activity = follow_of(remote, chapter) | {"actor": gone}

    response = remote.post(client, inbox_path(chapter), activity, key_id=f"{gone}#main-key")

    assert response.status_code == 401 and "could not be fetched" in response.text
    assert not InboxItem.objects.exists()


def test_a_key_on_a_private_network_is_not_fetched(client, chapter, remote, settings):
    settings.FEDERATION_ALLOW_PRIVATE_NETWORKS = False

    response = remote.post(client, inbox_path(chapter), follow_of(remote, chapter))

    assert response.status_code == 401
    assert remote.fetched == []


def test_an_inbox_refuses_get_and_unknown_chapters(client, chapter, remote):
    assert client.get(inbox_path(chapter)).status_code == 405
    body = json.dumps(follow_of(remote, chapter))
    missing = client.post("/chapters/nowhere/inbox", body, content_type="application/json")
    assert missing.status_code == 404


def test_follow_is_accepted_and_the_accept_is_signed_and_delivered(
    client, chapter, remote, run_tasks
):
    follow = follow_of(remote, chapter)

    response = run_tasks(lambda: remote.post(client, inbox_path(chapter), follow))

    assert response.status_code == 202
    follower = Follower.objects.get()
    assert follower.chapter == chapter and follower.actor.uri == remote.actor_id
    assert follower.follow_id == follow["id"]
    assert InboxItem.objects.get().status == InboxItem.Status.DONE
    [delivered] = remote.to("/groups/remote/inbox")
    accept = json.loads(delivered["body"])
    assert accept["type"] == "Accept" and accept["actor"] == ids.chapter_actor_id(chapter)
    assert accept["object"]["id"] == follow["id"]
    key_id = httpsig.verify_request(
        "POST",
        "/groups/remote/inbox",
        delivered["headers"],
        delivered["body"],
        keys.public_key_pem(chapter),
    )
    assert key_id == ids.key_id(chapter)


def test_follow_through_the_shared_inbox_finds_the_chapter_by_its_id(
    client, chapter, remote, run_tasks
):
    run_tasks(lambda: remote.post(client, "/inbox", follow_of(remote, chapter)))

    assert Follower.objects.get().chapter == chapter


def test_follow_of_something_that_is_not_our_chapter_is_ignored(client, chapter, remote, run_tasks):
    activity = follow_of(remote, chapter) | {"object": "http://testserver/chapters/nowhere/"}

    run_tasks(lambda: remote.post(client, "/inbox", activity))

    assert not Follower.objects.exists()
    assert InboxItem.objects.get().status == InboxItem.Status.IGNORED


@pytest.mark.parametrize("inline", [True, False])
def test_undo_follow_removes_the_follower(client, chapter, remote, run_tasks, inline):
    follow = follow_of(remote, chapter)
    run_tasks(lambda: remote.post(client, inbox_path(chapter), follow))
    undo = {
        "@context": AS_CONTEXT,
        "id": f"{remote.url}/activities/undo-1",
        "type": "Undo",
        "actor": remote.actor_id,
        "object": follow if inline else follow["id"],
    }

    run_tasks(lambda: remote.post(client, inbox_path(chapter), undo))

    assert not Follower.objects.exists()
    assert InboxItem.objects.get(type="Undo").status == InboxItem.Status.DONE


def test_an_unknown_actor_deleting_itself_is_answered_without_fetching(client, chapter, remote):
    gone = f"{remote.url}/users/gone"
    activity = {"id": f"{gone}#delete", "type": "Delete", "actor": gone, "object": gone}

    response = remote.post(client, "/inbox", activity)

    assert response.status_code == 202
    assert not InboxItem.objects.exists() and remote.fetched == []


def rfc9421_headers(remote, path: str, body: bytes) -> dict:
    """Headers of a POST signed per RFC 9421 (rsa-v1_5-sha256), as some peers try first."""
    created = int(dt.datetime.now(dt.UTC).timestamp())
    digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    params = (
        '("@method" "@authority" "@path" "content-digest")'
        f';created={created};keyid="{remote.key_id}";alg="rsa-v1_5-sha256"'
    )
    base = "\n".join(
        [
            '"@method": POST',
            '"@authority": testserver',
            f'"@path": {path}',
            f'"content-digest": {digest}',
            f'"@signature-params": {params}',
        ]
    )
    key = serialization.load_pem_private_key(remote.private_pem.encode(), password=None)
    signature = key.sign(base.encode(), padding.PKCS1v15(), hashes.SHA256())
    return {
        "Host": "testserver",
        "Content-Digest": digest,
        "Signature-Input": f"sig1={params}",
        "Signature": "sig1=:" + base64.b64encode(signature).decode() + ":",
    }


def test_an_rfc9421_signed_activity_is_accepted(client, chapter, remote):
    body = json.dumps(follow_of(remote, chapter)).encode()
    headers = rfc9421_headers(remote, "/inbox", body)

    response = client.post(
        "/inbox", body, content_type="application/activity+json", headers=headers
    )

    assert response.status_code == 202 and InboxItem.objects.count() == 1


def test_an_rfc9421_signature_over_another_body_gets_401(client, chapter, remote):
    body = json.dumps(follow_of(remote, chapter)).encode()
    headers = rfc9421_headers(remote, "/inbox", body)
    other = json.dumps(follow_of(remote, chapter, 2)).encode()

    response = client.post(
        "/inbox", other, content_type="application/activity+json", headers=headers
    )

    assert response.status_code == 401 and not InboxItem.objects.exists()


def test_a_rotated_key_is_fetched_again_and_then_verifies(client, chapter, remote):
    remote.post(client, "/inbox", follow_of(remote, chapter, 1))
    actor = RemoteActor.objects.get()
    actor.fetched_at -= dt.timedelta(minutes=5)
    actor.save()
    remote.private_pem, remote.public_pem = keys.generate_pem_pair()
    remote.documents["/groups/remote"] = remote.actor_document()

    response = remote.post(client, "/inbox", follow_of(remote, chapter, 2))

    assert response.status_code == 202
    assert RemoteActor.objects.get().public_key_pem == remote.public_pem
