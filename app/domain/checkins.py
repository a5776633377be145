"""Reading a key result's weekly history: change, and green numbers that do not move."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.okrs import KeyResultSnapshot
from app.domain.types import Confidence

STALE_WEEKS = 3


@dataclass(frozen=True)
class WeekReport:
    """One week's check-in of one key result."""

    period: str  # "2026-W47"
    value: float | None
    confidence: Confidence | None
    skipped: bool = False


@dataclass(frozen=True)
class CheckInLine:
    """A key result as the check-in shows it: where it stands and what was last said."""

    key_result: KeyResultSnapshot
    last_confidence: Confidence | None = None
    answer: str | None = None  # what this week's answer recorded, once answered


@dataclass(frozen=True)
class CheckInEntry:
    """One key result's answer in a check-in."""

    key_result_id: int
    value: float | None
    confidence: Confidence | None
    note: str = ""
    skipped: bool = False


def reported(weeks: Sequence[WeekReport]) -> list[WeekReport]:
    """The weeks with a reported value, oldest first (skips and blanks left out)."""
    return sorted(
        (w for w in weeks if not w.skipped and w.value is not None), key=lambda w: w.period
    )


def weekly_change(weeks: Sequence[WeekReport], period: str) -> float | None:
    """How much the value moved in `period` against the report before it; None if unknown."""
    history = reported(weeks)
    for index, week in enumerate(history):
        if week.period == period and index > 0:
            before = history[index - 1].value
            assert week.value is not None and before is not None
            return week.value - before
    return None


def on_track_but_unchanged(weeks: Sequence[WeekReport], *, min_weeks: int = STALE_WEEKS) -> bool:
    """True when the latest `min_weeks` or more reports all say on track with the same value.

    A green light on a number that does not move is worth a second look: either the
    target is already met, or the confidence is a habit rather than a judgement.
    """
    history = reported(weeks)
    if len(history) < min_weeks:
        return False
    latest = history[-1]
    streak = 0
    for week in reversed(history):
        if week.confidence != Confidence.on_track or week.value != latest.value:
            break
        streak += 1
    return streak >= min_weeks
