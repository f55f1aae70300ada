"""Writes for the forum: threads and posts, watching, reading, flags and moderation.

Every post takes the next position in its thread under a lock on the thread's row,
so replies keep their order and a deleted post keeps its place.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chapterhouse import ratelimit
from chapterhouse.tasks import enqueue_on_commit
from chapters.models import Chapter
from forum import tasks
from forum.models import (
    Category,
    Flag,
    ForumSettings,
    ModerationAction,
    Post,
    PostRevision,
    Preference,
    Suspension,
    Thread,
    ThreadRead,
    Watch,
)
from forum.rendering import has_link
from members.models import User
from members.services import is_member, is_organizer, require_organizer

# Posting limits, per member and per address: (posts, seconds).
MEMBER_POST_LIMIT = (10, 600)
ADDRESS_POST_LIMIT = (30, 600)
Kind = ModerationAction.Kind


class RateLimited(Exception):
    """Too many posts in too little time; nothing was written."""


def settings_for(chapter: Chapter) -> ForumSettings:
    """The chapter's forum settings; the defaults (not saved) until an organizer changes them.

    Reading never writes, so pages that only show the forum stay read-only.
    """
    return ForumSettings.objects.filter(chapter=chapter).first() or ForumSettings(chapter=chapter)


@transaction.atomic
def update_settings(actor: User, chapter: Chapter, visibility: str, threshold: int):
    """Change who can read the forum and how many approved posts let links through."""
    require_organizer(actor, chapter)
    found, _created = ForumSettings.objects.get_or_create(chapter=chapter)
    found.visibility, found.approval_threshold = visibility, threshold
    found.full_clean()
    found.save()
    return found


def ensure_default_categories(chapter: Chapter) -> list[Category]:
    """General, one category per focus area, and Jobs; missing ones are created."""
    wanted = [(_("General"), "general", None)]
    wanted += [(area.name, slugify(area.name), area) for area in chapter.focus_areas.all()]
    wanted.append((_("Jobs"), "jobs", None))
    existing = set(chapter.forum_categories.values_list("slug", flat=True))
    for position, (name, slug, area) in enumerate(wanted):
        if slug and slug not in existing:
            try:
                with transaction.atomic():
                    Category.objects.create(
                        chapter=chapter, name=name, slug=slug, focus_area=area, position=position
                    )
            except IntegrityError:  # another request made it just now
                pass
            existing.add(slug)
    return list(chapter.forum_categories.all())


@transaction.atomic
def save_category(actor: User, category: Category) -> Category:
    """Create or change a category (organizers only)."""
    require_organizer(actor, category.chapter)
    category.full_clean()
    category.save()
    return category


def can_read(user: User, chapter: Chapter, forum: ForumSettings) -> bool:
    """Public forums are for everyone; a members-only forum for members and site admins."""
    if forum.visibility == ForumSettings.Visibility.PUBLIC:
        return True
    return user.is_authenticated and (user.is_superuser or is_member(user, chapter))


def suspension_of(user: User, chapter: Chapter) -> Suspension | None:
    return Suspension.objects.in_force().filter(chapter=chapter, user=user).first()


def require_poster(user: User, chapter: Chapter) -> None:
    """Refuse anyone who may not post here: non-members, suspended and banned members."""
    if not is_member(user, chapter):
        raise PermissionDenied(_("Only members of the chapter can post in its forum."))
    suspension = suspension_of(user, chapter)
    if suspension is not None:
        if suspension.until is None:
            raise PermissionDenied(_("You may no longer post in this forum."))
        raise PermissionDenied(
            _("You may not post in this forum until %(date)s.")
            % {"date": timezone.localtime(suspension.until).strftime("%Y-%m-%d %H:%M")}
        )


def rate_keys(user: User, address: str) -> list[tuple[str, int, int]]:
    """The counters one post is charged to: the member's, and the address's."""
    return [
        (f"forum-post:user:{user.pk}", *MEMBER_POST_LIMIT),
        (f"forum-post:ip:{address or 'unknown'}", *ADDRESS_POST_LIMIT),
    ]


def charge_rate(user: User, address: str) -> None:
    for key, limit, window in rate_keys(user, address):
        if not ratelimit.hit(key, limit, window):
            raise RateLimited(_("You are posting too fast. Please wait a few minutes."))


def needs_approval(author: User, chapter: Chapter, body: str) -> bool:
    """A member with few approved posts waits for an organizer when the post has a link."""
    if not has_link(body) or is_organizer(author, chapter):
        return False
    threshold = settings_for(chapter).approval_threshold
    approved = Post.objects.filter(
        author=author, thread__chapter=chapter, approved=True, deleted=False
    ).count()
    return approved < threshold


def _add_post(thread: Thread, author: User, body: str) -> Post:
    approved = not needs_approval(author, thread.chapter, body)
    post = Post.objects.create(
        thread=thread, author=author, body=body, position=thread.reply_count, approved=approved
    )
    Watch.objects.get_or_create(user=author, thread=thread)
    mark_read(author, thread, post.position)
    if approved:
        enqueue_on_commit(tasks.notify_post, post.pk)
    return post


@transaction.atomic
def start_thread(
    author: User, category: Category, title: str, body: str, address: str = "", project=None
) -> Thread:
    """Open a thread with its first post; the author watches it from now on."""
    chapter = category.chapter
    require_poster(author, chapter)
    charge_rate(author, address)
    thread = Thread.objects.create(
        chapter=chapter, category=category, title=title, author=author, project=project
    )
    _add_post(thread, author, body)
    return thread


@transaction.atomic
def reply(author: User, thread: Thread, body: str, address: str = "") -> Post:
    """Add a reply at the end of the thread; the replier watches the thread from now on."""
    require_poster(author, thread.chapter)
    locked = Thread.objects.select_for_update().select_related("chapter").get(pk=thread.pk)
    if locked.locked or locked.hidden:
        raise ValidationError(_("This thread is locked: no new replies."), code="locked")
    charge_rate(author, address)
    locked.reply_count += 1
    locked.last_activity = timezone.now()
    locked.save(update_fields=["reply_count", "last_activity"])
    return _add_post(locked, author, body)


def can_edit(user: User, post: Post) -> bool:
    return user.is_authenticated and not post.deleted and post.author_id == user.pk


def can_see_history(user: User, post: Post) -> bool:
    """The revisions are for the author and the chapter's organizers."""
    if not user.is_authenticated:
        return False
    return post.author_id == user.pk or user.is_superuser or is_organizer(user, post.thread.chapter)


@transaction.atomic
def edit_post(editor: User, post: Post, body: str, title: str | None = None) -> Post:
    """Change a post, keeping what it said before as a revision."""
    if not can_edit(editor, post):
        raise PermissionDenied(_("Only the author can edit this post."))
    require_poster(editor, post.thread.chapter)
    if post.thread.locked:
        raise ValidationError(_("This thread is locked: its posts cannot change."), code="locked")
    if body != post.body:
        PostRevision.objects.create(post=post, body=post.body, editor=editor)
        # A link added later waits like a link posted at once, so editing is no way around it.
        if post.approved and not has_link(post.body):
            post.approved = not needs_approval(post.author, post.thread.chapter, body)
        post.body, post.edited = body, timezone.now()
        post.save(update_fields=["body", "edited", "approved"])
    if title and post.position == 0 and title != post.thread.title:
        post.thread.title = title
        post.thread.save(update_fields=["title"])
    return post


@transaction.atomic
def delete_post(actor: User, post: Post) -> Post:
    """Leave a placeholder where the post was, so replies keep their place."""
    chapter = post.thread.chapter
    if not (post.author_id == actor.pk or actor.is_superuser or is_organizer(actor, chapter)):
        raise PermissionDenied(_("Only the author or an organizer can delete this post."))
    post.deleted = True
    post.save(update_fields=["deleted"])
    return post


@transaction.atomic
def flag_post(reporter: User, post: Post, reason: str) -> Flag:
    """Bring a post to the organizers' attention."""
    if not is_member(reporter, post.thread.chapter):
        raise PermissionDenied(_("Only members of the chapter can flag posts."))
    return Flag.objects.create(post=post, reporter=reporter, reason=reason)


def _log(actor, chapter, kind, reason="", thread=None, post=None, member=None):
    return ModerationAction.objects.create(
        chapter=chapter, actor=actor, kind=kind, reason=reason,
        thread=thread, post=post, member=member,
    )  # fmt: skip


POST_ACTIONS = {Kind.APPROVE, Kind.REJECT, Kind.HIDE, Kind.RESTORE, Kind.DISMISS}


@transaction.atomic
def moderate_post(actor: User, post: Post, kind: str, reason: str = "") -> Post:
    """Approve, reject, hide or restore a post, or dismiss its flags; logged."""
    chapter = post.thread.chapter
    require_organizer(actor, chapter)
    if kind not in POST_ACTIONS:
        raise ValidationError(_("Unknown action."), code="action")
    if kind == Kind.APPROVE and not post.approved:
        post.approved = True
        enqueue_on_commit(tasks.notify_post, post.pk)
    elif kind in (Kind.REJECT, Kind.HIDE):
        post.hidden = True
    elif kind == Kind.RESTORE:
        post.hidden = False
    post.save(update_fields=["approved", "hidden"])
    post.flags.update(resolved=True)
    _log(actor, chapter, kind, reason, thread=post.thread, post=post, member=post.author)
    return post


THREAD_FLAGS = {
    Kind.LOCK: ("locked", True),
    Kind.UNLOCK: ("locked", False),
    Kind.PIN: ("pinned", True),
    Kind.UNPIN: ("pinned", False),
    Kind.HIDE: ("hidden", True),
    Kind.RESTORE: ("hidden", False),
}


@transaction.atomic
def moderate_thread(
    actor: User, thread: Thread, kind: str, reason: str = "", category: Category | None = None
) -> Thread:
    """Lock, pin, hide, restore or move a thread (to another category of its chapter); logged."""
    require_organizer(actor, thread.chapter)
    if kind == Kind.MOVE:
        if category is None or category.chapter_id != thread.chapter_id:
            raise ValidationError(_("Choose a category of this chapter."), code="category")
        thread.category = category
    elif kind in THREAD_FLAGS:
        field, value = THREAD_FLAGS[kind]
        setattr(thread, field, value)
    else:
        raise ValidationError(_("Unknown action."), code="action")
    thread.save(update_fields=["category", "locked", "pinned", "hidden"])
    _log(actor, thread.chapter, kind, reason, thread=thread)
    return thread


@transaction.atomic
def suspend(
    actor: User, chapter: Chapter, member: User, reason: str, until: dt.datetime | None = None
) -> Suspension:
    """Stop a member posting here until a date, or for good (a ban, which hides their posts)."""
    require_organizer(actor, chapter)
    if member.pk == actor.pk or is_organizer(member, chapter):
        raise ValidationError(_("Organizers cannot be suspended."), code="organizer")
    if until is not None and until <= timezone.now():
        raise ValidationError(_("The end of a suspension must be in the future."), code="past")
    suspension, _created = Suspension.objects.update_or_create(
        chapter=chapter, user=member, defaults={"until": until, "reason": reason}
    )
    _log(actor, chapter, Kind.BAN if until is None else Kind.SUSPEND, reason, member=member)
    return suspension


@transaction.atomic
def lift_suspension(actor: User, chapter: Chapter, member: User, reason: str = "") -> None:
    """Let a suspended or banned member post again."""
    require_organizer(actor, chapter)
    Suspension.objects.filter(chapter=chapter, user=member).delete()
    _log(actor, chapter, Kind.LIFT, reason, member=member)


def watch(user: User, *, thread: Thread | None = None, category: Category | None = None) -> None:
    """Hear of new posts in a thread or a category."""
    chapter = thread.chapter if thread else category.chapter
    if not is_member(user, chapter):
        raise PermissionDenied(_("Only members of the chapter can watch the forum."))
    Watch.objects.get_or_create(user=user, thread=thread, category=category)


def unwatch(user: User, *, thread: Thread | None = None, category: Category | None = None) -> None:
    Watch.objects.filter(user=user, thread=thread, category=category).delete()


def set_delivery(user: User, chapter: Chapter, delivery: str) -> Preference:
    """Choose one e-mail per post or a daily digest for this chapter's forum."""
    if delivery not in Preference.Delivery.values:
        raise ValidationError(_("Choose how to receive forum e-mail."), code="delivery")
    preference, _created = Preference.objects.update_or_create(
        user=user, chapter=chapter, defaults={"delivery": delivery}
    )
    return preference


def mark_read(user: User, thread: Thread, position: int) -> None:
    """Remember how far the member has read; it never moves backwards."""
    if not user.is_authenticated:
        return
    updated = ThreadRead.objects.filter(user=user, thread=thread).update(
        last_read_position=Greatest("last_read_position", Value(position))
    )
    if not updated:
        try:
            with transaction.atomic():
                ThreadRead.objects.get_or_create(
                    user=user, thread=thread, defaults={"last_read_position": position}
                )
        except IntegrityError:
            pass
