"""`/okr list [team] [--cycle 2026-Q3]`: a team's OKRs, visible only to the caller."""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt import BoltResponse

from app.domain.cycles import parse_cycle_label
from app.domain.okrs import TeamOKRs
from app.domain.scoring import ClosingReport
from app.slack.blocks import escape
from app.slack.listeners.pages import from_option, send_pages
from app.slack.listeners.support import USAGES, SlashRequest, UsageError
from app.slack.views.closing import build_closed_list_messages
from app.slack.views.okr_list import BuiltList, build_okr_list_messages
from app.usecases import listing
from app.usecases.errors import NoSuchTeam

_JSON: dict[str, str | Sequence[str]] = {"content-type": "application/json;charset=utf-8"}


class _Render:
    """Lists as Block Kit messages, serialized once per build (see `BuiltList`)."""

    @staticmethod
    def open(okrs: TeamOKRs) -> BuiltList:
        return BuiltList(build_okr_list_messages(okrs))

    @staticmethod
    def closed(report: ClosingReport) -> BuiltList:
        return BuiltList(build_closed_list_messages(report))


RENDER = _Render()


def cycle_option(args: list[str]) -> tuple[str | None, list[str]]:
    """Take `--cycle 2026-Q3` (or `--cycle=2026-Q3`) out of the arguments."""
    rest: list[str] = []
    label: str | None = None
    words = iter(args)
    for word in words:
        if word.startswith("--cycle"):
            value = word.partition("=")[2] or next(words, "")
            try:
                label = parse_cycle_label(value).label
            except ValueError:
                raise UsageError(
                    f"`{escape(value or '--cycle')}` is not a cycle like 2026-Q3.", USAGES["list"]
                ) from None
        else:
            rest.append(word)
    return label, rest


def list_command(request: SlashRequest) -> None:
    """The caller's teams' lists (from the cache while right), or the named team's."""
    start, args = from_option(request.args, USAGES["list"])
    cycle_label, rest = cycle_option(args)
    team_name = " ".join(rest)
    services, context = request.services, request.context
    workspace_id = services.workspace_id(context.team_id or "", context.enterprise_id)
    now = services.now()
    lists = (
        None
        if team_name
        else listing.my_lists(
            services,
            RENDER,
            workspace_id=workspace_id,
            user_id=context.user_id or "",
            cycle_label=cycle_label,
            now=now,
        )
    )
    if start == 1 and lists is not None and len(lists) == 1 and lists[0].ack_body is not None:
        # The usual answer: one team's list in one message, serialized when it was built.
        request.ack.response = BoltResponse(status=200, body=lists[0].ack_body, headers=_JSON)
        return
    if lists is not None:
        messages = [m for built in lists for m in built.messages]
    else:
        try:
            built = listing.team_list(
                services,
                RENDER,
                workspace_id=workspace_id,
                team_name=team_name,
                cycle_label=cycle_label,
                now=now,
            )
        except NoSuchTeam as missing:
            known = f" Teams: {', '.join(missing.known)}." if missing.known else ""
            raise UsageError(
                f"There is no team called *{escape(missing.name)}*.{escape(known)}",
                USAGES["list"],
            ) from None
        except listing.NotInATeam as alone:
            hint = (
                f" Teams here: {escape(', '.join(alone.teams))}; "
                "`/okr list &lt;team&gt;` shows one."
                if alone.teams
                else ""
            )
            request.notice(
                f"You're not in a team yet. `/okr team` lets you join or create one.{hint}"
            )
            return
        messages = built.messages
    send_pages(request, messages, start=start, again=" ".join(["/okr list", *args]))
