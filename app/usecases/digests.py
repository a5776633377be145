"""The team's weekly digest."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from app.db.models import Team
from app.domain.checkins import WeekReport
from app.domain.cycles import quarter_of, today_in
from app.domain.digest import Digest, build_digest
from app.domain.types import Confidence
from app.store.checkins import weekly_reports
from app.store.okrs import find_cycle, team_okrs


def team_digest(session: Session, *, team: Team, now: dt.datetime) -> Digest | None:
    """The team's digest for the week of `now` (team-local), or None without a cycle."""
    today = today_in(team.timezone, now)
    span = quarter_of(today)
    cycle = find_cycle(session, workspace_id=team.workspace_id, label=span.label)
    if cycle is None:
        return None
    okrs = team_okrs(session, workspace_id=team.workspace_id, team=team, cycle=cycle)
    kr_ids = [kr.id for objective in okrs.objectives for kr in objective.key_results]
    histories = {
        kr_id: [
            WeekReport(
                period=week,
                value=value,
                confidence=Confidence(confidence) if confidence else None,
                skipped=skipped,
            )
            for week, value, confidence, skipped in rows
        ]
        for kr_id, rows in weekly_reports(session, key_result_ids=kr_ids).items()
    }
    return build_digest(
        team_name=team.name,
        cycle=span,
        today=today,
        objectives=okrs.objectives,
        histories=histories,
    )
