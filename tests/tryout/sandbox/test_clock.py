"""The virtual clock and what `:advance` understands."""

from __future__ import annotations

import datetime as dt

import pytest

from app.tryout.sandbox.clock import VirtualClock, default_start, describe, parse_when, span

BERLIN = "Europe/Berlin"
# Thursday 19 November 2026, 15:00 in Berlin.
THURSDAY = dt.datetime(2026, 11, 19, 14, 0, tzinfo=dt.UTC)


def _local(moment: dt.datetime | str) -> str:
    assert isinstance(moment, dt.datetime), moment
    return describe(moment, BERLIN)


def test_default_start_is_the_coming_thursday_at_three_in_the_afternoon() -> None:
    monday = dt.datetime(2026, 11, 23, 19, 34, tzinfo=dt.UTC)
    assert _local(default_start(monday, BERLIN)) == (
        "Thursday 26 November 2026, 15:00 (Europe/Berlin)"
    )
    # On a Thursday morning it is that same afternoon.
    morning = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
    assert default_start(morning, BERLIN) == dt.datetime(2026, 11, 26, 14, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("friday 10:00", "Friday 20 November 2026, 10:00 (Europe/Berlin)"),
        ("Fri 10:00", "Friday 20 November 2026, 10:00 (Europe/Berlin)"),
        ("next friday", "Friday 20 November 2026, 15:00 (Europe/Berlin)"),
        ("thursday 10:00", "Thursday 26 November 2026, 10:00 (Europe/Berlin)"),
        ("monday 10:00", "Monday 23 November 2026, 10:00 (Europe/Berlin)"),
        ("tomorrow 9:30", "Friday 20 November 2026, 09:30 (Europe/Berlin)"),
        ("16:00", "Thursday 19 November 2026, 16:00 (Europe/Berlin)"),
        ("9:00", "Friday 20 November 2026, 09:00 (Europe/Berlin)"),
        ("1w", "Thursday 26 November 2026, 15:00 (Europe/Berlin)"),
        ("3d", "Sunday 22 November 2026, 15:00 (Europe/Berlin)"),
        ("2h", "Thursday 19 November 2026, 17:00 (Europe/Berlin)"),
        ("+1w2d", "Saturday 28 November 2026, 15:00 (Europe/Berlin)"),
        ("30m", "Thursday 19 November 2026, 15:30 (Europe/Berlin)"),
        ("2026-12-04 10:00", "Friday 4 December 2026, 10:00 (Europe/Berlin)"),
    ],
)
def test_advance_targets_are_read_in_the_team_zone(text: str, expected: str) -> None:
    assert _local(parse_when(text, THURSDAY, BERLIN)) == expected


def test_a_weekday_keeps_its_wall_time_across_a_clock_change() -> None:
    before = dt.datetime(2026, 10, 22, 8, 0, tzinfo=dt.UTC)  # Thursday 10:00 CEST
    after = parse_when("friday 10:00", before, BERLIN)
    assert after == dt.datetime(2026, 10, 23, 8, 0, tzinfo=dt.UTC)
    next_week = parse_when("1w", before, BERLIN)
    # A week is 168 hours, whatever the wall clocks did in between.
    assert next_week == before + dt.timedelta(weeks=1)


@pytest.mark.parametrize("text", ["", "yesterday", "friday noon", "2026-11-01", "13w", "-1d"])
def test_what_cannot_be_read_gets_a_reason(text: str) -> None:
    reason = parse_when(text, THURSDAY, BERLIN)
    assert isinstance(reason, str) and reason


def test_the_clock_moves_only_forward() -> None:
    clock = VirtualClock(THURSDAY)
    clock.set(THURSDAY + dt.timedelta(hours=1))
    assert clock() == THURSDAY + dt.timedelta(hours=1)
    assert clock.timestamp() == (THURSDAY + dt.timedelta(hours=1)).timestamp()
    with pytest.raises(ValueError, match="only moves forward"):
        clock.set(THURSDAY)
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(dt.datetime(2027, 1, 1))


def test_span_says_how_far_the_clock_jumped() -> None:
    assert span(dt.timedelta(hours=19)) == "+19h"
    assert span(dt.timedelta(days=8, hours=1)) == "+1w 1d 1h"
    assert span(dt.timedelta(minutes=30)) == "+30m"
