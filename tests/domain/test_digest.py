"""The digest's content: week of cycle, expected pace, changes, markers, summary."""

from __future__ import annotations

import datetime as dt

from app.domain.checkins import WeekReport
from app.domain.coach import Code
from app.domain.cycles import quarter_span
from app.domain.digest import build_digest
from app.domain.okrs import KeyResultSnapshot, ObjectiveSnapshot
from app.domain.types import Confidence, KRKind

Q4 = quarter_span(2026, 4)
FRIDAY_W47 = dt.date(2026, 11, 20)
ON, RISK, OFF = Confidence.on_track, Confidence.at_risk, Confidence.off_track


def _kr(kr_id: int, title: str, current: float | None, owner: str = "U1") -> KeyResultSnapshot:
    return KeyResultSnapshot(kr_id, title, owner, KRKind.increase, 0.0, 100.0, current, "%")


def _objective(*krs: KeyResultSnapshot) -> ObjectiveSnapshot:
    return ObjectiveSnapshot(1, "Make onboarding effortless", "", "U1", None, krs)


def _digest(objective: ObjectiveSnapshot, histories: dict) -> object:
    return build_digest(
        team_name="Growth", cycle=Q4, today=FRIDAY_W47, objectives=[objective], histories=histories
    )


def test_week_of_cycle_and_expected_pace() -> None:
    digest = _digest(_objective(_kr(1, "Raise activation from 0% to 100%", 50)), {})
    assert (digest.period, digest.week, digest.weeks) == ("2026-W47", 8, 13)
    assert 0.5 < digest.expected < 0.6


def test_change_this_week_for_key_results_and_objectives() -> None:
    kr = _kr(1, "Raise activation from 0% to 100%", 60)
    histories = {
        1: [WeekReport("2026-W46", 50, ON), WeekReport("2026-W47", 60, RISK)],
    }
    digest = _digest(_objective(kr), histories)
    (objective,) = digest.objectives
    (line,) = objective.key_results
    assert line.updated and line.value_change == 10
    assert round(line.progress_change, 2) == 0.10
    assert round(objective.change, 2) == 0.10
    assert line.confidence == RISK
    assert digest.at_risk == (kr,)
    assert [m.key_result.id for m in digest.moves] == [1]


def test_a_key_result_without_this_weeks_report_is_not_updated_and_has_no_confidence() -> None:
    kr = _kr(1, "Raise activation from 0% to 100%", 50)
    digest = _digest(_objective(kr), {1: [WeekReport("2026-W46", 50, ON)]})
    line = digest.objectives[0].key_results[0]
    assert not line.updated and line.confidence is None  # never shown as on track
    assert digest.updated == 0 and digest.total == 1
    skipped = _digest(_objective(kr), {1: [WeekReport("2026-W47", None, None, True)]})
    assert not skipped.objectives[0].key_results[0].updated


def test_markers_for_coach_flags_and_unchanged_green() -> None:
    task = _kr(1, "Launch the new onboarding wizard", 0)
    flat = _kr(2, "Raise activation from 0% to 100%", 40)
    histories = {2: [WeekReport(f"2026-W{w}", 40, ON) for w in (45, 46, 47)]}
    lines = _digest(_objective(task, flat), histories).objectives[0].key_results
    assert Code.task_like in lines[0].flags
    assert lines[1].stale_on_track and not lines[0].stale_on_track


def test_history_gives_each_objective_a_point_per_week_so_far() -> None:
    kr = _kr(1, "Raise activation from 0% to 100%", 60)
    histories = {1: [WeekReport("2026-W41", 20, ON), WeekReport("2026-W47", 60, ON)]}
    ((title, points),) = _digest(_objective(kr), histories).history
    assert title == "Make onboarding effortless" and len(points) == 8
    assert points[0] == 0.0 and points[2] == 0.2 and points[-1] == 0.6
