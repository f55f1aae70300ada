"""The network pages: remote meetings and news, marked remote, and the follow form."""

import datetime as dt

import pytest
from django.utils import timezone

from federation.models import Following, RemoteActor, RemoteObject
from tests.factories import ChapterFactory
from tests.queries import assert_queries_do_not_grow

NETWORK = "/chapters/code4libnyc/network/"


def remote_group(name: str = "Boston", host: str = "boston.example") -> RemoteActor:
    return RemoteActor.objects.create(
        uri=f"https://{host}/chapters/{name.lower()}/",
        preferred_username=name.lower(),
        name=f"Code4Lib {name}",
        url=f"https://{host}/chapters/{name.lower()}/",
        inbox=f"https://{host}/chapters/{name.lower()}/inbox",
    )


def follow(chapter, actor, state=Following.State.ACCEPTED) -> Following:
    return Following.objects.create(
        chapter=chapter, actor=actor, follow_id=f"{actor.uri}follow/{chapter.pk}", state=state
    )


def remote_meeting(actor, name="Archives hack night", days=7, **fields) -> RemoteObject:
    number = RemoteObject.objects.count() + 1
    return RemoteObject.objects.create(
        uri=f"{actor.uri}meetings/{number}/",
        url=f"{actor.uri}meetings/{number}/",
        actor=actor,
        kind=RemoteObject.Kind.MEETING,
        name=name,
        start=timezone.now() + dt.timedelta(days=days),
        location="Boston Public Library",
        **fields,
    )


def remote_story(actor, name="We have a new venue") -> RemoteObject:
    number = RemoteObject.objects.count() + 1
    return RemoteObject.objects.create(
        uri=f"{actor.uri}stories/{number}/",
        url=f"{actor.uri}stories/{number}/",
        actor=actor,
        kind=RemoteObject.Kind.STORY,
        name=name,
        content="<p>Details inside.</p>",
    )


def test_the_chapter_network_shows_remote_meetings_and_news_marked_remote(client, chapter):
    boston = remote_group()
    follow(chapter, boston)
    meeting = remote_meeting(boston)
    remote_story(boston)

    response = client.get(NETWORK)

    assert response.status_code == 200
    page = response.text
    assert "Archives hack night" in page and "We have a new venue" in page
    assert page.count(">Remote</span>") == 2
    assert f'href="{meeting.url}"' in page and "Boston Public Library" in page
    assert "Code4Lib Boston" in page


def test_the_network_leaves_out_past_pending_and_other_chapters_follows(client, chapter):
    boston = remote_group()
    follow(chapter, boston)
    remote_meeting(boston, "Last month's meeting", days=-30)
    pending = remote_group("Austin", "austin.example")
    follow(chapter, pending, Following.State.PENDING)
    remote_meeting(pending, "Pending group's meeting")
    elsewhere = remote_group("Denver", "denver.example")
    follow(ChapterFactory(slug="other"), elsewhere)
    remote_meeting(elsewhere, "Other chapter's follow")

    page = client.get(NETWORK).text

    assert "Last month" not in page and "Pending group" not in page and "Other chapter" not in page
    assert "No upcoming meetings from the network." in page


def test_the_instance_network_shows_every_chapters_follows(client, chapter):
    boston, denver = remote_group(), remote_group("Denver", "denver.example")
    follow(chapter, boston)
    follow(ChapterFactory(slug="other"), denver)
    follow(ChapterFactory(slug="third"), denver)
    remote_meeting(boston, "Boston meeting")
    remote_meeting(denver, "Denver meeting")

    page = client.get("/network/").text

    assert "Boston meeting" in page and page.count("Denver meeting") == 1


def test_cancelled_remote_meetings_say_so(client, chapter):
    boston = remote_group()
    follow(chapter, boston)
    remote_meeting(boston, cancelled=True)

    assert ">Cancelled</span>" in client.get(NETWORK).text


def test_organizers_see_the_follow_form_and_every_follow_with_its_state(
    organizer_client, member_client, chapter
):
    follow(chapter, remote_group(), Following.State.PENDING)

    organizer_page = organizer_client.get(NETWORK).text
    member_page = member_client.get(NETWORK).text

    assert 'name="handle"' in organizer_page and "Waiting for an answer" in organizer_page
    assert 'name="handle"' not in member_page and "Code4Lib Boston" not in member_page


@pytest.mark.parametrize("url", [NETWORK, "/network/"])
def test_network_pages_do_not_grow_their_queries(client, chapter, url):
    def add_rows():
        for _number in range(5):
            number = RemoteActor.objects.count()
            actor = remote_group(f"Group{number}", f"g{number}.example")
            follow(chapter, actor)
            remote_meeting(actor)
            remote_story(actor)

    add_rows()
    assert_queries_do_not_grow(client, url, add_rows)
