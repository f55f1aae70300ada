"""Every account form rejects bad input next to the field and writes nothing."""

import pytest
from django.core import mail

from members.models import ContactMessage, Profile, User
from tests.factories import FocusAreaFactory
from tests.html import field_error
from tests.test_signup_data import SIGNUP

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "Member@Example.org"}, "email", "already exists"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"email": "a" * 250 + "@example.org"}, "email", "at most 254"),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"password1": "83749261048", "password2": "83749261048"}, "password1", "entirely numeric"),
        ({"password2": "something-else-entirely"}, "password2", "differ"),
        ({"display_name": "x" * 101}, "display_name", "at most 100"),
        ({"display_name": ""}, "display_name", "required"),
        ({"chapter": "no-such-chapter"}, "chapter", "no such chapter"),
    ],
)
def test_sign_up_rejects(client, member, changes, field, message):
    before = User.objects.count()
    response = client.post("/accounts/signup/", {**SIGNUP, **changes})
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert User.objects.count() == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"orcid": "0000-0002-1825-0098"}, "orcid", "typing error"),
        ({"orcid": "1234"}, "orcid", "Enter an ORCID iD"),
        ({"bio": "b" * 1001}, "bio", "at most 1000"),
        ({"institution": "i" * 201}, "institution", "at most 200"),
        ({"website": "javascript:alert(1)"}, "website", "valid URL"),
        ({"job_role": "wizard"}, "job_role", "valid choice"),
        ({"interests": "999999"}, "interests", "valid choice"),
    ],
)
def test_profile_rejects(member_client, member, changes, field, message):
    data = {"display_name": "Member", "in_directory": "on", **changes}
    response = member_client.post("/accounts/profile/", data)
    assert response.status_code == 400
    assert message in field_error(response, field)
    profile = Profile.objects.get(user=member)
    assert profile.orcid == "" and profile.bio == "" and profile.institution == "Example Library"


def test_profile_saves_a_normalized_orcid_and_interests(member_client, member, chapter):
    area = chapter.focus_areas.create(name="Institutional repositories")
    other_chapter_area = FocusAreaFactory()
    data = {
        "display_name": "Ada",
        "orcid": "https://orcid.org/0000-0002-1694-233x",
        "interests": [area.pk],
        "website": "library.example.org",
    }
    assert member_client.post("/accounts/profile/", data).status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.orcid == "0000-0002-1694-233X"
    assert profile.website == "https://library.example.org"
    assert list(profile.interests.all()) == [area]
    # Focus areas of chapters the member is not in are not on offer.
    response = member_client.post(
        "/accounts/profile/", {**data, "interests": [other_chapter_area.pk]}
    )
    assert response.status_code == 400


def test_email_change_rejects_a_taken_address_and_a_wrong_password(member_client, organizer):
    taken = member_client.post(
        "/accounts/settings/",
        {"email": "ORGANIZER@example.org", "password": "correct-horse-battery"},
    )
    assert "already exists" in field_error(taken, "email")
    wrong = member_client.post(
        "/accounts/settings/", {"email": "fresh@example.org", "password": "wrong"}
    )
    assert "not your current password" in field_error(wrong, "password")
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"body": ""}, "body", "required"),
        ({"email": "nope"}, "email", "valid email"),
        ({"subject": "s" * 151}, "subject", "at most 150"),
        ({"subject": "Hello\r\nBcc: victim@example.org"}, "subject", "single line"),
        ({"name": "Eve\nBcc: victim@example.org"}, "name", "single line"),
        ({"body": "b" * 5001}, "body", "at most 5000"),
    ],
)
def test_contact_form_rejects(client, chapter, organizer, changes, field, message):
    data = {"name": "Visitor", "email": "visitor@example.org", "subject": "Hi", "body": "Hello"}
    response = client.post(f"/chapters/{chapter.slug}/contact/", {**data, **changes})
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert ContactMessage.objects.count() == 0
    assert mail.outbox == []


def test_unknown_chapter_pages_are_404_with_a_reason(client, member_client):
    for path in ["/chapters/nowhere/", "/chapters/nowhere/members/", "/chapters/nowhere/contact/"]:
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.text
    assert member_client.post("/chapters/nowhere/join/").status_code == 404
