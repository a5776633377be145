"""The HTTP face of the app: Bolt at `POST /slack/events`, plus health checks.

`OkrbotWSGI` is itself the WSGI callable gunicorn serves (see `app/wsgi.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from app.db import Database

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

EVENTS_PATH = "/slack/events"


class OkrbotWSGI:
    """Routes `/healthz` and `/readyz` itself and everything else to Bolt."""

    def __init__(self, bolt_app: App, db: Database) -> None:
        self.bolt = SlackRequestHandler(bolt_app, path=EVENTS_PATH)
        self.db = db

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
        return self.bolt(environ, start_response)
