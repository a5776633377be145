"""Scoring a cycle when it closes: every key result and objective gets a score in [0, 1].

The scale follows the stretch-goal convention: 0.7 is success (a target ambitious enough
that landing at 70% is a good quarter), and a team that keeps landing at 1.0 is probably
setting targets that are too safe. Plain numbers in, plain numbers out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.domain.progress import progress_of, rolled_up
from app.domain.types import KRKind

SUCCESS = 0.7
"""A score at or above this is a success."""

FULL = 1.0
"""A key result scored this hit (or passed) its target."""

TOO_SAFE_CYCLES = 2
"""How many closed cycles running a team must hit 1.0 on most key results to be told."""

# Scores are rounded to 2 decimals, so float noise (0.6999999999999998) is far smaller
# than this and a score that reads "0.70" always counts as a success.
_EPSILON = 1e-9


def _round_score(value: float) -> float:
    # Half up, as `percent()` rounds, so "0.695" and "70%" never disagree about a success;
    # round() would round halves to even.
    return math.floor(value * 100 + 0.5) / 100


def score_key_result(
    kind: KRKind, *, start: float | None, target: float | None, current: float | None
) -> float:
    """A key result's final score in [0.0, 1.0], rounded to 2 decimals.

    Increase and decrease score their linear progress from start to target, clamped: past
    the target is 1.0, moving the wrong way is 0.0. stay_above, stay_below and milestone are
    met (1.0) or not (0.0). No value reported, or no target to measure against, is 0.0:
    silence never scores as success.
    """
    if target is None:
        if kind != KRKind.milestone:
            return 0.0
        # A milestone's target is implicit (done == 1); progress_of ignores it.
        target = 1.0
    return _round_score(rolled_up(progress_of(kind, start=start, target=target, current=current)))


def score_objective(kr_scores: Iterable[float]) -> float:
    """An objective's score: the mean of its key results' scores, 0.0 without key results."""
    scores = list(kr_scores)
    if not scores:
        return 0.0
    return _round_score(sum(scores) / len(scores))


def is_success(score: float) -> bool:
    """True when a score counts as success (0.7 or more)."""
    return score >= SUCCESS - _EPSILON


def is_full(score: float) -> bool:
    """True when a key result hit its target (a score of 1.0)."""
    return score >= FULL - _EPSILON


def mostly_full(kr_scores: Sequence[float]) -> bool:
    """True when more than half of the key results scored 1.0.

    "Most" means a strict majority: 2 of 4 is not most, 3 of 4 is. A cycle without key
    results has no majority of anything.
    """
    full = sum(1 for score in kr_scores if is_full(score))
    return full * 2 > len(kr_scores)


def targets_too_safe(history: Sequence[Sequence[float]]) -> bool:
    """True when the targets look too safe to be stretch goals.

    `history` holds the key result scores of the team's closed cycles, oldest first (the
    cycle being closed last). True when each of the last two of them has a score of 1.0 on
    most (more than half) of its key results. With fewer than two closed cycles there is
    no pattern yet, so False.
    """
    if len(history) < TOO_SAFE_CYCLES:
        return False
    return all(mostly_full(scores) for scores in history[-TOO_SAFE_CYCLES:])


@dataclass(frozen=True)
class ClosingSummary:
    """The numbers of a closed cycle, for the digest's headline.

    `mean_score` is the mean of the objectives' scores over the objectives that have key
    results: an objective with nothing to measure says nothing about how the quarter went,
    so it does not pull the mean down.
    """

    objectives: int
    objectives_succeeded: int
    key_results: int
    key_results_succeeded: int
    key_results_full: int
    mean_score: float

    @property
    def key_results_unfinished(self) -> int:
        """Key results that scored below 1.0 (the ones that can be carried over)."""
        return self.key_results - self.key_results_full

    @property
    def succeeded(self) -> bool:
        """True when the cycle as a whole reached 0.7."""
        return self.objectives > 0 and is_success(self.mean_score)

    @classmethod
    def of(cls, objectives: Sequence[Sequence[float]]) -> ClosingSummary:
        """The summary of a cycle; `objectives` holds each objective's key result scores."""
        scored = [score_objective(scores) for scores in objectives if scores]
        all_krs = [score for scores in objectives for score in scores]
        return cls(
            objectives=len(objectives),
            objectives_succeeded=sum(1 for score in scored if is_success(score)),
            key_results=len(all_krs),
            key_results_succeeded=sum(1 for score in all_krs if is_success(score)),
            key_results_full=sum(1 for score in all_krs if is_full(score)),
            mean_score=score_objective(scored),
        )


@dataclass(frozen=True)
class ClosedKeyResult:
    """A key result of a closed cycle, with the score frozen at the close."""

    id: int
    title: str
    owner: str | None  # Slack user id
    kind: KRKind
    start: float | None
    target: float | None
    current: float | None
    unit: str
    score: float
    # The copy in the next cycle, once carried over.
    carried_to_id: int | None = None

    @property
    def succeeded(self) -> bool:
        """True at 0.7 or more."""
        return is_success(self.score)

    @property
    def unfinished(self) -> bool:
        """True below 1.0: the key result did not reach its target."""
        return not is_full(self.score)

    @property
    def can_carry(self) -> bool:
        """True when it is unfinished and not carried into the next cycle yet."""
        return self.unfinished and self.carried_to_id is None


@dataclass(frozen=True)
class ClosedObjective:
    """An objective of a closed cycle, with its frozen score and key results."""

    id: int
    title: str
    owner: str | None
    score: float
    key_results: tuple[ClosedKeyResult, ...]

    @property
    def succeeded(self) -> bool:
        """True at 0.7 or more (never without key results: nothing was measured)."""
        return bool(self.key_results) and is_success(self.score)


@dataclass(frozen=True)
class ClosingReport:
    """What a team's closed cycle scored, ready to show.

    `too_safe` is True when this cycle and the team's closed cycle before it each hit 1.0
    on most key results (see `targets_too_safe`).
    """

    team_id: int
    team_name: str
    cycle_id: int
    cycle_label: str
    next_cycle_label: str
    closed_at: dt.datetime
    automatic: bool
    closed_by: str | None  # Slack user id of whoever ran `/okr close`
    objectives: tuple[ClosedObjective, ...]
    too_safe: bool = False

    @property
    def summary(self) -> ClosingSummary:
        """Counts and the mean score, for the headline."""
        return ClosingSummary.of([[kr.score for kr in o.key_results] for o in self.objectives])

    @property
    def carryable(self) -> tuple[ClosedKeyResult, ...]:
        """Unfinished key results not carried over yet, in the order they are shown."""
        return tuple(kr for o in self.objectives for kr in o.key_results if kr.can_carry)
