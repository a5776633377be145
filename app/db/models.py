"""The tables. Every row carries `workspace_id`, so every query can be scoped to the
Slack workspace a request came from; nothing is ever looked up by id alone."""

from __future__ import annotations

import datetime as dt
from enum import Enum, StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.domain.types import Confidence, KRKind, Status


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC (the form timestamps are stored in)."""
    return dt.datetime.now(dt.UTC)


def _enum(enum_cls: type[Enum]) -> sa.Enum:
    # Store the readable values ("on_track"), as VARCHAR, on every database.
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _workspace_fk() -> Any:
    return Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")


class Workspace(SQLModel, table=True):
    """A Slack workspace (and its Enterprise Grid org, where there is one)."""

    __table_args__ = (sa.UniqueConstraint("slack_team_id", "enterprise_id"),)

    id: int | None = Field(default=None, primary_key=True)
    slack_team_id: str = Field(max_length=32)
    # "" rather than NULL: a NULL would let the unique constraint admit duplicates.
    enterprise_id: str = Field(default="", max_length=32)
    name: str = Field(default="", max_length=255)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Member(SQLModel, table=True):
    """A Slack user the bot knows of."""

    __table_args__ = (sa.UniqueConstraint("workspace_id", "slack_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    slack_user_id: str = Field(max_length=32)
    display_name: str = Field(default="", max_length=255)
    timezone: str | None = Field(default=None, max_length=64)
    # `/okr snooze`: no prompts or reminders before this instant.
    snoozed_until: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class Team(SQLModel, table=True):
    """A team with its own OKRs, digest channel and weekly rhythm."""

    __table_args__ = (sa.UniqueConstraint("workspace_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    name: str = Field(max_length=80)
    # Lower-cased name: team names are unique per workspace regardless of case.
    name_key: str = Field(max_length=80)
    digest_channel: str | None = Field(default=None, max_length=32)
    timezone: str = Field(default="UTC", max_length=64)
    checkin_weekday: int = Field(default=4, ge=0, le=6)  # Monday is 0; Friday by default
    checkin_time: dt.time = Field(default=dt.time(10, 0))
    digest_weekday: int = Field(default=4, ge=0, le=6)
    digest_time: dt.time = Field(default=dt.time(16, 0))
    # The one reminder to people who have not answered: the Monday after, by default.
    reminder_weekday: int = Field(default=0, ge=0, le=6, sa_column_kwargs={"server_default": "0"})
    reminder_time: dt.time = Field(
        default=dt.time(10, 0), sa_column_kwargs={"server_default": "10:00:00"}
    )
    # The quality coach's thresholds (see app.domain.coach.Thresholds).
    max_objectives: int = Field(default=3, sa_column_kwargs={"server_default": "3"})
    min_key_results: int = Field(default=2, sa_column_kwargs={"server_default": "2"})
    max_key_results: int = Field(default=4, sa_column_kwargs={"server_default": "4"})
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class TeamMembership(SQLModel, table=True):
    """Who belongs to a team, and who administers it."""

    __tablename__ = "team_membership"
    __table_args__ = (sa.UniqueConstraint("team_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    is_admin: bool = False
    joined_at: dt.datetime = Field(default_factory=utcnow)


class Cycle(SQLModel, table=True):
    """An OKR period, a calendar quarter by default (`2026-Q4`)."""

    __table_args__ = (sa.UniqueConstraint("workspace_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    label: str = Field(max_length=32)
    start_date: dt.date
    end_date: dt.date
    closed_at: dt.datetime | None = None


class Objective(SQLModel, table=True):
    """A qualitative direction for a team in a cycle."""

    __table_args__ = (
        sa.Index("ix_objective_team_cycle", "team_id", "cycle_id", "status"),
        # Workspace-scoped lookups of a team's cycle: without it SQLite may prefer the
        # single-column workspace index and read every objective of the workspace.
        sa.Index("ix_objective_workspace_team_cycle", "workspace_id", "team_id", "cycle_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    cycle_id: int = Field(foreign_key="cycle.id", ondelete="CASCADE")
    title: str = Field(max_length=150)
    description: str = Field(default="", max_length=3000)
    owner_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    parent_id: int | None = Field(default=None, foreign_key="objective.id", ondelete="SET NULL")
    status: Status = Field(default=Status.active, sa_type=_enum(Status))
    position: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    archived_at: dt.datetime | None = None
    # The score frozen when the team closed the cycle (see app.domain.scoring); None before.
    score: float | None = None


class KeyResult(SQLModel, table=True):
    """A measurable outcome under an objective."""

    __tablename__ = "key_result"
    # A named unique index rather than an unnamed constraint: SQLite's batch migrations and
    # PostgreSQL can both add and drop it by name. NULLs never collide.
    __table_args__ = (
        sa.Index("ux_key_result_carried_from_id", "carried_from_id", unique=True),
        # Lists load a team's key results by (workspace, objective): without this composite
        # index SQLite may scan the whole workspace's key results instead.
        sa.Index("ix_key_result_workspace_objective", "workspace_id", "objective_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    objective_id: int = Field(foreign_key="objective.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    owner_id: int | None = Field(
        default=None, foreign_key="member.id", index=True, ondelete="SET NULL"
    )
    kind: KRKind = Field(default=KRKind.increase, sa_type=_enum(KRKind))
    start_value: float | None = None
    target_value: float | None = None
    current_value: float | None = None
    unit: str = Field(default="", max_length=32)
    status: Status = Field(default=Status.active, sa_type=_enum(Status))
    position: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    archived_at: dt.datetime | None = None
    # The score frozen when the team closed the cycle (see app.domain.scoring); None before.
    score: float | None = None
    # The id of the unfinished key result this one was carried over from. Unique (see the
    # index), so a key result is carried into the next cycle at most once, even when two
    # clicks race. Deliberately no foreign key: SQLite can only add one by copying
    # key_result, and dropping the old copy would cascade into check_in. The origin is older,
    # so a lower id than its copy: SQLite never hands a deleted origin's id out again while
    # the copy exists, and PostgreSQL never reuses ids at all.
    carried_from_id: int | None = None


class CheckIn(SQLModel, table=True):
    """One owner's weekly report on one key result; one row per key result and ISO week."""

    __tablename__ = "check_in"
    __table_args__ = (sa.UniqueConstraint("key_result_id", "iso_week"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    key_result_id: int = Field(foreign_key="key_result.id", ondelete="CASCADE")
    iso_week: str = Field(max_length=8)  # "2026-W47"
    value: float | None = None
    confidence: Confidence | None = Field(default=None, sa_type=_enum(Confidence))
    note: str = Field(default="", max_length=3000)
    # "Skip, I'm away": an answer, but not a report on the number.
    skipped: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    author_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class DeliveryKind(StrEnum):
    """What a delivery carries."""

    prompt = "prompt"
    reminder = "reminder"
    digest = "digest"
    closing = "closing"  # the closing digest of a cycle; its period is the cycle's label


class DeliveryStatus(StrEnum):
    """Where a delivery stands. Only one process can move `pending` to `sending`."""

    pending = "pending"
    sending = "sending"
    sent = "sent"
    missed = "missed"
    cancelled = "cancelled"
    failed = "failed"


class Delivery(SQLModel, table=True):
    """One scheduled message to one recipient for one team and week.

    The unique key is what makes "at most one prompt and one reminder per person per team
    per week" a guarantee rather than a hope.
    """

    __table_args__ = (
        sa.UniqueConstraint("team_id", "period", "kind", "recipient"),
        sa.Index("ix_delivery_status", "status", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    member_id: int | None = Field(default=None, foreign_key="member.id", ondelete="CASCADE")
    recipient: str = Field(max_length=32)  # a Slack user id, or a channel id for digests
    period: str = Field(max_length=8)  # ISO week of the prompt, "2026-W47"
    kind: DeliveryKind = Field(sa_type=_enum(DeliveryKind))
    status: DeliveryStatus = Field(default=DeliveryStatus.pending, sa_type=_enum(DeliveryStatus))
    slot_at: dt.datetime
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: dt.datetime | None = None
    channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    sent_at: dt.datetime | None = None
    error: str = Field(default="", max_length=255)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class CycleClose(SQLModel, table=True):
    """A team's cycle, closed: its scores are frozen on its objectives and key results.

    Per team, because a cycle (`2026-Q3`) is shared by the whole workspace while each team
    closes its own, by hand (`/okr close`) or automatically after the end date.
    """

    __tablename__ = "cycle_close"
    __table_args__ = (sa.UniqueConstraint("team_id", "cycle_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    cycle_id: int = Field(foreign_key="cycle.id", index=True, ondelete="CASCADE")
    closed_at: dt.datetime = Field(default_factory=utcnow)
    closed_by_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    # True when the scheduler closed it after the end date, rather than a team admin.
    automatic: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


from app.db import platform as _platform  # noqa: E402,F401  (Slack OAuth, event and lease tables)
