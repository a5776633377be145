"""The `/okr` slash command: a small router over its subcommands."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from logging import Logger
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient

from app.db.models import Cycle, Team
from app.domain.coach import check_key_result
from app.domain.cycles import current_quarter, parse_cycle_label
from app.domain.okrs import TeamOKRs
from app.domain.schedule import parse_duration
from app.services import Services
from app.slack import ids
from app.slack.blocks import escape
from app.slack.listeners.checkin_ops import open_checkin
from app.slack.listeners.common import (
    GENERIC_FAILURE,
    archive,
    caller_of,
    has_acked,
    open_edit,
    open_new_objective,
    open_team,
    parse_ref,
)
from app.slack.outbound import Outgoing, digest_outgoing, post_outgoing
from app.slack.views.closing import build_closed_list_messages, build_closing_messages
from app.slack.views.coach import build_check_message
from app.slack.views.help import build_help_message, build_notice, build_usage_message
from app.slack.views.okr_list import BuiltList, build_okr_list_messages
from app.store import listing
from app.store.checkins import snooze
from app.store.closing import close_cycle, closing_report, is_closed
from app.store.directory import (
    ensure_member,
    find_team,
    is_team_admin,
    list_teams,
    teams_of_member,
)
from app.store.okrs import find_cycle, team_okrs
from app.usecases.digests import team_digest

USAGES = {
    "new": "/okr new",
    "list": "/okr list [team] [--cycle 2026-Q3]",
    "edit": "/okr edit O12 | KR34",
    "archive": "/okr archive O12 | KR34",
    "team": "/okr team",
    "check": "/okr check <key result text>",
    "checkin": "/okr checkin [team]",
    "digest": "/okr digest [post] [team]",
    "close": "/okr close [2026-Q3] [team]",
    "snooze": "/okr snooze <2w | 3d | off>",
    "help": "/okr help",
}


_JSON: dict[str, str | Sequence[str]] = {"content-type": "application/json;charset=utf-8"}


def _ephemeral(payload: dict[str, Any]) -> dict[str, Any]:
    return {"response_type": "ephemeral", **payload}


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
    args = words[1:]
    try:
        if subcommand in ("help", "?"):
            ack(**_ephemeral(build_help_message()))
        elif subcommand == "list":
            cycle_label, rest = _cycle_option(args)
            _list(ack, respond, services, context, " ".join(rest), cycle_label)
        elif subcommand == "new":
            _no_args(args, "new")
            _new(ack, client, services, context, command)
        elif subcommand == "team":
            _no_args(args, "team")
            _team(ack, client, services, context, command)
        elif subcommand == "check":
            text = (command.get("text") or "").strip()[len(words[0]) :].strip()
            if not text:
                raise _UsageError(
                    "Give me the words of a key result to check, e.g. "
                    "`/okr check Launch the onboarding wizard`.",
                    USAGES["check"],
                )
            ack(**_ephemeral(build_check_message(text, check_key_result(text))))
        elif subcommand == "checkin":
            _checkin(ack, client, services, context, command, " ".join(args))
        elif subcommand == "close":
            _close(ack, client, services, context, args)
        elif subcommand == "digest":
            _digest(ack, respond, client, services, context, args)
        elif subcommand == "snooze":
            _snooze(ack, services, context, " ".join(args))
        elif subcommand in ("edit", "archive"):
            _edit_or_archive(ack, client, services, context, command, subcommand, args)
        else:
            ack(
                **_ephemeral(
                    build_usage_message(
                        f"I don't know `/okr {escape(subcommand)}`. Try one of: "
                        + ", ".join(f"`{escape(u)}`" for u in USAGES.values())
                    )
                )
            )
    except _UsageError as problem:
        ack(**_ephemeral(build_usage_message(problem.text, problem.usage)))
    except Exception:
        logger.exception("Failed to handle /okr %s", subcommand)
        if not has_acked(ack):
            ack(**_ephemeral(build_notice(GENERIC_FAILURE)))


class _UsageError(Exception):
    def __init__(self, text: str, usage: str) -> None:
        super().__init__(text)
        self.text = text
        self.usage = usage


def _no_args(args: list[str], subcommand: str) -> None:
    if args:
        raise _UsageError(
            f"`/okr {subcommand}` takes no arguments (got `{escape(' '.join(args))}`).",
            USAGES[subcommand],
        )


def _new(ack: Ack, client: WebClient, services: Services, context: Any, command: dict) -> None:
    caller = caller_of(services, context, create=True)
    reply = open_new_objective(
        services=services, caller=caller, client=client, trigger_id=command["trigger_id"]
    )
    if reply:
        ack(**_ephemeral(reply))
    else:
        ack()


def _checkin(
    ack: Ack, client: WebClient, services: Services, context: Any, command: dict, team: str
) -> None:
    caller = caller_of(services, context, create=True)
    problem = open_checkin(
        services=services,
        caller=caller,
        client=client,
        trigger_id=command["trigger_id"],
        team_name=team or None,
    )
    if problem:
        ack(**_ephemeral(build_notice(problem)))
    else:
        ack()


def _digest(
    ack: Ack,
    respond: Respond,
    client: WebClient,
    services: Services,
    context: Any,
    args: list[str],
) -> None:
    post = bool(args) and args[0].lower() == "post"
    team_name = " ".join(args[1:] if post else args)
    caller = caller_of(services, context, create=True)
    with services.db.read() as session:
        team = _one_team(session, caller, team_name, USAGES["digest"])
        if post and not (
            caller.member_id
            and is_team_admin(session, team_id=team.id or 0, member_id=caller.member_id)
        ):
            ack(
                **_ephemeral(
                    build_notice(
                        f"Only {escape(team.name)}'s admins can post the digest now; "
                        "`/okr digest` shows you a preview."
                    )
                )
            )
            return
        if post and not team.digest_channel:
            ack(
                **_ephemeral(
                    build_notice(f"{escape(team.name)} has no digest channel: `/okr team` sets it.")
                )
            )
            return
        digest = team_digest(session, team=team, now=services.now())
        channel = team.digest_channel
    if digest is None:
        ack(**_ephemeral(build_notice(f"{escape(team.name)} has no objectives this cycle yet.")))
        return
    outgoing = digest_outgoing(digest)
    if post and channel:
        post_outgoing(client, outgoing, channel=channel)
        ack(
            **_ephemeral(
                build_notice(f":mega: Posted {escape(team.name)}'s digest to <#{channel}>.")
            )
        )
        return
    # A preview, visible to the caller only; the chart goes with the real post.
    if len(outgoing.messages) == 1:
        ack(**_ephemeral(outgoing.messages[0]))
        return
    for payload in outgoing.messages:
        respond(**payload, response_type="ephemeral", replace_original=False)
    ack()


def _close(ack: Ack, client: WebClient, services: Services, context: Any, args: list[str]) -> None:
    label, team_words = None, list(args)
    if team_words:
        try:
            label = parse_cycle_label(team_words[0]).label
            team_words = team_words[1:]
        except ValueError:
            label = None
    caller = caller_of(services, context, create=True)
    with services.db.write() as session:
        team = _one_team(session, caller, " ".join(team_words), USAGES["close"])
        if not (
            caller.member_id
            and is_team_admin(session, team_id=team.id or 0, member_id=caller.member_id)
        ):
            ack(**_ephemeral(build_notice(f"Only {escape(team.name)}'s admins can close a cycle.")))
            return
        label = label or current_quarter(team.timezone, services.now()).label
        cycle = find_cycle(session, workspace_id=caller.workspace_id, label=label)
        if cycle is None:
            ack(**_ephemeral(build_notice(f"{escape(team.name)} has nothing in {label} to close.")))
            return
        already = is_closed(session, team_id=team.id or 0, cycle_id=cycle.id or 0)
        report = close_cycle(
            session,
            workspace_id=caller.workspace_id,
            team=team,
            cycle=cycle,
            closed_by=caller.member_id,
            now=services.now(),
        )
        channel = team.digest_channel
    if already:
        ack(**_ephemeral(build_notice(f"{escape(team.name)}'s {label} was already closed.")))
        return
    messages = build_closing_messages(report)
    if channel:
        post_outgoing(client, Outgoing(messages=messages), channel=channel)
        ack(
            **_ephemeral(
                build_notice(f":checkered_flag: Closed {label}; the scores are in <#{channel}>.")
            )
        )
    else:
        ack(**_ephemeral(messages[0]))


def _one_team(session: Any, caller: Any, team_name: str, usage: str) -> Any:
    """The named team, or the caller's only team."""
    if team_name:
        team = find_team(session, workspace_id=caller.workspace_id, name=team_name)
        if team is None:
            raise _UsageError(f"There is no team called *{escape(team_name)}*.", usage)
        return team
    mine = (
        teams_of_member(session, workspace_id=caller.workspace_id, member_id=caller.member_id)
        if caller.member_id
        else []
    )
    every = mine or list_teams(session, workspace_id=caller.workspace_id)
    if len(every) != 1:
        raise _UsageError("Which team? Name it.", usage)
    return every[0]


def _snooze(ack: Ack, services: Services, context: Any, text: str) -> None:
    caller = caller_of(services, context, create=True)
    if text.strip().lower() in ("off", "stop", "end", "resume"):
        until = None
    else:
        duration = parse_duration(text)
        if duration is None:
            raise _UsageError(
                "Say how long to pause check-ins, like `2w` (two weeks) or `3d`, "
                "up to 12 weeks; `off` resumes them.",
                USAGES["snooze"],
            )
        until = services.now() + duration
    with services.db.write() as session:
        member = ensure_member(
            session, workspace_id=caller.workspace_id, slack_user_id=caller.slack_user_id
        )
        snooze(session, member=member, until=until)
    if until is None:
        text_out = ":bell: Check-ins are back on. The next prompt comes at your team's usual time."
    else:
        text_out = (
            f":zzz: No check-in prompts or reminders until {until:%A %-d %B} "
            "(UTC). `/okr snooze off` ends it early."
        )
    ack(**_ephemeral(build_notice(text_out)))


def _team(ack: Ack, client: WebClient, services: Services, context: Any, command: dict) -> None:
    caller = caller_of(services, context, create=True)
    open_team(services=services, caller=caller, client=client, trigger_id=command["trigger_id"])
    ack()


def _edit_or_archive(
    ack: Ack,
    client: WebClient,
    services: Services,
    context: Any,
    command: dict,
    subcommand: str,
    args: list[str],
) -> None:
    if len(args) != 1 or (ref := parse_ref(args[0])) is None:
        given = f" (got `{escape(' '.join(args))}`)" if args else ""
        raise _UsageError(
            f"Name one objective or key result by its id, like `O12` or `KR34`{given}. "
            "`/okr list` shows the ids.",
            USAGES[subcommand],
        )
    caller = caller_of(services, context, create=True)
    if subcommand == "archive":
        ack(**_ephemeral(archive(services=services, caller=caller, ref=ref)))
        return
    problem = open_edit(
        services=services, caller=caller, ref=ref, client=client, trigger_id=command["trigger_id"]
    )
    if problem:
        ack(**_ephemeral(build_notice(problem)))
    else:
        ack()


def _cycle_option(args: list[str]) -> tuple[str | None, list[str]]:
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
                raise _UsageError(
                    f"`{escape(value or '--cycle')}` is not a cycle like 2026-Q3.", USAGES["list"]
                ) from None
        else:
            rest.append(word)
    return label, rest


def _team_list(
    session: Any, *, workspace_id: int, team: Any, label: str, cycle_id: int | None = None
) -> list[dict[str, Any]]:
    """A team's list for a cycle: live progress, or the frozen scores once closed.

    The hot path passes the cycle's id it already knows, to spare a rebuild that lookup.
    """
    cycle = (
        session.get(Cycle, cycle_id)
        if cycle_id
        else find_cycle(session, workspace_id=workspace_id, label=label)
    )
    if cycle is None or cycle.workspace_id != workspace_id:
        return build_okr_list_messages(TeamOKRs(team.id or 0, team.name, label, []))
    closed = closing_report(session, workspace_id=workspace_id, team=team, cycle=cycle)
    if closed is not None:
        return build_closed_list_messages(closed)
    return build_okr_list_messages(
        team_okrs(session, workspace_id=workspace_id, team=team, cycle=cycle)
    )


def _my_lists(
    services: Services, *, workspace_id: int, user_id: str, cycle_label: str | None
) -> list[BuiltList] | None:
    """The lists of the caller's teams, from the cache when still right; None without teams.

    The hot path of `/okr list`: at most one small query, and a rebuild only when a
    team's objectives, key results or settings changed since the list was last built (or
    this process has not built it yet). A rebuild reads the team's OKRs with one plain
    query, after the revision it is cached under (see `app.store.listing`); only a closed
    cycle's list, rare, goes through the ORM. On PostgreSQL the caller's teams and their
    revisions are reused, without a query, until the database reports a change in the
    workspace (see `app.db.changes`).
    """
    built: list[BuiltList | None] = []
    closed = []
    now = services.now()
    # Most teams are in the quarter UTC is in: their revisions come with the teams.
    usual = cycle_label or current_quarter("UTC", now).label
    feed = services.db.changes
    with listing.reading_lazily(services.db.engine) as reader:
        teams_key = (workspace_id, user_id, usual)
        version = feed.version(workspace_id) if feed is not None else None
        found = None if version is None else services.teams_cache.get(teams_key, version)
        if found is None:
            found = listing.teams_with_revision(
                reader(), workspace_id=workspace_id, user_id=user_id, label=usual
            )
            if version is not None:
                services.teams_cache.put(teams_key, version, found)
        if not found:
            return None
        for entry in found:
            row = entry.team
            label = cycle_label or current_quarter(row.timezone, now).label
            cycle_id, counts = entry.cycle_id, entry.revision
            if label != usual:
                # Around a quarter's turn, a team's own day can be in the next or last one.
                cycle_id = services.cycle_id(
                    workspace_id,
                    label,
                    functools.partial(
                        listing.cycle_id, reader(), workspace_id=workspace_id, label=label
                    ),
                )
                counts = (
                    listing.list_revision(
                        reader(), workspace_id=workspace_id, team_id=row.id, cycle_id=cycle_id
                    )
                    if cycle_id
                    else None
                )
            revision = (row.name, row.updated_at, counts)
            key = (workspace_id, row.id, label)
            cached = services.list_cache.get(key, revision)
            if cached is None and counts is not None and counts[0]:
                # The revision's first figure counts the team's closings of this cycle.
                closed.append((len(built), key, revision, row.id, label, cycle_id))
            elif cached is None:
                okrs = (
                    listing.team_okrs(
                        reader(),
                        workspace_id=workspace_id,
                        team_id=row.id,
                        team_name=row.name,
                        cycle_id=cycle_id,
                        cycle_label=label,
                    )
                    if cycle_id
                    else TeamOKRs(row.id, row.name, label, [])
                )
                cached = BuiltList(build_okr_list_messages(okrs))
                services.list_cache.put(key, revision, cached)
            built.append(cached)
    if closed:
        with services.db.read() as session:
            for index, key, revision, team_id, label, cycle_id in closed:
                fresh = BuiltList(
                    _team_list(
                        session,
                        workspace_id=workspace_id,
                        team=session.get(Team, team_id),
                        label=label,
                        cycle_id=cycle_id,
                    )
                )
                services.list_cache.put(key, revision, fresh)
                built[index] = fresh
    return [entry for entry in built if entry is not None]


def _list(
    ack: Ack,
    respond: Respond,
    services: Services,
    context: Any,
    team_name: str,
    cycle_label: str | None = None,
) -> None:
    workspace_id = services.workspace_id(
        context.team_id or context.user_team_id or "", context.enterprise_id
    )
    lists = (
        None
        if team_name
        else _my_lists(
            services, workspace_id=workspace_id, user_id=context.user_id, cycle_label=cycle_label
        )
    )
    if lists is not None and len(lists) == 1 and lists[0].ack_body is not None:
        # The usual answer: one team's list in one message, serialized when it was built.
        ack.response = BoltResponse(status=200, body=lists[0].ack_body, headers=_JSON)
        return
    messages = None if lists is None else [m for built in lists for m in built.messages]
    if messages is None:
        with services.db.read() as session:
            if team_name:
                team = find_team(session, workspace_id=workspace_id, name=team_name)
                if team is None:
                    names = [t.name for t in list_teams(session, workspace_id=workspace_id)]
                    known = f" Teams: {', '.join(names)}." if names else ""
                    raise _UsageError(
                        f"There is no team called *{escape(team_name)}*.{escape(known)}",
                        USAGES["list"],
                    )
            else:
                every = list_teams(session, workspace_id=workspace_id)
                if len(every) != 1:
                    hint = (
                        f" Teams here: {escape(', '.join(t.name for t in every))}; "
                        "`/okr list &lt;team&gt;` shows one."
                        if every
                        else ""
                    )
                    ack(
                        **_ephemeral(
                            build_notice(
                                "You're not in a team yet. `/okr team` lets you join or create "
                                f"one.{hint}"
                            )
                        )
                    )
                    return
                team = every[0]
            label = cycle_label or current_quarter(team.timezone, services.now()).label
            messages = _team_list(session, workspace_id=workspace_id, team=team, label=label)
    if len(messages) == 1:
        ack(**_ephemeral(messages[0]))
        return
    # Several messages: post them in order through the response URL, then ack empty.
    for payload in messages:
        respond(**payload, response_type="ephemeral", replace_original=False)
    ack()


def register(app: App) -> None:
    """Attach the slash command listeners."""
    app.command(ids.OKR_COMMAND)(handle_okr_command)
