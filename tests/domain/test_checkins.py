"""Weekly history: change since last week, and on-track numbers that do not move."""

from __future__ import annotations

from app.domain.checkins import WeekReport, on_track_but_unchanged, weekly_change
from app.domain.types import Confidence

ON, RISK = Confidence.on_track, Confidence.at_risk


def _weeks(*rows: tuple[int, float | None, Confidence | None]) -> list[WeekReport]:
    return [WeekReport(f"2026-W{week:02d}", value, confidence) for week, value, confidence in rows]


def test_three_on_track_weeks_without_movement_are_flagged() -> None:
    assert on_track_but_unchanged(_weeks((44, 60, ON), (45, 60, ON), (46, 60, ON)))


def test_two_weeks_are_not_enough() -> None:
    assert not on_track_but_unchanged(_weeks((45, 60, ON), (46, 60, ON)))


def test_movement_in_the_streak_clears_the_flag() -> None:
    assert not on_track_but_unchanged(_weeks((44, 60, ON), (45, 61, ON), (46, 61, ON)))


def test_an_earlier_move_does_not_matter_once_three_flat_weeks_follow() -> None:
    rows = _weeks((43, 50, ON), (44, 60, ON), (45, 60, ON), (46, 60, ON))
    assert on_track_but_unchanged(rows)


def test_a_week_at_risk_breaks_the_streak() -> None:
    assert not on_track_but_unchanged(_weeks((44, 60, ON), (45, 60, RISK), (46, 60, ON)))


def test_skipped_weeks_are_ignored_not_counted() -> None:
    rows = [*_weeks((44, 60, ON), (45, 60, ON)), WeekReport("2026-W46", None, None, True)]
    assert not on_track_but_unchanged(rows)
    rows.append(WeekReport("2026-W47", 60, ON))
    assert on_track_but_unchanged(rows)


def test_weekly_change_is_against_the_previous_report() -> None:
    rows = _weeks((44, 60, ON), (46, 64.5, ON))
    assert weekly_change(rows, "2026-W46") == 4.5
    assert weekly_change(rows, "2026-W44") is None
    assert weekly_change(rows, "2026-W45") is None
