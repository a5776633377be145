"""`/okr list`: a team's objectives and key results, live or, once closed, as scored.

The hot path of the app: lists are built once per change and cached by the caller's
front end through a renderer, so this module decides what a list shows and when a cached
one is still right, and the renderer decides how it looks.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Protocol, TypeVar

from app.db import Session
from app.db.models import Team
from app.domain.cycles import current_quarter
from app.domain.okrs import TeamOKRs
from app.domain.scoring import ClosingReport
from app.store import listing
from app.store.closing import closing_report
from app.store.directory import find_team, get_team, list_teams
from app.store.okrs import find_cycle, get_cycle, team_okrs
from app.usecases.errors import NoSuchTeam, Refused
from app.usecases.services import Services

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Renderer(Protocol[T_co]):
    """Turns what a list shows into what the front end answers with (and caches)."""

    def open(self, okrs: TeamOKRs) -> T_co:
        """A live list: progress as it stands."""

    def closed(self, report: ClosingReport) -> T_co:
        """A closed cycle's list: the frozen scores."""


@dataclass
class NotInATeam(Refused):
    """The caller is in no team, and the workspace has not exactly one; `teams` names them."""

    teams: list[str]


def _team_list(
    session: Session,
    render: Renderer[T],
    *,
    workspace_id: int,
    team: Team,
    label: str,
    cycle_id: int | None = None,
) -> T:
    """A team's list for a cycle: live progress, or the frozen scores once closed.

    The hot path passes the cycle's id it already knows, to spare a rebuild that lookup.
    """
    cycle = (
        get_cycle(session, workspace_id=workspace_id, cycle_id=cycle_id)
        if cycle_id
        else find_cycle(session, workspace_id=workspace_id, label=label)
    )
    if cycle is None:
        return render.open(TeamOKRs(team.id or 0, team.name, label, []))
    closed = closing_report(session, workspace_id=workspace_id, team=team, cycle=cycle)
    if closed is not None:
        return render.closed(closed)
    return render.open(team_okrs(session, workspace_id=workspace_id, team=team, cycle=cycle))


def team_list(
    services: Services,
    render: Renderer[T],
    *,
    workspace_id: int,
    team_name: str,
    cycle_label: str | None,
    now: dt.datetime,
) -> T:
    """The named team's list, or (no name) the workspace's only team's. Raises NoSuchTeam
    (with the workspace's team names) or NotInATeam."""
    with services.db.read() as session:
        if team_name:
            team = find_team(session, workspace_id=workspace_id, name=team_name)
            if team is None:
                names = [t.name for t in list_teams(session, workspace_id=workspace_id)]
                raise NoSuchTeam(team_name, names)
        else:
            every = list_teams(session, workspace_id=workspace_id)
            if len(every) != 1:
                raise NotInATeam([t.name for t in every])
            team = every[0]
        label = cycle_label or current_quarter(team.timezone, now).label
        return _team_list(session, render, workspace_id=workspace_id, team=team, label=label)


def my_lists(
    services: Services,
    render: Renderer[T],
    *,
    workspace_id: int,
    user_id: str,
    cycle_label: str | None,
    now: dt.datetime,
) -> list[T] | None:
    """The lists of the caller's teams, from the cache when still right; None without teams.

    The hot path of `/okr list`: at most one small query, and a rebuild only when a
    team's objectives, key results or settings changed since the list was last built (or
    this process has not built it yet). A rebuild reads the team's OKRs with one plain
    query, after the revision it is cached under (see `app.store.listing`); only a closed
    cycle's list, rare, goes through the ORM. On PostgreSQL the caller's teams and their
    revisions are reused, without a query, until the database reports a change in the
    workspace (see `app.db.changes`).
    """
    built: list[T | None] = []
    closed = []
    # Most teams are in the quarter UTC is in: their revisions come with the teams.
    usual = cycle_label or current_quarter("UTC", now).label
    feed = services.db.changes
    with listing.reading_lazily(services.db.engine) as reader:
        teams_key = (workspace_id, user_id, usual)
        # Everything committed before this request, the caller's own last edit included
        # (maybe made through another worker a moment ago), must be heard before a
        # version is trusted; if that can't be shown quickly, read the database.
        version = feed.version(workspace_id) if feed is not None and feed.sync() else None
        found = None if version is None else services.teams_cache.get(teams_key, version)
        if found is None:
            found = listing.teams_with_revision(
                reader(), workspace_id=workspace_id, user_id=user_id, label=usual
            )
            if version is not None:
                services.teams_cache.put(teams_key, version, found)
        if not found:
            return None
        for entry in found:
            row = entry.team
            label = cycle_label or current_quarter(row.timezone, now).label
            cycle_id, counts = entry.cycle_id, entry.revision
            if label != usual:
                # Around a quarter's turn, a team's own day can be in the next or last one.
                cycle_id = services.cycle_id(
                    workspace_id,
                    label,
                    functools.partial(
                        listing.cycle_id, reader(), workspace_id=workspace_id, label=label
                    ),
                )
                counts = (
                    listing.list_revision(
                        reader(), workspace_id=workspace_id, team_id=row.id, cycle_id=cycle_id
                    )
                    if cycle_id
                    else None
                )
            revision = (row.name, row.updated_at, counts)
            key = (workspace_id, row.id, label)
            cached = services.list_cache.get(key, revision)
            if cached is None and counts is not None and counts[0]:
                # The revision's first figure counts the team's closings of this cycle.
                closed.append((len(built), key, revision, row.id, label, cycle_id))
            elif cached is None:
                okrs = (
                    listing.team_okrs(
                        reader(),
                        workspace_id=workspace_id,
                        team_id=row.id,
                        team_name=row.name,
                        cycle_id=cycle_id,
                        cycle_label=label,
                    )
                    if cycle_id
                    else TeamOKRs(row.id, row.name, label, [])
                )
                cached = render.open(okrs)
                services.list_cache.put(key, revision, cached)
            built.append(cached)
    if closed:
        with services.db.read() as session:
            for index, key, revision, team_id, label, cycle_id in closed:
                team = get_team(session, workspace_id=workspace_id, team_id=team_id)
                assert team is not None
                fresh = _team_list(
                    session,
                    render,
                    workspace_id=workspace_id,
                    team=team,
                    label=label,
                    cycle_id=cycle_id,
                )
                services.list_cache.put(key, revision, fresh)
                built[index] = fresh
    return [entry for entry in built if entry is not None]
