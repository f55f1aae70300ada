"""The JSON-LD we publish: actors, Events, Articles and the activities that carry them.

Only builders live here: plain dicts from our models, no database writes and no
network. Shapes follow what Mastodon, Mobilizon and Gancio read; docs/FEDERATION.md
shows each one with an example.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from chapterhouse.markup import render_markdown
from federation import ids
from federation.keys import public_key_pem

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
AP_CONTENT_TYPE = "application/activity+json"
LD_CONTENT_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
PUBLIC = ids.PUBLIC
# The namespace of Chapterhouse's own terms. It is the same on every site, so a term
# means one thing wherever it comes from; it names, and need not be fetched.
CHAPTERHOUSE_NS = "https://w3id.org/chapterhouse/ns#"
# Terms beyond ActivityStreams, named as Mastodon (toot:), Mobilizon (mz:, ical:) and
# schema.org name them, so each reader finds the property it already knows.
EXTENSIONS = {
    "toot": "http://joinmastodon.org/ns#",
    "discoverable": "toot:discoverable",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "sc": "http://schema.org#",
    "ical": "http://www.w3.org/2002/12/cal/ical#",
    "mz": "https://joinmobilizon.org/ns#",
    "PostalAddress": "sc:PostalAddress",
    "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
    "streetAddress": "sc:streetAddress",
    "addressLocality": "sc:addressLocality",
    "addressRegion": "sc:addressRegion",
    "postalCode": "sc:postalCode",
    "addressCountry": "sc:addressCountry",
    "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
    "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
    "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
    "externalParticipationUrl": {"@id": "mz:externalParticipationUrl", "@type": "sc:URL"},
    # Our own terms: a meeting's format and its published report (docs/FEDERATION.md).
    "chapterhouse": CHAPTERHOUSE_NS,
    "meetingFormat": "chapterhouse:meetingFormat",
    "meetingReport": "chapterhouse:meetingReport",
    "MeetingReport": "chapterhouse:MeetingReport",
    "attendance": {"@id": "chapterhouse:attendance", "@type": "xsd:nonNegativeInteger"},
    "whatWorked": "chapterhouse:whatWorked",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
CONTEXT = [AS_CONTEXT, SECURITY_CONTEXT, EXTENSIONS]
# iCalendar STATUS values, as Mobilizon reads them from "ical:status".
ICAL_STATUS = {"scheduled": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "TENTATIVE"}


def timestamp(value: dt.datetime) -> str:
    """UTC with a Z, the form every ActivityPub server parses for published/updated."""
    return value.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_time(value: dt.datetime, zone_name: str) -> str:
    """ISO 8601 with the offset the zone has on that day (so DST is carried)."""
    return value.astimezone(ZoneInfo(zone_name)).replace(microsecond=0).isoformat()


def _audience(chapter) -> dict:
    return {"to": [PUBLIC], "cc": [ids.chapter_followers(chapter)]}


def group_actor(chapter) -> dict:
    """A chapter as a Group actor that anyone may follow without approval."""
    actor_id = ids.chapter_actor_id(chapter)
    return {
        "@context": CONTEXT,
        "id": actor_id,
        "type": "Group",
        "preferredUsername": chapter.slug,
        "name": chapter.name,
        "summary": str(render_markdown(chapter.description or chapter.tagline)),
        "url": actor_id,
        "inbox": ids.chapter_inbox(chapter),
        "outbox": ids.chapter_outbox(chapter),
        "followers": ids.chapter_followers(chapter),
        "endpoints": {"sharedInbox": ids.shared_inbox()},
        "publicKey": {
            "id": ids.key_id(chapter),
            "owner": actor_id,
            "publicKeyPem": public_key_pem(chapter),
        },
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "published": timestamp(chapter.created_at),
    }


def application_actor() -> dict:
    """The instance's own actor: it signs fetches that speak for the whole site."""
    actor_id = ids.instance_actor_id()
    return {
        "@context": CONTEXT,
        "id": actor_id,
        "type": "Application",
        "preferredUsername": ids.instance_username(),
        "name": settings.SITE_NAME,
        "url": ids.site_url() + "/",
        "inbox": ids.instance_inbox(),
        "outbox": actor_id + "/outbox",
        "endpoints": {"sharedInbox": ids.shared_inbox()},
        "publicKey": {
            "id": ids.key_id(None),
            "owner": actor_id,
            "publicKeyPem": public_key_pem(None),
        },
        "manuallyApprovesFollowers": True,
        "discoverable": False,
    }


def place(venue) -> dict:
    """A venue as a Place with a schema.org PostalAddress, as Mobilizon and Gancio read it."""
    address = {"type": "PostalAddress", **venue.postal_address()}
    data = {"type": "Place", "name": str(venue), "address": address}
    if venue.latitude is not None and venue.longitude is not None:
        data["latitude"] = float(venue.latitude)
        data["longitude"] = float(venue.longitude)
    return data


def _day_and_time(value: dt.datetime) -> tuple[str, str]:
    day = formats.date_format(value, "l, F j, Y")
    return day, formats.time_format(value, "TIME_FORMAT")


def when_and_where(meeting) -> str:
    """One plain line with status, date, time, zone and place, in the chapter's time zone.

    Mastodon shows only an Event's name, summary and link, so this line must say it all.
    """
    zone = meeting.chapter.time_zone
    with translation.override(settings.LANGUAGE_CODE), timezone.override(ZoneInfo(zone)):
        start_day, start_time = _day_and_time(timezone.localtime(meeting.start))
        end_day, end_time = _day_and_time(timezone.localtime(meeting.end))
        end = end_time if end_day == start_day else f"{end_day}, {end_time}"
        parts = [f"{start_day}, {start_time}\u2013{end} ({zone})"]
        if meeting.venue_id:
            venue = meeting.venue
            parts.append(", ".join(filter(None, [str(venue), venue.address])))
        if meeting.online_url:
            parts.append(_("online too") if meeting.venue_id else _("online"))
        line = " · ".join(parts)
        if meeting.status != "scheduled":
            line = f"{meeting.get_status_display().upper()}: {line}"
    return line


def _event_attachments(meeting, page: str) -> list[dict]:
    """Links with a mediaType each: the calendar file, and where to join online.

    The online address itself is shown only to those going, so peers get the page.
    """
    ics = ids.absolute(reverse("meetings:ics", args=[meeting.chapter.slug, meeting.pk]))
    links = [{"type": "Link", "name": _("Add to calendar"), "href": ics,
              "mediaType": "text/calendar"}]  # fmt: skip
    if meeting.online_url:
        links.append({"type": "Link", "name": _("Join online (RSVP for the link)"),
                      "href": page, "mediaType": "text/html"})  # fmt: skip
    return links


def event(meeting) -> dict:
    """A meeting as an Event for Mobilizon, Gancio and Mastodon alike."""
    chapter, page = meeting.chapter, ids.meeting_id(meeting)
    group = ids.chapter_actor_id(chapter)
    data = {
        "@context": CONTEXT,
        "id": page,
        "type": "Event",
        "name": meeting.title,
        "content": str(render_markdown(meeting.description)),
        "mediaType": "text/html",
        "summary": when_and_where(meeting),
        "startTime": local_time(meeting.start, chapter.time_zone),
        "endTime": local_time(meeting.end, chapter.time_zone),
        "timezone": chapter.time_zone,
        "isOnline": bool(meeting.online_url),
        "ical:status": ICAL_STATUS.get(meeting.status, "CONFIRMED"),
        "joinMode": "external",
        "externalParticipationUrl": page,
        "attachment": _event_attachments(meeting, page),
        "attributedTo": group,
        "actor": group,
        "audience": group,
        "url": page,
        "published": timestamp(meeting.created),
        "updated": timestamp(meeting.updated),
        **_audience(chapter),
    }
    if meeting.venue_id:
        data["location"] = place(meeting.venue)
    data["meetingFormat"] = meeting.format
    report = published_report(meeting)
    if report is not None:
        data["meetingReport"] = meeting_report(report)
    return data


def published_report(meeting):
    """The meeting's report if it is published, else None."""
    try:
        report = meeting.report
    except ObjectDoesNotExist:
        return None
    return report if report.published else None


def meeting_report(report) -> dict:
    """A published report as the object of the Event's meetingReport: notes as sanitized HTML."""
    data = {"type": "MeetingReport"}
    if report.attendance is not None:
        data["attendance"] = report.attendance
    if report.what_worked:
        data["whatWorked"] = report.what_worked
    return data | {
        "content": str(render_markdown(report.notes)),
        "mediaType": "text/html",
        "updated": timestamp(report.updated),
    }


def article(story) -> dict:
    """A published story as an Article."""
    chapter, page = story.chapter, ids.story_id(story)
    group = ids.chapter_actor_id(chapter)
    return {
        "@context": CONTEXT,
        "id": page,
        "type": "Article",
        "name": story.title,
        "content": str(story.body_html()),
        "mediaType": "text/html",
        "summary": story.excerpt_text(),
        "url": page,
        "attributedTo": group,
        "audience": group,
        "published": timestamp(story.published or story.created),
        "updated": timestamp(story.updated),
        **_audience(chapter),
    }


def tombstone(uri: str, former_type: str) -> dict:
    """What a deleted meeting or story leaves behind in a Delete."""
    return {"id": uri, "type": "Tombstone", "formerType": former_type,
            "deleted": timestamp(timezone.now())}  # fmt: skip


def without_context(data: dict) -> dict:
    """An object to embed: the activity around it carries the @context."""
    return {key: value for key, value in data.items() if key != "@context"}


def _activity(type_: str, actor: str, obj, **extra) -> dict:
    return {
        "@context": CONTEXT,
        "id": ids.new_activity_id(),
        "type": type_,
        "actor": actor,
        "object": without_context(obj) if isinstance(obj, dict) else obj,
        "published": timestamp(timezone.now()),
        **extra,
    }


def wrap(type_: str, chapter, obj: dict) -> dict:
    """Create, Update or Delete of an object, from the chapter to the public and its followers."""
    return _activity(type_, ids.chapter_actor_id(chapter), obj, **_audience(chapter))


def accept(chapter, follow_activity_json: dict) -> dict:
    """The answer to a Follow of a chapter: always yes (manuallyApprovesFollowers is false)."""
    follower = follow_activity_json.get("actor")
    follower = follower.get("id") if isinstance(follower, dict) else follower
    return _activity("Accept", ids.chapter_actor_id(chapter), follow_activity_json, to=[follower])


def follow(chapter, remote_actor) -> dict:
    """A chapter asking to follow a remote Group."""
    return _activity(
        "Follow", ids.chapter_actor_id(chapter), remote_actor.uri, to=[remote_actor.uri]
    )


def undo(chapter, activity_json: dict) -> dict:
    """Take back an activity the chapter sent (e.g. a Follow), to the same audience."""
    extra = {key: activity_json[key] for key in ("to", "cc") if key in activity_json}
    return _activity("Undo", ids.chapter_actor_id(chapter), activity_json, **extra)
