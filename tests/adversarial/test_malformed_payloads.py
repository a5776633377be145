"""Signed but malformed or stale payloads: a clear answer, one warning line, no traceback,
and nothing stored that a person could not have typed.

Slack signs what it sends, but a payload can still be odd (no actions, an action without
an id, a button or metadata from an old message, a workspace-less request), and values
that come back from Slack (a button's period, a modal's metadata) are trusted no further
than what a person types.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

import pytest
from sqlmodel import select

from app.db import Database
from app.db.models import CheckIn, KeyResult
from app.slack import ids
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE
from tests.e2e.helpers import create_objective, create_team

pytestmark = pytest.mark.e2e


@pytest.fixture
def growth(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE)


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def _block_actions(slack: SlackDriver, actions: list[dict[str, Any]], **extra: Any) -> Any:
    payload = {
        "type": "block_actions",
        "team": {"id": slack.team_id, "domain": "standin"},
        "user": {"id": ALICE, "username": "alice", "team_id": slack.team_id},
        "api_app_id": "A0OKRBOT",
        "token": "standin-verification-token",
        "trigger_id": "1.2.3",
        "response_url": f"{slack.standin.base_url}/response/none",
        "actions": actions,
        **extra,
    }
    return slack._post_payload(payload)


@pytest.mark.parametrize(
    "actions",
    [
        [],
        [{"type": "button", "block_id": "b", "action_ts": "1.0"}],  # no action_id
        [{"type": "button", "action_id": "", "block_id": "b", "action_ts": "1.0"}],
    ],
    ids=["no-actions", "no-action-id", "empty-action-id"],
)
def test_a_payload_without_a_usable_action_gets_no_error(
    growth, slack: SlackDriver, caplog: pytest.LogCaptureFixture, actions: list[dict[str, Any]]
) -> None:
    answer = _block_actions(slack, actions)
    assert answer.status < 500
    assert _tracebacks(caplog) == []


@pytest.mark.parametrize(
    "value",
    [
        json.dumps({"team": 1, "period": "2099-W01"}),
        json.dumps({"team": 1, "period": "2026-W" + "9" * 10_000}),
        json.dumps({"team": "1" * 5_000, "period": "2026-W47"}),
        "{nope",
        json.dumps(["team", 1]),
    ],
    ids=["future-week", "huge-week", "huge-team", "not-json", "not-an-object"],
)
def test_a_button_value_is_checked_like_typed_input(
    growth, slack: SlackDriver, db: Database, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    action = {
        "type": "button",
        "action_id": ids.ACTION_CHECKIN_NO_CHANGE,
        "block_id": "prompt",
        "value": value,
        "action_ts": "1.0",
    }
    answer = _block_actions(slack, [action])
    assert answer.status == 200
    with db.read() as session:
        assert session.exec(select(CheckIn)).all() == []
    assert _tracebacks(caplog) == []


def test_save_anyway_checks_the_numbers_it_carries(
    growth, slack: SlackDriver, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    typed = {
        "title": "Ship the new onboarding wizard",
        "owner": ALICE,
        "kind": "increase",
        "start": 0,
        "target": math.nan,
        "current": None,
        "unit": "",
    }
    view = {
        "id": "V0FORGED",
        "hash": "1.forged",
        "type": "modal",
        "callback_id": ids.VIEW_EDIT_REVIEW,
        "private_metadata": json.dumps({"kind": "key_result", "id": 1, "typed": typed}),
        "state": {"values": {}},
        "blocks": [],
    }
    answer = slack._post_payload(
        {
            "type": "view_submission",
            "team": {"id": slack.team_id, "domain": "standin"},
            "user": {"id": ALICE, "username": "alice", "team_id": slack.team_id},
            "api_app_id": "A0OKRBOT",
            "token": "standin-verification-token",
            "view": view,
        }
    )
    assert answer.status == 200
    with db.read() as session:
        kr = session.get(KeyResult, 1)
    assert kr is not None and kr.target_value == 85  # unchanged
    assert _tracebacks(caplog) == []


@pytest.mark.parametrize(
    "metadata",
    ["", "{nope", json.dumps({"kind": "key_result"}), json.dumps({"id": "x", "typed": 3})],
    ids=["empty", "not-json", "no-id", "wrong-types"],
)
def test_a_review_button_with_bad_metadata_gets_no_error(
    growth, slack: SlackDriver, caplog: pytest.LogCaptureFixture, metadata: str
) -> None:
    action = {
        "type": "button",
        "action_id": ids.ACTION_REVIEW_EDIT,
        "block_id": "review",
        "action_ts": "1.0",
    }
    view = {"id": "V0X", "hash": "1.x", "type": "modal", "private_metadata": metadata}
    answer = _block_actions(slack, [action], view=view, container={"type": "view"})
    assert answer.status == 200
    assert _tracebacks(caplog) == []


def test_a_command_without_a_workspace_gets_no_error(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    answer = slack._post_form(
        {
            "token": "standin-verification-token",
            "team_id": "",
            "team_domain": "standin",
            "channel_id": "C0GROWTH",
            "user_id": ALICE,
            "user_name": "alice",
            "command": "/okr",
            "text": "list",
            "api_app_id": "A0OKRBOT",
            "response_url": f"{slack.standin.base_url}/response/none",
            "trigger_id": "1.2.3",
        }
    )
    assert answer.status == 400
    assert _tracebacks(caplog) == []
    assert slack.standin.calls_to("views.open") == []


def test_check_in_now_on_the_home_tab_answers_in_a_dm_when_it_cannot_open(
    growth, slack: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    slack.send_event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    home = slack.standin.home_view(ALICE)
    closed = slack.slash_command(user_id=ALICE, text="close").json()
    assert "Closed" in closed["text"]
    answer = slack.click(user_id=ALICE, action_id=ids.ACTION_CHECKIN_UPDATE, view=home)
    assert answer.status == 200
    dm = slack.standin.messages(slack.standin.dm_channel(ALICE))
    assert any("nothing to check in" in (m["text"] or "") for m in dm)
    assert slack.standin.top_view(ALICE)["callback_id"] != ids.VIEW_CHECKIN
    assert _tracebacks(caplog) == []
