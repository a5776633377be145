"""PostgreSQL's change notifications (`app.db.changes`): which workspace changed, told to
every process, with nothing trusted while they might be missed."""

from __future__ import annotations

import importlib
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import Database
from app.db.changes import APPLICATION_NAME, ChangeFeed, Version
from app.store import listing
from app.store.directory import TeamSettings, create_team, ensure_workspace

pytestmark = pytest.mark.backends("postgresql")

notifications = importlib.import_module("app.db.migrations.versions.0007_change_notifications")


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


@pytest.fixture
def two_workspaces(db: Database) -> tuple[int, int]:
    with db.write() as session:
        first = ensure_workspace(session, slack_team_id="T0FIRST", enterprise_id=None).id
        second = ensure_workspace(session, slack_team_id="T0SECOND", enterprise_id=None).id
    assert first is not None and second is not None
    return first, second


@pytest.fixture
def feed(database_url: str) -> Iterator[ChangeFeed]:
    """A feed as another process has it: its own engine, so this test's writes through
    `db` reach it only as notifications."""
    other = Database(database_url)
    built = ChangeFeed(other.new_connection, heartbeat=0.05, stale_after=0.5, retry_after=0.05)
    assert built.wait_listening(10)
    yield built
    built.close()
    other.dispose()


def _add_team(db: Database, workspace_id: int, name: str) -> None:
    with db.write() as session:
        create_team(session, workspace_id=workspace_id, settings=TeamSettings(name=name))


def test_a_change_moves_the_version_of_its_workspace_only(
    db: Database, feed: ChangeFeed, two_workspaces: tuple[int, int]
) -> None:
    first, second = two_workspaces
    before = feed.version(first), feed.version(second)
    _add_team(db, first, "Growth")
    assert _wait_until(lambda: feed.version(first) != before[0])
    assert feed.version(second) == before[1]


def test_reads_and_other_tables_move_nothing(
    db: Database, feed: ChangeFeed, two_workspaces: tuple[int, int]
) -> None:
    first, second = two_workspaces
    before = feed.version(first), feed.version(second)
    with db.read() as session:
        session.execute(text("SELECT count(*) FROM team")).one()
    with listing.reading(db.engine) as reader:
        listing.teams_with_revision(reader, workspace_id=first, user_id="U1", label="2026-Q4")
    with db.write() as session:  # a table no list reads
        session.execute(
            text("INSERT INTO processed_event (event_id, received_at) VALUES ('Ev1', now())")
        )
    # Notifications arrive in commit order: once this one is in, any earlier one would be.
    _add_team(db, second, "Platform")
    assert _wait_until(lambda: feed.version(second) != before[1])
    assert feed.version(first) == before[0]


def test_a_commit_through_the_same_engine_moves_every_version_at_once(
    db: Database, two_workspaces: tuple[int, int]
) -> None:
    first, second = two_workspaces
    assert db.changes is not None and db.changes.wait_listening(10)
    before = db.changes.version(first), db.changes.version(second)
    _add_team(db, first, "Growth")
    # No waiting: this process reads its own writes.
    after = db.changes.version(first), db.changes.version(second)
    assert after[0] != before[0] and after[1] != before[1]


def test_emptying_a_table_moves_every_version(
    db: Database, feed: ChangeFeed, two_workspaces: tuple[int, int]
) -> None:
    first, second = two_workspaces
    before = feed.version(first), feed.version(second)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE cycle_close")
    assert _wait_until(lambda: feed.version(second) != before[1])
    assert feed.version(first) != before[0]


def test_nothing_is_trusted_while_the_connection_is_lost_and_a_change_meanwhile_counts(
    db: Database, feed: ChangeFeed, two_workspaces: tuple[int, int]
) -> None:
    first, _ = two_workspaces
    before = feed.version(first)
    with db.engine.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APPLICATION_NAME},
        ).all()
    assert ended == [(True,)]
    assert _wait_until(lambda: feed.version(first) is None)
    _add_team(db, first, "Growth")  # while nobody listens
    assert _wait_until(lambda: feed.version(first) is not None)
    assert feed.version(first) != before


def test_a_closed_feed_trusts_nothing_and_lets_go_of_its_connection(
    db: Database, database_url: str, two_workspaces: tuple[int, int]
) -> None:
    other = Database(database_url)
    feed = ChangeFeed(other.new_connection, heartbeat=0.05, retry_after=0.05)
    assert feed.version(two_workspaces[0]) is None  # not listening yet
    assert feed.wait_listening(10)
    feed.close()
    assert feed.version(two_workspaces[0]) is None

    def listeners() -> int:
        with db.engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n"),
                    {"n": APPLICATION_NAME},
                ).scalar_one()
            )

    assert _wait_until(lambda: listeners() == 0)
    other.dispose()


class _Proxy:
    """A TCP relay to the database that can go silent: a network cut without a reset."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.silent = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._relay, args=(client, upstream), daemon=True).start()

    def _relay(self, a: socket.socket, b: socket.socket) -> None:
        ends = {a: b, b: a}
        while not self._closed.is_set():
            if self.silent.is_set():
                time.sleep(0.01)  # hold whatever arrives, answer nothing
                continue
            ready, _, _ = select.select(list(ends), [], [], 0.05)
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    a.close()
                    b.close()
                    return
                ends[sock].sendall(data)
        a.close()
        b.close()

    def close(self) -> None:
        self._closed.set()
        self._server.close()


def test_a_silent_connection_is_distrusted_and_what_it_held_back_counts(
    db: Database, database_url: str, two_workspaces: tuple[int, int]
) -> None:
    first, _ = two_workspaces
    url = make_url(db.url)
    proxy = _Proxy(url.host or "127.0.0.1", url.port or 5432)
    through = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    feed = ChangeFeed(through.new_connection, heartbeat=0.05, stale_after=0.3)
    try:
        assert feed.wait_listening(10)
        before: Version | None = feed.version(first)
        proxy.silent.set()
        assert _wait_until(lambda: feed.version(first) is None)
        _add_team(db, first, "Growth")  # its notification waits in the silent relay
        proxy.silent.clear()
        seen: list[Version | None] = []
        assert _wait_until(lambda: seen.append(feed.version(first)) or seen[-1] is not None)
        assert seen[-1] != before  # the first version trusted again is a new one
    finally:
        feed.close()
        proxy.close()
        through.dispose()


def test_every_table_a_list_reads_notifies(db: Database) -> None:
    read = set()
    for statement in vars(listing).values():
        if isinstance(statement, listing._Statement):
            sql = statement.compiled(db.engine.dialect)[0]
            read |= set(re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)", sql))
    assert read and read <= set(notifications.TABLES)
    with db.engine.connect() as connection:
        triggered = set(
            connection.execute(
                text(
                    "SELECT tgrelid::regclass::text FROM pg_trigger "
                    "WHERE tgname = 'okrbot_notify_change'"
                )
            ).scalars()
        )
    assert triggered == set(notifications.TABLES)
