"""Closing a cycle from Slack and on schedule, reading it back, and carrying work over."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app.db.models import KeyResult
from app.slack import ids
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOB, GROWTH_CHANNEL
from tests.e2e.helpers import all_text, create_objective, create_team

NEW_YEAR = dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)  # Q4 ended yesterday in Berlin


@pytest.fixture
def growth(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE, owners=(ALICE, BOB))


def _closing_posts(slack: SlackDriver) -> list[dict]:
    return [m for m in slack.standin.messages(GROWTH_CHANNEL) if "closed" in (m["text"] or "")]


def test_an_admin_closes_the_cycle_and_the_scores_go_to_the_channel(growth, slack) -> None:
    refused = slack.slash_command(user_id=BOB, text="close").json()
    assert "Only Growth's admins" in refused["text"]
    done = slack.slash_command(user_id=ALICE, text="close").json()
    assert "Closed 2026-Q4" in done["text"]
    (post,) = _closing_posts(slack)
    assert "0.7" in all_text(post["blocks"])
    again = slack.slash_command(user_id=ALICE, text="close").json()
    assert "already closed" in again["text"]
    assert len(_closing_posts(slack)) == 1


def test_a_closed_cycle_stays_readable_with_its_scores(growth, slack) -> None:
    slack.slash_command(user_id=ALICE, text="close")
    listed = slack.slash_command(user_id=ALICE, text="list --cycle 2026-Q4").json()
    text = all_text(listed["blocks"])
    assert "2026-Q4" in text and "Raise onboarding completion" in text
    bad = slack.slash_command(user_id=ALICE, text="list --cycle someday").json()
    assert "Usage:" in all_text(bad["blocks"])


def test_an_unfinished_key_result_is_carried_into_the_next_quarter_once(growth, slack, db) -> None:
    slack.slash_command(user_id=ALICE, text="close")
    (post,) = _closing_posts(slack)
    for _ in range(2):  # a double click carries once
        slack.click(user_id=ALICE, action_id=ids.ACTION_CARRY_OVER, value="1", message=post)
    with db.read() as session:
        copies = session.exec(select(KeyResult).where(KeyResult.carried_from_id == 1)).all()
    assert len(copies) == 1 and copies[0].start_value == 60
    updated = next(m for m in slack.standin.messages(GROWTH_CHANNEL) if m["ts"] == post["ts"])
    assert updated["edited"] and "2027-Q1" in all_text(updated["blocks"])


def test_the_cycle_closes_by_itself_after_its_end_once(growth, slack, dispatcher) -> None:
    first = dispatcher.tick(NEW_YEAR)
    assert first.closed == 1 and first.sent >= 1
    assert dispatcher.tick(NEW_YEAR + dt.timedelta(hours=1)).closed == 0
    assert len(_closing_posts(slack)) == 1


def test_a_check_in_submitted_after_its_cycle_closed_is_refused_on_the_field(
    growth, slack, db
) -> None:
    from app.db.models import CheckIn

    slack.slash_command(user_id=BOB, text="checkin")
    view = slack.standin.top_view(BOB)
    slack.slash_command(user_id=ALICE, text="close")  # while Bob's modal is open
    answer = slack.submit_view(
        user_id=BOB,
        view=view,
        values={
            f"{ids.BLOCK_CHECKIN_VALUE}2": "2",
            f"{ids.BLOCK_CHECKIN_CONFIDENCE}2": "on_track",
        },
    ).json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        f"{ids.BLOCK_CHECKIN_VALUE}2": "This cycle was just closed; its scores are final."
    }
    with db.read() as session:
        assert session.exec(select(CheckIn)).all() == []
        assert session.get(KeyResult, 2).current_value == 3


def test_a_closed_cycle_asks_for_no_more_check_ins(growth, slack, dispatcher) -> None:
    slack.slash_command(user_id=ALICE, text="close")
    assert dispatcher.tick(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)).sent == 0
    assert slack.standin.messages(slack.standin.dm_channel(BOB)) == []
