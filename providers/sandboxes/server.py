"""A tiny threaded HTTP server for the provider simulators (loopback only)."""

import contextlib
import socket
import threading
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def start(app, port: int = 0, host: str = "127.0.0.1") -> tuple[WSGIServer, threading.Thread]:
    """Serve `app` in a background thread; port 0 picks a free one (server.server_port)."""
    server = make_server(
        host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def wait_for_port(port: int, timeout: float = 15.0) -> bool:
    """Whether something listens on 127.0.0.1:`port` within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        time.sleep(0.2)
    return False
