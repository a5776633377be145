"""`/okr new` end to end: slash command → modal → per-field errors → numbers → saved rows."""

from __future__ import annotations

from sqlmodel import select

from app.db.models import KeyResult, Objective
from app.domain.types import KRKind
from app.slack import ids
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOB
from tests.e2e.helpers import all_text, create_objective, create_team


def _initial(view: dict, block_id: str) -> str | None:
    for block in view["blocks"]:
        if block.get("block_id") == block_id:
            element = block["element"]
            if "initial_option" in element:
                return element["initial_option"]["value"]
            return element.get("initial_value")
    raise AssertionError(f"no block {block_id}")


def test_new_without_any_team_offers_to_create_one(slack: SlackDriver) -> None:
    response = slack.slash_command(user_id=ALICE, text="new")
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "no teams yet" in body["text"]
    assert slack.standin.top_view(ALICE) is None


def test_new_opens_the_words_step_with_the_caller_as_owner(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    view = slack.standin.top_view(ALICE)
    assert view["callback_id"] == ids.VIEW_NEW_OBJECTIVE
    owner = next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_OBJECTIVE_OWNER)
    assert owner["element"]["initial_user"] == ALICE
    assert "Team: *Growth*" in all_text(view["blocks"])


def test_blank_title_and_one_key_result_get_errors_on_their_fields(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    answer = slack.submit_view(
        user_id=ALICE,
        values={
            ids.BLOCK_OBJECTIVE_TITLE: "   ",
            ids.kr_block(ids.BLOCK_KR_TITLE, 0): "Raise activation from 20% to 35%",
            ids.kr_block(ids.BLOCK_KR_TITLE, 1): "  ",
        },
    )
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {
        ids.BLOCK_OBJECTIVE_TITLE,
        ids.kr_block(ids.BLOCK_KR_TITLE, 1),
    }
    # The modal stays open with what was typed.
    view = slack.standin.top_view(ALICE)
    assert view["callback_id"] == ids.VIEW_NEW_OBJECTIVE


def test_numbers_step_is_prefilled_from_the_words(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    slack.submit_view(
        user_id=ALICE,
        values={
            ids.BLOCK_OBJECTIVE_TITLE: "Make onboarding effortless",
            ids.kr_block(ids.BLOCK_KR_TITLE, 0): "Raise onboarding completion from 60% to 85%",
            ids.kr_block(ids.BLOCK_KR_TITLE, 1): "Reduce p95 latency to under 200 ms",
        },
    )
    view = slack.standin.top_view(ALICE)
    assert view["callback_id"] == ids.VIEW_NEW_NUMBERS
    assert _initial(view, ids.kr_block(ids.BLOCK_KR_KIND, 0)) == "increase"
    assert _initial(view, ids.kr_block(ids.BLOCK_KR_START, 0)) == "60"
    assert _initial(view, ids.kr_block(ids.BLOCK_KR_TARGET, 0)) == "85"
    assert _initial(view, ids.kr_block(ids.BLOCK_KR_UNIT, 0)) == "%"
    assert _initial(view, ids.kr_block(ids.BLOCK_KR_KIND, 1)) == "decrease"
    assert _initial(view, ids.kr_block(ids.BLOCK_KR_TARGET, 1)) == "200"
    assert _initial(view, ids.kr_block(ids.BLOCK_KR_UNIT, 1)) == "ms"


def test_bad_numbers_get_errors_and_nothing_is_saved(slack: SlackDriver, db) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    slack.submit_view(
        user_id=ALICE,
        values={
            ids.BLOCK_OBJECTIVE_TITLE: "Make onboarding effortless",
            ids.kr_block(ids.BLOCK_KR_TITLE, 0): "Raise onboarding completion from 60% to 85%",
            ids.kr_block(ids.BLOCK_KR_TITLE, 1): "Grow weekly active teams",
        },
    )
    answer = slack.submit_view(
        user_id=ALICE,
        values={
            ids.kr_block(ids.BLOCK_KR_TARGET, 0): "lots",
            ids.kr_block(ids.BLOCK_KR_KIND, 1): "increase",
            ids.kr_block(ids.BLOCK_KR_START, 1): "40",
            ids.kr_block(ids.BLOCK_KR_TARGET, 1): "40",
        },
    )
    body = answer.json()
    assert body["response_action"] == "errors"
    assert "number" in body["errors"][ids.kr_block(ids.BLOCK_KR_TARGET, 0)]
    assert "differ" in body["errors"][ids.kr_block(ids.BLOCK_KR_TARGET, 1)]
    with db.read() as session:
        assert session.exec(select(Objective)).all() == []


def test_saving_writes_the_objective_and_its_key_results(slack: SlackDriver, db) -> None:
    create_team(slack, user_id=ALICE)
    saved = create_objective(slack, user_id=ALICE, owners=(ALICE, BOB))
    assert "Saved *O1" in all_text(saved["blocks"])
    with db.read() as session:
        objective = session.exec(select(Objective)).one()
        krs = session.exec(select(KeyResult).order_by(KeyResult.position)).all()
    assert objective.title == "Make onboarding effortless for new teams"
    assert [(kr.kind, kr.start_value, kr.target_value, kr.unit) for kr in krs] == [
        (KRKind.increase, 60, 85, "%"),
        (KRKind.decrease, 3, 1, "days"),
    ]
    # A new key result stands at its start until someone checks in.
    assert [kr.current_value for kr in krs] == [60, 3]


def test_back_returns_to_the_words_with_everything_kept(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    slack.submit_view(
        user_id=ALICE,
        values={
            ids.BLOCK_OBJECTIVE_TITLE: "Make onboarding effortless",
            ids.kr_block(ids.BLOCK_KR_TITLE, 0): "Raise onboarding completion from 60% to 85%",
            ids.kr_block(ids.BLOCK_KR_TITLE, 1): "Reduce p95 latency to under 200 ms",
            ids.kr_block(ids.BLOCK_KR_OWNER, 1): BOB,
        },
    )
    response = slack.click(user_id=ALICE, action_id=ids.ACTION_BACK_TO_TEXTS)
    assert response.status == 200
    view = slack.standin.top_view(ALICE)
    assert view["callback_id"] == ids.VIEW_NEW_OBJECTIVE
    assert _initial(view, ids.BLOCK_OBJECTIVE_TITLE) == "Make onboarding effortless"
    assert _initial(view, ids.kr_block(ids.BLOCK_KR_TITLE, 1)) == (
        "Reduce p95 latency to under 200 ms"
    )
    owner = next(
        b for b in view["blocks"] if b.get("block_id") == ids.kr_block(ids.BLOCK_KR_OWNER, 1)
    )
    assert owner["element"]["initial_user"] == BOB
