"""Organizers keep the chapter's venues: host, address, directions, map, access, capacity."""

import pytest

from meetings.models import Venue
from tests.html import field_error
from tests.meetings.test_rsvp import make_meeting
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

METRO = {
    "host": "METRO", "name": "METRO offices", "street_address": "57 East 11th Street",
    "locality": "New York", "region": "NY", "postal_code": "10003", "country": "us",
    "directions_url": "http://www.metro.org/directions", "latitude": "40.732979",
    "longitude": "-73.991661", "capacity": "40", "access_instructions": "Sign in at the desk.",
    "accessibility_notes": "Elevator.",
}  # fmt: skip


def test_organizer_adds_and_edits_a_venue_shown_on_meetings(organizer_client, client, chapter):
    assert (
        organizer_client.post(f"/chapters/{chapter.slug}/meetings/venues/new/", METRO).status_code
        == 302
    )
    venue = Venue.objects.get()
    assert venue.country == "US" and venue.capacity == 40
    organizer_client.post(
        f"/chapters/{chapter.slug}/meetings/venues/{venue.pk}/", {**METRO, "capacity": "35"}
    )
    venue.refresh_from_db()
    assert venue.capacity == 35
    meeting = make_meeting(chapter, venue=venue)
    page = client.get(meeting.get_absolute_url()).text
    assert "Sign in at the desk." in page and "Elevator." in page
    assert "openstreetmap.org/?mlat=40.732979&amp;mlon=-73.991661" in page
    listing = organizer_client.get(f"/chapters/{chapter.slug}/meetings/venues/").text
    assert "METRO offices" in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"latitude": "91"}, "latitude", "less than or equal to 90"),
        ({"longitude": "abc"}, "longitude", "number"),
        ({"country": "USA"}, "country", "at most 2 characters"),
        ({"country": "1A"}, "country", "two-letter"),
        ({"directions_url": "javascript:alert(1)"}, "directions_url", "valid URL"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_venues_are_rejected(organizer_client, chapter, changes, field, message):
    response = organizer_client.post(
        f"/chapters/{chapter.slug}/meetings/venues/new/", {**METRO, **changes}
    )
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert not Venue.objects.exists()


def test_venues_are_for_organizers(member_client, chapter):
    assert member_client.get(f"/chapters/{chapter.slug}/meetings/venues/").status_code == 403
    assert (
        member_client.post(f"/chapters/{chapter.slug}/meetings/venues/new/", METRO).status_code
        == 403
    )


def test_venue_list_queries_do_not_grow(organizer_client, chapter):
    def more_venues():
        for number in range(8):
            venue = Venue.objects.create(chapter=chapter, host=f"H{number}", name=f"V{number}")
            make_meeting(chapter, venue=venue)

    Venue.objects.create(chapter=chapter, host="A", name="A")
    assert_queries_do_not_grow(
        organizer_client, f"/chapters/{chapter.slug}/meetings/venues/", more_venues
    )
