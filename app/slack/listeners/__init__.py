"""Bolt listeners, one module per Slack surface, each with a `register(app)`."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext

from app.services import Services
from app.slack.listeners import actions, commands, events, views


def register(app: App, services: Services) -> None:
    """Attach every listener; each receives `services` as an injected argument."""

    def inject_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["services"] = services
        next()

    app.middleware(inject_services)
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
