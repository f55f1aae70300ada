"""Hostile input, seen in a real browser: nothing an attacker writes may run.

The OWASP filter-evasion vectors the sanitizer is unit-tested with go into every
rich-text field, into plain fields shown on pages, through the story importer, and in
through the federation inbox from a remote Group. Then every page that shows them is
opened as a visitor, a member and an organizer. The conftest fails the test when a page
opens a dialog or throws; each page's DOM is also searched for script elements, event
handler attributes and script URLs the attacker could have written, and the browser's
Content-Security-Policy reports are collected. Each vector is followed by a marker that
must reach the page, so a vector that swallowed the rest of a document cannot hide the
ones after it.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.utils import timezone

from chapters.services import update_chapter
from federation import actors
from federation.inbox_tasks import process_item
from federation.models import Following, InboxItem
from forum import services as forum_services
from forum.models import Category as ForumCategory
from meetings.models import Meeting, Report, Rsvp, Talk, Venue
from members.models import Role
from members.services import update_profile
from polls import services as poll_services
from polls.services import OptionText
from projects import services as project_services
from stories.models import Story
from stories.services import save_story
from tests.browser.a11y_axe import log_in
from tests.chapterhouse import test_markup
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def parametrized(test) -> list[str]:
    """The payloads a parametrized sanitizer test runs with (the first value of each case)."""
    (mark,) = [mark for mark in test.pytestmark if mark.name == "parametrize"]
    return [case[0] if isinstance(case, tuple) else case for case in mark.args[1]]


SCRIPT_URLS = test_markup.SCRIPT_URLS
HTML_VECTORS = [
    *parametrized(test_markup.test_scripts_go_with_their_content),
    *parametrized(test_markup.test_script_tricks_never_produce_a_script_element),
    *parametrized(test_markup.test_event_handlers_are_removed),
    *parametrized(test_markup.test_svg_and_mathml_payloads_are_inert),
    *parametrized(test_markup.test_head_elements_are_removed),
    *parametrized(test_markup.test_comments_are_stripped),
    *(
        f'<div style="{style}">styled</div>'
        for style in parametrized(test_markup.test_style_attributes_are_removed_and_text_kept)
    ),
    *(f'<a href="{url}">link</a>' for url in SCRIPT_URLS),
    *(f'<img src="{url}" alt="picture">' for url in SCRIPT_URLS),
    *(f'<iframe src="{url}"></iframe>' for url in SCRIPT_URLS),
    *(
        f'<form action="{url}"><button formaction="{url}">send</button></form>'
        for url in SCRIPT_URLS
    ),
    '<iframe src="https://www.youtube.com/embed/x" srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<a href="https://example.org/" target="_blank" onfocus="alert(1)" autofocus>focus</a>',
    '<input autofocus onfocus="alert(1)"><select onfocus="alert(1)" autofocus></select>',
    '<video><source onerror="alert(1)"></video><audio src=x onerror="alert(1)"></audio>',
    '<marquee onstart="alert(1)">m</marquee><isindex action="javascript:alert(1)" type=image>',
]
# Links and images written the Markdown way, where the URL never passes through a tag.
MARKDOWN_VECTORS = [
    *(f"[link]({url})" for url in SCRIPT_URLS if not re.search(r"\s", url)),
    *(f"![picture]({url})" for url in SCRIPT_URLS if not re.search(r"\s", url)),
    "<javascript:alert(1)>",
    "[reference][evil]\n\n[evil]: javascript:alert(1)",
    '[link](javascript:alert(1) "title")',
    "[link](<javascript:alert(1)>)",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "*<img src=x onerror=alert(1)>*",
]
RICH_VECTORS = HTML_VECTORS + MARKDOWN_VECTORS
# For one-line fields: breaks out of an attribute, an element, a <title>, a <textarea> and a
# JSON-LD <script>, and tries a template expression. 82 characters, under every field's limit.
PLAIN = "\"'></script><img src=x onerror=alert(1)><svg onload=alert(1)></title></textarea>{{7*7}}"
SHORT = "<img src=x onerror=alert(1)>"
# Closes whatever a vector left open, so the next one is read on its own.
BARRIER = (
    "</iframe></script></pre></noscript></noembed></noframes></style></title></textarea></xmp>"
    "</table></select></object></template></svg></math>"
)
MARKER = re.compile(r"xssmark\d{3}x")


def marker(number: int) -> str:
    return f"xssmark{number:03d}x"


def documents(vectors: list[str], limit: int, start: int = 0) -> list[str]:
    """The vectors, each followed by the barrier and its marker, cut into texts of `limit`."""
    texts, current = [], ""
    for number, vector in enumerate(vectors, start=start):
        piece = f"{vector}\n\n{BARRIER}\n\n{marker(number)}\n\n"
        if current and len(current) + len(piece) > limit:
            texts.append(current)
            current = ""
        current += piece
    return [*texts, current]


ALL_RICH = documents(RICH_VECTORS, 10**9)[0]
ALL_HTML = documents(HTML_VECTORS, 10**9, start=500)[0]

# What a page may not contain, whoever wrote it: scripts other than JSON data, handlers,
# script URLs, plug-ins, base or refresh elements, and frames other than the allowed players.
DOM_PROBLEMS = """() => {
  const problems = [];
  const scriptUrl = /^(javascript|vbscript|livescript|data:text|data:application)/;
  for (const script of document.querySelectorAll("script")) {
    const type = (script.getAttribute("type") || "").toLowerCase();
    if (type === "application/ld+json" || type === "application/json") {
      try { JSON.parse(script.textContent); } catch (error) {
        problems.push("JSON script that does not parse: " + script.textContent.slice(0, 120));
      }
    } else {
      problems.push("script element: " + script.outerHTML.slice(0, 160));
    }
  }
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (name.startsWith("on") || name === "srcdoc") {
        problems.push(`${name} on <${element.localName}>: ${attribute.value.slice(0, 80)}`);
      } else if (["href", "src", "action", "formaction", "xlink:href", "data", "poster"]
                 .includes(name) && scriptUrl.test(value)) {
        problems.push(`${name}=${attribute.value.slice(0, 80)} on <${element.localName}>`);
      }
    }
  }
  const foreign = "object, embed, applet, base, meta[http-equiv], body style, body link";
  for (const element of document.querySelectorAll(foreign)) {
    problems.push("element: " + element.outerHTML.slice(0, 120));
  }
  const players = [
    "www.youtube.com", "www.youtube-nocookie.com", "player.vimeo.com", "archive.org",
  ];
  for (const frame of document.querySelectorAll("iframe")) {
    const src = frame.getAttribute("src");
    if (src && !players.includes(new URL(src, location.href).host)) {
      problems.push("frame: " + frame.outerHTML.slice(0, 120));
    }
  }
  return problems;
}"""


def checked(model, **fields):
    """A row saved as a form would save it: only if it passes the model's own checks."""
    row = model(**fields)
    row.full_clean()
    row.save()
    return row


@dataclass
class Page:
    """A page to open, and the texts whose every marker it must show (as the organizer)."""

    url: str
    shows: list[str] = field(default_factory=list)


@dataclass
class Hostile:
    """The hostile site, and every page that shows what the attackers wrote."""

    pages: list[Page] = field(default_factory=list)

    def add(self, url: str, *shows: str) -> None:
        self.pages.append(Page(url, list(shows)))


@pytest.fixture
def hostile(chapter, organizer, member, settings, tmp_path) -> Hostile:
    settings.MEDIA_ROOT = tmp_path
    site = Hostile()
    hostile_people(site, chapter, organizer, member)
    hostile_stories(site, chapter, organizer, tmp_path)
    hostile_forum(site, chapter, organizer, member)
    hostile_meetings(site, chapter, organizer, member)
    hostile_projects(site, chapter, member)
    hostile_polls(site, chapter, organizer)
    hostile_remote_group(site, chapter)
    for query in ("alert", "onerror", "script", "javascript", marker(0), marker(500)):
        site.add(f"/search/?q={query}")
    site.add("/hub/")
    site.add("/")
    return site


def hostile_people(site: Hostile, chapter, organizer, member) -> None:
    """The chapter and a member, named and described by the attacker."""
    update_chapter(
        chapter,
        {"name": PLAIN, "tagline": PLAIN, "region": PLAIN, "description": ALL_RICH},
        focus_areas=[SHORT],
        links=[(PLAIN, "https://example.org/")],
    )
    profile = member.profile
    update_profile(
        profile,
        {"display_name": PLAIN, "institution": PLAIN, "bio": documents(RICH_VECTORS, 1000)[0]},
    )
    for number, bio in enumerate(documents(RICH_VECTORS, 1000)[1:]):
        other = MembershipFactory(chapter=chapter, role=Role.MEMBER).user
        update_profile(other.profile, {"display_name": f"{SHORT} {number}", "bio": bio})
        site.add(f"/accounts/people/{other.pk}/", bio)
    site.add(chapter.get_absolute_url(), ALL_RICH)
    site.add(f"/accounts/people/{member.pk}/", documents(RICH_VECTORS, 1000)[0])
    for path in ("members/", "members/manage/", "contact/", "edit/"):
        site.add(f"{chapter.get_absolute_url()}{path}")
    for path in ("profile/", "settings/", "delete/", "export/", "password/change/"):
        site.add(f"/accounts/{path}")
    site.add("/chapters/")


def hostile_stories(site: Hostile, chapter, organizer, tmp_path) -> None:
    """A Markdown story, an HTML story, and one imported from a front-matter file."""
    for body_format, body in (("markdown", ALL_RICH), ("html", ALL_HTML)):
        story = save_story(
            Story(chapter=chapter, author=organizer),
            {"title": f"{PLAIN} {body_format}", "body": body, "body_format": body_format,
             "excerpt": documents(HTML_VECTORS, 2000)[0]},
            categories=[PLAIN], publish=True,
        )  # fmt: skip
        site.add(story.get_absolute_url(), body)
        site.add(f"{story.get_absolute_url()}edit/")
    imported = tmp_path / "2009-02-24-hostile.html"
    imported.write_text(
        "---\n"
        f"title: '{PLAIN.replace(chr(39), chr(39) * 2)} imported'\n"
        f"excerpt: '{SHORT}'\n"
        f"categories: ['{SHORT}']\n"
        "layout: story\n"
        "---\n" + ALL_HTML,
        encoding="utf-8",
    )
    call_command("import-posts", str(imported), chapter=chapter.slug)
    story = Story.objects.get(source=imported.name)
    site.add(story.get_absolute_url(), ALL_HTML)
    for category in chapter.categories.all():
        site.add(category.get_absolute_url())
    site.add(f"{chapter.get_absolute_url()}stories/")
    site.add(f"{chapter.get_absolute_url()}stories/year/2009/")
    site.add(f"{chapter.get_absolute_url()}stories/new/")


def hostile_forum(site: Hostile, chapter, organizer, member) -> None:
    """A category, a thread and posts in Markdown and HTML, an edit, a flag, a queued post."""
    forum_services.ensure_default_categories(chapter)
    category = checked(
        ForumCategory, chapter=chapter, name=PLAIN, slug="hostile", description=PLAIN
    )
    thread = forum_services.start_thread(organizer, category, PLAIN, ALL_RICH)
    reply = forum_services.reply(organizer, thread, ALL_HTML)
    forum_services.edit_post(organizer, reply, documents(HTML_VECTORS, 3000)[0])
    queued = forum_services.reply(member, thread, "[link](https://example.org/)\n\n" + ALL_HTML)
    forum_services.flag_post(member, thread.posts.get(position=0), PLAIN)
    forum = f"{chapter.get_absolute_url()}forum/"
    site.add(f"{forum}t/{thread.pk}/", ALL_RICH)
    site.add(f"{forum}p/{reply.pk}/history/", ALL_HTML)
    for path in (
        "", "c/hostile/", "new/", "moderation/", "manage/", "manage/categories/hostile/",
        f"p/{reply.pk}/edit/", f"p/{reply.pk}/delete/", f"p/{queued.pk}/",
    ):  # fmt: skip
        site.add(f"{forum}{path}")


def hostile_meetings(site: Hostile, chapter, organizer, member) -> None:
    """Meetings, a venue, talks and reports, every text in them written by the attacker."""
    venue = checked(Venue,
        chapter=chapter, host=PLAIN, name=PLAIN, street_address=PLAIN, locality=PLAIN,
        region="NY", postal_code="<b>10018</b>", country="US",
        access_instructions=documents(RICH_VECTORS, 2000)[0],
        accessibility_notes=documents(RICH_VECTORS, 2000)[0],
    )  # fmt: skip
    soon = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=10)
    meetings = []
    for number, description in enumerate(documents(RICH_VECTORS, 20_000)):
        start = soon + dt.timedelta(days=number)
        meetings.append(checked(Meeting,
            chapter=chapter, title=PLAIN, description=description, venue=venue,
            start=start, end=start + dt.timedelta(hours=2),
        ))  # fmt: skip
        site.add(meetings[-1].get_absolute_url(), description)
    meeting = meetings[0]
    Rsvp.objects.create(meeting=meeting, user=member, status=Rsvp.Status.GOING)
    talk_fields = {"meeting": meeting, "title": PLAIN, "speakers": PLAIN, "proposer": member,
                   "abstract": documents(RICH_VECTORS, 5000)[0]}  # fmt: skip
    checked(Talk, **talk_fields, status=Talk.Status.PROPOSED)
    for notes in documents(RICH_VECTORS, 10_000):
        talk = checked(Talk, **talk_fields, notes=notes, status=Talk.Status.ACCEPTED)
        site.add(talk.get_absolute_url(), notes)
        site.add(f"{meeting.get_absolute_url()}talks/{talk.pk}/materials/")
    past = soon - dt.timedelta(days=60)
    for number, notes in enumerate(documents(RICH_VECTORS, 20_000)):
        start = past - dt.timedelta(days=number)
        reported = checked(Meeting,
            chapter=chapter, title=PLAIN, venue=venue, start=start,
            end=start + dt.timedelta(hours=2),
        )  # fmt: skip
        checked(Report,
            meeting=reported, notes=notes, published=True, attendance=12,
            what_worked=documents(RICH_VECTORS, 5000)[0],
        )  # fmt: skip
        site.add(reported.get_absolute_url(), notes)
        site.add(f"{reported.get_absolute_url()}report/")
    base = f"{chapter.get_absolute_url()}meetings/"
    for path in ("", "past/", "new/", "venues/", f"venues/{venue.pk}/", "announcements/"):
        site.add(f"{base}{path}")
    for path in ("edit/", "attendees/", "talks/new/"):
        site.add(f"{meeting.get_absolute_url()}{path}")
    site.add("/hub/calendar/")
    site.add("/playbook/")


def hostile_projects(site: Hostile, chapter, member) -> None:
    project = project_services.create_project(
        member, chapter,
        {"name": PLAIN, "summary": PLAIN, "description": ALL_RICH, "institution": PLAIN,
         "technologies": [SHORT, "Solr"]},
    )  # fmt: skip
    site.add(project.get_absolute_url(), ALL_RICH)
    for path in ("edit/", "contributors/", "delete/"):
        site.add(f"{project.get_absolute_url()}{path}")
    base = f"{chapter.get_absolute_url()}projects/"
    for path in ("", "technologies/", "new/"):
        site.add(f"{base}{path}")
    site.add("/projects/")


def hostile_polls(site: Hostile, chapter, organizer) -> None:
    poll = poll_services.create_poll(
        organizer, chapter,
        {"question": PLAIN, "description": documents(RICH_VECTORS, 20_000)[0],
         "opens_at": timezone.now() - dt.timedelta(days=1),
         "closes_at": timezone.now() + dt.timedelta(days=7)},
        [OptionText(f"{PLAIN} {number}") for number in range(3)],
    )  # fmt: skip
    base = f"{chapter.get_absolute_url()}polls/"
    site.add(f"{base}{poll.pk}/", documents(RICH_VECTORS, 20_000)[0])
    for path in ("", "new/", f"{poll.pk}/results/", f"{poll.pk}/edit/"):
        site.add(f"{base}{path}")


GROUP = "https://evil.example/groups/hostile/"


def hostile_remote_group(site: Hostile, chapter) -> None:
    """A remote Group with a hostile profile, a meeting, a report and news, via the inbox."""
    group = actors.store_actor(GROUP, {
        "id": GROUP, "type": "Group", "preferredUsername": SHORT, "name": PLAIN,
        "summary": ALL_HTML, "url": "javascript:alert(1)", "icon": {"url": "javascript:alert(1)"},
        "inbox": f"{GROUP}inbox", "outbox": "javascript:alert(1)",
    })  # fmt: skip
    following = Following.objects.create(
        chapter=chapter, actor=group, follow_id=f"{GROUP}follows/1"
    )
    receive("Accept", {"type": "Follow", "id": following.follow_id})
    following.refresh_from_db()
    assert following.state == Following.State.ACCEPTED
    soon, earlier = timezone.now() + dt.timedelta(days=5), timezone.now() - dt.timedelta(days=20)
    place = {"type": "Place", "name": PLAIN, "address": {"streetAddress": PLAIN}}
    for number, start in enumerate((soon, earlier)):
        receive("Create", {
            "id": f"{GROUP}events/{number}", "type": "Event", "name": PLAIN, "summary": PLAIN,
            "content": ALL_HTML, "startTime": start.isoformat(), "timezone": "America/New_York",
            "url": "javascript:alert(1)", "location": place, "meetingFormat": PLAIN,
            "meetingReport": {"content": ALL_HTML, "whatWorked": PLAIN, "attendance": 9},
        })  # fmt: skip
    news = {"id": f"{GROUP}news/1", "type": "Article", "name": PLAIN, "content": ALL_HTML}
    receive("Create", news)
    site.add(f"{chapter.get_absolute_url()}network/", ALL_HTML)
    site.add("/network/", ALL_HTML)
    site.add("/playbook/?format=other", ALL_HTML)


def receive(kind: str, obj: dict) -> None:
    """An activity from the Group, as the inbox stores it once its signature checked out."""
    number = InboxItem.objects.count()
    item = InboxItem.objects.create(
        activity_id=f"{GROUP}activities/{number}", actor_uri=GROUP, type=kind,
        data={"id": f"{GROUP}activities/{number}", "type": kind, "actor": GROUP, "object": obj},
    )  # fmt: skip
    assert process_item(item.pk).status == InboxItem.Status.DONE, item.error


def watch_policy_reports(page) -> list[str]:
    """Content-Security-Policy refusals the page's console reports."""
    reports: list[str] = []
    page.on(
        "console",
        lambda message: (
            reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return reports


def open_all(page, pages: list[Page], who: str, check_markers: bool) -> list[str]:
    """Open every page; what was wrong with each, as lines of a report."""
    problems = []
    reports = watch_policy_reports(page)
    for entry in pages:
        response = page.goto(entry.url)
        assert response is not None and response.status < 500, f"{entry.url} as {who}"
        found = page.evaluate(DOM_PROBLEMS)
        if check_markers and entry.shows:
            text = page.evaluate("document.body.textContent")  # closed <details> too
            wanted = [m for shown in entry.shows for m in MARKER.findall(shown)]
            missing = [m for m in wanted if m not in text]
            if missing:
                found.append(f"{len(missing)} of {len(wanted)} markers missing: {missing[:8]}")
        found += reports
        reports.clear()
        problems += [f"{entry.url} as {who}: {problem}" for problem in found]
    return problems


@pytest.mark.parametrize("who", ["visitor", "member", "organizer"])
def test_no_hostile_input_runs_or_reaches_the_dom(new_page, live_server, hostile, who, request):
    page = new_page()
    if who != "visitor":
        log_in(page, request.getfixturevalue(who), live_server.url)

    problems = open_all(page, hostile.pages, who, check_markers=who == "organizer")

    assert problems == [], "\n".join(problems)
    assert len(hostile.pages) > 60
