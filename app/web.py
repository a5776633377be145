"""The HTTP face of the app: Bolt at `POST /slack/events`, plus health checks.

`OkrbotWSGI` is itself the WSGI callable gunicorn serves (see `app/wsgi.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from app.db import Database
from app.logs import request_id

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

EVENTS_PATH = "/slack/events"
HEALTH_PATHS = ("/healthz", "/readyz")
# Slack's payloads are small: a modal of a hundred blocks, URL-encoded, is well under 1 MB.
MAX_BODY_BYTES = 2 * 1024 * 1024
# How long a connection has to deliver its whole request (app.httpd's worker enforces it).
READ_DEADLINE_SECONDS = 5.0
# Slack's own rule: a request signed more than five minutes ago may be a replay.
MAX_SIGNATURE_AGE = 5 * 60

logger = logging.getLogger("okrbot.http")
# A request id from a proxy or load balancer is kept when it looks like one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class OkrbotWSGI:
    """Routes `/healthz` and `/readyz` itself and everything else to Bolt."""

    def __init__(self, bolt_app: App, db: Database, *, signing_secret: str) -> None:
        self.bolt = SlackRequestHandler(bolt_app, path=EVENTS_PATH)
        self.db = db
        self._secret = signing_secret.encode()

    def _json(
        self, start_response: StartResponse, status: str, body: dict[str, object]
    ) -> Iterable[bytes]:
        payload = json.dumps(body).encode()
        start_response(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def _database_ready(self) -> bool:
        try:
            with self.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one request, logging one line for it with its id and latency."""
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        status = ["500"]

        def start(status_line: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, [*headers, ("X-Request-Id", rid)], *exc_info)

        try:
            return self._route(environ, start)
        finally:
            path = environ.get("PATH_INFO", "")
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            retry = environ.get("HTTP_X_SLACK_RETRY_NUM")
            logger.log(
                logging.DEBUG if path in HEALTH_PATHS else logging.INFO,
                "%s %s %s %.2f ms%s",
                environ.get("REQUEST_METHOD", ""),
                path,
                status[0],
                duration_ms,
                f" (Slack retry {retry})" if retry else "",
                extra={
                    "method": environ.get("REQUEST_METHOD", ""),
                    "path": path,
                    "status": int(status[0]) if status[0].isdigit() else status[0],
                    "duration_ms": duration_ms,
                    "slack": {"retry_num": int(retry)} if retry and retry.isdigit() else None,
                },
            )
            request_id.reset(token)

    def _route(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET":
            if path == "/healthz":
                return self._json(start_response, "200 OK", {"ok": True})
            if path == "/readyz":
                if self._database_ready():
                    return self._json(start_response, "200 OK", {"ok": True, "database": "up"})
                return self._json(
                    start_response, "503 Service Unavailable", {"ok": False, "database": "down"}
                )
        if environ.get("REQUEST_METHOD") == "POST" and path == EVENTS_PATH:
            refused = self._admit(environ)
            if refused is not None:
                status, why = refused
                # One bounded line: never the body (it may hold a live response_url).
                logger.warning("Refused a request to %s: %s", path, why)
                return self._json(start_response, status, {"ok": False, "error": why})
        return self.bolt(environ, start_response)

    def _admit(self, environ: WSGIEnvironment) -> tuple[str, str] | None:
        """Check a Slack request on its raw bytes before anything parses it: its size, its
        timestamp and signature, its encoding. Returns (status, reason) to refuse it, or
        None, having put the body back for Bolt."""
        length = environ.get("CONTENT_LENGTH") or ""
        if not length.isdigit():
            return "411 Length Required", "no Content-Length"
        if int(length) > MAX_BODY_BYTES:
            return "413 Content Too Large", f"a body of {int(length)} bytes"
        body = environ["wsgi.input"].read(int(length))
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return "401 Unauthorized", "no usable X-Slack-Request-Timestamp"
        if abs(time.time() - int(timestamp)) > MAX_SIGNATURE_AGE:
            return "401 Unauthorized", "a stale timestamp"
        expected = hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
        if not hmac.compare_digest(f"v0={expected.hexdigest()}", signature):
            return "401 Unauthorized", f"a bad signature ({len(body)} bytes)"
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return "400 Bad Request", "a body that is not UTF-8"
        environ["wsgi.input"] = io.BytesIO(body)
        return None
