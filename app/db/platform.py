"""Tables for running in many workspaces and processes, beside the OKR tables.

- Slack's own OAuth tables (`slack_installations`, `slack_bots`, `slack_oauth_states`), as
  `slack_sdk`'s SQLAlchemy stores define them: the stores read and write them, our
  migrations create them, and a test checks the two agree.
- `processed_event`: Events API deliveries already handled, so a retry is processed once.
- `token_lease`: which process is rotating a workspace's tokens right now.
"""

from __future__ import annotations

import datetime as dt

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import delete
from sqlmodel import Field, SQLModel

from app.db.engine import Database

# Slack retries an event delivery for about an hour; processed ids are kept well past that.
PROCESSED_EVENT_TTL = dt.timedelta(days=2)

INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.default_installations_table_name
BOTS_TABLE = SQLAlchemyInstallationStore.default_bots_table_name
OAUTH_STATES_TABLE = SQLAlchemyOAuthStateStore.default_table_name

# Registered on SQLModel.metadata so the migrations are compared against them.
installations_table = SQLAlchemyInstallationStore.build_installations_table(
    SQLModel.metadata, INSTALLATIONS_TABLE
)
bots_table = SQLAlchemyInstallationStore.build_bots_table(SQLModel.metadata, BOTS_TABLE)
oauth_states_table = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    SQLModel.metadata, OAUTH_STATES_TABLE
)


class ProcessedEvent(SQLModel, table=True):
    """An Events API delivery (by Slack's `event_id`) that has been handled."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: dt.datetime = Field(index=True)


class TokenLease(SQLModel, table=True):
    """A short lease on one installation's token rotation: one process refreshes at a time."""

    __tablename__ = "token_lease"

    key: str = Field(primary_key=True, max_length=200)
    holder: str = Field(max_length=64)
    expires_at: dt.datetime


def forget_processed_events(db: Database, now: dt.datetime) -> int:
    """Drop event ids older than Slack's retry window; returns how many."""
    with db.write() as session:
        result = session.execute(
            delete(ProcessedEvent).where(
                ProcessedEvent.received_at < now - PROCESSED_EVENT_TTL  # type: ignore[arg-type]
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)
