"""OKR cycles: calendar quarters by default, labelled like `2026-Q4`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.domain.schedule import iso_period, zone_of

_LABEL = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class CycleSpan:
    """A cycle's label and its first and last day (both inclusive)."""

    label: str
    start: dt.date
    end: dt.date

    def week_of(self, day: dt.date) -> tuple[int, int]:
        """(week number, total weeks) of `day` within the cycle, week 1 being the first.

        A quarter of 90-92 days counts as 13 weeks; its last day or two belong to week 13.
        """
        total = max(1, round(((self.end - self.start).days + 1) / 7))
        week = (min(max(day, self.start), self.end) - self.start).days // 7 + 1
        return min(week, total), total


def quarter_of(day: dt.date) -> CycleSpan:
    """The calendar quarter that contains `day`."""
    quarter = (day.month - 1) // 3 + 1
    return quarter_span(day.year, quarter)


def quarter_span(year: int, quarter: int) -> CycleSpan:
    """The span of quarter `quarter` (1-4) of `year`."""
    start = dt.date(year, 3 * quarter - 2, 1)
    next_start = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return CycleSpan(f"{year}-Q{quarter}", start, next_start - dt.timedelta(days=1))


def parse_cycle_label(label: str) -> CycleSpan:
    """`2026-Q4` → its span; ValueError with a readable reason otherwise."""
    match = _LABEL.match(label.strip())
    if not match:
        raise ValueError(f"{label!r} is not a cycle like 2026-Q4")
    return quarter_span(int(match.group(1)), int(match.group(2)))


def today_in(timezone: str, now: dt.datetime) -> dt.date:
    """The calendar date at `now` in `timezone` (UTC when the zone is unknown; a naive
    `now` is read as UTC)."""
    aware = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone_of(timezone)).date()


def current_quarter(timezone: str, now: dt.datetime) -> CycleSpan:
    """The quarter that `now` falls in, in `timezone`."""
    return quarter_of(today_in(timezone, now))


def current_period(timezone: str, now: dt.datetime) -> str:
    """The ISO week (`2026-W48`) that `now` falls in, in `timezone`: a check-in's period."""
    return iso_period(today_in(timezone, now))
