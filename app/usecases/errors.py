"""Why a use case refused: typed, so each front end words it its own way."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.refs import Ref


class Refused(Exception):
    """A use case did nothing, for a reason the person can act on. Nothing was written."""


@dataclass
class NotFound(Refused):
    """The objective or key result does not exist in the workspace (or is archived)."""

    ref: Ref


@dataclass
class NotAllowed(Refused):
    """Only the item's owner (`owner`, a Slack user id when known) or a team admin may
    change it."""

    ref: Ref
    owner: str | None


@dataclass
class AlreadyInState(Refused):
    """Archiving what is archived, or restoring what is active."""

    ref: Ref
    title: str
    state: str  # "active" | "archived"


@dataclass
class TeamGone(Refused):
    """The team named by a form or button no longer exists."""


@dataclass
class NoSuchTeam(Refused):
    """No team of the workspace has this name."""

    name: str
    known: list[str]


@dataclass
class WhichTeam(Refused):
    """The caller is in several teams (or none and the workspace has several): name one."""


@dataclass
class NotTeamAdmin(Refused):
    """Only the team's admins may do this."""

    team_name: str


@dataclass
class Problem(Refused):
    """An input is wrong; `field` names which (use-case level names, e.g. "parent")."""

    field: str
    message: str
