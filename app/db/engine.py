"""Engines and sessions.

SQLite is the default store. It runs in WAL mode (readers never block the writer), with
foreign keys on and a busy timeout. Read-then-write units of work go through
`Database.write()`, which starts its transaction with `BEGIN IMMEDIATE`: the write lock is
taken before the first read, so two writers cannot both read the old value and one of them
overwrite the other's update. On other databases the store's read-then-write functions lock
the rows they read (`SELECT ... FOR UPDATE`, which SQLite ignores).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_SECONDS = 30
_WRITE_OPTION = "okrbot_write"


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
    """An engine for `url`, with SQLite tuned for several threads and processes."""
    url = normalize_database_url(url)
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **kwargs)
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


class Database:
    """One database: an engine plus read and write units of work."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalize_database_url(url)
        self.engine = create_db_engine(self.url, **engine_kwargs)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})

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
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose whole body is one transaction, committed on success.

        On SQLite the transaction holds the write lock from its first statement, so a
        read-then-write inside it cannot lose a concurrent update.
        """
        with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
