"""The quality coach in Slack: review before saving, Save anyway, Edit, /okr check, markers."""

from __future__ import annotations

from sqlmodel import select

from app.db.models import KeyResult, Objective
from app.slack import ids
from app.tryout.standin import SlackDriver
from app.tryout.standin.driver import build_state
from tests.conftest import ALICE
from tests.e2e.helpers import all_text, create_objective, create_team

TASK = "Launch the new onboarding wizard"
OUTCOME = "Raise onboarding completion from 60% to 85%"


def _words(title: str = "Make onboarding effortless", krs: tuple[str, ...] = (TASK, OUTCOME)):
    values = {ids.BLOCK_OBJECTIVE_TITLE: title}
    for index, text in enumerate(krs):
        values[ids.kr_block(ids.BLOCK_KR_TITLE, index)] = text
    return values


def _initial(view: dict, block_id: str) -> str | None:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"].get("initial_value")


def test_a_task_like_key_result_is_flagged_next_to_it_before_saving(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    slack.submit_view(user_id=ALICE, values=_words())
    view = slack.standin.top_view(ALICE)
    assert view["submit"]["text"] == "Save anyway"
    blocks = view["blocks"]
    first = next(i for i, b in enumerate(blocks) if "Key result 1:" in all_text([b]))
    second = next(i for i, b in enumerate(blocks) if "Key result 2:" in all_text([b]))
    flags_of_first = all_text(blocks[first + 1 : second])
    assert "“Launch”" in flags_of_first or "Launch" in flags_of_first
    assert "Try:" in flags_of_first
    assert "Try:" not in all_text([b for b in blocks[second:] if b["type"] == "context"])


def test_save_anyway_saves_the_flagged_key_result(slack: SlackDriver, db) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    slack.submit_view(user_id=ALICE, values=_words())
    answer = slack.submit_view(
        user_id=ALICE, values={ids.kr_block(ids.BLOCK_KR_KIND, 0): "milestone"}
    )
    assert answer.json()["response_action"] == "update"
    with db.read() as session:
        titles = [kr.title for kr in session.exec(select(KeyResult)).all()]
    assert titles == [TASK, OUTCOME]


def test_edit_returns_to_the_words_with_values_and_typed_numbers_kept(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    slack.submit_view(user_id=ALICE, values=_words())
    # Type a number for the second key result, then go back to fix the first one's words.
    view = slack.standin.top_view(ALICE)
    slack.standin.set_view_state(
        view["id"], build_state(view, {ids.kr_block(ids.BLOCK_KR_TARGET, 1): "90"})
    )
    slack.click(user_id=ALICE, action_id=ids.ACTION_BACK_TO_TEXTS)
    words = slack.standin.top_view(ALICE)
    assert words["callback_id"] == ids.VIEW_NEW_OBJECTIVE
    assert _initial(words, ids.kr_block(ids.BLOCK_KR_TITLE, 0)) == TASK
    assert _initial(words, ids.BLOCK_OBJECTIVE_TITLE) == "Make onboarding effortless"
    better = "Raise the share of teams active in week one from 40% to 70%"
    slack.submit_view(user_id=ALICE, values={ids.kr_block(ids.BLOCK_KR_TITLE, 0): better})
    numbers = slack.standin.top_view(ALICE)
    assert numbers["submit"]["text"] == "Save"  # nothing flagged any more
    assert _initial(numbers, ids.kr_block(ids.BLOCK_KR_TARGET, 1)) == "90"  # kept
    assert _initial(numbers, ids.kr_block(ids.BLOCK_KR_TARGET, 0)) == "70"  # read afresh


def test_renaming_a_key_result_to_a_task_asks_for_a_review(slack: SlackDriver, db) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="edit KR1")
    answer = slack.submit_view(
        user_id=ALICE,
        values={
            ids.kr_block(ids.BLOCK_KR_TITLE, 0): "Publish 5 blog posts",
            ids.kr_block(ids.BLOCK_KR_CURRENT, 0): "61",
        },
    )
    body = answer.json()
    assert body["response_action"] == "update"
    assert body["view"]["callback_id"] == ids.VIEW_EDIT_REVIEW
    assert body["view"]["submit"]["text"] == "Save anyway"
    with db.read() as session:
        assert session.get(KeyResult, 1).title == OUTCOME  # not saved yet
    # Edit: back to the form, with what was typed.
    slack.click(user_id=ALICE, action_id=ids.ACTION_REVIEW_EDIT)
    form = slack.standin.top_view(ALICE)
    assert form["callback_id"] == ids.VIEW_EDIT_KEY_RESULT
    assert _initial(form, ids.kr_block(ids.BLOCK_KR_TITLE, 0)) == "Publish 5 blog posts"
    assert _initial(form, ids.kr_block(ids.BLOCK_KR_CURRENT, 0)) == "61"
    # Submit again, then save anyway.
    slack.submit_view(user_id=ALICE)
    assert slack.standin.top_view(ALICE)["callback_id"] == ids.VIEW_EDIT_REVIEW
    assert slack.submit_view(user_id=ALICE).json() is None
    with db.read() as session:
        kr = session.get(KeyResult, 1)
    assert (kr.title, kr.current_value) == ("Publish 5 blog posts", 61)


def test_changing_only_the_numbers_of_a_flagged_key_result_does_not_nag(
    slack: SlackDriver, db
) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE, key_results=(TASK, OUTCOME))
    slack.slash_command(user_id=ALICE, text="edit KR1")
    answer = slack.submit_view(
        user_id=ALICE,
        values={
            ids.kr_block(ids.BLOCK_KR_KIND, 0): "milestone",
            ids.kr_block(ids.BLOCK_KR_CURRENT, 0): "1",
        },
    )
    assert answer.json() is None
    with db.read() as session:
        assert session.get(KeyResult, 1).current_value == 1


def test_okr_check_explains_a_task_and_approves_an_outcome(slack: SlackDriver) -> None:
    flagged = slack.slash_command(user_id=ALICE, text=f"check {TASK}").json()
    assert flagged["response_type"] == "ephemeral"
    assert "task_like" not in flagged["text"]  # people read sentences, not codes
    assert "Launch" in all_text(flagged["blocks"]) and "Try:" in all_text(flagged["blocks"])
    fine = slack.slash_command(
        user_id=ALICE, text="check Reduce p95 latency to under 200 ms"
    ).json()
    assert "reads like an outcome" in fine["text"]
    usage = slack.slash_command(user_id=ALICE, text="check").json()
    assert "Usage:" in all_text(usage["blocks"])


def test_list_marks_flagged_key_results(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE, key_results=(TASK, OUTCOME))
    body = slack.slash_command(user_id=ALICE, text="list").json()
    objective = next(
        b for b in body["blocks"] if b.get("block_id") == f"{ids.BLOCK_LIST_OBJECTIVE}1"
    )
    kr1, kr2 = objective["text"]["text"].split("*KR2*")
    assert "reads like a task" in kr1.split("*KR1*")[1]
    assert ":warning:" not in kr2


def test_team_thresholds_drive_the_objective_count_flag(slack: SlackDriver, db) -> None:
    create_team(slack, user_id=ALICE)
    with db.write() as session:
        from app.db.models import Team

        team = session.exec(select(Team)).one()
        team.max_objectives = 1
        session.add(team)
    create_objective(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    slack.submit_view(
        user_id=ALICE,
        values=_words(
            "Be the easiest tool to adopt",
            (OUTCOME, "Cut time to first value from 3 days to 1 day"),
        ),
    )
    view = slack.standin.top_view(ALICE)
    assert view["submit"]["text"] == "Save anyway"
    with db.read() as session:
        assert len(session.exec(select(Objective)).all()) == 1
