"""What a check-in shows a person: their key results, where each stands, what they said."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.charts.progress_chart import ChartSpec, Series, chart_alt_text, render_progress_chart
from app.db.models import Delivery, DeliveryKind, Member, Team
from app.domain.checkins import WeekReport
from app.domain.cycles import quarter_of, today_in
from app.domain.digest import Digest, build_digest
from app.domain.okrs import KeyResultSnapshot
from app.domain.types import Confidence, KRKind
from app.slack.views.checkin import CheckInLine, build_checkin_prompt
from app.slack.views.closing import build_closing_messages
from app.slack.views.digest import build_digest_messages
from app.store.checkins import (
    active_key_results,
    check_ins_of_week,
    has_answered,
    latest_check_ins,
    weekly_reports,
)
from app.store.closing import closing_report
from app.store.okrs import find_cycle, team_okrs


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
class Outgoing:
    """What a delivery posts: a first message, follow-ups in its thread, maybe a chart."""

    messages: list[dict[str, Any]]
    chart: bytes | None = None
    chart_title: str = ""
    chart_alt_text: str = ""


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
