"""The weekly check-in: `/okr checkin`, the prompt's buttons, the form, `/okr snooze`."""

from __future__ import annotations

import json
import logging
from logging import Logger
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.domain.checkins import CheckInEntry
from app.domain.schedule import parse_duration
from app.domain.types import Confidence
from app.slack import ids
from app.slack.forms import state_value
from app.slack.listeners.home import publish_home
from app.slack.listeners.objectives import read_number
from app.slack.listeners.support import (
    USAGES,
    SlashRequest,
    UsageError,
    acked,
    caller_of,
    field_errors,
    guarded,
    reply,
    view_metadata,
)
from app.slack.views.checkin import (
    NOTE_MAX,
    build_checkin_answered,
    build_checkin_modal,
    checkin_summary,
)
from app.slack.views.help import build_notice
from app.usecases import checkins
from app.usecases.checkins import CheckInRefused, CheckInScope, NothingToCheckIn
from app.usecases.services import Caller, Services

logger = logging.getLogger("okrbot.checkins")

CONFIDENCE_VALUES = frozenset(c.value for c in Confidence)


def checkin_view(
    *,
    services: Services,
    caller: Caller,
    team_id: int | None = None,
    period: str | None = None,
    team_name: str | None = None,
    channel: str | None = None,
    message_ts: str | None = None,
    from_home: bool = False,
) -> dict[str, Any] | str:
    """The check-in modal, or a sentence for the caller saying why there is none."""
    try:
        scope = checkins.checkin_form(
            services,
            caller,
            now=services.now(),
            team_id=team_id,
            period=period,
            team_name=team_name,
        )
    except NothingToCheckIn as reason:
        return str(reason)
    return build_checkin_modal(
        team_id=scope.team.id or 0,
        team_name=scope.team.name,
        period=scope.period,
        lines=list(scope.lines),
        channel=channel,
        message_ts=message_ts,
        from_home=from_home,
    )


def refresh_prompts(
    *,
    services: Services,
    client: WebClient,
    scope: CheckInScope,
    summary: str,
    also: tuple[str | None, str | None] = (None, None),
    caller: Caller | None = None,
) -> None:
    """Update the week's prompt and reminder in place to show what was recorded, and, given
    a `caller`, their Home tab (only when the answer came from it: Slack asks for a fresh
    Home tab, `app_home_opened`, each time someone opens it)."""
    answered = checkins.answered_prompts(services, scope, also=also)
    payload = build_checkin_answered(
        team_name=scope.team.name, period=scope.period, lines=answered.lines, summary=summary
    )
    for channel, ts in answered.messages:
        try:
            client.chat_update(channel=channel, ts=ts, **payload)
        except (SlackApiError, OSError) as failure:
            # The answer is recorded; a stale prompt is cosmetic. Say so in the logs.
            logger.warning("Failed to update the prompt %s/%s: %s", channel, ts, failure)
    if caller is not None:
        try:
            publish_home(services=services, client=client, caller=caller)
        except (SlackApiError, OSError) as failure:
            logger.warning("Failed to refresh the Home tab: %s", failure)


def checkin_command(request: SlashRequest) -> None:
    """`/okr checkin [team]`."""
    view = checkin_view(
        services=request.services, caller=request.caller(), team_name=" ".join(request.args) or None
    )
    if isinstance(view, str):
        request.notice(view)
        return
    request.ack()
    request.open_modal(view)


def snooze_command(request: SlashRequest) -> None:
    """`/okr snooze 2w` / `/okr snooze off`."""
    text = " ".join(request.args)
    now = request.services.now()
    if text.strip().lower() in ("off", "stop", "end", "resume"):
        until = None
    else:
        duration = parse_duration(text)
        if duration is None:
            raise UsageError(
                "Say how long to pause check-ins, like `2w` (two weeks) or `3d`, "
                "up to 12 weeks; `off` resumes them.",
                USAGES["snooze"],
            )
        until = now + duration
    checkins.set_snooze(request.services, request.caller(), until)
    if until is None:
        text_out = ":bell: Check-ins are back on. The next prompt comes at your team's usual time."
    else:
        text_out = (
            f":zzz: No check-in prompts or reminders until {until:%A %-d %B} "
            "(UTC). `/okr snooze off` ends it early."
        )
    request.notice(text_out)


# --- the prompt's buttons ------------------------------------------------------------------


STALE_BUTTON = "That button is from a message I no longer know how to answer."


def _button_scope(action: dict[str, Any]) -> tuple[int, str] | None:
    """The team and week a prompt's button answers, as `button_value` wrote them; None when
    the value is not one (checked like typed input: it comes back from Slack)."""
    try:
        data = json.loads(action.get("value") or "{}")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    team, period = data.get("team"), data.get("period")
    if not (isinstance(team, int) and 0 < team < 2**31 and isinstance(period, str)):
        return None
    return team, period


def _message_of(body: dict[str, Any]) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    return container.get("channel_id"), container.get("message_ts")


def _message_in(metadata: dict[str, Any]) -> tuple[str | None, str | None]:
    """The prompt a form was opened from, as its metadata names it (ids of Slack's shape
    only: the app updates that message)."""
    channel, ts = metadata.get("channel"), metadata.get("ts")
    if not (isinstance(channel, str) and isinstance(ts, str)):
        return None, None
    if not (channel[:1] in "CDG" and channel[1:].isalnum() and len(channel) <= 24):
        return None, None
    seconds, _, fraction = ts.partition(".")
    if not (seconds.isdigit() and fraction.isdigit() and len(ts) <= 24):
        return None, None
    return channel, ts


def _from_home(body: dict[str, Any]) -> bool:
    """True when the clicked button is on the person's Home tab."""
    return bool((body.get("view") or {}).get("type") == "home")


@acked("open the check-in")
def handle_checkin_update(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """The prompt's "Update" button: the check-in modal, prefilled."""
    caller = caller_of(services, context, create=True)
    scope = _button_scope(action)
    if scope is None:
        reply(respond, build_notice(STALE_BUTTON), client=client, user_id=caller.slack_user_id)
        return
    team_id, period = scope
    channel, message_ts = _message_of(body)
    view = checkin_view(
        services=services,
        caller=caller,
        team_id=team_id,
        period=period,
        channel=channel,
        message_ts=message_ts,
        from_home=_from_home(body),
    )
    if isinstance(view, str):
        reply(respond, build_notice(view), client=client, user_id=caller.slack_user_id)
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def quick_answer(*, skip: bool) -> Any:
    """The handler of "No change this week" (`skip=False`) or "Skip, I'm away"."""

    @acked("record a one-click check-in")
    def handle_quick_answer(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
        services: Services,
        logger: Logger,
    ) -> None:
        """One click: "No change this week" or "Skip, I'm away"."""
        caller = caller_of(services, context, create=True)
        button = _button_scope(action)
        if button is None:
            reply(respond, build_notice(STALE_BUTTON), client=client, user_id=caller.slack_user_id)
            return
        team_id, period = button
        try:
            scope, entries = checkins.record_quick_answer(
                services, caller, team_id=team_id, period=period, skip=skip, now=services.now()
            )
        except NothingToCheckIn as reason:
            reply(respond, build_notice(str(reason)), client=client, user_id=caller.slack_user_id)
            return
        refresh_prompts(
            services=services,
            client=client,
            scope=scope,
            summary=checkin_summary(entries),
            also=_message_of(body),
            caller=caller if _from_home(body) else None,
        )

    return handle_quick_answer


# --- the form ------------------------------------------------------------------------------


def _read_entries(values: dict[str, Any], errors: dict[str, str]) -> list[CheckInEntry]:
    entries: list[CheckInEntry] = []
    for block_id in values:
        if not block_id.startswith(ids.BLOCK_CHECKIN_VALUE):
            continue
        kr_id = int(block_id[len(ids.BLOCK_CHECKIN_VALUE) :])
        value = read_number(values, block_id, errors)
        confidence_block = f"{ids.BLOCK_CHECKIN_CONFIDENCE}{kr_id}"
        confidence_raw = state_value(values, confidence_block)
        known = confidence_raw in CONFIDENCE_VALUES
        if not known:
            errors[confidence_block] = "Choose on track, at risk or off track."
        note_block = f"{ids.BLOCK_CHECKIN_NOTE}{kr_id}"
        note = state_value(values, note_block) or ""
        if len(note) > NOTE_MAX:
            errors[note_block] = f"Keep the note to {NOTE_MAX} characters (this is {len(note)})."
        entries.append(
            CheckInEntry(
                key_result_id=kr_id,
                value=value,
                confidence=Confidence(confidence_raw) if known and confidence_raw else None,
                note=note,
            )
        )
    return entries


@guarded("record a check-in")
def handle_checkin_submission(
    ack: Ack,
    view: dict[str, Any],
    logger: Logger,
    services: Services,
    context: BoltContext,
    client: WebClient,
) -> None:
    """Record the week's values, confidences and notes; the prompt updates in place."""
    metadata = view_metadata(view)
    caller = caller_of(services, context, create=True)
    errors: dict[str, str] = {}
    entries = _read_entries(view["state"]["values"], errors)
    if errors:
        field_errors(ack, errors)
        return
    try:
        scope = checkins.record_check_in(
            services,
            caller,
            team_id=team if isinstance(team := metadata.get("team"), int) else 0,
            period=period if isinstance(period := metadata.get("period"), str) else None,
            entries=entries,
            now=services.now(),
        )
    except CheckInRefused as refused:
        field_errors(ack, {f"{ids.BLOCK_CHECKIN_VALUE}{refused.key_result_id}": refused.message})
        return
    ack()
    services.after_ack.submit(
        "update the check-in prompt",
        lambda: refresh_prompts(
            services=services,
            client=client,
            scope=scope,
            summary=checkin_summary(entries),
            also=_message_in(metadata),
            caller=caller if metadata.get("home") else None,
        ),
    )


def register(app: App) -> None:
    """Attach the check-in buttons and form."""
    app.action(ids.ACTION_CHECKIN_UPDATE)(handle_checkin_update)
    app.action(ids.ACTION_CHECKIN_NO_CHANGE)(quick_answer(skip=False))
    app.action(ids.ACTION_CHECKIN_SKIP)(quick_answer(skip=True))
    app.view(ids.VIEW_CHECKIN)(handle_checkin_submission)
