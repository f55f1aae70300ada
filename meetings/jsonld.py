"""schema.org Event data for meeting pages, as JSON that cannot break out of its <script>."""

import json

from django.conf import settings
from markupsafe import Markup

from chapterhouse.markup import render_markdown, visible_text

STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "cancelled": "https://schema.org/EventCancelled",
    "postponed": "https://schema.org/EventPostponed",
}
MODE = {
    "in-person": "https://schema.org/OfflineEventAttendanceMode",
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "hybrid": "https://schema.org/MixedEventAttendanceMode",
}


def place(venue) -> dict:
    data = {
        "@type": "Place",
        "name": str(venue),
        "address": {"@type": "PostalAddress", **venue.postal_address()},
    }
    if venue.latitude is not None and venue.longitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": float(venue.latitude),
                       "longitude": float(venue.longitude)}  # fmt: skip
    return data


def meeting_data(meeting, talks) -> dict:
    """The Event as a dict: location, attendance mode, status, organizer and talks."""
    url = settings.SITE_URL + meeting.get_absolute_url()
    locations = [place(meeting.venue)] if meeting.venue_id else []
    if meeting.online_url:
        locations.append({"@type": "VirtualLocation", "url": meeting.online_url})
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": meeting.title,
        "description": visible_text(str(render_markdown(meeting.description)))[:1000],
        "url": url,
        "startDate": meeting.start.isoformat(),
        "endDate": meeting.end.isoformat(),
        "eventStatus": STATUS[meeting.status],
        "eventAttendanceMode": MODE[meeting.attendance_mode],
        "location": locations[0] if len(locations) == 1 else locations,
        "organizer": {"@type": "Organization", "name": meeting.chapter.name,
                      "url": settings.SITE_URL + meeting.chapter.get_absolute_url()},
        "isAccessibleForFree": True,
        "subEvent": [talk_data(talk, url) for talk in talks],
    }  # fmt: skip
    return {key: value for key, value in data.items() if value not in ("", [], None)}


def talk_data(talk, meeting_url: str) -> dict:
    data = {"@type": "Event", "name": talk.title, "url": f"{meeting_url}#talk-{talk.pk}",
            "performer": [{"@type": "Person", "name": name.strip()}
                          for name in talk.speakers.split(",") if name.strip()]}  # fmt: skip
    if talk.starts_at:
        data["startDate"] = talk.starts_at.isoformat()
    return data


def meeting_json_ld(meeting, talks) -> Markup:
    """JSON for <script type="application/ld+json">; <, > and & are escaped as \\u sequences."""
    text = json.dumps(meeting_data(meeting, talks), ensure_ascii=False)
    escaped = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(escaped.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))  # noqa: S704
