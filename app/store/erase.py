"""Deleting everything a workspace stored with us, when it uninstalls the app."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlmodel import Session, SQLModel, select

import app.db.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.db.models import Workspace


def _workspace_tables() -> list:  # type: ignore[type-arg]
    """Every table with rows scoped to a workspace, children before parents."""
    return [
        table
        for table in reversed(SQLModel.metadata.sorted_tables)
        if "workspace_id" in table.c and table.name != Workspace.__tablename__
    ]


def erase_workspace_data(session: Session, *, slack_team_id: str, enterprise_id: str | None) -> int:
    """Delete every row the workspace owns; returns how many. Idempotent.

    The workspace row itself stays, reduced to its Slack ids: web workers cache the
    mapping from Slack ids to our id, and a reinstall then starts from an empty workspace
    under the same id rather than from a stale one.
    """
    workspace_id = session.exec(
        select(Workspace.id).where(
            Workspace.slack_team_id == slack_team_id,
            Workspace.enterprise_id == (enterprise_id or ""),
        )
    ).first()
    if workspace_id is None:
        return 0
    deleted = 0
    for table in _workspace_tables():
        result = session.execute(delete(table).where(table.c.workspace_id == workspace_id))
        deleted += result.rowcount or 0  # type: ignore[attr-defined]
    session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)  # type: ignore[arg-type]
        .values(name="")
    )
    return deleted
