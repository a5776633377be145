"""How far a key result and an objective have come, and how to show it as text.

Plain numbers in, plain numbers (or strings) out. Progress is a fraction: 1.0 means 100%.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

from app.domain.types import KRKind

NO_VALUE = "–"

_FILLED = "█"
_EMPTY = "░"

# Symbols written before the number ("$1,200"), and units glued to it ("60%", "3x").
_CURRENCY_SYMBOLS = frozenset({"$", "€", "£"})
_GLUED_UNITS = frozenset({"%", "x"})

# So that a value of exactly 1 reads "1 day", not "1 days".
_SINGULAR = {
    "days": "day",
    "weeks": "week",
    "months": "month",
    "hours": "hour",
    "minutes": "minute",
    "seconds": "second",
    "points": "point",
}


def progress_of(
    kind: KRKind, *, start: float | None, target: float, current: float | None
) -> float | None:
    """Raw progress of one key result as a fraction (1.0 == 100%).

    Increase and decrease are linear from start to target, unclamped: past the target gives
    more than 1.0, moving the wrong way gives a negative number. Without a distance to cover
    (no usable start, or start == target) they are binary, like stay_above / stay_below.
    A milestone is done (1.0) when current >= 1. Returns None when nothing was reported
    (current is None) or an input is NaN/infinite, so silence never shows as green.
    """
    if current is None or not math.isfinite(current):
        return None
    if kind == KRKind.milestone:
        return 1.0 if current >= 1 else 0.0
    if target is None or not math.isfinite(target):
        return None
    if start is not None and not math.isfinite(start):
        return None

    if kind == KRKind.stay_above:
        return 1.0 if current >= target else 0.0
    if kind == KRKind.stay_below:
        return 1.0 if current <= target else 0.0
    if kind == KRKind.increase:
        # Counting up from nothing is the natural baseline when none was recorded.
        base = 0.0 if start is None else start
        if base == target:
            return 1.0 if current >= target else 0.0
        return _ratio(current - base, target - base)
    if kind == KRKind.decrease:
        # There is no natural baseline to count down from, so without one it is met or not.
        if start is None or start == target:
            return 1.0 if current <= target else 0.0
        return _ratio(current - start, target - start)
    raise ValueError(f"unknown key result kind: {kind!r}")


def _ratio(done: float, distance: float) -> float | None:
    result = done / distance
    # Extreme inputs can overflow to inf; that is not a progress anyone can read.
    return result if math.isfinite(result) else None


def rolled_up(progress: float | None) -> float:
    """A key result's contribution to its objective, in [0.0, 1.0].

    Not updated counts as 0; going backwards counts as 0; passing the target counts as 1.0,
    so one over-achieving key result cannot hide a lagging one.
    """
    if progress is None or math.isnan(progress):
        return 0.0
    return min(1.0, max(0.0, progress))


def objective_progress(kr_progresses: Iterable[float | None]) -> float | None:
    """Mean of the key results' rolled-up progress; None when there are no key results."""
    values = [rolled_up(progress) for progress in kr_progresses]
    if not values:
        return None
    return sum(values) / len(values)


def expected_progress(*, start: date, end: date, today: date) -> float:
    """Where a straight line through the cycle says progress should be today.

    0.0 on or before the start day, 1.0 on or after the end day, linear in days between.
    """
    if end <= start:
        # A cycle without length: it is either still ahead or already over.
        return 0.0 if today < start else 1.0
    if today <= start:
        return 0.0
    if today >= end:
        return 1.0
    return (today - start).days / (end - start).days


def progress_bar(fraction: float | None, *, width: int = 10) -> str:
    """A text bar of `width` cells, e.g. "███████░░░" for 0.72.

    The fraction is clamped to [0, 1] for drawing. None draws an empty bar (the caller says
    "not updated"). Between 0 and 1 exclusive, at least one cell is filled and one is empty,
    so a bar only looks empty at 0% and only looks full at 100%.
    """
    if width <= 0:
        return ""
    if fraction is None or math.isnan(fraction):
        return _EMPTY * width
    clamped = min(1.0, max(0.0, fraction))
    filled = math.floor(clamped * width + 0.5)
    if 0.0 < clamped < 1.0 and width >= 2:
        filled = min(width - 1, max(1, filled))
    return _FILLED * filled + _EMPTY * (width - filled)


def percent(fraction: float | None) -> str:
    """A fraction as a whole percentage: 0.72 → "72%", 1.3 → "130%", None → "–"."""
    if fraction is None or not math.isfinite(fraction):
        return NO_VALUE
    whole = _round_half_up(abs(fraction) * 100)
    sign = "-" if fraction < 0 and whole else ""
    return f"{sign}{whole}%"


def _round_half_up(value: float) -> int:
    # round() rounds halves to even (72.5 → 72); people expect 73.
    return math.floor(value + 0.5)


def format_number(value: float | None, unit: str = "") -> str:
    """A value with its unit, as people write it.

    "60%", "3x", "1.5 days", "200 ms", "$1,200,000", "0.25"; None → "–".
    Whole numbers print without ".0"; thousands get separators.
    """
    if value is None or not math.isfinite(value):
        return NO_VALUE
    unit = unit.strip()
    digits = _plain_number(abs(value))
    sign = "-" if value < 0 and digits != "0" else ""
    if not unit:
        return f"{sign}{digits}"
    if unit in _CURRENCY_SYMBOLS:
        return f"{sign}{unit}{digits}"
    if unit in _GLUED_UNITS:
        return f"{sign}{digits}{unit}"
    if abs(value) == 1:
        unit = _SINGULAR.get(unit, unit)
    return f"{sign}{digits} {unit}"


def _plain_number(value: float) -> str:
    """A non-negative finite number: whole numbers as integers, others with up to 2 decimals."""
    if value == int(value):
        return f"{int(value):,}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if text == "0":
        # Too small for two decimals (e.g. 0.004); show its significant digits instead.
        return f"{value:.2g}"
    return text
