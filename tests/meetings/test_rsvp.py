"""RSVPs, the first-come waitlist, capacity under concurrency, attendance and CSV."""

import csv
import datetime as dt
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings import services
from meetings.models import Meeting, Rsvp
from tests.conftest import client_for
from tests.factories import MembershipFactory


def make_meeting(chapter, **fields) -> Meeting:
    start = timezone.now() + dt.timedelta(days=7)
    values = {"title": "Monthly meeting", "start": start, "end": start + dt.timedelta(hours=2)}
    return Meeting.objects.create(chapter=chapter, **{**values, **fields})


def members(chapter, count: int) -> list:
    return [m.user for m in MembershipFactory.create_batch(count, chapter=chapter)]


@pytest.mark.django_db
def test_seats_then_a_first_come_waitlist(chapter):
    meeting = make_meeting(chapter, capacity=2)
    first, second, third, fourth = members(chapter, 4)
    assert services.rsvp(meeting, first).status == "going"
    assert services.rsvp(meeting, second).status == "going"
    waiting = services.rsvp(meeting, third)
    assert waiting.status == "waitlisted" and services.waitlist_position(waiting) == 1
    assert services.waitlist_position(services.rsvp(meeting, fourth)) == 2

    services.cancel_rsvp(meeting, first)
    assert Rsvp.objects.get(user=third).status == "going"
    assert services.waitlist_position(Rsvp.objects.get(user=fourth)) == 1


@pytest.mark.django_db
def test_guests_take_seats_and_are_capped(chapter):
    meeting = make_meeting(chapter, capacity=3, guests_allowed=2)
    host, other = members(chapter, 2)
    assert services.rsvp(meeting, host, guests=2).seats == 3
    assert services.rsvp(meeting, other).status == "waitlisted"
    with pytest.raises(Exception, match="at most 2 guests"):
        services.rsvp(meeting, other, guests=3)
    services.rsvp(meeting, host, guests=0)  # fewer guests free two seats
    assert Rsvp.objects.get(user=other).status == "going"
    with pytest.raises(Exception, match="you keep your seat"):
        services.rsvp(meeting, host, guests=2)  # one seat is free, two are asked for
    assert Rsvp.objects.get(user=host).seats == 1
    assert Rsvp.objects.get(user=host).status == "going"


@pytest.mark.django_db
def test_a_party_that_does_not_fit_keeps_its_place(chapter):
    meeting = make_meeting(chapter, capacity=2, guests_allowed=1)
    a, b, c, d = members(chapter, 4)
    services.rsvp(meeting, a)
    services.rsvp(meeting, b)
    services.rsvp(meeting, c, guests=1)  # two seats, first in line
    services.rsvp(meeting, d)  # one seat, second in line
    services.cancel_rsvp(meeting, a)  # one seat frees: c's party does not fit, d must not jump
    assert Rsvp.objects.get(user=d).status == "waitlisted"
    services.cancel_rsvp(meeting, b)
    assert Rsvp.objects.get(user=c).status == "going"


@pytest.mark.django_db
def test_answering_again_keeps_a_waitlist_place_and_a_cancelled_answer_can_return(chapter):
    meeting = make_meeting(chapter, capacity=1, guests_allowed=1)
    a, b, c = members(chapter, 3)
    services.rsvp(meeting, a)
    services.rsvp(meeting, b)
    services.rsvp(meeting, c)
    queued_at = Rsvp.objects.get(user=b).queued_at
    again = services.rsvp(meeting, b, guests=1)  # still waiting, now for two seats
    assert again.status == "waitlisted" and services.waitlist_position(again) == 1
    assert Rsvp.objects.get(user=b).queued_at == queued_at and again.seats == 2
    assert Rsvp.objects.filter(meeting=meeting).count() == 3

    services.cancel_rsvp(meeting, c)
    back = services.rsvp(meeting, c)  # back at the end of the line
    assert back.status == "waitlisted" and services.waitlist_position(back) == 2
    services.cancel_rsvp(meeting, a)  # b's party of two does not fit one seat: nobody jumps
    assert Rsvp.objects.get(user=c).status == "waitlisted"
    assert services.rsvp(meeting, a).status == "waitlisted"  # nor does a newcomer
    assert services.rsvp(meeting, b).status == "going"  # b comes alone: first in line, seated


@pytest.mark.django_db
def test_a_freed_seat_reads_only_the_head_of_a_long_waitlist(chapter):
    meeting = make_meeting(chapter, capacity=2)
    people = members(chapter, 60)
    for person in people:
        services.rsvp(meeting, person)
    assert Rsvp.objects.filter(meeting=meeting, status=Rsvp.Status.WAITLISTED).count() == 58
    with CaptureQueriesContext(connection) as queries:
        services.cancel_rsvp(meeting, people[0])
        services.rsvp(meeting, people[-1])  # answering again from the back of the line
    waitlist_reads = [
        query["sql"]
        for query in queries
        if '"queued_at" ASC' in query["sql"] and "SELECT" in query["sql"]
    ]
    assert waitlist_reads and all("LIMIT 1" in sql for sql in waitlist_reads[:1])
    assert not any("LIMIT" not in sql for sql in waitlist_reads)
    going = Rsvp.objects.filter(meeting=meeting, status=Rsvp.Status.GOING)
    assert set(going.values_list("user", flat=True)) == {people[1].pk, people[2].pk}


def test_raising_capacity_promotes_from_the_waitlist(chapter, organizer):
    meeting = make_meeting(chapter, capacity=1)
    a, b, c = members(chapter, 3)
    for user in (a, b, c):
        services.rsvp(meeting, user)
    services.set_capacity(organizer, meeting, 3)
    assert Rsvp.objects.filter(status="going").count() == 3


@pytest.mark.django_db
def test_closed_cancelled_and_non_members_cannot_rsvp(chapter, outsider):
    (member,) = members(chapter, 1)
    closed = make_meeting(chapter, rsvp_closes=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(Exception, match="closed"):
        services.rsvp(closed, member)
    cancelled = make_meeting(chapter, status=Meeting.Status.CANCELLED)
    with pytest.raises(Exception, match="closed"):
        services.rsvp(cancelled, member)
    with pytest.raises(Exception, match="Join the chapter"):
        services.rsvp(make_meeting(chapter), outsider)
    assert not Rsvp.objects.exists()


def rsvp_in_thread(meeting_id: int, user_id: int, barrier: threading.Barrier) -> str:
    from members.models import User

    try:
        meeting, user = Meeting.objects.get(pk=meeting_id), User.objects.get(pk=user_id)
        barrier.wait(timeout=30)
        return services.rsvp(meeting, user).status
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_rsvps_never_exceed_capacity(chapter):
    """Many people take the last seats at once from their own threads and connections."""
    meeting = make_meeting(chapter, capacity=10)
    for user in members(chapter, 7):
        services.rsvp(meeting, user)
    crowd = members(chapter, 24)
    barrier = threading.Barrier(len(crowd))
    with ThreadPoolExecutor(max_workers=len(crowd)) as pool:
        answers = list(pool.map(lambda u: rsvp_in_thread(meeting.pk, u.pk, barrier), crowd))
    assert answers.count("going") == 3
    assert answers.count("waitlisted") == 21
    assert services.seats_taken(meeting) == 10
    queue = Rsvp.objects.filter(status="waitlisted").order_by("queued_at", "pk")
    assert [services.waitlist_position(answer) for answer in queue] == list(range(1, 22))


@pytest.mark.django_db
def test_rsvp_through_the_page(chapter, member, organizer):
    meeting = make_meeting(chapter, capacity=1)
    client = client_for(member)
    page = client.get(meeting.get_absolute_url()).text
    assert "I&#39;m going" in page or "I'm going" in page
    response = client.post(f"{meeting.get_absolute_url()}rsvp/", {"answer": "going"}, follow=True)
    assert "You are going" in response.text
    other = client_for(members(chapter, 1)[0])
    waiting = other.post(f"{meeting.get_absolute_url()}rsvp/", {"answer": "going"}, follow=True)
    assert "number 1 on the waitlist" in waiting.text
    client.post(f"{meeting.get_absolute_url()}rsvp/", {"answer": "cancel"})
    assert "You are going" in other.get(meeting.get_absolute_url()).text


@pytest.mark.django_db
def test_bad_rsvp_input_is_refused_with_a_message(chapter, member):
    meeting = make_meeting(chapter, guests_allowed=1)
    client = client_for(member)
    for guests in ["-1", "abc", "99", "5"]:
        response = client.post(
            f"{meeting.get_absolute_url()}rsvp/", {"answer": "going", "guests": guests}, follow=True
        )
        assert response.status_code == 200
        assert 'class="message message-error"' in response.text
    assert not Rsvp.objects.exists()


@pytest.mark.django_db
def test_organizers_see_attendees_export_csv_and_mark_attendance(chapter, organizer_client, member):
    meeting = make_meeting(chapter, capacity=1)
    (other,) = members(chapter, 1)
    other.profile.display_name = "=HYPERLINK(evil)"
    other.profile.save()
    going = services.rsvp(meeting, member)
    services.rsvp(meeting, other)
    page = organizer_client.get(f"{meeting.get_absolute_url()}attendees/").text
    assert member.display_name in page and "Waitlist" in page
    response = organizer_client.get(f"{meeting.get_absolute_url()}attendees.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["name", "institution", "status"]
    assert [row[2] for row in rows[1:]] == ["going", "waitlisted"]
    assert rows[2][0] == "'=HYPERLINK(evil)"
    assert member.email not in response.content.decode()
    organizer_client.post(f"{meeting.get_absolute_url()}attendees/", {"attended": [going.pk]})
    assert Rsvp.objects.get(pk=going.pk).attended is True


@pytest.mark.django_db
def test_attendee_tools_are_for_organizers_only(chapter, member_client):
    meeting = make_meeting(chapter)
    for path in ("attendees/", "attendees.csv", "edit/", "report/"):
        assert member_client.get(f"{meeting.get_absolute_url()}{path}").status_code == 403
