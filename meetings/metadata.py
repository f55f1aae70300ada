"""Dublin Core and citation metadata for accepted talks and published meeting reports.

Speakers are a free-text list of names; a name is tied to a member (and so to an ORCID iD) when
it is the proposer's display name or, failing that, the display name of exactly one member of
the chapter.
"""

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from chapterhouse.markup import markdown_text
from members.models import Profile
from stories.metadata import (
    DESCRIPTION_LIMIT,
    absolute,
    citation_meta_from,
    person,
    plain_text,
    record,
)

ORCID = "https://orcid.org/"


def speaker_names(talk) -> list[str]:
    return [name.strip() for name in talk.speakers.split(",") if name.strip()]


def speaker_directory(talks) -> dict[tuple[int, str], list[str]]:
    """Listed members' ORCID iDs by (chapter id, name folded), for every speaker of `talks`.

    One query for any number of talks, so a page of records costs what one talk does.
    """
    names, chapters = set(), set()
    for talk in talks:
        chapters.add(talk.meeting.chapter_id)
        names.update(name.lower() for name in speaker_names(talk))
    if not chapters or not names:
        return {}
    profiles = (
        Profile.objects.listed()
        .annotate(folded=Lower("display_name"))
        .filter(folded__in=names, user__memberships__chapter_id__in=chapters)
        .values_list("user__memberships__chapter_id", "display_name", "orcid")
        .distinct()
    )
    directory: dict[tuple[int, str], list[str]] = {}
    for chapter_id, display_name, orcid in profiles:
        directory.setdefault((chapter_id, display_name.casefold()), []).append(orcid)
    return directory


def speaker_orcids(talk, names: list[str], directory=None) -> list[str]:
    """ORCID iD URLs parallel to `names`, "" where no single member answers to the name."""
    found = {}
    proposer = talk.proposer
    if proposer is not None:
        name, orcid_url = person(proposer)
        found[name.casefold()] = orcid_url.removeprefix(ORCID)
    if any(name.casefold() not in found for name in names):
        if directory is None:
            directory = speaker_directory([talk])
        chapter_id = talk.meeting.chapter_id
        for name in names:
            matches = directory.get((chapter_id, name.casefold()), [])
            if name.casefold() not in found and len(matches) == 1:
                found[name.casefold()] = matches[0]
    return [ORCID + found[name.casefold()] if found.get(name.casefold()) else "" for name in names]


def talk_url(talk) -> str:
    return absolute(talk.get_absolute_url())


def slides_links(talk) -> list[str]:
    """Where the slides are: the uploaded file's download address and any outside link."""
    links = []
    if talk.slides:
        links.append(absolute(talk.get_slides_url()))
    if talk.slides_url:
        links.append(talk.slides_url)
    return links


def dublin_core(talk, directory=None) -> dict[str, list[str]]:
    """An accepted talk as Dublin Core: an Event by its speakers, with slides and recording.

    `directory` (from speaker_directory) saves a query when describing many talks.
    """
    meeting = talk.meeting
    names = speaker_names(talk)
    when = talk.starts_at or meeting.start
    return record(
        title=[talk.title],
        creator=names,
        creator_orcid=speaker_orcids(talk, names, directory),
        subject=[talk.get_kind_display()],
        description=[plain_text(talk.abstract)],
        publisher=[meeting.chapter.name],
        date=[when.date().isoformat()],
        type=["Event"],
        format=["text/html"],
        identifier=[talk_url(talk)],
        source=[absolute(meeting.get_absolute_url())],
        language=["en"],
        relation=[*slides_links(talk), talk.recording_url],
        rights=[talk.licence],
    )


def dublin_core_report(report) -> dict[str, list[str]]:
    """A published meeting report as Dublin Core: format, attendance and what worked."""
    meeting = report.meeting
    parts = [
        _("Format: %(format)s.") % {"format": meeting.get_format_display()},
        _("Attendance: %(count)s.") % {"count": report.attendance}
        if report.attendance is not None
        else "",
        _("What worked: %(text)s") % {"text": report.what_worked} if report.what_worked else "",
        report_notes_text(report),
    ]
    return record(
        title=[_("Report: %(meeting)s") % {"meeting": meeting.title}],
        creator=[meeting.chapter.name],
        creator_orcid=[""],
        subject=[meeting.get_format_display()],
        description=[plain_text(" ".join(part for part in parts if part))],
        publisher=[meeting.chapter.name],
        date=[meeting.start.date().isoformat()],
        type=["Text"],
        format=["text/html"],
        identifier=[absolute(meeting.get_absolute_url()) + "#report"],
        language=["en"],
        relation=[absolute(meeting.get_absolute_url())],
    )


def report_notes_text(report) -> str:
    return markdown_text(report.notes, DESCRIPTION_LIMIT)


def citation_meta(talk) -> list[tuple[str, str]]:
    return citation_meta_from(dublin_core(talk))


def citation_meta_report(report) -> list[tuple[str, str]]:
    return citation_meta_from(dublin_core_report(report))
