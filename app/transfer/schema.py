"""The document an import file holds: pydantic models, and field types whose errors read
as plain words (see `app.transfer` for the format)."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Sequence
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from app.domain.cycles import parse_cycle_label
from app.domain.okrs import TEAM_NAME_MAX, KeyResultDraft, ObjectiveDraft
from app.domain.parse import parse_key_result, parse_number
from app.domain.types import KRKind

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ImportFileError(Exception):
    """The file cannot be imported; `errors` holds one readable line per problem.

    Each line reads ``path.in[0].the_file: what is wrong``; problems with the file as a
    whole (unreadable, bad syntax) have no path but a line number where one is known.
    """

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        summary = "; ".join(self.errors[:3]) + ("; …" if count > 3 else "")
        super().__init__(f"{count} problem{'s' if count != 1 else ''}: {summary}")


# Field types raise PydanticCustomError so the message reaches the user as written, without
# pydantic's "Value error, " prefix. The message travels in the context, so braces typed in
# the file cannot break pydantic's message formatting.
def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("okrbot", "{message}", {"message": message})


def describe(value: Any) -> str:
    """What a value from the file is, in the words of someone writing YAML."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date | dt.datetime):
        return f"a date ({value.isoformat()})"
    return type(value).__name__


def _slack_id(pattern: str, example: str, what: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise _problem(f"{value!r} is not a {what} (like {example})")
        return value

    return AfterValidator(check)


# Slack ids are upper-case letters and digits; users are U… (or W… on Enterprise Grid).
SlackUserId = Annotated[str, _slack_id(r"[UW][A-Z0-9]{2,30}", "U0123ABCD", "Slack user id")]


WorkspaceId = Annotated[str, _slack_id(r"T[A-Z0-9]{2,30}", "T0123ABCD", "Slack workspace id")]


EnterpriseId = Annotated[
    str, _slack_id(r"E[A-Z0-9]{2,30}", "E0123ABCD", "Slack Enterprise Grid id")
]


ChannelId = Annotated[str, _slack_id(r"[CG][A-Z0-9]{2,30}", "C0123ABCD", "Slack channel id")]


def _to_number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):  # bool is an int to Python, never to a person
        raise _problem(f"expected a number, got {describe(value)}")
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            raise _problem("this number is too large") from None
    if isinstance(value, str):
        # People write "85%" or "1,200" in files as they do in the modal.
        number = parse_number(value)
        if number is None:
            raise _problem(f"expected a number such as 85, got {describe(value)}")
        return number
    raise _problem(f"expected a number, got {describe(value)}")


Number = Annotated[float | None, BeforeValidator(_to_number)]


def _to_kind(value: Any) -> KRKind | None:
    if value is None or isinstance(value, KRKind):
        return value
    kinds = ", ".join(kind.value for kind in KRKind)
    if not isinstance(value, str):
        raise _problem(f"expected one of {kinds}; got {describe(value)}")
    name = re.sub(r"[\s-]+", "_", value.strip().lower())
    try:
        return KRKind(name)
    except ValueError:
        raise _problem(f"unknown kind {value!r}; use one of {kinds}") from None


Kind = Annotated[KRKind | None, BeforeValidator(_to_kind)]


def _to_weekday(value: Any) -> int:
    if isinstance(value, str):
        name = value.strip().lower()
        for index, day in enumerate(WEEKDAYS):
            if name == day or (len(name) >= 3 and day.startswith(name)):
                return index
        raise _problem(f"unknown weekday {value!r}; use monday, tuesday, … sunday")
    raise _problem(f"expected a weekday such as friday, got {describe(value)}")


_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def _to_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        match = _TIME.fullmatch(value.strip())
        if match:
            return dt.time(int(match.group(1)), int(match.group(2)))
        raise _problem(f'{value!r} is not a time of day; write it as HH:MM, e.g. "10:00"')
    raise _problem(f'expected a time such as "10:00", got {describe(value)}')


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a directory
        guess = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
        hint = f"; did you mean {guess[0]}?" if guess else "; use a name like Europe/Berlin"
        raise _problem(f"unknown time zone {value!r}{hint}") from None
    return value


def _check_cycle(value: str) -> str:
    try:
        return parse_cycle_label(value).label
    except ValueError:
        raise _problem(f"{value!r} is not a cycle; write it like 2026-Q4") from None


def _check_team_name(value: str) -> str:
    if not value.strip():
        raise _problem("give the team a name")
    if len(value) > TEAM_NAME_MAX:
        raise _problem(f"keep the team name to {TEAM_NAME_MAX} characters (this is {len(value)})")
    return value


Weekday = Annotated[int, BeforeValidator(_to_weekday)]
TimeOfDay = Annotated[dt.time, BeforeValidator(_to_time)]
TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
CycleLabel = Annotated[str, AfterValidator(_check_cycle)]
TeamName = Annotated[str, AfterValidator(_check_team_name)]


class _Entry(BaseModel):
    # Unknown keys are errors: a misspelt `targte:` must not be silently ignored.
    model_config = ConfigDict(extra="forbid")


class Rhythm(_Entry):
    """A weekly slot: the day (0 is Monday) and the time in the team's time zone."""

    day: Weekday
    time: TimeOfDay


class KeyResultEntry(_Entry):
    """A key result as the file describes it."""

    title: str
    owner: SlackUserId | None = None
    kind: Kind = None
    start: Number = None
    target: Number = None
    current: Number = None
    unit: str | None = None

    def draft(self) -> KeyResultDraft:
        """The key result to save: the file's values, the rest read from the title."""
        given = self.model_fields_set
        kind = self.kind
        start, target, unit = self.start, self.target, self.unit or ""
        if kind != KRKind.milestone:
            # A milestone has no numbers to read; for the rest, explicit values win.
            parsed = parse_key_result(self.title)
            kind = kind or parsed.kind or KRKind.increase
            start = start if "start" in given else parsed.start
            target = target if "target" in given else parsed.target
            unit = unit if "unit" in given else parsed.unit
        return KeyResultDraft(
            title=self.title,
            owner=self.owner,
            kind=kind,
            start=start,
            target=target,
            current=self.current,
            unit=unit,
        )


class ObjectiveEntry(_Entry):
    """An objective as the file describes it."""

    title: str
    owner: SlackUserId | None = None
    description: str | None = None
    key_results: list[KeyResultEntry]

    def draft(self) -> ObjectiveDraft:
        """The objective to save, with its key results' drafts."""
        return ObjectiveDraft(
            title=self.title,
            owner=self.owner,
            description=self.description or "",
            key_results=[entry.draft() for entry in self.key_results],
        )


class TeamDocument(_Entry):
    """One team, its settings and people, and its objectives in one cycle."""

    workspace: WorkspaceId
    enterprise: EnterpriseId | None = None
    team: TeamName
    channel: ChannelId | None = None
    timezone: TimeZoneName | None = None
    admins: list[SlackUserId] = []
    members: list[SlackUserId] = []
    checkin: Rhythm | None = None
    digest: Rhythm | None = None
    cycle: CycleLabel | None = None
    objectives: list[ObjectiveEntry] = []


def title_key(title: str) -> str:
    """What titles are matched by: case-insensitive, whitespace normalised."""
    return " ".join(title.split()).casefold()


def plain_number(value: float | None) -> int | float | None:
    """Whole numbers as ints, so files read `3`, not `3.0`."""
    if value is not None and math.isfinite(value) and value == int(value):
        return int(value)
    return value
