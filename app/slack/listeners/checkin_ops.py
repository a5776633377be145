"""Check-in operations reached from the prompt's buttons, its modal and `/okr checkin`."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import bindparam
from sqlmodel import Session, select

from app.db.models import Delivery, DeliveryKind, DeliveryStatus, Team
from app.domain.checkins import CheckInLine
from app.domain.cycles import current_period, quarter_of, today_in
from app.domain.types import Confidence
from app.services import Caller, Services
from app.slack.listeners.events import publish_home
from app.slack.views.checkin import build_checkin_answered, build_checkin_modal
from app.store.checkins import CheckInEntry, record_check_ins
from app.store.closing import is_closed
from app.store.directory import get_team, list_teams, teams_of_member
from app.usecases.checkins import checkin_lines, cycle_id_for

logger = logging.getLogger("okrbot.checkins")


@dataclass(frozen=True)
class CheckInScope:
    """Whose check-in, for which team and week."""

    team: Team
    member_id: int
    cycle_id: int
    period: str
    # The key results to check in, as read when the scope was resolved.
    lines: tuple[CheckInLine, ...] = ()


def resolve_scope(
    session: Session,
    services: Services,
    caller: Caller,
    *,
    team_id: int | None,
    period: str | None,
    team_name: str | None = None,
    skip_closed: bool = True,
) -> CheckInScope | str:
    """The caller's check-in scope, or a sentence saying why there is none.

    A team whose cycle is closed has none; with `skip_closed=False` the caller checks that
    itself (a submission does, in its write, and says so more precisely)."""
    if caller.member_id is None:
        return "You own no key results yet. Key result owners are set in `/okr new`."
    candidates: list[Team]
    if team_id is not None:
        team = services.from_directory(
            ("team", team_id),
            caller.workspace_id,
            lambda: get_team(session, workspace_id=caller.workspace_id, team_id=team_id),
        )
        candidates = [team] if team else []
    else:
        teams = teams_of_member(
            session, workspace_id=caller.workspace_id, member_id=caller.member_id
        )
        if team_name:
            wanted = " ".join(team_name.split()).casefold()
            candidates = [t for t in teams if t.name_key == wanted]
        else:
            # Owners need not be team members: look through every team for their key results.
            candidates = teams + [
                t for t in list_teams(session, workspace_id=caller.workspace_id) if t not in teams
            ]
    for team in candidates:
        day = today_in(team.timezone, services.now())
        cycle_id = services.cycle_id(
            caller.workspace_id,
            quarter_of(day).label,
            functools.partial(cycle_id_for, session, team=team, day=day),
        )
        if cycle_id is None or (
            skip_closed and is_closed(session, team_id=team.id or 0, cycle_id=cycle_id)
        ):
            continue
        lines = checkin_lines(session, team=team, member_id=caller.member_id, cycle_id=cycle_id)
        if lines:
            return CheckInScope(
                team=team,
                member_id=caller.member_id,
                cycle_id=cycle_id,
                period=period or current_period(team.timezone, services.now()),
                lines=tuple(lines),
            )
    return "You own no key results this cycle, so there is nothing to check in."


def lines_of(session: Session, scope: CheckInScope, *, answered: bool = False) -> list[CheckInLine]:
    """The key results of a scope, optionally with what the week's answer recorded."""
    return checkin_lines(
        session,
        team=scope.team,
        member_id=scope.member_id,
        cycle_id=scope.cycle_id,
        period=scope.period if answered else None,
    )


def open_checkin(
    *,
    services: Services,
    caller: Caller,
    client: WebClient,
    trigger_id: str,
    team_id: int | None = None,
    period: str | None = None,
    team_name: str | None = None,
    channel: str | None = None,
    message_ts: str | None = None,
    from_home: bool = False,
) -> str | None:
    """Open the check-in modal; returns a sentence for the caller when it can't."""
    with services.db.read() as session:
        scope = resolve_scope(
            session, services, caller, team_id=team_id, period=period, team_name=team_name
        )
        if isinstance(scope, str):
            return scope
        view = build_checkin_modal(
            team_id=scope.team.id or 0,
            team_name=scope.team.name,
            period=scope.period,
            lines=lines_of(session, scope),
            channel=channel,
            message_ts=message_ts,
            from_home=from_home,
        )
    client.views_open(trigger_id=trigger_id, view=view)
    return None


def record_quick_answer(
    *, services: Services, caller: Caller, team_id: int, period: str, skip: bool
) -> tuple[CheckInScope, list[CheckInEntry]] | str:
    """ "No change this week" (same value and confidence) or "Skip, I'm away"."""
    with services.db.write() as session:
        scope = resolve_scope(session, services, caller, team_id=team_id, period=period)
        if isinstance(scope, str):
            return scope
        entries = quick_answer_entries(lines_of(session, scope), skip=skip)
        record_check_ins(
            session,
            workspace_id=caller.workspace_id,
            author_id=caller.member_id,
            period=scope.period,
            entries=entries,
        )
    return scope, entries


def summary_of(entries: list[CheckInEntry]) -> str:
    """A few words on what a check-in recorded."""
    if entries and all(e.skipped for e in entries):
        return "skipped, you're away. No reminder will follow."
    counts = {c: sum(1 for e in entries if e.confidence == c) for c in Confidence}
    parts = [f"{n} {c.value.replace('_', ' ')}" for c, n in counts.items() if n]
    noun = "key result" if len(entries) == 1 else "key results"
    return f"{len(entries)} {noun} recorded" + (f" ({', '.join(parts)})" if parts else "")


# Built once: this runs after every check-in.
_SENT_PROMPTS = select(Delivery.channel, Delivery.message_ts).where(
    Delivery.team_id == bindparam("team_id"),
    Delivery.period == bindparam("period"),
    Delivery.member_id == bindparam("member_id"),
    Delivery.status == DeliveryStatus.sent,
    Delivery.kind.in_([DeliveryKind.prompt, DeliveryKind.reminder]),  # type: ignore[attr-defined]
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
    with services.db.read() as session:
        recipient_rows = session.exec(
            _SENT_PROMPTS,
            params={"team_id": scope.team.id, "period": scope.period, "member_id": scope.member_id},
        ).all()
        messages: set[tuple[str, str]] = {(c, t) for c, t in recipient_rows if c and t}
        if also[0] and also[1]:
            messages.add((also[0], also[1]))
        # What was recorded, read back only when there is a message to show it in.
        lines = lines_of(session, scope, answered=True) if messages else []
    payload = build_checkin_answered(
        team_name=scope.team.name, period=scope.period, lines=lines, summary=summary
    )
    for channel, ts in sorted(messages):
        try:
            client.chat_update(channel=channel, ts=ts, **payload)
        except SlackApiError as failure:
            # The answer is recorded; a stale prompt is cosmetic. Say so in the logs.
            logger.warning("Failed to update the prompt %s/%s: %s", channel, ts, failure)
    if caller is not None:
        try:
            publish_home(services=services, client=client, caller=caller)
        except SlackApiError as failure:
            logger.warning("Failed to refresh the Home tab: %s", failure)


def quick_answer_entries(scope_lines: list[CheckInLine], *, skip: bool) -> list[CheckInEntry]:
    """The entries a quick answer records (for summaries)."""
    return [
        CheckInEntry(
            key_result_id=line.key_result.id,
            value=None if skip else line.key_result.current,
            confidence=None if skip else line.last_confidence,
            skipped=skip,
        )
        for line in scope_lines
    ]
