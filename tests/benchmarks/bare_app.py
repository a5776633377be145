"""The baseline for the HTTP benchmark: a bare Bolt app whose only listener acks `/okr`.

Served exactly like the real app, by gunicorn:

    gunicorn --pythonpath tests/benchmarks bare_app:api ...

It reads the same settings as okrbot from the environment: SLACK_SIGNING_SECRET,
SLACK_BOT_TOKEN and SLACK_API_URL (Bolt calls `auth.test` there at its first request, as
the real app does). BENCH_PROCESS_BEFORE_RESPONSE=1 builds it with
`process_before_response=True` (the listener's `ack()` is the HTTP response); otherwise it
uses Bolt's default runner, which runs the listener on a thread pool and polls for the ack
every 10 ms.
"""

from __future__ import annotations

import logging
import os

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def create_bare_app(
    *, signing_secret: str, token: str, api_url: str | None, process_before_response: bool
) -> App:
    """A Bolt app with one listener, `/okr`, that acks with an empty body."""
    app = App(
        client=WebClient(token=token, base_url=api_url or WebClient.BASE_URL),
        signing_secret=signing_secret,
        process_before_response=process_before_response,
        token_verification_enabled=False,
        logger=logging.getLogger("bench.bare"),
    )

    @app.command("/okr")
    def _ack_only(ack: Ack) -> None:
        ack()

    return app


def _from_environment() -> SlackRequestHandler:
    api_url = os.environ.get("SLACK_API_URL") or None
    if api_url and not api_url.endswith("/"):
        api_url += "/"
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING").upper())
    app = create_bare_app(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token=os.environ["SLACK_BOT_TOKEN"],
        api_url=api_url,
        process_before_response=os.environ.get("BENCH_PROCESS_BEFORE_RESPONSE") == "1",
    )
    return SlackRequestHandler(app)


api = _from_environment()
