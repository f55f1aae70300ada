"""Dublin Core and citation meta tags for stories, talks, reports and projects."""

import datetime as dt
import html
import re

import pytest
from django.conf import settings

from meetings import metadata as talk_metadata
from meetings.models import Report, Talk
from projects import metadata as project_metadata
from stories import metadata as story_metadata
from tests.factories import MembershipFactory, UserFactory
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import ContributorFactory, ProjectFactory
from tests.stories.factories import StoryFactory

ORCID = "0000-0002-1825-0097"
WHEN = dt.datetime(2026, 10, 14, 22, 30, tzinfo=dt.UTC)


def with_orcid(user, orcid=ORCID, name=None):
    user.profile.orcid = orcid
    if name:
        user.profile.display_name = name
    user.profile.save()
    return user


def talk_in(chapter, **fields) -> Talk:
    meeting = MeetingFactory(chapter=chapter, start=WHEN, end=WHEN + dt.timedelta(hours=2))
    values = {"title": "IIIF at <scale>", "speakers": "Ada Lovelace", "status": "accepted"}
    return Talk.objects.create(meeting=meeting, **{**values, **fields})


def meta_tags(response) -> list[tuple[str, str]]:
    """The name/content pairs of the page's <meta name> tags, unescaped."""
    found = re.findall(r'<meta name="([^"]+)" content="([^"]*)">', response.content.decode())
    return [(name, html.unescape(content)) for name, content in found]


@pytest.mark.django_db
def test_story_dublin_core(chapter, member):
    with_orcid(member, name="Grace Hopper")
    story = StoryFactory(
        chapter=chapter, author=member, title="Hello", excerpt="", body="Some **news**.",
        published=WHEN, categories=["Events"],
    )  # fmt: skip
    dc = story_metadata.dublin_core(story)
    assert dc["title"] == ["Hello"]
    assert dc["creator"] == ["Grace Hopper"]
    assert dc["creator_orcid"] == [f"https://orcid.org/{ORCID}"]
    assert dc["publisher"] == ["Code4LibNYC"]
    assert dc["date"] == ["2026-10-14"]
    assert dc["description"] == ["Some news."]
    assert dc["subject"] == ["Events"]
    assert dc["type"] == ["Text"]
    assert dc["identifier"] == [settings.SITE_URL + story.get_absolute_url()]


@pytest.mark.django_db
def test_orcid_hidden_for_members_out_of_the_directory(chapter, member):
    with_orcid(member)
    member.profile.in_directory = False
    member.profile.save()
    dc = story_metadata.dublin_core(StoryFactory(chapter=chapter, author=member))
    assert dc["creator_orcid"] == [""]


@pytest.mark.django_db
def test_talk_dublin_core_with_speaker_orcids(chapter, member):
    proposer = with_orcid(member, name="Ada Lovelace")
    other = UserFactory()
    with_orcid(other, orcid="0000-0001-5109-3700", name="Charles Babbage")
    MembershipFactory(chapter=chapter, user=other)
    talk = talk_in(
        chapter, speakers="Ada Lovelace, charles babbage, Nobody Known", proposer=proposer,
        slides_url="https://slides.example/x", recording_url="https://video.example/y",
        licence="CC-BY-4.0", abstract="About *IIIF*.",
    )  # fmt: skip
    dc = talk_metadata.dublin_core(talk)
    assert dc["creator"] == ["Ada Lovelace", "charles babbage", "Nobody Known"]
    assert dc["creator_orcid"] == [
        f"https://orcid.org/{ORCID}",
        "https://orcid.org/0000-0001-5109-3700",
        "",
    ]
    assert dc["type"] == ["Event"]
    assert dc["rights"] == ["CC-BY-4.0"]
    assert dc["relation"] == ["https://slides.example/x", "https://video.example/y"]
    assert dc["date"] == ["2026-10-14"]
    assert dc["identifier"][0].endswith(f"/talks/{talk.pk}/about/")


@pytest.mark.django_db
def test_an_ambiguous_speaker_name_gets_no_orcid(chapter):
    for orcid in (ORCID, "0000-0001-5109-3700"):
        user = with_orcid(UserFactory(), orcid=orcid, name="Sam Smith")
        MembershipFactory(chapter=chapter, user=user)
    dc = talk_metadata.dublin_core(talk_in(chapter, speakers="Sam Smith"))
    assert dc["creator_orcid"] == [""]


@pytest.mark.django_db
def test_members_of_other_chapters_do_not_lend_their_orcid(chapter):
    with_orcid(UserFactory(), name="Ada Lovelace")
    dc = talk_metadata.dublin_core(talk_in(chapter))
    assert dc["creator_orcid"] == [""]


@pytest.mark.django_db
def test_report_dublin_core(chapter):
    meeting = MeetingFactory(chapter=chapter, start=WHEN, end=WHEN + dt.timedelta(hours=2),
                             format="hack", title="October hack night")  # fmt: skip
    report = Report.objects.create(
        meeting=meeting, attendance=23, what_worked="Pairing newcomers", published=True
    )
    dc = talk_metadata.dublin_core_report(report)
    assert dc["title"] == ["Report: October hack night"]
    assert dc["subject"] == ["Hack session"]
    assert "Attendance: 23." in dc["description"][0]
    assert "Pairing newcomers" in dc["description"][0]
    assert dc["type"] == ["Text"]
    assert dc["identifier"][0].endswith("#report")


@pytest.mark.django_db
def test_project_dublin_core(chapter, member):
    with_orcid(member, name="Grace Hopper")
    project = ProjectFactory(
        chapter=chapter, name="Catalog", technologies=["Solr"], licence="MIT",
        repository_url="https://git.example/catalog", description="Uses **Solr**.",
    )  # fmt: skip
    ContributorFactory(project=project, user=member)
    dc = project_metadata.dublin_core(project)
    assert dc["creator"] == ["Grace Hopper"]
    assert dc["creator_orcid"] == [f"https://orcid.org/{ORCID}"]
    assert dc["type"] == ["Software"]
    assert dc["rights"] == ["MIT"]
    assert dc["subject"] == ["Solr"]
    assert dc["relation"] == ["https://git.example/catalog"]
    assert dc["description"] == ["A catalog front end for the consortium. Uses Solr."]


def test_citation_meta_pairs_authors_with_their_orcid():
    dc = {
        "title": ["T"],
        "creator": ["A", "B"],
        "creator_orcid": ["", "https://orcid.org/X"],
        "date": ["2026-10-14"],
        "publisher": ["P"],
        "identifier": ["https://site/x"],
        "type": ["Text"],
    }
    assert story_metadata.citation_meta_from(dc) == [
        ("citation_title", "T"),
        ("citation_author", "A"),
        ("citation_author", "B"),
        ("citation_author_orcid", "https://orcid.org/X"),
        ("citation_publication_date", "2026/10/14"),
        ("citation_publisher", "P"),
        ("citation_public_url", "https://site/x"),
        ("DC.title", "T"),
        ("DC.creator", "A"),
        ("DC.creator", "B"),
        ("DC.date", "2026-10-14"),
        ("DC.publisher", "P"),
        ("DC.identifier", "https://site/x"),
        ("DC.type", "Text"),
    ]


TRICKY = 'Quotes " and <tags> & more'


@pytest.mark.django_db
def test_story_page_carries_escaped_citation_tags(client, chapter, member):
    story = StoryFactory(chapter=chapter, author=member, title=TRICKY)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    tags = meta_tags(response)
    assert ("citation_title", TRICKY) in tags
    assert ("citation_author", member.display_name) in tags
    assert ("citation_publisher", "Code4LibNYC") in tags
    assert 'content="Quotes &#34; and &lt;tags&gt; &amp; more"' in response.content.decode()


@pytest.mark.django_db
def test_draft_story_page_has_no_citation(organizer_client, chapter, organizer):
    story = StoryFactory(chapter=chapter, author=organizer, status="draft", published=None)
    response = organizer_client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert not [name for name, _ in meta_tags(response) if name.startswith("citation_")]


@pytest.mark.django_db
def test_talk_page_carries_citation_and_materials(client, chapter, member):
    with_orcid(member, name="Ada Lovelace")
    talk = talk_in(chapter, title=TRICKY, proposer=member, licence="CC-BY-4.0",
                   recording_url="https://video.example/y")  # fmt: skip
    response = client.get(talk.get_absolute_url())
    assert response.status_code == 200
    tags = meta_tags(response)
    assert ("citation_title", TRICKY) in tags
    assert ("citation_author_orcid", f"https://orcid.org/{ORCID}") in tags
    assert ("DC.rights", "CC-BY-4.0") in tags
    assert ("DC.type", "Event") in tags
    page = response.content.decode()
    assert "https://video.example/y" in page
    assert "Licence: CC-BY-4.0" in page


@pytest.mark.django_db
def test_only_accepted_talks_have_pages(client, chapter):
    talk = talk_in(chapter, status="proposed")
    assert client.get(talk.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_meeting_page_links_talks_and_shows_licence(client, chapter):
    talk = talk_in(chapter, licence="CC-BY-SA-4.0", slides_url="https://slides.example/x")
    page = client.get(talk.meeting.get_absolute_url()).content.decode()
    assert talk.get_absolute_url() in page
    assert "Licence: CC-BY-SA-4.0" in page


@pytest.mark.django_db
def test_project_page_carries_citation_tags(client, chapter, member):
    project = ProjectFactory(chapter=chapter, name=TRICKY, licence="MIT")
    ContributorFactory(project=project, user=member)
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    tags = meta_tags(response)
    assert ("citation_title", TRICKY) in tags
    assert ("citation_author", member.display_name) in tags
    assert ("DC.type", "Software") in tags
    assert ("DC.rights", "MIT") in tags


@pytest.mark.django_db
def test_licence_is_saved_with_talk_materials(member_client, chapter, member):
    talk = talk_in(chapter, proposer=member)
    url = f"{talk.meeting.get_absolute_url()}talks/{talk.pk}/materials/"
    response = member_client.post(url, {"licence": "CC-BY-4.0", "notes": ""})
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.licence == "CC-BY-4.0"
