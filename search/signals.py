"""The outbox's inputs: every save or delete that can change what search finds.

The content apps never import search; search listens to their models instead. A
receiver only writes `PendingChange` rows naming the documents to rebuild (no reads
of the content, no index work), inside the writer's transaction, so a rollback takes
the rows with it and a commit always leaves them for `sync_index`.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from forum.models import Category as ForumCategory
from forum.models import ForumSettings, Post, Suspension, Thread
from meetings.models import Meeting, Talk
from members.models import Membership, Profile, User
from projects.models import Project
from search.services import queue_changes
from stories.models import Story

# Saves of only these fields change nothing search shows.
QUIET_USER_FIELDS = frozenset({"last_login", "password"})
QUIET_THREAD_FIELDS = frozenset({"reply_count", "last_activity", "pinned", "locked"})
# A thread's replies are found through it: these fields change who finds them.
THREAD_FIELDS_SHOWN_ON_POSTS = frozenset({"title", "hidden", "category", "chapter"})


def only(update_fields, quiet: frozenset) -> bool:
    """Whether a save touched nothing but `quiet` fields."""
    return update_fields is not None and set(update_fields) <= quiet


def keyed(kind: str):
    """A receiver that queues the saved or deleted object's own document."""

    def receiver(sender, instance, **kwargs):
        queue_changes([f"{kind}:{instance.pk}"])

    receiver.__name__ = f"{kind}_changed"
    return receiver


def many_keyed(kind: str, reverse_model):
    """A receiver for a many-to-many of `kind`: tags added or removed, from either side."""

    def receiver(sender, instance, action, pk_set, **kwargs):
        if not action.startswith("post_"):
            return
        if isinstance(instance, reverse_model):
            ids = pk_set or ()
            if action == "post_clear":
                return  # a tag's own deletion: its rows are queued by their own saves
        else:
            ids = [instance.pk]
        queue_changes(f"{kind}:{pk}" for pk in ids)

    receiver.__name__ = f"{kind}_tags_changed"
    return receiver


def story_changed(sender, instance: Story, **kwargs):
    """A story scheduled for later is indexed again when its publication time comes."""
    queue_changes([f"story:{instance.pk}"])
    # A story saved with a date as text (fixtures, tests) still has it as text here.
    published = Story._meta.get_field("published").to_python(instance.published)
    if published and timezone.is_naive(published):
        published = timezone.make_aware(published)
    if instance.is_published and published and published > timezone.now():
        queue_changes([f"story:{instance.pk}"], not_before=published)


def meeting_changed(sender, instance: Meeting, **kwargs):
    """A meeting's talks carry its date and chapter."""
    talks = Talk.objects.filter(meeting_id=instance.pk).values_list("pk", flat=True)
    queue_changes([f"meeting:{instance.pk}", *(f"talk:{pk}" for pk in talks)])


def thread_saved(sender, instance: Thread, update_fields=None, **kwargs):
    if only(update_fields, QUIET_THREAD_FIELDS):
        return
    keys = [f"thread:{instance.pk}"]
    if update_fields is None or set(update_fields) & THREAD_FIELDS_SHOWN_ON_POSTS:
        replies = Post.objects.filter(thread_id=instance.pk).values_list("pk", flat=True)
        keys += [f"post:{pk}" for pk in replies]
    queue_changes(keys)


def post_changed(sender, instance: Post, update_fields=None, **kwargs):
    """The opening post is part of its thread's document, and its approval lists the thread."""
    keys = [f"post:{instance.pk}"]
    if instance.position == 0:
        keys.append(f"thread:{instance.thread_id}")
        if update_fields is None or "approved" in update_fields:
            replies = Post.objects.filter(thread_id=instance.thread_id, position__gt=0)
            keys += [f"post:{pk}" for pk in replies.values_list("pk", flat=True)]
    queue_changes(keys)


def forum_keys(**where) -> list[str]:
    """The threads and posts matching `where` (thread lookups), for a change of who sees them."""
    thread_ids = Thread.objects.filter(**where).values_list("pk", flat=True)
    post_ids = Post.objects.filter(**{f"thread__{k}": v for k, v in where.items()}).values_list(
        "pk", flat=True
    )
    return [f"thread:{pk}" for pk in thread_ids] + [f"post:{pk}" for pk in post_ids]


def forum_settings_changed(sender, instance: ForumSettings, **kwargs):
    """A forum turned public or members-only: every thread and post changes audience."""
    queue_changes(forum_keys(chapter_id=instance.chapter_id))


def forum_category_changed(sender, instance: ForumCategory, **kwargs):
    queue_changes(forum_keys(category_id=instance.pk))


def suspension_changed(sender, instance: Suspension, **kwargs):
    """A ban hides what the member wrote in that chapter's forum; lifting it shows it again."""
    threads = Thread.objects.filter(chapter_id=instance.chapter_id, author_id=instance.user_id)
    # Replies by others go too when the banned member opened the thread.
    posts = Post.objects.filter(thread__chapter_id=instance.chapter_id).filter(
        Q(author_id=instance.user_id) | Q(thread__author_id=instance.user_id)
    )
    queue_changes(
        [f"thread:{pk}" for pk in threads.values_list("pk", flat=True)]
        + [f"post:{pk}" for pk in posts.values_list("pk", flat=True)]
    )


def user_changed(sender, instance: User, update_fields=None, **kwargs):
    if not only(update_fields, QUIET_USER_FIELDS):
        queue_changes([f"member:{instance.pk}"])


def member_entry_changed(sender, instance, **kwargs):
    """Profiles and memberships: the member's directory entry and who may see it."""
    queue_changes([f"member:{instance.user_id}"])


def member_entry_changed_m2m(sender, instance, action, pk_set, **kwargs):
    """A member's interests (shown as focus areas) changed."""
    if action.startswith("post_") and isinstance(instance, Profile):
        queue_changes([f"member:{instance.user_id}"])


def connect() -> None:
    """Wire the receivers; called once from SearchConfig.ready()."""
    for signal in (post_save, post_delete):
        signal.connect(story_changed, sender=Story, dispatch_uid="search-story")
    for model, kind in ((Talk, "talk"), (Project, "project")):
        for signal in (post_save, post_delete):
            signal.connect(keyed(kind), sender=model, weak=False, dispatch_uid=f"search-{kind}")
    for signal in (post_save, post_delete):
        signal.connect(meeting_changed, sender=Meeting, dispatch_uid="search-meeting")
        signal.connect(post_changed, sender=Post, dispatch_uid="search-post")
        signal.connect(user_changed, sender=User, dispatch_uid="search-user")
        for model in (Profile, Membership):
            signal.connect(member_entry_changed, sender=model, dispatch_uid="search-member")
        signal.connect(forum_settings_changed, sender=ForumSettings, dispatch_uid="search-forum")
        signal.connect(forum_category_changed, sender=ForumCategory, dispatch_uid="search-fcat")
        signal.connect(suspension_changed, sender=Suspension, dispatch_uid="search-suspension")
    post_save.connect(thread_saved, sender=Thread, dispatch_uid="search-thread")
    post_delete.connect(keyed("thread"), sender=Thread, weak=False, dispatch_uid="search-thread")
    tags = (
        (Story.categories.through, "story", Story.categories.field.related_model),
        (Project.technologies.through, "project", Project.technologies.field.related_model),
        (Project.focus_areas.through, "project", Project.focus_areas.field.related_model),
    )
    for through, kind, tag_model in tags:
        m2m_changed.connect(
            many_keyed(kind, tag_model),
            sender=through,
            weak=False,
            dispatch_uid=f"search-{through}",
        )
    m2m_changed.connect(
        member_entry_changed_m2m, sender=Profile.interests.through, dispatch_uid="search-interests"
    )
