"""change notifications (PostgreSQL only): a NOTIFY per workspace changed in a transaction

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 09:10:00.000000

Every row change in the tables a `/okr list` reads sends the row's workspace id on the
`okrbot_changes` channel (see `app.db.changes`), marked when the table is one of the
directory's. PostgreSQL delivers a transaction's notifications at commit, and only once
per distinct payload, so a check-in that updates ten key results sends one. SQLite has
no notifications; there every request reads the database, as before.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables that say who is who and where: members, teams and their memberships, cycles
# and their closings. Their notifications start with DIRECTORY ("d:12"), so a process can
# keep what it read of them across the much more frequent changes to OKRs.
DIRECTORY_TABLES = ("member", "team", "team_membership", "cycle", "cycle_close")
OKR_TABLES = ("objective", "key_result")
TABLES = DIRECTORY_TABLES + OKR_TABLES
DIRECTORY = "d:"

_NOTIFY_ROW = """
CREATE FUNCTION okrbot_notify_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('okrbot_changes', TG_ARGV[0] || OLD.workspace_id::text);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('okrbot_changes', TG_ARGV[0] || NEW.workspace_id::text);
    END IF;
    RETURN NULL;
END
$$
"""

_NOTIFY_TRUNCATE = """
CREATE FUNCTION okrbot_notify_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('okrbot_changes', '*');
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_NOTIFY_ROW)
    op.execute(_NOTIFY_TRUNCATE)
    for table in TABLES:
        prefix = DIRECTORY if table in DIRECTORY_TABLES else ""
        op.execute(
            f"CREATE TRIGGER okrbot_notify_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION okrbot_notify_row_change('{prefix}')"
        )
        op.execute(
            f"CREATE TRIGGER okrbot_notify_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION okrbot_notify_truncate()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER okrbot_notify_truncate ON {table}")
        op.execute(f"DROP TRIGGER okrbot_notify_change ON {table}")
    op.execute("DROP FUNCTION okrbot_notify_truncate()")
    op.execute("DROP FUNCTION okrbot_notify_row_change()")
