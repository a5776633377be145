"""What a delivery says: a person's check-in lines, the team's digest, the closing report.

Domain data only; how it looks is the messenger's business (see `app.clock.outbound`).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from app.clock.outbound import CheckInPrompt, Content
from app.db.models import Delivery, DeliveryKind, Member, Team
from app.domain.cycles import today_in
from app.store.checkins import has_answered
from app.store.closing import closing_report
from app.store.okrs import find_cycle
from app.usecases.checkins import checkin_lines, cycle_id_for
from app.usecases.digests import team_digest


def delivery_content(session: Session, *, delivery: Delivery) -> Content | None:
    """What a delivery says, or None when there is nothing left to say."""
    team = session.get(Team, delivery.team_id)
    if delivery.kind == DeliveryKind.closing:
        if team is None:
            return None
        cycle = find_cycle(session, workspace_id=team.workspace_id, label=delivery.period)
        return (
            closing_report(session, workspace_id=team.workspace_id, team=team, cycle=cycle)
            if cycle
            else None
        )
    if delivery.kind == DeliveryKind.digest:
        if team is None or not team.digest_channel:
            return None
        return team_digest(session, team=team, now=_as_utc(delivery.slot_at))
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
    return CheckInPrompt(
        team_id=team.id or 0,
        team_name=team.name,
        period=delivery.period,
        lines=tuple(lines),
        reminder=reminder,
    )


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
