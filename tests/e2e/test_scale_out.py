"""Scaled out as the Procfile runs it: 4 web workers and 2 clocks on one PostgreSQL database.

The web line of the Procfile serves Slack; two `okrbot clock` processes tick on a
simulated clock that runs 60 times faster than real time through one check-in week:
prompts at 09:00, a reminder at 09:10, the digest at 09:20. While they run, an owner
answers her prompt through the web workers. Every prompt, reminder and digest must go out
exactly once, and nobody who answered is reminded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from app.db import Database
from app.db.models import Team
from app.domain.cycles import quarter_of
from app.slack import ids
from app.transfer.validation import validate_documents
from app.tryout.standin import SlackDriver, SlackStandIn
from app.usecases.transfer import import_documents
from tests.conftest import ALICE, BOB, BOT_TOKEN, CAROL, GROWTH_CHANNEL, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]
OWNERS = (ALICE, BOB, CAROL)
SPEED = 60.0  # simulated seconds per real second: the clock's 5-minute lease is 5 s here


def _procfile(kind: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == kind:
            return command.strip()
    raise AssertionError(f"the Procfile has no {kind}: line")


def _a_friday_this_quarter() -> dt.date:
    """A Friday in the real current quarter: the web workers read the real clock."""
    today = dt.datetime.now(dt.UTC).date()
    quarter = quarter_of(today)
    fridays = [today + dt.timedelta(days=d) for d in range(-7, 8)]
    return min(
        (d for d in fridays if d.weekday() == 4 and quarter_of(d) == quarter),
        key=lambda d: abs((d - today).days),
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seed(database_url: str, friday: dt.date) -> None:
    document = {
        "workspace": "T0001",
        "team": "Growth",
        "channel": GROWTH_CHANNEL,
        "timezone": "UTC",
        "admins": [ALICE],
        "checkin": {"day": "friday", "time": "09:00"},
        "digest": {"day": "friday", "time": "09:20"},
        "objectives": [
            {
                "title": "Make onboarding effortless for new teams",
                "owner": ALICE,
                "key_results": [
                    {"title": "Raise onboarding completion from 60% to 85%", "owner": ALICE},
                    {"title": "Cut time to first value from 3 days to 1 day", "owner": BOB},
                    {"title": "Grow weekly active teams from 40 to 120", "owner": CAROL},
                ],
            }
        ],
    }
    db = Database(database_url)
    try:
        import_documents(db, validate_documents(document), today=friday)
        with db.write() as session:
            session.execute(update(Team).values(reminder_weekday=4, reminder_time=dt.time(9, 10)))
    finally:
        db.dispose()


@pytest.fixture
def environment(standin: SlackStandIn, database_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SLACK_") and k not in ("DATABASE_URL", "LOG_LEVEL")
    }
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=standin.api_url,
        DATABASE_URL=database_url,
        CLOCK_INTERVAL_SECONDS="1",
        SLACK_POSTS_PER_SECOND="1000",
        LOG_LEVEL="INFO",
    )
    return env


def _start(command: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def web(environment: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """The Procfile's web line, with 4 workers, on loopback."""
    port = _free_port()
    env = {**environment, "WEB_CONCURRENCY": "4", "WEB_THREADS": "2", "HOST": "127.0.0.1"}
    env["PORT"] = str(port)
    process = _start(_procfile("web"), env, tmp_path / "web.log")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as ready:
                if ready.status == 200:
                    break
        except OSError:
            pass
        assert process.poll() is None, (tmp_path / "web.log").read_text()
        assert time.monotonic() < deadline, "gunicorn did not become ready"
        time.sleep(0.2)
    yield url
    _stop(process)


@pytest.mark.backends("postgresql")
def test_four_web_workers_and_two_clocks_send_each_message_exactly_once(
    standin: SlackStandIn,
    database_url: str,
    environment: dict[str, str],
    web: str,
    tmp_path: Path,
) -> None:
    friday = _a_friday_this_quarter()
    _seed(database_url, friday)
    start = dt.datetime.combine(friday, dt.time(8, 59), tzinfo=dt.UTC)
    clock = f"okrbot clock --simulate-from {start.isoformat()} --speed {SPEED}"
    clocks = [_start(clock, environment, tmp_path / f"clock{n}.log") for n in range(2)]
    slack = SlackDriver(
        app_url=f"{web}/slack/events", signing_secret=SIGNING_SECRET, standin=standin
    )
    try:
        # Alice answers her prompt through the web workers as soon as it arrives.
        deadline = time.monotonic() + 60
        while not standin.messages(standin.dm_channel(ALICE)):
            assert time.monotonic() < deadline, "no prompt reached Alice"
            time.sleep(0.1)
        (prompt,) = standin.messages(standin.dm_channel(ALICE))
        answer = slack.click(user_id=ALICE, action_id=ids.ACTION_CHECKIN_NO_CHANGE, message=prompt)
        assert answer.status == 200
        # Then let the simulated morning run past the digest (09:20) and a little more.
        run_until = start + dt.timedelta(minutes=26)
        time.sleep(max(0.0, (run_until - start).total_seconds() / SPEED - 2))
        deadline = time.monotonic() + 60
        while not standin.messages(GROWTH_CHANNEL):
            assert time.monotonic() < deadline, "no digest was posted"
            time.sleep(0.2)
        time.sleep(3)  # the clocks keep ticking: nothing more may go out
    finally:
        for process in clocks:
            _stop(process)
    logs = "".join((tmp_path / f"clock{n}.log").read_text() for n in range(2))
    web_log = (tmp_path / "web.log").read_text()

    dms = {user: standin.messages(standin.dm_channel(user)) for user in OWNERS}
    # Alice: her prompt only. Bob and Carol: a prompt and one reminder each.
    assert [len(dms[user]) for user in OWNERS] == [1, 2, 2], logs
    digests = [m for m in standin.messages(GROWTH_CHANNEL) if not m.get("thread_ts")]
    assert len(digests) == 1, logs
    # Both clocks did work (neither sat idle), and the web never scheduled anything.
    for n in range(2):
        assert "Clock started" in (tmp_path / f"clock{n}.log").read_text(), logs
    assert "Tick:" in logs, logs
    assert "Clock started" not in web_log and "Tick" not in web_log, web_log
    assert len(re.findall(r"Booting worker", web_log)) == 4, web_log
