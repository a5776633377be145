"""Check-ins: whose and which key results, recorded once per person, team and week."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from app.db.models import Team
from app.domain.checkins import CheckInLine
from app.domain.cycles import quarter_of
from app.domain.okrs import KeyResultSnapshot
from app.domain.types import Confidence, KRKind
from app.store.checkins import active_key_results, check_ins_of_week, latest_check_ins
from app.store.okrs import find_cycle


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
