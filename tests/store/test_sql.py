"""The portable insert-or-ignore and upsert, on each backend."""

from __future__ import annotations

from sqlmodel import select

from app.db import Database
from app.db.models import Workspace
from app.store.sql import insert_or_ignore, upsert

KEYS = ["slack_team_id", "enterprise_id"]


def _values(name: str) -> dict[str, object]:
    return {"slack_team_id": "T0001", "enterprise_id": "", "name": name}


def test_insert_or_ignore_tells_whether_it_inserted(db: Database) -> None:
    with db.write() as session:
        assert insert_or_ignore(session, Workspace, _values("first"), KEYS) is True
        assert insert_or_ignore(session, Workspace, _values("second"), KEYS) is False
    with db.write() as session:
        assert insert_or_ignore(session, Workspace, _values("third"), KEYS) is False
        assert session.exec(select(Workspace.name)).all() == ["first"]


def test_upsert_inserts_then_updates_the_named_columns(db: Database) -> None:
    for name in ("first", "second"):
        with db.write() as session:
            upsert(session, Workspace, [_values(name)], KEYS, update=["name"])
    with db.read() as session:
        assert session.exec(select(Workspace.name)).all() == ["second"]


def test_upsert_takes_many_rows_in_one_statement(db: Database) -> None:
    rows = [{**_values(f"w{n}"), "slack_team_id": f"T000{n}"} for n in range(3)]
    with db.write() as session:
        upsert(session, Workspace, rows, KEYS, update=["name"])
        upsert(session, Workspace, [{**rows[1], "name": "renamed"}], KEYS, update=["name"])
        upsert(session, Workspace, [], KEYS, update=["name"])
    with db.read() as session:
        names = session.exec(select(Workspace.name).order_by(Workspace.slack_team_id)).all()
        assert names == ["w0", "renamed", "w2"]
