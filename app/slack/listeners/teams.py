"""`/okr team`: join a team, or create one; admins change its settings."""

from __future__ import annotations

import datetime as dt
import json
from logging import Logger
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from app.domain.okrs import TEAM_NAME_MAX, title_errors
from app.slack import ids
from app.slack.forms import state_value
from app.slack.listeners.support import (
    SlashRequest,
    acked,
    caller_of,
    field_errors,
    guarded,
    submission_key,
    user_timezone,
)
from app.slack.views.team_modal import (
    COUNT_MAX,
    build_team_done_view,
    build_team_pick_view,
    build_team_settings_view,
)
from app.store.directory import TeamSettings
from app.usecases import teams
from app.usecases.errors import NotTeamAdmin, Problem, TeamGone
from app.usecases.services import Caller, Services


def _new_team_view(client: WebClient, caller: Caller) -> dict[str, Any]:
    """A new team's settings, in the creator's time zone."""
    timezone = user_timezone(client, caller.slack_user_id) or "UTC"
    return build_team_settings_view(team_id=None, settings=TeamSettings(name="", timezone=timezone))


def open_team(*, services: Services, caller: Caller, client: WebClient, trigger_id: str) -> None:
    """Open `/okr team`: pick a team, or go straight to creating one when there is none."""
    choices = teams.team_choices(services, caller)
    if choices.teams:
        view = build_team_pick_view(teams=choices.teams, current=choices.mine)
    else:
        view = _new_team_view(client, caller)
    client.views_open(trigger_id=trigger_id, view=view)


def team_command(request: SlashRequest) -> None:
    """`/okr team`."""
    request.no_args("team")
    caller = request.caller()
    services, client, trigger_id = request.services, request.client, request.command["trigger_id"]
    request.ack()
    # A new team's form asks Slack for the creator's time zone: after the answer too.
    request.later(
        "open the team form",
        lambda: open_team(services=services, caller=caller, client=client, trigger_id=trigger_id),
    )


@acked("open the team form")
def handle_open_team(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """The "Team settings" / "Create a team" buttons."""
    caller = caller_of(services, context, create=True)
    open_team(services=services, caller=caller, client=client, trigger_id=body["trigger_id"])


@guarded("choose a team")
def handle_team_pick(
    ack: Ack,
    view: dict[str, Any],
    logger: Logger,
    services: Services,
    context: BoltContext,
    client: WebClient,
) -> None:
    """Join the chosen team, or go on to its settings (admins) or to a new team's."""
    choice = state_value(view["state"]["values"], ids.BLOCK_TEAM_CHOICE)
    caller = caller_of(services, context, create=True)
    if choice == ids.NEW_TEAM_VALUE or not choice:
        ack(response_action="update", view=_new_team_view(client, caller))
        return
    try:
        picked = teams.pick_team(services, caller, int(choice))
    except TeamGone:
        field_errors(ack, {ids.BLOCK_TEAM_CHOICE: "That team no longer exists."})
        return
    if picked.joined:
        view_out = build_team_done_view(settings=picked.settings, admins=picked.admins, joined=True)
    else:
        view_out = build_team_settings_view(team_id=picked.team_id, settings=picked.settings)
    ack(response_action="update", view=view_out)


def _weekday(values: dict[str, Any], block_id: str, default: int, errors: dict[str, str]) -> int:
    raw = state_value(values, block_id)
    if raw is None:
        return default
    if raw.isdigit() and 0 <= int(raw) <= 6:
        return int(raw)
    errors[block_id] = "Choose a day from the list."
    return default


def _clock_time(
    values: dict[str, Any], block_id: str, default: dt.time, errors: dict[str, str]
) -> dt.time:
    raw = state_value(values, block_id)
    if raw is None:
        return default
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        errors[block_id] = "Choose a time like 10:00."
        return default


def _count(values: dict[str, Any], block_id: str, default: int, errors: dict[str, str]) -> int:
    raw = state_value(values, block_id)
    if raw is None:
        return default
    if raw.isdigit() and 1 <= int(raw) <= COUNT_MAX:
        return int(raw)
    errors[block_id] = "Choose a number from the list."
    return default


def _read_team_settings(values: dict[str, Any], errors: dict[str, str]) -> TeamSettings:
    name = state_value(values, ids.BLOCK_TEAM_NAME) or ""
    if problem := title_errors(name, limit=TEAM_NAME_MAX, what="team"):
        errors[ids.BLOCK_TEAM_NAME] = problem.replace("Give the team a title.", "Name the team.")
    channel = state_value(values, ids.BLOCK_TEAM_CHANNEL)
    if not channel:
        errors[ids.BLOCK_TEAM_CHANNEL] = "Choose the channel the weekly digest goes to."
    timezone = state_value(values, ids.BLOCK_TEAM_TIMEZONE) or ""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a directory
        errors[ids.BLOCK_TEAM_TIMEZONE] = (
            f"“{timezone}” is not a time zone I know. Use a name like Europe/Berlin."
        )
    fewest = _count(values, ids.BLOCK_TEAM_MIN_KEY_RESULTS, 2, errors)
    most = _count(values, ids.BLOCK_TEAM_MAX_KEY_RESULTS, 4, errors)
    if fewest > most:
        errors[ids.BLOCK_TEAM_MAX_KEY_RESULTS] = f"Choose at least {fewest}, the fewest above."
    return TeamSettings(
        name=" ".join(name.split()),
        digest_channel=channel,
        timezone=timezone,
        checkin_weekday=_weekday(values, ids.BLOCK_TEAM_CHECKIN_DAY, 4, errors),
        checkin_time=_clock_time(values, ids.BLOCK_TEAM_CHECKIN_TIME, dt.time(10, 0), errors),
        digest_weekday=_weekday(values, ids.BLOCK_TEAM_DIGEST_DAY, 4, errors),
        digest_time=_clock_time(values, ids.BLOCK_TEAM_DIGEST_TIME, dt.time(16, 0), errors),
        max_objectives=_count(values, ids.BLOCK_TEAM_MAX_OBJECTIVES, 3, errors),
        min_key_results=fewest,
        max_key_results=most,
    )


@guarded("save a team")
def handle_team_settings(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: BoltContext
) -> None:
    """Create a team (the creator becomes its admin) or save an existing team's settings."""
    errors: dict[str, str] = {}
    settings = _read_team_settings(view["state"]["values"], errors)
    if errors:
        field_errors(ack, errors)
        return
    team_id = json.loads(view.get("private_metadata") or "{}").get("team")
    caller = caller_of(services, context, create=True)
    try:
        saved = teams.save_team(
            services,
            caller,
            int(team_id) if team_id is not None else None,
            settings,
            now=services.now(),
            once=submission_key(view),
        )
    except Problem as problem:
        field_errors(ack, {ids.BLOCK_TEAM_NAME: problem.message})
        return
    except TeamGone:
        field_errors(ack, {ids.BLOCK_TEAM_NAME: "That team no longer exists."})
        return
    except NotTeamAdmin:
        field_errors(ack, {ids.BLOCK_TEAM_NAME: "Only the team's admins can change it."})
        return
    ack(
        response_action="update",
        view=build_team_done_view(
            settings=settings, admins=saved.admins, joined=False, created=saved.created
        ),
    )


def register(app: App) -> None:
    """Attach the team forms and buttons."""
    app.view(ids.VIEW_TEAM_PICK)(handle_team_pick)
    app.view(ids.VIEW_TEAM_SETTINGS)(handle_team_settings)
    app.action(ids.ACTION_OPEN_TEAM)(handle_open_team)
