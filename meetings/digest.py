"""The monthly chapter digest: a draft story organizers review and publish.

Published, it travels like any story: the chapter's feed, federation and the OAI-PMH provider
carry it to the national hub. One digest per chapter and month, found again through its
`source` key, so running the generator twice never makes a second story.
"""

import datetime as dt
import re
import zoneinfo

from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chapters.models import Chapter
from forum import services as forum_services
from forum.models import Post, Thread
from meetings.models import Meeting, Talk
from members.models import Membership
from projects.models import Project
from stories.models import Story
from stories.services import unique_slug

BUSIEST_THREADS = 5
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")


def source_key(year: int, month: int) -> str:
    return f"digest:{year:04d}-{month:02d}"


def month_bounds(chapter: Chapter, year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The month as aware datetimes in the chapter's own time zone: [start, end)."""
    if not 1 <= month <= 12 or not 1 <= year <= 9998:
        raise ValueError(_("Give a month between 1 and 12 and a four-digit year."))
    zone = zoneinfo.ZoneInfo(chapter.time_zone)
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


def md(text: str) -> str:
    """Member-written text made literal in Markdown, so a title cannot restyle the digest."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def meetings_held(chapter: Chapter, start, end) -> list[Meeting]:
    return list(
        Meeting.objects.filter(chapter=chapter, start__gte=start, start__lt=end)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("report")
        .annotate(attended_count=Count("rsvps", filter=Q(rsvps__attended=True)))
        .order_by("start", "pk")
    )


def attendance(meeting: Meeting) -> int | None:
    """The report's head count where organizers gave one, else the check-ins recorded."""
    report = getattr(meeting, "report", None)
    if report is not None and report.attendance is not None:
        return report.attendance
    return meeting.attended_count or None


def busiest_threads(chapter: Chapter, start, end) -> list[Thread]:
    """The threads with most new posts this month, if anyone may read the chapter's forum."""
    forum = forum_services.settings_for(chapter)
    if forum.visibility != forum.Visibility.PUBLIC:
        return []
    posts = Post.objects.shown(chapter.pk).filter(
        deleted=False, created__gte=start, created__lt=end
    )
    return list(
        Thread.objects.listed()
        .filter(chapter=chapter, posts__in=posts)
        .annotate(new_posts=Count("posts", distinct=True))
        .select_related("chapter")
        .order_by("-new_posts", "-last_activity", "pk")[:BUSIEST_THREADS]
    )


def digest_sections(chapter: Chapter, start, end) -> list[str]:
    """The digest's Markdown, one block per part of the chapter's month."""
    meetings = meetings_held(chapter, start, end)
    talks = list(
        Talk.objects.filter(meeting__in=[m.pk for m in meetings], status=Talk.Status.ACCEPTED)
        .select_related("meeting__chapter")
        .order_by("meeting__start", "starts_at", "pk")
    )
    joined = Membership.objects.filter(chapter=chapter, joined_at__gte=start, joined_at__lt=end)
    projects = Project.objects.filter(chapter=chapter, created__gte=start, created__lt=end)
    threads = busiest_threads(chapter, start, end)
    sections = [meeting_section(meetings)]
    new_members = joined.count()
    sections.append(
        ngettext("%(count)d new member joined.", "%(count)d new members joined.", new_members)
        % {"count": new_members}
    )
    if talks:
        lines = [f"- [{md(t.title)}]({t.get_absolute_url()}), {md(t.speakers)}" for t in talks]
        sections.append("## " + _("Talks") + "\n\n" + "\n".join(lines))
    projects = list(projects.order_by("name"))
    if projects:
        lines = [f"- [{md(p.name)}]({p.get_absolute_url()}): {md(p.summary)}" for p in projects]
        sections.append("## " + _("New projects") + "\n\n" + "\n".join(lines))
    if threads:
        lines = [
            f"- [{md(t.title)}]({t.get_absolute_url()}) · "
            + ngettext("%(count)d new post", "%(count)d new posts", t.new_posts)
            % {"count": t.new_posts}
            for t in threads
        ]
        sections.append("## " + _("Busiest forum threads") + "\n\n" + "\n".join(lines))
    return sections


def meeting_section(meetings: list[Meeting]) -> str:
    heading = "## " + _("Meetings") + "\n\n"
    if not meetings:
        return heading + _("No meetings were held this month.")
    lines = []
    for meeting in meetings:
        day = formats.date_format(timezone.localtime(meeting.start), "DATE_FORMAT")
        came = attendance(meeting)
        line = f"- [{md(meeting.title)}]({meeting.get_absolute_url()}), {day}, "
        line += meeting.get_format_display()
        if came is not None:
            line += " · " + ngettext("%(num)d came", "%(num)d came", came) % {"num": came}
        lines.append(line)
    total = sum(attendance(m) or 0 for m in meetings)
    summary = ngettext(
        "%(count)d meeting, %(people)d attendances in all.",
        "%(count)d meetings, %(people)d attendances in all.",
        len(meetings),
    ) % {"count": len(meetings), "people": total}
    return heading + summary + "\n\n" + "\n".join(lines)


@transaction.atomic
def draft_monthly_digest(chapter: Chapter, year: int, month: int) -> Story:
    """Write (or rewrite, while still a draft) the chapter's digest story for that month.

    A digest organizers already published is theirs: it is returned untouched.
    """
    start, end = month_bounds(chapter, year, month)
    key = source_key(year, month)
    story = Story.objects.select_for_update().filter(chapter=chapter, source=key).first()
    if story is not None and story.status == Story.Status.PUBLISHED:
        return story
    with timezone.override(chapter.time_zone):
        month_name = formats.date_format(start.date(), "YEAR_MONTH_FORMAT")
        title = _("%(chapter)s digest: %(month)s") % {"chapter": chapter.name, "month": month_name}
        body = "\n\n".join(digest_sections(chapter, start, end)) + "\n"
        excerpt = _("What happened at %(chapter)s in %(month)s.") % {
            "chapter": chapter.name,
            "month": month_name,
        }
    if story is None:
        story = Story(chapter=chapter, source=key, status=Story.Status.DRAFT, author=None)
        story.slug = unique_slug(chapter, f"digest-{year:04d}-{month:02d}")
    story.title, story.body, story.excerpt = title[:300], body, excerpt
    story.body_format = Story.Format.MARKDOWN
    story.updated = timezone.now()
    story.save()
    return story
