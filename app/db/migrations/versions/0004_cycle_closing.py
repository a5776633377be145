"""closing a cycle: per-team closes, frozen scores and carried-over key results

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:38:21.929009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cycle_close",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("automatic", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["closed_by_id"], ["member.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "cycle_id"),
    )
    with op.batch_alter_table("cycle_close", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cycle_close_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cycle_close_workspace_id"), ["workspace_id"], unique=False
        )

    # Plain ADD COLUMNs, never a batch copy of key_result: on SQLite a copy drops and
    # recreates the table, and with foreign keys on that drop cascades into check_in.
    # (That is also why carried_from_id has no foreign key; see the model.)
    op.add_column("key_result", sa.Column("score", sa.Float(), nullable=True))
    op.add_column("key_result", sa.Column("carried_from_id", sa.Integer(), nullable=True))
    op.create_index("ux_key_result_carried_from_id", "key_result", ["carried_from_id"], unique=True)
    op.add_column("objective", sa.Column("score", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("objective", "score")
    op.drop_index("ux_key_result_carried_from_id", table_name="key_result")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), again without copying key_result.
    op.drop_column("key_result", "carried_from_id")
    op.drop_column("key_result", "score")

    with op.batch_alter_table("cycle_close", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycle_close_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_cycle_close_cycle_id"))

    op.drop_table("cycle_close")
