"""Portable statements the ORM does not spell: insert-or-ignore and upsert.

Both SQLite and PostgreSQL support `INSERT ... ON CONFLICT`; these pick the dialect's
construct so the same store code runs on either.
"""

from __future__ import annotations

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


def upsert(
    session: Session,
    model: type[SQLModel],
    values: dict[str, Any],
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert a row, or update the `update` columns of the row with the same `keys`."""
    statement = _insert(session, model).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: statement.excluded[name] for name in update}
    )
    session.execute(statement)
