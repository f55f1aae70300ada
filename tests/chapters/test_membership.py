"""Joining, leaving, roles, the member directory and its privacy."""

import re

import pytest
from django.test import Client

from members.models import Membership, Role, RoleChange
from tests.conftest import client_for
from tests.factories import (
    ChapterFactory,
    MembershipFactory,
    OrganizerFactory,
)
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def test_join_and_leave(outsider_client, outsider, chapter, organizer):
    response = outsider_client.post(f"/chapters/{chapter.slug}/join/", follow=True)
    assert "Welcome to Code4LibNYC" in response.text
    assert "You are a member" in response.text
    assert Membership.objects.filter(user=outsider, chapter=chapter, role=Role.MEMBER).exists()
    outsider_client.post(f"/chapters/{chapter.slug}/join/")  # twice is harmless
    assert Membership.objects.filter(user=outsider).count() == 1

    outsider_client.post(f"/chapters/{chapter.slug}/leave/")
    assert not Membership.objects.filter(user=outsider).exists()
    actions = list(RoleChange.objects.filter(member=outsider).values_list("action", flat=True))
    assert actions == ["left", "joined"]


def test_join_needs_login_and_post(client, outsider_client, chapter):
    response = client.post(f"/chapters/{chapter.slug}/join/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert outsider_client.get(f"/chapters/{chapter.slug}/join/").status_code == 405


def test_last_organizer_cannot_leave(organizer_client, organizer, chapter):
    response = organizer_client.post(f"/chapters/{chapter.slug}/leave/", follow=True)
    assert "only organizer" in response.text
    assert Membership.objects.filter(user=organizer, role=Role.ORGANIZER).exists()


def test_organizer_promotes_demotes_and_removes(organizer_client, organizer, member, chapter):
    membership = Membership.objects.get(user=member)
    url = f"/chapters/{chapter.slug}/members/manage/"
    assert (
        organizer_client.post(url, {"membership": membership.pk, "action": "promote"}).status_code
        == 302
    )
    membership.refresh_from_db()
    assert membership.role == Role.ORGANIZER

    organizer_client.post(url, {"membership": membership.pk, "action": "demote"})
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER

    organizer_client.post(url, {"membership": membership.pk, "action": "remove"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    history = organizer_client.get(url).text
    assert "made organizer" in history and "removed" in history


def test_organizer_cannot_demote_the_last_organizer(organizer_client, organizer, chapter):
    own = Membership.objects.get(user=organizer)
    url = f"/chapters/{chapter.slug}/members/manage/"
    other = OrganizerFactory(chapter=chapter)
    assert (
        organizer_client.post(url, {"membership": other.pk, "action": "demote"}).status_code == 302
    )
    response = organizer_client.post(url, {"membership": own.pk, "action": "demote"})
    assert response.status_code == 400
    assert "at least one organizer" in response.text
    own.refresh_from_db()
    assert own.role == Role.ORGANIZER


def test_manage_rejects_a_membership_of_another_chapter(organizer_client, chapter):
    elsewhere = MembershipFactory(chapter=ChapterFactory())
    response = organizer_client.post(
        f"/chapters/{chapter.slug}/members/manage/",
        {"membership": elsewhere.pk, "action": "remove"},
    )
    assert response.status_code == 400
    assert "not a member of this chapter" in response.text
    assert Membership.objects.filter(pk=elsewhere.pk).exists()


@pytest.mark.parametrize("who", ["member", "outsider", "other_organizer"])
def test_only_organizers_of_the_chapter_manage_it(who, request, chapter, member):
    if who == "other_organizer":
        user = OrganizerFactory(chapter=ChapterFactory()).user
    else:
        user = request.getfixturevalue(who)
    client = client_for(user)
    target = Membership.objects.get(user=member)
    manage = f"/chapters/{chapter.slug}/members/manage/"
    assert client.get(manage).status_code == 403
    assert client.post(manage, {"membership": target.pk, "action": "promote"}).status_code == 403
    assert client.get(f"/chapters/{chapter.slug}/edit/").status_code == 403
    target.refresh_from_db()
    assert target.role == Role.MEMBER


def test_directory_is_for_members_and_honours_each_choice(chapter, member, organizer, outsider):
    listed = MembershipFactory(chapter=chapter, user__profile__display_name="Listed Person")
    hidden = MembershipFactory(chapter=chapter, user__profile__display_name="Hidden Person")
    hidden.user.profile.in_directory = False
    hidden.user.profile.save()
    url = f"/chapters/{chapter.slug}/members/"

    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    refused = client_for(outsider).get(url)
    assert refused.status_code == 403
    assert "Listed Person" not in refused.text

    page = client_for(member).get(url).text
    assert "Listed Person" in page
    assert "Hidden Person" not in page
    assert f"/accounts/people/{listed.user_id}/" in page


def test_profiles_are_seen_only_by_people_who_share_a_chapter(chapter, member, outsider):
    profile_url = f"/accounts/people/{member.pk}/"
    assert client_for(member).get(profile_url).status_code == 200
    assert client_for(outsider).get(profile_url).status_code == 404
    assert Client().get(profile_url).status_code == 404
    neighbour = MembershipFactory(chapter=chapter).user
    assert client_for(neighbour).get(profile_url).status_code == 200
    member.profile.in_directory = False
    member.profile.save()
    assert client_for(neighbour).get(profile_url).status_code == 404


@pytest.mark.parametrize("page", ["members/", "members/manage/"])
def test_member_list_queries_do_not_grow(page, chapter, organizer_client):
    MembershipFactory.create_batch(3, chapter=chapter)
    assert_queries_do_not_grow(
        organizer_client,
        f"/chapters/{chapter.slug}/{page}",
        lambda: MembershipFactory.create_batch(20, chapter=chapter),
    )


def test_no_email_address_appears_in_any_page_a_member_can_load(chapter, organizer, member):
    """Crawl every page reachable by anonymous visitors, members and organizers."""
    people = [organizer, member] + [
        m.user for m in MembershipFactory.create_batch(3, chapter=chapter)
    ]
    addresses = {user.email for user in people}
    pages = [
        "/", "/chapters/", chapter.get_absolute_url(), f"/chapters/{chapter.slug}/members/",
        f"/chapters/{chapter.slug}/members/manage/", f"/chapters/{chapter.slug}/contact/",
        f"/chapters/{chapter.slug}/edit/",
    ] + [f"/accounts/people/{user.pk}/" for user in people]  # fmt: skip
    for viewer in [None, member, organizer]:
        client = client_for(viewer) if viewer else Client()
        for page in pages:
            response = client.get(page, follow=True)
            text = response.text
            own = {viewer.email} if viewer else set()
            # The contact form fills in the visitor's own address for them, nobody else's.
            leaked = {address for address in addresses - own if address in text}
            assert not leaked, f"{page} shows {leaked} to {viewer}"


def test_directory_pages_fifty_members_in_name_order(chapter, member):
    for number in range(120):
        MembershipFactory(chapter=chapter, user__profile__display_name=f"Listed {number:03}")
    client = client_for(member)
    url = f"/chapters/{chapter.slug}/members/"
    everyone = sorted(
        (m.user.profile.display_name, m.user_id)
        for m in chapter.memberships.select_related("user__profile")
    )
    assert len(everyone) > 100

    def names(page: str) -> list[str]:
        cards = page.split('<ul class="cards">')[1].split("</ul>")[0]
        return re.findall(r'<h2><a href="/accounts/people/\d+/">([^<]+)</a>', cards)

    first = client.get(url).text
    assert names(first) == [name for name, _ in everyone[:50]]
    assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
    second = client.get(url + "?page=2").text
    assert names(second) == [name for name, _ in everyone[50:100]]
    assert 'rel="prev" href="?page=1"' in second and "Page 2" in second
    third = client.get(url + "?page=3").text
    assert names(third) == [name for name, _ in everyone[100:150]]
    assert 'rel="next"' not in third
    beyond = client.get(url + "?page=9")
    assert beyond.status_code == 200 and "Nobody is listed on this page." in beyond.text
    for nonsense in ["0", "-1", "abc", "\u0663", "99999999999999999999", ""]:
        assert names(client.get(url, {"page": nonsense}).text) == names(first)


def test_directory_reads_listed_profiles_when_few_of_many_members_are_listed(chapter, member):
    """With statistics (refreshed as connections close), SQLite walks the listed profiles'
    index in name order instead of every membership of the chapter."""
    from django.db import connection

    from members.models import directory_entries_of

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner statistics")
    MembershipFactory.create_batch(5, chapter=chapter)
    hidden = MembershipFactory.create_batch(200, chapter=chapter, user__profile__in_directory=False)
    expected = list(chapter.memberships.directory_entries())
    assert directory_entries_of.all(chapter=chapter.pk) == expected
    connection.connection.execute("PRAGMA optimize")  # what closing the connection runs
    entries = Membership.objects.filter(chapter_id=chapter.pk).directory_entries()
    sql, params = entries.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " / ".join(row[-1] for row in cursor.fetchall())
    assert "profile_directory_order" in plan, plan
    assert len(hidden) == 200
