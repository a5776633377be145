"""A small threaded HTTP server for the WSGI app (local use, tests, the demo).

Production serves the same WSGI callable under gunicorn (see the Procfile).

A thread per connection, so a stalled client holds only its own; each socket read or write
waits at most `READ_TIMEOUT_SECONDS` (the app bounds a whole body's arrival itself). Up to
`BACKLOG` connections wait for their thread in the kernel (socketserver's default of 5
reset connections under bursts). Errors are logged through `logging` (scrubbed, JSON with
`LOG_FORMAT=json`), never printed.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

logger = logging.getLogger("okrbot.http")

# Connections the kernel queues for the accept loop.
BACKLOG = 1024
# How long one read from (or write to) a client's socket may wait.
READ_TIMEOUT_SECONDS = 5.0
# How long input is read and dropped after the answer, before closing (see shutdown_request).
LINGER_SECONDS = 2.0


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = BACKLOG

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out, reset or sent garbage: its own doing, not a server fault.
        logger.debug("Connection from %s ended: %r", client_address, sys.exc_info()[1])

    def shutdown_request(self, request: Any) -> None:
        """Close a connection after its answer, dropping what the client still sends for a
        moment first: closing with unread input resets the connection, and the client may
        lose the answer (a 413 to a body the app did not read)."""
        try:
            request.shutdown(socket.SHUT_WR)
            request.settimeout(LINGER_SECONDS)
            until = time.monotonic() + LINGER_SECONDS
            while request.recv(256 * 1024) and time.monotonic() < until:
                pass
        except OSError:
            pass
        self.close_request(request)


class _LoggingServerHandler(ServerHandler):
    def log_exception(self, exc_info: Any) -> None:
        logger.error("Error serving a request", exc_info=exc_info)


class _QuietHandler(WSGIRequestHandler):
    timeout = READ_TIMEOUT_SECONDS

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def handle(self) -> None:
        """`WSGIRequestHandler.handle`, with errors logged instead of printed."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():  # an error answer was sent
            return
        handler = _LoggingServerHandler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]  # as wsgiref passes it
            self.get_stderr(),
            self.get_environ(),
            multithread=False,
        )
        handler.request_handler = self  # type: ignore[attr-defined]  # wsgiref's back-pointer
        handler.run(self.server.get_app())  # type: ignore[attr-defined]


class Starting:
    """The WSGI app while the real one is still being built.

    `/healthz` answers at once (the process is up); everything else answers 503 with
    Retry-After until `ready()` hands over to the real app. Serving starts before the
    heavy imports, so a launch is visible to a health check within a fraction of a second.
    """

    def __init__(self) -> None:
        self._app: Any = None

    def ready(self, wsgi_app: Any) -> None:
        """From now on, serve `wsgi_app`."""
        self._app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self._app is not None:
            return self._app(environ, start_response)
        if environ.get("PATH_INFO") == "/healthz":
            body = b'{"ok": true, "starting": true}'
            start_response("200 OK", [("Content-Type", "application/json")])
        else:
            body = b'{"ok": false, "starting": true}'
            start_response(
                "503 Service Unavailable",
                [("Content-Type", "application/json"), ("Retry-After", "1")],
            )
        return [body]


class LocalServer:
    """Serve a WSGI app on `host:port` (port 0 picks a free one) in a background thread."""

    def __init__(self, wsgi_app: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.httpd = make_server(
            host, port, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        # A short poll: `stop()` waits for the loop to notice, and tests stop a server each.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL, e.g. `http://127.0.0.1:8080`."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalServer:
        """Start serving in the background."""
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self.httpd.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
