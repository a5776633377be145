"""Closing a cycle: `/okr close`, and carrying unfinished key results into the next one."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.domain.cycles import parse_cycle_label
from app.slack import ids
from app.slack.blocks import escape
from app.slack.listeners.support import (
    SlashRequest,
    acked,
    caller_of,
    post_problem,
    refusal_text,
    reply,
    which_team_error,
)
from app.slack.outbound import Outgoing, post_outgoing
from app.slack.views.closing import (
    build_closing_messages,
    closing_message_for,
    parse_carry_value,
)
from app.slack.views.help import build_notice
from app.usecases import cycles, okrs
from app.usecases.errors import NoSuchTeam, NotFound, NotTeamAdmin, Refused, WhichTeam
from app.usecases.services import Services


def close_command(request: SlashRequest) -> None:
    """`/okr close [2026-Q3] [team]`: team admins score and close the cycle."""
    label, team_words = None, list(request.args)
    if team_words:
        try:
            label = parse_cycle_label(team_words[0]).label
            team_words = team_words[1:]
        except ValueError:
            label = None
    try:
        closed = cycles.close(
            request.services,
            request.caller(),
            team_name=" ".join(team_words),
            label=label,
            now=request.services.now(),
        )
    except (NoSuchTeam, WhichTeam) as refused:
        raise which_team_error(refused, "close") from None
    except NotTeamAdmin as refused:
        request.notice(f"Only {escape(refused.team_name)}'s admins can close a cycle.")
        return
    except cycles.NothingToClose as nothing:
        request.notice(f"{escape(nothing.team_name)} has nothing in {nothing.label} to close.")
        return
    if closed.already:
        request.notice(f"{escape(closed.team_name)}'s {closed.label} was already closed.")
        return
    messages = build_closing_messages(closed.report)
    channel = closed.channel
    if not channel:
        request.answer(messages[0])
        return
    request.notice(f":checkered_flag: Closed {closed.label}; posting the scores to <#{channel}>.")
    request.later("post a closing", lambda: _post(request, messages, channel))


def _post(request: SlashRequest, messages: list[dict[str, Any]], channel: str) -> None:
    """Post the closing's scores; tell the admin when Slack refuses."""
    try:
        post_outgoing(request.client, Outgoing(messages=messages), channel=channel)
    except SlackApiError as failure:
        reply(request.respond, build_notice(post_problem(failure, channel)))


@acked("carry a key result over")
def handle_carry_over(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """Carry one unfinished key result of a closed cycle into the next one."""
    kr_id = parse_carry_value(action.get("value"))
    caller = caller_of(services, context, create=True)
    if kr_id is None:
        reply(respond, build_notice("That button no longer knows what to carry."))
        return
    try:
        report = okrs.carry_over_key_result(services, caller, kr_id, now=services.now())
    except NotFound:
        reply(respond, build_notice(f"There is no KR{kr_id} to carry."))
        return
    except Refused as refused:
        reply(respond, build_notice(refusal_text(refused)))
        return
    page = closing_message_for(report, kr_id) if report else None
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if page and channel and ts:
        client.chat_update(channel=channel, ts=ts, **page)


def register(app: App) -> None:
    """Attach the carry-over button."""
    app.action(ids.ACTION_CARRY_OVER)(handle_carry_over)
