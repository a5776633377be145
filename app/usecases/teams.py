"""Teams: create one, join one, change its settings; which team a command means."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.db import Session
from app.db.models import Team
from app.store.directory import (
    TeamSettings,
    create_team,
    ensure_member,
    find_team,
    get_team,
    is_team_admin,
    join_team,
    list_teams,
    settings_of,
    team_admins,
    teams_of_member,
    update_team,
)
from app.store.events import claim_event
from app.usecases.errors import NoSuchTeam, NotTeamAdmin, Problem, TeamGone, WhichTeam
from app.usecases.services import Caller, Services


@dataclass(frozen=True)
class TeamChoices:
    """Every team of the workspace as (id, name), and the caller's own first team."""

    teams: list[tuple[int, str]]
    mine: int | None


def team_choices(services: Services, caller: Caller) -> TeamChoices:
    """The teams to choose from, with the caller's own team to preselect."""
    with services.db.read() as session:
        teams = list_teams(session, workspace_id=caller.workspace_id)
        mine = (
            teams_of_member(session, workspace_id=caller.workspace_id, member_id=caller.member_id)
            if caller.member_id
            else []
        )
    return TeamChoices(
        teams=[(t.id or 0, t.name) for t in teams], mine=mine[0].id if mine else None
    )


def team_name(services: Services, caller: Caller, team_id: int) -> str | None:
    """The team's name, or None when it no longer exists."""
    with services.db.read() as session:
        team = get_team(session, workspace_id=caller.workspace_id, team_id=team_id)
        return team.name if team else None


@dataclass(frozen=True)
class TeamPicked:
    """The outcome of choosing a team: its settings to edit (`joined` False: the caller
    administers it, or nobody does yet), or a membership just made."""

    team_id: int
    settings: TeamSettings
    admins: list[str]  # Slack user ids
    joined: bool


def pick_team(services: Services, caller: Caller, team_id: int) -> TeamPicked:
    """Admins (and the first person to pick a team nobody administers) go on to its
    settings; anyone else joins it. Raises TeamGone."""
    with services.db.write() as session:
        team = get_team(session, workspace_id=caller.workspace_id, team_id=team_id)
        if team is None:
            raise TeamGone()
        member = ensure_member(
            session, workspace_id=caller.workspace_id, slack_user_id=caller.slack_user_id
        )
        assert member.id is not None and team.id is not None
        admins = team_admins(session, team=team)
        if not admins or is_team_admin(session, team_id=team.id, member_id=member.id):
            return TeamPicked(team.id, settings_of(team), [], joined=False)
        join_team(session, team=team, member=member)
        return TeamPicked(team.id, settings_of(team), [a.slack_user_id for a in admins], True)


@dataclass(frozen=True)
class TeamSaved:
    """A team created or changed, with its admins' Slack ids."""

    created: bool
    admins: list[str]


def save_team(
    services: Services,
    caller: Caller,
    team_id: int | None,
    settings: TeamSettings,
    *,
    now: dt.datetime,
    once: str | None = None,
) -> TeamSaved:
    """Create a team (the creator becomes its admin) or change a team's settings (its admins
    only; a team nobody administers is adopted by the first person to set it up). Raises
    Problem("name") for a name another team has, TeamGone, or NotTeamAdmin.

    `once` names the submission (Slack's view id and hash): the same submission arriving
    again answers as the first did instead of finding its own team's name taken."""
    with services.db.write() as session:
        member = ensure_member(
            session, workspace_id=caller.workspace_id, slack_user_id=caller.slack_user_id
        )
        assert member.id is not None
        clash = find_team(session, workspace_id=caller.workspace_id, name=settings.name)
        repeated = once is not None and not claim_event(session, event_id=once, now=now)
        if repeated and clash is not None:
            admins = [m.slack_user_id for m in team_admins(session, team=clash)]
            return TeamSaved(created=team_id is None, admins=admins)
        if clash is not None and clash.id != team_id:
            raise Problem("name", f"There is already a team called {clash.name}.")
        if team_id is None:
            team = create_team(session, workspace_id=caller.workspace_id, settings=settings)
            created = True
        else:
            found = get_team(session, workspace_id=caller.workspace_id, team_id=team_id)
            if found is None:
                raise TeamGone()
            team = found
            assert team.id is not None
            if team_admins(session, team=team) and not is_team_admin(
                session, team_id=team.id, member_id=member.id
            ):
                raise NotTeamAdmin(team.name)
            update_team(session, team=team, settings=settings)
            created = False
        join_team(session, team=team, member=member, admin=True)
        return TeamSaved(
            created=created, admins=[m.slack_user_id for m in team_admins(session, team=team)]
        )


def one_team(session: Session, caller: Caller, team_name: str) -> Team:
    """The team named (any case), or else the caller's only team (or the workspace's only
    team). Raises NoSuchTeam or WhichTeam."""
    if team_name:
        team = find_team(session, workspace_id=caller.workspace_id, name=team_name)
        if team is None:
            raise NoSuchTeam(team_name, [])
        return team
    mine = (
        teams_of_member(session, workspace_id=caller.workspace_id, member_id=caller.member_id)
        if caller.member_id
        else []
    )
    every = mine or list_teams(session, workspace_id=caller.workspace_id)
    if len(every) != 1:
        raise WhichTeam()
    return every[0]


def require_admin(session: Session, caller: Caller, team: Team) -> None:
    """Raises NotTeamAdmin unless the caller administers the team."""
    if not (
        caller.member_id
        and is_team_admin(session, team_id=team.id or 0, member_id=caller.member_id)
    ):
        raise NotTeamAdmin(team.name)
