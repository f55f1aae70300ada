"""Keeping remote meetings and stories in the index: federation's services call these.

Federation is not a content app, so it queues its changes itself (inside its own
transactions, like every other change) rather than through model signals.
"""

from collections.abc import Iterable

from search.services import queue_changes


def remote_keys(object_ids: Iterable[int]) -> list[str]:
    return [f"remote:{pk}" for pk in object_ids]


def queue_remote_changes(object_ids: Iterable[int]) -> None:
    """Rebuild (or drop) the index entries of these remote objects once committed."""
    queue_changes(remote_keys(object_ids))
