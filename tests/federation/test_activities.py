"""The JSON we publish: keys, Events, Articles and the activities around them."""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from federation import activities, ids
from federation.keys import key_for, load_private_key, public_key_pem, signing_identity
from federation.models import ActorKey, RemoteActor
from meetings.models import Meeting, Report
from stories.models import Story
from tests.meetings.factories import MeetingFactory, VenueFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

WINTER = dt.datetime(2030, 1, 15, 23, 30, tzinfo=dt.UTC)  # 6:30 p.m. EST, a Tuesday
SUMMER = dt.datetime(2030, 7, 16, 22, 30, tzinfo=dt.UTC)  # 6:30 p.m. EDT, a Tuesday
EVENT_FIELDS = {
    "id", "type", "name", "content", "mediaType", "summary", "startTime", "endTime", "timezone",
    "isOnline", "ical:status", "attachment", "attributedTo", "actor", "audience", "to", "cc",
    "url", "published", "updated",
}  # fmt: skip


def meeting_at(chapter, start, **kwargs) -> Meeting:
    return MeetingFactory(chapter=chapter, start=start, end=start + dt.timedelta(hours=2), **kwargs)


# Keys --------------------------------------------------------------------------------


def test_a_chapter_key_is_rsa_2048_and_made_once(chapter):
    key = key_for(chapter)
    assert key_for(chapter).pk == key.pk
    public = load_pem_public_key(key.public_pem.encode())
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    assert load_private_key(key.private_pem).public_key().public_numbers() == (
        public.public_numbers()
    )


def test_the_instance_key_is_its_own(chapter):
    instance = key_for(None)
    assert instance.chapter is None
    assert key_for(None).pk == instance.pk
    assert public_key_pem(None) != public_key_pem(chapter)
    assert ActorKey.objects.count() == 2


def test_signing_identity_names_the_key_of_the_actor(chapter):
    key_id, private_pem = signing_identity(chapter)
    assert key_id == "http://testserver/chapters/code4libnyc/#main-key"
    assert private_pem == key_for(chapter).private_pem
    assert signing_identity(None)[0] == "http://testserver/actor#main-key"


# Identifiers -------------------------------------------------------------------------


def test_ids_follow_the_site_url(chapter, settings):
    settings.SITE_URL = "https://chapters.example:8443"
    assert ids.chapter_actor_id(chapter) == "https://chapters.example:8443/chapters/code4libnyc/"
    assert ids.chapter_inbox("code4libnyc").endswith("/chapters/code4libnyc/inbox")
    assert ids.chapter_handle(chapter) == "@code4libnyc@chapters.example:8443"
    assert ids.shared_inbox() == "https://chapters.example:8443/inbox"
    assert ids.instance_username() == "chapters.example"


def test_activity_ids_give_back_their_uuid():
    key = uuid.uuid4()
    assert ids.activity_uuid(ids.activity_id(key)) == key
    assert ids.activity_uuid("http://testserver/activities/not-a-uuid") is None
    assert ids.activity_uuid(f"https://elsewhere.example/activities/{key}") is None


# Events ------------------------------------------------------------------------------


def test_an_in_person_event_has_what_mobilizon_and_gancio_read(chapter):
    venue = VenueFactory(chapter=chapter, latitude=Decimal("40.752726"),
                         longitude=Decimal("-73.981963"))  # fmt: skip
    meeting = meeting_at(chapter, WINTER, venue=venue, description="Talks and **pizza**.")
    data = activities.event(meeting)
    page = f"http://testserver/chapters/code4libnyc/meetings/{meeting.pk}/"
    group = "http://testserver/chapters/code4libnyc/"
    assert set(data) >= EVENT_FIELDS
    assert data["id"] == data["url"] == page
    assert data["type"] == "Event"
    assert data["content"] == "<p>Talks and <strong>pizza</strong>.</p>\n"
    assert data["mediaType"] == "text/html"
    assert data["attributedTo"] == data["actor"] == data["audience"] == group
    assert data["to"] == [activities.PUBLIC]
    assert data["cc"] == [group + "followers"]
    assert data["isOnline"] is False
    assert data["ical:status"] == "CONFIRMED"
    assert data["location"] == {
        "type": "Place",
        "name": str(venue),
        "address": {
            "type": "PostalAddress",
            "streetAddress": "476 Fifth Avenue",
            "addressLocality": "New York",
            "addressRegion": "NY",
            "postalCode": "10018",
            "addressCountry": "US",
        },
        "latitude": 40.752726,
        "longitude": -73.981963,
    }
    assert all(item.get("mediaType") for item in data["attachment"])
    ical = {"ical": "http://www.w3.org/2002/12/cal/ical#"}
    assert activities.AS_CONTEXT in data["@context"]
    assert ical.items() <= data["@context"][-1].items()


def test_times_carry_the_chapter_zone_offset_across_dst(chapter):
    winter = activities.event(meeting_at(chapter, WINTER))
    summer = activities.event(meeting_at(chapter, SUMMER))
    assert winter["startTime"] == "2030-01-15T18:30:00-05:00"
    assert winter["endTime"] == "2030-01-15T20:30:00-05:00"
    assert summer["startTime"] == "2030-07-16T18:30:00-04:00"
    assert winter["timezone"] == summer["timezone"] == "America/New_York"
    parsed = dt.datetime.fromisoformat(winter["startTime"])
    assert parsed == WINTER


def test_the_summary_says_when_and_where_in_plain_words(chapter):
    venue = VenueFactory(chapter=chapter, name="METRO offices")
    summary = activities.event(meeting_at(chapter, WINTER, venue=venue))["summary"]
    assert summary.startswith("Tuesday, January 15, 2030, 6:30 p.m.\u20138:30 p.m.")
    assert "(America/New_York)" in summary
    assert "METRO offices" in summary
    assert "476 Fifth Avenue, New York, NY 10018" in summary
    assert "<" not in summary


def test_a_hybrid_event_is_online_without_publishing_the_private_link(chapter):
    secret = "https://meet.example/room-for-those-going"
    meeting = meeting_at(chapter, WINTER, online_url=secret)
    data = activities.event(meeting)
    assert data["isOnline"] is True
    assert data["location"]["type"] == "Place"
    online = [item for item in data["attachment"] if item["mediaType"] == "text/html"]
    assert online == [{"type": "Link", "name": "Join online (RSVP for the link)",
                       "href": data["url"], "mediaType": "text/html"}]  # fmt: skip
    assert "online too" in data["summary"]
    assert secret not in json.dumps(data)


def test_an_online_only_event_has_no_place(chapter):
    data = activities.event(
        meeting_at(chapter, WINTER, venue=None, online_url="https://x.example/")
    )
    assert "location" not in data
    assert data["isOnline"] is True
    assert data["summary"].endswith("\u00b7 online")


def test_a_cancelled_event_says_so_in_status_and_summary(chapter):
    meeting = meeting_at(chapter, WINTER, status=Meeting.Status.CANCELLED)
    data = activities.event(meeting)
    assert data["ical:status"] == "CANCELLED"
    assert data["summary"].startswith("CANCELLED: Tuesday, January 15, 2030")
    postponed = meeting_at(chapter, SUMMER, status=Meeting.Status.POSTPONED)
    assert activities.event(postponed)["ical:status"] == "TENTATIVE"


def test_event_content_is_sanitized(chapter):
    meeting = meeting_at(
        chapter, WINTER, description='<script>alert(1)</script><img src=x onerror="alert(2)">'
    )
    content = activities.event(meeting)["content"]
    assert "<script" not in content
    assert "onerror" not in content


def test_an_event_carries_its_format_and_no_report_until_one_is_published(chapter):
    meeting = meeting_at(chapter, WINTER, format="hack")
    without = activities.event(meeting)
    Report.objects.create(meeting=meeting, attendance=9, what_worked="Secret draft")
    meeting = Meeting.objects.get(pk=meeting.pk)

    draft = activities.event(meeting)

    assert without["meetingFormat"] == draft["meetingFormat"] == "hack"
    assert "meetingReport" not in without and "meetingReport" not in draft
    context = without["@context"][-1]
    assert context["chapterhouse"] == "https://w3id.org/chapterhouse/ns#"
    assert context["meetingFormat"] == "chapterhouse:meetingFormat"
    assert context["meetingReport"] == "chapterhouse:meetingReport"


def test_a_published_report_rides_in_the_event_with_sanitized_notes(chapter):
    meeting = meeting_at(chapter, WINTER, venue=None, format="lightning")
    before = activities.event(meeting)
    updated = dt.datetime(2030, 1, 16, 9, 0, 30, 500, tzinfo=dt.UTC)
    Report.objects.create(
        meeting=meeting, attendance=31, what_worked="A timer everyone could see", published=True,
        notes='Ten talks, **one** demo.<script>alert(1)</script><img src=x onerror="alert(2)">',
        updated=updated,
    )  # fmt: skip
    meeting = Meeting.objects.get(pk=meeting.pk)

    data = activities.event(meeting)

    report = data["meetingReport"]
    assert report["type"] == "MeetingReport"
    assert report["attendance"] == 31 and report["whatWorked"] == "A timer everyone could see"
    assert report["mediaType"] == "text/html" and report["updated"] == "2030-01-16T09:00:30Z"
    assert "<strong>one</strong>" in report["content"]
    assert "<script" not in report["content"] and "onerror" not in report["content"]
    # What Mobilizon, Gancio and Mastodon read is the same with or without a report.
    ours = {"meetingFormat", "meetingReport"}
    assert {k: v for k, v in data.items() if k not in ours} == {
        k: v for k, v in before.items() if k not in ours
    }
    assert set(data) - set(before) == {"meetingReport"}


def test_a_report_without_attendance_or_what_worked_leaves_them_out(chapter):
    meeting = meeting_at(chapter, WINTER)
    Report.objects.create(meeting=meeting, published=True)
    meeting = Meeting.objects.get(pk=meeting.pk)

    report = activities.event(meeting)["meetingReport"]

    assert set(report) == {"type", "content", "mediaType", "updated"}
    assert report["content"] == ""


# Articles ----------------------------------------------------------------------------


def test_a_story_is_an_article_from_the_group(chapter):
    story = StoryFactory(chapter=chapter, slug="spring", title="Spring news",
                         excerpt="<p>In <em>short</em></p>", body="Hello *all*.")  # fmt: skip
    data = activities.article(story)
    page = "http://testserver/chapters/code4libnyc/stories/spring/"
    assert data["id"] == data["url"] == page
    assert data["type"] == "Article"
    assert data["name"] == "Spring news"
    assert data["content"] == "<p>Hello <em>all</em>.</p>\n"
    assert data["mediaType"] == "text/html"
    assert data["summary"] == "In short"
    assert data["attributedTo"] == "http://testserver/chapters/code4libnyc/"
    assert data["to"] == [activities.PUBLIC]
    assert data["cc"] == ["http://testserver/chapters/code4libnyc/followers"]
    assert data["published"].endswith("Z")


def test_html_stories_are_sanitized_too(chapter):
    story = StoryFactory(chapter=chapter, body_format=Story.Format.HTML,
                         body='<p onclick="x()">Hi</p><script>bad()</script>')  # fmt: skip
    content = activities.article(story)["content"]
    assert "onclick" not in content
    assert "<script" not in content


# Activities --------------------------------------------------------------------------


def test_wrap_puts_the_object_in_a_public_activity_of_the_group(chapter):
    meeting = meeting_at(chapter, WINTER)
    create = activities.wrap("Create", chapter, activities.event(meeting))
    assert create["type"] == "Create"
    assert ids.activity_uuid(create["id"]) is not None
    assert create["actor"] == "http://testserver/chapters/code4libnyc/"
    assert create["to"] == [activities.PUBLIC]
    assert create["cc"] == ["http://testserver/chapters/code4libnyc/followers"]
    assert create["object"]["id"] == ids.meeting_id(meeting)
    assert "@context" not in create["object"]
    assert create["@context"] == activities.CONTEXT
    assert activities.wrap("Update", chapter, activities.event(meeting))["id"] != create["id"]


def test_delete_carries_a_tombstone(chapter):
    uri = "http://testserver/chapters/code4libnyc/meetings/12/"
    delete = activities.wrap("Delete", chapter, activities.tombstone(uri, "Event"))
    assert delete["object"]["type"] == "Tombstone"
    assert delete["object"]["id"] == uri
    assert delete["object"]["formerType"] == "Event"


def test_accept_answers_the_follower_with_its_follow(chapter):
    follow = {"@context": activities.AS_CONTEXT, "id": "https://social.example/f/1",
              "type": "Follow", "actor": "https://social.example/users/ada",
              "object": ids.chapter_actor_id(chapter)}  # fmt: skip
    accept = activities.accept(chapter, follow)
    assert accept["type"] == "Accept"
    assert accept["actor"] == ids.chapter_actor_id(chapter)
    assert accept["to"] == ["https://social.example/users/ada"]
    assert accept["object"]["id"] == "https://social.example/f/1"
    assert "@context" not in accept["object"]


def test_follow_and_undo_address_the_remote_group(chapter):
    remote = RemoteActor(uri="https://other.example/chapters/pdx/")
    follow = activities.follow(chapter, remote)
    assert follow["type"] == "Follow"
    assert follow["object"] == follow["to"][0] == remote.uri
    undo = activities.undo(chapter, follow)
    assert undo["type"] == "Undo"
    assert undo["object"]["id"] == follow["id"]
    assert undo["to"] == [remote.uri]
