"""The closing digest and the closed cycle's list: data in, messages out, within limits."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from app.domain.scoring import ClosedKeyResult, ClosedObjective, ClosingReport
from app.domain.types import KRKind
from app.slack import ids
from app.slack.limits import MESSAGE_BLOCKS_MAX, message_errors
from app.slack.views.closing import (
    SUCCESS_NOTE,
    TOO_SAFE_NOTE,
    build_closed_list_messages,
    build_closing_messages,
    carry_value,
    closing_message_for,
    parse_carry_value,
)
from tests.e2e.helpers import all_text

CLOSED_AT = dt.datetime(2026, 10, 1, 0, 5, tzinfo=dt.UTC)


def _kr(kr_id: int, score: float, *, title: str | None = None, **extra: Any) -> ClosedKeyResult:
    values: dict[str, Any] = dict(
        id=kr_id,
        title=title or f"Raise metric {kr_id} from 10% to 20%",
        owner="U0BOB",
        kind=KRKind.increase,
        start=10.0,
        target=20.0,
        current=10 + 10 * score,
        unit="%",
        score=score,
    )
    values.update(extra)
    return ClosedKeyResult(**values)


def _objective(
    objective_id: int, *krs: ClosedKeyResult, title: str | None = None
) -> ClosedObjective:
    score = round(sum(kr.score for kr in krs) / len(krs), 2) if krs else 0.0
    return ClosedObjective(
        id=objective_id,
        title=title or f"Objective {objective_id}",
        owner="U0ALICE",
        score=score,
        key_results=krs,
    )


def _report(*objectives: ClosedObjective, **overrides: Any) -> ClosingReport:
    values: dict[str, Any] = dict(
        team_id=1,
        team_name="Growth",
        cycle_id=3,
        cycle_label="2026-Q3",
        next_cycle_label="2026-Q4",
        closed_at=CLOSED_AT,
        automatic=False,
        closed_by="U0ALICE",
        objectives=objectives,
        too_safe=False,
    )
    values.update(overrides)
    return ClosingReport(**values)


def _small() -> ClosingReport:
    return _report(
        _objective(1, _kr(11, 1.0), _kr(12, 0.7), _kr(13, 0.2)),
        _objective(2, _kr(21, 0.5, carried_to_id=99), _kr(22, 0.0)),
    )


def _big(objectives: int = 12, krs: int = 4) -> ClosingReport:
    # The longest titles the tables hold, with characters that grow when escaped.
    scores = [1.0, 0.7, 0.35, 0.0]
    return _report(
        *(
            _objective(
                o,
                *(
                    _kr(
                        o * 100 + k,
                        scores[k % len(scores)],
                        title=("Grow <revenue> & retention " * 12)[:300],
                        unit="customers & teams"[:32],
                    )
                    for k in range(krs)
                ),
                title=("Delight <new> & returning teams " * 5)[:150],
            )
            for o in range(1, objectives + 1)
        ),
        team_name="A team with a rather long name indeed " * 2,
        too_safe=True,
    )


def _buttons(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for payload in messages:
        for block in payload["blocks"]:
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button":
                found.append(accessory)
            if block["type"] == "actions":
                found.extend(block["elements"])
    return found


def _block_ids(messages: list[dict[str, Any]]) -> list[str]:
    return [b["block_id"] for m in messages for b in m["blocks"] if "block_id" in b]


# --- the closing digest ------------------------------------------------------------------------


def test_the_headline_gives_the_mean_the_successes_and_what_success_means() -> None:
    [payload] = build_closing_messages(_small())
    assert message_errors(text=payload["text"], blocks=payload["blocks"]) == []
    text = all_text(payload["blocks"])
    assert "Growth · 2026-Q3 closed" in text
    # Objectives score 0.63 and 0.25: mean 0.44; 2 of 5 key results reached 0.7.
    assert "Mean score 0.44" in text
    assert "2 of 5 key results and 0 of 2 objectives at 0.7 or more" in text
    assert SUCCESS_NOTE in text
    assert "Closed by <@U0ALICE> on 1 Oct 2026" in text
    assert payload["text"] == (
        "Growth closed 2026-Q3: mean score 0.44, 2 of 5 key results at 0.7 or more."
    )


def test_each_key_result_shows_its_score_and_a_check_at_seven_tenths() -> None:
    [payload] = build_closing_messages(_small())
    by_id = {b.get("block_id"): b for b in payload["blocks"]}
    text_of = lambda kr_id: by_id[f"{ids.BLOCK_CLOSING_KEY_RESULT}{kr_id}"]["text"]["text"]  # noqa: E731
    assert text_of(11).startswith("✓ *KR11*") and "*1.00*" in text_of(11)
    assert text_of(12).startswith("✓ *KR12*") and "*0.70*" in text_of(12)
    assert text_of(13).startswith("*KR13*") and "*0.20*" in text_of(13)
    objective = by_id[f"{ids.BLOCK_CLOSING_OBJECTIVE}1"]["text"]["text"]
    assert "*O1 · Objective 1*" in objective and "*0.63*" in objective
    assert "`██████░░░░`" in objective


def test_unfinished_key_results_get_a_carry_button_each() -> None:
    messages = build_closing_messages(_small())
    buttons = _buttons(messages)
    # 11 is done; 21 is already carried (as KR99).
    assert [parse_carry_value(b["value"]) for b in buttons] == [12, 13, 22]
    assert {b["action_id"] for b in buttons} == {ids.ACTION_CARRY_OVER}
    assert {b["text"]["text"] for b in buttons} == {"Carry into 2026-Q4"}
    text = all_text(messages[0]["blocks"])
    assert "↪ carried into 2026-Q4 as *KR99*" in text
    assert "can be carried into 2026-Q4" in text


def test_no_carry_note_when_nothing_is_left_to_carry() -> None:
    report = _report(_objective(1, _kr(11, 1.0), _kr(12, 0.5, carried_to_id=40)))
    [payload] = build_closing_messages(report)
    assert _buttons([payload]) == []
    assert "can be carried" not in all_text(payload["blocks"])


def test_the_too_safe_note_appears_only_when_flagged() -> None:
    [plain] = build_closing_messages(_small())
    assert "too safe" not in all_text(plain["blocks"])
    assert "too safe" not in plain["text"]
    [flagged] = build_closing_messages(_report(*_small().objectives, too_safe=True))
    assert TOO_SAFE_NOTE in all_text(flagged["blocks"])
    assert "targets may be too safe" in flagged["text"]


def test_objectives_keep_their_order_whatever_their_scores() -> None:
    report = _report(
        _objective(1, _kr(11, 0.1)), _objective(2, _kr(21, 1.0)), _objective(3, _kr(31, 0.5))
    )
    order = [bid for bid in _block_ids(build_closing_messages(report)) if "objective" in bid]
    assert order == [f"{ids.BLOCK_CLOSING_OBJECTIVE}{n}" for n in (1, 2, 3)]


def test_people_are_not_named_next_to_scores_in_the_digest() -> None:
    text = json.dumps(build_closing_messages(_small()))
    assert "U0BOB" not in text  # key result owners
    assert text.count("<@U0ALICE>") == 1  # only as who closed it


def test_an_automatic_close_says_so() -> None:
    [payload] = build_closing_messages(
        _report(*_small().objectives, automatic=True, closed_by=None)
    )
    assert "Closed automatically on 1 Oct 2026" in all_text(payload["blocks"])


def test_a_cycle_without_objectives_closes_in_one_short_message() -> None:
    [payload] = build_closing_messages(_report())
    assert message_errors(text=payload["text"], blocks=payload["blocks"]) == []
    assert "had no objectives to score in 2026-Q3" in all_text(payload["blocks"])
    assert payload["text"] == "Growth closed 2026-Q3: no objectives were scored."


def test_twelve_objectives_of_four_long_key_results_split_within_limits() -> None:
    report = _big()
    messages = build_closing_messages(report)
    assert len(messages) > 1
    for number, payload in enumerate(messages, start=1):
        assert message_errors(text=payload["text"], blocks=payload["blocks"]) == []
        assert len(payload["blocks"]) <= MESSAGE_BLOCKS_MAX
        assert payload["text"].endswith(f"({number}/{len(messages)})")
    # Every objective and key result shows exactly once, and objectives are never cut.
    shown = _block_ids(messages)
    assert len(shown) == len(set(shown)) == 12 + 48
    for payload in messages:
        ids_here = [b.get("block_id", "") for b in payload["blocks"]]
        for bid in ids_here:
            if bid.startswith(ids.BLOCK_CLOSING_OBJECTIVE):
                objective_id = int(bid.removeprefix(ids.BLOCK_CLOSING_OBJECTIVE))
                for k in range(4):
                    assert f"{ids.BLOCK_CLOSING_KEY_RESULT}{objective_id * 100 + k}" in ids_here
    # 3 of every 4 key results are unfinished (scores 0.7, 0.35, 0.0).
    assert len(_buttons(messages)) == 36
    assert TOO_SAFE_NOTE in all_text(messages[0]["blocks"])


def test_an_objective_longer_than_a_message_is_cut_but_stays_within_limits() -> None:
    messages = build_closing_messages(_big(objectives=1, krs=70))
    assert len(messages) == 2
    for payload in messages:
        assert message_errors(text=payload["text"], blocks=payload["blocks"]) == []
    assert len(_buttons(messages)) == 70 - 18  # scores cycle 1.0, 0.7, 0.35, 0.0


def test_the_page_of_a_key_result_can_be_rebuilt_in_place() -> None:
    report = _big()
    messages = build_closing_messages(report)
    last_kr = 1203
    page = closing_message_for(report, last_kr)
    assert page is not None and page in messages
    assert f"{ids.BLOCK_CLOSING_KEY_RESULT}{last_kr}" in _block_ids([page])
    assert closing_message_for(report, 424242) is None


@pytest.mark.parametrize(
    ("value", "expected"), [("12", 12), (" 7 ", 7), ("", None), ("KR12", None), (None, None)]
)
def test_parse_carry_value(value: str | None, expected: int | None) -> None:
    assert parse_carry_value(value) == expected
    if expected is not None:
        assert parse_carry_value(carry_value(expected)) == expected


# --- /okr list --cycle 2026-Q3 on a closed cycle --------------------------------------------------


def test_the_closed_list_shows_frozen_scores_and_no_buttons() -> None:
    [payload] = build_closed_list_messages(_small())
    assert message_errors(text=payload["text"], blocks=payload["blocks"]) == []
    text = all_text(payload["blocks"])
    assert "Growth · 2026-Q3 (closed)" in text
    assert "scores frozen at the close" in text
    assert "*0.70*" in text and "<@U0BOB>" in text
    assert "↪ carried into 2026-Q4 as *KR99*" in text
    assert _buttons([payload]) == []
    assert payload["text"] == "Growth · 2026-Q3 (closed): 2 objectives, mean score 0.44"


def test_the_closed_list_of_a_long_cycle_splits_within_limits() -> None:
    messages = build_closed_list_messages(_big())
    assert len(messages) > 1
    for payload in messages:
        assert message_errors(text=payload["text"], blocks=payload["blocks"]) == []
    assert len(_block_ids(messages)) == 12 + 48


def test_the_closed_list_of_an_empty_cycle() -> None:
    [payload] = build_closed_list_messages(_report())
    assert message_errors(text=payload["text"], blocks=payload["blocks"]) == []
    assert "had no objectives to score" in payload["text"]
