"""The `/okr` slash command: a small router over its subcommands, each answered by the
listener module of its feature."""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from app.domain.coach import check_key_result
from app.slack import ids
from app.slack.blocks import escape
from app.slack.listeners import checkins, closing, digests, edits, listing, objectives, teams
from app.slack.listeners.support import (
    GENERIC_FAILURE,
    USAGES,
    SlashRequest,
    UsageError,
    ephemeral,
    has_acked,
)
from app.slack.views.coach import build_check_message
from app.slack.views.help import build_help_message, build_notice, build_usage_message
from app.usecases.services import Services


def _help(request: SlashRequest) -> None:
    request.answer(build_help_message())


def _check(request: SlashRequest) -> None:
    """`/okr check <text>`: the coach on a key result's words."""
    words = (request.command.get("text") or "").strip()
    text = words[len(words.split()[0]) :].strip()
    if not text:
        raise UsageError(
            "Give me the words of a key result to check, e.g. "
            "`/okr check Launch the onboarding wizard`.",
            USAGES["check"],
        )
    request.answer(build_check_message(text, check_key_result(text)))


SUBCOMMANDS: dict[str, Callable[[SlashRequest], None]] = {
    "help": _help,
    "?": _help,
    "list": listing.list_command,
    "new": objectives.new_command,
    "team": teams.team_command,
    "check": _check,
    "checkin": checkins.checkin_command,
    "close": closing.close_command,
    "digest": digests.digest_command,
    "snooze": checkins.snooze_command,
    "edit": edits.edit_or_archive_command,
    "archive": edits.edit_or_archive_command,
}


def handle_okr_command(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """Route `/okr <subcommand> ...`; every reply is visible to the caller only."""
    words = (command.get("text") or "").split()
    subcommand = words[0].lower() if words else "help"
    run = SUBCOMMANDS.get(subcommand)
    try:
        if run is None:
            ack(
                **ephemeral(
                    build_usage_message(
                        f"I don't know `/okr {escape(subcommand)}`. Try one of: "
                        + ", ".join(f"`{escape(u)}`" for u in USAGES.values())
                    )
                )
            )
            return
        run(SlashRequest(ack, respond, client, context, services, command, words[1:]))
    except UsageError as problem:
        ack(**ephemeral(build_usage_message(problem.text, problem.usage)))
    except Exception:
        logger.exception("Failed to handle /okr %s", subcommand)
        if not has_acked(ack):
            ack(**ephemeral(build_notice(GENERIC_FAILURE)))


def register(app: App) -> None:
    """Attach the slash command listener."""
    app.command(ids.OKR_COMMAND)(handle_okr_command)
