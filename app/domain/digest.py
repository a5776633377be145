"""What the weekly digest says, as plain data: the team's progress, never a ranking.

Inputs are the team's objectives (snapshots) and each key result's weekly history; the
output says, per objective and key result, where things stand, what moved this week, and
what deserves a look. Rendering to Slack lives in `app.slack.views.digest`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.checkins import WeekReport, on_track_but_unchanged, reported
from app.domain.coach import Code, Severity, check_key_result
from app.domain.cycles import CycleSpan
from app.domain.okrs import KeyResultSnapshot, ObjectiveSnapshot
from app.domain.progress import expected_progress, objective_progress, progress_of
from app.domain.schedule import iso_period
from app.domain.types import Confidence, KRKind

BIGGEST_MOVES = 3


@dataclass(frozen=True)
class KeyResultLine:
    """One key result in the digest."""

    key_result: KeyResultSnapshot
    progress: float | None
    value_change: float | None  # change of the value this week (None when unknown)
    progress_change: float | None  # change of progress this week, as a fraction
    confidence: Confidence | None  # this week's; None when not updated
    updated: bool  # reported a value this week (a skip is not an update)
    flags: tuple[Code, ...]  # the quality coach's warnings
    stale_on_track: bool  # reported on track but unchanged for 3+ weeks


@dataclass(frozen=True)
class ObjectiveLine:
    """One objective in the digest."""

    objective: ObjectiveSnapshot
    progress: float | None
    change: float | None  # since last week, as a fraction of progress
    key_results: tuple[KeyResultLine, ...]


@dataclass(frozen=True)
class Move:
    """A key result that moved this week."""

    key_result: KeyResultSnapshot
    progress_change: float


@dataclass(frozen=True)
class Digest:
    """The week's digest for one team."""

    team_name: str
    cycle_label: str
    period: str
    week: int
    weeks: int
    expected: float
    objectives: tuple[ObjectiveLine, ...]
    updated: int
    total: int
    at_risk: tuple[KeyResultSnapshot, ...]
    off_track: tuple[KeyResultSnapshot, ...]
    moves: tuple[Move, ...]
    # Each objective's progress at the end of every week of the cycle so far (for the chart).
    history: tuple[tuple[str, tuple[float | None, ...]], ...]


def _values_at(
    kr: KeyResultSnapshot, history: Sequence[WeekReport], periods: Sequence[str]
) -> list[float | None]:
    """The key result's value as it stood at the end of each of `periods` (ascending).

    `history` is the reported weeks, oldest first; one pass serves every period.
    """
    value = kr.start if kr.kind != KRKind.milestone else 0.0
    values: list[float | None] = []
    index = 0
    for period in periods:
        while index < len(history) and history[index].period <= period:
            value = history[index].value
            index += 1
        values.append(value)
    return values


def _progress(kr: KeyResultSnapshot, value: float | None) -> float | None:
    if kr.target is None and kr.kind != KRKind.milestone:
        return None
    return progress_of(kr.kind, start=kr.start, target=kr.target or 0.0, current=value)


def _previous_period(period: str) -> str:
    year, week = period.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(week), 1)
    return iso_period(monday - dt.timedelta(days=7))


def _key_result_line(
    kr: KeyResultSnapshot,
    weeks: Sequence[WeekReport],
    period: str,
    value_before: float | None,
) -> KeyResultLine:
    this_week = next((w for w in weeks if w.period == period), None)
    updated = this_week is not None and not this_week.skipped and this_week.value is not None
    now = kr.progress
    before = _progress(kr, value_before)
    return KeyResultLine(
        key_result=kr,
        progress=now,
        value_change=(kr.current - value_before)
        if updated and kr.current is not None and value_before is not None
        else None,
        progress_change=(now - before) if now is not None and before is not None else None,
        # Silence never shows green: without an update there is no confidence to show.
        confidence=this_week.confidence if updated and this_week else None,
        updated=updated,
        flags=tuple(f.code for f in check_key_result(kr.title) if f.severity == Severity.warning),
        stale_on_track=on_track_but_unchanged(weeks),
    )


def build_digest(
    *,
    team_name: str,
    cycle: CycleSpan,
    today: dt.date,
    objectives: Sequence[ObjectiveSnapshot],
    histories: Mapping[int, Sequence[WeekReport]],
) -> Digest:
    """The digest of the ISO week containing `today` (in the team's zone)."""
    period = iso_period(today)
    last_period = _previous_period(period)
    week, weeks = cycle.week_of(today)
    week_periods = [iso_period(cycle.start + dt.timedelta(days=7 * index)) for index in range(week)]
    # Each key result's value at the end of last week and of every week so far, in one pass.
    wanted = sorted({last_period, *week_periods})
    lines = []
    history = []
    for objective in objectives:
        kr_lines = []
        per_week: list[list[float | None]] = []
        before_values: list[float | None] = []
        for kr in objective.key_results:
            weeks_of_kr = histories.get(kr.id, ())
            values = dict(zip(wanted, _values_at(kr, reported(weeks_of_kr), wanted), strict=True))
            kr_lines.append(_key_result_line(kr, weeks_of_kr, period, values[last_period]))
            before_values.append(values[last_period])
            per_week.append([_progress(kr, values[p]) for p in week_periods])
        progress = objective.progress
        before = objective_progress(
            _progress(kr, value)
            for kr, value in zip(objective.key_results, before_values, strict=True)
        )
        change = progress - before if progress is not None and before is not None else None
        lines.append(ObjectiveLine(objective, progress, change, tuple(kr_lines)))
        history.append(
            (
                objective.title,
                tuple(
                    objective_progress(points[index] for points in per_week)
                    for index in range(len(week_periods))
                ),
            )
        )
    every = [line for objective in lines for line in objective.key_results]
    moves = sorted(
        (
            Move(line.key_result, line.progress_change)
            for line in every
            if line.progress_change and line.updated
        ),
        key=lambda move: -abs(move.progress_change),
    )[:BIGGEST_MOVES]
    return Digest(
        team_name=team_name,
        cycle_label=cycle.label,
        period=period,
        week=week,
        weeks=weeks,
        expected=expected_progress(start=cycle.start, end=cycle.end, today=today),
        objectives=tuple(lines),
        updated=sum(1 for line in every if line.updated),
        total=len(every),
        at_risk=tuple(line.key_result for line in every if line.confidence == Confidence.at_risk),
        off_track=tuple(
            line.key_result for line in every if line.confidence == Confidence.off_track
        ),
        moves=tuple(moves),
        history=tuple(history),
    )
