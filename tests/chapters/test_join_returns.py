"""Joining from a meeting, a poll or a members-only page leads back there, and nowhere else."""

import re

import pytest

from members.models import Membership
from tests.factories import ChapterFactory
from tests.meetings.factories import MeetingFactory
from tests.polls.factories import poll_with_options

pytestmark = pytest.mark.django_db


def join_form_return(page: str) -> str:
    """Where the page's join button asks to go back to."""
    form = re.search(r'<form method="post" action="/chapters/[^"]+/join/".*?</form>', page, re.S)
    assert form, "the page has no join button"
    found = re.search(r'<input type="hidden" name="next" value="([^"]*)">', form.group(0))
    assert found, "the join button does not say where to come back to"
    return found.group(1)


def test_joining_from_a_meeting_leads_back_to_the_meeting(outsider_client, outsider, chapter):
    meeting = MeetingFactory(chapter=chapter)
    page = outsider_client.get(meeting.get_absolute_url()).text
    assert join_form_return(page) == meeting.get_absolute_url()

    response = outsider_client.post(
        f"/chapters/{chapter.slug}/join/", {"next": meeting.get_absolute_url()}, follow=True
    )
    assert response.redirect_chain == [(meeting.get_absolute_url(), 302)]
    assert "Welcome to Code4LibNYC!" in response.text
    assert f'action="{meeting.get_absolute_url()}rsvp/"' in response.text  # now they can answer
    assert Membership.objects.filter(user=outsider, chapter=chapter).exists()


def test_joining_from_a_poll_leads_back_to_the_poll(outsider_client, chapter):
    poll = poll_with_options(chapter)
    assert join_form_return(outsider_client.get(poll.get_absolute_url()).text) == (
        poll.get_absolute_url()
    )
    response = outsider_client.post(
        f"/chapters/{chapter.slug}/join/", {"next": poll.get_absolute_url()}
    )
    assert response.url == poll.get_absolute_url()


def test_joining_from_a_members_only_page_leads_back_to_it(outsider_client, chapter, organizer):
    directory = f"/chapters/{chapter.slug}/members/"
    assert join_form_return(outsider_client.get(directory).text) == directory
    response = outsider_client.post(f"/chapters/{chapter.slug}/join/", {"next": directory})
    assert response.url == directory
    assert outsider_client.get(directory).status_code == 200


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example/chapters/code4libnyc/",
        "//evil.example/chapters/code4libnyc/",
        "/\\evil.example/chapters/code4libnyc/",
        "/chapters/other-chapter/",
        "/accounts/settings/",
        "",
    ],
)
def test_joining_never_leads_off_the_chapter(outsider_client, outsider, chapter, elsewhere):
    ChapterFactory(slug="other-chapter")
    response = outsider_client.post(f"/chapters/{chapter.slug}/join/", {"next": elsewhere})
    assert response.status_code == 302
    assert response.url == chapter.get_absolute_url()
    assert Membership.objects.filter(user=outsider, chapter=chapter).exists()
