"""Every page of the site, from the URL configuration, with arguments taken from the demo.

The demo (Code4LibNYC and Code4Lib DC) is loaded as a person trying the site would load
it, with a few additions so that every page has something in it: a story category, a
flagged forum post, a talk with slides, and a followed remote Group with a meeting, a
report and a story. Every named route must be either a page (a URL is built for it here)
or listed as something else (a feed, an action that takes only POST), so a new page type
cannot be forgotten.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from api.models import ApiToken
from api.services import create_token
from chapterhouse.demo import ORGANIZERS, load_demo
from chapterhouse.unsubscribe import make_unsubscribe_token
from chapters.models import Chapter
from federation.models import Following, RemoteActor, RemoteObject
from forum import services as forum_services
from forum.models import Category, Post, Thread
from meetings import services as meeting_services
from meetings.models import Meeting, Talk, Venue
from members.models import Role, User
from members.tokens import make_email_change_token, make_verification_token
from polls.models import Poll
from projects.models import Project
from stories.models import Story
from stories.services import set_categories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Routes that answer with data or a file, not a page: checked to answer so, not audited.
NOT_HTML = {
    "api_index": "the API's index, JSON",
    "federation:webfinger": "WebFinger JSON",
    "federation:host_meta": "host-meta XML",
    "federation:nodeinfo_links": "NodeInfo JSON",
    "federation:nodeinfo": "NodeInfo JSON",
    "federation:instance_actor": "ActivityStreams JSON",
    "federation:instance_outbox": "ActivityStreams JSON",
    "federation:outbox": "ActivityStreams JSON",
    "federation:followers": "ActivityStreams JSON",
    "federation:activity": "ActivityStreams JSON",
    "stories:feed": "Atom feed",
    "all_stories_feed": "Atom feed",
    "meetings:chapter_calendar": "iCalendar",
    "meetings:ics": "iCalendar",
    "meetings:attendees_csv": "CSV",
    "meetings:talk_slides": "the slides file",
    "search:json": "search results as JSON",
    "search:opensearch": "OpenSearch description XML",
    "oaipmh:endpoint": "OAI-PMH XML",
    "hub:calendar_atom": "Atom feed",
    "hub:calendar_ics": "iCalendar",
    "all_meetings_calendar": "iCalendar",
}

# Namespaces whose routes answer data (the JSON API), but for the pages named here.
NOT_HTML_NAMESPACES = {"api": "the JSON API"}
PAGES_IN_DATA_NAMESPACES = {"api:openapi-view"}

# Actions a form posts to; a GET is refused with 405, which the inventory test checks.
POST_ONLY = {
    "federation:shared_inbox", "federation:instance_inbox", "federation:chapter_inbox",
    "federation:follow", "federation:unfollow", "members:logout", "api_tokens:revoke",
    "chapters:join", "chapters:leave", "stories:delete",
    "meetings:rsvp", "meetings:talk_decision", "meetings:announcements_preference",
    "forum:reply", "forum:watch_thread", "forum:watch_category", "forum:moderate_post",
    "forum:moderate_thread", "forum:suspend", "projects:talks", "polls:close", "polls:schedule",
}  # fmt: skip


@dataclass
class DemoSite:
    """The demo's records the page URLs are built from."""

    chapter: Chapter
    organizer: User
    member: User
    story: Story
    meeting: Meeting
    past_meeting: Meeting
    talk: Talk
    venue: Venue
    category: Category
    thread: Thread
    post: Post
    project: Project
    poll: Poll
    following: Following
    api_token: ApiToken


def load_site() -> DemoSite:
    """The demo, plus the few records it lacks that some pages show."""
    chapter = load_demo().chapter
    organizer = User.objects.get(email=ORGANIZERS[0].email)
    member = (
        User.objects.filter(memberships__chapter=chapter, memberships__role=Role.MEMBER)
        .order_by("pk")
        .first()
    )
    story = chapter.stories.order_by("pk").first()
    set_categories(story, ["Announcements"])
    meetings = chapter.meetings.order_by("start")
    meeting = meetings.filter(start__gte=timezone.now()).first()
    talk = meeting.talks.filter(status=Talk.Status.ACCEPTED).order_by("pk").first()
    meeting_services.save_talk_materials(
        organizer,
        talk,
        {"slides": SimpleUploadedFile("slides.pdf", PDF), "slides_url": "", "licence": "CC-BY-4.0"},
        slides_type="application/pdf",
    )
    thread = Thread.objects.filter(chapter=chapter).order_by("pk").first()
    post = thread.posts.order_by("position").last()
    forum_services.flag_post(organizer, post, "Off topic")
    return DemoSite(
        chapter=chapter,
        organizer=organizer,
        member=member,
        story=story,
        meeting=meeting,
        past_meeting=meetings.filter(report__isnull=False).first(),
        talk=talk,
        venue=meeting.venue,
        category=thread.category,
        thread=thread,
        post=post,
        project=chapter.projects.order_by("pk").first(),
        poll=chapter.polls.order_by("pk").first(),
        following=follow_remote_group(chapter),
        api_token=create_token(organizer, "Meeting sign-in sheet")[0],
    )


def follow_remote_group(chapter: Chapter) -> Following:
    """A remote Group the chapter follows, with an upcoming meeting, a report and a story."""
    group = RemoteActor.objects.create(
        uri="https://boston.example/chapters/boston/",
        preferred_username="boston",
        name="Code4Lib Boston",
        summary="<p>Library technologists in and around Boston.</p>",
        url="https://boston.example/chapters/boston/",
        inbox="https://boston.example/chapters/boston/inbox",
    )
    following = Following.objects.create(
        chapter=chapter,
        actor=group,
        follow_id="https://boston.example/follows/1",
        state=Following.State.ACCEPTED,
    )
    soon, earlier = timezone.now() + dt.timedelta(days=9), timezone.now() - dt.timedelta(days=30)
    RemoteObject.objects.create(
        uri=f"{group.uri}meetings/1/", url=f"{group.uri}meetings/1/", actor=group,
        kind=RemoteObject.Kind.MEETING, name="Archives hack night", start=soon,
        end=soon + dt.timedelta(hours=2), time_zone="America/New_York",
        location="Boston Public Library, Boston",
    )  # fmt: skip
    RemoteObject.objects.create(
        uri=f"{group.uri}meetings/2/", url=f"{group.uri}meetings/2/", actor=group,
        kind=RemoteObject.Kind.MEETING, name="Unconference at the BPL", start=earlier,
        meeting_format="breakouts", report_attendance=28, report_updated=earlier,
        report_what_worked="Sticky-dot voting on sessions.", report_html="<p>Four rooms.</p>",
    )  # fmt: skip
    RemoteObject.objects.create(
        uri=f"{group.uri}stories/1/", url=f"{group.uri}stories/1/", actor=group,
        kind=RemoteObject.Kind.STORY, name="We have a new venue",
        content="<p>From next month we meet at the Boston Public Library.</p>",
    )  # fmt: skip
    return following


def route_names() -> dict[str, tuple[str, ...]]:
    """Every named route outside the admin, with the names of its arguments."""
    found: dict[str, tuple[str, ...]] = {}

    def walk(patterns, namespace: str, params: tuple[str, ...]) -> None:
        for pattern in patterns:
            names = params + tuple(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                inner = pattern.namespace or ""
                prefix = f"{namespace}:{inner}" if namespace and inner else namespace or inner
                walk(pattern.url_patterns, prefix, names)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.setdefault(
                    f"{namespace}:{pattern.name}" if namespace else pattern.name, names
                )

    walk(get_resolver().url_patterns, "", ())
    return found


# The routes that take only a chapter, and those that take a chapter and one record of a kind.
CHAPTER_ROUTES = [
    "federation:outbox", "federation:followers", "federation:chapter_inbox",
    "federation:chapter_network", "federation:follow",
    "chapters:detail", "chapters:join", "chapters:leave", "chapters:directory",
    "chapters:manage_members", "chapters:contact", "chapters:edit",
    "stories:list", "stories:feed", "stories:create",
    "meetings:list", "meetings:past", "meetings:chapter_calendar", "meetings:create",
    "meetings:venues", "meetings:venue_create", "meetings:announcement_addresses",
    "meetings:announcements_preference",
    "forum:index", "forum:new_thread", "forum:preferences", "forum:manage",
    "forum:category_create", "forum:moderation",
    "projects:list", "projects:create", "projects:technologies", "polls:list", "polls:create",
]  # fmt: skip
RECORD_ROUTES = {
    "story": ["stories:detail", "stories:edit", "stories:delete"],
    "meeting": [
        "meetings:detail", "meetings:ics", "meetings:edit", "meetings:rsvp",
        "meetings:attendees", "meetings:attendees_csv", "meetings:propose_talk",
    ],
    "talk": ["meetings:talk_decision", "meetings:talk", "meetings:talk_materials",
             "meetings:talk_slides"],
    "category": ["forum:category", "forum:category_edit", "forum:watch_category"],
    "thread": ["forum:thread", "forum:reply", "forum:watch_thread", "forum:moderate_thread"],
    "post": ["forum:post", "forum:edit_post", "forum:delete_post", "forum:post_history",
             "forum:flag_post", "forum:moderate_post"],
    "project": ["projects:detail", "projects:edit", "projects:delete", "projects:contributors",
                "projects:talks"],
    "poll": ["polls:detail", "polls:results", "polls:edit", "polls:close", "polls:schedule"],
}  # fmt: skip


def route_arguments(site: DemoSite) -> dict[str, dict]:
    """The arguments of every route that takes some, from the demo's records."""
    chapter = {"slug": site.chapter.slug}
    meeting = chapter | {"pk": site.meeting.pk}
    records = {
        "story": chapter | {"story": site.story.slug},
        "meeting": meeting,
        "talk": meeting | {"talk": site.talk.pk},
        "category": chapter | {"category": site.category.slug},
        "thread": chapter | {"pk": site.thread.pk},
        "post": chapter | {"pk": site.post.pk},
        "project": chapter | {"project": site.project.slug},
        "poll": chapter | {"pk": site.poll.pk},
    }
    user = site.member
    arguments = {name: chapter for name in CHAPTER_ROUTES}
    for kind, names in RECORD_ROUTES.items():
        arguments |= {name: records[kind] for name in names}
    return arguments | {
        "federation:activity": {"activity_uuid": "00000000-0000-4000-8000-000000000000"},
        "federation:unfollow": chapter | {"pk": site.following.pk},
        "members:verify": {"token": make_verification_token(user)},
        "members:password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
        "members:confirm_email_change": {
            "token": make_email_change_token(user, "new.address@example.org")
        },
        "members:detail": {"user_id": user.pk},
        "stories:category": chapter | {"category": "announcements"},
        "stories:year": chapter | {"year": site.story.published.year},
        "meetings:venue_edit": chapter | {"venue": site.venue.pk},
        "meetings:report": chapter | {"pk": site.past_meeting.pk},
        "forum:suspend": chapter | {"user_id": user.pk},
        "api_tokens:revoke": {"token": site.api_token.pk},
        "unsubscribe": {
            "token": make_unsubscribe_token(user.email, f"chapter:{site.chapter.pk}:meetings")
        },
    }


def answers_data(name: str) -> bool:
    """Whether the route answers data (a feed, JSON, a file) rather than a page."""
    namespace = name.partition(":")[0] if ":" in name else ""
    in_data_namespace = namespace in NOT_HTML_NAMESPACES and name not in PAGES_IN_DATA_NAMESPACES
    return name in NOT_HTML or in_data_namespace


def data_arguments(site: DemoSite, params: tuple[str, ...]) -> dict:
    """The JSON API's routes name their arguments after what they are."""
    known = {
        "slug": site.chapter.slug,
        "meeting_id": site.meeting.pk,
        "story_slug": site.story.slug,
        "project_slug": site.project.slug,
    }
    return {param: known[param] for param in params if param in known}


def route_urls(site: DemoSite) -> dict[str, str]:
    """A URL for every named route; KeyError names a route with arguments nobody filled in."""
    arguments = route_arguments(site)
    urls = {}
    for name, params in route_names().items():
        if params and name not in arguments and answers_data(name):
            arguments[name] = data_arguments(site, params)
        if set(params) != set(arguments.get(name, {})):
            raise KeyError(f"no arguments for the route {name!r}: add them to route_arguments()")
        urls[name] = reverse(name, kwargs=arguments.get(name))
    return urls


def page_urls(site: DemoSite) -> dict[str, str]:
    """The URL of every route that shows a page."""
    return {
        name: url
        for name, url in route_urls(site).items()
        if not answers_data(name) and name not in POST_ONLY
    }
