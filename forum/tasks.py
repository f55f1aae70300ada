"""Forum mail, sent by the worker. Each task takes ids and may be rerun without resending."""

from django_tasks import task

from forum import notifications


@task()
def notify_post(post_id: int) -> None:
    """Tell the members who mention, watch or follow the thread of a new post."""
    notifications.notify_post(post_id)


@task()
def send_forum_digests() -> None:
    """Send each member on the daily digest the posts they have not heard of yet."""
    notifications.send_digests()
