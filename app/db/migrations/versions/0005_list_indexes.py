"""list indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 19:59:51.972341
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain CREATE INDEX: a batch rebuild of key_result would cascade-delete check-ins.
    op.create_index(
        "ix_key_result_workspace_objective", "key_result", ["workspace_id", "objective_id"]
    )
    op.create_index(
        "ix_objective_workspace_team_cycle", "objective", ["workspace_id", "team_id", "cycle_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_objective_workspace_team_cycle", table_name="objective")
    op.drop_index("ix_key_result_workspace_objective", table_name="key_result")
