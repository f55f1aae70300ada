"""The Code4LibNYC demo, loaded twice."""

import io

import pytest
from django.core.management import call_command

from chapters.models import Chapter
from members.models import JobRole, Membership, Profile, Role, User

pytestmark = pytest.mark.django_db

OUR_APPS = [
    "chapters",
    "members.user",
    "members.profile",
    "members.membership",
    "members.rolechange",
]


def snapshot() -> str:
    out = io.StringIO()
    call_command("dumpdata", *OUR_APPS, "--natural-foreign", stdout=out)
    return out.getvalue()


def test_demo_builds_code4libnyc_from_the_founding_announcement():
    output = io.StringIO()
    call_command("demo", stdout=output)
    chapter = Chapter.objects.get(slug="code4libnyc")
    assert chapter.name == "Code4LibNYC"
    assert chapter.time_zone == "America/New_York"
    assert "forum where library technologists" in chapter.description
    assert list(chapter.focus_areas.values_list("name", flat=True)) == [
        "Content management systems",
        "Web application frameworks",
        "Digital library systems",
        "Institutional repositories",
        "Subject repositories",
        "Federated search tools",
        "Next generation OPACs",
    ]
    assert chapter.links.filter(url__contains="metro.org").exists()
    organizers = Membership.objects.filter(chapter=chapter, role=Role.ORGANIZER)
    assert sorted(organizers.values_list("user__profile__display_name", flat=True)) == [
        "Joanna DiPasquale",
        "Kevin Reiss",
        "Paul Albert",
    ]
    assert Membership.objects.filter(chapter=chapter, role=Role.MEMBER).count() == 12
    kinds = set(Profile.objects.values_list("job_role", flat=True))
    assert kinds >= set(JobRole.values) - {JobRole.OTHER}  # the five kinds of member
    assert all(
        email.endswith("@example.org") for email in User.objects.values_list("email", flat=True)
    )
    assert "http://testserver/chapters/code4libnyc/" in output.getvalue()
    assert "kevin.reiss@example.org" in output.getvalue()


def test_demo_organizer_can_log_in_with_the_printed_password(client):
    call_command("demo", stdout=io.StringIO())
    response = client.post(
        "/accounts/login/", {"username": "kevin.reiss@example.org", "password": "code4lib-nyc-demo"}
    )
    assert response.status_code == 302


def test_running_the_demo_twice_changes_nothing():
    call_command("demo", stdout=io.StringIO())
    first = snapshot()
    output = io.StringIO()
    call_command("demo", stdout=output)
    assert snapshot() == first
    assert "nothing changed" in output.getvalue()


def test_demo_includes_the_founding_announcement_at_its_old_addresses(client):
    call_command("demo", stdout=io.StringIO())
    story = Chapter.objects.get(slug="code4libnyc").stories.get()
    assert story.title == "Code4LibNYC"
    page = client.get(story.get_absolute_url()).text
    assert "METRO offices" in page
    for old_path in ["/node/252", "/story/252", "/2008/08/27/code4libnyc"]:
        response = client.get(old_path)
        assert response.status_code == 301
        assert response.url == story.get_absolute_url()
    assert "Code4LibNYC" in client.get("/chapters/code4libnyc/").text.split("Latest stories")[1]


def test_demo_has_the_founding_meeting_a_monthly_series_rsvps_a_waitlist_and_talks(client):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from meetings.models import Meeting, Rsvp, Talk

    call_command("demo", stdout=io.StringIO())
    founding = Meeting.objects.get(title="Code4LibNYC first meeting")
    new_york = ZoneInfo("America/New_York")
    assert founding.start == dt.datetime(2008, 9, 10, 10, tzinfo=new_york)
    assert founding.end == dt.datetime(2008, 9, 10, 12, tzinfo=new_york)
    assert founding.venue.street_address == "57 East 11th Street"
    assert "com_content&task=view&id=20" in founding.venue.directions_url
    assert founding.report.published
    upcoming = Meeting.objects.filter(series__isnull=False).order_by("start")
    assert upcoming.count() >= 3
    assert all(m.start.astimezone(new_york).weekday() == 2 for m in upcoming)
    first = upcoming.first()
    assert first.rsvps.filter(status=Rsvp.Status.GOING).count() == first.capacity
    assert first.rsvps.filter(status=Rsvp.Status.WAITLISTED).count() == 3
    assert first.talks.filter(status=Talk.Status.ACCEPTED).count() == 2
    page = client.get(first.get_absolute_url()).text
    assert "Blacklight on top of Solr" in page
    assert "Code4LibNYC monthly meeting" in client.get("/chapters/code4libnyc/").text
