"""The weekly check-in rhythm: when a team's prompt, reminder and digest fire.

Every team has three weekly rules (weekday + wall-clock time in the team's IANA time zone).
A tick asks `slots_around(now, ...)` for the nearby occurrences and `due_state(...)` for each.

Time-zone decisions (RFC 5545 §3.3.5, which is also what `zoneinfo` does with `fold=0`):

* A wall time inside a **skipped** hour (spring forward) is read with the UTC offset in force
  *before* the gap. In Europe/Berlin on 2026-03-29 a 02:30 slot fires at 01:30 UTC, which the
  clocks show as 03:30 CEST: the same instant 02:30 would have been had the clocks not moved.
  It fires once, on the same local day, and slots inside the gap keep their order and spacing.
* A wall time inside a **repeated** hour (fall back) fires once, at its first occurrence
  (`fold=0`, still on summer time): Berlin 2026-10-25 02:30 fires at 00:30 UTC, and the second
  02:30 (01:30 UTC) is the same slot, already due, never a second one.
* Outside transitions, slots keep their local wall time, so their UTC instant moves by an hour
  when the zone changes offset.

Unknown or malformed zone names behave as UTC: a team with a typo in its zone still gets its
check-ins (at UTC wall times) instead of crashing every tick.

Identity: every occurrence belongs to a *period*, the ISO week (`2026-W47`) of its prompt's
local date. The reminder and the digest of that week's prompt carry the prompt's period even
when they fall into the next ISO week, so (team, period, kind, person) is a unique key.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.UTC

# A reminder or digest belongs to the prompt before it, at most a week later; see `_next_after`.
_FOLLOW_UP_WINDOW = dt.timedelta(days=7)
_PERIOD = re.compile(r"^(\d{4})-W(\d{2})$")


class SlotKind(StrEnum):
    """What a slot sends."""

    prompt = "prompt"
    reminder = "reminder"
    digest = "digest"


# Ties on `at` sort in the order a person would expect to receive them.
_KIND_ORDER = {SlotKind.prompt: 0, SlotKind.reminder: 1, SlotKind.digest: 2}


@dataclass(frozen=True)
class WeeklyRule:
    """A weekly wall-clock time in a time zone.

    `weekday` is 0 for Monday … 6 for Sunday; `time` is a naive local time; `timezone` is an
    IANA name, and names `zoneinfo` does not know behave as UTC.
    """

    weekday: int
    time: dt.time
    timezone: str

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if self.time.tzinfo is not None:
            raise ValueError("a weekly rule's time is a local wall-clock time, without tzinfo")


@dataclass(frozen=True)
class Slot:
    """One occurrence of a rule.

    `at` is the aware UTC instant it fires; `local_date` is the calendar date of `at` in the
    rule's zone (the day on which a late start may still send it); `period` is the ISO week of
    the prompt it belongs to.
    """

    kind: SlotKind
    period: str
    at: dt.datetime
    local_date: dt.date


class Due(StrEnum):
    """Where a slot stands at a given instant."""

    not_yet = "not_yet"
    due = "due"
    missed = "missed"


# --- zones and instants -----------------------------------------------------------------------


@lru_cache(maxsize=256)
def zone_of(timezone: str) -> ZoneInfo:
    """The zone called `timezone`, or UTC for a name `zoneinfo` cannot load."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError: empty or path-like keys ("../x"); OSError: directories such as "Europe".
        return ZoneInfo("UTC")


def local_instant(day: dt.date, at: dt.time, timezone: str) -> dt.datetime:
    """The aware UTC instant of wall time `at` on `day` in `timezone`.

    In a skipped hour the wall time is read with the offset before the gap (Berlin 2026-03-29
    02:30 → 01:30 UTC, shown as 03:30 CEST); in a repeated hour it is the first occurrence.
    """
    if at.tzinfo is not None:
        raise ValueError("local_instant takes a wall-clock time without tzinfo")
    # fold=0 is what gives both documented behaviours; a caller's fold=1 must not pick the
    # second occurrence, or a slot could move by an hour depending on where its time came from.
    local = dt.datetime.combine(day, at.replace(fold=0), tzinfo=zone_of(timezone))
    return local.astimezone(UTC)


def _local_date(moment: dt.datetime, timezone: str) -> dt.date:
    return moment.astimezone(zone_of(timezone)).date()


def _require_aware(now: dt.datetime) -> None:
    # A naive `now` would be silently read as the host's local time by astimezone().
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware")


# --- periods ----------------------------------------------------------------------------------


def iso_period(day: dt.date) -> str:
    """The ISO week of `day`, like `2026-W47` (ISO year: 2027-01-01 is `2026-W53`)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _period_day(period: str, weekday: int) -> dt.date:
    """The date of `weekday` (0 is Monday) in ISO week `period`; ValueError if malformed."""
    match = _PERIOD.match(period)
    if not match:
        raise ValueError(f"{period!r} is not an ISO week like 2026-W47")
    # fromisocalendar rejects week 0 and week 53 of a 52-week year with a ValueError.
    return dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), weekday + 1)


def periods_between(start: dt.date, end: dt.date) -> list[str]:
    """The ISO weeks that contain at least one day of `start`..`end` (inclusive), in order."""
    if end < start:
        return []
    monday = start - dt.timedelta(days=start.weekday())
    periods = []
    while monday <= end:
        periods.append(iso_period(monday))
        monday += dt.timedelta(days=7)
    return periods


# --- slots ------------------------------------------------------------------------------------


def _slot(kind: SlotKind, period: str, day: dt.date, rule: WeeklyRule) -> Slot:
    at = local_instant(day, rule.time, rule.timezone)
    # local_date comes from `at` rather than `day` so that it matches what anyone rebuilding
    # the slot from a stored instant computes (they only differ if a whole day is skipped).
    return Slot(kind, period, at, _local_date(at, rule.timezone))


def prompt_slot(rule: WeeklyRule, period: str) -> Slot:
    """The check-in prompt of ISO week `period` (ValueError for a malformed period)."""
    return _slot(SlotKind.prompt, period, _period_day(period, rule.weekday), rule)


def _next_after(kind: SlotKind, prompt: Slot, rule: WeeklyRule) -> Slot:
    """The first occurrence of `rule` strictly after `prompt`, in the prompt's period."""
    start = _local_date(prompt.at, rule.timezone)
    # Eight days so that a rule on the prompt's own weekday but at an earlier (or the same)
    # time still finds next week's occurrence, at most seven days later.
    for offset in range(9):
        day = start + dt.timedelta(days=offset)
        if day.weekday() != rule.weekday:
            continue
        slot = _slot(kind, prompt.period, day, rule)
        if slot.at > prompt.at:
            return slot
    raise AssertionError("unreachable: a weekly rule occurs within eight days")


def reminder_slot(prompt: Slot, rule: WeeklyRule) -> Slot:
    """The reminder for `prompt`: the first `rule` occurrence strictly after it (≤ 7 days).

    It keeps the prompt's period even when it falls into the next ISO week (Friday prompt,
    Monday reminder).
    """
    return _next_after(SlotKind.reminder, prompt, rule)


def digest_slot(rule: WeeklyRule, period: str, *, prompt: Slot | None = None) -> Slot:
    """The digest of ISO week `period`.

    Without `prompt` it is the `rule` occurrence inside that ISO week. With `prompt` (the
    period's prompt slot) it is the first occurrence strictly after the prompt, like a
    reminder: that is what `slots_around` uses, so a digest configured on an earlier weekday
    than the prompt (Monday digest, Friday prompt) summarises the week that was just asked
    about instead of firing days before its own prompt. For the default Friday 10:00 prompt
    and Friday 16:00 digest both readings give the same slot.
    """
    if prompt is None:
        return _slot(SlotKind.digest, period, _period_day(period, rule.weekday), rule)
    if prompt.period != period:
        raise ValueError(f"prompt of {prompt.period} given for the digest of {period}")
    return _next_after(SlotKind.digest, prompt, rule)


def slots_around(
    now: dt.datetime, *, prompt: WeeklyRule, reminder: WeeklyRule, digest: WeeklyRule
) -> list[Slot]:
    """Every slot whose local date is yesterday, today or tomorrow (in the prompt's zone).

    Each (kind, period) appears at most once; the list is sorted by `at`. That window is
    enough for a tick: a slot is only ever due on its own local day.
    """
    _require_aware(now)
    today = _local_date(now, prompt.timezone)
    first, last = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    # Follow-ups land up to seven days after their prompt (a day more for a skipped hour
    # pushing one past midnight), so prompts from eight days before the window can matter.
    slots: list[Slot] = []
    for period in periods_between(first - _FOLLOW_UP_WINDOW - dt.timedelta(days=1), last):
        for slot in _period_slots(prompt, reminder, digest, period):
            if first <= _local_date(slot.at, prompt.timezone) <= last:
                slots.append(slot)
    return sorted(slots, key=lambda slot: (slot.at, _KIND_ORDER[slot.kind], slot.period))


@lru_cache(maxsize=4096)
def _period_slots(
    prompt: WeeklyRule, reminder: WeeklyRule, digest: WeeklyRule, period: str
) -> tuple[Slot, Slot, Slot]:
    # Pure and asked again every minute for every team, with the same answer all week.
    asked = prompt_slot(prompt, period)
    return asked, reminder_slot(asked, reminder), digest_slot(digest, period, prompt=asked)


def due_state(slot: Slot, now: dt.datetime, timezone: str) -> Due:
    """`not_yet` before `slot.at`; `due` until `slot.local_date` ends in `timezone`; `missed`.

    So a process that was down at the slot still sends it if it restarts the same local day,
    and never sends it days late.
    """
    _require_aware(now)
    if now < slot.at:
        return Due.not_yet
    # The next local midnight, read like any wall time: if midnight is skipped the day ends
    # at the transition instant, if it is repeated at its first occurrence.
    day_ends = local_instant(slot.local_date + dt.timedelta(days=1), dt.time(0), timezone)
    return Due.due if now < day_ends else Due.missed


# --- /okr snooze <duration> ------------------------------------------------------------------

_UNITS: dict[str, dt.timedelta] = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), dt.timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days"), dt.timedelta(days=1)),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), dt.timedelta(weeks=1)),
}
_PART = re.compile(r"\s*(\d+)\s*([a-z]+)\s*", re.ASCII)
# Longer absences are better handled by leaving the team than by a snooze nobody remembers.
MAX_SNOOZE = dt.timedelta(weeks=12)


def parse_duration(text: str) -> dt.timedelta | None:
    """A snooze length such as `2w`, `3 days`, `36h` or `1w2d`; None if it is not one.

    Whole numbers of hours, days and weeks only (h/hr/hrs/hour(s), d/day(s),
    w/wk/wks/week(s)), each unit at most once, any case and spacing. Zero, negative and
    anything above twelve weeks (`MAX_SNOOZE`) give None.
    """
    text = text.strip().lower()
    total = dt.timedelta()
    seen: set[dt.timedelta] = set()
    position = 0
    while position < len(text):
        match = _PART.match(text, position)
        if match is None:
            return None
        digits, unit = match.groups()
        step = _UNITS.get(unit)
        # Five digits is already beyond the cap; it also keeps timedelta from overflowing.
        if step is None or step in seen or len(digits) > 5:
            return None
        seen.add(step)
        total += int(digits) * step
        position = match.end()
    if not seen or total <= dt.timedelta() or total > MAX_SNOOZE:
        return None
    return total
