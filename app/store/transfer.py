"""Import teams and OKRs from a YAML or JSON file, and export them in the same shape.

A file holds one team document (a mapping) or a list of them::

    workspace: T0001              # Slack workspace id (required)
    enterprise: E0001             # Enterprise Grid org id (optional)
    team: Growth                  # team name, matched case-insensitively (required)
    channel: C0123456             # digest channel (optional)
    timezone: Europe/Berlin       # tz database name (optional; UTC for a new team)
    admins: [U0ADMIN1]            # become team admins (optional)
    members: [U0MEMBER1]          # join the team (optional)
    checkin: {day: friday, time: "10:00"}   # weekly check-in (optional)
    digest: {day: friday, time: "16:00"}    # weekly digest (optional)
    cycle: 2026-Q4                # optional: the current quarter in the team's time zone
    objectives:                   # optional; 2 to 4 key results each
      - title: Make onboarding effortless for new teams
        owner: U0OWNER1           # optional
        description: Why it matters      # optional
        key_results:
          - title: Raise onboarding completion from 60% to 85%
            owner: U0OWNER1       # optional
            kind: increase        # optional: increase, decrease, stay_above, stay_below,
            start: 60             #   milestone; kind, start, target and unit are read
            target: 85            #   from the title when left out (explicit values win)
            current: 70           # optional: the latest reported value
            unit: "%"

Rules the importer follows:

* Unknown keys are rejected, so typos are caught; every problem in the file is reported,
  each as ``path.in[0].file: reason``.
* Everything is written in one transaction: on any error nothing is written.
* Importing the same file again updates rather than duplicates. Teams match by workspace
  and name, cycles by label, objectives by team, cycle and title, key results by objective
  and title (titles case-insensitively, whitespace normalised). Archived objectives and key
  results are not matched. Rows the file does not mention are left alone.
* A key the file leaves out (or sets to null) keeps the stored value: owners, description,
  channel, time zone, rhythm, and a key result's ``current``. A key result's kind, start,
  target and unit always take the file's value, read from the title when not given.
* Times are ``HH:MM`` (24 hours); weekdays are names (``friday`` or ``fri``). YAML is read
  without its 1.1 surprises: ``10:00`` stays text (not 600) and ``no`` stays text (not false).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
)
from pydantic_core import PydanticCustomError
from sqlmodel import Session, col, select

from app.db.engine import Database
from app.db.models import Cycle, KeyResult, Member, Objective, Team, TeamMembership, Workspace
from app.domain.cycles import parse_cycle_label, quarter_of, today_in
from app.domain.okrs import (
    TEAM_NAME_MAX,
    KeyResultDraft,
    ObjectiveDraft,
    key_result_errors,
    objective_errors,
)
from app.domain.parse import parse_key_result, parse_number
from app.domain.progress import progress_of
from app.domain.types import KRKind, Status
from app.store.directory import (
    TeamSettings,
    create_team,
    ensure_member,
    ensure_workspace,
    find_team,
    join_team,
    list_teams,
    settings_of,
    team_key,
    update_team,
)
from app.store.okrs import (
    add_key_result,
    create_objective,
    ensure_cycle,
    objectives_of,
    team_okrs,
    update_key_result,
    update_objective,
)

__all__ = [
    "CSV_COLUMNS",
    "ImportFileError",
    "ImportReport",
    "KeyResultEntry",
    "ObjectiveEntry",
    "Rhythm",
    "TeamDocument",
    "dump_documents",
    "export_documents",
    "import_documents",
    "load_documents",
    "validate_documents",
]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CSV_COLUMNS = (
    "workspace",
    "team",
    "cycle",
    "objective",
    "objective_owner",
    "key_result",
    "owner",
    "kind",
    "start",
    "target",
    "current",
    "unit",
    "progress",
)


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


# --- field types ----------------------------------------------------------------------------
# Each raises PydanticCustomError so the message reaches the user as written, without
# pydantic's "Value error, " prefix. The message travels in the context, so braces typed in
# the file cannot break pydantic's message formatting.


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("okrbot", "{message}", {"message": message})


def _describe(value: Any) -> str:
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
        raise _problem(f"expected a number, got {_describe(value)}")
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            raise _problem("this number is too large") from None
    if isinstance(value, str):
        # People write "85%" or "1,200" in files as they do in the modal.
        number = parse_number(value)
        if number is None:
            raise _problem(f"expected a number such as 85, got {_describe(value)}")
        return number
    raise _problem(f"expected a number, got {_describe(value)}")


Number = Annotated[float | None, BeforeValidator(_to_number)]


def _to_kind(value: Any) -> KRKind | None:
    if value is None or isinstance(value, KRKind):
        return value
    kinds = ", ".join(kind.value for kind in KRKind)
    if not isinstance(value, str):
        raise _problem(f"expected one of {kinds}; got {_describe(value)}")
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
    raise _problem(f"expected a weekday such as friday, got {_describe(value)}")


_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def _to_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        match = _TIME.fullmatch(value.strip())
        if match:
            return dt.time(int(match.group(1)), int(match.group(2)))
        raise _problem(f'{value!r} is not a time of day; write it as HH:MM, e.g. "10:00"')
    raise _problem(f'expected a time such as "10:00", got {_describe(value)}')


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


# --- the document models --------------------------------------------------------------------


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


# Which model an error's path points into, to suggest the key a typo meant.
_CHILDREN: dict[tuple[type[BaseModel], str], type[BaseModel]] = {
    (TeamDocument, "objectives"): ObjectiveEntry,
    (TeamDocument, "checkin"): Rhythm,
    (TeamDocument, "digest"): Rhythm,
    (ObjectiveEntry, "key_results"): KeyResultEntry,
}


# --- reading files --------------------------------------------------------------------------


class _YamlLoader(yaml.SafeLoader):
    """YAML as people mean it: YAML 1.2 booleans and integers, no duplicate keys.

    PyYAML follows YAML 1.1, where `10:00` is the number 600 and `no` is false; a check-in
    time or a team called "No" would be misread. Duplicate keys are recorded rather than
    silently letting the last one win.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Runs before SafeConstructor flattens `<<` merges, whose overrides are intended.
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue
            key = (key_node.tag, key_node.value)
            if key in seen:
                self.duplicates.append(
                    f"line {key_node.start_mark.line + 1}: The key {key_node.value!r} appears "
                    "twice in the same mapping"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_YamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)


def _parse_yaml(text: str) -> Any:
    loader = _YamlLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as bad:
        mark = bad.problem_mark or bad.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = ": ".join(part for part in (bad.context, bad.problem) if part) or "unreadable"
        if "'\\t'" in reason:
            reason += " (YAML indents with spaces, not tabs)"
        raise ImportFileError([f"{where}YAML syntax error: {reason}"]) from None
    except yaml.YAMLError as bad:
        raise ImportFileError([f"YAML syntax error: {str(bad).splitlines()[0]}"]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise ImportFileError(loader.duplicates)
    return data


def _parse_json(text: str) -> Any:
    duplicates: list[str] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in pairs:
            if key in mapping:
                duplicates.append(f"The key {key!r} appears twice in the same mapping")
            mapping[key] = value
        return mapping

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as bad:
        raise ImportFileError(
            [f"line {bad.lineno}, column {bad.colno}: JSON syntax error: {bad.msg}"]
        ) from None
    except RecursionError:
        raise ImportFileError(["JSON syntax error: nested too deeply"]) from None
    if duplicates:
        raise ImportFileError(duplicates)
    return data


def _read_data(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate the BOM some editors write
    except FileNotFoundError:
        raise ImportFileError(["The file does not exist"]) from None
    except IsADirectoryError:
        raise ImportFileError(["This is a directory, not a file"]) from None
    except UnicodeDecodeError as bad:
        raise ImportFileError([f"byte {bad.start}: The file is not UTF-8 text"]) from None
    except OSError as bad:
        raise ImportFileError([f"Cannot read the file: {bad.strerror or bad}"]) from None
    if not text.strip():
        raise ImportFileError(["The file is empty"])
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        return _parse_yaml(text)
    if suffix == ".json":
        return _parse_json(text)
    try:
        return _parse_json(text)
    except ImportFileError:
        # Most JSON is YAML too, so YAML's complaint is the one worth showing.
        return _parse_yaml(text)


def load_documents(path: Path) -> list[TeamDocument]:
    """Read and validate a YAML (.yml/.yaml) or JSON (.json) file of team documents.

    Other extensions are tried as JSON, then as YAML. Raises ImportFileError listing every
    problem found (see the module docstring for the format).
    """
    return validate_documents(_read_data(Path(path)))


def validate_documents(data: Any) -> list[TeamDocument]:
    """Validate already-parsed data: one team document (a mapping) or a list of them.

    Checks the shape and types with pydantic, then each objective and key result with the
    same rules as the Slack modal (after reading missing numbers from the titles). Raises
    ImportFileError listing every problem; paths inside a list start with ``[N].``.
    """
    if isinstance(data, dict):
        items, listed = [data], False
    elif isinstance(data, list):
        items, listed = data, True
    else:
        raise ImportFileError(
            [
                "The file must hold one team (a mapping with workspace, team, objectives…) "
                f"or a list of them; it holds {_describe(data)}"
            ]
        )
    documents: list[TeamDocument] = []
    errors: list[str] = []
    for index, item in enumerate(items):
        prefix = f"[{index}]" if listed else ""
        problems: list[tuple[tuple[str | int, ...], str]] = []
        document: TeamDocument | None = None
        try:
            document = TeamDocument.model_validate(item)
        except ValidationError as invalid:
            problems.extend((tuple(error["loc"]), _message(error)) for error in invalid.errors())
        problems.extend(_content_problems(item))
        errors.extend(_lines(prefix, problems))
        if document is not None and not problems:
            documents.append(document)
    if errors:
        raise ImportFileError(errors)
    return documents


def _lines(prefix: str, problems: list[tuple[tuple[str | int, ...], str]]) -> list[str]:
    # Group problems by entry (objectives[0] before objectives[1]…), keeping their order.
    ordered = sorted(problems, key=lambda problem: [p for p in problem[0] if isinstance(p, int)])
    return [_line(prefix, loc, message) for loc, message in ordered]


def _line(prefix: str, loc: tuple[str | int, ...], message: str) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    # Sentences, like the modal's messages from app.domain.okrs that appear alongside.
    message = message[:1].upper() + message[1:]
    return f"{path}: {message}" if path else message


def _message(error: Any) -> str:
    """A pydantic error in plain words."""
    kind, value = error["type"], error.get("input")
    if kind == "okrbot":
        return str(error["ctx"]["message"])
    if kind == "missing":
        return "required, but missing"
    if kind == "extra_forbidden":
        return _unknown_key(tuple(error["loc"]))
    if kind == "string_type":
        hint = "; put it in quotes" if isinstance(value, int | float | dt.date) else ""
        return f"expected text, got {_describe(value)}{hint}"
    if kind == "list_type":
        return f"expected a list, got {_describe(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping (key: value lines), got {_describe(value)}"
    return str(error["msg"])


def _unknown_key(loc: tuple[str | int, ...]) -> str:
    model: type[BaseModel] | None = TeamDocument
    for part in loc[:-1]:
        if isinstance(part, str) and model is not None:
            model = _CHILDREN.get((model, part))
    if model is None:
        return "unknown key"
    known = list(model.model_fields)
    guess = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    if guess:
        return f"unknown key; did you mean {guess[0]!r}?"
    return f"unknown key; expected one of {', '.join(known)}"


def _title_key(title: str) -> str:
    """What titles are matched by: case-insensitive, whitespace normalised."""
    return " ".join(title.split()).casefold()


def _content_problems(item: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """The modal's rules, applied to every objective and key result that can be read.

    Works on the raw data so that a type error in one entry does not hide the rule
    breaches of the others.
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    objectives = item.get("objectives") if isinstance(item, dict) else None
    if not isinstance(objectives, list):
        return problems
    objective_titles: dict[str, int] = {}
    for index, raw in enumerate(objectives):
        if not isinstance(raw, dict):
            continue
        where: tuple[str | int, ...] = ("objectives", index)
        raw_krs = raw.get("key_results")
        drafts: list[KeyResultDraft | None] = []
        if isinstance(raw_krs, list):
            kr_titles: dict[str, int] = {}
            for kr_index, raw_kr in enumerate(raw_krs):
                try:
                    entry = KeyResultEntry.model_validate(raw_kr)
                except ValidationError:
                    drafts.append(None)  # already reported by the document's validation
                    continue
                draft = entry.draft()
                drafts.append(draft)
                kr_where = (*where, "key_results", kr_index)
                for name, problem in key_result_errors(draft).items():
                    if name == "target" and "target" not in entry.model_fields_set:
                        problem += (
                            " No target could be read from the title: add `target:`, or "
                            "`kind: milestone` for a done-or-not result."
                        )
                    problems.append(((*kr_where, name), problem))
                key = _title_key(entry.title)
                if key and key in kr_titles:
                    problems.append(
                        (
                            (*kr_where, "title"),
                            f"Same title as key_results[{kr_titles[key]}] of this objective; "
                            "titles must differ",
                        )
                    )
                kr_titles.setdefault(key, kr_index)
        title, description = raw.get("title"), raw.get("description")
        # Stand-ins for unreadable parts: their problems were reported already.
        stub = KeyResultDraft(title="stand-in", kind=KRKind.milestone)
        objective = ObjectiveDraft(
            title=title if isinstance(title, str) else "stand-in",
            description=description if isinstance(description, str) else "",
            key_results=[draft or stub for draft in drafts],
        )
        for name, problem in objective_errors(objective).items():
            if name.startswith("key_results."):
                continue  # checked one by one above, with the file's own hints
            if name == "key_results" and not isinstance(raw_krs, list):
                continue
            if name == "title" and not isinstance(title, str):
                continue
            problems.append(((*where, name), problem))
        if isinstance(title, str) and (key := _title_key(title)):
            if key in objective_titles:
                problems.append(
                    (
                        (*where, "title"),
                        f"Same title as objectives[{objective_titles[key]}]; "
                        "titles must differ within a team and cycle",
                    )
                )
            objective_titles.setdefault(key, index)
    return problems


# --- importing ------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did. "Updated" means matched and given the file's values."""

    teams_created: int = 0
    teams_updated: int = 0
    objectives_created: int = 0
    objectives_updated: int = 0
    key_results_created: int = 0
    key_results_updated: int = 0

    def __str__(self) -> str:
        return (
            f"teams: {self.teams_created} created, {self.teams_updated} updated; "
            f"objectives: {self.objectives_created} created, {self.objectives_updated} updated; "
            f"key results: {self.key_results_created} created, "
            f"{self.key_results_updated} updated"
        )


def import_documents(
    db: Database, documents: Sequence[TeamDocument], *, today: dt.date
) -> ImportReport:
    """Write the documents' teams, people, cycles, objectives and key results.

    All in one transaction: if anything fails, nothing is written. Matching rows are
    updated (see the module docstring), so importing a file twice changes nothing more.
    `today` picks the cycle of documents that name none: pass an aware datetime to have it
    read in each team's time zone; a plain date is used as it is. Raises ImportFileError
    (before writing) when a document breaks the OKR rules, e.g. one built in code.
    """
    problems: list[str] = []
    for index, document in enumerate(documents):
        raw = document.model_dump(exclude_unset=True)
        prefix = f"[{index}]" if len(documents) > 1 else ""
        problems.extend(_lines(prefix, _content_problems(raw)))
    if problems:
        raise ImportFileError(problems)

    report = ImportReport()
    counted_teams: set[int] = set()
    with db.write() as session:
        for document in documents:
            _import_document(session, document, today=today, report=report, seen=counted_teams)
    return report


def _import_document(
    session: Session,
    document: TeamDocument,
    *,
    today: dt.date,
    report: ImportReport,
    seen: set[int],
) -> None:
    workspace = ensure_workspace(
        session, slack_team_id=document.workspace, enterprise_id=document.enterprise
    )
    assert workspace.id is not None
    team = find_team(session, workspace_id=workspace.id, name=document.team)
    if team is None:
        team = create_team(
            session, workspace_id=workspace.id, settings=_team_settings(document, None)
        )
        report.teams_created += 1
    else:
        update_team(session, team=team, settings=_team_settings(document, team))
        if team.id not in seen:
            report.teams_updated += 1
    assert team.id is not None
    seen.add(team.id)

    admins = dict.fromkeys(document.admins)
    for slack_user_id in [*admins, *(m for m in document.members if m not in admins)]:
        member = ensure_member(session, workspace_id=workspace.id, slack_user_id=slack_user_id)
        join_team(session, team=team, member=member, admin=slack_user_id in admins)

    if not document.objectives:
        return  # a team-only document: no cycle to create
    if document.cycle:
        span = parse_cycle_label(document.cycle)
    else:
        local_day = today_in(team.timezone, today) if isinstance(today, dt.datetime) else today
        span = quarter_of(local_day)
    cycle = ensure_cycle(session, workspace_id=workspace.id, span=span)
    _import_objectives(session, team=team, cycle=cycle, entries=document.objectives, report=report)


def _team_settings(document: TeamDocument, team: Team | None) -> TeamSettings:
    """The file's settings; what it leaves out keeps the team's value (or the default)."""
    settings = TeamSettings(name=document.team)
    if team is not None:
        settings = settings_of(team)
        settings.name = document.team
    if document.channel is not None:
        settings.digest_channel = document.channel
    if document.timezone is not None:
        settings.timezone = document.timezone
    if document.checkin is not None:
        settings.checkin_weekday = document.checkin.day
        settings.checkin_time = document.checkin.time
    if document.digest is not None:
        settings.digest_weekday = document.digest.day
        settings.digest_time = document.digest.time
    return settings


def _slack_user_of(session: Session, member_id: int | None) -> str | None:
    if member_id is None:
        return None
    member = session.get(Member, member_id)
    return member.slack_user_id if member else None


def _import_objectives(
    session: Session,
    *,
    team: Team,
    cycle: Cycle,
    entries: Sequence[ObjectiveEntry],
    report: ImportReport,
) -> None:
    assert team.id is not None and cycle.id is not None
    existing = {
        _title_key(objective.title): objective
        for objective in objectives_of(
            session, workspace_id=team.workspace_id, team_id=team.id, cycle_id=cycle.id
        )
    }
    for entry in entries:
        draft = entry.draft()
        key = _title_key(entry.title)
        objective = existing.get(key)
        if objective is None:
            existing[key] = create_objective(
                session, workspace_id=team.workspace_id, team=team, cycle=cycle, draft=draft
            )
            report.objectives_created += 1
            report.key_results_created += len(draft.key_results)
            continue
        update_objective(
            session,
            objective=objective,
            title=entry.title,
            description=draft.description
            if entry.description is not None
            else objective.description,
            owner=draft.owner or _slack_user_of(session, objective.owner_id),
            parent_id=objective.parent_id,  # alignment is set in Slack; keep it
        )
        report.objectives_updated += 1
        _import_key_results(session, objective=objective, drafts=draft.key_results, report=report)


def _import_key_results(
    session: Session,
    *,
    objective: Objective,
    drafts: Sequence[KeyResultDraft],
    report: ImportReport,
) -> None:
    existing = {
        _title_key(kr.title): kr
        for kr in session.exec(
            select(KeyResult)
            .where(
                KeyResult.workspace_id == objective.workspace_id,
                KeyResult.objective_id == objective.id,
                KeyResult.status == Status.active,
            )
            .order_by(col(KeyResult.position), col(KeyResult.id))
        ).all()
    }
    for draft in drafts:
        key = _title_key(draft.title)
        kr = existing.get(key)
        if kr is None:
            existing[key] = add_key_result(session, objective=objective, draft=draft)
            report.key_results_created += 1
            continue
        if draft.owner is None:
            draft.owner = _slack_user_of(session, kr.owner_id)
        update_key_result(session, kr=kr, draft=draft)
        report.key_results_updated += 1


# --- exporting ------------------------------------------------------------------------------


def _plain(value: float | None) -> int | float | None:
    """Whole numbers as ints, so files read `3`, not `3.0`."""
    if value is not None and math.isfinite(value) and value == int(value):
        return int(value)
    return value


def export_documents(
    db: Database,
    *,
    workspace: str | None = None,
    team: str | None = None,
    cycle: str | None = None,
) -> list[dict[str, Any]]:
    """Teams and their active OKRs as documents the importer reads back.

    One document per team and cycle in which the team has active objectives, ordered by
    workspace, team name and cycle. A team without any active objective still gets one
    document, without `cycle` and with `objectives: []`, so its settings and people are not
    lost (unless `cycle` is given: then only documents of that cycle). `workspace` is a
    Slack workspace id, `team` a team name (any case), `cycle` a label like 2026-Q4.
    """
    wanted_cycle = cycle.strip().upper() if cycle else None
    documents: list[dict[str, Any]] = []
    with db.read() as session:
        query = select(Workspace).order_by(
            col(Workspace.slack_team_id), col(Workspace.enterprise_id)
        )
        if workspace:
            query = query.where(Workspace.slack_team_id == workspace)
        for found_workspace in session.exec(query).all():
            assert found_workspace.id is not None
            for found_team in list_teams(session, workspace_id=found_workspace.id):
                if team is not None and found_team.name_key != team_key(team):
                    continue
                head = _team_head(session, found_workspace, found_team)
                cycles = _cycles_with_objectives(session, found_team)
                if wanted_cycle is not None:
                    cycles = [c for c in cycles if c.label.upper() == wanted_cycle]
                elif not cycles:
                    documents.append({**head, "objectives": []})
                for found_cycle in cycles:
                    okrs = team_okrs(
                        session,
                        workspace_id=found_workspace.id,
                        team=found_team,
                        cycle=found_cycle,
                    )
                    objectives = [_objective_entry(objective) for objective in okrs.objectives]
                    documents.append({**head, "cycle": found_cycle.label, "objectives": objectives})
    return documents


def _team_head(session: Session, workspace: Workspace, team: Team) -> dict[str, Any]:
    """A document's team part, in the order a person would write it."""
    head: dict[str, Any] = {"workspace": workspace.slack_team_id}
    if workspace.enterprise_id:
        head["enterprise"] = workspace.enterprise_id
    head["team"] = team.name
    if team.digest_channel:
        head["channel"] = team.digest_channel
    head["timezone"] = team.timezone
    people = session.exec(
        select(Member.slack_user_id, TeamMembership.is_admin)
        .join(TeamMembership, col(TeamMembership.member_id) == col(Member.id))
        .where(TeamMembership.team_id == team.id)
        .order_by(col(Member.slack_user_id))
    ).all()
    head["admins"] = [slack_user_id for slack_user_id, is_admin in people if is_admin]
    head["members"] = [slack_user_id for slack_user_id, is_admin in people if not is_admin]
    head["checkin"] = _rhythm(team.checkin_weekday, team.checkin_time)
    head["digest"] = _rhythm(team.digest_weekday, team.digest_time)
    return head


def _rhythm(weekday: int, time: dt.time) -> dict[str, str]:
    return {"day": WEEKDAYS[weekday], "time": time.strftime("%H:%M")}


def _cycles_with_objectives(session: Session, team: Team) -> list[Cycle]:
    return list(
        session.exec(
            select(Cycle)
            .where(
                col(Cycle.id).in_(
                    select(Objective.cycle_id).where(
                        Objective.workspace_id == team.workspace_id,
                        Objective.team_id == team.id,
                        Objective.status == Status.active,
                    )
                )
            )
            .order_by(col(Cycle.start_date), col(Cycle.label))
        ).all()
    )


def _objective_entry(objective: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"title": objective.title}
    if objective.owner:
        entry["owner"] = objective.owner
    if objective.description:
        entry["description"] = objective.description
    key_results = []
    for kr in objective.key_results:
        item: dict[str, Any] = {"title": kr.title}
        if kr.owner:
            item["owner"] = kr.owner
        item.update(
            kind=KRKind(kr.kind).value,
            start=_plain(kr.start),
            target=_plain(kr.target),
            current=_plain(kr.current),
            unit=kr.unit,
        )
        key_results.append(item)
    entry["key_results"] = key_results
    return entry


def dump_documents(documents: list[dict[str, Any]], fmt: Literal["json", "yaml", "csv"]) -> str:
    """Documents as text: JSON or YAML (a list of documents), or CSV (one row per key result).

    CSV columns are CSV_COLUMNS; `progress` is a fraction (1.0 is 100%) rounded to 3
    places, empty when nothing was reported.
    """
    if fmt == "json":
        return json.dumps(documents, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(
            documents, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
        )
    if fmt == "csv":
        return _dump_csv(documents)
    raise ValueError(f"unknown format {fmt!r}; use json, yaml or csv")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return _plain(value)
    return value


def _dump_csv(documents: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for document in documents:
        for objective in document.get("objectives", []):
            for kr in objective.get("key_results", []):
                kind = KRKind(kr.get("kind", KRKind.increase))
                start, target, current = kr.get("start"), kr.get("target"), kr.get("current")
                progress = None
                if target is not None or kind == KRKind.milestone:
                    progress = progress_of(
                        kind,
                        start=None if start is None else float(start),
                        target=float(target or 0.0),
                        current=None if current is None else float(current),
                    )
                row = (
                    document.get("workspace"),
                    document.get("team"),
                    document.get("cycle"),
                    objective.get("title"),
                    objective.get("owner"),
                    kr.get("title"),
                    kr.get("owner"),
                    kind.value,
                    start,
                    target,
                    current,
                    kr.get("unit"),
                    None if progress is None else round(progress, 3),
                )
                writer.writerow([_cell(value) for value in row])
    return out.getvalue()
