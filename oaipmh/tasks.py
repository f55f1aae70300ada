"""Refreshing many records at once, run by the worker. Safe to rerun: a refresh is idempotent."""

from django_tasks import task

from oaipmh import records

CHUNK = 500


def refresh_in_chunks(kind: str, ids: list[int]) -> None:
    for start in range(0, len(ids), CHUNK):
        records.refresh(kind, ids[start : start + CHUNK], related=True)


@task()
def refresh_records(kind: str, ids: list[int]) -> None:
    refresh_in_chunks(kind, ids)


@task()
def refresh_chapter(chapter_id: int) -> None:
    """Every record the chapter publishes, live or already withdrawn-pending."""
    for kind in records.KINDS:
        field = records.SOURCES[kind]["chapter"].removesuffix("__slug")
        ids = records.public(kind, scheduled=True).filter(**{f"{field}_id": chapter_id})
        refresh_in_chunks(kind, list(ids.values_list("pk", flat=True)))


@task()
def refresh_person(user_id: int) -> None:
    """Records that name a member as their creator: the stories they wrote, their projects.

    Talks name their speakers as the proposer typed them, so they do not change with a profile.
    """
    stories = records.public("story", scheduled=True).filter(author_id=user_id)
    refresh_in_chunks("story", list(stories.values_list("pk", flat=True)))
    projects = records.public("project").filter(contributors__user_id=user_id).distinct()
    refresh_in_chunks("project", list(projects.values_list("pk", flat=True)))
