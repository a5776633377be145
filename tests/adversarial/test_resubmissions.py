"""The same modal submitted again (a double click, a retry after a late answer) saves once.

Slack names a submission by its view's id and hash; twenty copies of `/okr new`'s last step,
or of a new team's settings, sent at once create one objective or one team, and every copy
is answered as the first was.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from app.db import Database
from app.db.models import Objective, Team
from app.slack import ids
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE
from tests.e2e.helpers import create_team

pytestmark = pytest.mark.e2e

COPIES = 20


def _at_once(send, copies: int = COPIES) -> list:
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda _: send(), range(copies)))


def test_twenty_copies_of_a_new_objective_save_one(slack: SlackDriver, db: Database) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="new")
    step_one = slack.submit_view(
        user_id=ALICE,
        values={
            ids.BLOCK_OBJECTIVE_TITLE: "Make onboarding effortless",
            ids.kr_block(ids.BLOCK_KR_TITLE, 0): "Raise onboarding completion from 60% to 85%",
            ids.kr_block(ids.BLOCK_KR_TITLE, 1): "Cut time to first value from 3 days to 1 day",
        },
    )
    assert step_one.json()["response_action"] == "update"
    numbers = slack.standin.top_view(ALICE)
    answers = _at_once(lambda: slack.submit_view(user_id=ALICE, view=numbers))
    assert [a.status for a in answers] == [200] * COPIES
    assert {a.json()["response_action"] for a in answers} == {"update"}
    with db.read() as session:
        saved = session.exec(select(Objective)).all()
    assert len(saved) == 1
    titles = {a.json()["view"]["title"]["text"] for a in answers}
    assert titles == {"Objective saved"}


def test_twenty_copies_of_a_new_team_create_one(slack: SlackDriver, db: Database) -> None:
    slack.slash_command(user_id=ALICE, text="team")
    form = slack.standin.top_view(ALICE)
    values = {ids.BLOCK_TEAM_NAME: "Growth", ids.BLOCK_TEAM_CHANNEL: "C0GROWTH"}
    answers = _at_once(lambda: slack.submit_view(user_id=ALICE, view=form, values=values))
    assert [a.status for a in answers] == [200] * COPIES
    assert {a.json()["response_action"] for a in answers} == {"update"}  # no "already a team"
    with db.read() as session:
        assert len(session.exec(select(Team)).all()) == 1
