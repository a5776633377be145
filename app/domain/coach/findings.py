"""What the coach says: findings, their codes and severities, and what it checks."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    """What a finding is about."""

    task_like = "task_like"
    no_measure = "no_measure"
    vanity_metric = "vanity_metric"
    objective_is_metric = "objective_is_metric"
    too_many_objectives = "too_many_objectives"
    kr_count = "kr_count"
    no_owner = "no_owner"


class Severity(StrEnum):
    """How loudly a finding is shown; neither blocks saving."""

    warning = "warning"
    info = "info"


@dataclass(frozen=True)
class Finding:
    """One piece of advice: why (one sentence quoting the trigger) and what to try."""

    code: Code
    severity: Severity
    message: str
    suggestion: str

    def as_dict(self) -> dict[str, str]:
        """The finding as plain strings, for JSON."""
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class Thresholds:
    """A team's limits on how many objectives and key results keep it focused."""

    max_objectives: int = 3
    min_key_results: int = 2
    max_key_results: int = 4


@dataclass(frozen=True)
class KeyResultInput:
    """A key result to check: its title and owner (a Slack user id, or None)."""

    title: str
    owner: str | None = None


@dataclass(frozen=True)
class ObjectiveInput:
    """An objective to check, with its key results."""

    title: str
    owner: str | None = None
    key_results: tuple[KeyResultInput, ...] = ()


@dataclass(frozen=True)
class TeamReport:
    """Findings for a team's objectives in one cycle, shaped like the input."""

    team: tuple[Finding, ...]
    objectives: tuple[tuple[Finding, ...], ...]
    key_results: tuple[tuple[tuple[Finding, ...], ...], ...]
