"""What the index holds: each kind of content as a `Document`, or None when nobody may find it.

Each kind has one queryset of everything searchable (the same rules its own pages use
to decide what readers see) and one builder. Loading by key reuses that queryset, so
anything it leaves out (a draft, a hidden post, a private profile) is removed from the
index rather than indexed.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from chapterhouse.markup import render_markdown, visible_text
from chapters.models import Chapter
from forum.models import ForumSettings, Post, Suspension, Thread
from meetings.models import Meeting, Talk
from members.models import Membership, User
from projects.models import Project
from search.engine import Document
from stories.models import Story

PUBLIC = "public"
CHUNK_SIZE = 500


def members_of(chapter_id: int) -> str:
    """The audience of one chapter's members."""
    return f"members:{chapter_id}"


def markdown_text(text: str) -> str:
    """Markdown as the words a reader sees, for the index."""
    return visible_text(str(render_markdown(text)))


def joined(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def forum_audiences(chapter: Chapter) -> list[str]:
    """Everyone for a public forum, else the chapter's members.

    A chapter without saved settings has the defaults, as forum.services.settings_for
    gives them; the settings come from select_related so a batch costs no extra query.
    """
    try:
        forum = chapter.forum_settings
    except ForumSettings.DoesNotExist:
        forum = ForumSettings(chapter=chapter)
    if forum.visibility == ForumSettings.Visibility.PUBLIC:
        return [PUBLIC]
    return [members_of(chapter.pk)]


# Stories.


def stories() -> QuerySet:
    return Story.objects.published().select_related("chapter").prefetch_related("categories")


def story_document(story: Story) -> Document | None:
    if not story.is_published:
        return None
    categories = sorted(category.name for category in story.categories.all())
    return Document(
        key=f"story:{story.pk}",
        kind="story",
        title=story.title,
        body=joined(story.excerpt_text(), visible_text(str(story.body_html()))),
        url=story.get_absolute_url(),
        date=story.published,
        audiences=[PUBLIC],
        chapter=story.chapter.slug,
        chapter_name=story.chapter.name,
        category=categories[0] if categories else "",
    )


# Meetings and their talks.


def meetings() -> QuerySet:
    return Meeting.objects.select_related("chapter", "venue")


def meeting_document(meeting: Meeting) -> Document:
    """Cancelled meetings stay findable (people look for them) and say so in the title."""
    title = meeting.title
    if meeting.is_cancelled:
        title = _("Cancelled: %(title)s") % {"title": title}
    venue = meeting.venue
    return Document(
        key=f"meeting:{meeting.pk}",
        kind="meeting",
        title=title,
        body=joined(markdown_text(meeting.description), venue.name if venue else ""),
        url=meeting.get_absolute_url(),
        date=meeting.start,
        audiences=[PUBLIC],
        chapter=meeting.chapter.slug,
        chapter_name=meeting.chapter.name,
    )


def talks() -> QuerySet:
    """Accepted talks: proposals and declined talks are for the organizers only."""
    return Talk.objects.filter(status=Talk.Status.ACCEPTED).select_related("meeting__chapter")


def talk_document(talk: Talk) -> Document | None:
    if talk.status != Talk.Status.ACCEPTED:
        return None
    meeting = talk.meeting
    return Document(
        key=f"talk:{talk.pk}",
        kind="talk",
        title=talk.title,
        body=joined(talk.speakers, talk.abstract),
        url=f"{meeting.get_absolute_url()}#talk-{talk.pk}",
        date=meeting.start,
        audiences=[PUBLIC],
        chapter=meeting.chapter.slug,
        chapter_name=meeting.chapter.name,
    )


# Projects.


def projects() -> QuerySet:
    return Project.objects.for_listing()


def project_document(project: Project) -> Document:
    technologies = ", ".join(technology.name for technology in project.technologies.all())
    return Document(
        key=f"project:{project.pk}",
        kind="project",
        title=project.name,
        body=joined(
            project.summary, markdown_text(project.description), technologies, project.institution
        ),
        url=project.get_absolute_url(),
        date=project.created,
        audiences=[PUBLIC],
        chapter=project.chapter.slug,
        chapter_name=project.chapter.name,
        focus_areas=[area.name for area in project.focus_areas.all()],
    )


# The forum: a thread is its title and opening post; replies are posts.


def banned_author(chapter_path: str) -> Exists:
    """Whether the row's author is banned (suspended with no end) from the row's chapter."""
    return Exists(
        Suspension.objects.filter(
            chapter=OuterRef(chapter_path), user=OuterRef("author"), until=None
        )
    )


def threads() -> QuerySet:
    opening = Post.objects.filter(
        thread=OuterRef("pk"), position=0, approved=True, hidden=False, deleted=False
    )
    return (
        Thread.objects.listed()
        .select_related("chapter__forum_settings", "category__focus_area")
        .annotate(opening_body=Subquery(opening.values("body")[:1]))
    )


def thread_document(thread: Thread) -> Document:
    category = thread.category
    return Document(
        key=f"thread:{thread.pk}",
        kind="thread",
        title=thread.title,
        body=markdown_text(getattr(thread, "opening_body", None) or ""),
        url=thread.get_absolute_url(),
        date=thread.created,
        audiences=forum_audiences(thread.chapter),
        chapter=thread.chapter.slug,
        chapter_name=thread.chapter.name,
        focus_areas=[category.focus_area.name] if category.focus_area else [],
        category=category.name,
    )


def posts() -> QuerySet:
    """Replies readers see: approved, shown, in a listed thread, by an author not banned."""
    return (
        Post.objects.filter(
            position__gt=0,
            approved=True,
            hidden=False,
            deleted=False,
            thread__in=Thread.objects.listed().values("pk"),
        )
        .exclude(banned_author("thread__chapter"))
        .select_related("thread__chapter__forum_settings", "thread__category__focus_area")
    )


def post_document(post: Post) -> Document | None:
    if post.position == 0:
        return None  # the opening post is indexed as its thread
    thread, category = post.thread, post.thread.category
    return Document(
        key=f"post:{post.pk}",
        kind="post",
        title=thread.title,
        body=markdown_text(post.body),
        url=post.get_absolute_url(),
        date=post.created,
        audiences=forum_audiences(thread.chapter),
        chapter=thread.chapter.slug,
        chapter_name=thread.chapter.name,
        focus_areas=[category.focus_area.name] if category.focus_area else [],
        category=category.name,
    )


# Meetings and stories from the remote Groups our chapters follow (federation).


def remote_objects() -> QuerySet:
    """Remote objects of Groups a chapter follows and that accepted: what the network shows."""
    from federation.models import Following, RemoteObject

    followed = Following.objects.filter(state=Following.State.ACCEPTED).values("actor")
    return RemoteObject.objects.filter(actor__in=followed).select_related("actor")


def remote_document(remote) -> Document:
    """A remote meeting or story, found by everyone and marked as from another site."""
    title = remote.name
    if remote.cancelled:
        title = _("Cancelled: %(title)s") % {"title": title}
    actor = remote.actor
    return Document(
        key=f"remote:{remote.pk}",
        kind=remote.kind,
        title=title,
        body=joined(remote.summary, remote.location, visible_text(remote.content)),
        url=remote.url or remote.uri,
        date=remote.start or remote.published,
        audiences=[PUBLIC],
        chapter_name=actor.name or actor.handle or actor.uri,
        remote=True,
    )


# The member directory: only members of a shared chapter see an entry.


def members() -> QuerySet:
    memberships = Membership.objects.select_related("chapter").order_by("joined_at", "pk")
    return (
        User.objects.filter(is_active=True, is_placeholder=False, profile__in_directory=True)
        .filter(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .select_related("profile")
        .prefetch_related(Prefetch("memberships", queryset=memberships), "profile__interests")
    )


def member_document(user: User) -> Document | None:
    profile = getattr(user, "profile", None)
    listed = user.is_active and not user.is_placeholder and profile and profile.in_directory
    chapters = [membership.chapter for membership in user.memberships.all()]
    if not listed or not chapters:
        return None
    return Document(
        key=f"member:{user.pk}",
        kind="member",
        title=profile.display_name,
        body=joined(profile.institution, profile.get_job_role_display(), profile.bio),
        url=reverse("members:detail", args=[user.pk]),
        date=user.date_joined,
        audiences=[members_of(chapter.pk) for chapter in chapters],
        chapter=chapters[0].slug,
        chapter_name=chapters[0].name,
        focus_areas=[area.name for area in profile.interests.all()],
    )


@dataclass(frozen=True)
class Source:
    """One kind of document: every searchable row, and how a row becomes a document."""

    kind: str
    searchable: Callable[[], QuerySet]
    build: Callable[[object], Document | None]


SOURCES = {
    source.kind: source
    for source in (
        Source("story", stories, story_document),
        Source("meeting", meetings, meeting_document),
        Source("talk", talks, talk_document),
        Source("thread", threads, thread_document),
        Source("post", posts, post_document),
        Source("project", projects, project_document),
        Source("member", members, member_document),
        Source("remote", remote_objects, remote_document),
    )
}


def parse_key(key: str) -> tuple[str, int] | None:
    """("story", 12) for "story:12"; None for a key of no kind this site builds."""
    kind, _sep, number = key.partition(":")
    if kind not in SOURCES or not number.isascii() or not number.isdigit():
        return None
    return kind, int(number)


def documents_for_keys(keys: Iterable[str]) -> dict[str, Document | None]:
    """Each known key's current document, or None where it must leave the index.

    One query per kind, however many keys. Keys of unknown kinds are left out of the
    answer, so they are neither added nor removed.
    """
    wanted: dict[str, dict[int, str]] = defaultdict(dict)
    for key in keys:
        parsed = parse_key(key)
        if parsed is not None:
            wanted[parsed[0]][parsed[1]] = key
    found: dict[str, Document | None] = {}
    for kind, by_id in wanted.items():
        source = SOURCES[kind]
        rows = {row.pk: row for row in source.searchable().filter(pk__in=list(by_id))}
        for pk, key in by_id.items():
            found[key] = source.build(rows[pk]) if pk in rows else None
    return found


def document_for_key(key: str) -> Document | None:
    """The document for one key, or None when it is missing or must not be found."""
    return documents_for_keys([key]).get(key)


def counts() -> dict[str, int]:
    """How many rows of each kind a rebuild will look at (the progress bar's total)."""
    return {kind: source.searchable().order_by().count() for kind, source in SOURCES.items()}


def all_documents() -> Iterator[Document]:
    """Every searchable document, read in chunks so memory stays flat on a large site."""
    for source in SOURCES.values():
        for row in source.searchable().order_by("pk").iterator(chunk_size=CHUNK_SIZE):
            document = source.build(row)
            if document is not None:
                yield document
