"""Organizers' announcement lists and members' own choice of announcements."""

import pytest

from meetings.models import AnnouncementAddress
from meetings.services import announcements_on
from tests.html import field_error

pytestmark = pytest.mark.django_db


def test_organizers_add_and_remove_outside_lists(organizer_client, chapter):
    url = f"/chapters/{chapter.slug}/meetings/announcements/"
    response = organizer_client.post(
        url, {"email": "Code4Lib@Lists.Example.org", "label": "Code4Lib"}
    )
    assert response.status_code == 302
    address = AnnouncementAddress.objects.get()
    assert address.email == "code4lib@lists.example.org"
    assert "code4lib@lists.example.org" in organizer_client.get(url).text
    bad = organizer_client.post(url, {"email": "not an address"})
    assert bad.status_code == 400 and "valid email" in field_error(bad, "email")
    organizer_client.post(url, {"remove": str(address.pk)})
    assert not AnnouncementAddress.objects.exists()


def test_members_cannot_manage_lists(member_client, chapter):
    url = f"/chapters/{chapter.slug}/meetings/announcements/"
    assert member_client.get(url).status_code == 403
    assert member_client.post(url, {"email": "spam@example.org"}).status_code == 403
    assert not AnnouncementAddress.objects.exists()


def test_members_turn_announcements_off_and_on(member_client, member, chapter):
    assert announcements_on(member, chapter)
    assert "Stop e-mail about new meetings" in member_client.get(chapter.get_absolute_url()).text
    member_client.post(
        f"/chapters/{chapter.slug}/meetings/announcements/me/", {"announcements": "off"}
    )
    assert not announcements_on(member, chapter)
    page = member_client.get(chapter.get_absolute_url()).text
    assert "E-mail me about new meetings" in page
    member_client.post(
        f"/chapters/{chapter.slug}/meetings/announcements/me/", {"announcements": "on"}
    )
    assert announcements_on(member, chapter)
