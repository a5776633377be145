"""Cycles: closing one, which freezes every key result's and objective's score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.domain.cycles import current_quarter
from app.domain.scoring import ClosingReport
from app.store.closing import close_cycle, is_closed
from app.store.okrs import find_cycle
from app.usecases.errors import Refused
from app.usecases.services import Caller, Services
from app.usecases.teams import one_team, require_admin


@dataclass
class NothingToClose(Refused):
    """The team has nothing in that cycle."""

    team_name: str
    label: str


@dataclass(frozen=True)
class Closed:
    """A cycle closed now (or `already` closed before), with its report and the team's
    digest channel to announce it in."""

    team_name: str
    label: str
    report: ClosingReport
    channel: str | None
    already: bool


def close(
    services: Services, caller: Caller, *, team_name: str, label: str | None, now: dt.datetime
) -> Closed:
    """Team admins: score and close the team's cycle `label` (default: the current one).
    Closing twice changes nothing. Raises NoSuchTeam, WhichTeam, NotTeamAdmin or
    NothingToClose."""
    with services.db.write() as session:
        team = one_team(session, caller, team_name)
        require_admin(session, caller, team)
        label = label or current_quarter(team.timezone, now).label
        cycle = find_cycle(session, workspace_id=caller.workspace_id, label=label)
        if cycle is None:
            raise NothingToClose(team.name, label)
        already = is_closed(session, team_id=team.id or 0, cycle_id=cycle.id or 0)
        report = close_cycle(
            session,
            workspace_id=caller.workspace_id,
            team=team,
            cycle=cycle,
            closed_by=caller.member_id,
            now=now,
        )
        return Closed(team.name, label, report, team.digest_channel, already)
