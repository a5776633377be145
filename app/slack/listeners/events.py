"""Events API listeners, and publishing the Home tab."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from app.checkins.content import current_period
from app.domain.cycles import quarter_of
from app.domain.okrs import TeamOKRs
from app.domain.types import Confidence
from app.services import Caller, Services
from app.slack import ids
from app.slack.listeners.common import caller_of
from app.slack.views.home import HomeTeam, LastCheckIn, build_home_view
from app.store.checkins import latest_check_ins
from app.store.directory import teams_of_member
from app.store.okrs import find_cycle, team_okrs, teams_of_owner, today_in


def publish_home(*, services: Services, client: WebClient, caller: Caller) -> None:
    """Build and publish the caller's Home tab (after it opens, and after a check-in)."""
    teams: list[HomeTeam] = []
    last: dict[int, LastCheckIn] = {}
    with services.db.read() as session:
        if caller.member_id is not None:
            member_teams = teams_of_member(
                session, workspace_id=caller.workspace_id, member_id=caller.member_id
            )
            owner_teams = teams_of_owner(
                session, workspace_id=caller.workspace_id, member_id=caller.member_id
            )
            seen = {t.id for t in member_teams}
            for team in member_teams + [t for t in owner_teams if t.id not in seen]:
                span = quarter_of(today_in(team.timezone, services.now()))
                cycle = find_cycle(session, workspace_id=caller.workspace_id, label=span.label)
                okrs = (
                    team_okrs(session, workspace_id=caller.workspace_id, team=team, cycle=cycle)
                    if cycle
                    else TeamOKRs(team.id or 0, team.name, span.label, [])
                )
                teams.append(HomeTeam(okrs=okrs, period=current_period(team, services.now())))
            mine = [
                kr.id
                for home in teams
                for objective in home.okrs.objectives
                for kr in objective.key_results
                if kr.owner == caller.slack_user_id
            ]
            for kr_id, row in latest_check_ins(session, key_result_ids=mine).items():
                last[kr_id] = LastCheckIn(
                    period=row.iso_week,
                    value=row.value,
                    confidence=Confidence(row.confidence) if row.confidence else None,
                )
    client.views_publish(
        user_id=caller.slack_user_id,
        view=build_home_view(user_id=caller.slack_user_id, teams=teams, last_checkins=last),
    )


def handle_app_home_opened(
    event: dict[str, Any], client: WebClient, context: Any, services: Services, logger: Logger
) -> None:
    """Publish the person's Home tab."""
    if event.get("tab") not in (None, "home"):
        return
    try:
        publish_home(services=services, client=client, caller=caller_of(services, context))
    except Exception:
        logger.exception("Failed to publish the Home tab")


def register(app: App) -> None:
    """Attach the event listeners."""
    app.event(ids.EVENT_APP_HOME_OPENED)(handle_app_home_opened)
