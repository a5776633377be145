"""The quality coach's labelled data: key results and objectives, read from TSV files.

`data/key_results.tsv` has one key result per row: `text`, `task_like` (1/0), `codes`
(the expected findings among task_like, no_measure, vanity_metric, comma-separated, empty
when none), `split` (tune/heldout) and `note` (the hard-case category it was written for).
`data/objectives.tsv` has `text`, `objective_is_metric` (1/0) and `split`.

The texts were written and labelled by hand, by the definitions in `app.domain.coach`, before
the rules were tuned. The split was drawn once, when the files were written: within each note
category (each label for objectives) the rows were shuffled with `random.Random(20241123)` and
the first 35% (rounded) marked `heldout`. Rules are tuned on `tune` rows only; never re-split.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
KEY_RESULTS_FILE = DATA_DIR / "key_results.tsv"
OBJECTIVES_FILE = DATA_DIR / "objectives.tsv"

KR_CODES = frozenset({"task_like", "no_measure", "vanity_metric"})
SPLITS = frozenset({"tune", "heldout"})


@dataclass(frozen=True)
class KeyResultCase:
    """One labelled key result."""

    text: str
    task_like: bool
    codes: frozenset[str]
    split: str
    note: str


@dataclass(frozen=True)
class ObjectiveCase:
    """One labelled objective."""

    text: str
    objective_is_metric: bool
    split: str


def read_rows(path: Path) -> list[dict[str, str]]:
    """A TSV file's rows as written, keyed by its header."""
    # QUOTE_NONE: texts hold quotes and apostrophes literally; none holds a tab.
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_key_results(split: str | None = None) -> list[KeyResultCase]:
    """All labelled key results, or those of one split ("tune" or "heldout")."""
    cases = [
        KeyResultCase(
            text=row["text"],
            task_like=row["task_like"] == "1",
            codes=frozenset(code for code in row["codes"].split(",") if code),
            split=row["split"],
            note=row["note"],
        )
        for row in read_rows(KEY_RESULTS_FILE)
    ]
    return [case for case in cases if split is None or case.split == split]


def load_objectives(split: str | None = None) -> list[ObjectiveCase]:
    """All labelled objectives, or those of one split ("tune" or "heldout")."""
    cases = [
        ObjectiveCase(
            text=row["text"],
            objective_is_metric=row["objective_is_metric"] == "1",
            split=row["split"],
        )
        for row in read_rows(OBJECTIVES_FILE)
    ]
    return [case for case in cases if split is None or case.split == split]
