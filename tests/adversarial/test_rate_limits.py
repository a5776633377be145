"""A 429 whose Retry-After is not a number of seconds: waited out briefly, never a tick
aborted with a traceback."""

from __future__ import annotations

import logging

import pytest

from app.clock.dispatch import Dispatcher
from app.slack.app_factory import MAX_RETRY_AFTER, retry_after_seconds
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOB
from tests.e2e.helpers import create_objective, create_team
from tests.e2e.test_checkin import FRIDAY_SLOT, _prompts


@pytest.mark.e2e
def test_a_tick_survives_a_retry_after_that_is_no_number(
    slack: SlackDriver, dispatcher: Dispatcher, caplog: pytest.LogCaptureFixture
) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE, owners=(ALICE, BOB))
    slack.standin.fail_next("chat.postMessage", status=429, retry_after="soon")  # type: ignore[arg-type]
    report = dispatcher.tick(FRIDAY_SLOT)
    assert report.sent == 2 and report.failed == 0
    assert len(_prompts(slack, ALICE)) == 1 and len(_prompts(slack, BOB)) == 1
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


def test_retry_after_is_read_as_seconds_or_a_date_else_one_second() -> None:
    assert retry_after_seconds("3") == 3
    assert retry_after_seconds(" 2.5 ") == 2.5
    assert retry_after_seconds("-4") == 0
    assert retry_after_seconds("86400") == MAX_RETRY_AFTER
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # a date gone by
    assert retry_after_seconds("soon") == 1
    assert retry_after_seconds(None) == 1
