"""Portable statements the ORM does not spell: insert-or-ignore and upsert.

Both SQLite and PostgreSQL support `INSERT ... ON CONFLICT`; these pick the dialect's
construct so the same store code runs on either.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel


def _insert(session: Session, model: type[SQLModel]) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


def insert_or_ignore(
    session: Session, model: type[SQLModel], values: dict[str, Any], keys: Sequence[str]
) -> bool:
    """Insert a row unless one with the same `keys` exists; True when it inserted.

    Two processes racing to create the same row both succeed; one of them inserts.
    """
    # Told by the row RETURNING hands back, not by `rowcount`: on PostgreSQL the ORM adds
    # its own RETURNING to the insert, and the result then reports a rowcount of -1.
    statement = (
        _insert(session, model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(keys))
        .returning(*inspect(model).primary_key)
    )
    return session.execute(statement).first() is not None


@functools.lru_cache(maxsize=64)
def _upsert_statement(
    dialect: str, model: type[SQLModel], keys: tuple[str, ...], update: tuple[str, ...]
) -> Any:
    # Built once and executed with each call's rows as parameters, so SQLAlchemy compiles
    # it once rather than for every row.
    table = model.__table__  # type: ignore[attr-defined]
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: statement.excluded[name] for name in update}
    )


def upsert(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert rows, or update the `update` columns of the rows with the same `keys`.

    Every row must have the same columns.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = _upsert_statement(dialect, model, tuple(keys), tuple(update))
    session.execute(statement, list(rows))
