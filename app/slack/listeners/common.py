"""Operations reached both from `/okr ...` and from buttons and menus."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from sqlmodel import Session, col, select

from app.db.models import KeyResult, Objective, Team
from app.domain.cycles import current_quarter
from app.domain.okrs import KeyResultDraft
from app.domain.types import KRKind, Status
from app.services import Caller, Services
from app.slack import ids
from app.slack.blocks import actions, button, message, section
from app.slack.views.help import build_notice
from app.slack.views.objective_modal import (
    NewObjectiveForm,
    build_edit_key_result_view,
    build_edit_objective_view,
    build_new_objective_view,
)
from app.slack.views.okr_list import key_result_ref, objective_ref
from app.slack.views.team_modal import build_team_pick_view, build_team_settings_view
from app.store.directory import (
    TeamSettings,
    list_teams,
    members_by_id,
    team_admins,
    teams_of_member,
)
from app.store.okrs import (
    can_edit_key_result,
    can_edit_objective,
    find_cycle,
    get_key_result,
    get_objective,
    set_status,
)

_REF = re.compile(r"^#?(kr|o)-?(\d{1,12})$", re.IGNORECASE)
GENERIC_FAILURE = "Sorry, that didn't work on our side. Nothing was changed; please try again."


@dataclass(frozen=True)
class Ref:
    """A reference typed by a person: `O12` (objective) or `KR34` (key result)."""

    kind: str  # "objective" | "key_result"
    id: int

    @property
    def label(self) -> str:
        """How the reference is written back to people."""
        return objective_ref(self.id) if self.kind == "objective" else key_result_ref(self.id)


def parse_ref(text: str) -> Ref | None:
    """`O12`, `o12`, `KR34`, `#KR-34` → a Ref; anything else → None."""
    match = _REF.match(text.strip())
    if not match:
        return None
    kind = "key_result" if match.group(1).lower() == "kr" else "objective"
    return Ref(kind, int(match.group(2)))


def caller_of(services: Services, context: Any, *, create: bool = False) -> Caller:
    """The Slack user behind a request, resolved to our rows."""
    return services.caller(
        team_id=context.team_id or context.user_team_id or "",
        enterprise_id=context.enterprise_id,
        user_id=context.user_id,
        create=create,
    )


def has_acked(ack: Ack) -> bool:
    """True once `ack` was called (Bolt stores the response it built)."""
    return getattr(ack, "response", None) is not None


def _owner_slack_id(session: Session, workspace_id: int, member_id: int | None) -> str | None:
    if member_id is None:
        return None
    found = members_by_id(session, workspace_id=workspace_id, ids={member_id})
    return found[member_id].slack_user_id if member_id in found else None


def denied_message(session: Session, workspace_id: int, ref: Ref, owner_id: int | None) -> str:
    owner = _owner_slack_id(session, workspace_id, owner_id)
    who = f"its owner (<@{owner}>)" if owner else "its owner"
    return f"Only {who} or a team admin can change {ref.label}."


def build_edit_view(
    session: Session,
    caller: Caller,
    ref: Ref,
    item: Objective | KeyResult,
    objective: Objective,
    typed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The edit modal for `ref`, showing the stored values or, with `typed`, what was typed."""
    typed = typed or {}
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
        return build_edit_key_result_view(key_result_id=ref.id, draft=draft)
    parents = session.exec(
        select(Objective.id, Objective.title)
        .where(
            Objective.workspace_id == caller.workspace_id,
            Objective.cycle_id == objective.cycle_id,
            Objective.status == Status.active,
            Objective.id != objective.id,
        )
        .order_by(col(Objective.id))
    ).all()
    return build_edit_objective_view(
        objective_id=ref.id,
        title=typed.get("title", objective.title),
        description=typed.get("description", objective.description),
        owner=typed.get("owner", owner),
        parent_id=typed.get("parent_id", objective.parent_id),
        parents=[(pid, title) for pid, title in parents if pid is not None],
    )


def open_edit(
    *, services: Services, caller: Caller, ref: Ref, client: WebClient, trigger_id: str
) -> str | None:
    """Open the edit modal for `ref`; returns a message for the caller when it can't."""
    with services.db.read() as session:
        found = load_item(session, caller, ref)
        if found is None or found[0].status != Status.active:
            return f"There is no {ref.label}. `/okr list` shows the ids."
        item, objective = found
        if not may_change(session, caller, item, objective):
            return denied_message(session, caller.workspace_id, ref, item.owner_id)
        view = build_edit_view(session, caller, ref, item, objective)
    client.views_open(trigger_id=trigger_id, view=view)
    return None


def load_item(
    session: Session, caller: Caller, ref: Ref, *, for_update: bool = False
) -> tuple[Objective | KeyResult, Objective] | None:
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


def may_change(
    session: Session, caller: Caller, item: Objective | KeyResult, objective: Objective
) -> bool:
    if caller.member_id is None:
        return False
    if isinstance(item, KeyResult):
        return can_edit_key_result(
            session, kr=item, objective=objective, member_id=caller.member_id
        )
    return can_edit_objective(session, objective=objective, member_id=caller.member_id)


def archive(
    *, services: Services, caller: Caller, ref: Ref, restore: bool = False
) -> dict[str, Any]:
    """Archive (or restore) `ref`; returns the ephemeral message to show."""
    status = Status.active if restore else Status.archived
    with services.db.write() as session:
        found = load_item(session, caller, ref, for_update=True)
        if found is None:
            return build_notice(f"There is no {ref.label}. `/okr list` shows the ids.")
        item, objective = found
        if not may_change(session, caller, item, objective):
            return build_notice(denied_message(session, caller.workspace_id, ref, item.owner_id))
        title = item.title
        if item.status == status:
            state = "active" if restore else "archived"
            return build_notice(f"{ref.label} _{title}_ is already {state}.")
        set_status(session, item=item, status=status)
    if restore:
        return build_notice(f":leftwards_arrow_with_hook: Restored {ref.label} _{title}_.")
    text = f":file_cabinet: Archived {ref.label} _{title}_. It no longer shows in lists."
    return message(
        text,
        [
            section(text),
            actions(button("Undo", ids.ACTION_UNDO_ARCHIVE, value=ref.label), block_id="undo"),
        ],
    )


def teams_for_new_objective(session: Session, caller: Caller) -> tuple[list[Team], int | None]:
    """All teams of the workspace, and the caller's own team to preselect."""
    teams = list_teams(session, workspace_id=caller.workspace_id)
    mine = (
        teams_of_member(session, workspace_id=caller.workspace_id, member_id=caller.member_id)
        if caller.member_id
        else []
    )
    return teams, (mine[0].id if mine else None)


def open_new_objective(
    *, services: Services, caller: Caller, client: WebClient, trigger_id: str
) -> dict[str, Any] | None:
    """Open step one of `/okr new`; returns a message instead when there is no team yet."""
    with services.db.read() as session:
        teams, mine = teams_for_new_objective(session, caller)
    if not teams:
        text = "There are no teams yet. Create one first; objectives belong to a team."
        return message(
            text,
            [
                section(text),
                actions(button("Create a team", ids.ACTION_OPEN_TEAM, style="primary")),
            ],
        )
    team_id = mine or teams[0].id
    view = build_new_objective_view(
        form=NewObjectiveForm(team_id=team_id),
        teams=[(t.id or 0, t.name) for t in teams],
        caller=caller.slack_user_id,
    )
    client.views_open(trigger_id=trigger_id, view=view)
    return None


def user_timezone(client: WebClient, user_id: str) -> str | None:
    """The user's time zone from their Slack profile; None when Slack can't say."""
    try:
        return client.users_info(user=user_id)["user"].get("tz")
    except Exception:
        return None


def open_team(*, services: Services, caller: Caller, client: WebClient, trigger_id: str) -> None:
    """Open `/okr team`: pick a team, or go straight to creating one when there is none."""
    with services.db.read() as session:
        teams = list_teams(session, workspace_id=caller.workspace_id)
        mine = (
            teams_of_member(session, workspace_id=caller.workspace_id, member_id=caller.member_id)
            if caller.member_id
            else []
        )
    if teams:
        view = build_team_pick_view(
            teams=[(t.id or 0, t.name) for t in teams], current=mine[0].id if mine else None
        )
    else:
        timezone = user_timezone(client, caller.slack_user_id) or "UTC"
        view = build_team_settings_view(
            team_id=None, settings=TeamSettings(name="", timezone=timezone)
        )
    client.views_open(trigger_id=trigger_id, view=view)


def admin_ids(session: Session, team: Team) -> list[str]:
    """Slack ids of a team's admins."""
    return [m.slack_user_id for m in team_admins(session, team=team)]


def current_cycle_id(
    session: Session, *, workspace_id: int, team: Team, services: Services
) -> int | None:
    """The id of the cycle the team is in today, if it has been created."""
    span = current_quarter(team.timezone, services.now())
    cycle = find_cycle(session, workspace_id=workspace_id, label=span.label)
    return cycle.id if cycle else None
