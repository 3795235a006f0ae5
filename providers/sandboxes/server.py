"""A tiny threaded HTTP server for the provider simulators (loopback only)."""

import threading
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
