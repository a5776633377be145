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
from sqlmodel import select as select_rows

from app.db import Database
from app.db.changes import (
    APPLICATION_NAME,
    DIRECTORY,
    DIRECTORY_TABLES,
    ChangeFeed,
    Version,
    writes_directory,
)
from app.db.models import Cycle, Team
from app.domain.cycles import quarter_span
from app.domain.okrs import ObjectiveDraft
from app.store import listing
from app.store.directory import TeamSettings, create_team, ensure_workspace
from app.store.okrs import create_objective, ensure_cycle

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


def test_a_commit_through_the_same_engine_moves_versions_at_once(
    db: Database, two_workspaces: tuple[int, int]
) -> None:
    first, second = two_workspaces
    feed = db.changes
    assert feed is not None and feed.wait_listening(10)

    def versions() -> tuple[object, ...]:
        assert feed is not None
        return (
            feed.version(first),
            feed.version(second),
            feed.directory_version(first),
            feed.directory_version(second),
        )

    before = versions()
    with db.write() as session:  # no directory table
        session.execute(
            text("INSERT INTO processed_event (event_id, received_at) VALUES ('Ev1', now())")
        )
    # No waiting: this process reads its own writes.
    after = versions()
    assert after[0] != before[0] and after[1] != before[1]
    assert after[2:] == before[2:]
    _add_team(db, first, "Growth")
    again = versions()
    assert all(now != then for now, then in zip(again, after, strict=True))


def test_only_directory_changes_move_the_directory_version(
    db: Database, feed: ChangeFeed, two_workspaces: tuple[int, int]
) -> None:
    first, _ = two_workspaces
    start = feed.directory_version(first)
    with db.write() as session:  # a team and a cycle: the directory
        create_team(session, workspace_id=first, settings=TeamSettings(name="Growth"))
        cycle = ensure_cycle(session, workspace_id=first, span=quarter_span(2026, 4))
    assert _wait_until(lambda: feed.directory_version(first) != start)
    before = feed.version(first), feed.directory_version(first)
    with db.write() as session:  # an objective: OKRs only
        team = session.exec(select_rows(Team)).one()
        create_objective(
            session,
            workspace_id=first,
            team=team,
            cycle=session.get(Cycle, cycle.id),
            draft=ObjectiveDraft(title="Delight new teams", key_results=[]),
        )
    assert _wait_until(lambda: feed.version(first) != before[0])
    assert feed.directory_version(first) == before[1]
    _add_team(db, first, "Platform")
    assert _wait_until(lambda: feed.directory_version(first) != before[1])


def test_directory_writes_are_told_from_their_sql() -> None:
    assert writes_directory("UPDATE team SET name=%(name)s WHERE team.id = %(id)s")
    assert writes_directory("INSERT INTO team_membership (team_id) VALUES (1)")
    assert writes_directory("delete from cycle_close where workspace_id = 1")
    assert writes_directory("INSERT INTO member (workspace_id) VALUES (1) RETURNING member.id")
    assert not writes_directory("UPDATE key_result SET current_value = 1")
    assert not writes_directory("SELECT id FROM team WHERE id = 1 FOR UPDATE")
    assert not writes_directory("INSERT INTO teammate (id) VALUES (1)")
    from app.store.checkins import _RECORD_ON_POSTGRESQL

    assert not writes_directory(_RECORD_ON_POSTGRESQL.text)


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
        triggered = dict(
            connection.execute(
                text(
                    "SELECT tgrelid::regclass::text, encode(tgargs, 'escape') FROM pg_trigger "
                    "WHERE tgname = 'okrbot_notify_change'"
                )
            ).all()
        )
    assert set(triggered) == set(notifications.TABLES)
    assert notifications.DIRECTORY_TABLES == DIRECTORY_TABLES
    assert notifications.DIRECTORY == DIRECTORY
    for table, prefix in triggered.items():
        # tgargs holds each argument followed by a NUL.
        assert prefix == (DIRECTORY if table in DIRECTORY_TABLES else "") + "\\000", table


def test_sync_waits_until_every_earlier_commit_is_heard(
    db: Database, two_workspaces: tuple[int, int]
) -> None:
    """A person's list right after their own edit, answered by another worker: that worker
    must hear the edit first, however late its notification travels."""
    first, _ = two_workspaces
    url = make_url(db.url)
    proxy = _Proxy(url.host or "127.0.0.1", url.port or 5432)
    through = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    feed = ChangeFeed(through.new_connection, heartbeat=5.0, stale_after=30.0)
    try:
        assert feed.wait_listening(10)
        assert feed.sync(timeout=5)
        before = feed.version(first)
        proxy.silent.set()  # the edit's notification will be late
        _add_team(db, first, "Growth")
        assert feed.version(first) == before  # not heard yet: a cached list would be stale
        threading.Timer(0.3, proxy.silent.clear).start()
        assert feed.sync(timeout=5)
        assert feed.version(first) != before
    finally:
        feed.close()
        proxy.close()
        through.dispose()


def test_sync_gives_up_rather_than_wait_past_its_timeout(
    db: Database, two_workspaces: tuple[int, int]
) -> None:
    url = make_url(db.url)
    proxy = _Proxy(url.host or "127.0.0.1", url.port or 5432)
    through = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    feed = ChangeFeed(through.new_connection, heartbeat=5.0, stale_after=30.0)
    try:
        assert feed.wait_listening(10)
        proxy.silent.set()
        assert feed.sync(timeout=0.2) is False  # the caller reads the database instead
    finally:
        proxy.silent.clear()
        feed.close()
        proxy.close()
        through.dispose()
