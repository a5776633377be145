"""The team's weekly digest: what it says, who may post it now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.db import Session
from app.db.models import Team
from app.domain.checkins import WeekReport
from app.domain.cycles import quarter_of, today_in
from app.domain.digest import Digest, build_digest
from app.domain.types import Confidence
from app.store.checkins import weekly_reports
from app.store.okrs import find_cycle, team_okrs
from app.usecases.errors import Refused
from app.usecases.services import Caller, Services
from app.usecases.teams import one_team, require_admin


def team_digest(session: Session, *, team: Team, now: dt.datetime) -> Digest | None:
    """The team's digest for the week of `now` (team-local), or None without a cycle."""
    today = today_in(team.timezone, now)
    span = quarter_of(today)
    cycle = find_cycle(session, workspace_id=team.workspace_id, label=span.label)
    if cycle is None:
        return None
    okrs = team_okrs(session, workspace_id=team.workspace_id, team=team, cycle=cycle)
    kr_ids = [kr.id for objective in okrs.objectives for kr in objective.key_results]
    histories = {
        kr_id: [
            WeekReport(
                period=week,
                value=value,
                confidence=Confidence(confidence) if confidence else None,
                skipped=skipped,
            )
            for week, value, confidence, skipped in rows
        ]
        for kr_id, rows in weekly_reports(session, key_result_ids=kr_ids).items()
    }
    return build_digest(
        team_name=team.name,
        cycle=span,
        today=today,
        objectives=okrs.objectives,
        histories=histories,
    )


@dataclass
class NoDigestChannel(Refused):
    """The team has no channel to post its digest in."""

    team_name: str


@dataclass(frozen=True)
class DigestRequest:
    """A team's digest for this week (None without objectives this cycle) and the channel
    it goes to."""

    team_name: str
    digest: Digest | None
    channel: str | None


def digest_for(
    services: Services, caller: Caller, *, team_name: str, post: bool, now: dt.datetime
) -> DigestRequest:
    """This week's digest of the named team (or the caller's only team): anyone may preview
    it; to `post` it now the caller must administer the team and the team needs a channel.
    Raises NoSuchTeam, WhichTeam, NotTeamAdmin or NoDigestChannel."""
    with services.db.read() as session:
        team = one_team(session, caller, team_name)
        if post:
            require_admin(session, caller, team)
            if not team.digest_channel:
                raise NoDigestChannel(team.name)
        return DigestRequest(
            team.name, team_digest(session, team=team, now=now), team.digest_channel
        )
