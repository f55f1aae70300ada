"""Two web processes on one database behave as one site.

This is how a hub grows (docs/deploy.md): more granian processes, on one machine
or several, in front of one database. Two real granian servers share a database
of the test run's engine (a SQLite file, or a scratch PostgreSQL database): a
session made by logging in on one is valid on the other, an RSVP taken on one
shows on the other, and two members racing for a meeting's last seat through
different processes never both get it.
"""

import threading

import pytest

from tests.chapterhouse.servers import SESSION_FOR, Site, Visitor, free_port, scratch_database

PASSWORD = "a long passphrase for logging in"
RACES = 6

SETUP = (
    SESSION_FOR
    + """
import json
from datetime import timedelta
from django.utils import timezone
from chapters.models import Chapter
from meetings.models import Meeting
from members.models import Membership, User

def member(email, password=None):
    user = User.objects.create_user(email, password, email.split("@")[0].title(),
                                    email_verified_at=timezone.now())
    Membership.objects.create(chapter=chapter, user=user)
    return user

chapter = Chapter.objects.create(name="Two processes", slug="two")
start = timezone.now() + timedelta(days=7)
def meeting(title, capacity):
    return Meeting.objects.create(chapter=chapter, title=title, capacity=capacity,
                                  start=start, end=start + timedelta(hours=2)).pk
member("ada@example.org", "{password}")
racers = [session_for(member(f"racer{{n}}@example.org")) for n in range(2 * {races})]
print(json.dumps({{
    "open": meeting("Open evening", 30),
    "races": [meeting(f"Last seat {{n}}", 1) for n in range({races})],
    "racers": racers,
}}))
"""
)

SEATS = """
import json
from meetings.models import Rsvp
print(json.dumps([
    sorted(Rsvp.objects.filter(meeting_id=pk).values_list("status", flat=True)) for pk in {ids}
]))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, static_root):
    folder = tmp_path_factory.mktemp("two-web")
    with scratch_database(folder, "two_web") as database_url:
        made = Site(folder, database_url, static_root)
        made.prepare()
        made.ids = made.python(SETUP.format(password=PASSWORD, races=RACES))
        try:
            made.start_web()
            made.other = f"http://127.0.0.1:{free_port()}"
            made.start_web(int(made.other.rsplit(":", 1)[1]))
            yield made
        finally:
            made.stop()


def meeting_url(base: str, pk: int) -> str:
    return f"{base}/chapters/two/meetings/{pk}/"


def test_a_session_made_on_one_process_is_valid_on_the_other(site):
    ada = Visitor()
    assert ada.log_in(f"{site.url}/accounts/login/", "ada@example.org", PASSWORD) == 302
    status, _, page = ada.get(f"{site.other}/accounts/settings/")
    assert status == 200 and "ada@example.org" in page and "Log out" in page
    assert Visitor().get(f"{site.other}/accounts/settings/")[0] == 302  # to the log-in page


def test_an_rsvp_taken_on_one_process_shows_on_the_other(site):
    ada = Visitor()
    ada.log_in(f"{site.url}/accounts/login/", "ada@example.org", PASSWORD)
    pk = site.ids["open"]
    assert "You are going." not in ada.get(meeting_url(site.other, pk))[2]
    status, headers, _ = ada.post(meeting_url(site.url, pk) + "rsvp/", {"answer": "going"})
    assert status == 302 and headers["location"] == f"/chapters/two/meetings/{pk}/"
    page = ada.get(meeting_url(site.other, pk))[2]
    assert "You are going." in page and "1 of 30 seats" in page


def test_the_last_seat_raced_for_through_both_processes_goes_to_one_member(site):
    racers = iter(site.ids["racers"])
    statuses = []

    def race(base: str, session_key: str, pk: int, start: threading.Barrier) -> None:
        visitor = Visitor(session_key)
        start.wait()
        statuses.append(visitor.post(meeting_url(base, pk) + "rsvp/", {"answer": "going"})[0])

    for pk in site.ids["races"]:
        start = threading.Barrier(2)
        threads = [
            threading.Thread(target=race, args=(base, next(racers), pk, start))
            for base in (site.url, site.other)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert statuses == [302] * 2 * RACES
    answers = site.python(SEATS.format(ids=site.ids["races"]))
    assert answers == [["going", "waitlisted"]] * RACES
