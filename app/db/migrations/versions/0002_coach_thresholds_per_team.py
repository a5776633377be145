"""coach thresholds per team

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:08:54.654979
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("max_objectives", sa.Integer(), server_default="3", nullable=False)
        )
        batch_op.add_column(
            sa.Column("min_key_results", sa.Integer(), server_default="2", nullable=False)
        )
        batch_op.add_column(
            sa.Column("max_key_results", sa.Integer(), server_default="4", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("max_key_results")
        batch_op.drop_column("min_key_results")
        batch_op.drop_column("max_objectives")
