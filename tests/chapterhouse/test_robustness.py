"""No URL answers 500 to any input; every page carries the security headers."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRANGE_PATHS = [
    "/chapters/code4libnyc/meetings/99999999999999999999999/",
    "/chapters/code4libnyc/meetings/1/meeting.ics",
    "/chapters/code4libnyc/meetings/calendar.ics",
    "/meetings/calendar.ics",
    "/unsubscribe/garbage/",
    "/chapters/code4libnyc/stories/?page=999999999999999999999",
    "/chapters/code4libnyc/stories/year/99999999999/",
    "/chapters/code4libnyc/stories/year/0/",
    "/chapters/code4libnyc/stories/category/%00/",
    "/chapters/code4libnyc/stories/%F0%9F%98%80/",
    "/chapters/code4libnyc/stories/x/edit/",
    "/node/%00",
    "/" + "n" * 2000,
    "/accounts/people/999999999999999999999999/",
    "/accounts/people/0/",
    "/accounts/people/-1/",
    "/accounts/verify/not-a-token/",
    "/accounts/verify/" + "A" * 5000 + "/",
    "/accounts/email/confirm/eyJ1IjoxfQ:bad:sig/",
    "/accounts/password/reset/%FF%FE/token/",
    "/accounts/password/reset/MQ/set-password/",
    "/chapters/%00/",
    "/chapters/" + "x" * 300 + "/",
    "/chapters/code4libnyc/members/manage/?membership=99999999999999999999999",
    "/accounts/signup/?chapter=%00%FF",
    "/accounts/login/?next=https://evil.example.org/",
]

STRANGE_POSTS = {
    "/chapters/code4libnyc/meetings/new/": {
        "start": "\x00",
        "end": "2030-13-45T99:99",
        "repeat": "x",
    },
    "/chapters/code4libnyc/stories/new/": {"title": "\x00", "kind": "x", "categories_text": "\x00"},
    "/accounts/signup/": {
        "email": "\x00",
        "password1": "\u202e\ufeff",
        "chapter": "\x00",
        "in_directory": "yes",
    },
    "/accounts/login/": {"username": "x" * 10000, "password": ""},
    "/accounts/verify/resend/": {"email": "a@b"},
    "/accounts/password/reset/": {"email": ["one@example.org", "two@example.org"]},
    "/accounts/settings/": {"email": "\x00@example.org", "password": "\x00"},
    "/accounts/profile/": {"interests": ["abc", "99999999999999999999999"], "orcid": "\x00"},
    "/chapters/code4libnyc/contact/": {"name": "\x00", "email": "@", "subject": "", "body": "x"},
    "/chapters/code4libnyc/members/manage/": {
        "membership": "99999999999999999999999",
        "action": "x",
    },
    "/chapters/code4libnyc/edit/": {
        "time_zone": "\x00",
        "links": "\x00 \x00",
        "focus_areas": "\x00",
    },
}


@pytest.mark.parametrize("path", STRANGE_PATHS)
@pytest.mark.parametrize("who", ["anonymous", "organizer"])
def test_strange_paths_never_fail(path, who, organizer):
    client = client_for(organizer) if who == "organizer" else Client()
    response = client.get(path)
    assert response.status_code < 500


@pytest.mark.parametrize("path", STRANGE_POSTS)
def test_strange_form_posts_never_fail(path, organizer):
    for client in (Client(), client_for(organizer)):
        response = client.post(path, STRANGE_POSTS[path])
        assert response.status_code < 500
        assert response.status_code in (200, 302, 400, 403, 405)


def test_raw_garbage_bodies_never_fail(organizer):
    client = client_for(organizer)
    for path in STRANGE_POSTS:
        response = client.generic(
            "POST",
            path,
            b"\xff\xfe\x00garbage=%%%",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code < 500


def test_login_does_not_redirect_off_site(client, organizer):
    response = client.post(
        "/accounts/login/?next=https://evil.example.org/",
        {"username": "organizer@example.org", "password": "correct-horse-battery",
         "next": "https://evil.example.org/"},
    )  # fmt: skip
    assert response.status_code == 302
    assert not response.url.startswith("https://evil.example.org")


@pytest.mark.parametrize(
    "path", ["/", "/chapters/", "/accounts/login/", "/accounts/signup/", "/no/such/page/"]
)
def test_pages_carry_security_headers_and_no_inline_code(client, chapter, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)
    assert " style=" not in response.text and "<style" not in response.text
    assert re.search(r" on[a-z]+=", response.text) is None


def test_every_model_has_a_working_admin(db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(staff)
    ours = [
        m
        for m in admin.site._registry
        if m._meta.app_label in {"members", "chapters", "stories", "meetings", "chapterhouse"}
    ]
    assert {m.__name__ for m in ours} >= {
        "User", "Profile", "Membership", "RoleChange", "ContactMessage",
        "Chapter", "FocusArea", "ChapterLink", "Story", "Category", "Redirect",
        "Venue", "Meeting", "Series", "Rsvp", "Talk", "Report", "AnnouncementAddress",
        "SentMail", "Unsubscribe",
    }  # fmt: skip
    for model in ours:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(changelist + "?q=library").status_code == 200, changelist
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert client.get(add).status_code in (200, 403), add


def test_an_unknown_host_gets_a_400_page(client, chapter):
    response = client.get("/", HTTP_HOST="evil.example.org")
    assert response.status_code == 400
    assert "Bad request" in response.text


def test_accounts_made_without_a_profile_still_show_everywhere(client, chapter):
    from members.models import Membership, Role, User

    admin_user = User.objects.create_superuser("root@example.org", "long-admin-passphrase")
    assert admin_user.profile.display_name == "Site administrator"
    bare = User.objects.create(email="bare@example.org", email_verified_at=admin_user.date_joined)
    Membership.objects.create(chapter=chapter, user=bare, role=Role.ORGANIZER)
    assert "Member" in client.get(chapter.get_absolute_url()).text
    bare_client = client_for(bare)
    assert bare_client.get(f"/chapters/{chapter.slug}/members/manage/").status_code == 200
    assert bare_client.get("/accounts/profile/").status_code == 200
    assert bare_client.get(f"/accounts/people/{bare.pk}/").status_code == 200
