"""Exactly once across processes: two `okrbot tick` at once, and a kill at every step."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from app.clock import CRASH_POINTS
from app.db.models import Delivery, DeliveryStatus
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOB, BOT_TOKEN, CAROL
from tests.e2e.helpers import create_objective, create_team

FRIDAY_SLOT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
OWNERS = (ALICE, BOB, CAROL)


@pytest.fixture
def growth(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(
        slack,
        user_id=ALICE,
        key_results=(
            "Raise onboarding completion from 60% to 85%",
            "Cut time to first value from 3 days to 1 day",
            "Grow weekly active teams from 40 to 120",
        ),
        owners=OWNERS,
    )


def _env(database_url: str, api_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SLACK_") and k not in ("DATABASE_URL", "LOG_LEVEL")
    }
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        SLACK_POSTS_PER_SECOND="1000",
    )
    return env


def _tick(database_url: str, api_url: str, now: dt.datetime, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "tick", "--now", now.isoformat(), *extra],
        env=_env(database_url, api_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _prompt_counts(slack: SlackDriver) -> dict[str, int]:
    return {user: len(slack.standin.messages(slack.standin.dm_channel(user))) for user in OWNERS}


def test_two_tick_processes_at_once_send_each_prompt_once(
    growth, slack, database_url: str, tmp_path: Path
) -> None:
    processes = [_tick(database_url, slack.standin.api_url, FRIDAY_SLOT) for _ in range(2)]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert _prompt_counts(slack) == dict.fromkeys(OWNERS, 1)


@pytest.mark.parametrize("step", CRASH_POINTS)
def test_a_kill_at_any_step_then_a_restart_sends_each_prompt_once(
    growth, slack, database_url: str, db, step: str
) -> None:
    killed = _tick(database_url, slack.standin.api_url, FRIDAY_SLOT, "--crash-at", step)
    killed.communicate(timeout=120)
    assert killed.returncode == 137  # killed, not exited
    # The restart comes after the crashed claim's lease has run out.
    restart = _tick(database_url, slack.standin.api_url, FRIDAY_SLOT + dt.timedelta(minutes=6))
    _, err = restart.communicate(timeout=120)
    assert restart.returncode == 0, err
    again = _tick(database_url, slack.standin.api_url, FRIDAY_SLOT + dt.timedelta(minutes=12))
    again.communicate(timeout=120)
    assert _prompt_counts(slack) == dict.fromkeys(OWNERS, 1)
    with db.read() as session:
        statuses = [d.status for d in session.exec(select(Delivery)).all()]
    assert statuses == [DeliveryStatus.sent] * len(OWNERS)
