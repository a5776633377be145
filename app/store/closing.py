"""Closing a team's cycle: frozen scores, the closing report, and carrying key results over.

A cycle (`2026-Q3`) is shared by the whole workspace, but each team closes its own: a row
in `cycle_close` per team and cycle, written once. Closing freezes a score on every active
objective and key result; the report is rebuilt from those frozen scores, so a closed cycle
reads the same however often it is shown, whatever happens to the numbers afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.db.models import Cycle, CycleClose, KeyResult, Member, Objective, Team
from app.domain.cycles import CycleSpan, quarter_of
from app.domain.scoring import (
    TOO_SAFE_CYCLES,
    ClosedKeyResult,
    ClosedObjective,
    ClosingReport,
    is_full,
    score_key_result,
    score_objective,
    targets_too_safe,
)
from app.domain.types import KRKind, Status
from app.store.okrs import ensure_cycle, objectives_of
from app.store.sql import insert_or_ignore


def next_cycle_span(cycle: Cycle) -> CycleSpan:
    """The quarter that starts the day after `cycle` ends (2026-Q3 → 2026-Q4)."""
    return quarter_of(cycle.end_date + dt.timedelta(days=1))


def _check_scope(workspace_id: int, team: Team, cycle: Cycle) -> None:
    # Team and cycle come from the caller's lookups; a mix-up across workspaces must fail
    # loudly rather than write scores into someone else's data.
    if team.workspace_id != workspace_id or cycle.workspace_id != workspace_id:
        raise ValueError("team and cycle must belong to the workspace")
    if team.id is None or cycle.id is None:
        raise ValueError("team and cycle must be saved")


_CLOSE_ROW = select(CycleClose).where(
    CycleClose.team_id == bindparam("team_id"), CycleClose.cycle_id == bindparam("cycle_id")
)


def _close_row(session: Session, *, team_id: int, cycle_id: int) -> CycleClose | None:
    return session.exec(_CLOSE_ROW, params={"team_id": team_id, "cycle_id": cycle_id}).first()


def is_closed(session: Session, *, team_id: int, cycle_id: int) -> bool:
    """True when the team has closed that cycle."""
    return _close_row(session, team_id=team_id, cycle_id=cycle_id) is not None


def _active_key_results(
    session: Session, *, workspace_id: int, objective_ids: list[int]
) -> dict[int, list[KeyResult]]:
    by_objective: dict[int, list[KeyResult]] = defaultdict(list)
    if not objective_ids:
        return by_objective
    for kr in session.exec(
        select(KeyResult)
        .where(
            KeyResult.workspace_id == workspace_id,
            col(KeyResult.objective_id).in_(objective_ids),
            KeyResult.status == Status.active,
        )
        .order_by(col(KeyResult.position), col(KeyResult.id))
    ).all():
        by_objective[kr.objective_id].append(kr)
    return by_objective


def _freeze_scores(session: Session, *, workspace_id: int, team_id: int, cycle_id: int) -> None:
    """Score the team's active objectives and key results in the cycle, and store the scores."""
    objectives = objectives_of(
        session, workspace_id=workspace_id, team_id=team_id, cycle_id=cycle_id
    )
    krs_by_objective = _active_key_results(
        session, workspace_id=workspace_id, objective_ids=[o.id for o in objectives if o.id]
    )
    for objective in objectives:
        scores = []
        for kr in krs_by_objective.get(objective.id or 0, []):
            kr.score = score_key_result(
                KRKind(kr.kind),
                start=kr.start_value,
                target=kr.target_value,
                current=kr.current_value,
            )
            scores.append(kr.score)
            session.add(kr)
        objective.score = score_objective(scores)
        session.add(objective)
    session.flush()


def close_cycle(
    session: Session,
    *,
    workspace_id: int,
    team: Team,
    cycle: Cycle,
    closed_by: int | None,
    now: dt.datetime,
    automatic: bool = False,
) -> ClosingReport:
    """Close the team's cycle: freeze the scores and return the closing report.

    Idempotent: when the cycle is already closed for the team (by hand, by the scheduler,
    or by a racing process) nothing is written and the existing report comes back.
    `closed_by` is the member id of whoever ran `/okr close`; None for the automatic close.
    """
    _check_scope(workspace_id, team, cycle)
    assert team.id is not None and cycle.id is not None
    # The unique (team, cycle) key decides who closes: only the insert that lands freezes
    # the scores, so two closes at once never score twice.
    inserted = insert_or_ignore(
        session,
        CycleClose,
        {
            "workspace_id": workspace_id,
            "team_id": team.id,
            "cycle_id": cycle.id,
            "closed_at": now,
            "closed_by_id": closed_by,
            "automatic": automatic,
        },
        ["team_id", "cycle_id"],
    )
    if inserted:
        _freeze_scores(session, workspace_id=workspace_id, team_id=team.id, cycle_id=cycle.id)
    report = closing_report(session, workspace_id=workspace_id, team=team, cycle=cycle)
    assert report is not None
    return report


def _slack_ids(session: Session, member_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {member_id for member_id in member_ids if member_id is not None}
    if not wanted:
        return {}
    rows = session.exec(
        select(Member.id, Member.slack_user_id).where(col(Member.id).in_(wanted))
    ).all()
    return {member_id: slack_user_id for member_id, slack_user_id in rows if member_id}


def _scored_key_results(
    session: Session, *, workspace_id: int, team_id: int, cycle_id: int
) -> list[float]:
    """The frozen key result scores of a team's cycle."""
    scores = session.exec(
        select(KeyResult.score)
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .where(
            KeyResult.workspace_id == workspace_id,
            Objective.team_id == team_id,
            Objective.cycle_id == cycle_id,
            col(KeyResult.score).is_not(None),
        )
    ).all()
    return [score for score in scores if score is not None]


def _too_safe(
    session: Session, *, workspace_id: int, team_id: int, cycle: Cycle, scores: list[float]
) -> bool:
    """`targets_too_safe` over this cycle and the team's closed cycles just before it."""
    earlier = session.exec(
        select(Cycle.id)
        .join(CycleClose, col(CycleClose.cycle_id) == col(Cycle.id))
        .where(
            CycleClose.workspace_id == workspace_id,
            CycleClose.team_id == team_id,
            Cycle.start_date < cycle.start_date,
        )
        .order_by(col(Cycle.start_date).desc())
        .limit(TOO_SAFE_CYCLES - 1)
    ).all()
    history = [
        _scored_key_results(session, workspace_id=workspace_id, team_id=team_id, cycle_id=cycle_id)
        for cycle_id in reversed(earlier)
        if cycle_id is not None
    ]
    return targets_too_safe([*history, scores])


def closing_report(
    session: Session, *, workspace_id: int, team: Team, cycle: Cycle
) -> ClosingReport | None:
    """The report of a closed cycle, rebuilt from the frozen scores; None when not closed.

    It holds what was scored at the close, in order: objectives archived since stay in (the
    record does not change), objectives added to the cycle afterwards do not.
    """
    _check_scope(workspace_id, team, cycle)
    assert team.id is not None and cycle.id is not None
    row = _close_row(session, team_id=team.id, cycle_id=cycle.id)
    if row is None:
        return None
    objectives = list(
        session.exec(
            select(Objective)
            .where(
                Objective.workspace_id == workspace_id,
                Objective.team_id == team.id,
                Objective.cycle_id == cycle.id,
                col(Objective.score).is_not(None),
            )
            .order_by(col(Objective.position), col(Objective.id))
        ).all()
    )
    krs_by_objective: dict[int, list[KeyResult]] = defaultdict(list)
    objective_ids = [o.id for o in objectives if o.id is not None]
    if objective_ids:
        for kr in session.exec(
            select(KeyResult)
            .where(
                KeyResult.workspace_id == workspace_id,
                col(KeyResult.objective_id).in_(objective_ids),
                col(KeyResult.score).is_not(None),
            )
            .order_by(col(KeyResult.position), col(KeyResult.id))
        ).all():
            krs_by_objective[kr.objective_id].append(kr)
    kr_ids = [kr.id for krs in krs_by_objective.values() for kr in krs if kr.id is not None]
    carried_to: dict[int, int] = {}
    if kr_ids:
        for copy_id, origin_id in session.exec(
            select(KeyResult.id, KeyResult.carried_from_id).where(
                KeyResult.workspace_id == workspace_id,
                col(KeyResult.carried_from_id).in_(kr_ids),
            )
        ).all():
            if copy_id is not None and origin_id is not None:
                carried_to[origin_id] = copy_id
    slack_ids = _slack_ids(
        session,
        [row.closed_by_id]
        + [o.owner_id for o in objectives]
        + [kr.owner_id for krs in krs_by_objective.values() for kr in krs],
    )

    def owner(member_id: int | None) -> str | None:
        return slack_ids.get(member_id) if member_id is not None else None

    closed = tuple(
        ClosedObjective(
            id=o.id or 0,
            title=o.title,
            owner=owner(o.owner_id),
            score=o.score or 0.0,
            key_results=tuple(
                ClosedKeyResult(
                    id=kr.id or 0,
                    title=kr.title,
                    owner=owner(kr.owner_id),
                    kind=KRKind(kr.kind),
                    start=kr.start_value,
                    target=kr.target_value,
                    current=kr.current_value,
                    unit=kr.unit,
                    score=kr.score or 0.0,
                    carried_to_id=carried_to.get(kr.id or 0),
                )
                for kr in krs_by_objective.get(o.id or 0, [])
            ),
        )
        for o in objectives
    )
    scores = [kr.score for o in closed for kr in o.key_results]
    return ClosingReport(
        team_id=team.id,
        team_name=team.name,
        cycle_id=cycle.id,
        cycle_label=cycle.label,
        next_cycle_label=next_cycle_span(cycle).label,
        closed_at=row.closed_at,
        automatic=row.automatic,
        closed_by=owner(row.closed_by_id),
        objectives=closed,
        too_safe=_too_safe(
            session, workspace_id=workspace_id, team_id=team.id, cycle=cycle, scores=scores
        ),
    )


def due_for_closing(
    session: Session, *, today_by_team: Callable[[Team], dt.date]
) -> list[tuple[Team, Cycle]]:
    """Every team's cycle that should be closed automatically, across all workspaces.

    A team's cycle is due when the team has active objectives in it, its end date is
    before the team's local today (`today_by_team`), and the team has not closed it.
    Oldest cycles come first, so a team that missed several closes gets them in order and
    each "targets too safe" check sees the cycle before it already closed.
    """
    rows = session.exec(
        select(Team, Cycle)
        .join(Objective, col(Objective.team_id) == col(Team.id))
        .join(Cycle, col(Cycle.id) == col(Objective.cycle_id))
        .outerjoin(
            CycleClose,
            (col(CycleClose.team_id) == col(Team.id)) & (col(CycleClose.cycle_id) == col(Cycle.id)),
        )
        .where(
            Objective.status == Status.active,
            col(Objective.workspace_id) == col(Team.workspace_id),
            col(CycleClose.id).is_(None),
        )
        .distinct()
        .order_by(col(Cycle.start_date), col(Team.id), col(Cycle.id))
    ).all()
    today: dict[int, dt.date] = {}
    due = []
    for team, cycle in rows:
        key = team.id or 0
        if key not in today:
            today[key] = today_by_team(team)
        if cycle.end_date < today[key]:
            due.append((team, cycle))
    return due


def key_result_scope(
    session: Session, *, workspace_id: int, key_result_id: int
) -> tuple[Team, Cycle] | None:
    """The team and cycle a key result belongs to, only within this workspace.

    For the carry-over button, whose value is just the key result's id.
    """
    row = session.exec(
        select(Team, Cycle)
        .join(Objective, col(Objective.team_id) == col(Team.id))
        .join(Cycle, col(Cycle.id) == col(Objective.cycle_id))
        .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
        .where(KeyResult.workspace_id == workspace_id, KeyResult.id == key_result_id)
    ).first()
    return (row[0], row[1]) if row else None


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def _objective_in(
    session: Session,
    *,
    workspace_id: int,
    team_id: int,
    cycle_id: int,
    origin: Objective,
    now: dt.datetime,
) -> Objective:
    """The next cycle's copy of `origin`: an active objective with the same title, or new."""
    existing = objectives_of(session, workspace_id=workspace_id, team_id=team_id, cycle_id=cycle_id)
    for objective in existing:
        if _title_key(objective.title) == _title_key(origin.title):
            return objective
    position = len(
        session.exec(
            select(Objective.id).where(
                Objective.workspace_id == workspace_id,
                Objective.team_id == team_id,
                Objective.cycle_id == cycle_id,
            )
        ).all()
    )
    copy = Objective(
        workspace_id=workspace_id,
        team_id=team_id,
        cycle_id=cycle_id,
        title=origin.title,
        description=origin.description,
        owner_id=origin.owner_id,
        # Not the parent: alignment points at an objective of the old cycle.
        position=position,
        created_at=now,
        updated_at=now,
    )
    session.add(copy)
    session.flush()
    return copy


def _carried_copy(
    origin: KeyResult, *, objective_id: int, position: int, now: dt.datetime
) -> KeyResult:
    """A new key result that picks up where `origin` ended."""
    start: float | None
    current: float | None
    if origin.kind == KRKind.milestone:
        start, current = None, 0.0
    else:
        # The new cycle measures from where the old one ended, not from the old baseline.
        start = origin.current_value if origin.current_value is not None else origin.start_value
        current = start
    return KeyResult(
        workspace_id=origin.workspace_id,
        objective_id=objective_id,
        title=origin.title,
        owner_id=origin.owner_id,
        kind=origin.kind,
        start_value=start,
        target_value=origin.target_value,
        current_value=current,
        unit=origin.unit,
        position=position,
        carried_from_id=origin.id,
        created_at=now,
        updated_at=now,
    )


def carry_over(
    session: Session,
    *,
    workspace_id: int,
    team: Team,
    from_cycle: Cycle,
    key_result_ids: list[int],
    now: dt.datetime,
) -> list[int]:
    """Carry unfinished key results of a closed cycle into the next one; their copies' ids.

    Only key results of this team's `from_cycle` that were scored at the close below 1.0
    are carried; any other id (finished, not scored, another team's, cycle's or
    workspace's, unknown) is skipped. Each goes under a copy of its objective in the next
    quarter (an active objective there with the same title is reused), starting at the
    value where it ended, with the same target, unit, kind and owner.

    Idempotent: a key result is carried at most once. The result lists, in request order,
    the id of each requested key result's copy in the next cycle, whether made now or by
    an earlier call, so a repeated click can answer "already in 2026-Q4 as KR45".
    """
    _check_scope(workspace_id, team, from_cycle)
    wanted = list(dict.fromkeys(key_result_ids))
    if not wanted:
        return []
    rows = session.exec(
        select(KeyResult, Objective)
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .where(
            KeyResult.workspace_id == workspace_id,
            Objective.workspace_id == workspace_id,
            Objective.team_id == team.id,
            Objective.cycle_id == from_cycle.id,
            col(KeyResult.id).in_(wanted),
            col(KeyResult.score).is_not(None),
        )
        # Locks the origins on PostgreSQL so two clicks carry once (SQLite's write
        # transaction already holds the lock); the unique index is the last word either way.
        .with_for_update()
    ).all()
    origins = {
        kr.id: (kr, objective)
        for kr, objective in rows
        if kr.id is not None and kr.score is not None and not is_full(kr.score)
    }
    if not origins:
        return []
    copies: dict[int, int] = {}
    for copy_id, origin_id in session.exec(
        select(KeyResult.id, KeyResult.carried_from_id).where(
            KeyResult.workspace_id == workspace_id,
            col(KeyResult.carried_from_id).in_(list(origins)),
        )
    ).all():
        if copy_id is not None and origin_id is not None:
            copies[origin_id] = copy_id
    to_carry = [kr_id for kr_id in wanted if kr_id in origins and kr_id not in copies]
    if to_carry:
        assert team.id is not None
        next_cycle = ensure_cycle(
            session, workspace_id=workspace_id, span=next_cycle_span(from_cycle)
        )
        assert next_cycle.id is not None
        for kr_id in to_carry:
            origin, origin_objective = origins[kr_id]
            objective = _objective_in(
                session,
                workspace_id=workspace_id,
                team_id=team.id,
                cycle_id=next_cycle.id,
                origin=origin_objective,
                now=now,
            )
            assert objective.id is not None
            position = len(
                session.exec(
                    select(KeyResult.id).where(KeyResult.objective_id == objective.id)
                ).all()
            )
            copy = _carried_copy(origin, objective_id=objective.id, position=position, now=now)
            session.add(copy)
            session.flush()
            assert copy.id is not None
            copies[kr_id] = copy.id
    return [copies[kr_id] for kr_id in wanted if kr_id in copies]
