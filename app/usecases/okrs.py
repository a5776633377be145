"""Objectives and key results: create, edit, archive, restore, carry over; who may do it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.db import Session
from app.db.models import KeyResult, Objective
from app.domain.coach import (
    Finding,
    KeyResultInput,
    ObjectiveInput,
    Severity,
    Thresholds,
    check_key_result,
    check_objective,
    check_team,
)
from app.domain.cycles import current_quarter
from app.domain.okrs import (
    DESCRIPTION_MAX,
    OBJECTIVE_TITLE_MAX,
    KeyResultDraft,
    ObjectiveDraft,
    key_result_errors,
    title_errors,
)
from app.domain.refs import Ref
from app.domain.scoring import ClosingReport
from app.domain.types import KRKind, Status
from app.store.closing import carry_over, closing_report, key_result_scope
from app.store.directory import get_team, is_team_admin, members_by_id
from app.store.events import claim_event
from app.store.okrs import (
    create_objective,
    ensure_cycle,
    find_cycle,
    get_key_result,
    get_objective,
    objectives_of,
    other_objectives,
    set_status,
    update_key_result,
    update_objective,
)
from app.usecases.errors import AlreadyInState, NotAllowed, NotFound, Problem, TeamGone
from app.usecases.services import Caller, Services

Item = Objective | KeyResult


# --- who may change what ------------------------------------------------------------------


def load_item(
    session: Session, caller: Caller, ref: Ref, *, for_update: bool = False
) -> tuple[Item, Objective] | None:
    """The referenced objective or key result with its objective, within the workspace."""
    if ref.kind == "objective":
        objective = get_objective(
            session, workspace_id=caller.workspace_id, objective_id=ref.id, for_update=for_update
        )
        return (objective, objective) if objective else None
    kr = get_key_result(
        session, workspace_id=caller.workspace_id, key_result_id=ref.id, for_update=for_update
    )
    if kr is None:
        return None
    parent = get_objective(session, workspace_id=caller.workspace_id, objective_id=kr.objective_id)
    return (kr, parent) if parent else None


def may_change(session: Session, caller: Caller, item: Item, objective: Objective) -> bool:
    """An objective's owner and its team's admins may change it; a key result's owner may
    also change that key result."""
    if caller.member_id is None:
        return False
    if isinstance(item, KeyResult) and item.owner_id == caller.member_id:
        return True
    if objective.owner_id == caller.member_id:
        return True
    return is_team_admin(session, team_id=objective.team_id, member_id=caller.member_id)


def _owner_slack_id(session: Session, workspace_id: int, member_id: int | None) -> str | None:
    if member_id is None:
        return None
    found = members_by_id(session, workspace_id=workspace_id, ids={member_id})
    return found[member_id].slack_user_id if member_id in found else None


def _changeable(
    session: Session, caller: Caller, ref: Ref, *, for_update: bool = False, active: bool = False
) -> tuple[Item, Objective]:
    """The item, when it exists (and is active, if asked) and the caller may change it."""
    found = load_item(session, caller, ref, for_update=for_update)
    if found is None or (active and found[0].status != Status.active):
        raise NotFound(ref)
    item, objective = found
    if not may_change(session, caller, item, objective):
        raise NotAllowed(ref, _owner_slack_id(session, caller.workspace_id, item.owner_id))
    return item, objective


# --- editing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveEditForm:
    """What the objective's edit form shows."""

    objective_id: int
    title: str
    description: str
    owner: str | None
    parent_id: int | None
    parents: list[tuple[int, str]]  # the other active objectives of its cycle


@dataclass(frozen=True)
class KeyResultEditForm:
    """What the key result's edit form shows."""

    key_result_id: int
    draft: KeyResultDraft


def edit_form(
    services: Services, caller: Caller, ref: Ref, *, typed: dict[str, Any] | None = None
) -> ObjectiveEditForm | KeyResultEditForm:
    """The edit form of an active item the caller may change: its stored values or, with
    `typed`, what was typed over them. Raises NotFound or NotAllowed."""
    typed = typed or {}
    with services.db.read() as session:
        item, objective = _changeable(session, caller, ref, active=True)
        owner = _owner_slack_id(session, caller.workspace_id, item.owner_id)
        if isinstance(item, KeyResult):
            draft = KeyResultDraft(
                title=item.title,
                owner=owner,
                kind=KRKind(item.kind),
                start=item.start_value,
                target=item.target_value,
                current=item.current_value,
                unit=item.unit,
            )
            for name, value in typed.items():
                setattr(draft, name, KRKind(value) if name == "kind" else value)
            return KeyResultEditForm(key_result_id=ref.id, draft=draft)
        parents = other_objectives(
            session,
            workspace_id=caller.workspace_id,
            cycle_id=objective.cycle_id,
            excluding=objective.id or 0,
        )
    return ObjectiveEditForm(
        objective_id=ref.id,
        title=typed.get("title", objective.title),
        description=typed.get("description", objective.description),
        owner=typed.get("owner", owner),
        parent_id=typed.get("parent_id", objective.parent_id),
        parents=parents,
    )


@dataclass(frozen=True)
class ObjectiveEdit:
    """An objective's new words, owner (a Slack user id) and the objective it supports."""

    title: str
    description: str
    owner: str | None
    parent_id: int | None


def _parent_problem(session: Session, caller: Caller, objective_id: int, parent_id: int) -> str:
    seen = {objective_id}
    current: int | None = parent_id
    while current is not None:
        if current in seen:
            return "That would make the objective support itself."
        seen.add(current)
        parent = get_objective(session, workspace_id=caller.workspace_id, objective_id=current)
        if parent is None:
            return "That objective no longer exists."
        current = parent.parent_id
    return ""


def save_objective(
    services: Services, caller: Caller, objective_id: int, edit: ObjectiveEdit
) -> None:
    """Save an objective's new words. Raises NotFound, NotAllowed, or Problem (on
    "title", "description" or "parent")."""
    if problem := title_errors(edit.title, limit=OBJECTIVE_TITLE_MAX, what="objective"):
        raise Problem("title", problem)
    if len(edit.description) > DESCRIPTION_MAX:
        raise Problem("description", f"Keep the description to {DESCRIPTION_MAX} characters.")
    ref = Ref("objective", objective_id)
    with services.db.write() as session:
        _, objective = _changeable(session, caller, ref, for_update=True)
        if edit.parent_id is not None and (
            problem := _parent_problem(session, caller, objective_id, edit.parent_id)
        ):
            raise Problem("parent", problem)
        update_objective(
            session,
            objective=objective,
            title=edit.title,
            description=edit.description,
            owner=edit.owner,
            parent_id=edit.parent_id,
        )


def save_key_result(
    services: Services, caller: Caller, key_result_id: int, draft: KeyResultDraft
) -> None:
    """Save a key result's new values. Raises NotFound, NotAllowed, or Problem naming the
    first field that is wrong."""
    for field_name, problem in key_result_errors(draft).items():
        raise Problem(field_name, problem)
    ref = Ref("key_result", key_result_id)
    with services.db.write() as session:
        kr, _ = _changeable(session, caller, ref, for_update=True)
        if not isinstance(kr, KeyResult):
            raise NotFound(ref)
        update_key_result(session, kr=kr, draft=draft)


def words_to_review(services: Services, caller: Caller, ref: Ref, new_title: str) -> list[Finding]:
    """The coach's warnings on an item's new words, when the words changed (empty when they
    did not, or when the coach has nothing to warn about): shown before saving."""
    with services.db.read() as session:
        found = load_item(session, caller, ref)
        old_title = found[0].title if found else None
    if old_title is not None and " ".join(new_title.split()) == old_title:
        return []
    check = check_key_result if ref.kind == "key_result" else check_objective
    return [f for f in check(new_title) if f.severity == Severity.warning]


# --- archiving -------------------------------------------------------------------------------


def archive(services: Services, caller: Caller, ref: Ref, *, restore: bool = False) -> str:
    """Archive (or restore) an item; returns its title. Raises NotFound, NotAllowed or
    AlreadyInState."""
    status = Status.active if restore else Status.archived
    with services.db.write() as session:
        item, _ = _changeable(session, caller, ref, for_update=True)
        if item.status == status:
            raise AlreadyInState(ref, item.title, "active" if restore else "archived")
        set_status(session, item=item, status=status)
        return item.title


# --- a new objective ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewObjectiveReview:
    """The coach's findings on a draft objective, seen with the team's other objectives."""

    team: tuple[Finding, ...] = ()
    objective: tuple[Finding, ...] = ()
    key_results: tuple[tuple[Finding, ...], ...] = field(default_factory=tuple)


def review_new_objective(
    services: Services,
    caller: Caller,
    *,
    team_id: int,
    title: str,
    owner: str | None,
    key_results: list[tuple[str, str | None]],
    now: dt.datetime,
) -> NewObjectiveReview:
    """What the coach says about a draft (title, owner, (key result, owner) pairs) among the
    team's objectives of the current cycle, before its numbers are asked for."""
    with services.db.read() as session:
        team = get_team(session, workspace_id=caller.workspace_id, team_id=team_id)
        if team is None:
            return NewObjectiveReview()
        cycle = find_cycle(
            session,
            workspace_id=caller.workspace_id,
            label=current_quarter(team.timezone, now).label,
        )
        existing = (
            objectives_of(
                session, workspace_id=caller.workspace_id, team_id=team.id or 0, cycle_id=cycle.id
            )
            if cycle and cycle.id
            else []
        )
        thresholds = Thresholds(
            max_objectives=team.max_objectives,
            min_key_results=team.min_key_results,
            max_key_results=team.max_key_results,
        )
    new = ObjectiveInput(
        title=title,
        owner=owner,
        key_results=tuple(KeyResultInput(title=t, owner=o) for t, o in key_results),
    )
    report = check_team(
        [*(ObjectiveInput(title=o.title, owner=str(o.owner_id)) for o in existing), new],
        thresholds,
    )
    return NewObjectiveReview(
        team=report.team, objective=report.objectives[-1], key_results=report.key_results[-1]
    )


@dataclass(frozen=True)
class CreatedObjective:
    """What `create` saved."""

    objective_id: int
    team_name: str


def create(
    services: Services,
    caller: Caller,
    *,
    team_id: int,
    draft: ObjectiveDraft,
    now: dt.datetime,
    once: str | None = None,
) -> CreatedObjective:
    """Save an objective with its key results in the team's current cycle (created on first
    use). Raises TeamGone.

    `once` names the submission (Slack's view id and hash): the same submission arriving
    again, as a retry after a late answer does, saves nothing more and answers with the
    objective the first one saved."""
    with services.db.write() as session:
        team = get_team(session, workspace_id=caller.workspace_id, team_id=team_id)
        if team is None:
            raise TeamGone()
        cycle = ensure_cycle(
            session, workspace_id=caller.workspace_id, span=current_quarter(team.timezone, now)
        )
        if once is not None and not claim_event(session, event_id=once, now=now):
            saved = [
                o
                for o in objectives_of(
                    session,
                    workspace_id=caller.workspace_id,
                    team_id=team_id,
                    cycle_id=cycle.id or 0,
                )
                if o.title == draft.title
            ]
            if saved:
                return CreatedObjective(objective_id=saved[-1].id or 0, team_name=team.name)
        objective = create_objective(
            session, workspace_id=caller.workspace_id, team=team, cycle=cycle, draft=draft
        )
        return CreatedObjective(objective_id=objective.id or 0, team_name=team.name)


# --- carrying over --------------------------------------------------------------------------


def carry_over_key_result(
    services: Services, caller: Caller, key_result_id: int, *, now: dt.datetime
) -> ClosingReport | None:
    """Carry an unfinished key result of a closed cycle into the next one; the closing's
    report as it now reads. Raises NotFound or NotAllowed."""
    ref = Ref("key_result", key_result_id)
    with services.db.write() as session:
        scope = key_result_scope(
            session, workspace_id=caller.workspace_id, key_result_id=key_result_id
        )
        if scope is None:
            raise NotFound(ref)
        _changeable(session, caller, ref)
        team, cycle = scope
        carry_over(
            session,
            workspace_id=caller.workspace_id,
            team=team,
            from_cycle=cycle,
            key_result_ids=[key_result_id],
            now=now,
        )
        return closing_report(session, workspace_id=caller.workspace_id, team=team, cycle=cycle)
