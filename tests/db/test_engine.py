"""The engines: SQLite's WAL, foreign keys and busy timeout, and no lost updates under
concurrency on either backend."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app.db import Database
from app.db import engine as engine_module
from app.db.engine import is_sqlite, normalize_database_url
from app.db.models import KeyResult, Objective
from app.domain.checkins import CheckInEntry
from app.domain.cycles import quarter_span
from app.domain.okrs import KeyResultDraft, ObjectiveDraft
from app.store import listing
from app.store.directory import TeamSettings, create_team, ensure_workspace
from app.store.okrs import create_objective, ensure_cycle, get_key_result

WRITERS = 4
_PID = listing._Statement("SELECT pg_backend_pid()")
BUMPS_PER_WRITER = 40


def _seed(db: Database) -> tuple[int, int]:
    with db.write() as session:
        workspace = ensure_workspace(session, slack_team_id="T0001")
        assert workspace.id is not None
        team = create_team(session, workspace_id=workspace.id, settings=TeamSettings(name="Growth"))
        cycle = ensure_cycle(session, workspace_id=workspace.id, span=quarter_span(2026, 4))
        objective = create_objective(
            session,
            workspace_id=workspace.id,
            team=team,
            cycle=cycle,
            draft=ObjectiveDraft(
                title="Ship faster",
                key_results=[
                    KeyResultDraft(title="Count", start=0, target=1000),
                    KeyResultDraft(title="Other", start=0, target=10),
                ],
            ),
        )
        kr = session.exec(select(KeyResult).where(KeyResult.objective_id == objective.id)).first()
        assert kr is not None and kr.id is not None
        return workspace.id, kr.id


def _bump(
    url: str, workspace_id: int, key_result_id: int, times: int, lock_rows: bool = True
) -> None:
    """Read the value, add one, write it back: the classic lost-update pattern."""
    db = Database(url)
    for _ in range(times):
        with db.write() as session:
            kr = get_key_result(
                session,
                workspace_id=workspace_id,
                key_result_id=key_result_id,
                for_update=lock_rows,
            )
            assert kr is not None
            kr.current_value = (kr.current_value or 0) + 1
            session.add(kr)
    db.dispose()


@pytest.mark.backends("sqlite")
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.write() as session:
        session.add(Objective(workspace_id=999, team_id=999, cycle_id=999, title="Orphan"))
        session.flush()


def test_a_failed_write_unit_leaves_nothing_behind(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as session:
        ensure_workspace(session, slack_team_id="T0002")
        raise RuntimeError("boom")
    with db.read() as session:
        assert session.exec(text("SELECT count(*) FROM workspace")).scalar() == 0


@pytest.mark.e2e
def test_concurrent_processes_never_lose_a_read_then_write_update(
    db: Database, database_url: str
) -> None:
    workspace_id, key_result_id = _seed(db)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(
            target=_bump, args=(database_url, workspace_id, key_result_id, BUMPS_PER_WRITER)
        )
        for _ in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    with db.read() as session:
        kr = session.get(KeyResult, key_result_id)
    assert kr is not None
    assert kr.current_value == WRITERS * BUMPS_PER_WRITER


@pytest.mark.parametrize("lock_rows", [True, False], ids=["for-update", "write-unit-alone"])
def test_concurrent_threads_never_lose_a_read_then_write_update(
    db: Database, database_url: str, lock_rows: bool
) -> None:
    # Without FOR UPDATE it is the write unit's own lock that keeps the updates apart.
    workspace_id, key_result_id = _seed(db)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            _bump(database_url, workspace_id, key_result_id, BUMPS_PER_WRITER, lock_rows)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with db.read() as session:
        kr = session.get(KeyResult, key_result_id)
    assert kr is not None and kr.current_value == WRITERS * BUMPS_PER_WRITER


def test_reads_do_not_wait_for_a_write_in_progress(db: Database) -> None:
    workspace_id, key_result_id = _seed(db)
    with db.write() as session:
        kr = get_key_result(session, workspace_id=workspace_id, key_result_id=key_result_id)
        assert kr is not None
        kr.current_value = 7
        session.add(kr)
        session.flush()
        with db.read() as reader:  # another connection: sees the last commit, at once
            seen = reader.get(KeyResult, key_result_id)
            assert seen is not None and seen.current_value == 0
    with db.read() as reader:
        seen = reader.get(KeyResult, key_result_id)
        assert seen is not None and seen.current_value == 7


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db.example:5432/okr", "postgresql+psycopg://u:p@db.example:5432/okr"),
        ("postgresql://u@db.example/okr", "postgresql+psycopg://u@db.example/okr"),
        ("postgresql+psycopg://u@db.example/okr", "postgresql+psycopg://u@db.example/okr"),
        ("sqlite:///okrbot.db", "sqlite:///okrbot.db"),
    ],
)
def test_database_urls_as_hosts_spell_them_get_our_drivers(given: str, used: str) -> None:
    assert normalize_database_url(given) == used
    assert is_sqlite(given) == used.startswith("sqlite")


@pytest.mark.backends("postgresql")
def test_postgresql_sessions_run_in_utc(db: Database) -> None:
    with db.read() as session:
        assert session.exec(text("SHOW TimeZone")).scalar() == "UTC"


def _backend_pid(db: Database) -> int:
    with db.read() as session:
        return int(session.exec(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    """Drop one server connection, as a server restart or an idle timeout would."""
    admin = Database(url)
    try:
        with admin.read() as session:
            assert session.exec(text(f"SELECT pg_terminate_backend({pid})")).scalar_one()
    finally:
        admin.dispose()


@pytest.mark.backends("postgresql")
def test_a_dropped_idle_connection_is_replaced_before_use(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "POSTGRES_PING_AFTER_IDLE_SECONDS", 0.0)
    db = Database(database_url, pool_size=1, max_overflow=0)
    try:
        first = _backend_pid(db)
        _terminate(database_url, first)
        # The pooled connection is pinged on checkout, found dead and replaced: the read works.
        second = _backend_pid(db)
        assert second != first
        _terminate(database_url, second)
        with listing.reading(db.engine) as reader:
            assert reader.rows(_PID, {}) != [(second,)]
    finally:
        db.dispose()


@pytest.mark.backends("postgresql")
def test_a_connection_in_steady_use_is_not_pinged(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(database_url, pool_size=1, max_overflow=0)
    pings: list[object] = []
    real_ping = db.engine.dialect.do_ping

    def counting_ping(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(db.engine.dialect, "do_ping", counting_ping)
    try:
        pids = {_backend_pid(db) for _ in range(5)}
        assert len(pids) == 1 and pings == []  # one connection, reused without a round trip
        # Idle past the limit, it is pinged once before its next use.
        monkeypatch.setattr(engine_module, "POSTGRES_PING_AFTER_IDLE_SECONDS", 0.0)
        db.dispose()
        db = Database(database_url, pool_size=1, max_overflow=0)
        monkeypatch.setattr(db.engine.dialect, "do_ping", counting_ping)
        _backend_pid(db)
        assert pings == []  # a new connection needs no ping
        _backend_pid(db)
        assert len(pings) == 1
    finally:
        db.dispose()


@pytest.mark.backends("postgresql")
def test_a_connection_dropped_in_steady_use_fails_once_then_is_replaced(
    database_url: str,
) -> None:
    db = Database(database_url, pool_size=1, max_overflow=0)
    try:
        for read in (_backend_pid, _reader_pid):
            pid = read(db)
            _terminate(database_url, pid)
            with pytest.raises(Exception, match=r"terminat|closed|connection"):
                read(db)
            assert read(db) != pid
    finally:
        db.dispose()


def _reader_pid(db: Database) -> int:
    with listing.reading(db.engine) as reader:
        return int(reader.rows(_PID, {})[0][0])


@pytest.mark.backends("postgresql")
def test_postgresql_reads_keep_the_statements_psycopg_prepared(database_url: str) -> None:
    """Reads run in autocommit mode: no ROLLBACK ends them, which would discard every
    statement psycopg prepared on the connection (it prepares one run 5 times)."""
    db = Database(database_url, pool_size=1, max_overflow=0)
    try:
        for _ in range(8):
            with db.read() as session:
                session.exec(text("SELECT count(*) FROM team WHERE id > :n"), params={"n": 0})
        with db.read() as session:
            prepared = session.exec(text("SELECT statement FROM pg_prepared_statements")).all()
            in_transaction = session.connection().connection.driver_connection.info
        assert any("FROM team WHERE id >" in statement for (statement,) in prepared), prepared
        assert in_transaction.transaction_status.name == "IDLE"
        # Writes still run in a transaction, committed as a whole.
        with db.write() as session:
            assert session.connection().connection.driver_connection.autocommit is False
    finally:
        db.dispose()


def _hold_write(db: Database, *, shared: bool, holding: threading.Event, release: threading.Event):
    with db.write(shared=shared) as session:
        session.exec(text("SELECT 1"))  # the transaction (and its lock) starts here
        holding.set()
        assert release.wait(timeout=30)


def _write_finishes_while_held(
    url: str, *, held_shared: bool, shared: bool, wait: float = 0.5
) -> bool:
    """Whether a write (`shared`) completes while another one (`held_shared`) is open."""
    holder, other = Database(url), Database(url)
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def write() -> None:
        with other.write(shared=shared) as session:
            session.exec(text("SELECT 1"))
        done.set()

    first = threading.Thread(
        target=_hold_write,
        args=(holder,),
        kwargs={"shared": held_shared, "holding": holding, "release": release},
    )
    first.start()
    try:
        assert holding.wait(timeout=30)
        second = threading.Thread(target=write)
        second.start()
        finished = done.wait(timeout=wait)
    finally:
        release.set()
        first.join(timeout=30)
    second.join(timeout=30)
    assert done.is_set()  # it always finishes once the first one commits
    holder.dispose()
    other.dispose()
    return finished


@pytest.mark.backends("postgresql")
def test_shared_writes_run_side_by_side_but_never_with_an_exclusive_one(
    database_url: str,
) -> None:
    assert _write_finishes_while_held(database_url, held_shared=True, shared=True, wait=10)
    assert not _write_finishes_while_held(database_url, held_shared=True, shared=False)
    assert not _write_finishes_while_held(database_url, held_shared=False, shared=True)


@pytest.mark.backends("sqlite")
def test_on_sqlite_shared_writes_still_run_one_at_a_time(database_url: str) -> None:
    assert not _write_finishes_while_held(database_url, held_shared=True, shared=True)


def test_check_ins_written_side_by_side_never_deadlock_and_the_last_one_wins(db: Database) -> None:
    from app.domain.types import Confidence
    from app.store.checkins import record_check_ins

    workspace_id, _ = _seed(db)
    with db.read() as session:
        kr_ids = sorted(kr.id for kr in session.exec(select(KeyResult)).all() if kr.id)
    failures: list[BaseException] = []

    def check_in(writer: int) -> None:
        own = Database(db.url)
        try:
            for round_number in range(15):
                # Each writer lists the key results in another order.
                order = kr_ids if (writer + round_number) % 2 else list(reversed(kr_ids))
                with own.write(shared=True) as session:
                    record_check_ins(
                        session,
                        workspace_id=workspace_id,
                        author_id=None,
                        period="2026-W48",
                        entries=[
                            CheckInEntry(kr, float(writer), Confidence.on_track) for kr in order
                        ],
                    )
        except BaseException as failure:
            failures.append(failure)
        finally:
            own.dispose()

    threads = [threading.Thread(target=check_in, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    with db.read() as session:
        rows = session.exec(
            text("SELECT key_result_id, value FROM check_in WHERE iso_week = '2026-W48'")
        ).all()
        currents = {kr.id: kr.current_value for kr in session.exec(select(KeyResult)).all()}
    # One row per key result, and every key result holds the value of one same check-in
    # (the last one committed), in its row and as its current value.
    assert sorted(kr for kr, _ in rows) == kr_ids
    (last,) = {value for _, value in rows}
    assert all(currents[kr] == last for kr in kr_ids)
