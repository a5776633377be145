"""The hot path of `/okr list`: a few plain queries that tell whether a cached list is
still right.

A team's list changes only when one of its objectives or key results changes (every
write sets `updated_at`, and `now` only moves forward), when one is added, when the team
itself changes, or when its cycle is closed. `list_revision` reads exactly those facts in
one statement, so a list built once can be reused by any request, in any process, for as
long as they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

_TEAMS_OF_USER = text(
    """
    SELECT t.id, t.name, t.timezone, t.updated_at
    FROM member AS m
    JOIN team_membership AS tm ON tm.member_id = m.id
    JOIN team AS t ON t.id = tm.team_id
    WHERE m.workspace_id = :workspace_id AND m.slack_user_id = :user_id
    ORDER BY t.name_key
    """
)

_CYCLE_ID = text("SELECT id FROM cycle WHERE workspace_id = :workspace_id AND label = :label")

_REVISION = text(
    """
    SELECT
        (SELECT count(*) FROM cycle_close WHERE team_id = :team_id AND cycle_id = :cycle_id),
        count(DISTINCT o.id), max(o.updated_at), count(k.id), max(k.updated_at)
    FROM objective AS o
    LEFT JOIN key_result AS k ON k.objective_id = o.id AND k.workspace_id = o.workspace_id
    WHERE o.workspace_id = :workspace_id AND o.team_id = :team_id AND o.cycle_id = :cycle_id
    """
)


@dataclass(frozen=True)
class TeamRow:
    """What the list needs to know of a team before deciding whether to rebuild."""

    id: int
    name: str
    timezone: str
    updated_at: Any


def teams_of_user(connection: Connection, *, workspace_id: int, user_id: str) -> list[TeamRow]:
    """The teams a Slack user belongs to, in one query."""
    rows = connection.execute(_TEAMS_OF_USER, {"workspace_id": workspace_id, "user_id": user_id})
    return [TeamRow(*row) for row in rows]


def cycle_id(connection: Connection, *, workspace_id: int, label: str) -> int | None:
    """The id of the workspace's cycle with this label, if it exists."""
    row = connection.execute(_CYCLE_ID, {"workspace_id": workspace_id, "label": label}).first()
    return int(row[0]) if row else None


def list_revision(
    connection: Connection, *, workspace_id: int, team_id: int, cycle_id: int
) -> tuple[Any, ...]:
    """A value that changes whenever the team's list for the cycle would change."""
    row = connection.execute(
        _REVISION, {"workspace_id": workspace_id, "team_id": team_id, "cycle_id": cycle_id}
    ).one()
    return tuple(row)
