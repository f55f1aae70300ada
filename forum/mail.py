"""Forum e-mail: who hears of a post, the messages, and reply addresses.

Every message names the chapter's forum list (`chapter:<id>:forum`) in its one-click
List-Unsubscribe header; leaving it stops all forum mail from that chapter.

Reply addresses are ready for reply-by-email: each message's Reply-To is
`reply+<thread id>.<user id>.<signature>@<domain>`, the signature an HMAC of the
thread and member under the site's secret key (lower-case hex, so mail servers that
fold the case of local parts keep it intact). `read_reply_token` gives back the
(thread id, user id) a token names, or None if it was forged. An inbound handler can
then post the body as that member's reply through forum.services.reply.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from chapterhouse.mail import Recipient, build_mail
from chapterhouse.models import Unsubscribe
from forum.models import Notification, Post, Preference, Watch
from forum.rendering import handle_for, mentioned_handles, render_body
from members.models import User

REPLY_SALT = "forum.reply"


def list_key(chapter) -> str:
    """The list a member leaves to stop the chapter's forum mail."""
    return f"chapter:{chapter.pk}:forum"


def reply_domain() -> str:
    from urllib.parse import urlsplit

    return getattr(settings, "FORUM_REPLY_DOMAIN", "") or urlsplit(settings.SITE_URL).hostname


def _signature(thread_id: int, user_id: int) -> str:
    return salted_hmac(REPLY_SALT, f"{thread_id}.{user_id}").hexdigest()[:32]


def make_reply_token(thread_id: int, user_id: int) -> str:
    return f"{thread_id}.{user_id}.{_signature(thread_id, user_id)}"


def read_reply_token(token: str) -> tuple[int, int] | None:
    """The (thread id, user id) a reply token names, or None if it is forged or mangled."""
    parts = (token or "").lower().split(".")
    if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    thread_id, user_id = int(parts[0]), int(parts[1])
    if not constant_time_compare(parts[2], _signature(thread_id, user_id)):
        return None
    return thread_id, user_id


def reply_address(thread_id: int, user_id: int) -> str:
    return f"reply+{make_reply_token(thread_id, user_id)}@{reply_domain()}"


def audience(post: Post) -> dict[int, str]:
    """Who should hear of a post, by user id, with the strongest reason."""
    thread, chapter = post.thread, post.thread.chapter
    members = (
        User.objects.filter(memberships__chapter=chapter, is_active=True)
        .exclude(email_verified_at=None)
        .exclude(pk=post.author_id)
        .exclude(Unsubscribe.objects.left_by_user(list_key(chapter)))
        .select_related("profile")
    )
    handles = mentioned_handles(post.body)
    watches = Watch.objects.filter(Q(thread=thread) | Q(category=thread.category_id))
    reasons: dict[int, str] = {}
    for user_id, thread_id in watches.values_list("user_id", "thread_id"):
        reason = Notification.Reason.THREAD if thread_id else Notification.Reason.CATEGORY
        if reasons.get(user_id) != Notification.Reason.THREAD:
            reasons[user_id] = reason
    eligible = {}
    for user in members:
        if handles and handle_for(user.display_name) in handles:
            eligible[user.pk] = Notification.Reason.MENTION
        elif user.pk in reasons:
            eligible[user.pk] = reasons[user.pk]
    return eligible


def digest_readers(chapter, user_ids) -> set[int]:
    return set(
        Preference.objects.filter(
            chapter=chapter, user__in=user_ids, delivery=Preference.Delivery.DIGEST
        ).values_list("user_id", flat=True)
    )


def recipient(user: User) -> Recipient:
    return Recipient(f"user:{user.pk}", user.email, user)


def post_message(post: Post, reason: str, user_recipient: Recipient) -> EmailMessage:
    """One new post, to one member."""
    thread, chapter = post.thread, post.thread.chapter
    context = {
        "post": post,
        "thread": thread,
        "chapter": chapter,
        "reason": Notification.Reason(reason).label,
        "body_html": render_body(post.body),
        "post_url": settings.SITE_URL + post.get_absolute_url(),
    }
    return build_mail(
        "forum/email/post",
        user_recipient.email,
        context,
        list_key=list_key(chapter),
        list_name=_("%(chapter)s forum") % {"chapter": chapter.name},
        reply_to=[reply_address(thread.pk, user_recipient.user.pk)],
    )


def digest_message(chapter, notifications: list, user_recipient: Recipient) -> EmailMessage:
    """A day's new posts, to one member."""
    items = [
        {
            "post": note.post,
            "reason": note.get_reason_display(),
            "url": settings.SITE_URL + note.post.get_absolute_url(),
        }
        for note in notifications
    ]
    return build_mail(
        "forum/email/digest",
        user_recipient.email,
        {"chapter": chapter, "items": items},
        list_key=list_key(chapter),
        list_name=_("%(chapter)s forum") % {"chapter": chapter.name},
    )
