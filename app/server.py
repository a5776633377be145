"""A small threaded HTTP server for the WSGI app (local use, tests, the demo).

Production serves the same WSGI callable under gunicorn (see the Procfile).
"""

from __future__ import annotations

import logging
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

logger = logging.getLogger("okrbot.http")


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)


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
