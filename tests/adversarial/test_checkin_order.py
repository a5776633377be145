"""Answers arrive in any order: a late answer to last week's prompt is recorded for last
week, and the current value stays with the newer week's report."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app.clock.dispatch import Dispatcher
from app.db import Database
from app.db.models import CheckIn, KeyResult
from app.slack import ids
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOB, FixedClock
from tests.e2e.helpers import create_objective, create_team

pytestmark = pytest.mark.e2e

FRIDAY_W47 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
FRIDAY_W48 = FRIDAY_W47 + dt.timedelta(days=7)


def _answer(slack: SlackDriver, prompt: dict, value: str) -> None:
    slack.click(user_id=ALICE, action_id=ids.ACTION_CHECKIN_UPDATE, message=prompt)
    answer = slack.submit_view(
        user_id=ALICE,
        values={
            f"{ids.BLOCK_CHECKIN_VALUE}1": value,
            f"{ids.BLOCK_CHECKIN_CONFIDENCE}1": "on_track",
        },
    )
    assert answer.status == 200 and answer.json() is None


def test_answering_last_weeks_prompt_after_this_weeks_keeps_the_newer_value(
    slack: SlackDriver, dispatcher: Dispatcher, db: Database, clock: FixedClock
) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE, owners=(ALICE, BOB))
    dispatcher.tick(FRIDAY_W47)
    dispatcher.tick(FRIDAY_W48)
    clock.advance(days=7)  # the app lives in week 48 too
    dm = slack.standin.messages(slack.standin.dm_channel(ALICE))
    week47 = next(m for m in dm if "week 47" in m["text"])
    week48 = next(m for m in dm if "week 48" in m["text"])
    _answer(slack, week48, "70")
    _answer(slack, week47, "65")  # late
    with db.read() as session:
        weeks = {c.iso_week: c.value for c in session.exec(select(CheckIn)).all()}
        current = session.get(KeyResult, 1).current_value
    assert weeks == {"2026-W47": 65, "2026-W48": 70}
    assert current == 70
