"""The sandbox's virtual clock, and reading `:advance` targets like `friday 10:00` or `1w`.

The app reads time only through `services.clock`, and the dispatcher is told `now` on every
tick, so one settable clock drives the whole sandbox. It starts on the coming Thursday at
15:00 in the team's zone: the weekly prompt (Friday 10:00 by default) is the next thing to
happen, so `:advance friday 10:00` is the natural first step.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

from app.domain.schedule import local_instant, parse_duration, zone_of

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
START_WEEKDAY = 3  # Thursday
START_TIME = dt.time(15, 0)

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MINUTES = re.compile(r"^(\d{1,4})\s*(m|min|mins|minute|minutes)$")


class VirtualClock:
    """A clock that stands still until told to move, and only ever moves forward.

    Call it for the current instant (aware, UTC), as `build_runtime(clock=...)` expects.
    """

    def __init__(self, start: dt.datetime) -> None:
        _require_aware(start)
        self._now = start.astimezone(dt.UTC)
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        return self._now

    def timestamp(self) -> float:
        """The current instant as Unix seconds (the stand-in's clock takes this form)."""
        return self._now.timestamp()

    def set(self, moment: dt.datetime) -> None:
        """Move to `moment`; moving backwards is refused (deliveries assume time goes on)."""
        _require_aware(moment)
        with self._lock:
            if moment < self._now:
                raise ValueError("the sandbox clock only moves forward")
            self._now = moment.astimezone(dt.UTC)


def _require_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the sandbox clock takes timezone-aware times")


def default_start(real_now: dt.datetime, timezone: str) -> dt.datetime:
    """The first Thursday 15:00 in `timezone` after `real_now` (aware, UTC)."""
    return _next_weekday_at(real_now, START_WEEKDAY, START_TIME, timezone)


def _next_weekday_at(
    now: dt.datetime, weekday: int | None, at: dt.time, timezone: str
) -> dt.datetime:
    """The first instant after `now` that is `at` on `weekday` (any day if None) locally."""
    today = now.astimezone(zone_of(timezone)).date()
    for offset in range(9):
        day = today + dt.timedelta(days=offset)
        if weekday is not None and day.weekday() != weekday:
            continue
        moment = local_instant(day, at, timezone)
        if moment > now:
            return moment
    raise AssertionError("unreachable: every weekday occurs within eight days")


def _read_time(text: str) -> dt.time | None:
    match = _TIME.match(text)
    return dt.time(int(match.group(1)), int(match.group(2))) if match else None


def _read_weekday(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for index, name in enumerate(WEEKDAYS):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    return None


def parse_when(text: str, now: dt.datetime, timezone: str) -> dt.datetime | str:
    """Where `:advance TEXT` moves the clock to, or a one-line reason it can't.

    Accepted, read in `timezone` and always strictly after `now`:

    * a duration: `1w`, `3d`, `2h`, `1w2d` (as `/okr snooze` reads them), `30m`;
    * a weekday with an optional time: `friday 10:00`, `mon 9:30`, `next friday` (without
      a time the weekday keeps the current time of day);
    * `tomorrow [HH:MM]`, or a time alone (`16:00`: the next time the clock shows it);
    * a date with an optional time: `2026-12-04 10:00`.
    """
    words = text.strip().lower().replace("+", " ").split()
    if words and words[0] in ("next", "to", "until"):
        words = words[1:]
    if not words:
        return "say when, like `friday 10:00`, `1w`, `3d` or `2h`"
    local_now = now.astimezone(zone_of(timezone))
    joined = " ".join(words)

    minutes = _MINUTES.match(joined)
    if minutes:
        return now + dt.timedelta(minutes=int(minutes.group(1)))
    duration = parse_duration(joined)
    if duration is not None:
        return now + duration

    head, rest = words[0], words[1:]
    at: dt.time | None = None
    if rest and (len(rest) > 1 or (at := _read_time(rest[0])) is None):
        return f"{' '.join(rest)!r} is not a time of day; write it as HH:MM, e.g. 10:00"
    keep_time = local_now.time().replace(second=0, microsecond=0, tzinfo=None)

    if (weekday := _read_weekday(head)) is not None:
        return _next_weekday_at(now, weekday, at or keep_time, timezone)
    if head == "tomorrow":
        day = local_now.date() + dt.timedelta(days=1)
        return local_instant(day, at or keep_time, timezone)
    if not rest and (alone := _read_time(head)) is not None:
        return _next_weekday_at(now, None, alone, timezone)
    if _DATE.match(head):
        try:
            day = dt.date.fromisoformat(head)
        except ValueError:
            return f"{head!r} is not a date"
        moment = local_instant(day, at or dt.time(0), timezone)
        if moment <= now:
            return "the sandbox clock only moves forward; pick a later date"
        return moment
    return (
        f"can't read {text.strip()!r} as a time; try `friday 10:00`, `tomorrow 9:00`, "
        "`16:00`, `1w`, `3d` or `2h`"
    )


def describe(moment: dt.datetime, timezone: str) -> str:
    """`Friday 20 November 2026, 10:00 (Europe/Berlin)`."""
    local = moment.astimezone(zone_of(timezone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({timezone})"


def short(moment: dt.datetime, timezone: str) -> str:
    """`Fri 20 Nov 10:00`, for message headers."""
    local = moment.astimezone(zone_of(timezone))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def span(delta: dt.timedelta) -> str:
    """A forward jump in words: `+19h`, `+1w 2d`, `+30m`."""
    minutes = int(delta.total_seconds() // 60)
    weeks, minutes = divmod(minutes, 7 * 24 * 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{n}{unit}" for n, unit in ((weeks, "w"), (days, "d"), (hours, "h"), (minutes, "m"))]
    shown = [p for p in parts if not p.startswith("0")]
    return "+" + (" ".join(shown) if shown else "0m")
