"""Bolt listeners, one module per Slack surface or feature, each with a `register(app)`.

A listener parses the payload, calls one use case (`app.usecases`), and builds the answer
with the pure builders (`app.slack.views`). `services` reaches every handler as an
injected argument, through one middleware.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext

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


def register(app: App, services: Services) -> None:
    """Attach every listener; each receives `services` as an injected argument."""

    def inject_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["services"] = services
        next()

    app.middleware(inject_services)
    for module in (commands, objectives, edits, checkins, teams, choices, closing, home, lifecycle):
        module.register(app)
