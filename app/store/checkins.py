"""Weekly check-ins: recording answers, and the questions the scheduler asks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy import bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.db.models import (
    CheckIn,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    KeyResult,
    Member,
    Objective,
    Team,
    utcnow,
)
from app.domain.checkins import CheckInEntry
from app.domain.types import Status
from app.store.sql import upsert

_UPDATED_ON_RESUBMIT = ("value", "confidence", "note", "skipped", "author_id", "updated_at")


# The key results are picked through their objectives' ids, so the database starts from
# the team's few objectives (without it SQLite's planner scanned every key result of the
# workspace: 4 ms rather than 0.05 ms with 20,000 of them). Built once, as the check-in
# statements below are: building one costs several times running it.
_ACTIVE_KEY_RESULTS = (
    select(KeyResult)
    .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
    .where(
        KeyResult.workspace_id == bindparam("workspace_id"),
        col(KeyResult.objective_id).in_(
            select(Objective.id).where(
                Objective.workspace_id == bindparam("workspace_id"),
                Objective.team_id == bindparam("team_id"),
                Objective.cycle_id == bindparam("cycle_id"),
                Objective.status == Status.active,
            )
        ),
        KeyResult.status == Status.active,
    )
    .order_by(
        col(Objective.position), col(Objective.id), col(KeyResult.position), col(KeyResult.id)
    )
)
_ACTIVE_KEY_RESULTS_OF_OWNER = _ACTIVE_KEY_RESULTS.where(
    KeyResult.owner_id == bindparam("owner_id")
)


def active_key_results(
    session: Session, *, workspace_id: int, team_id: int, cycle_id: int, owner_id: int | None = None
) -> list[KeyResult]:
    """The active key results of a team's active objectives in a cycle (of one owner)."""
    params = {"workspace_id": workspace_id, "team_id": team_id, "cycle_id": cycle_id}
    if owner_id is None:
        return list(session.exec(_ACTIVE_KEY_RESULTS, params=params).all())
    params["owner_id"] = owner_id
    return list(session.exec(_ACTIVE_KEY_RESULTS_OF_OWNER, params=params).all())


def owners_of(session: Session, *, workspace_id: int, team_id: int, cycle_id: int) -> list[Member]:
    """Everyone who owns an active key result of the team in the cycle, by Slack id."""
    owner_ids = {
        kr.owner_id
        for kr in active_key_results(
            session, workspace_id=workspace_id, team_id=team_id, cycle_id=cycle_id
        )
        if kr.owner_id is not None
    }
    if not owner_ids:
        return []
    return list(
        session.exec(
            select(Member).where(col(Member.id).in_(owner_ids)).order_by(col(Member.slack_user_id))
        ).all()
    )


_KEY_RESULTS = KeyResult.__table__  # type: ignore[attr-defined]
_CHECK_INS = CheckIn.__table__  # type: ignore[attr-defined]
# The newest week wins the current value: a late answer to an older prompt is recorded for
# its week and leaves the current value to the newer report.
_NEWER_REPORT = sa.exists().where(
    _CHECK_INS.c.key_result_id == _KEY_RESULTS.c.id,
    _CHECK_INS.c.iso_week > bindparam("period"),
    _CHECK_INS.c.skipped == sa.false(),
    _CHECK_INS.c.value.is_not(None),
)
_SET_CURRENT_VALUE = (
    _KEY_RESULTS.update()
    .where(
        _KEY_RESULTS.c.id == bindparam("kr_id"),
        _KEY_RESULTS.c.workspace_id == bindparam("ws"),
        ~_NEWER_REPORT,
    )
    .values(current_value=bindparam("reported"), updated_at=bindparam("now"))
)


def record_check_ins(
    session: Session,
    *,
    workspace_id: int,
    author_id: int | None,
    period: str,
    entries: list[CheckInEntry],
) -> None:
    """Record answers for a week: one row per key result and week, the latest winning.

    A resubmitted form (a double click, a resent request) updates the same rows, so the
    week holds one answer per key result whatever arrives twice. Reported values also
    become the key results' current values, unless a newer week already reported one.
    Rows change in key result order, so that two check-ins writing at once
    (`Database.write(shared=True)`) never deadlock.
    """
    now = utcnow()
    entries = sorted(entries, key=lambda entry: entry.key_result_id)
    if not entries:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            _RECORD_ON_POSTGRESQL,
            {
                "workspace_id": workspace_id,
                "period": period,
                "author_id": author_id,
                "now": now,
                "kr_ids": [entry.key_result_id for entry in entries],
                # One array type: psycopg refuses a list mixing ints and floats.
                "values_": [None if e.value is None else float(e.value) for e in entries],
                "confidences": [e.confidence.value if e.confidence else None for e in entries],
                "notes": [entry.note for entry in entries],
                "skipped": [entry.skipped for entry in entries],
            },
        )
        return
    upsert(
        session,
        CheckIn,
        [
            {
                "workspace_id": workspace_id,
                "key_result_id": entry.key_result_id,
                "iso_week": period,
                "value": entry.value,
                "confidence": entry.confidence.value if entry.confidence else None,
                "note": entry.note,
                "skipped": entry.skipped,
                "author_id": author_id,
                "created_at": now,
                "updated_at": now,
            }
            for entry in entries
        ],
        keys=("key_result_id", "iso_week"),
        update=_UPDATED_ON_RESUBMIT,
    )
    reported = [
        {
            "kr_id": entry.key_result_id,
            "ws": workspace_id,
            "reported": entry.value,
            "now": now,
            "period": period,
        }
        for entry in entries
        if not entry.skipped and entry.value is not None
    ]
    if reported:
        # One statement for all of them: this runs while the write lock is held.
        session.execute(_SET_CURRENT_VALUE, reported)
    session.flush()


# What `record_check_ins` does on SQLite in two statements (a row each), in one, with the
# entries as arrays: a check-in is ~10 rows, and on a server each row's statement costs a
# round of the protocol. The order is fixed whatever the plan: `locked` (materialized, so
# evaluated whole, and sorted before FOR UPDATE takes each row) locks the key results in
# id order before anything else changes; the unreferenced INSERT runs after the main
# UPDATE, its rows in key result order. Two check-ins at once thus never deadlock.
_RECORD_ON_POSTGRESQL = sa.text(
    f"""
    WITH entry AS (
        SELECT * FROM unnest(
            CAST(:kr_ids AS INTEGER[]), CAST(:values_ AS DOUBLE PRECISION[]),
            CAST(:confidences AS VARCHAR[]), CAST(:notes AS VARCHAR[]),
            CAST(:skipped AS BOOLEAN[])
        ) AS e(key_result_id, value, confidence, note, skipped)
    ),
    locked AS MATERIALIZED (
        SELECT id FROM key_result
        WHERE workspace_id = :workspace_id AND id IN (SELECT key_result_id FROM entry)
        ORDER BY id
        FOR NO KEY UPDATE
    ),
    written AS (
        INSERT INTO check_in (workspace_id, key_result_id, iso_week, value, confidence, note,
            skipped, author_id, created_at, updated_at)
        SELECT :workspace_id, key_result_id, :period, value, confidence, note, skipped,
            :author_id, :now, :now
        FROM entry ORDER BY key_result_id
        ON CONFLICT (key_result_id, iso_week) DO UPDATE SET
            {", ".join(f"{name} = EXCLUDED.{name}" for name in _UPDATED_ON_RESUBMIT)}
    )
    UPDATE key_result SET current_value = entry.value, updated_at = :now
    FROM entry JOIN locked ON locked.id = entry.key_result_id
    WHERE key_result.id = entry.key_result_id
        AND NOT entry.skipped AND entry.value IS NOT NULL
        AND NOT EXISTS (
            SELECT 1 FROM check_in newer
            WHERE newer.key_result_id = entry.key_result_id AND newer.iso_week > :period
                AND NOT newer.skipped AND newer.value IS NOT NULL
        )
    """
)


# Only each key result's newest week is read, through the (key result, week) index, not
# its whole history: that grows by a row a week, and this runs on every check-in.
_EARLIER = aliased(CheckIn)
_LATEST_CHECK_INS = select(CheckIn).where(
    col(CheckIn.key_result_id).in_(bindparam("ids", expanding=True)),
    CheckIn.skipped == False,  # noqa: E712
    CheckIn.iso_week
    == (
        select(func.max(_EARLIER.iso_week))
        .where(_EARLIER.key_result_id == CheckIn.key_result_id, _EARLIER.skipped == False)  # noqa: E712
        .scalar_subquery()
    ),
)
_CHECK_INS_OF_WEEK = select(CheckIn).where(
    col(CheckIn.key_result_id).in_(bindparam("ids", expanding=True)),
    CheckIn.iso_week == bindparam("period"),
)


def latest_check_ins(session: Session, *, key_result_ids: list[int]) -> dict[int, CheckIn]:
    """Each key result's most recent reported (not skipped) check-in."""
    if not key_result_ids:
        return {}
    rows = session.exec(_LATEST_CHECK_INS, params={"ids": key_result_ids}).all()
    return {row.key_result_id: row for row in rows}


def check_ins_of_week(
    session: Session, *, key_result_ids: list[int], period: str
) -> dict[int, CheckIn]:
    """The week's check-ins of these key results, by key result."""
    if not key_result_ids:
        return {}
    rows = session.exec(_CHECK_INS_OF_WEEK, params={"ids": key_result_ids, "period": period})
    return {row.key_result_id: row for row in rows.all()}


def weekly_reports(
    session: Session, *, key_result_ids: list[int]
) -> dict[int, list[tuple[str, float | None, str | None, bool]]]:
    """(week, value, confidence, skipped) of every check-in, oldest week first.

    Plain columns: the digest reads hundreds of rows per team, and ORM objects for each
    cost several times the query.
    """
    found: dict[int, list[tuple[str, float | None, str | None, bool]]] = defaultdict(list)
    if key_result_ids:
        rows = session.execute(
            sa.select(
                col(CheckIn.key_result_id),
                col(CheckIn.iso_week),
                col(CheckIn.value),
                col(CheckIn.confidence),
                col(CheckIn.skipped),
            )
            .where(col(CheckIn.key_result_id).in_(key_result_ids))
            .order_by(col(CheckIn.iso_week))
        )
        for kr_id, week, value, confidence, skipped in rows:
            found[kr_id].append((week, value, confidence, skipped))
    return found


def has_answered(
    session: Session, *, workspace_id: int, team_id: int, cycle_id: int, member_id: int, period: str
) -> bool:
    """True once the member reported or skipped any of their key results for the week."""
    ids = [
        kr.id
        for kr in active_key_results(
            session,
            workspace_id=workspace_id,
            team_id=team_id,
            cycle_id=cycle_id,
            owner_id=member_id,
        )
        if kr.id is not None
    ]
    return bool(check_ins_of_week(session, key_result_ids=ids, period=period))


def snooze(session: Session, *, member: Member, until: dt.datetime | None) -> None:
    """Pause (or, with None, resume) a member's prompts and reminders."""
    member.snoozed_until = until
    session.add(member)
    session.flush()


def teams_with_rhythm(session: Session) -> list[Team]:
    """Every team of every workspace (the scheduler looks at each one's own rhythm)."""
    return list(session.exec(select(Team).order_by(col(Team.id))).all())


# Built once: this runs after every check-in.
_SENT_PROMPTS = select(Delivery.channel, Delivery.message_ts).where(
    Delivery.team_id == bindparam("team_id"),
    Delivery.period == bindparam("period"),
    Delivery.member_id == bindparam("member_id"),
    Delivery.status == DeliveryStatus.sent,
    Delivery.kind.in_([DeliveryKind.prompt, DeliveryKind.reminder]),  # type: ignore[attr-defined]
)


def sent_prompts(
    session: Session, *, team_id: int, period: str, member_id: int
) -> list[tuple[str | None, str | None]]:
    """(channel, ts) of the week's prompt and reminder sent to the member."""
    rows = session.exec(
        _SENT_PROMPTS, params={"team_id": team_id, "period": period, "member_id": member_id}
    ).all()
    return [(channel, ts) for channel, ts in rows]
