"""Publishing hooks: when a meeting, its report or a story is saved or deleted, followers hear.

Content apps never import federation, so federation listens to their saves. Each
hook only notes the object's id and acts once the transaction has committed,
reading the object as committed: a rolled-back change sends nothing.

Whether an object is news (Create) or a change (Update) is decided by the
chapter's outbox: the last Create, Update or Delete recorded for the object.
A meeting report travels inside its meeting's Event, so publishing, changing or
unpublishing one sends an Update of the Event; a draft never published sends nothing.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from federation.models import Activity

PUBLISHING_TYPES = ("Create", "Update", "Delete")


def connect() -> None:
    """Listen to meeting, report and story saves and deletes (called from the app's ready())."""
    for sender, saved, deleted in (
        ("meetings.Meeting", meeting_saved, meeting_deleted),
        ("meetings.Report", report_changed, report_changed),
        ("stories.Story", story_saved, story_deleted),
    ):
        post_save.connect(saved, sender=sender, dispatch_uid=f"federation:{sender}:saved")
        post_delete.connect(deleted, sender=sender, dispatch_uid=f"federation:{sender}:deleted")


def meeting_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        transaction.on_commit(partial(publish_meeting, instance.pk))


def meeting_deleted(sender, instance, **kwargs) -> None:
    transaction.on_commit(partial(withdraw, instance.chapter_id, f"meeting:{instance.pk}"))


def report_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        transaction.on_commit(partial(publish_report, instance.meeting_id))


def story_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        transaction.on_commit(partial(publish_story, instance.pk))


def story_deleted(sender, instance, **kwargs) -> None:
    transaction.on_commit(partial(withdraw, instance.chapter_id, f"story:{instance.pk}"))


def last_published(chapter_id: int, object_key: str) -> Activity | None:
    """The latest Create, Update or Delete the chapter sent about this object."""
    sent = Activity.objects.filter(
        chapter_id=chapter_id, object_key=object_key, type__in=PUBLISHING_TYPES
    )
    return sent.order_by("-created").first()


def is_out(last: Activity | None) -> bool:
    """Whether followers currently hold the object: created and not deleted since."""
    return last is not None and last.type != "Delete"


def announce(chapter, object_key: str, obj: dict) -> None:
    """Create the object for followers, or Update it if they already have it."""
    from federation import activities, delivery

    kind = "Update" if is_out(last_published(chapter.pk, object_key)) else "Create"
    delivery.publish(chapter, activities.wrap(kind, chapter, obj), object_key)


def committed_meeting(meeting_id: int):
    """The meeting as committed, with what its Event needs; None if it is gone."""
    from meetings.models import Meeting

    meetings = Meeting.objects.select_related("chapter", "venue", "report")
    return meetings.filter(pk=meeting_id).first()


def publish_meeting(meeting_id: int) -> None:
    """Send a meeting as it now is: new, changed, or cancelled (an Update with its status)."""
    from federation import activities

    meeting = committed_meeting(meeting_id)
    if meeting is not None:
        announce(meeting.chapter, f"meeting:{meeting.pk}", activities.event(meeting))


def publish_report(meeting_id: int) -> None:
    """Send the meeting again when its report is published, or was and no longer is.

    Nothing goes out when followers already hold the Event exactly as it is now (a
    report saved twice in one transaction queues this twice).
    """
    from federation import activities

    meeting = committed_meeting(meeting_id)
    if meeting is None:
        return
    object_key = f"meeting:{meeting.pk}"
    event = activities.event(meeting)
    last = last_published(meeting.chapter_id, object_key)
    held = last.data.get("object") if is_out(last) else None
    held = held if isinstance(held, dict) else {}
    if held == activities.without_context(event):
        return
    if "meetingReport" in event or "meetingReport" in held:
        announce(meeting.chapter, object_key, event)


def publish_story(story_id: int) -> None:
    """Send a published story (Create or Update); a story taken back to draft is deleted."""
    from federation import activities
    from stories.models import Story

    story = Story.objects.select_related("chapter").filter(pk=story_id).first()
    if story is None:
        return
    if story.is_published:
        announce(story.chapter, f"story:{story.pk}", activities.article(story))
    else:
        withdraw(story.chapter_id, f"story:{story.pk}")


def withdraw(chapter_id: int, object_key: str) -> None:
    """Delete an object followers hold, under the id they know it by; nothing if never sent."""
    from chapters.models import Chapter
    from federation import activities, delivery

    last = last_published(chapter_id, object_key)
    chapter = Chapter.objects.filter(pk=chapter_id).first()
    if chapter is None or not is_out(last):
        return
    former = last.data.get("object") or {}
    if not isinstance(former, dict) or not former.get("id"):
        return
    gone = activities.tombstone(former["id"], former.get("type", "Object"))
    delivery.publish(chapter, activities.wrap("Delete", chapter, gone), object_key)
