"""Scoring a closed cycle: key results, objectives, success at 0.7, and too-safe targets."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from app.domain.scoring import (
    SUCCESS,
    ClosedKeyResult,
    ClosedObjective,
    ClosingReport,
    ClosingSummary,
    is_success,
    mostly_full,
    score_key_result,
    score_objective,
    targets_too_safe,
)
from app.domain.types import KRKind

# --- score_key_result ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (60, 0.0),  # at the start
        (72.5, 0.5),
        (77.5, 0.7),
        (85, 1.0),  # at the target
        (99, 1.0),  # past the target counts as 1.0, not more
        (50, 0.0),  # the wrong way counts as 0.0, not negative
    ],
)
def test_increase_scores_linear_progress_clamped(current: float, expected: float) -> None:
    assert score_key_result(KRKind.increase, start=60, target=85, current=current) == expected


@pytest.mark.parametrize(
    ("current", "expected"), [(3, 0.0), (2, 0.5), (1, 1.0), (0.5, 1.0), (4, 0.0)]
)
def test_decrease_scores_linear_progress_clamped(current: float, expected: float) -> None:
    assert score_key_result(KRKind.decrease, start=3, target=1, current=current) == expected


def test_increase_without_a_start_counts_up_from_zero() -> None:
    assert score_key_result(KRKind.increase, start=None, target=200, current=150) == 0.75


def test_scores_are_rounded_to_two_decimals() -> None:
    assert score_key_result(KRKind.increase, start=0, target=3, current=2) == 0.67


def test_float_noise_does_not_cost_a_success() -> None:
    # (0.37 - 0.3) / (0.4 - 0.3) is 0.6999999999999998 in floating point.
    score = score_key_result(KRKind.increase, start=0.3, target=0.4, current=0.37)
    assert score == 0.7
    assert is_success(score)


@pytest.mark.parametrize(
    ("kind", "current", "expected"),
    [
        (KRKind.stay_above, 99.9, 1.0),
        (KRKind.stay_above, 99.5, 1.0),
        (KRKind.stay_above, 99.4, 0.0),
        (KRKind.stay_below, 2.0, 0.0),
        (KRKind.stay_below, 1.0, 1.0),
    ],
)
def test_stay_kinds_score_zero_or_one(kind: KRKind, current: float, expected: float) -> None:
    target = 99.5 if kind == KRKind.stay_above else 1.5
    assert score_key_result(kind, start=None, target=target, current=current) == expected


@pytest.mark.parametrize(("current", "expected"), [(0, 0.0), (1, 1.0), (0.9, 0.0)])
def test_milestone_is_done_or_not(current: float, expected: float) -> None:
    assert score_key_result(KRKind.milestone, start=None, target=None, current=current) == expected


@pytest.mark.parametrize("kind", list(KRKind))
def test_no_value_scores_zero(kind: KRKind) -> None:
    assert score_key_result(kind, start=0, target=10, current=None) == 0.0


@pytest.mark.parametrize("kind", [KRKind.increase, KRKind.decrease, KRKind.stay_above])
def test_no_target_scores_zero(kind: KRKind) -> None:
    assert score_key_result(kind, start=0, target=None, current=5) == 0.0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_score_zero(bad: float) -> None:
    assert score_key_result(KRKind.increase, start=0, target=10, current=bad) == 0.0
    assert score_key_result(KRKind.increase, start=bad, target=10, current=5) == 0.0


def test_negative_numbers_score_like_any_other() -> None:
    # From a loss of 10 to a profit of 10; now at 0: halfway.
    assert score_key_result(KRKind.increase, start=-10, target=10, current=0) == 0.5
    assert score_key_result(KRKind.increase, start=-10, target=10, current=-20) == 0.0


# --- score_objective and is_success -------------------------------------------------------


def test_objective_score_is_the_mean_of_its_key_results() -> None:
    assert score_objective([1.0, 0.5, 0.6]) == 0.7
    assert score_objective(iter([0.25, 0.5])) == 0.38  # 0.375 rounds half up


def test_objective_without_key_results_scores_zero() -> None:
    assert score_objective([]) == 0.0


def test_success_is_seven_tenths_or_more() -> None:
    assert SUCCESS == 0.7
    assert is_success(0.7)
    assert is_success(1.0)
    assert not is_success(0.69)


# --- too safe ------------------------------------------------------------------------------


def test_most_means_more_than_half() -> None:
    assert mostly_full([1.0, 1.0, 0.5])
    assert not mostly_full([1.0, 1.0, 0.5, 0.2])  # half is not most
    assert not mostly_full([])


def test_one_closed_cycle_is_not_a_pattern() -> None:
    assert not targets_too_safe([[1.0, 1.0, 1.0]])
    assert not targets_too_safe([])


def test_two_cycles_running_at_100_percent_on_most_are_too_safe() -> None:
    assert targets_too_safe([[1.0, 1.0, 0.4], [1.0, 1.0, 1.0, 0.8]])


def test_only_the_last_two_cycles_count() -> None:
    assert targets_too_safe([[0.2, 0.3], [1.0, 1.0], [1.0, 1.0, 0.9]])
    assert not targets_too_safe([[1.0, 1.0], [1.0, 1.0], [0.7, 1.0, 0.9]])


@pytest.mark.parametrize(
    "history",
    [
        [[1.0, 1.0, 0.4], [1.0, 0.7, 0.7]],  # the latest one was a stretch
        [[1.0, 0.7, 0.7], [1.0, 1.0, 1.0]],  # the one before was a stretch
        [[1.0, 1.0], []],  # nothing scored in the latest
    ],
)
def test_one_stretching_cycle_is_not_too_safe(history: list[list[float]]) -> None:
    assert not targets_too_safe(history)


def test_a_score_just_under_one_is_not_a_hit() -> None:
    assert not targets_too_safe([[0.99, 0.99], [0.99, 0.99]])


# --- summary and report ---------------------------------------------------------------------


def test_summary_counts_successes_and_means_over_objectives() -> None:
    summary = ClosingSummary.of([[1.0, 0.5], [0.7, 0.7, 0.4], []])
    assert summary.objectives == 3
    assert summary.key_results == 5
    assert summary.key_results_succeeded == 3  # 1.0, 0.7, 0.7
    assert summary.key_results_full == 1
    assert summary.key_results_unfinished == 4
    # Objectives score 0.75 and 0.6; the one without key results does not count.
    assert summary.mean_score == 0.68
    assert summary.objectives_succeeded == 1
    assert not summary.succeeded


def test_summary_of_nothing() -> None:
    summary = ClosingSummary.of([])
    assert (summary.objectives, summary.key_results, summary.mean_score) == (0, 0, 0.0)
    assert not summary.succeeded


def _kr(kr_id: int, score: float, carried_to: int | None = None) -> ClosedKeyResult:
    return ClosedKeyResult(
        id=kr_id,
        title=f"KR {kr_id}",
        owner=None,
        kind=KRKind.increase,
        start=0,
        target=10,
        current=score * 10,
        unit="",
        score=score,
        carried_to_id=carried_to,
    )


def test_report_lists_what_can_still_be_carried() -> None:
    report = ClosingReport(
        team_id=1,
        team_name="Growth",
        cycle_id=1,
        cycle_label="2026-Q3",
        next_cycle_label="2026-Q4",
        closed_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
        automatic=True,
        closed_by=None,
        objectives=(
            ClosedObjective(1, "O", None, 0.6, (_kr(1, 1.0), _kr(2, 0.5), _kr(3, 0.3, 9))),
            ClosedObjective(2, "Empty", None, 0.0, ()),
        ),
    )
    assert [kr.id for kr in report.carryable] == [2]
    assert report.summary.key_results == 3
    assert not report.objectives[1].succeeded
