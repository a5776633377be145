"""Workspaces, members and teams."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.db.models import Member, Team, TeamMembership, Workspace, utcnow
from app.store.sql import insert_or_ignore


def find_workspace(
    session: Session, *, slack_team_id: str, enterprise_id: str | None = None
) -> Workspace | None:
    """The workspace with these Slack ids, if the bot has seen it."""
    return session.exec(
        select(Workspace).where(
            Workspace.slack_team_id == slack_team_id,
            Workspace.enterprise_id == (enterprise_id or ""),
        )
    ).first()


def ensure_workspace(
    session: Session, *, slack_team_id: str, enterprise_id: str | None = None, name: str = ""
) -> Workspace:
    """The workspace with these Slack ids, created on first sight."""
    found = find_workspace(session, slack_team_id=slack_team_id, enterprise_id=enterprise_id)
    if found:
        return found
    insert_or_ignore(
        session,
        Workspace,
        {
            "slack_team_id": slack_team_id,
            "enterprise_id": enterprise_id or "",
            "name": name,
            "created_at": utcnow(),
        },
        ["slack_team_id", "enterprise_id"],
    )
    created = find_workspace(session, slack_team_id=slack_team_id, enterprise_id=enterprise_id)
    assert created is not None
    return created


# Statements on the hot paths (every request looks its caller up), built once: building a
# statement costs several times running it on a small table.
_FIND_MEMBER = select(Member).where(
    Member.workspace_id == bindparam("workspace_id"),
    Member.slack_user_id == bindparam("slack_user_id"),
)
_GET_TEAM = select(Team).where(
    Team.workspace_id == bindparam("workspace_id"), Team.id == bindparam("team_id")
)


def find_member(session: Session, *, workspace_id: int, slack_user_id: str) -> Member | None:
    """The member for a Slack user in this workspace, if known."""
    params = {"workspace_id": workspace_id, "slack_user_id": slack_user_id}
    return session.exec(_FIND_MEMBER, params=params).first()


def ensure_member(
    session: Session,
    *,
    workspace_id: int,
    slack_user_id: str,
    display_name: str | None = None,
    timezone: str | None = None,
) -> Member:
    """The member for a Slack user, created on first sight; name and zone kept fresh."""
    member = find_member(session, workspace_id=workspace_id, slack_user_id=slack_user_id)
    if member is None:
        insert_or_ignore(
            session,
            Member,
            {
                "workspace_id": workspace_id,
                "slack_user_id": slack_user_id,
                "display_name": display_name or "",
                "timezone": timezone,
                "created_at": utcnow(),
            },
            ["workspace_id", "slack_user_id"],
        )
        member = find_member(session, workspace_id=workspace_id, slack_user_id=slack_user_id)
        assert member is not None
        return member
    changed = False
    if display_name and member.display_name != display_name:
        member.display_name = display_name
        changed = True
    if timezone and member.timezone != timezone:
        member.timezone = timezone
        changed = True
    if changed:
        session.add(member)
        session.flush()
    return member


def members_by_id(session: Session, *, workspace_id: int, ids: set[int]) -> dict[int, Member]:
    """Members of this workspace by primary key."""
    if not ids:
        return {}
    rows = session.exec(
        select(Member).where(Member.workspace_id == workspace_id, col(Member.id).in_(ids))
    ).all()
    return {m.id: m for m in rows if m.id is not None}


def team_key(name: str) -> str:
    """The case-insensitive key team names are unique by."""
    return " ".join(name.split()).casefold()


def find_team(session: Session, *, workspace_id: int, name: str) -> Team | None:
    """The team of this workspace with that name (any case)."""
    return session.exec(
        select(Team).where(Team.workspace_id == workspace_id, Team.name_key == team_key(name))
    ).first()


def get_team(session: Session, *, workspace_id: int, team_id: int) -> Team | None:
    """A team by id, only if it belongs to this workspace."""
    return session.exec(
        _GET_TEAM, params={"workspace_id": workspace_id, "team_id": team_id}
    ).first()


def list_teams(session: Session, *, workspace_id: int) -> list[Team]:
    """All teams of the workspace, by name."""
    return list(
        session.exec(
            select(Team).where(Team.workspace_id == workspace_id).order_by(col(Team.name_key))
        ).all()
    )


def teams_of_member(session: Session, *, workspace_id: int, member_id: int) -> list[Team]:
    """The teams a member belongs to, by name."""
    return list(
        session.exec(
            select(Team)
            .join(TeamMembership, col(TeamMembership.team_id) == col(Team.id))
            .where(Team.workspace_id == workspace_id, TeamMembership.member_id == member_id)
            .order_by(col(Team.name_key))
        ).all()
    )


def membership(session: Session, *, team_id: int, member_id: int) -> TeamMembership | None:
    """A member's membership of a team, if any."""
    return session.exec(
        select(TeamMembership).where(
            TeamMembership.team_id == team_id, TeamMembership.member_id == member_id
        )
    ).first()


def is_team_admin(session: Session, *, team_id: int, member_id: int) -> bool:
    """True when the member administers the team."""
    found = membership(session, team_id=team_id, member_id=member_id)
    return bool(found and found.is_admin)


def team_admins(session: Session, *, team: Team) -> list[Member]:
    """The team's admins."""
    return list(
        session.exec(
            select(Member)
            .join(TeamMembership, col(TeamMembership.member_id) == col(Member.id))
            .where(TeamMembership.team_id == team.id, TeamMembership.is_admin == True)  # noqa: E712
            .order_by(col(Member.slack_user_id))
        ).all()
    )


def join_team(session: Session, *, team: Team, member: Member, admin: bool = False) -> None:
    """Add the member to the team (an existing admin stays admin)."""
    assert team.id is not None and member.id is not None
    found = membership(session, team_id=team.id, member_id=member.id)
    if found is None:
        session.add(
            TeamMembership(
                workspace_id=team.workspace_id, team_id=team.id, member_id=member.id, is_admin=admin
            )
        )
    elif admin and not found.is_admin:
        found.is_admin = True
        session.add(found)
    session.flush()


@dataclass
class TeamSettings:
    """What a team admin can set."""

    name: str
    digest_channel: str | None = None
    timezone: str = "UTC"
    checkin_weekday: int = 4
    checkin_time: dt.time = dt.time(10, 0)
    digest_weekday: int = 4
    digest_time: dt.time = dt.time(16, 0)
    reminder_weekday: int = 0
    reminder_time: dt.time = dt.time(10, 0)
    max_objectives: int = 3
    min_key_results: int = 2
    max_key_results: int = 4


def settings_of(team: Team) -> TeamSettings:
    """A team's current settings."""
    return TeamSettings(
        name=team.name,
        digest_channel=team.digest_channel,
        timezone=team.timezone,
        checkin_weekday=team.checkin_weekday,
        checkin_time=team.checkin_time,
        digest_weekday=team.digest_weekday,
        digest_time=team.digest_time,
        reminder_weekday=team.reminder_weekday,
        reminder_time=team.reminder_time,
        max_objectives=team.max_objectives,
        min_key_results=team.min_key_results,
        max_key_results=team.max_key_results,
    )


def create_team(session: Session, *, workspace_id: int, settings: TeamSettings) -> Team:
    """A new team with these settings (the caller makes someone its admin)."""
    team = Team(workspace_id=workspace_id, name_key=team_key(settings.name), **vars(settings))
    team.name = " ".join(settings.name.split())
    session.add(team)
    session.flush()
    return team


def update_team(session: Session, *, team: Team, settings: TeamSettings) -> Team:
    """Apply new settings to a team."""
    for name, value in vars(settings).items():
        setattr(team, name, value)
    team.name = " ".join(settings.name.split())
    team.name_key = team_key(settings.name)
    team.updated_at = utcnow()
    session.add(team)
    session.flush()
    return team


def workspaces(session: Session, *, slack_team_id: str | None = None) -> list[Workspace]:
    """Every workspace (or only those with this Slack id), by Slack id and enterprise id."""
    query = select(Workspace).order_by(col(Workspace.slack_team_id), col(Workspace.enterprise_id))
    if slack_team_id:
        query = query.where(Workspace.slack_team_id == slack_team_id)
    return list(session.exec(query).all())


def slack_user_id_of(session: Session, member_id: int | None) -> str | None:
    """The Slack user id of a member row, or None for no member."""
    if member_id is None:
        return None
    member = session.get(Member, member_id)
    return member.slack_user_id if member else None


def team_people(session: Session, *, team: Team) -> list[tuple[str, bool]]:
    """The team's members as (Slack user id, is admin), by Slack user id."""
    rows = session.exec(
        select(Member.slack_user_id, TeamMembership.is_admin)
        .join(TeamMembership, col(TeamMembership.member_id) == col(Member.id))
        .where(TeamMembership.team_id == team.id)
        .order_by(col(Member.slack_user_id))
    ).all()
    return [(slack_user_id, is_admin) for slack_user_id, is_admin in rows]
