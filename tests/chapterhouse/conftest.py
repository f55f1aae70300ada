import pytest

from tests.chapterhouse.servers import collect_static


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once, as production serves them, for every scratch site."""
    return collect_static(tmp_path_factory.mktemp("static"))
