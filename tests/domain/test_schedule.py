"""The weekly check-in rhythm: slots, periods, daylight-saving changes and snooze lengths."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from app.domain.schedule import (
    MAX_SNOOZE,
    Due,
    Slot,
    SlotKind,
    WeeklyRule,
    digest_slot,
    due_state,
    iso_period,
    local_instant,
    parse_duration,
    periods_between,
    prompt_slot,
    reminder_slot,
    slots_around,
)

UTC = dt.UTC
H = dt.timedelta(hours=1)
MON, FRI, SAT, SUN = 0, 4, 5, 6


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(zone: str, day: dt.date, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """Wall time `hour:minute:second` on `day` in `zone` (first occurrence), as UTC."""
    wall = dt.datetime.combine(day, dt.time(hour, minute, second), ZoneInfo(zone))
    return wall.astimezone(UTC)


def rules(
    zone: str,
    *,
    prompt: tuple[int, dt.time] = (FRI, dt.time(10)),
    reminder: tuple[int, dt.time] = (MON, dt.time(10)),
    digest: tuple[int, dt.time] = (FRI, dt.time(16)),
) -> dict[str, WeeklyRule]:
    """The three rules of a team, the defaults unless told otherwise."""
    return {
        "prompt": WeeklyRule(*prompt, zone),
        "reminder": WeeklyRule(*reminder, zone),
        "digest": WeeklyRule(*digest, zone),
    }


def ticks(start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> list[dt.datetime]:
    out, now = [], start
    while now <= end:
        out.append(now)
        now += step
    return out


def becomes_due(
    team: dict[str, WeeklyRule], moments: list[dt.datetime]
) -> Counter[tuple[SlotKind, str]]:
    """How often each (kind, period) turns due when a tick runs at each of `moments`.

    Also checks that a slot never changes its instant or local day from one tick to the next.
    """
    zone = team["prompt"].timezone
    seen: dict[tuple[SlotKind, str], Slot] = {}
    due_before: set[tuple[SlotKind, str]] = set()
    turned: Counter[tuple[SlotKind, str]] = Counter()
    for now in moments:
        slots = slots_around(now, **team)
        keys = [(slot.kind, slot.period) for slot in slots]
        assert len(keys) == len(set(keys)), f"duplicate slot at {now}"
        due_now = set()
        for slot in slots:
            key = (slot.kind, slot.period)
            assert seen.setdefault(key, slot) == slot, f"{key} moved at {now}"
            if due_state(slot, now, zone) == Due.due:
                due_now.add(key)
        for key in due_now - due_before:
            turned[key] += 1
        due_before = due_now
    return turned


# --- daylight-saving changes ------------------------------------------------------------------


@dataclass(frozen=True)
class Transitions:
    """A zone's changes in one year, as tzdata has them, and the wall times they touch."""

    zone: str
    spring: dt.date  # clocks go forward
    fall: dt.date  # clocks go back
    winter: dt.timedelta  # UTC offset outside summer time
    summer: dt.timedelta
    skipped: dt.time  # a wall time that does not exist on `spring`
    repeated: dt.time  # a wall time that happens twice on `fall`


# Read off zoneinfo (tzdata 2026): Berlin 02:00→03:00 / 03:00→02:00, New York and Jerusalem
# 02:00→03:00 / 02:00→01:00. Jerusalem springs forward on the Friday before the last Sunday of
# March and falls back on the last Sunday of October.
TRANSITIONS = [
    Transitions(
        "Europe/Berlin", dt.date(2026, 3, 29), dt.date(2026, 10, 25), 1 * H, 2 * H,
        dt.time(2, 30), dt.time(2, 30),
    ),
    Transitions(
        "Europe/Berlin", dt.date(2027, 3, 28), dt.date(2027, 10, 31), 1 * H, 2 * H,
        dt.time(2, 30), dt.time(2, 30),
    ),
    Transitions(
        "America/New_York", dt.date(2026, 3, 8), dt.date(2026, 11, 1), -5 * H, -4 * H,
        dt.time(2, 30), dt.time(1, 30),
    ),
    Transitions(
        "America/New_York", dt.date(2027, 3, 14), dt.date(2027, 11, 7), -5 * H, -4 * H,
        dt.time(2, 30), dt.time(1, 30),
    ),
    Transitions(
        "Asia/Jerusalem", dt.date(2026, 3, 27), dt.date(2026, 10, 25), 2 * H, 3 * H,
        dt.time(2, 30), dt.time(1, 30),
    ),
    Transitions(
        "Asia/Jerusalem", dt.date(2027, 3, 26), dt.date(2027, 10, 31), 2 * H, 3 * H,
        dt.time(2, 30), dt.time(1, 30),
    ),
]  # fmt: skip
TRANSITION_IDS = [f"{t.zone}-{t.spring.year}" for t in TRANSITIONS]


def _offset(zone: str, day: dt.date, hour: int) -> dt.timedelta | None:
    return dt.datetime.combine(day, dt.time(hour), ZoneInfo(zone)).utcoffset()


@pytest.mark.parametrize("t", TRANSITIONS, ids=TRANSITION_IDS)
def test_the_transition_table_matches_the_zone_data(t: Transitions) -> None:
    # The clocks change on exactly these days: noon the day before vs noon on the day.
    assert _offset(t.zone, t.spring - dt.timedelta(days=1), 12) == t.winter
    assert _offset(t.zone, t.spring, 12) == t.summer
    assert _offset(t.zone, t.fall - dt.timedelta(days=1), 12) == t.summer
    assert _offset(t.zone, t.fall, 12) == t.winter
    # The skipped wall time really is skipped, the repeated one really is repeated.
    gap = dt.datetime.combine(t.spring, t.skipped, ZoneInfo(t.zone))
    assert gap.astimezone(UTC).astimezone(ZoneInfo(t.zone)).time() != t.skipped
    twice = [
        dt.datetime.combine(t.fall, t.repeated.replace(fold=fold), ZoneInfo(t.zone))
        for fold in (0, 1)
    ]
    assert twice[1].astimezone(UTC) - twice[0].astimezone(UTC) == H
    if t.zone == "Asia/Jerusalem":
        assert t.spring.weekday() == FRI and t.fall.weekday() == SUN


@pytest.mark.parametrize("t", TRANSITIONS, ids=TRANSITION_IDS)
@pytest.mark.parametrize("which", ["spring", "fall"])
def test_prompts_around_a_transition_keep_their_local_wall_time(t: Transitions, which: str) -> None:
    change = t.spring if which == "spring" else t.fall
    before, after = (t.winter, t.summer) if which == "spring" else (t.summer, t.winter)
    for weekday in (FRI, SUN, MON):
        rule = WeeklyRule(weekday, dt.time(10), t.zone)
        for weeks in (-1, 0, 1):
            day = change + dt.timedelta(weeks=weeks)
            slot = prompt_slot(rule, iso_period(day))
            prompt_day = dt.date.fromisocalendar(*day.isocalendar()[:2], weekday + 1)
            offset = before if prompt_day < change else after
            assert slot.at == dt.datetime.combine(prompt_day, dt.time(10), UTC) - offset
            assert slot.at.tzinfo is UTC
            assert slot.local_date == prompt_day
            assert slot.at.astimezone(ZoneInfo(t.zone)).time() == dt.time(10)


@pytest.mark.parametrize("t", TRANSITIONS, ids=TRANSITION_IDS)
def test_a_slot_in_the_skipped_hour_fires_once_with_the_offset_from_before_the_gap(
    t: Transitions,
) -> None:
    rule = WeeklyRule(t.spring.weekday(), t.skipped, t.zone)
    slot = prompt_slot(rule, iso_period(t.spring))
    # 02:30 read with the winter offset: one hour later on the (summer) clocks, same day.
    assert slot.at == dt.datetime.combine(t.spring, t.skipped, UTC) - t.winter
    shown = slot.at.astimezone(ZoneInfo(t.zone))
    assert (shown.date(), shown.time()) == (t.spring, dt.time(t.skipped.hour + 1, 30))
    assert slot.local_date == t.spring
    assert local_instant(t.spring, t.skipped, t.zone) == slot.at

    team = rules(t.zone, prompt=(rule.weekday, t.skipped))
    day_start = local(t.zone, t.spring)
    minutes = ticks(day_start - 2 * H, day_start + 26 * H, dt.timedelta(minutes=1))
    assert becomes_due(team, minutes)[(SlotKind.prompt, slot.period)] == 1
    assert due_state(slot, slot.at - dt.timedelta(seconds=1), t.zone) == Due.not_yet
    assert due_state(slot, slot.at, t.zone) == Due.due


@pytest.mark.parametrize("t", TRANSITIONS, ids=TRANSITION_IDS)
def test_a_slot_in_the_repeated_hour_fires_once_at_its_first_occurrence(
    t: Transitions,
) -> None:
    rule = WeeklyRule(t.fall.weekday(), t.repeated, t.zone)
    slot = prompt_slot(rule, iso_period(t.fall))
    first = dt.datetime.combine(t.fall, t.repeated, UTC) - t.summer
    assert slot.at == first
    assert slot.at.astimezone(ZoneInfo(t.zone)).utcoffset() == t.summer
    # A caller's fold=1 does not move the slot to the second occurrence.
    assert local_instant(t.fall, t.repeated.replace(fold=1), t.zone) == first

    team = rules(t.zone, prompt=(rule.weekday, t.repeated))
    day_start = local(t.zone, t.fall)
    minutes = ticks(day_start - 2 * H, day_start + 27 * H, dt.timedelta(minutes=1))
    assert becomes_due(team, minutes)[(SlotKind.prompt, slot.period)] == 1
    # At the second occurrence of the same wall time it is the same slot, merely still due.
    second = first + H
    assert due_state(slot, second, t.zone) == Due.due
    assert [s for s in slots_around(second, **team) if s.kind == SlotKind.prompt] == [slot]


@pytest.mark.parametrize("day", [dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2027, 3, 28)])
def test_kolkata_has_no_transitions_so_its_prompts_stay_at_the_same_utc_time(
    day: dt.date,
) -> None:
    rule = WeeklyRule(SUN, dt.time(10), "Asia/Kolkata")
    for weeks in (-1, 0, 1):
        slot = prompt_slot(rule, iso_period(day + dt.timedelta(weeks=weeks)))
        assert slot.at.time() == dt.time(4, 30)
    for wall in (dt.time(2, 30), dt.time(1, 30)):
        assert local_instant(day, wall, "Asia/Kolkata") == dt.datetime.combine(
            day, wall, UTC
        ) - dt.timedelta(hours=5, minutes=30)


def test_a_reminder_after_spring_forward_keeps_ten_oclock_local() -> None:
    prompt = prompt_slot(WeeklyRule(FRI, dt.time(10), "Europe/Berlin"), "2026-W13")
    assert prompt.at == utc(2026, 3, 27, 9)  # Friday, still CET
    reminder = reminder_slot(prompt, WeeklyRule(MON, dt.time(10), "Europe/Berlin"))
    assert reminder.at == utc(2026, 3, 30, 8)  # Monday, CEST
    assert reminder.period == "2026-W13"


# --- due_state: the same-local-day rule --------------------------------------------------------

# (zone, slot wall time, its local date, its UTC instant): Tokyo's Monday 08:00 is Sunday in UTC,
# Los Angeles' Friday 20:00 is Saturday in UTC.
SAME_DAY_CASES = [
    ("Asia/Tokyo", dt.time(8), dt.date(2026, 11, 16), utc(2026, 11, 15, 23)),
    ("America/Los_Angeles", dt.time(20), dt.date(2026, 11, 20), utc(2026, 11, 21, 4)),
    ("Europe/Berlin", dt.time(10), dt.date(2026, 11, 20), utc(2026, 11, 20, 9)),
]


@pytest.mark.parametrize(("zone", "wall", "day", "at"), SAME_DAY_CASES)
def test_a_slot_is_due_from_its_instant_until_its_local_day_ends(
    zone: str, wall: dt.time, day: dt.date, at: dt.datetime
) -> None:
    slot = prompt_slot(WeeklyRule(day.weekday(), wall, zone), iso_period(day))
    assert (slot.at, slot.local_date) == (at, day)
    midnight = local(zone, day + dt.timedelta(days=1))
    second = dt.timedelta(seconds=1)
    assert due_state(slot, at - dt.timedelta(hours=3), zone) == Due.not_yet
    assert due_state(slot, at - second, zone) == Due.not_yet
    assert due_state(slot, at, zone) == Due.due
    assert due_state(slot, at + H, zone) == Due.due
    assert due_state(slot, midnight - second, zone) == Due.due  # a restart late that day
    assert due_state(slot, midnight, zone) == Due.missed
    assert due_state(slot, midnight + second, zone) == Due.missed
    assert due_state(slot, at + dt.timedelta(days=3), zone) == Due.missed


def test_a_tokyo_slot_stays_due_past_utc_midnight_and_is_missed_at_tokyo_midnight() -> None:
    slot = prompt_slot(WeeklyRule(MON, dt.time(8), "Asia/Tokyo"), "2026-W47")
    # Monday 00:30 UTC is already Monday 09:30 in Tokyo: still the slot's day.
    assert due_state(slot, utc(2026, 11, 16, 0, 30), "Asia/Tokyo") == Due.due
    assert due_state(slot, utc(2026, 11, 16, 14, 59), "Asia/Tokyo") == Due.due
    assert due_state(slot, utc(2026, 11, 16, 15), "Asia/Tokyo") == Due.missed


def test_a_los_angeles_slot_is_still_due_on_the_next_utc_day() -> None:
    slot = prompt_slot(WeeklyRule(FRI, dt.time(20), "America/Los_Angeles"), "2026-W47")
    assert due_state(slot, utc(2026, 11, 21, 7, 59), "America/Los_Angeles") == Due.due
    assert due_state(slot, utc(2026, 11, 21, 8), "America/Los_Angeles") == Due.missed


def test_due_state_refuses_a_naive_now() -> None:
    slot = prompt_slot(WeeklyRule(FRI, dt.time(10), "UTC"), "2026-W47")
    with pytest.raises(ValueError, match="aware"):
        due_state(slot, dt.datetime(2026, 11, 20, 12), "UTC")
    with pytest.raises(ValueError, match="aware"):
        slots_around(dt.datetime(2026, 11, 20, 12), **rules("UTC"))


def test_an_unknown_zone_behaves_as_utc() -> None:
    for name in ("Mars/Olympus_Mons", "", "../etc/passwd", "Europe", "europe/berlin"):
        assert local_instant(dt.date(2026, 7, 1), dt.time(10), name) == utc(2026, 7, 1, 10)
        slot = prompt_slot(WeeklyRule(FRI, dt.time(10), name), "2026-W47")
        assert slot.at == utc(2026, 11, 20, 10)
        assert due_state(slot, utc(2026, 11, 20, 23, 59), name) == Due.due
        assert due_state(slot, utc(2026, 11, 21), name) == Due.missed


# --- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (dt.date(2026, 11, 20), "2026-W47"),
        (dt.date(2026, 1, 1), "2026-W01"),
        (dt.date(2026, 1, 5), "2026-W02"),
        (dt.date(2026, 12, 31), "2026-W53"),
        (dt.date(2027, 1, 1), "2026-W53"),
        (dt.date(2027, 1, 3), "2026-W53"),
        (dt.date(2027, 1, 4), "2027-W01"),
        (dt.date(2024, 12, 30), "2025-W01"),
    ],
)
def test_iso_period_uses_the_iso_year_and_a_two_digit_week(day: dt.date, period: str) -> None:
    assert iso_period(day) == period


def test_the_prompt_of_week_53_falls_on_new_years_day_2027() -> None:
    slot = prompt_slot(WeeklyRule(FRI, dt.time(10), "Europe/Berlin"), "2026-W53")
    assert (slot.local_date, slot.at, slot.period) == (
        dt.date(2027, 1, 1),
        utc(2027, 1, 1, 9),
        "2026-W53",
    )


def test_a_monday_reminder_crosses_into_the_next_iso_week_but_keeps_the_prompts_period() -> None:
    team = rules("Europe/Berlin")
    prompt = prompt_slot(team["prompt"], "2026-W53")
    reminder = reminder_slot(prompt, team["reminder"])
    assert reminder.local_date == dt.date(2027, 1, 4)
    assert iso_period(reminder.local_date) == "2027-W01"
    assert (reminder.kind, reminder.period, reminder.at) == (
        SlotKind.reminder,
        "2026-W53",
        utc(2027, 1, 4, 9),
    )


def test_the_default_digest_is_the_same_afternoon_in_the_same_period() -> None:
    team = rules("Europe/Berlin")
    prompt = prompt_slot(team["prompt"], "2026-W53")
    for digest in (
        digest_slot(team["digest"], "2026-W53"),
        digest_slot(team["digest"], "2026-W53", prompt=prompt),
    ):
        assert (digest.kind, digest.period, digest.at) == (
            SlotKind.digest,
            "2026-W53",
            utc(2027, 1, 1, 15),
        )


def test_a_digest_on_an_earlier_weekday_than_the_prompt_follows_the_prompt() -> None:
    # Friday prompt, Monday digest: the digest of W47 summarises W47's answers, so it is the
    # Monday after, not the Monday four days before the prompt.
    prompt = prompt_slot(WeeklyRule(FRI, dt.time(10), "UTC"), "2026-W47")
    digest_rule = WeeklyRule(MON, dt.time(9), "UTC")
    assert digest_slot(digest_rule, "2026-W47").at == utc(2026, 11, 16, 9)  # the ISO-week one
    after = digest_slot(digest_rule, "2026-W47", prompt=prompt)
    assert (after.at, after.period) == (utc(2026, 11, 23, 9), "2026-W47")
    with pytest.raises(ValueError, match="W48"):
        digest_slot(digest_rule, "2026-W48", prompt=prompt)


@pytest.mark.parametrize(
    ("weekday", "wall", "expected"),
    [
        (FRI, dt.time(11), utc(2026, 11, 20, 11)),  # later the same day
        (FRI, dt.time(9), utc(2026, 11, 27, 9)),  # earlier the same weekday: next week
        (FRI, dt.time(10), utc(2026, 11, 27, 10)),  # same time: strictly after, 7 days
        (SAT, dt.time(0), utc(2026, 11, 21, 0)),
        (3, dt.time(23, 59), utc(2026, 11, 26, 23, 59)),  # Thursday
    ],
)
def test_a_reminder_is_the_first_occurrence_strictly_after_the_prompt_within_a_week(
    weekday: int, wall: dt.time, expected: dt.datetime
) -> None:
    prompt = prompt_slot(WeeklyRule(FRI, dt.time(10), "UTC"), "2026-W47")
    reminder = reminder_slot(prompt, WeeklyRule(weekday, wall, "UTC"))
    assert reminder.at == expected
    assert prompt.at < reminder.at <= prompt.at + dt.timedelta(days=7)
    assert reminder.period == "2026-W47"


@pytest.mark.parametrize("period", ["2027-W53", "2026-W00", "2026W47", "2026-W7", "week 47", ""])
def test_a_malformed_or_impossible_period_is_refused(period: str) -> None:
    with pytest.raises(ValueError):
        prompt_slot(WeeklyRule(FRI, dt.time(10), "UTC"), period)


def test_periods_between_lists_every_iso_week_touching_the_range() -> None:
    assert periods_between(dt.date(2026, 12, 27), dt.date(2027, 1, 11)) == [
        "2026-W52",
        "2026-W53",
        "2027-W01",
        "2027-W02",
    ]
    assert periods_between(dt.date(2026, 11, 20), dt.date(2026, 11, 20)) == ["2026-W47"]
    assert periods_between(dt.date(2026, 11, 22), dt.date(2026, 11, 23)) == [
        "2026-W47",
        "2026-W48",
    ]
    assert periods_between(dt.date(2026, 11, 23), dt.date(2026, 11, 22)) == []
    quarter = periods_between(dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert (len(quarter), quarter[0], quarter[-1]) == (14, "2026-W40", "2026-W53")


def test_a_weekly_rule_refuses_an_impossible_weekday_or_an_aware_time() -> None:
    with pytest.raises(ValueError, match="weekday"):
        WeeklyRule(7, dt.time(10), "UTC")
    with pytest.raises(ValueError, match="wall-clock"):
        WeeklyRule(FRI, dt.time(10, tzinfo=UTC), "UTC")


# --- slots_around ------------------------------------------------------------------------------


def _all_slots(team: dict[str, WeeklyRule], start: dt.date, end: dt.date) -> list[Slot]:
    out = []
    for period in periods_between(start, end):
        prompt = prompt_slot(team["prompt"], period)
        out += [
            prompt,
            reminder_slot(prompt, team["reminder"]),
            digest_slot(team["digest"], period, prompt=prompt),
        ]
    return out


@pytest.mark.parametrize(
    ("zone", "wall"),
    [
        ("Europe/Berlin", (23, 59, 30)),
        ("Europe/Berlin", (0, 0, 30)),
        ("Asia/Tokyo", (23, 59, 59)),
        ("America/Los_Angeles", (0, 0, 0)),
        ("Pacific/Kiritimati", (23, 30, 0)),
    ],
)
def test_slots_around_midnight_lists_yesterday_today_and_tomorrow_once_each(
    zone: str, wall: tuple[int, int, int]
) -> None:
    team = rules(
        zone, prompt=(SAT, dt.time(23, 59)), reminder=(SUN, dt.time(0)), digest=(MON, dt.time(0))
    )
    for day in (dt.date(2026, 11, 21), dt.date(2026, 11, 22), dt.date(2026, 11, 23)):
        now = local(zone, day, *wall)
        found = slots_around(now, **team)
        expected = [
            slot
            for slot in _all_slots(team, day - dt.timedelta(days=30), day + dt.timedelta(days=30))
            if abs((slot.local_date - now.astimezone(ZoneInfo(zone)).date()).days) <= 1
        ]
        assert sorted(found, key=lambda s: (s.at, s.kind)) == found
        assert expected
        assert len(found) == len(set(found)) == len(expected)
        assert set(found) == set(expected)


def test_slots_around_a_default_friday_has_prompt_and_digest_and_mondays_reminder_is_later() -> (
    None
):
    team = rules("Europe/Berlin")
    friday = slots_around(utc(2026, 11, 20, 12), **team)
    assert [(s.kind, s.period, s.at) for s in friday] == [
        (SlotKind.prompt, "2026-W47", utc(2026, 11, 20, 9)),
        (SlotKind.digest, "2026-W47", utc(2026, 11, 20, 15)),
    ]
    monday = slots_around(utc(2026, 11, 23, 12), **team)
    assert [(s.kind, s.period) for s in monday] == [(SlotKind.reminder, "2026-W47")]


W43_AND_W44_PROMPT = {
    (SlotKind.prompt, "2026-W43"),
    (SlotKind.digest, "2026-W43"),
    (SlotKind.reminder, "2026-W43"),
    (SlotKind.prompt, "2026-W44"),
}


@pytest.mark.parametrize(
    ("team", "due_once"),
    [
        (rules("Europe/Berlin"), W43_AND_W44_PROMPT),
        # Everything in the small hours of the fall-back Sunday, two of them in the repeated hour.
        (
            rules(
                "Europe/Berlin",
                prompt=(SUN, dt.time(2, 15)),
                reminder=(SUN, dt.time(2, 45)),
                digest=(SUN, dt.time(3, 0)),
            ),
            {
                (SlotKind.prompt, "2026-W43"),
                (SlotKind.reminder, "2026-W43"),
                (SlotKind.digest, "2026-W43"),
            },
        ),
        # Tuesday prompt, reminder a week later at an earlier hour, digest on the Monday between:
        # on Tuesday 27th the W43 reminder and the W44 prompt fall on the same day.
        (
            rules(
                "Europe/Berlin",
                prompt=(1, dt.time(10)),
                reminder=(1, dt.time(9)),
                digest=(MON, dt.time(9)),
            ),
            W43_AND_W44_PROMPT - {(SlotKind.prompt, "2026-W43")},  # that was on Tuesday 20th
        ),
    ],
    ids=["defaults", "repeated-hour", "week-later-reminder"],
)
def test_ticking_every_minute_for_eight_days_across_fall_back_sends_each_slot_once(
    team: dict[str, WeeklyRule], due_once: set[tuple[SlotKind, str]]
) -> None:
    # Thursday 22 October 12:00 UTC to Friday 30 October 12:00 UTC; Berlin falls back on the 25th.
    minutes = ticks(utc(2026, 10, 22, 12), utc(2026, 10, 30, 12), dt.timedelta(seconds=60))
    turned = becomes_due(team, minutes)
    # Each kind turns due exactly once per period, and nothing else does.
    assert turned == Counter(dict.fromkeys(due_once, 1))
    # ... which is every slot that falls inside the simulated week.
    inside = {
        (slot.kind, slot.period)
        for slot in _all_slots(team, dt.date(2026, 10, 1), dt.date(2026, 11, 30))
        if minutes[0] < slot.at <= minutes[-1]
    }
    assert inside == due_once


def test_a_reminder_a_week_after_its_prompt_is_still_around_on_its_day() -> None:
    team = rules("UTC", prompt=(1, dt.time(10)), reminder=(1, dt.time(9)))
    found = slots_around(utc(2026, 11, 25, 8), **team)  # Wednesday of W48
    assert [(s.kind, s.period, s.at) for s in found] == [
        (SlotKind.reminder, "2026-W47", utc(2026, 11, 24, 9)),
        (SlotKind.prompt, "2026-W48", utc(2026, 11, 24, 10)),
    ]


def test_a_tick_after_a_long_outage_finds_only_missed_slots() -> None:
    team = rules("Europe/Berlin")
    now = utc(2026, 11, 21, 9)  # Saturday: Friday's prompt and digest are a day old
    states = {s.kind: due_state(s, now, "Europe/Berlin") for s in slots_around(now, **team)}
    assert states == {SlotKind.prompt: Due.missed, SlotKind.digest: Due.missed}


# --- parse_duration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1w", dt.timedelta(weeks=1)),
        ("2 weeks", dt.timedelta(weeks=2)),
        ("1 week", dt.timedelta(weeks=1)),
        ("3wk", dt.timedelta(weeks=3)),
        ("2 wks", dt.timedelta(weeks=2)),
        ("3d", dt.timedelta(days=3)),
        ("10 days", dt.timedelta(days=10)),
        ("1 day", dt.timedelta(days=1)),
        ("36h", dt.timedelta(hours=36)),
        ("4 hr", dt.timedelta(hours=4)),
        ("5 hrs", dt.timedelta(hours=5)),
        ("1 hour", dt.timedelta(hours=1)),
        ("12 hours", dt.timedelta(hours=12)),
        ("1w2d", dt.timedelta(days=9)),
        ("1w 2d 3h", dt.timedelta(days=9, hours=3)),
        ("2d1w", dt.timedelta(days=9)),
        ("  2W  ", dt.timedelta(weeks=2)),
        ("1 Week 2 Days", dt.timedelta(days=9)),
        ("12w", MAX_SNOOZE),
        ("84d", MAX_SNOOZE),
        ("1w0d", dt.timedelta(weeks=1)),
    ],
)
def test_parse_duration_reads_hours_days_and_weeks(text: str, expected: dt.timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "w",
        "2",
        "0d",
        "0w0d",
        "-1d",
        "+1d",
        "1.5d",
        "13w",
        "12w1h",
        "85d",
        "2017h",
        "99999w",
        "999999999999999999999999w",
        "1w1w",
        "1d 2days",
        "2 months",
        "1y",
        "30m",
        "10 minutes",
        "until monday",
        "next week",
        "1 week and 2 days",
        "1w, 2d",
        "1w x",
        "w1",
        "٣d",  # Arabic-Indic three: digits are ASCII only
    ],
)
def test_parse_duration_refuses_anything_else(text: str) -> None:
    assert parse_duration(text) is None
