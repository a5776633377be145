"""Check-ins: whose and which key results, for which week, recorded once per person,
team and week; the one-click answers; snoozing."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from app.db import Session
from app.db.models import Team
from app.domain.checkins import CheckInEntry, CheckInLine
from app.domain.cycles import current_period, quarter_of, today_in
from app.domain.okrs import KeyResultSnapshot
from app.domain.types import Confidence, KRKind
from app.store.checkins import (
    active_key_results,
    check_ins_of_week,
    latest_check_ins,
    record_check_ins,
    sent_prompts,
    snooze,
)
from app.store.closing import is_closed
from app.store.directory import ensure_member, get_team, list_teams, teams_of_member
from app.store.okrs import find_cycle
from app.usecases.errors import Refused
from app.usecases.services import Caller, Services

NO_KEY_RESULTS_YET = "You own no key results yet. Key result owners are set in `/okr new`."
NO_KEY_RESULTS_THIS_CYCLE = "You own no key results this cycle, so there is nothing to check in."


NOT_A_WEEK = "That check-in is for a week that can't be answered now."
# How far back a prompt can still be answered: a quarter and a week.
ANSWERABLE_WEEKS = 14


def is_period(text: str) -> bool:
    """True for an ISO week that exists, written as `2026-W47`."""
    if len(text) != 8 or text[4:6] != "-W" or not (text[:4] + text[6:]).isdigit():
        return False
    try:
        dt.date.fromisocalendar(int(text[:4]), int(text[6:]), 1)
    except ValueError:
        return False
    return True


def answerable(period: str, current: str) -> bool:
    """True when a check-in for `period` may be recorded in week `current`: not a week to
    come, and not older than ANSWERABLE_WEEKS."""
    week = dt.date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
    this_week = dt.date.fromisocalendar(int(current[:4]), int(current[6:]), 1)
    return this_week - dt.timedelta(weeks=ANSWERABLE_WEEKS) <= week <= this_week


class NothingToCheckIn(Refused):
    """The caller has no key results to check in here; `str()` says why."""


@dataclass
class CheckInRefused(Refused):
    """A submitted check-in was not recorded: `message` says why, about `key_result_id`."""

    key_result_id: int
    message: str


def checkin_lines(
    session: Session, *, team: Team, member_id: int, cycle_id: int, period: str | None = None
) -> list[CheckInLine]:
    """The member's active key results in the team's cycle, with last confidence and,
    when `period` is given, what that week's answer recorded."""
    krs = active_key_results(
        session,
        workspace_id=team.workspace_id,
        team_id=team.id or 0,
        cycle_id=cycle_id,
        owner_id=member_id,
    )
    kr_ids = [kr.id for kr in krs if kr.id is not None]
    latest = latest_check_ins(session, key_result_ids=kr_ids)
    week = check_ins_of_week(session, key_result_ids=kr_ids, period=period) if period else {}
    lines = []
    for kr in krs:
        last = latest.get(kr.id or 0)
        answer = None
        if (row := week.get(kr.id or 0)) is not None:
            answer = "skipped this week" if row.skipped else "recorded"
        lines.append(
            CheckInLine(
                key_result=KeyResultSnapshot(
                    id=kr.id or 0,
                    title=kr.title,
                    owner=None,
                    kind=KRKind(kr.kind),
                    start=kr.start_value,
                    target=kr.target_value,
                    current=kr.current_value,
                    unit=kr.unit,
                ),
                last_confidence=Confidence(last.confidence) if last and last.confidence else None,
                answer=answer,
            )
        )
    return lines


def cycle_id_for(session: Session, *, team: Team, day: dt.date) -> int | None:
    """The id of the team's workspace cycle containing `day`, if it exists."""
    cycle = find_cycle(session, workspace_id=team.workspace_id, label=quarter_of(day).label)
    return cycle.id if cycle else None


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
    now: dt.datetime,
    team_name: str | None = None,
    skip_closed: bool = True,
) -> CheckInScope:
    """The caller's check-in scope: the team named by id or name, else the first of their
    teams (then of every team: owners need not be members) where they own key results in
    the current cycle. Raises NothingToCheckIn.

    A team whose cycle is closed has none; with `skip_closed=False` the caller checks that
    itself (a submission does, in its write, and says so more precisely)."""
    if caller.member_id is None:
        raise NothingToCheckIn(NO_KEY_RESULTS_YET)
    if period is not None and not is_period(period):
        raise NothingToCheckIn(NOT_A_WEEK)
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
            candidates = teams + [
                t for t in list_teams(session, workspace_id=caller.workspace_id) if t not in teams
            ]
    for team in candidates:
        day = today_in(team.timezone, now)
        cycle_id = services.cycle_id(
            caller.workspace_id,
            quarter_of(day).label,
            functools.partial(cycle_id_for, session, team=team, day=day),
        )
        if cycle_id is None or (
            skip_closed and is_closed(session, team_id=team.id or 0, cycle_id=cycle_id)
        ):
            continue
        if period is not None and not answerable(period, current_period(team.timezone, now)):
            raise NothingToCheckIn(NOT_A_WEEK)
        lines = checkin_lines(session, team=team, member_id=caller.member_id, cycle_id=cycle_id)
        if lines:
            return CheckInScope(
                team=team,
                member_id=caller.member_id,
                cycle_id=cycle_id,
                period=period or current_period(team.timezone, now),
                lines=tuple(lines),
            )
    raise NothingToCheckIn(NO_KEY_RESULTS_THIS_CYCLE)


def lines_of(session: Session, scope: CheckInScope, *, answered: bool = False) -> list[CheckInLine]:
    """The key results of a scope, optionally with what the week's answer recorded."""
    return checkin_lines(
        session,
        team=scope.team,
        member_id=scope.member_id,
        cycle_id=scope.cycle_id,
        period=scope.period if answered else None,
    )


def checkin_form(
    services: Services,
    caller: Caller,
    *,
    now: dt.datetime,
    team_id: int | None = None,
    period: str | None = None,
    team_name: str | None = None,
) -> CheckInScope:
    """What the check-in form asks about: the scope with its key results (as `lines`).
    Raises NothingToCheckIn."""
    with services.db.read() as session:
        return resolve_scope(
            session,
            services,
            caller,
            team_id=team_id,
            period=period,
            team_name=team_name,
            now=now,
        )


def record_check_in(
    services: Services,
    caller: Caller,
    *,
    team_id: int,
    period: str | None,
    entries: list[CheckInEntry],
    now: dt.datetime,
) -> CheckInScope:
    """Record a submitted check-in (validated values, confidences and notes) for the
    caller's key results of the team's current cycle. Raises CheckInRefused, naming the
    entry at fault, and writes nothing then."""
    # Checked in a read, so the write (one writer at a time) holds its lock only to write;
    # whether the cycle is closed, only there, under the lock.
    with services.db.read() as session:
        try:
            scope = resolve_scope(
                session,
                services,
                caller,
                team_id=team_id,
                period=period,
                skip_closed=False,
                now=now,
            )
        except NothingToCheckIn as reason:
            raise CheckInRefused(entries[0].key_result_id, str(reason)) from None
    mine = {line.key_result.id for line in scope.lines}
    foreign = [e for e in entries if e.key_result_id not in mine]
    if foreign:
        raise CheckInRefused(
            foreign[0].key_result_id, "This key result is no longer yours to check in."
        )
    # Upserts and blind updates only: check-ins write side by side (closing a cycle,
    # an exclusive writer, still waits for them and they for it).
    with services.db.write(shared=True) as session:
        if is_closed(session, team_id=scope.team.id or 0, cycle_id=scope.cycle_id):
            # Closed since the modal opened.
            raise CheckInRefused(
                entries[0].key_result_id, "This cycle was just closed; its scores are final."
            )
        record_check_ins(
            session,
            workspace_id=caller.workspace_id,
            author_id=caller.member_id,
            period=scope.period,
            entries=entries,
        )
    return scope


def quick_answer_entries(scope_lines: list[CheckInLine], *, skip: bool) -> list[CheckInEntry]:
    """The entries a one-click answer records: the same value and confidence, or a skip."""
    return [
        CheckInEntry(
            key_result_id=line.key_result.id,
            value=None if skip else line.key_result.current,
            confidence=None if skip else line.last_confidence,
            skipped=skip,
        )
        for line in scope_lines
    ]


def record_quick_answer(
    services: Services,
    caller: Caller,
    *,
    team_id: int,
    period: str,
    skip: bool,
    now: dt.datetime,
) -> tuple[CheckInScope, list[CheckInEntry]]:
    """ "No change this week" (same value and confidence) or "Skip, I'm away". Raises
    NothingToCheckIn."""
    with services.db.write() as session:
        scope = resolve_scope(session, services, caller, team_id=team_id, period=period, now=now)
        entries = quick_answer_entries(lines_of(session, scope), skip=skip)
        record_check_ins(
            session,
            workspace_id=caller.workspace_id,
            author_id=caller.member_id,
            period=scope.period,
            entries=entries,
        )
    return scope, entries


@dataclass(frozen=True)
class AnsweredPrompts:
    """The week's sent prompt and reminder messages (channel, ts) to update, and the key
    results with what the answer recorded (read only when there is a message to update)."""

    messages: list[tuple[str, str]]
    lines: list[CheckInLine]


def answered_prompts(
    services: Services, scope: CheckInScope, *, also: tuple[str | None, str | None] = (None, None)
) -> AnsweredPrompts:
    """The messages that asked for this check-in (plus `also`, the one answered from), to
    show what was recorded in place."""
    with services.db.read() as session:
        found = {
            (channel, ts)
            for channel, ts in sent_prompts(
                session, team_id=scope.team.id or 0, period=scope.period, member_id=scope.member_id
            )
            if channel and ts
        }
        if also[0] and also[1]:
            found.add((also[0], also[1]))
        lines = lines_of(session, scope, answered=True) if found else []
    return AnsweredPrompts(messages=sorted(found), lines=lines)


def set_snooze(services: Services, caller: Caller, until: dt.datetime | None) -> None:
    """Pause the caller's prompts and reminders until `until` (None resumes them)."""
    with services.db.write() as session:
        member = ensure_member(
            session, workspace_id=caller.workspace_id, slack_user_id=caller.slack_user_id
        )
        snooze(session, member=member, until=until)
