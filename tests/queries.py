"""Check that a page's query count does not grow with the data it lists."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def assert_queries_do_not_grow(client, url: str, add_rows) -> None:
    """Load the page, add many rows with `add_rows()`, load it again: same number of queries."""
    before = query_count(client, url)
    add_rows()
    assert query_count(client, url) == before
