"""The new-objective modal's hidden metadata stays bounded (issue #14, item 21).

Step two of `/okr new` carries step one's words, and the numbers typed for each key
result, in the view's `private_metadata` (3,000 characters at most). The numbers were
kept under every key result title ever typed, so each round of "← Edit the words" with
new words added to them until step one was refused with a message about the description
that shortening the description could not fix. Now only the numbers of the current key
results ride along, and when long words alone don't fit, the message says by how much to
shorten what.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from app.db.models import KeyResult, Objective
from app.domain.okrs import DESCRIPTION_MAX, KR_TITLE_MAX, OBJECTIVE_TITLE_MAX
from app.slack import ids
from app.slack.limits import PRIVATE_METADATA_MAX
from app.tryout.standin import SlackDriver
from app.tryout.standin.driver import build_state
from tests.conftest import ALICE
from tests.e2e.helpers import create_team

TITLE = ("Make onboarding effortless for every new team, " * 4)[:OBJECTIVE_TITLE_MAX].strip()
WHY = ("New teams give up in their first week when setup takes too long. " * 10)[
    :DESCRIPTION_MAX
].strip()


def key_result(round_number: int, index: int) -> str:
    """A key result title of nearly 200 characters, different in every round."""
    head = f"Round {round_number} key result {index}: raise the share of new teams "
    tail = " from 40 to 85"
    filler = ("who finish setup on their first day without help " * 5)[
        : KR_TITLE_MAX - len(head) - len(tail)
    ]
    return (head + filler.strip() + tail)[:KR_TITLE_MAX]


def words(
    round_number: int, *, title: str = TITLE, why: str = WHY, quoted: bool = False
) -> dict[str, Any]:
    values: dict[str, Any] = {
        ids.BLOCK_OBJECTIVE_TITLE: title,
        ids.BLOCK_OBJECTIVE_DESCRIPTION: why,
    }
    for index in range(4):
        text = key_result(round_number, index)
        if quoted:  # as long, but every letter a quote (the numbers kept)
            text = '"' * (len(text) - len(" from 40 to 85")) + " from 40 to 85"
        values[ids.kr_block(ids.BLOCK_KR_TITLE, index)] = text
    return values


def numbers(round_number: int) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for index in range(4):
        values[ids.kr_block(ids.BLOCK_KR_KIND, index)] = "increase"
        values[ids.kr_block(ids.BLOCK_KR_START, index)] = str(10 * round_number + index)
        values[ids.kr_block(ids.BLOCK_KR_TARGET, index)] = str(100 * round_number + index)
        values[ids.kr_block(ids.BLOCK_KR_UNIT, index)] = "%"
    return values


def top(slack: SlackDriver) -> dict[str, Any]:
    view = slack.standin.top_view(ALICE)
    assert view is not None
    return view


def test_six_rounds_of_new_words_still_reach_the_numbers_step(slack: SlackDriver, db) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    sizes = []
    for round_number in range(1, 7):
        step_one = slack.submit_view(user_id=ALICE, values=words(round_number))
        assert step_one.json()["response_action"] == "update", (round_number, step_one.body)
        view = top(slack)
        assert view["callback_id"] == ids.VIEW_NEW_NUMBERS
        sizes.append(len(view["private_metadata"]))
        # Type the numbers, then go back to change the words.
        slack.standin.set_view_state(view["id"], build_state(view, numbers(round_number)))
        slack.click(user_id=ALICE, action_id=ids.ACTION_BACK_TO_TEXTS)
        assert top(slack)["callback_id"] == ids.VIEW_NEW_OBJECTIVE
        assert len(top(slack)["private_metadata"]) < PRIVATE_METADATA_MAX
    assert max(sizes) - min(sizes) < 50, sizes  # no growth from round to round

    # Unchanged words keep the numbers typed for them; the last round saves.
    slack.submit_view(user_id=ALICE, values=words(6))
    kinds = {
        b["block_id"]: b["element"].get("initial_value")
        for b in top(slack)["blocks"]
        if b.get("type") == "input"
    }
    assert kinds[ids.kr_block(ids.BLOCK_KR_START, 0)] == "60"
    assert kinds[ids.kr_block(ids.BLOCK_KR_TARGET, 3)] == "603"
    saved = slack.submit_view(user_id=ALICE)
    assert saved.json()["response_action"] == "update", saved.body
    with db.read() as session:
        objective = session.exec(select(Objective)).one()
        krs = session.exec(select(KeyResult).order_by(KeyResult.id)).all()
    assert objective.title == TITLE
    assert [kr.title for kr in krs] == [key_result(6, i) for i in range(4)]
    assert [(kr.start_value, kr.target_value) for kr in krs] == [
        (60 + i, 600 + i) for i in range(4)
    ]


def test_words_too_long_to_carry_say_by_how_much(slack: SlackDriver, db) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    # Quotes and line breaks are written twice in the metadata's JSON: these words fit
    # their fields but not, all together, the 3,000 characters Slack carries.
    quoted = '"' * DESCRIPTION_MAX
    too_long = slack.submit_view(
        user_id=ALICE, values=words(1, title='"' * OBJECTIVE_TITLE_MAX, why=quoted, quoted=True)
    )
    body = too_long.json()
    assert body["response_action"] == "errors"
    message = body["errors"][ids.BLOCK_OBJECTIVE_DESCRIPTION]
    over = int(message.split(" characters more")[0].rsplit(" ", 1)[1])
    assert over > 0 and f"by {over} characters" in message and "key results" in message

    # Doing what it says works: the description shortened by that much.
    shorter = quoted[:-over]
    step_one = slack.submit_view(
        user_id=ALICE, values=words(1, title='"' * OBJECTIVE_TITLE_MAX, why=shorter, quoted=True)
    )
    assert step_one.json()["response_action"] == "update", step_one.body
    metadata = top(slack)["private_metadata"]
    assert len(metadata) <= PRIVATE_METADATA_MAX
    assert json.loads(metadata)["description"] == shorter
