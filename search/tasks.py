"""Index upkeep, run by the worker. Safe to rerun: it only applies what is still waiting."""

from django_tasks import task

from search import services


@task()
def sync_index() -> None:
    """Apply every change waiting in the outbox to the search index."""
    services.sync_all()
