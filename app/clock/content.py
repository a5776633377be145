"""What a check-in shows a person: their key results, where each stands, what they said."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.charts.progress_chart import ChartSpec, Series, chart_alt_text, render_progress_chart
from app.db.models import Delivery, DeliveryKind, Member, Team
from app.domain.cycles import today_in
from app.domain.digest import Digest
from app.slack.views.checkin import build_checkin_prompt
from app.slack.views.closing import build_closing_messages
from app.slack.views.digest import build_digest_messages
from app.store.checkins import (
    has_answered,
)
from app.store.closing import closing_report
from app.store.okrs import find_cycle
from app.usecases.checkins import checkin_lines, cycle_id_for
from app.usecases.digests import team_digest


@dataclass(frozen=True)
class Outgoing:
    """What a delivery posts: a first message, follow-ups in its thread, maybe a chart."""

    messages: list[dict[str, Any]]
    chart: bytes | None = None
    chart_title: str = ""
    chart_alt_text: str = ""


def digest_outgoing(digest: Digest) -> Outgoing:
    """The digest's messages and its chart."""
    spec = ChartSpec(
        title=f"{digest.team_name} · {digest.cycle_label} · week {digest.week} of {digest.weeks}",
        weeks=digest.weeks,
        current_week=digest.week,
        series=[Series(label=title, points=points) for title, points in digest.history],
    )
    return Outgoing(
        messages=build_digest_messages(digest),
        chart=render_progress_chart(spec),
        chart_title=f"{digest.team_name} progress, week {digest.week} of {digest.weeks}",
        chart_alt_text=chart_alt_text(spec),
    )


def delivery_payload(session: Session, *, delivery: Delivery) -> Outgoing | None:
    """What a delivery posts, or None when there is nothing left to say."""
    team = session.get(Team, delivery.team_id)
    if delivery.kind == DeliveryKind.closing:
        if team is None:
            return None
        cycle = find_cycle(session, workspace_id=team.workspace_id, label=delivery.period)
        report = (
            closing_report(session, workspace_id=team.workspace_id, team=team, cycle=cycle)
            if cycle
            else None
        )
        return Outgoing(messages=build_closing_messages(report)) if report else None
    if delivery.kind == DeliveryKind.digest:
        if team is None or not team.digest_channel:
            return None
        digest = team_digest(session, team=team, now=_as_utc(delivery.slot_at))
        return digest_outgoing(digest) if digest else None
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
    prompt = build_checkin_prompt(
        team_id=team.id or 0,
        team_name=team.name,
        period=delivery.period,
        lines=lines,
        reminder=reminder,
    )
    return Outgoing(messages=[prompt])


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
