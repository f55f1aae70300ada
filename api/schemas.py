"""What the API reads and writes, as pydantic schemas; OpenAPI is generated from these."""

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from ninja.params.functions import Path
from pydantic import create_model

from meetings.models import Format, Meeting, Rsvp, Talk
from members.models import Role
from projects.models import Project
from stories.models import Story

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
# The largest id a 64-bit primary key holds; larger ones are refused before any query.
MAX_ID = 2**63 - 1

ChapterSlug = Annotated[
    str,
    Path(pattern=r"^[-a-zA-Z0-9_]+$", max_length=50, description="The chapter's short name."),
]
MeetingId = Annotated[int, Path(ge=1, le=MAX_ID, description="The meeting's id.")]
StorySlug = Annotated[
    str, Path(pattern=r"^[-\w]+$", max_length=200, description="The story's short name.")
]
ProjectSlug = Annotated[
    str,
    Path(pattern=r"^[-a-zA-Z0-9_]+$", max_length=120, description="The project's short name."),
]
# Names joined with commas for the forms, so a name may not hold one.
TagName = Annotated[str, Field(max_length=100, pattern=r"^[^,]*$")]


class Error(Schema):
    """Every error: a sentence, or for invalid input a list of problems with their location."""

    detail: str | list[dict[str, Any]]


class PageQuery(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="How many items, at most 100.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


def page_of(item: type[Schema]) -> type[Schema]:
    """A page of `item`s with the total count and where the page starts."""
    return create_model(
        f"{item.__name__}Page",
        __base__=Schema,
        count=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[item], ...),
    )


class FocusAreaOut(Schema):
    id: int
    name: str


class LinkOut(Schema):
    label: str
    url: str


class ChapterOut(Schema):
    slug: str
    name: str
    tagline: str
    region: str
    time_zone: str
    member_count: int
    url: str = Field(description="The chapter's page.")


class ChapterDetailOut(ChapterOut):
    description: str = Field(description="Markdown.")
    members_can_blog: bool
    focus_areas: list[FocusAreaOut]
    links: list[LinkOut]


class VenueOut(Schema):
    name: str
    host: str
    address: str
    country: str
    directions_url: str
    latitude: float | None
    longitude: float | None
    accessibility_notes: str
    access_instructions: str


class MeetingOut(Schema):
    id: int
    chapter: str = Field(description="The chapter's short name.")
    title: str
    start: datetime
    end: datetime
    time_zone: str = Field(description="The chapter's time zone, for showing local times.")
    status: Literal[tuple(Meeting.Status.values)]
    format: Literal[tuple(Format.values)]
    attendance_mode: Literal["in-person", "online", "hybrid"]
    capacity: int | None
    going: int = Field(description="Seats taken, guests included.")
    venue: VenueOut | None
    url: str


class MyRsvpOut(Schema):
    status: Literal[tuple(Rsvp.Status.values)]
    guests: int
    waitlist_position: int | None = Field(description="1 for the first in line; else null.")


class MeetingDetailOut(MeetingOut):
    description: str = Field(description="Markdown.")
    guests_allowed: int
    rsvp_open: bool
    waitlisted: int
    online_url: str | None = Field(
        description="Shown to those going and to organizers; null otherwise or if there is none."
    )
    my_rsvp: MyRsvpOut | None = Field(description="The token holder's answer, if any.")


class RsvpIn(Schema):
    guests: int = Field(0, ge=0, le=10, description="Guests you bring (the meeting sets a limit).")


class TalkOut(Schema):
    id: int
    meeting: int
    title: str
    kind: Literal[tuple(Talk.Kind.values)]
    minutes: int
    speakers: str
    abstract: str
    status: Literal[tuple(Talk.Status.values)]
    starts_at: datetime | None
    slides_url: str
    recording_url: str
    licence: str
    url: str | None = Field(description="The talk's page, once it is accepted.")


class TalkIn(Schema):
    title: str = Field(max_length=200)
    kind: Literal[tuple(Talk.Kind.values)] = Talk.Kind.LIGHTNING.value
    speakers: str | None = Field(
        None, max_length=300, description="Names, separated by commas; yours if left out."
    )
    abstract: str = Field("", max_length=5000)


class StoryOut(Schema):
    slug: str
    chapter: str
    kind: Literal[tuple(Story.Kind.values)]
    title: str
    excerpt: str
    author: str | None
    status: Literal[tuple(Story.Status.values)]
    published: datetime | None
    updated: datetime
    categories: list[str]
    url: str


class StoryDetailOut(StoryOut):
    body: str = Field(description="As written, in body_format.")
    body_format: Literal[tuple(Story.Format.values)]
    body_html: str = Field(description="The body as sanitized HTML.")


class StoryIn(Schema):
    title: str = Field(max_length=300)
    kind: Literal[tuple(Story.Kind.values)] | None = Field(
        None, description="Members who may blog write blog posts only; the default then."
    )
    excerpt: str = Field("", max_length=2000)
    body: str = Field("", max_length=500_000, description="Markdown.")
    categories: list[TagName] = Field([], max_length=10)
    publish: bool = Field(False, description="Publish now; otherwise the story is a draft.")


class StoryPatch(Schema):
    title: str | None = Field(None, max_length=300)
    kind: Literal[tuple(Story.Kind.values)] | None = None
    excerpt: str | None = Field(None, max_length=2000)
    body: str | None = Field(None, max_length=500_000)
    categories: list[TagName] | None = Field(None, max_length=10)
    publish: bool | None = Field(
        None, description="true publishes, false turns it back into a draft; left out, unchanged."
    )


class ContributorOut(Schema):
    name: str
    role: str


class ProjectOut(Schema):
    slug: str
    chapter: str
    name: str
    summary: str
    status: Literal[tuple(Project.Status.values)]
    institution: str
    repository_url: str
    homepage: str
    licence: str
    technologies: list[str]
    focus_areas: list[FocusAreaOut]
    url: str


class ProjectDetailOut(ProjectOut):
    description: str = Field(description="Markdown.")
    contributors: list[ContributorOut]
    created: datetime
    updated: datetime


class ProjectQuery(PageQuery):
    status: Literal[tuple(Project.Status.values)] | None = None
    technology: str | None = Field(None, max_length=60, description="A technology's short name.")
    institution: str | None = Field(None, max_length=200)
    area: int | None = Field(None, ge=1, le=MAX_ID, description="A focus area's id.")


class ProjectIn(Schema):
    name: str = Field(max_length=120)
    summary: str = Field(max_length=300)
    description: str = Field("", max_length=20000)
    status: Literal[tuple(Project.Status.values)] = Project.Status.ACTIVE.value
    institution: str = Field("", max_length=200)
    repository_url: str = Field("", max_length=200)
    homepage: str = Field("", max_length=200)
    licence: str = Field("", max_length=200, description="An SPDX expression, such as MIT.")
    focus_areas: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field([], max_length=50)
    technologies: list[TagName] = Field([], max_length=20)


class ProjectPatch(Schema):
    name: str | None = Field(None, max_length=120)
    summary: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=20000)
    status: Literal[tuple(Project.Status.values)] | None = None
    institution: str | None = Field(None, max_length=200)
    repository_url: str | None = Field(None, max_length=200)
    homepage: str | None = Field(None, max_length=200)
    licence: str | None = Field(None, max_length=200)
    focus_areas: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(None, max_length=50)
    technologies: list[TagName] | None = Field(None, max_length=20)


class MembershipOut(Schema):
    chapter: str = Field(description="The chapter's short name.")
    role: Literal[tuple(Role.values)]


class MeOut(Schema):
    id: int
    display_name: str
    chapters: list[MembershipOut]


class IndexOut(Schema):
    docs: str
    openapi: str
    chapters: str


ChapterPage = page_of(ChapterOut)
MeetingPage = page_of(MeetingOut)
StoryPage = page_of(StoryOut)
ProjectPage = page_of(ProjectOut)
TalkPage = page_of(TalkOut)
