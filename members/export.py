"""A member's own data as one JSON document, for the download on their account page.

Each section is one query (two where it has a many-to-many part), so the export
costs the same number of queries however much a member has written.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from chapters.models import FocusArea
from forum.models import Post, Thread
from meetings.models import Rsvp, Talk
from members.models import ContactMessage, Membership, Profile, User
from polls.models import Ballot, Choice
from projects.models import Contributor
from stories.models import Story

FORMAT = "chapterhouse-member-export"
VERSION = 1


def link(path: str) -> str:
    return settings.SITE_URL + path


def account_data(user: User) -> dict:
    """Everything the site keeps that the member gave it or did, and nothing of anyone else."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now(),
        "site": settings.SITE_URL,
        "account": {
            "email": user.email,
            "email_verified_at": user.email_verified_at,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "profile": profile_of(user),
        "memberships": memberships_of(user),
        "rsvps": rsvps_of(user),
        "talks_proposed": talks_of(user),
        "stories": stories_of(user),
        "forum_threads": threads_of(user),
        "forum_posts": posts_of(user),
        "poll_votes": votes_of(user),
        "project_contributions": contributions_of(user),
        "messages_to_organizers": contact_messages_of(user),
    }


def profile_of(user: User) -> dict | None:
    interests = FocusArea.objects.select_related("chapter").order_by("chapter__name", "name")
    profile = (
        Profile.objects.filter(user=user)
        .prefetch_related(Prefetch("interests", queryset=interests))
        .first()
    )
    if profile is None:
        return None
    return {
        "display_name": profile.display_name,
        "institution": profile.institution,
        "job_role": profile.job_role,
        "interests": [
            {"name": area.name, "chapter": area.chapter.slug} for area in profile.interests.all()
        ],
        "bio": profile.bio,
        "website": profile.website,
        "orcid": profile.orcid,
        "in_directory": profile.in_directory,
    }


def memberships_of(user: User) -> list[dict]:
    memberships = Membership.objects.filter(user=user).select_related("chapter")
    return [
        {
            "chapter": membership.chapter.slug,
            "chapter_name": membership.chapter.name,
            "role": membership.role,
            "joined_at": membership.joined_at,
        }
        for membership in memberships.order_by("joined_at", "pk")
    ]


def rsvps_of(user: User) -> list[dict]:
    answers = Rsvp.objects.filter(user=user).select_related("meeting__chapter")
    return [
        {
            "meeting": answer.meeting.title,
            "meeting_url": link(answer.meeting.get_absolute_url()),
            "meeting_start": answer.meeting.start,
            "status": answer.status,
            "guests": answer.guests,
            "attended": answer.attended,
            "answered_at": answer.created,
            "changed_at": answer.updated,
        }
        for answer in answers.order_by("meeting__start", "pk")
    ]


def talks_of(user: User) -> list[dict]:
    talks = Talk.objects.filter(proposer=user).select_related("meeting__chapter")
    return [
        {
            "title": talk.title,
            "abstract": talk.abstract,
            "speakers": talk.speakers,
            "kind": talk.kind,
            "status": talk.status,
            "meeting": talk.meeting.title,
            "meeting_url": link(talk.meeting.get_absolute_url()),
            "starts_at": talk.starts_at,
            "slides_url": talk.slides_url,
            "recording_url": talk.recording_url,
            "licence": talk.licence,
            "notes": talk.notes,
            "proposed_at": talk.created,
            "changed_at": talk.updated,
        }
        for talk in talks.order_by("created", "pk")
    ]


def stories_of(user: User) -> list[dict]:
    stories = (
        Story.objects.filter(author=user).select_related("chapter").prefetch_related("categories")
    )
    return [
        {
            "title": story.title,
            "url": link(story.get_absolute_url()),
            "chapter": story.chapter.slug,
            "kind": story.kind,
            "status": story.status,
            "excerpt": story.excerpt,
            "body": story.body,
            "body_format": story.body_format,
            "categories": sorted(category.name for category in story.categories.all()),
            "created_at": story.created,
            "published_at": story.published,
            "updated_at": story.updated,
        }
        for story in stories.order_by("created", "pk")
    ]


def threads_of(user: User) -> list[dict]:
    threads = Thread.objects.filter(author=user).select_related("chapter")
    return [
        {
            "title": thread.title,
            "url": link(thread.get_absolute_url()),
            "chapter": thread.chapter.slug,
            "created_at": thread.created,
        }
        for thread in threads.order_by("created", "pk")
    ]


def posts_of(user: User) -> list[dict]:
    posts = Post.objects.filter(author=user).select_related("thread__chapter")
    return [
        {
            "thread": post.thread.title,
            "url": link(post.get_absolute_url()),
            "body": post.body,
            "created_at": post.created,
            "edited_at": post.edited,
            "approved": post.approved,
            "hidden": post.hidden,
            "deleted": post.deleted,
        }
        for post in posts.order_by("created", "pk")
    ]


def votes_of(user: User) -> list[dict]:
    choices = Choice.objects.select_related("option").order_by("option__position", "pk")
    ballots = (
        Ballot.objects.filter(user=user)
        .select_related("poll__chapter")
        .prefetch_related(Prefetch("choices", queryset=choices))
    )
    return [
        {
            "poll": ballot.poll.question,
            "url": link(ballot.poll.get_absolute_url()),
            "choices": [
                {"option": choice.option.label, "value": choice.value}
                for choice in ballot.choices.all()
            ],
            "cast_at": ballot.created,
            "changed_at": ballot.updated,
        }
        for ballot in ballots.order_by("created", "pk")
    ]


def contributions_of(user: User) -> list[dict]:
    contributions = Contributor.objects.filter(user=user).select_related("project__chapter")
    return [
        {
            "project": contribution.project.name,
            "url": link(contribution.project.get_absolute_url()),
            "role": contribution.role,
        }
        for contribution in contributions.order_by("project__name", "pk")
    ]


def contact_messages_of(user: User) -> list[dict]:
    messages = ContactMessage.objects.filter(sender=user).select_related("chapter")
    return [
        {
            "chapter": message.chapter.slug,
            "name": message.name,
            "email": message.email,
            "subject": message.subject,
            "body": message.body,
            "sent_at": message.created_at,
        }
        for message in messages.order_by("created_at", "pk")
    ]
