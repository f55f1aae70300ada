"""Contacting organizers, deleting an account, and what stays behind."""

import pytest
from django.contrib.auth import get_user

from members.models import PLACEHOLDER_EMAIL, ContactMessage, Membership, RoleChange, User
from tests.conftest import client_for
from tests.factories import OrganizerFactory
from tests.html import field_error, form_error

CONTACT = {
    "name": "Visiting Librarian",
    "email": "visitor@example.org",
    "subject": "Hosting the next meeting",
    "body": "Our library would like to host in October.",
}


@pytest.mark.django_db(transaction=True)
def test_contact_form_relays_to_every_organizer_with_a_reply_to(
    client, smtp_server, chapter, member
):
    OrganizerFactory(chapter=chapter, user__email="second.organizer@example.org")
    OrganizerFactory(chapter=chapter, user__email="third.organizer@example.org")
    response = client.post(f"/chapters/{chapter.slug}/contact/", CONTACT)
    assert response.status_code == 302

    (relayed,) = smtp_server.messages
    assert set(relayed["X-Envelope-To"].split(", ")) == {
        "organizer@example.org",
        "second.organizer@example.org",
        "third.organizer@example.org",
    }
    assert relayed["Reply-To"] == "Visiting Librarian <visitor@example.org>"
    assert relayed["Subject"] == "[Code4LibNYC] Hosting the next meeting"
    assert "host in October" in smtp_server.body(relayed)
    assert "member@example.org" not in relayed.as_string()  # plain members are not told
    assert ContactMessage.objects.get().relayed_at is not None


@pytest.mark.django_db(transaction=True)
def test_member_contact_form_is_filled_in_and_relayed(smtp_server, chapter, member):
    client = client_for(member)
    form = client.get(f"/chapters/{chapter.slug}/contact/").text
    assert 'value="member@example.org"' in form
    client.post(f"/chapters/{chapter.slug}/contact/", {**CONTACT, "email": member.email})
    assert ContactMessage.objects.get().sender == member
    assert smtp_server.messages[0]["Reply-To"].endswith("<member@example.org>")


@pytest.mark.django_db
def test_delete_account_keeps_content_under_a_placeholder(chapter, organizer, member):
    client = client_for(member)
    member_id = member.pk
    client.post(f"/chapters/{chapter.slug}/leave/")
    client.post(f"/chapters/{chapter.slug}/join/")
    joined = RoleChange.objects.get(member=member, action="joined")
    response = client.post(
        "/accounts/delete/", {"password": "correct-horse-battery", "confirm": "on"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=member_id).exists()
    assert not get_user(client).is_authenticated
    assert not Membership.objects.filter(user_id=member_id).exists()

    joined.refresh_from_db()
    assert joined.member.email == PLACEHOLDER_EMAIL
    assert joined.member.display_name == "Deleted member"
    history = client_for(organizer).get(f"/chapters/{chapter.slug}/members/manage/").text
    assert "Deleted member joined" in history
    placeholder = User.objects.get(email=PLACEHOLDER_EMAIL)
    assert not placeholder.is_active and not placeholder.has_usable_password()


@pytest.mark.django_db
def test_delete_account_needs_password_and_confirmation(member):
    client = client_for(member)
    wrong = client.post("/accounts/delete/", {"password": "wrong", "confirm": "on"})
    assert wrong.status_code == 400
    assert "not your current password" in field_error(wrong, "password")
    unconfirmed = client.post("/accounts/delete/", {"password": "correct-horse-battery"})
    assert "required" in field_error(unconfirmed, "confirm")
    assert User.objects.filter(pk=member.pk).exists()


@pytest.mark.django_db
def test_the_only_organizer_cannot_delete_their_account(organizer, chapter):
    response = client_for(organizer).post(
        "/accounts/delete/", {"password": "correct-horse-battery", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "only organizer of Code4LibNYC" in form_error(response)
    assert User.objects.filter(pk=organizer.pk).exists()


@pytest.mark.django_db
def test_the_placeholder_cannot_log_in(client, chapter, organizer, member):
    client_for(member).post(
        "/accounts/delete/", {"password": "correct-horse-battery", "confirm": "on"}
    )
    response = client.post(
        "/accounts/login/", {"username": PLACEHOLDER_EMAIL, "password": "anything-at-all"}
    )
    assert not get_user(client).is_authenticated
    assert response.status_code == 200
