"""What a check-in shows a person: their key results, where each stands, what they said."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from app.db.models import Delivery, DeliveryKind, Member, Team
from app.domain.cycles import quarter_of
from app.domain.okrs import KeyResultSnapshot
from app.domain.schedule import iso_period
from app.domain.types import Confidence, KRKind
from app.slack.views.checkin import CheckInLine, build_checkin_prompt
from app.store.checkins import (
    active_key_results,
    check_ins_of_week,
    has_answered,
    latest_check_ins,
)
from app.store.okrs import find_cycle, today_in


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


def current_period(team: Team, now: dt.datetime) -> str:
    """The ISO week a check-in made now belongs to, in the team's time zone."""
    return iso_period(today_in(team.timezone, now))


def delivery_payload(session: Session, *, delivery: Delivery) -> dict[str, Any] | None:
    """The message a delivery posts, or None when there is nothing left to ask."""
    team = session.get(Team, delivery.team_id)
    member = session.get(Member, delivery.member_id) if delivery.member_id else None
    if team is None or member is None or member.id is None:
        return None
    slot_day = today_in(team.timezone, delivery.slot_at)
    cycle_id = cycle_id_for(session, team=team, day=slot_day)
    if cycle_id is None:
        return None
    reminder = delivery.kind == DeliveryKind.reminder
    if reminder and has_answered(
        session,
        workspace_id=team.workspace_id,
        team_id=team.id or 0,
        cycle_id=cycle_id,
        member_id=member.id,
        period=delivery.period,
    ):
        return None
    lines = checkin_lines(session, team=team, member_id=member.id, cycle_id=cycle_id)
    if not lines:
        return None
    return build_checkin_prompt(
        team_id=team.id or 0,
        team_name=team.name,
        period=delivery.period,
        lines=lines,
        reminder=reminder,
    )
