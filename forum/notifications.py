"""Turning new posts into mail: a Notification row per reader, sent at once or in a digest.

The rows survive a crash: whatever has no `sent_at` goes out on the next run, and
every message is keyed (chapterhouse.models.SentMail) so a rerun never sends it twice.
"""

from functools import partial
from itertools import groupby

from django.utils import timezone

from chapterhouse.mail import send_each
from forum import mail
from forum.models import Notification, Post
from members.models import User


def shown_post(post_id: int) -> Post | None:
    posts = Post.objects.select_related("thread__chapter", "thread__category", "author__profile")
    post = posts.filter(pk=post_id).first()
    if post is None or post.deleted or post.thread.hidden:
        return None
    return Post.objects.shown(post.thread.chapter_id).filter(pk=post.pk).first() and post


def notify_post(post_id: int) -> int:
    """Record who should hear of the post; mail those who want it at once. Returns mails sent."""
    post = shown_post(post_id)
    if post is None:
        return 0
    audience = mail.audience(post)
    digest = mail.digest_readers(post.thread.chapter, list(audience))
    Notification.objects.bulk_create(
        [
            Notification(user_id=uid, post=post, reason=reason, digest=uid in digest)
            for uid, reason in audience.items()
        ],
        ignore_conflicts=True,
    )
    pending = Notification.objects.filter(post=post, digest=False, sent_at=None)
    reasons = dict(pending.values_list("user_id", "reason"))
    users = User.objects.filter(pk__in=reasons).select_related("profile").order_by("pk")
    sent = send_each(
        f"forum:post:{post.pk}",
        [mail.recipient(user) for user in users],
        lambda rcpt: mail.post_message(post, reasons[rcpt.user.pk], rcpt),
    )
    pending.update(sent_at=timezone.now())
    return sent


def send_digests() -> int:
    """One digest per member and chapter with unsent digest notifications; returns mails sent."""
    pending = (
        Notification.objects.filter(digest=True, sent_at=None)
        .select_related("user__profile", "post__thread__chapter", "post__author__profile")
        .order_by("user_id", "post__thread__chapter_id", "pk")
    )
    sent = 0
    for _reader_and_chapter, group in groupby(
        pending, key=lambda note: (note.user_id, note.post.thread.chapter_id)
    ):
        notes = list(group)
        sent += _send_digest(notes)
    return sent


def _send_digest(notes: list[Notification]) -> int:
    chapter = notes[0].post.thread.chapter
    shown = set(
        Post.objects.shown(chapter.pk)
        .filter(pk__in=[note.post_id for note in notes], deleted=False, thread__hidden=False)
        .values_list("pk", flat=True)
    )
    visible = [note for note in notes if note.post_id in shown]
    user = notes[0].user
    sent = 0
    if visible:
        key = f"forum:digest:{chapter.pk}:{notes[-1].pk}"
        sent = send_each(
            key, [mail.recipient(user)], partial(mail.digest_message, chapter, visible)
        )
    Notification.objects.filter(pk__in=[note.pk for note in notes]).update(sent_at=timezone.now())
    return sent
