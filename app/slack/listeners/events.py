"""Events API listeners."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from app.domain.cycles import quarter_of
from app.domain.okrs import TeamOKRs
from app.services import Services
from app.slack import ids
from app.slack.listeners.common import caller_of
from app.slack.views.home import build_home_view
from app.store.directory import teams_of_member
from app.store.okrs import find_cycle, team_okrs, today_in


def handle_app_home_opened(
    event: dict[str, Any], client: WebClient, context: Any, services: Services, logger: Logger
) -> None:
    """Publish the person's Home tab: their key results and their teams' objectives."""
    if event.get("tab") not in (None, "home"):
        return
    try:
        caller = caller_of(services, context)
        teams: list[TeamOKRs] = []
        with services.db.read() as session:
            if caller.member_id is not None:
                for team in teams_of_member(
                    session, workspace_id=caller.workspace_id, member_id=caller.member_id
                ):
                    span = quarter_of(today_in(team.timezone, services.now()))
                    cycle = find_cycle(session, workspace_id=caller.workspace_id, label=span.label)
                    teams.append(
                        team_okrs(session, workspace_id=caller.workspace_id, team=team, cycle=cycle)
                        if cycle
                        else TeamOKRs(team.id or 0, team.name, span.label, [])
                    )
        client.views_publish(
            user_id=event["user"], view=build_home_view(user_id=event["user"], teams=teams)
        )
    except Exception:
        logger.exception("Failed to publish the Home tab")


def register(app: App) -> None:
    """Attach the event listeners."""
    app.event(ids.EVENT_APP_HOME_OPENED)(handle_app_home_opened)
