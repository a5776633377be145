"""The App Home tab, and its "New objective" button."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.slack import ids
from app.slack.listeners.lifecycle import once_per_event
from app.slack.listeners.objectives import new_objective_view
from app.slack.listeners.support import acked, caller_of
from app.slack.listeners.teams import open_team
from app.slack.views.home import build_home_view
from app.usecases.home import home_of
from app.usecases.services import Caller, Services


def publish_home(*, services: Services, client: WebClient, caller: Caller) -> None:
    """Build and publish the caller's Home tab (after it opens, and after a check-in)."""
    home = home_of(services, caller, now=services.now())
    client.views_publish(
        user_id=caller.slack_user_id,
        view=build_home_view(
            user_id=caller.slack_user_id, teams=home.teams, last_checkins=home.last_checkins
        ),
    )


def handle_app_home_opened(
    body: dict[str, Any],
    event: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    services: Services,
    logger: Logger,
) -> None:
    """Publish the person's Home tab."""
    if event.get("tab") not in (None, "home"):
        return
    caller = caller_of(services, context)
    services.after_ack.submit(
        "publish the Home tab", lambda: _publish_or_warn(services, client, caller, logger)
    )


def _publish_or_warn(services: Services, client: WebClient, caller: Caller, logger: Logger) -> None:
    """Publish the Home tab; Slack refusing it (say, the app's Home tab is turned off) is
    one warning line, not a traceback."""
    try:
        publish_home(services=services, client=client, caller=caller)
    except (SlackApiError, OSError) as failure:
        logger.warning("Failed to publish the Home tab of %s: %s", caller.slack_user_id, failure)


@acked("open a new objective")
def handle_open_new(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """The Home tab's "New objective" button (or `/okr team` while there is no team)."""
    caller = caller_of(services, context, create=True)
    view, is_modal = new_objective_view(services, caller)
    if is_modal:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    else:
        open_team(services=services, caller=caller, client=client, trigger_id=body["trigger_id"])


def register(app: App) -> None:
    """Attach the Home tab's event and button."""
    app.event(ids.EVENT_APP_HOME_OPENED)(once_per_event(handle_app_home_opened))
    app.action(ids.ACTION_OPEN_NEW)(handle_open_new)
