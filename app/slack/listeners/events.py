"""Events API listeners, and publishing the Home tab."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import delete

from app.db.platform import ProcessedEvent
from app.domain.cycles import current_period, current_quarter
from app.domain.okrs import TeamOKRs
from app.domain.types import Confidence
from app.services import Caller, Services
from app.slack import ids
from app.slack.listeners.common import caller_of
from app.slack.views.home import HomeTeam, LastCheckIn, build_home_view
from app.store.checkins import latest_check_ins
from app.store.directory import teams_of_member
from app.store.erase import erase_workspace_data
from app.store.okrs import find_cycle, team_okrs, teams_of_owner
from app.store.sql import insert_or_ignore

logger = logging.getLogger("okrbot.events")


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
                span = current_quarter(team.timezone, services.now())
                cycle = find_cycle(session, workspace_id=caller.workspace_id, label=span.label)
                okrs = (
                    team_okrs(session, workspace_id=caller.workspace_id, team=team, cycle=cycle)
                    if cycle
                    else TeamOKRs(team.id or 0, team.name, span.label, [])
                )
                teams.append(
                    HomeTeam(okrs=okrs, period=current_period(team.timezone, services.now()))
                )
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
    body: dict[str, Any],
    event: dict[str, Any],
    client: WebClient,
    context: Any,
    services: Services,
    logger: Logger,
) -> None:
    """Publish the person's Home tab."""
    if event.get("tab") not in (None, "home"):
        return
    try:
        publish_home(services=services, client=client, caller=caller_of(services, context))
    except Exception:
        logger.exception("Failed to publish the Home tab")


def once_per_event(handler: Callable[..., None]) -> Callable[..., None]:
    """Run `handler` once per Events API `event_id`, however often Slack delivers it.

    Slack delivers events at least once: it retries (with `X-Slack-Retry-Num`) when an
    answer is slow or fails. The first delivery to claim the id runs the handler; later
    ones are acknowledged and dropped. A retry whose original never arrived claims the id
    itself and runs. If the handler fails, the claim is released so a retry can run it.
    """

    @functools.wraps(handler)
    def wrapper(body: dict[str, Any], services: Services, **kwargs: Any) -> None:
        event_id = body.get("event_id")
        if not event_id:
            handler(body=body, services=services, **kwargs)
            return
        with services.db.write() as session:
            claimed = insert_or_ignore(
                session,
                ProcessedEvent,
                {"event_id": str(event_id)[:64], "received_at": services.now()},
                keys=("event_id",),
            )
        if not claimed:
            logger.info("Ignored a repeated delivery of event %s", event_id)
            return
        try:
            handler(body=body, services=services, **kwargs)
        except BaseException:
            with services.db.write() as session:
                session.execute(
                    delete(ProcessedEvent).where(
                        ProcessedEvent.event_id == str(event_id)[:64]  # type: ignore[arg-type]
                    )
                )
            raise

    return wrapper


def _erase(services: Services, team_id: str | None, enterprise_id: str | None) -> None:
    """Delete a workspace's tokens and data; idempotent."""
    if services.installer is not None:
        services.installer.forget(team_id=team_id, enterprise_id=enterprise_id)
    if team_id:
        with services.db.write() as session:
            rows = erase_workspace_data(session, slack_team_id=team_id, enterprise_id=enterprise_id)
        services.list_cache.clear()
        services.teams_cache.clear()
        logger.info("Deleted workspace %s's tokens and %d rows of its data", team_id, rows)


def handle_app_uninstalled(body: dict[str, Any], services: Services, **_: Any) -> None:
    """The app was removed from a workspace: delete its tokens and everything it stored."""
    _erase(services, body.get("team_id"), body.get("enterprise_id"))


def handle_tokens_revoked(body: dict[str, Any], services: Services, **_: Any) -> None:
    """Tokens were revoked: a revoked bot token ends the install, like an uninstall.

    Revoked user tokens (this app asks for none) only remove those users' installations.
    """
    tokens = (body.get("event") or {}).get("tokens") or {}
    team_id, enterprise_id = body.get("team_id"), body.get("enterprise_id")
    if tokens.get("bot"):
        _erase(services, team_id, enterprise_id)
        return
    if services.installer is not None:
        for user_id in tokens.get("oauth") or []:
            services.installer.installation_store.delete_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
            )


def register(app: App) -> None:
    """Attach the event listeners."""
    app.event(ids.EVENT_APP_HOME_OPENED)(once_per_event(handle_app_home_opened))
    app.event(ids.EVENT_APP_UNINSTALLED)(once_per_event(handle_app_uninstalled))
    app.event(ids.EVENT_TOKENS_REVOKED)(once_per_event(handle_tokens_revoked))
