"""Alembic environment: migrates the engine handed over in `config.attributes`."""

from alembic import context
from sqlmodel import SQLModel

import app.db.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.db.engine import create_db_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    engine = config.attributes.get("engine") or create_db_engine(
        config.get_main_option("sqlalchemy.url") or ""
    )
    # The write option makes SQLite take its lock up front, so two processes starting
    # at once migrate one after the other instead of failing half-way.
    with engine.execution_options(okrbot_write=True).connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
