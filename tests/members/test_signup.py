"""Sign-up through e-mail verification, over a real SMTP server."""

import re

import pytest
from django.contrib.auth import get_user
from django.test import Client

from members.models import Membership, Profile, User
from tests.test_signup_data import SIGNUP

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"http://testserver(/\S+)")


def link_in(mailbox, address: str) -> str:
    (message,) = mailbox.to(address)
    return LINK.search(mailbox.body(message)).group(1)


def test_sign_up_verify_and_join_the_chapter(client, smtp_server, chapter):
    response = client.post("/accounts/signup/", {**SIGNUP, "chapter": chapter.slug})
    assert response.status_code == 200
    assert "Check your inbox" in response.text

    user = User.objects.get()
    assert user.email == "ada.newcomer@example.org"
    assert user.password.startswith("argon2")
    assert not user.is_verified
    assert not Membership.objects.filter(user=user).exists()

    # Not yet verified: logging in is refused, and says why.
    refused = client.post(
        "/accounts/login/", {"username": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert "Confirm your e-mail address first" in refused.text
    assert not get_user(client).is_authenticated

    path = link_in(smtp_server, "ada.newcomer@example.org")
    assert "Confirm your e-mail address" in client.get(path).text
    assert not User.objects.get().is_verified  # a GET, as mail scanners do, changes nothing

    response = client.post(path)
    assert response.status_code == 302
    assert response.url == chapter.get_absolute_url()
    assert User.objects.get().is_verified
    assert get_user(client).is_authenticated
    assert Membership.objects.filter(user=user, chapter=chapter, role="member").exists()
    assert "You are a member" in client.get(response.url).text


def test_verification_link_works_once_the_address_matches(client, smtp_server):
    client.post("/accounts/signup/", SIGNUP)
    path = link_in(smtp_server, "ada.newcomer@example.org")
    assert client.post(path).status_code == 302
    # Following it again is harmless.
    assert Client().post(path).status_code == 302
    assert Client().post(path[:-3] + "xyz/").status_code == 400


def test_resend_verification(client, smtp_server):
    client.post("/accounts/signup/", SIGNUP)
    client.post("/accounts/verify/resend/", {"email": "ADA.newcomer@example.org"})
    assert len(smtp_server.to("ada.newcomer@example.org")) == 2
    # Unknown addresses get the same answer and no mail.
    response = client.post("/accounts/verify/resend/", {"email": "nobody@example.org"})
    assert "Check your inbox" in response.text
    assert len(smtp_server.messages) == 2


def test_log_in_and_out(client, smtp_server):
    client.post("/accounts/signup/", SIGNUP)
    client.post(link_in(smtp_server, "ada.newcomer@example.org"))
    client.post("/accounts/logout/")
    assert not get_user(client).is_authenticated

    wrong = client.post("/accounts/login/", {"username": SIGNUP["email"], "password": "nope"})
    assert "do not match an account" in wrong.text
    response = client.post(
        "/accounts/login/",
        {"username": "ADA.NEWCOMER@example.org", "password": SIGNUP["password1"]},
    )
    assert response.status_code == 302
    assert get_user(client).email == "ada.newcomer@example.org"


def test_password_reset_over_smtp(client, smtp_server, member):
    client.post("/accounts/password/reset/", {"email": "Member@example.org"})
    path = link_in(smtp_server, "member@example.org")
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.text
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-brand-new-passphrase")
    # The link is spent.
    assert "invalid" in client.get(path, follow=True).text


def test_password_reset_for_unknown_address_sends_nothing(client, smtp_server, db):
    response = client.post("/accounts/password/reset/", {"email": "ghost@example.org"})
    assert "Check your inbox" in response.text
    assert smtp_server.messages == []


def test_change_of_email_is_reverified(client, smtp_server, member):
    client.force_login(member)
    response = client.post(
        "/accounts/settings/",
        {"email": "new.home@example.org", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "member@example.org"  # unchanged until confirmed

    path = link_in(smtp_server, "new.home@example.org")
    client.post(path)
    member.refresh_from_db()
    assert member.email == "new.home@example.org"
    assert get_user(client).is_authenticated  # the session survives the change
    (notice,) = smtp_server.to("member@example.org")
    assert "new.home@example.org" in smtp_server.body(notice)
    # The link cannot be replayed once the address has changed.
    assert Client().post(path).status_code == 400


def test_profile_is_created_with_the_directory_choice(client, smtp_server):
    client.post("/accounts/signup/", {**SIGNUP, "in_directory": ""})
    profile = Profile.objects.get()
    assert profile.display_name == "Ada Newcomer"
    assert profile.in_directory is False
