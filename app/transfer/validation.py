"""Checking parsed data against the document's schema and the modal's OKR rules.

Every problem in a file is reported, each as ``path.in[0].file: reason``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from app.domain.okrs import KeyResultDraft, ObjectiveDraft, key_result_errors, objective_errors
from app.domain.types import KRKind
from app.transfer.schema import (
    ImportFileError,
    KeyResultEntry,
    ObjectiveEntry,
    Rhythm,
    TeamDocument,
    describe,
    title_key,
)

# Which model an error's path points into, to suggest the key a typo meant.
_CHILDREN: dict[tuple[type[BaseModel], str], type[BaseModel]] = {
    (TeamDocument, "objectives"): ObjectiveEntry,
    (TeamDocument, "checkin"): Rhythm,
    (TeamDocument, "digest"): Rhythm,
    (ObjectiveEntry, "key_results"): KeyResultEntry,
}


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
                f"or a list of them; it holds {describe(data)}"
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


def rule_errors(documents: Sequence[TeamDocument]) -> list[str]:
    """The OKR rules' problems with documents already validated (or built in code)."""
    problems: list[str] = []
    for index, document in enumerate(documents):
        raw = document.model_dump(exclude_unset=True)
        prefix = f"[{index}]" if len(documents) > 1 else ""
        problems.extend(_lines(prefix, _content_problems(raw)))
    return problems


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
        return f"expected text, got {describe(value)}{hint}"
    if kind == "list_type":
        return f"expected a list, got {describe(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping (key: value lines), got {describe(value)}"
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


Loc = tuple[str | int, ...]
Problems = list[tuple[Loc, str]]


def _content_problems(item: Any) -> Problems:
    """The modal's rules, applied to every objective and key result that can be read.

    Works on the raw data so that a type error in one entry does not hide the rule
    breaches of the others.
    """
    problems: Problems = []
    objectives = item.get("objectives") if isinstance(item, dict) else None
    if not isinstance(objectives, list):
        return problems
    objective_titles: dict[str, int] = {}
    for index, raw in enumerate(objectives):
        if not isinstance(raw, dict):
            continue
        where: Loc = ("objectives", index)
        raw_krs = raw.get("key_results")
        drafts: list[KeyResultDraft | None] = []
        if isinstance(raw_krs, list):
            drafts = _key_result_problems(raw_krs, where, problems)
        problems.extend(_objective_problems(raw, drafts, where))
        title = raw.get("title")
        if isinstance(title, str) and (key := title_key(title)):
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


def _key_result_problems(
    raw_krs: list[Any], where: Loc, problems: Problems
) -> list[KeyResultDraft | None]:
    """Add the rule breaches of an objective's key results; return their drafts.

    A key result that cannot be read has None for a draft: its problems were reported by
    the document's validation.
    """
    drafts: list[KeyResultDraft | None] = []
    kr_titles: dict[str, int] = {}
    for kr_index, raw_kr in enumerate(raw_krs):
        try:
            entry = KeyResultEntry.model_validate(raw_kr)
        except ValidationError:
            drafts.append(None)
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
        key = title_key(entry.title)
        if key and key in kr_titles:
            problems.append(
                (
                    (*kr_where, "title"),
                    f"Same title as key_results[{kr_titles[key]}] of this objective; "
                    "titles must differ",
                )
            )
        kr_titles.setdefault(key, kr_index)
    return drafts


def _objective_problems(
    raw: dict[str, Any], drafts: list[KeyResultDraft | None], where: Loc
) -> Problems:
    """The objective's own rule breaches (its key results are checked one by one)."""
    title, description, raw_krs = raw.get("title"), raw.get("description"), raw.get("key_results")
    # Stand-ins for unreadable parts: their problems were reported already.
    stub = KeyResultDraft(title="stand-in", kind=KRKind.milestone)
    objective = ObjectiveDraft(
        title=title if isinstance(title, str) else "stand-in",
        description=description if isinstance(description, str) else "",
        key_results=[draft or stub for draft in drafts],
    )
    problems: Problems = []
    for name, problem in objective_errors(objective).items():
        if name.startswith("key_results."):
            continue  # checked one by one above, with the file's own hints
        if name == "key_results" and not isinstance(raw_krs, list):
            continue
        if name == "title" and not isinstance(title, str):
            continue
        problems.append(((*where, name), problem))
    return problems
