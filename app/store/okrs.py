"""Cycles, objectives and key results."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.db.models import Cycle, KeyResult, Member, Objective, Team, utcnow
from app.domain.cycles import CycleSpan
from app.domain.okrs import (
    KeyResultDraft,
    KeyResultSnapshot,
    ObjectiveDraft,
    ObjectiveSnapshot,
    TeamOKRs,
)
from app.domain.types import KRKind, Status
from app.store.directory import ensure_member

_FIND_CYCLE = select(Cycle).where(
    Cycle.workspace_id == bindparam("workspace_id"), Cycle.label == bindparam("label")
)


def find_cycle(session: Session, *, workspace_id: int, label: str) -> Cycle | None:
    """The workspace's cycle with that label, if it exists."""
    return session.exec(_FIND_CYCLE, params={"workspace_id": workspace_id, "label": label}).first()


def get_cycle(session: Session, *, workspace_id: int, cycle_id: int) -> Cycle | None:
    """A cycle by id, only if it belongs to this workspace."""
    cycle = session.get(Cycle, cycle_id)
    return cycle if cycle is not None and cycle.workspace_id == workspace_id else None


def ensure_cycle(session: Session, *, workspace_id: int, span: CycleSpan) -> Cycle:
    """The workspace's cycle for `span`, created on first use."""
    cycle = find_cycle(session, workspace_id=workspace_id, label=span.label)
    if cycle is None:
        cycle = Cycle(
            workspace_id=workspace_id, label=span.label, start_date=span.start, end_date=span.end
        )
        session.add(cycle)
        session.flush()
    return cycle


def _member_id(session: Session, workspace_id: int, slack_user_id: str | None) -> int | None:
    if not slack_user_id:
        return None
    return ensure_member(session, workspace_id=workspace_id, slack_user_id=slack_user_id).id


def _apply_key_result(session: Session, kr: KeyResult, draft: KeyResultDraft) -> None:
    kr.title = draft.title.strip()
    kr.owner_id = _member_id(session, kr.workspace_id, draft.owner)
    kr.kind = draft.kind
    kr.start_value = draft.start
    kr.target_value = 1.0 if draft.kind == KRKind.milestone else draft.target
    kr.unit = draft.unit.strip()
    if draft.current is not None:
        kr.current_value = draft.current
    elif kr.current_value is None:
        # A new key result stands at its start until someone reports.
        kr.current_value = 0.0 if draft.kind == KRKind.milestone else draft.start
    kr.updated_at = utcnow()


def create_objective(
    session: Session, *, workspace_id: int, team: Team, cycle: Cycle, draft: ObjectiveDraft
) -> Objective:
    """Save a validated draft as an objective with its key results."""
    position = len(
        session.exec(
            select(Objective.id).where(Objective.team_id == team.id, Objective.cycle_id == cycle.id)
        ).all()
    )
    assert team.id is not None and cycle.id is not None
    objective = Objective(
        workspace_id=workspace_id,
        team_id=team.id,
        cycle_id=cycle.id,
        title=draft.title.strip(),
        description=draft.description.strip(),
        owner_id=_member_id(session, workspace_id, draft.owner),
        position=position,
    )
    session.add(objective)
    session.flush()
    assert objective.id is not None
    for index, kr_draft in enumerate(draft.key_results):
        kr = KeyResult(
            workspace_id=workspace_id, objective_id=objective.id, title="", position=index
        )
        _apply_key_result(session, kr, kr_draft)
        session.add(kr)
    session.flush()
    return objective


def add_key_result(session: Session, *, objective: Objective, draft: KeyResultDraft) -> KeyResult:
    """Append a key result to an objective."""
    assert objective.id is not None
    position = len(
        session.exec(select(KeyResult.id).where(KeyResult.objective_id == objective.id)).all()
    )
    kr = KeyResult(
        workspace_id=objective.workspace_id, objective_id=objective.id, title="", position=position
    )
    _apply_key_result(session, kr, draft)
    session.add(kr)
    session.flush()
    return kr


def update_key_result(session: Session, *, kr: KeyResult, draft: KeyResultDraft) -> KeyResult:
    """Replace a key result's fields with the draft's."""
    _apply_key_result(session, kr, draft)
    session.add(kr)
    session.flush()
    return kr


def update_objective(
    session: Session,
    *,
    objective: Objective,
    title: str,
    description: str,
    owner: str | None,
    parent_id: int | None = None,
) -> Objective:
    """Change an objective's text, owner and alignment."""
    objective.title = title.strip()
    objective.description = description.strip()
    objective.owner_id = _member_id(session, objective.workspace_id, owner)
    objective.parent_id = parent_id
    objective.updated_at = utcnow()
    session.add(objective)
    session.flush()
    return objective


def set_status(session: Session, *, item: Objective | KeyResult, status: Status) -> None:
    """Archive or restore an objective or a key result."""
    item.status = status
    item.archived_at = utcnow() if status == Status.archived else None
    item.updated_at = utcnow()
    session.add(item)
    session.flush()


def get_objective(
    session: Session, *, workspace_id: int, objective_id: int, for_update: bool = False
) -> Objective | None:
    """An objective by id, only if it belongs to this workspace."""
    statement = select(Objective).where(
        Objective.workspace_id == workspace_id, Objective.id == objective_id
    )
    return session.exec(statement.with_for_update() if for_update else statement).first()


def get_key_result(
    session: Session, *, workspace_id: int, key_result_id: int, for_update: bool = False
) -> KeyResult | None:
    """A key result by id, only if it belongs to this workspace."""
    statement = select(KeyResult).where(
        KeyResult.workspace_id == workspace_id, KeyResult.id == key_result_id
    )
    return session.exec(statement.with_for_update() if for_update else statement).first()


def objectives_of(
    session: Session, *, workspace_id: int, team_id: int, cycle_id: int
) -> list[Objective]:
    """A team's active objectives in a cycle, in order."""
    return list(
        session.exec(
            select(Objective)
            .where(
                Objective.workspace_id == workspace_id,
                Objective.team_id == team_id,
                Objective.cycle_id == cycle_id,
                Objective.status == Status.active,
            )
            .order_by(col(Objective.position), col(Objective.id))
        ).all()
    )


def other_objectives(
    session: Session, *, workspace_id: int, cycle_id: int, excluding: int
) -> list[tuple[int, str]]:
    """(id, title) of the cycle's other active objectives, oldest first: the objectives
    one may support."""
    rows = session.exec(
        select(Objective.id, Objective.title)
        .where(
            Objective.workspace_id == workspace_id,
            Objective.cycle_id == cycle_id,
            Objective.status == Status.active,
            Objective.id != excluding,
        )
        .order_by(col(Objective.id))
    ).all()
    return [(objective_id, title) for objective_id, title in rows if objective_id is not None]


# Built once: creating aliases copies every column, which showed up in profiles.
_OWNER = aliased(Member)
_PARENT = aliased(Objective)
_KR_OWNER = aliased(Member)


def team_okrs(session: Session, *, workspace_id: int, team: Team, cycle: Cycle) -> TeamOKRs:
    """A team's active objectives and key results in a cycle, ready to show.

    Two queries whatever the size of the team, selecting plain columns (owners' Slack ids
    and parent titles joined in): building ORM objects for every row cost more than the
    queries themselves.
    """
    assert team.id is not None and cycle.id is not None
    owner, parent, kr_owner = _OWNER, _PARENT, _KR_OWNER
    objective_rows = session.execute(
        sa.select(
            col(Objective.id),
            col(Objective.title),
            col(Objective.description),
            col(owner.slack_user_id),
            col(parent.title),
        )
        .outerjoin(owner, col(owner.id) == col(Objective.owner_id))
        .outerjoin(
            parent,
            (col(parent.id) == col(Objective.parent_id))
            & (col(parent.workspace_id) == workspace_id),
        )
        .where(
            col(Objective.workspace_id) == workspace_id,
            col(Objective.team_id) == team.id,
            col(Objective.cycle_id) == cycle.id,
            col(Objective.status) == Status.active,
        )
        .order_by(col(Objective.position), col(Objective.id))
    ).all()
    krs_by_objective: dict[int, list[KeyResultSnapshot]] = defaultdict(list)
    if objective_rows:
        for row in session.execute(
            sa.select(
                col(KeyResult.id),
                col(KeyResult.objective_id),
                col(KeyResult.title),
                col(kr_owner.slack_user_id),
                col(KeyResult.kind),
                col(KeyResult.start_value),
                col(KeyResult.target_value),
                col(KeyResult.current_value),
                col(KeyResult.unit),
            )
            .outerjoin(kr_owner, col(kr_owner.id) == col(KeyResult.owner_id))
            .where(
                col(KeyResult.workspace_id) == workspace_id,
                col(KeyResult.objective_id).in_([r[0] for r in objective_rows]),
                col(KeyResult.status) == Status.active,
            )
            .order_by(col(KeyResult.position), col(KeyResult.id))
        ).all():
            kr_id, objective_id, title, owner_id, kind, start, target, current, unit = row
            krs_by_objective[objective_id].append(
                KeyResultSnapshot(
                    id=kr_id or 0,
                    title=title,
                    owner=owner_id,
                    kind=KRKind(kind),
                    start=start,
                    target=target,
                    current=current,
                    unit=unit,
                )
            )
    snapshots = [
        ObjectiveSnapshot(
            id=objective_id or 0,
            title=title,
            description=description,
            owner=owner_id,
            parent_title=parent_title,
            key_results=tuple(krs_by_objective.get(objective_id or 0, [])),
        )
        for objective_id, title, description, owner_id, parent_title in objective_rows
    ]
    return TeamOKRs(
        team_id=team.id, team_name=team.name, cycle_label=cycle.label, objectives=snapshots
    )


def teams_of_owner(session: Session, *, workspace_id: int, member_id: int) -> list[Team]:
    """Teams in which the member owns an active key result (owners need not be members)."""
    return list(
        session.exec(
            select(Team)
            .join(Objective, col(Objective.team_id) == col(Team.id))
            .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
            .where(
                Team.workspace_id == workspace_id,
                KeyResult.owner_id == member_id,
                KeyResult.status == Status.active,
                Objective.status == Status.active,
            )
            .distinct()
            .order_by(col(Team.name_key))
        ).all()
    )


def key_results_of(session: Session, *, objective: Objective) -> list[KeyResult]:
    """An objective's active key results, in order."""
    return list(
        session.exec(
            select(KeyResult)
            .where(
                KeyResult.workspace_id == objective.workspace_id,
                KeyResult.objective_id == objective.id,
                KeyResult.status == Status.active,
            )
            .order_by(col(KeyResult.position), col(KeyResult.id))
        ).all()
    )


def cycles_with_objectives(session: Session, *, team: Team) -> list[Cycle]:
    """The cycles in which the team has active objectives, oldest first."""
    return list(
        session.exec(
            select(Cycle)
            .where(
                col(Cycle.id).in_(
                    select(Objective.cycle_id).where(
                        Objective.workspace_id == team.workspace_id,
                        Objective.team_id == team.id,
                        Objective.status == Status.active,
                    )
                )
            )
            .order_by(col(Cycle.start_date), col(Cycle.label))
        ).all()
    )
