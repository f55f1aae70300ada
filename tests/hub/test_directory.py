"""The hub directory: local chapters with their activity, followed Groups, and the map."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from chapters.forms import ChapterForm
from chapters.hub import MAP_HEIGHT, MAP_WIDTH, directory_chapters, map_points
from federation.models import Following
from meetings.models import Meeting
from tests.factories import ChapterFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.federation.test_network import follow, remote_group, remote_meeting
from tests.meetings.factories import MeetingFactory
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

HUB = "/hub/"


def days_from_now(days: int) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(days=days)


def held(chapter, days_ago: int, **fields) -> Meeting:
    start = days_from_now(-days_ago)
    return MeetingFactory(chapter=chapter, start=start, end=start + dt.timedelta(hours=2), **fields)


def test_directory_shows_each_local_chapter_with_its_activity(client, chapter, member, organizer):
    chapter.region = "New York City"
    chapter.save()
    FocusAreaFactory(chapter=chapter, name="Linked data")
    MembershipFactory(chapter=chapter, user=UserFactory(is_active=False))
    held(chapter, 30)
    held(chapter, 200)
    held(chapter, 400)  # more than a year ago: not counted
    held(chapter, 10, status=Meeting.Status.CANCELLED)  # did not happen: not counted
    MeetingFactory(chapter=chapter, title="Far future", start=days_from_now(60),
                   end=days_from_now(60) + dt.timedelta(hours=2))  # fmt: skip
    MeetingFactory(chapter=chapter, title="Skipped", start=days_from_now(3),
                   end=days_from_now(3) + dt.timedelta(hours=2),
                   status=Meeting.Status.CANCELLED)  # fmt: skip
    MeetingFactory(chapter=chapter, title="Soonest", start=days_from_now(5),
                   end=days_from_now(5) + dt.timedelta(hours=2))  # fmt: skip
    ChapterFactory(name="Code4Lib DC", slug="code4lib-dc", region="Washington, DC")

    response = client.get(HUB)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Code4LibNYC" in html and "Code4Lib DC" in html
    assert "New York City" in html and "Washington, DC" in html
    assert "Linked data" in html
    assert "2 members" in html  # the organizer and the member; the inactive account is not
    assert "2 meetings in the last year" in html
    assert "0 meetings in the last year" in html
    assert "Soonest" in html and "Skipped" not in html and "Far future" not in html


def test_directory_rows_count_what_they_say(chapter):
    held(chapter, 20)
    MembershipFactory.create_batch(2, chapter=chapter)
    [row] = directory_chapters()
    assert row.member_count == 2
    assert row.meetings_last_year == 1
    assert row.next_meeting is None


def test_directory_lists_followed_remote_groups_with_their_next_meeting(client, chapter):
    boston = remote_group("Boston", "boston.example")
    follow(chapter, boston)
    remote_meeting(boston, "Old news", days=-3)
    remote_meeting(boston, "Cancelled hack night", days=2, cancelled=True)
    remote_meeting(boston, "Archives hack night", days=4)
    remote_meeting(boston, "Later", days=30)
    pending = remote_group("Chicago", "chicago.example")
    follow(chapter, pending, state=Following.State.PENDING)
    refused = remote_group("Denver", "denver.example")
    follow(chapter, refused, state=Following.State.REJECTED)
    # Followed by two chapters: listed once.
    follow(ChapterFactory(), boston)

    html = client.get(HUB).content.decode()

    assert html.count("Code4Lib Boston") == 1
    assert "@boston@boston.example" in html
    assert "Archives hack night" in html
    assert "Later" not in html and "Old news" not in html and "Cancelled hack night" not in html
    assert "Code4Lib Chicago" not in html and "Code4Lib Denver" not in html


def test_directory_without_remote_groups_says_so(client, chapter):
    html = client.get(HUB).content.decode()
    assert "Our chapters follow no chapters elsewhere yet." in html


def test_map_is_drawn_with_a_title_and_a_list_when_chapters_have_coordinates(client, chapter):
    chapter.latitude, chapter.longitude = Decimal("40.712800"), Decimal("-74.006000")
    chapter.save()
    ChapterFactory(name="Code4Lib DC", slug="code4lib-dc",
                   latitude=Decimal("38.907200"), longitude=Decimal("-77.036900"))  # fmt: skip
    ChapterFactory(name="Nowhere yet", slug="nowhere")

    html = client.get(HUB).content.decode()

    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    assert svg.count("<circle") == 2
    assert "Code4LibNYC" in svg and "Code4Lib DC" in svg and "Nowhere yet" not in svg
    assert "style=" not in html and "<script" not in svg
    assert "https://www.openstreetmap.org/?mlat=40.712800&amp;mlon=-74.006000" in html


def test_no_map_without_coordinates(client, chapter):
    html = client.get(HUB).content.decode()
    assert "<svg" not in html
    assert "openstreetmap" not in html


def test_map_projection_keeps_east_right_and_north_up_inside_the_drawing():
    points = map_points([
        ("NYC", "/nyc/", Decimal("40.7128"), Decimal("-74.0060")),
        ("DC", "/dc/", Decimal("38.9072"), Decimal("-77.0369")),
        ("Lost", "/lost/", None, Decimal("1")),
    ])  # fmt: skip
    nyc, dc = points
    assert [p.name for p in points] == ["NYC", "DC"]
    assert nyc.x > dc.x  # New York is east of Washington
    assert nyc.y < dc.y  # and north of it
    for point in points:
        assert 0 <= point.x <= MAP_WIDTH and 0 <= point.y <= MAP_HEIGHT
    # Equirectangular: one degree is as long across as down.
    assert (nyc.x - dc.x) / float(Decimal("77.0369") - Decimal("74.0060")) == pytest.approx(
        (dc.y - nyc.y) / float(Decimal("40.7128") - Decimal("38.9072")), rel=0.01
    )


def test_a_single_chapter_sits_in_the_middle_of_the_map():
    [point] = map_points([("Solo", "/solo/", Decimal("0"), Decimal("0"))])
    assert (point.x, point.y) == (MAP_WIDTH / 2, MAP_HEIGHT / 2)
    assert map_points([]) == []


def test_directory_is_public_and_its_queries_do_not_grow(client, chapter):
    boston = remote_group()
    follow(chapter, boston)
    remote_meeting(boston)
    held(chapter, 10)
    MeetingFactory(chapter=chapter)

    def add_rows():
        for number in range(4):
            other = ChapterFactory(latitude=Decimal(number), longitude=Decimal(number))
            FocusAreaFactory(chapter=other)
            MembershipFactory(chapter=other)
            MeetingFactory(chapter=other)
            held(other, 40)
            group = remote_group(f"Group{number}", f"g{number}.example")
            follow(chapter, group)
            remote_meeting(group)

    assert_queries_do_not_grow(client, HUB, add_rows)


def test_organizers_set_coordinates_in_the_chapter_form(chapter):
    data = {"name": chapter.name, "slug": chapter.slug, "time_zone": "America/New_York",
            "region": "", "latitude": "40.7128", "longitude": "-74.006"}  # fmt: skip
    form = ChapterForm(data, instance=chapter)
    assert form.is_valid(), form.errors
    bad = ChapterForm({**data, "latitude": "95"}, instance=chapter)
    assert not bad.is_valid() and "latitude" in bad.errors
