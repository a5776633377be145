"""Shared fixtures: a migrated SQLite file per test, the local Slack stand-in, the real app
served over HTTP on loopback, and a driver that signs requests as Slack does."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db import Database
from app.db.engine import create_db_engine
from app.db.migrate import ensure_schema
from app.runtime import Runtime, build_runtime
from app.server import LocalServer
from app.settings import Settings
from app.standin import SlackDriver, SlackStandIn

SIGNING_SECRET = "test-signing-secret-5f2b9c0d8e7a"
BOT_TOKEN = "xoxb-test-0001-okrbot"
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"
GROWTH_CHANNEL = "C0GROWTH1"


@pytest.fixture(autouse=True)
def _no_developer_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's tokens, database or .env file."""
    for name in list(os.environ):
        if name.startswith("SLACK_") or name in ("DATABASE_URL", "LOG_LEVEL"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.current = now

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "okrbot.db"
    engine = create_db_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(tmp_path: Path, _migrated_template: Path) -> str:
    """A fresh, migrated SQLite file (copied from a template: migrating once is enough)."""
    path = tmp_path / "okrbot.db"
    shutil.copy(_migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    # Friday 20 November 2026, 09:00 UTC: week 8 of 2026-Q4.
    return FixedClock(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    server = SlackStandIn(bot_token=BOT_TOKEN)
    server.add_user(ALICE, name="alice", real_name="Alice Admin", tz="Europe/Berlin")
    server.add_user(BOB, name="bob", real_name="Bob Builder", tz="America/New_York")
    server.add_user(CAROL, name="carol", real_name="Carol Chen", tz="Asia/Kolkata")
    server.add_channel(GROWTH_CHANNEL, name="growth")
    with server:
        yield server


@pytest.fixture
def settings(standin: SlackStandIn, database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        database_url=database_url,
        slack_api_url=standin.api_url,
    )


@pytest.fixture
def runtime(settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    built = build_runtime(settings, clock=clock)
    yield built
    built.db.dispose()


@pytest.fixture
def app_server(runtime: Runtime) -> Iterator[LocalServer]:
    with LocalServer(runtime.wsgi) as server:
        yield server


@pytest.fixture
def slack(standin: SlackStandIn, app_server: LocalServer) -> SlackDriver:
    """Plays Slack towards the running app."""
    return SlackDriver(
        app_url=f"{app_server.url}/slack/events", signing_secret=SIGNING_SECRET, standin=standin
    )
