"""Following remote chapters, and the meetings and stories they send us.

The remote chapter is a real HTTP server on loopback (tests.federation.fake_remote).
"""

import json

import pytest

from federation import httpsig, ids, keys
from federation.models import Following, InboxItem, RemoteActor, RemoteObject
from search.services import sync_all
from tests.html import field_error

pytest_plugins = ["tests.federation.fake_remote"]

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def follow_url(chapter) -> str:
    return f"/chapters/{chapter.slug}/network/follow/"


def following_of(chapter, remote, state=Following.State.ACCEPTED) -> Following:
    """A follow already asked for (and answered), without going through the form."""
    actor = RemoteActor.objects.create(
        uri=remote.actor_id,
        preferred_username=remote.username,
        inbox=f"{remote.actor_id}/inbox",
        key_id=remote.key_id,
        public_key_pem=remote.public_pem,
    )
    return Following.objects.create(
        chapter=chapter, actor=actor, follow_id=f"{ids.site_url()}/activities/f-1", state=state
    )


def event(remote, number: int = 1, **fields) -> dict:
    return {
        "id": f"{remote.url}/events/{number}",
        "type": "Event",
        "name": "Linked data night",
        "summary": "Wed 3 June, 18:30 · Library",
        "content": '<p>Talks <script>alert("x")</script><a href="javascript:alert(1)">here</a></p>',
        "mediaType": "text/html",
        "startTime": "2099-06-03T18:30:00-04:00",
        "endTime": "2099-06-03T20:30:00-04:00",
        "timezone": "America/New_York",
        "location": {
            "type": "Place",
            "name": "Main Library",
            "address": {
                "type": "PostalAddress",
                "streetAddress": "476 Fifth Ave",
                "addressLocality": "New York",
                "addressCountry": "US",
            },
        },
        "isOnline": False,
        "url": f"{remote.url}/events/{number}.html",
        "attributedTo": remote.actor_id,
        "to": [PUBLIC],
        **fields,
    }


def article(remote, number: int = 1) -> dict:
    return {
        "id": f"{remote.url}/stories/{number}",
        "type": "Article",
        "name": "We moved",
        "summary": "New venue from June.",
        "content": "<p>See you <b>there</b><img src=x onerror=alert(1)></p>",
        "published": "2026-05-01T12:00:00Z",
        "url": f"{remote.url}/stories/{number}.html",
        "attributedTo": remote.actor_id,
    }


def activity(remote, kind: str, obj, number: int = 1) -> dict:
    return {
        "@context": AS_CONTEXT,
        "id": f"{remote.url}/activities/{kind.lower()}-{number}",
        "type": kind,
        "actor": remote.actor_id,
        "object": obj,
        "to": [PUBLIC],
    }


def deliver(client, chapter, remote, run_tasks, kind, obj, number=1):
    """Post an activity from the remote Group to the shared inbox and process it."""
    sent = activity(remote, kind, obj, number)
    response = run_tasks(lambda: remote.post(client, "/inbox", sent))
    assert response.status_code == 202
    return InboxItem.objects.get(activity_id=sent["id"])


# Following by handle or address.


def test_an_organizer_follows_a_remote_chapter_by_handle(
    organizer_client, chapter, remote, run_tasks
):
    response = run_tasks(
        lambda: organizer_client.post(follow_url(chapter), {"handle": remote.handle})
    )

    assert response.status_code == 302
    following = Following.objects.get()
    assert following.chapter == chapter and following.state == Following.State.PENDING
    assert following.actor.uri == remote.actor_id and following.created_by.email
    [sent] = remote.to("/groups/remote/inbox")
    follow = json.loads(sent["body"])
    assert follow["type"] == "Follow" and follow["object"] == remote.actor_id
    assert follow["id"] == following.follow_id
    assert follow["actor"] == ids.chapter_actor_id(chapter)
    assert httpsig.verify_request(
        "POST", "/groups/remote/inbox", sent["headers"], sent["body"], keys.public_key_pem(chapter)
    )
    assert [f["path"] for f in remote.fetched][:2] == ["/.well-known/webfinger", "/groups/remote"]


def test_an_organizer_follows_a_remote_chapter_by_address(organizer_client, chapter, remote):
    organizer_client.post(follow_url(chapter), {"handle": f"  {remote.actor_id}  "})

    assert Following.objects.get().actor.uri == remote.actor_id


@pytest.mark.parametrize(
    ("handle", "error"),
    [
        ("not a handle", "Enter a handle"),
        ("@nobody@{host}", "Could not look up"),
        ("{url}/missing", "Could not fetch"),
    ],
)
def test_an_unknown_chapter_gets_a_form_error_and_nothing_is_written(
    organizer_client, chapter, remote, handle, error
):
    handle = handle.format(host=remote.host, url=remote.url)

    response = organizer_client.post(follow_url(chapter), {"handle": handle})

    assert response.status_code == 400
    assert error in field_error(response, "handle")
    assert not Following.objects.exists() and remote.received == []


def test_a_chapter_already_followed_is_not_followed_twice(
    organizer_client, chapter, remote, run_tasks
):
    run_tasks(lambda: organizer_client.post(follow_url(chapter), {"handle": remote.handle}))

    response = run_tasks(
        lambda: organizer_client.post(follow_url(chapter), {"handle": remote.handle})
    )

    assert response.status_code == 400 and "already follows" in field_error(response, "handle")
    assert Following.objects.count() == 1 and len(remote.received) == 1


def test_only_organizers_follow(client, member_client, outsider_client, chapter, remote):
    assert member_client.post(follow_url(chapter), {"handle": remote.handle}).status_code == 403
    assert outsider_client.post(follow_url(chapter), {"handle": remote.handle}).status_code == 403
    anonymous = client.post(follow_url(chapter), {"handle": remote.handle})
    assert anonymous.status_code == 302 and "/accounts/" in anonymous["Location"]
    assert not Following.objects.exists() and remote.fetched == []


def test_unfollow_sends_undo_and_forgets_the_chapter(organizer_client, chapter, remote, run_tasks):
    following = following_of(chapter, remote)
    RemoteObject.objects.create(uri=f"{remote.url}/events/1", actor=following.actor, kind="meeting")
    url = f"/chapters/{chapter.slug}/network/unfollow/{following.pk}/"

    response = run_tasks(lambda: organizer_client.post(url))

    assert response.status_code == 302
    assert not Following.objects.exists() and not RemoteObject.objects.exists()
    [sent] = remote.activities_to("/groups/remote/inbox")
    assert sent["type"] == "Undo" and sent["object"]["id"] == following.follow_id


def test_only_organizers_unfollow(member_client, chapter, remote, run_tasks):
    following = following_of(chapter, remote)

    url = f"/chapters/{chapter.slug}/network/unfollow/{following.pk}/"
    assert run_tasks(lambda: member_client.post(url)).status_code == 403

    assert Following.objects.exists() and remote.received == []


@pytest.mark.parametrize(
    ("answer", "state"),
    [("Accept", Following.State.ACCEPTED), ("Reject", Following.State.REJECTED)],
)
def test_the_remote_answer_settles_the_follow(client, chapter, remote, run_tasks, answer, state):
    following = following_of(chapter, remote, Following.State.PENDING)
    follow = {
        "id": following.follow_id,
        "type": "Follow",
        "actor": ids.chapter_actor_id(chapter),
        "object": remote.actor_id,
    }

    item = deliver(client, chapter, remote, run_tasks, answer, follow)

    assert item.status == InboxItem.Status.DONE
    following.refresh_from_db()
    assert following.state == state


def test_an_accept_by_id_only_settles_the_follow(client, chapter, remote, run_tasks):
    following = following_of(chapter, remote, Following.State.PENDING)

    deliver(client, chapter, remote, run_tasks, "Accept", following.follow_id)

    following.refresh_from_db()
    assert following.state == Following.State.ACCEPTED


# Remote meetings and stories.


def test_a_followed_group_creates_an_event(client, chapter, remote, run_tasks):
    following_of(chapter, remote)

    item = deliver(client, chapter, remote, run_tasks, "Create", event(remote))

    assert item.status == InboxItem.Status.DONE
    meeting = RemoteObject.objects.get()
    assert meeting.kind == RemoteObject.Kind.MEETING and meeting.name == "Linked data night"
    assert meeting.start.isoformat() == "2099-06-03T22:30:00+00:00"
    assert meeting.end.isoformat() == "2099-06-04T00:30:00+00:00"
    assert meeting.time_zone == "America/New_York"
    assert meeting.location == "Main Library, 476 Fifth Ave, New York, US"
    assert meeting.url == f"{remote.url}/events/1.html" and not meeting.cancelled
    assert meeting.summary == "Wed 3 June, 18:30 · Library"


def test_remote_html_is_sanitized_like_ours(client, chapter, remote, run_tasks):
    following_of(chapter, remote)

    deliver(client, chapter, remote, run_tasks, "Create", event(remote))
    deliver(client, chapter, remote, run_tasks, "Create", article(remote), 2)

    meeting, story = RemoteObject.objects.order_by("kind")
    for html in (meeting.content, story.content):
        assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "Talks" in meeting.content and "<b>there</b>" in story.content


def test_an_update_changes_the_event_and_can_cancel_it(client, chapter, remote, run_tasks):
    following_of(chapter, remote)
    deliver(client, chapter, remote, run_tasks, "Create", event(remote))
    changed = event(remote, name="Linked data night (moved)", **{"ical:status": "CANCELLED"})

    deliver(client, chapter, remote, run_tasks, "Update", changed)

    meeting = RemoteObject.objects.get()
    assert meeting.name == "Linked data night (moved)" and meeting.cancelled


def test_schema_org_event_status_cancels_too(client, chapter, remote, run_tasks):
    following_of(chapter, remote)

    deliver(
        client, chapter, remote, run_tasks, "Create", event(remote, eventStatus="EventCancelled")
    )

    assert RemoteObject.objects.get().cancelled


@pytest.mark.parametrize("as_tombstone", [False, True])
def test_a_delete_removes_the_remote_meeting(client, chapter, remote, run_tasks, as_tombstone):
    following_of(chapter, remote)
    created = event(remote)
    deliver(client, chapter, remote, run_tasks, "Create", created)
    tombstone = {"id": created["id"], "type": "Tombstone", "formerType": "Event"}

    deliver(
        client, chapter, remote, run_tasks, "Delete", tombstone if as_tombstone else created["id"]
    )

    assert not RemoteObject.objects.exists()


def test_articles_become_remote_stories(client, chapter, remote, run_tasks):
    following_of(chapter, remote)

    deliver(client, chapter, remote, run_tasks, "Create", article(remote))

    story = RemoteObject.objects.get()
    assert story.kind == RemoteObject.Kind.STORY and story.name == "We moved"
    assert story.published.isoformat() == "2026-05-01T12:00:00+00:00"
    assert story.start is None


def test_an_announce_of_a_create_is_stored(client, chapter, remote, run_tasks):
    following_of(chapter, remote)
    create = activity(remote, "Create", article(remote), 9)

    deliver(client, chapter, remote, run_tasks, "Announce", create)

    assert RemoteObject.objects.get().name == "We moved"


def test_an_announce_by_id_fetches_the_object_from_its_origin(client, chapter, remote, run_tasks):
    following_of(chapter, remote)
    remote.add(event(remote, 5))

    deliver(client, chapter, remote, run_tasks, "Announce", f"{remote.url}/events/5")

    assert RemoteObject.objects.get().uri == f"{remote.url}/events/5"
    fetch = next(f for f in remote.fetched if f["path"] == "/events/5")
    assert 'keyId="http://testserver/actor#main-key"' in fetch["headers"]["Signature"]


def test_an_announced_object_from_another_server_is_fetched_from_there(
    client, chapter, remote, make_remote, run_tasks
):
    following_of(chapter, remote)
    origin = make_remote("origin")
    original = origin.add(event(origin, 3))
    forged = original | {"name": "Forged name"}

    deliver(client, chapter, remote, run_tasks, "Announce", forged)

    stored = RemoteObject.objects.get()
    assert stored.name == "Linked data night" and stored.uri == original["id"]


def test_objects_from_groups_nobody_follows_are_ignored(client, chapter, remote, run_tasks):
    following_of(chapter, remote, Following.State.PENDING)

    item = deliver(client, chapter, remote, run_tasks, "Create", event(remote))

    assert item.status == InboxItem.Status.IGNORED
    assert not RemoteObject.objects.exists()


def test_a_group_cannot_create_objects_on_another_server(client, chapter, remote, run_tasks):
    following_of(chapter, remote)
    elsewhere = event(remote) | {"id": "https://victim.example/events/1"}

    deliver(client, chapter, remote, run_tasks, "Create", elsewhere)

    assert not RemoteObject.objects.exists()


def test_a_group_cannot_change_another_groups_object(client, chapter, remote, run_tasks):
    following = following_of(chapter, remote)
    other = RemoteActor.objects.create(
        uri=f"{remote.url}/groups/other", inbox=f"{remote.url}/groups/other/inbox"
    )
    RemoteObject.objects.create(
        uri=f"{remote.url}/events/1", actor=other, kind="meeting", name="Theirs"
    )

    deliver(client, chapter, remote, run_tasks, "Update", event(remote))

    assert RemoteObject.objects.get().name == "Theirs"
    assert following.actor.remote_objects.count() == 0


def test_remote_meetings_are_found_by_search_until_deleted(client, chapter, remote, run_tasks):
    following_of(chapter, remote)
    created = event(remote, name="Provenance workshop")

    deliver(client, chapter, remote, run_tasks, "Create", created)

    found = client.get("/search/", {"q": "Provenance"}).text
    assert "Provenance workshop" in found and f"{remote.url}/events/1.html" in found

    deliver(client, chapter, remote, run_tasks, "Delete", created["id"])
    # One test transaction holds both deliveries, so search's once-per-transaction sync
    # already ran; apply the change the Delete queued as the next sync would.
    sync_all()

    assert "Provenance workshop" not in client.get("/search/", {"q": "Provenance"}).text


# Meeting formats and reports (the chapterhouse: terms of an Event).


def reported(remote, number: int = 1, **report) -> dict:
    """An Event with a format and a published report, as another Chapterhouse sends it."""
    values = {
        "type": "MeetingReport",
        "attendance": 27,
        "whatWorked": "Name tags & a sign-up sheet at the door",
        "content": "<p>Three <strong>demos</strong>.</p>",
        "mediaType": "text/html",
        "updated": "2099-06-05T09:00:00Z",
    }
    return event(remote, number, meetingFormat="hack", meetingReport=values | report)


def test_a_report_is_stored_then_cleared_by_an_update_without_it(
    client, chapter, remote, run_tasks
):
    following_of(chapter, remote)

    deliver(client, chapter, remote, run_tasks, "Create", reported(remote))

    meeting = RemoteObject.objects.get()
    assert meeting.meeting_format == "hack" and meeting.report_attendance == 27
    assert meeting.report_what_worked == "Name tags & a sign-up sheet at the door"
    assert meeting.report_html == "<p>Three <strong>demos</strong>.</p>"
    assert meeting.report_updated.isoformat() == "2099-06-05T09:00:00+00:00"

    deliver(client, chapter, remote, run_tasks, "Update", event(remote, meetingFormat="hack"), 2)

    meeting.refresh_from_db()
    assert meeting.meeting_format == "hack"
    assert meeting.report_updated is None and meeting.report_attendance is None
    assert meeting.report_what_worked == "" and meeting.report_html == ""


def test_an_announced_event_brings_its_report_too(client, chapter, remote, run_tasks):
    following_of(chapter, remote)
    remote.add(reported(remote, 4))

    deliver(client, chapter, remote, run_tasks, "Announce", f"{remote.url}/events/4")

    assert RemoteObject.objects.get().report_attendance == 27


def test_hostile_html_in_a_remote_report_is_sanitized(client, chapter, remote, run_tasks):
    following_of(chapter, remote)
    hostile = (
        '<p onclick="steal()">Notes<script>alert(1)</script><img src=x onerror=alert(2)>'
        '<a href="javascript:alert(3)">more</a><iframe src="https://evil.example/"></iframe>'
        "<style>body{display:none}</style></p>"
    )

    deliver(client, chapter, remote, run_tasks, "Create", reported(remote, content=hostile))

    html = RemoteObject.objects.get().report_html
    assert "Notes" in html
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<style"):
        assert bad not in html
    page = client.get("/playbook/").text
    assert "Notes" in page and "alert(" not in page and "steal()" not in page


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        ({"attendance": "lots"}, {"report_attendance": None}),
        ({"attendance": -5}, {"report_attendance": None}),
        ({"attendance": True}, {"report_attendance": None}),
        ({"attendance": 10**12}, {"report_attendance": None}),
        ({"attendance": "42"}, {"report_attendance": 42}),
        ({"whatWorked": ["not", "text"]}, {"report_what_worked": ""}),
        ({"whatWorked": "x" * 9000}, {"report_what_worked": "x" * 5000}),
        ({"content": {"html": "no"}}, {"report_html": ""}),
        ({"updated": "yesterday"}, {"report_updated": "2026-05-01T12:00:00+00:00"}),
        ({"updated": "2099-13-45T99:00:00Z"}, {"report_updated": "2026-05-01T12:00:00+00:00"}),
    ],
)
def test_malformed_report_values_are_ignored_or_trimmed(
    client, chapter, remote, run_tasks, report, expected
):
    following_of(chapter, remote)
    sent = reported(remote, **report) | {"updated": "2026-05-01T12:00:00Z"}

    item = deliver(client, chapter, remote, run_tasks, "Create", sent)

    assert item.status == InboxItem.Status.DONE
    stored = RemoteObject.objects.get()
    for name, value in expected.items():
        found = getattr(stored, name)
        assert (found.isoformat() if name == "report_updated" else found) == value


@pytest.mark.parametrize(
    ("fields", "meeting_format", "has_report"),
    [
        ({"meetingFormat": "fishbowl", "meetingReport": {"attendance": 8}}, "fishbowl", True),
        ({"meetingFormat": "f" * 300, "meetingReport": {}}, "f" * 40, True),
        ({"meetingFormat": {"@id": "x"}, "meetingReport": "a string"}, "", False),
        ({"meetingFormat": 7, "meetingReport": [{"attendance": 3}]}, "", True),
        ({"meetingReport": None}, "", False),
    ],
)
def test_unknown_or_malformed_formats_and_reports_never_fail(
    client, chapter, remote, run_tasks, fields, meeting_format, has_report
):
    following_of(chapter, remote)

    item = deliver(client, chapter, remote, run_tasks, "Create", event(remote, **fields))

    assert item.status == InboxItem.Status.DONE
    stored = RemoteObject.objects.get()
    assert stored.meeting_format == meeting_format
    assert (stored.report_updated is not None) is has_report
