"""The sandbox's world: the seeded workspace, when `:advance` ticks, and the tick-job hook."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from app.db.models import CheckIn, KeyResult, Objective, Team
from app.slack.app_factory import create_web_client
from app.tryout.sandbox.clock import describe
from app.tryout.sandbox.seed import CHANNEL_ID
from app.tryout.sandbox.terminal import SandboxShell, ScriptSource
from app.tryout.sandbox.world import SandboxWorld, checkpoints
from tests.tryout.sandbox.conftest import START

# The sandbox serves the real app and the stand-in over HTTP: not in the fast loop.
pytestmark = pytest.mark.e2e


@pytest.fixture
def world(tmp_path: Path) -> Iterator[SandboxWorld]:
    opened = SandboxWorld(scratch=tmp_path, start=START)
    opened.open()
    yield opened
    opened.close()


def test_the_seed_is_a_team_with_a_quarter_of_okrs_and_weeks_of_history(world) -> None:
    assert world.seeded_weeks == [f"2026-W{week}" for week in range(40, 47)]
    with world.db.read() as session:
        team = session.exec(select(Team)).one()
        objectives = session.exec(select(Objective)).all()
        key_results = session.exec(select(KeyResult)).all()
        check_ins = session.exec(select(CheckIn)).all()
    assert (team.name, team.timezone, team.digest_channel) == (
        "Growth",
        "Europe/Berlin",
        CHANNEL_ID,
    )
    assert len(objectives) == 2 and len(key_results) == 6
    assert len({kr.owner_id for kr in key_results}) == 3
    assert len(check_ins) == 6 * 7
    assert {c.iso_week for c in check_ins} == set(world.seeded_weeks)
    skipped = [c for c in check_ins if c.skipped]
    assert {c.iso_week for c in skipped} == {"2026-W45"} and len(skipped) == 2


def test_advance_ticks_at_every_slot_on_the_way_then_at_the_target(world) -> None:
    with world.db.read() as session:
        teams = list(session.exec(select(Team)).all())
    stops = checkpoints(teams, START, START + dt.timedelta(weeks=1))
    assert [describe(stop, "Europe/Berlin").removesuffix(" (Europe/Berlin)") for stop in stops] == [
        "Friday 20 November 2026, 10:00",  # check-in prompt
        "Friday 20 November 2026, 16:00",  # digest
        "Monday 23 November 2026, 10:00",  # reminder
        "Thursday 26 November 2026, 15:00",  # the target
    ]


def test_a_job_added_to_the_tick_hook_runs_at_each_checkpoint_with_the_virtual_time(
    world,
) -> None:
    seen: list[dt.datetime] = []
    world.tick_jobs.append(seen.append)
    world.advance_to(START + dt.timedelta(days=1))
    assert seen == [
        dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC),
    ]
    assert world.clock() == START + dt.timedelta(days=1)


def test_what_a_hooked_job_posts_shows_up_after_advance(world) -> None:
    client = create_web_client(token=world.standin.bot_token, base_url=world.standin.api_url)

    def weekly_note(now: dt.datetime) -> None:
        # Stands in for a future scheduled feature: posts at the Friday 16:00 slot.
        if now == dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC):
            client.chat_postMessage(channel=CHANNEL_ID, text="*Weekly note* for #growth")

    world.tick_jobs.append(weekly_note)
    out = io.StringIO()
    shell = SandboxShell(world, ScriptSource([":advance friday 16:00", ":channel"]), out)
    assert shell.run() == 0
    text = out.getvalue()
    assert "── #growth · okrbot · Fri 20 Nov 16:00 ──" in text
    assert text.count("Weekly note for #growth") == 2  # on arrival, then in :channel


def test_reset_starts_again_from_a_fresh_seed(world) -> None:
    first_url = world.database_url
    world.advance_to(START + dt.timedelta(days=1))
    assert world.standin.messages() != []
    world.reset()
    assert world.clock() == START
    assert world.database_url != first_url
    assert world.standin.messages() == []
    with world.db.read() as session:
        assert len(session.exec(select(Objective)).all()) == 2
