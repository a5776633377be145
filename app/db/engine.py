"""Engines and sessions.

SQLite is the default store; PostgreSQL (psycopg 3) runs the same migrations and code.

Read-then-write units of work go through `Database.write()`, and on both databases only
one of them runs at a time, so two writers can never both read the old value and one of
them overwrite the other's update, nor both find a row missing and both insert it:

- SQLite runs in WAL mode (readers never block the writer), with foreign keys on and a
  busy timeout. `write()` starts its transaction with `BEGIN IMMEDIATE`: the write lock is
  taken before the first read.
- PostgreSQL's default isolation (READ COMMITTED) would let a read-then-write lose a
  concurrent update. `write()` first takes a transaction-scoped advisory lock, the same one
  in every process, held until commit or rollback; reads (`read()`) never wait for it,
  and run in autocommit mode (see `Database.__init__`). Sessions run in UTC.

The store's read-then-write functions also lock the rows they read (`SELECT ... FOR
UPDATE`, which SQLite ignores).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.db.changes import ChangeFeed, writes_directory

SQLITE_BUSY_TIMEOUT_SECONDS = 30
_WRITE_OPTION = "okrbot_write"
# The advisory lock key of `write()` on PostgreSQL ("okrbotwr" as a 64-bit integer), and
# how long a writer waits for it before failing, as SQLite's busy timeout does.
POSTGRES_WRITE_LOCK_KEY = int.from_bytes(b"okrbotwr", "big")
POSTGRES_WRITE_LOCK_TIMEOUT_SECONDS = SQLITE_BUSY_TIMEOUT_SECONDS
# A pooled PostgreSQL connection idle for longer than this is pinged before it is used.
POSTGRES_PING_AFTER_IDLE_SECONDS = 5.0


def normalize_database_url(url: str) -> str:
    """Accept the URL spellings hosts hand out (`postgres://...`) and pick our drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(url: str) -> bool:
    """True when `url` names an SQLite database."""
    return make_url(normalize_database_url(url)).get_backend_name() == "sqlite"


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, tuned for several threads and processes writing at once."""
    url = normalize_database_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, **kwargs)
    if backend == "postgresql":
        return _postgresql_engine(url, **kwargs)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


_SHARED = "shared"
# Set on a connection whose transaction changed the directory (see `app.db.changes`).
_DIRECTORY_CHANGED = "okrbot_directory_changed"


def _postgres_write_lock(function: str) -> str:
    return (
        f"SET LOCAL lock_timeout = '{POSTGRES_WRITE_LOCK_TIMEOUT_SECONDS}s'; "
        f"SELECT {function}({POSTGRES_WRITE_LOCK_KEY}); "
        "SET LOCAL lock_timeout = DEFAULT"
    )


_POSTGRES_WRITE_LOCK = _postgres_write_lock("pg_advisory_xact_lock")
_POSTGRES_SHARED_WRITE_LOCK = _postgres_write_lock("pg_advisory_xact_lock_shared")


def _postgresql_engine(url: str, **kwargs: Any) -> Engine:
    # UTC sessions, whatever the server's default: timestamps come back (and date
    # arithmetic on them happens) in UTC, as on SQLite.
    kwargs["connect_args"] = {"options": "-c timezone=UTC", **kwargs.get("connect_args", {})}
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine, POSTGRES_PING_AFTER_IDLE_SECONDS)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # The transaction starts with its first statement: in a write unit, taking the lock.
        write = connection.get_execution_options().get(_WRITE_OPTION)
        if write == _SHARED:
            connection.exec_driver_sql(_POSTGRES_SHARED_WRITE_LOCK)
        elif write:
            connection.exec_driver_sql(_POSTGRES_WRITE_LOCK)

    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection with a ping before use when it sat idle for `idle_seconds`.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: a round trip to the server for
    every request, when busy connections are the ones least likely to have gone stale (a
    restarted server, a dropped idle connection). A connection found dead is replaced
    before the request uses it, as with `pool_pre_ping`; one dropped while in steady use
    fails the statement it runs next, and is then replaced.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["okrbot_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("okrbot_idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                # The pool discards this connection and checks out another.
                raise exc.DisconnectionError("stale pooled connection") from error
            raise


class Database:
    """One database: an engine plus read and write units of work."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalize_database_url(url)
        self.engine = create_db_engine(self.url, **engine_kwargs)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._shared_write_engine = self.engine.execution_options(**{_WRITE_OPTION: _SHARED})
        # PostgreSQL reads run in autocommit mode. Under READ COMMITTED each statement sees
        # what was committed before it began, in a transaction or not, so readers see the
        # same; but no BEGIN and ROLLBACK go to the server, and psycopg keeps the statements
        # it prepared on the connection (a ROLLBACK discards every one of them).
        self._read_engine = (
            self.engine
            if is_sqlite(self.url)
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        # SQLite: this process's writers queue here, in order, rather than all polling for
        # the file lock in SQLite's busy handler, whose sleeps (up to 100 ms) leave the lock
        # idle while writers wait. Other processes still wait in the busy handler.
        self._local_writer = threading.Lock() if is_sqlite(self.url) else None
        # PostgreSQL reports committed changes to the OKRs (see `app.db.changes`); the
        # feed listens only once something asks it for a version.
        self.changes: ChangeFeed | None = None
        if not is_sqlite(self.url):
            feed = self.changes = ChangeFeed(self.new_connection)

            @event.listens_for(self.engine, "before_cursor_execute")
            def _note_directory_write(connection: Any, _c: Any, sql: str, *_: Any) -> None:
                if writes_directory(sql):
                    connection.info[_DIRECTORY_CHANGED] = True

            # An invalidated connection (its server gone) has no `info` to read: a
            # leftover mark then only costs the next commit a cache refresh.
            @event.listens_for(self.engine, "commit")
            def _changed_here(connection: Any) -> None:
                feed.changed_here(
                    directory=connection.invalidated
                    or bool(connection.info.pop(_DIRECTORY_CHANGED, False))
                )

            @event.listens_for(self.engine, "rollback")
            def _unchanged(connection: Any) -> None:
                if not connection.invalidated:
                    connection.info.pop(_DIRECTORY_CHANGED, None)

    def new_connection(self) -> Any:
        """A DBAPI connection opened as the pool opens them, but owned by the caller."""
        proxied = self.engine.raw_connection()
        driver = proxied.driver_connection
        proxied.detach()
        return driver

    @property
    def write_engine(self) -> Engine:
        """The engine for code that opens its own read-then-write transactions."""
        return self._write_engine

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; it never commits.

        Closing it ends the transaction without expiring what was loaded, so the rows
        read stay usable after the block.
        """
        with Session(self._read_engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self, *, shared: bool = False) -> Iterator[Session]:
        """A session whose whole body is one transaction, committed on success.

        The transaction holds the write lock (SQLite's, or the advisory lock on PostgreSQL)
        from its first statement, so a read-then-write inside it cannot lose a concurrent
        update. Never open a `write()` inside another one: it would wait for itself.

        `shared=True` is for units that only write rows blindly or by upsert (each row
        change atomic, the last commit winning) and read only what exclusive writers change:
        on PostgreSQL they hold the lock shared, so they run side by side with each other
        but never with an exclusive writer; SQLite still runs them one at a time. They
        must change rows in a fixed order (by id), so that two of them never deadlock.
        """
        with contextlib.ExitStack() as stack:
            if self._local_writer is not None:
                # Bounded like SQLite's own wait: a nested write() fails rather than hangs.
                if not self._local_writer.acquire(timeout=SQLITE_BUSY_TIMEOUT_SECONDS):
                    raise TimeoutError("waited too long for this process's other writers")
                stack.callback(self._local_writer.release)
            engine = self._shared_write_engine if shared else self._write_engine
            session = stack.enter_context(Session(engine, expire_on_commit=False))
            stack.enter_context(session.begin())
            yield session

    def dispose(self) -> None:
        """Close every pooled connection, and stop listening for changes."""
        if self.changes is not None:
            self.changes.close()
        self.engine.dispose()
