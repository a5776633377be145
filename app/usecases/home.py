"""The Home tab's contents: my key results with their last check-in, my teams' OKRs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.domain.cycles import current_period, current_quarter
from app.domain.okrs import TeamOKRs
from app.domain.types import Confidence
from app.store.checkins import latest_check_ins
from app.store.directory import teams_of_member
from app.store.okrs import find_cycle, team_okrs, teams_of_owner
from app.usecases.services import Caller, Services


@dataclass(frozen=True)
class LastCheckIn:
    """A key result's most recent report."""

    period: str
    value: float | None
    confidence: Confidence | None


@dataclass(frozen=True)
class HomeTeam:
    """One of my teams on the Home tab, with the week a check-in now would answer."""

    okrs: TeamOKRs
    period: str


@dataclass(frozen=True)
class Home:
    """The teams I am in or own key results in, and my key results' last check-ins."""

    teams: list[HomeTeam] = field(default_factory=list)
    last_checkins: dict[int, LastCheckIn] = field(default_factory=dict)


def home_of(services: Services, caller: Caller, *, now: dt.datetime) -> Home:
    """What the caller's Home tab shows now."""
    if caller.member_id is None:
        return Home()
    teams: list[HomeTeam] = []
    last: dict[int, LastCheckIn] = {}
    with services.db.read() as session:
        member_teams = teams_of_member(
            session, workspace_id=caller.workspace_id, member_id=caller.member_id
        )
        owner_teams = teams_of_owner(
            session, workspace_id=caller.workspace_id, member_id=caller.member_id
        )
        seen = {t.id for t in member_teams}
        for team in member_teams + [t for t in owner_teams if t.id not in seen]:
            span = current_quarter(team.timezone, now)
            cycle = find_cycle(session, workspace_id=caller.workspace_id, label=span.label)
            okrs = (
                team_okrs(session, workspace_id=caller.workspace_id, team=team, cycle=cycle)
                if cycle
                else TeamOKRs(team.id or 0, team.name, span.label, [])
            )
            teams.append(HomeTeam(okrs=okrs, period=current_period(team.timezone, now)))
        mine = [
            kr.id
            for home in teams
            for objective in home.okrs.objectives
            for kr in objective.key_results
            if kr.owner == caller.slack_user_id
        ]
        for kr_id, row in latest_check_ins(session, key_result_ids=mine).items():
            last[kr_id] = LastCheckIn(
                period=row.iso_week,
                value=row.value,
                confidence=Confidence(row.confidence) if row.confidence else None,
            )
    return Home(teams=teams, last_checkins=last)
