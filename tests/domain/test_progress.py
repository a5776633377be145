"""Progress of key results and objectives, and how it is shown as text."""

import math
from datetime import date

import pytest

from app.domain.progress import (
    expected_progress,
    format_number,
    objective_progress,
    percent,
    progress_bar,
    progress_of,
    rolled_up,
)
from app.domain.types import KRKind

# --- progress_of: increase / decrease ---------------------------------------------------------


def test_progress_of_increase_halfway_is_one_half() -> None:
    assert progress_of(KRKind.increase, start=60, target=85, current=72.5) == 0.5


def test_progress_of_increase_at_target_is_one() -> None:
    assert progress_of(KRKind.increase, start=60, target=85, current=85) == 1.0


def test_progress_of_increase_past_target_exceeds_one() -> None:
    assert progress_of(KRKind.increase, start=0, target=100, current=130) == pytest.approx(1.3)


def test_progress_of_increase_moving_backwards_is_negative() -> None:
    assert progress_of(KRKind.increase, start=60, target=85, current=55) == pytest.approx(-0.2)


def test_progress_of_decrease_halfway_is_one_half() -> None:
    assert progress_of(KRKind.decrease, start=3, target=1, current=2) == 0.5


def test_progress_of_decrease_past_target_exceeds_one() -> None:
    assert progress_of(KRKind.decrease, start=3, target=1, current=0) == 1.5


def test_progress_of_decrease_moving_the_wrong_way_is_negative() -> None:
    assert progress_of(KRKind.decrease, start=3, target=1, current=4) == -0.5


def test_progress_of_decrease_still_at_start_is_zero() -> None:
    assert progress_of(KRKind.decrease, start=240, target=30, current=240) == 0.0


# --- progress_of: no distance to cover --------------------------------------------------------


def test_progress_of_increase_without_start_counts_from_zero() -> None:
    assert progress_of(KRKind.increase, start=None, target=1200, current=300) == 0.25


@pytest.mark.parametrize(("current", "expected"), [(0.0, 1.0), (5.0, 1.0), (-1.0, 0.0)])
def test_progress_of_increase_without_start_and_zero_target_is_met_or_not(
    current: float, expected: float
) -> None:
    assert progress_of(KRKind.increase, start=None, target=0, current=current) == expected


@pytest.mark.parametrize(("current", "expected"), [(150.0, 1.0), (200.0, 1.0), (250.0, 0.0)])
def test_progress_of_decrease_without_start_is_met_or_not(current: float, expected: float) -> None:
    assert progress_of(KRKind.decrease, start=None, target=200, current=current) == expected


@pytest.mark.parametrize(("current", "expected"), [(40.0, 0.0), (50.0, 1.0), (60.0, 1.0)])
def test_progress_of_increase_with_start_equal_to_target_is_met_or_not(
    current: float, expected: float
) -> None:
    assert progress_of(KRKind.increase, start=50, target=50, current=current) == expected


@pytest.mark.parametrize(("current", "expected"), [(40.0, 1.0), (50.0, 1.0), (60.0, 0.0)])
def test_progress_of_decrease_with_start_equal_to_target_is_met_or_not(
    current: float, expected: float
) -> None:
    assert progress_of(KRKind.decrease, start=50, target=50, current=current) == expected


# --- progress_of: thresholds and milestones ---------------------------------------------------


@pytest.mark.parametrize(("current", "expected"), [(44.0, 0.0), (45.0, 1.0), (60.0, 1.0)])
def test_progress_of_stay_above_is_met_at_or_above_target(current: float, expected: float) -> None:
    assert progress_of(KRKind.stay_above, start=None, target=45, current=current) == expected


@pytest.mark.parametrize(("current", "expected"), [(1.5, 1.0), (2.0, 1.0), (2.1, 0.0)])
def test_progress_of_stay_below_is_met_at_or_below_target(current: float, expected: float) -> None:
    assert progress_of(KRKind.stay_below, start=None, target=2, current=current) == expected


def test_progress_of_stay_above_ignores_start() -> None:
    assert progress_of(KRKind.stay_above, start=10, target=45, current=50) == 1.0


@pytest.mark.parametrize(("current", "expected"), [(0.0, 0.0), (0.5, 0.0), (1.0, 1.0), (2.0, 1.0)])
def test_progress_of_milestone_is_done_from_one(current: float, expected: float) -> None:
    assert progress_of(KRKind.milestone, start=None, target=1, current=current) == expected


def test_progress_of_milestone_ignores_target() -> None:
    assert progress_of(KRKind.milestone, start=None, target=math.nan, current=1) == 1.0


# --- progress_of: nothing reported, bad numbers -----------------------------------------------


@pytest.mark.parametrize("kind", list(KRKind))
def test_progress_of_without_current_value_is_none_for_every_kind(kind: KRKind) -> None:
    assert progress_of(kind, start=0, target=10, current=None) is None


@pytest.mark.parametrize(
    ("start", "target", "current"),
    [
        (0.0, 10.0, math.nan),
        (0.0, 10.0, math.inf),
        (0.0, math.nan, 5.0),
        (0.0, -math.inf, 5.0),
        (math.nan, 10.0, 5.0),
        (math.inf, 10.0, 5.0),
    ],
)
def test_progress_of_with_nan_or_infinite_input_is_none(
    start: float, target: float, current: float
) -> None:
    assert progress_of(KRKind.increase, start=start, target=target, current=current) is None


def test_progress_of_that_would_overflow_is_none_rather_than_nan_or_inf() -> None:
    assert progress_of(KRKind.increase, start=-1e308, target=1e308, current=1e308) is None
    assert progress_of(KRKind.increase, start=0, target=1e-300, current=1e300) is None


def test_progress_of_accepts_the_kind_as_plain_string() -> None:
    assert progress_of("decrease", start=3, target=1, current=2) == 0.5  # type: ignore[arg-type]


def test_progress_of_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown key result kind"):
        progress_of("sideways", start=0, target=1, current=1)  # type: ignore[arg-type]


# --- rolled_up and objective_progress ---------------------------------------------------------


@pytest.mark.parametrize(
    ("progress", "expected"),
    [(None, 0.0), (math.nan, 0.0), (-0.4, 0.0), (0.0, 0.0), (0.35, 0.35), (1.0, 1.0), (1.8, 1.0)],
)
def test_rolled_up_clamps_progress_between_zero_and_one(
    progress: float | None, expected: float
) -> None:
    assert rolled_up(progress) == expected


def test_objective_progress_is_mean_of_key_results() -> None:
    assert objective_progress([0.2, 0.4, 0.9]) == pytest.approx(0.5)


def test_objective_progress_counts_not_updated_key_results_as_zero() -> None:
    assert objective_progress([1.0, None]) == 0.5


def test_objective_progress_caps_an_over_achiever_so_it_cannot_hide_a_lagging_key_result() -> None:
    assert objective_progress([2.0, 0.0]) == 0.5


def test_objective_progress_counts_negative_progress_as_zero() -> None:
    assert objective_progress([-1.0, 0.5]) == 0.25


def test_objective_progress_without_key_results_is_none() -> None:
    assert objective_progress([]) is None


def test_objective_progress_accepts_a_generator() -> None:
    assert objective_progress(p for p in (0.5, 0.5)) == 0.5


# --- expected_progress ------------------------------------------------------------------------

CYCLE_START, CYCLE_END = date(2026, 1, 1), date(2026, 1, 11)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 12, 1), 0.0),
        (CYCLE_START, 0.0),
        (date(2026, 1, 2), 0.1),
        (date(2026, 1, 6), 0.5),
        (CYCLE_END, 1.0),
        (date(2026, 3, 1), 1.0),
    ],
)
def test_expected_progress_is_a_straight_line_through_the_cycle(
    today: date, expected: float
) -> None:
    assert expected_progress(start=CYCLE_START, end=CYCLE_END, today=today) == pytest.approx(
        expected
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2025, 12, 31), 0.0), (CYCLE_START, 1.0), (date(2026, 1, 2), 1.0)],
)
def test_expected_progress_of_a_one_day_cycle_is_zero_before_and_one_from_that_day(
    today: date, expected: float
) -> None:
    assert expected_progress(start=CYCLE_START, end=CYCLE_START, today=today) == expected


def test_expected_progress_with_end_before_start_does_not_divide_by_a_negative() -> None:
    assert expected_progress(start=CYCLE_END, end=CYCLE_START, today=CYCLE_START) == 0.0
    assert expected_progress(start=CYCLE_END, end=CYCLE_START, today=CYCLE_END) == 1.0


# --- progress_bar and percent -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fraction", "bar"),
    [
        (0.72, "███████░░░"),
        (0.0, "░░░░░░░░░░"),
        (1.0, "██████████"),
        (1.3, "██████████"),
        (-0.2, "░░░░░░░░░░"),
        (None, "░░░░░░░░░░"),
        (math.nan, "░░░░░░░░░░"),
        (0.01, "█░░░░░░░░░"),
        (0.99, "█████████░"),
        (0.5, "█████░░░░░"),
    ],
)
def test_progress_bar_draws_ten_cells(fraction: float | None, bar: str) -> None:
    assert progress_bar(fraction) == bar


def test_progress_bar_respects_width() -> None:
    assert progress_bar(0.5, width=4) == "██░░"
    assert progress_bar(0.5, width=1) in {"█", "░"}
    assert progress_bar(0.5, width=0) == ""


def test_progress_bar_always_has_exactly_width_cells_and_fills_monotonically() -> None:
    bars = [progress_bar(i / 100, width=12) for i in range(-20, 140)]
    assert {len(bar) for bar in bars} == {12}
    filled = [bar.count("█") for bar in bars]
    assert filled == sorted(filled)


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (0.72, "72%"),
        (0.0, "0%"),
        (1.0, "100%"),
        (1.3, "130%"),
        (-0.1, "-10%"),
        (0.125, "13%"),
        (-0.001, "0%"),
        (None, "–"),
        (math.nan, "–"),
        (math.inf, "–"),
    ],
)
def test_percent_rounds_to_whole_percent(fraction: float | None, text: str) -> None:
    assert percent(fraction) == text


# --- format_number ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (60.0, "%", "60%"),
        (1.5, "days", "1.5 days"),
        (1.0, "days", "1 day"),
        (200, "ms", "200 ms"),
        (1_200_000, "$", "$1,200,000"),
        (25_000.0, "€", "€25,000"),
        (3.5, "£", "£3.5"),
        (-5, "$", "-$5"),
        (3, "x", "3x"),
        (0.25, "", "0.25"),
        (1200.0, "", "1,200"),
        (45.0, "", "45"),
        (99.95, "%", "99.95%"),
        (2 / 3, "", "0.67"),
        (0.004, "", "0.004"),
        (-0.0, "", "0"),
        (240, " min ", "240 min"),
        (None, "%", "–"),
        (math.nan, "", "–"),
    ],
)
def test_format_number_writes_values_as_people_do(
    value: float | None, unit: str, text: str
) -> None:
    assert format_number(value, unit) == text
