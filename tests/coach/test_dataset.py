"""Sanity of the coach's labelled data: size, balance, split, uniqueness, valid labels."""

from __future__ import annotations

from collections import Counter

from tests.coach.dataset import (
    KEY_RESULTS_FILE,
    KR_CODES,
    OBJECTIVES_FILE,
    SPLITS,
    load_key_results,
    load_objectives,
    read_rows,
)

# The hard cases the coach must get right, each in good number.
HARD_CASES = {
    "outcome_verb": 40,  # outcomes that start with a verb
    "task_number": 30,  # tasks that contain numbers
    "milestone": 25,  # milestones dressed as results
    "output_count": 10,  # output counts dressed as increases
    "no_measure": 25,  # metrics or directions with no baseline or target
    "vanity": 20,
    "vanity_negative": 10,
    "short": 15,
    "long": 10,
    "typo_case": 20,
    "outcome_clause": 8,
    "task_with_purpose": 8,
    "task_verb_outcome": 8,
    "dora": 8,
    "prefix": 8,
}


def normalized(text: str) -> str:
    return " ".join(text.lower().split())


def test_the_files_have_the_documented_columns() -> None:
    kr_header = next(iter(read_rows(KEY_RESULTS_FILE)))
    assert list(kr_header) == ["text", "task_like", "codes", "split", "note"]
    objective_header = next(iter(read_rows(OBJECTIVES_FILE)))
    assert list(objective_header) == ["text", "objective_is_metric", "split"]


def test_there_are_enough_key_results_and_objectives() -> None:
    assert len(load_key_results()) >= 400
    assert len(load_objectives()) >= 60


def test_tasks_and_outcomes_are_about_balanced() -> None:
    cases = load_key_results()
    share = sum(case.task_like for case in cases) / len(cases)
    assert 0.4 <= share <= 0.6
    objectives = load_objectives()
    share = sum(case.objective_is_metric for case in objectives) / len(objectives)
    assert 0.35 <= share <= 0.65


def test_about_a_third_is_held_out_with_both_labels_and_every_category() -> None:
    cases = load_key_results()
    held_out = [case for case in cases if case.split == "heldout"]
    assert 0.30 <= len(held_out) / len(cases) <= 0.40
    assert {case.task_like for case in held_out} == {True, False}
    for note, count in Counter(case.note for case in cases).items():
        if count >= 3:
            splits = {case.split for case in cases if case.note == note}
            assert splits == SPLITS, note
    objectives = load_objectives()
    held_out_objectives = [case for case in objectives if case.split == "heldout"]
    assert 0.30 <= len(held_out_objectives) / len(objectives) <= 0.40
    assert {case.objective_is_metric for case in held_out_objectives} == {True, False}


def test_hard_cases_are_there_in_good_number() -> None:
    counts = Counter(case.note for case in load_key_results())
    for note, minimum in HARD_CASES.items():
        assert counts[note] >= minimum, note


def test_no_text_appears_twice_even_in_another_case() -> None:
    for texts in (
        [case.text for case in load_key_results()],
        [case.text for case in load_objectives()],
    ):
        counts = Counter(normalized(text) for text in texts)
        assert [text for text, count in counts.items() if count > 1] == []


def test_every_key_result_row_has_valid_labels() -> None:
    for row in read_rows(KEY_RESULTS_FILE):
        assert row["text"] and row["text"] == row["text"].strip(), row
        assert row["task_like"] in ("0", "1"), row
        codes = [code for code in row["codes"].split(",") if code]
        assert set(codes) <= KR_CODES and len(codes) == len(set(codes)), row
        assert ("task_like" in codes) == (row["task_like"] == "1"), row
        # A task is not also no_measure: one "so what?" says it (see app.domain.coach).
        assert not {"task_like", "no_measure"} <= set(codes), row
        assert row["split"] in SPLITS, row
        assert row["note"], row


def test_every_objective_row_has_valid_labels() -> None:
    for row in read_rows(OBJECTIVES_FILE):
        assert row["text"] and row["text"] == row["text"].strip(), row
        assert row["objective_is_metric"] in ("0", "1"), row
        assert row["split"] in SPLITS, row
