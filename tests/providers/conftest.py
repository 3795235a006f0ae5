import pytest
from django.core.cache import cache

from providers.sandboxes import server


@pytest.fixture
def serve():
    """Start simulators on free loopback ports: `serve(app)` returns its base URL. All are
    stopped afterwards, and cached provider tokens never leak from one test to the next."""
    cache.clear()
    started = []

    def start(app) -> str:
        srv, _ = server.start(app)
        started.append(srv)
        return f"http://127.0.0.1:{srv.server_port}"

    yield start
    for srv in started:
        srv.shutdown()
        srv.server_close()
    cache.clear()
