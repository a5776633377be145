"""Migrations: an empty database upgrades to exactly the models, and back down."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from app.cli import main
from app.db.engine import create_db_engine
from app.db.migrate import (
    alembic_config,
    current_revision,
    ensure_schema,
    head_revision,
    upgrade,
)
from tests.databases import Databases


def test_an_empty_database_upgrades_to_exactly_the_models(databases: Databases) -> None:
    engine = create_db_engine(databases.empty())
    assert current_revision(engine) is None
    assert ensure_schema(engine) is True
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    assert ensure_schema(engine) is False  # already at head: nothing to do
    engine.dispose()


def test_migrations_downgrade_to_empty_and_up_again(databases: Databases) -> None:
    engine = create_db_engine(databases.empty())
    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "key_result" in inspect(engine).get_table_names()
    engine.dispose()


def test_db_upgrade_command_migrates_the_configured_database(
    databases: Databases, monkeypatch, capsys
) -> None:
    url = databases.empty()
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    engine = create_db_engine(url)
    assert head_revision(engine) in capsys.readouterr().out
    engine.dispose()
