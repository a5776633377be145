"""Shared fixtures: a migrated database per test (each test runs on SQLite and on PostgreSQL),
the local Slack stand-in, the real app served over HTTP on loopback, and a driver that signs
requests as Slack does."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.clock.dispatch import Dispatcher
from app.db import Database
from app.db.engine import create_db_engine
from app.db.migrate import ensure_schema
from app.runtime import Runtime, build_runtime
from app.server import LocalServer
from app.settings import Settings
from app.slack.app_factory import create_web_client
from app.slack.outbound import SlackMessenger
from app.tryout.standin import SlackDriver, SlackStandIn
from tests.databases import (
    URL_VARIABLE,
    Databases,
    PostgresDatabases,
    ThrowawayCluster,
    find_bin_dir,
)

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


BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "backends(*names): run a database test on these backends only (default: sqlite and "
        "postgresql)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that touches a database runs once per backend: `[sqlite]`, `[postgresql]`."""
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        names = list(marker.args) if marker is not None else list(BACKENDS)
        metafunc.parametrize("backend", names, ids=names, indirect=True)


E2E_DIR = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`pytest -m "not e2e"` is the fast loop; these tests are `e2e`: everything in
    tests/e2e/, every test that serves the app over HTTP, and the PostgreSQL run of every
    database test (a database copied per test and a server session: about twice the cost of
    the SQLite run; both run in the whole suite). Elsewhere, tests that start processes or
    servers (the stand-in's own tests, the sandbox, the demo) are marked where they are
    written; one that only makes an API call or two to the `standin` fixture stays."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if (
            item.path.is_relative_to(E2E_DIR)
            or "app_server" in getattr(item, "fixturenames", ())
            or (callspec is not None and callspec.params.get("backend") == "postgresql")
        ):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend this test runs on (see `pytest_generate_tests`)."""
    return str(request.param)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "okrbot.db"
    engine = create_db_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres() -> Iterator[PostgresDatabases]:
    """The PostgreSQL server: `OKRBOT_TEST_POSTGRES_URL`, or a throwaway local cluster.

    Without either the PostgreSQL tests are skipped, except under CI, where they fail.
    """
    url = os.environ.get(URL_VARIABLE, "")
    cluster: ThrowawayCluster | None = None
    if not url:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            reason = (
                f"no PostgreSQL server: set {URL_VARIABLE} to an admin URL, or install "
                "PostgreSQL (initdb and pg_ctl on PATH or in /usr/lib/postgresql/*/bin)"
            )
            if os.environ.get("CI"):
                pytest.fail(f"{reason}; CI is set, so PostgreSQL tests may not be skipped")
            pytest.skip(reason)
        ThrowawayCluster.stop_orphans(bin_dir)
        cluster = ThrowawayCluster(bin_dir)
        cluster.start()
        url = cluster.url
    try:
        databases = PostgresDatabases(url)
        try:
            yield databases
        finally:
            databases.close()
    finally:
        if cluster is not None:
            cluster.stop()


@pytest.fixture(scope="session")
def _postgres_template(_postgres: PostgresDatabases) -> str:
    """A migrated database that each test's database is copied from."""
    name = _postgres.create()
    engine = create_db_engine(_postgres.url(name))
    ensure_schema(engine)
    engine.dispose()  # CREATE DATABASE ... TEMPLATE needs the template to have no sessions
    return name


@pytest.fixture
def databases(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Databases]:
    """Fresh databases (migrated or empty) of the test's backend, as many as it needs."""
    made = Databases(backend, tmp_path, request)
    yield made
    made.drop_all()


@pytest.fixture
def database_url(databases: Databases) -> str:
    """A fresh, migrated database of the test's backend."""
    return databases.migrated()


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
def dispatcher(runtime: Runtime, standin: SlackStandIn) -> Dispatcher:
    """The clock's dispatcher for the app under test, posting to the stand-in."""
    client = create_web_client(token=BOT_TOKEN, base_url=standin.api_url)
    return Dispatcher(db=runtime.db, messenger=SlackMessenger(client))


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
