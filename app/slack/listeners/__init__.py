"""Bolt listeners, one module per Slack surface or feature, each with a `register(app)`.

A listener parses the payload, calls one use case (`app.usecases`), and builds the answer
with the pure builders (`app.slack.views`). `services` reaches every handler as an
injected argument, through one middleware.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from app.slack.listeners import (
    checkins,
    choices,
    closing,
    commands,
    edits,
    home,
    lifecycle,
    objectives,
    teams,
)
from app.usecases.services import Services

logger = logging.getLogger("okrbot.slack")


def malformed(body: dict[str, Any], context: BoltContext) -> str | None:
    """Why a signed request cannot be a listener's, or None: no workspace to answer in, a
    click without an action, a modal without its callback id."""
    if not (context.team_id or context.enterprise_id):
        return "no workspace"
    kind = body.get("type")
    if kind == "block_actions":
        actions = body.get("actions")
        if not (isinstance(actions, list) and actions):
            return "a click without actions"
        if not all(isinstance(a, dict) and a.get("action_id") for a in actions):
            return "an action without an action_id"
    view = body.get("view")
    if kind in ("view_submission", "view_closed") or view is not None:
        if not (isinstance(view, dict) and isinstance(view.get("type"), str)):
            return "a modal without its type"
        if kind != "block_actions" and not isinstance(view.get("callback_id"), str):
            return "a modal without a callback id"
    return None


class _Gate(Middleware):
    """Refuses signed requests no listener can use, and hands the others `services`.

    A class, not a function: Bolt builds a function middleware's arguments from the payload
    first (its first action among them), which fails on the very payloads refused here.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        problem = malformed(req.body, req.context)
        if problem is not None:
            # Signed, so from Slack (or someone holding the secret), but not usable: one line.
            logger.warning("Refused a signed request: %s", problem)
            return BoltResponse(status=400, body="")
        req.context["services"] = self.services
        return next()


def register(app: App, services: Services) -> None:
    """Attach every listener; each receives `services` as an injected argument."""
    app.middleware(_Gate(services))
    for module in (commands, objectives, edits, checkins, teams, choices, closing, home, lifecycle):
        module.register(app)
