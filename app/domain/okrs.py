"""OKR drafts, their validation, and read models for showing a team's OKRs.

Validation lives here so the Slack modal and the file importer reject the same things
with the same words; each error names the field it belongs to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain.progress import objective_progress, progress_of
from app.domain.types import KRKind

OBJECTIVE_TITLE_MAX = 150
KR_TITLE_MAX = 200
DESCRIPTION_MAX = 500
UNIT_MAX = 16
TEAM_NAME_MAX = 80
MIN_KEY_RESULTS = 2
MAX_KEY_RESULTS = 4


@dataclass
class KeyResultDraft:
    """A key result as a person (or a file) describes it, before it is saved."""

    title: str
    owner: str | None = None  # Slack user id
    kind: KRKind = KRKind.increase
    start: float | None = None
    target: float | None = None
    current: float | None = None
    unit: str = ""


@dataclass
class ObjectiveDraft:
    """An objective with its key results, before it is saved."""

    title: str
    owner: str | None = None
    description: str = ""
    key_results: list[KeyResultDraft] = field(default_factory=list)


def title_errors(title: str, *, limit: int, what: str) -> str | None:
    """The problem with a title, or None."""
    if not title.strip():
        return f"Give the {what} a title."
    if len(title) > limit:
        return f"Keep it to {limit} characters (this is {len(title)})."
    return None


def key_result_numbers_errors(kr: KeyResultDraft) -> dict[str, str]:
    """Problems with a key result's numbers, keyed by `kind`, `start`, `target`, `unit`."""
    errors: dict[str, str] = {}
    numbers = {"start": kr.start, "target": kr.target, "current": kr.current}
    for name, value in numbers.items():
        if value is not None and not math.isfinite(value):
            errors[name] = "Enter a finite number."
    if len(kr.unit) > UNIT_MAX:
        errors["unit"] = f"Keep the unit to {UNIT_MAX} characters."
    if kr.kind == KRKind.milestone:
        return errors
    if kr.target is None:
        errors.setdefault("target", "Enter the target number, e.g. 85.")
    elif kr.kind in (KRKind.increase, KRKind.decrease) and kr.start is not None:
        if kr.start == kr.target:
            errors.setdefault("target", "The target must differ from the start.")
        elif kr.kind == KRKind.increase and kr.target < kr.start:
            errors.setdefault("target", "To increase, the target must be above the start.")
        elif kr.kind == KRKind.decrease and kr.target > kr.start:
            errors.setdefault("target", "To decrease, the target must be below the start.")
    return errors


def key_result_errors(kr: KeyResultDraft) -> dict[str, str]:
    """All problems with one key result, keyed by field name."""
    errors = {}
    if problem := title_errors(kr.title, limit=KR_TITLE_MAX, what="key result"):
        errors["title"] = problem
    errors.update(key_result_numbers_errors(kr))
    return errors


def objective_errors(draft: ObjectiveDraft) -> dict[str, str]:
    """All problems with an objective and its key results.

    Keys are `title`, `description`, `key_results`, and `key_results.N.FIELD` for the
    N-th key result (0-based).
    """
    errors: dict[str, str] = {}
    if problem := title_errors(draft.title, limit=OBJECTIVE_TITLE_MAX, what="objective"):
        errors["title"] = problem
    if len(draft.description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description to {DESCRIPTION_MAX} characters."
    count = len(draft.key_results)
    if not MIN_KEY_RESULTS <= count <= MAX_KEY_RESULTS:
        errors["key_results"] = (
            f"An objective needs {MIN_KEY_RESULTS} to {MAX_KEY_RESULTS} key results "
            f"(it has {count})."
        )
    for index, kr in enumerate(draft.key_results):
        for name, problem in key_result_errors(kr).items():
            errors[f"key_results.{index}.{name}"] = problem
    return errors


@dataclass(frozen=True)
class KeyResultSnapshot:
    """A key result as shown to people."""

    id: int
    title: str
    owner: str | None
    kind: KRKind
    start: float | None
    target: float | None
    current: float | None
    unit: str

    @property
    def progress(self) -> float | None:
        """Raw progress (may pass 1.0 or go below 0); None when nothing was reported."""
        if self.target is None and self.kind != KRKind.milestone:
            return None
        return progress_of(
            self.kind, start=self.start, target=self.target or 0.0, current=self.current
        )


@dataclass(frozen=True)
class ObjectiveSnapshot:
    """An objective with its active key results."""

    id: int
    title: str
    description: str
    owner: str | None
    parent_title: str | None
    key_results: tuple[KeyResultSnapshot, ...]

    @property
    def progress(self) -> float | None:
        """Mean of the key results' rolled-up progress; None without key results."""
        return objective_progress(kr.progress for kr in self.key_results)


@dataclass(frozen=True)
class TeamOKRs:
    """A team's objectives in one cycle."""

    team_id: int
    team_name: str
    cycle_label: str
    objectives: Sequence[ObjectiveSnapshot]
