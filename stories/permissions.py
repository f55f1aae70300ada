"""Who may write, edit and see which stories."""

from chapters.models import Chapter
from members.services import is_organizer
from stories.models import Story


def writable_kinds(user, chapter: Chapter) -> list[str]:
    """What the user may write here: everything for organizers, blog posts if members may."""
    if not user.is_authenticated:
        return []
    if user.is_superuser or is_organizer(user, chapter):
        return list(Story.Kind.values)
    if chapter.members_can_blog and chapter.memberships.filter(user=user).exists():
        return [Story.Kind.BLOG]
    return []


def can_edit(user, story: Story) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or is_organizer(user, story.chapter):
        return True
    return story.author_id == user.pk and Story.Kind.BLOG in writable_kinds(user, story.chapter)


def drafts_for(user, chapter: Chapter):
    """Drafts the user may see in this chapter: all for organizers, their own for others."""
    if not user.is_authenticated:
        return Story.objects.none()
    drafts = Story.objects.filter(chapter=chapter, status=Story.Status.DRAFT)
    return drafts if is_organizer(user, chapter) else drafts.filter(author=user)
