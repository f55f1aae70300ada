"""Every search test gets a fresh in-memory index; tasks already run at once."""

import pytest

from search.engine import SearchIndex, reset_index_for_tests


@pytest.fixture(autouse=True)
def index():
    """A new in-memory index for the test, so no test sees another's documents."""
    fresh = SearchIndex(None)
    reset_index_for_tests(fresh)
    yield fresh
    reset_index_for_tests(None)
