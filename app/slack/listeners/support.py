"""What every listener shares: who is asking, acking once, failing politely, and the
words for a use case's refusals."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.slack.blocks import escape
from app.slack.views.help import build_notice
from app.usecases.errors import NoSuchTeam, NotAllowed, NotFound, Refused, WhichTeam
from app.usecases.services import Caller, Services

GENERIC_FAILURE = "Sorry, that didn't work on our side. Nothing was changed; please try again."
# After the answer has gone, part of the work may have been done: no promise about that.
LATE_FAILURE = "Sorry, that didn't work on our side. Please try again."

USAGES = {
    "new": "/okr new",
    "list": "/okr list [team] [--cycle 2026-Q3] [--from N]",
    "edit": "/okr edit O12 | KR34",
    "archive": "/okr archive O12 | KR34",
    "team": "/okr team",
    "check": "/okr check <key result text>",
    "checkin": "/okr checkin [team]",
    "digest": "/okr digest [post] [team] [--from N]",
    "close": "/okr close [2026-Q3] [team]",
    "snooze": "/okr snooze <2w | 3d | off>",
    "help": "/okr help",
}

Handler = Callable[..., None]


def caller_of(services: Services, context: BoltContext, *, create: bool = False) -> Caller:
    """The Slack user behind a request, resolved to our rows (with `create`, their member
    row is made on first sight)."""
    return services.caller(
        team_id=context.team_id or "",
        enterprise_id=context.enterprise_id,
        user_id=context.user_id or "",
        create=create,
    )


def has_acked(ack: Ack) -> bool:
    """True once `ack` was called (Bolt stores the response it built)."""
    return getattr(ack, "response", None) is not None


def ephemeral(payload: dict[str, Any]) -> dict[str, Any]:
    """A slash command's answer, visible to the caller only."""
    return {"response_type": "ephemeral", **payload}


def reply(
    respond: Respond,
    payload: dict[str, Any],
    *,
    client: WebClient | None = None,
    user_id: str | None = None,
) -> None:
    """A private message to the person who clicked, below the message clicked in.

    Clicks in a modal or on the Home tab come without a `response_url`: the message then
    goes to the person's direct messages with the app, given a `client` and `user_id`.
    """
    if respond.response_url:
        respond(**payload, response_type="ephemeral", replace_original=False)
    elif client is not None and user_id:
        client.chat_postMessage(channel=user_id, text=payload["text"], blocks=payload["blocks"])


def refusal_text(refused: Refused) -> str:
    """The sentence for a refusal about an objective or key result."""
    if isinstance(refused, NotFound):
        return f"There is no {refused.ref.label}. `/okr list` shows the ids."
    if isinstance(refused, NotAllowed):
        who = f"its owner (<@{refused.owner}>)" if refused.owner else "its owner"
        return f"Only {who} or a team admin can change {refused.ref.label}."
    return str(refused) or GENERIC_FAILURE


_NOT_POSTABLE = {
    "not_in_channel": "I'm not in <#{channel}>: invite me there (`/invite @okrbot`), "
    "then try again.",
    "channel_not_found": "I can't see <#{channel}>: if it is private, invite me there "
    "(`/invite @okrbot`); if it was deleted, `/okr team` sets another.",
    "is_archived": "<#{channel}> is archived: `/okr team` sets another channel.",
}


def post_problem(failure: SlackApiError, channel: str) -> str:
    """What to tell an admin when Slack refused a post in `channel`."""
    error = str(failure.response.get("error", "")) if failure.response is not None else ""
    known = _NOT_POSTABLE.get(error)
    if known:
        return known.format(channel=channel)
    return f"Slack refused the post in <#{channel}> ({escape(error or 'no reason given')})."


def user_timezone(client: WebClient, user_id: str) -> str | None:
    """The user's time zone from their Slack profile; None when Slack can't say."""
    try:
        return client.users_info(user=user_id)["user"].get("tz")  # type: ignore[no-any-return]
    except Exception:
        return None


@dataclass
class UsageError(Exception):
    """A slash command's arguments are wrong: `text` says how, `usage` shows the form."""

    text: str
    usage: str


def which_team_error(refused: NoSuchTeam | WhichTeam, subcommand: str) -> UsageError:
    """The usage answer when a command's team is unknown, or not named and not obvious."""
    if isinstance(refused, NoSuchTeam):
        return UsageError(f"There is no team called *{escape(refused.name)}*.", USAGES[subcommand])
    return UsageError("Which team? Name it.", USAGES[subcommand])


@dataclass
class SlashRequest:
    """One `/okr <subcommand> ...` request, as the router hands it to a subcommand."""

    ack: Ack
    respond: Respond
    client: WebClient
    context: BoltContext
    services: Services
    command: dict[str, Any]
    args: list[str]

    def caller(self, *, create: bool = True) -> Caller:
        """The caller, made a member on first sight."""
        return caller_of(self.services, self.context, create=create)

    def answer(self, payload: dict[str, Any]) -> None:
        """Ack with a message only the caller sees."""
        self.ack(**ephemeral(payload))

    def notice(self, text: str) -> None:
        """Ack with a one-line notice only the caller sees."""
        self.answer(build_notice(text))

    def open_modal(self, view: dict[str, Any]) -> None:
        """Open `view` for the caller once the command is answered."""
        client, trigger_id = self.client, self.command["trigger_id"]
        self.services.after_ack.submit(
            "open a modal", lambda: client.views_open(trigger_id=trigger_id, view=view)
        )

    def later(self, what: str, work: Callable[[], object]) -> None:
        """Run `work` (Slack calls) once the command is answered."""
        self.services.after_ack.submit(what, work)

    def no_args(self, subcommand: str) -> None:
        """Raise UsageError when the subcommand was given arguments."""
        if self.args:
            raise UsageError(
                f"`/okr {subcommand}` takes no arguments (got `{escape(' '.join(self.args))}`).",
                USAGES[subcommand],
            )


def acked(what: str) -> Callable[[Handler], Handler]:
    """For buttons and menus: ack at once, then run the handler after the answer has gone
    (`Services.after_ack`), so that nothing it asks of Slack makes the ack late. An
    unexpected failure is logged and the person gets a private "that didn't work" instead
    of silence.

    The handler declares `ack`, `body`, `client`, `respond`, `services` and `logger`: Bolt
    injects arguments by the handler's own signature.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapper(**kwargs: Any) -> None:
            kwargs["ack"]()

            def work() -> None:
                try:
                    handler(**kwargs)
                except Exception:
                    kwargs["logger"].exception("Failed to %s", what)
                    user_id = (kwargs["body"].get("user") or {}).get("id")
                    reply(
                        kwargs["respond"],
                        build_notice(LATE_FAILURE),
                        client=kwargs["client"],
                        user_id=user_id,
                    )

            kwargs["services"].after_ack.submit(what, work)

        return wrapper

    return decorate


def _first_input_block(view: dict[str, Any]) -> str | None:
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            return block.get("block_id")  # type: ignore[no-any-return]
    return None


def guarded(what: str) -> Callable[[Handler], Handler]:
    """For modal submissions: turn an unexpected failure into a logged error and a message
    on the modal.

    The modal stays open with what the person typed; nothing half-written remains because
    every save is one transaction.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapper(ack: Ack, view: dict[str, Any], logger: Logger, **kwargs: Any) -> None:
            try:
                handler(ack=ack, view=view, logger=logger, **kwargs)
            except Exception:
                logger.exception("Failed to %s", what)
                if has_acked(ack):
                    return
                block_id = _first_input_block(view)
                if block_id:
                    ack(response_action="errors", errors={block_id: GENERIC_FAILURE})
                else:
                    ack()

        return wrapper

    return decorate


def view_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's `private_metadata` as the object the app wrote there; empty when it is not
    one (an old or odd payload: checked like anything else that comes back from Slack)."""
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def submission_key(view: dict[str, Any]) -> str | None:
    """What names one submission of a modal: its view id and hash (a resubmission of the
    same view carries both again)."""
    view_id, view_hash = view.get("id"), view.get("hash")
    if not (isinstance(view_id, str) and isinstance(view_hash, str) and view_id and view_hash):
        return None
    return f"view:{view_id[:20]}:{view_hash[:36]}"


def field_errors(ack: Ack, errors: dict[str, str]) -> None:
    """Keep the modal open with each problem shown on its field."""
    ack(response_action="errors", errors=errors)
