import pytest

from tests.live_server import LiveServer


@pytest.fixture(scope="module")
def live_server(_schema, tmp_path_factory):
    server = LiveServer(_schema, tmp_path_factory.mktemp("server") / "gunicorn.log")
    yield server
    server.stop()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/concurrency/" in str(item.fspath):
            item.add_marker(pytest.mark.concurrency)
