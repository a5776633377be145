"""Importing team documents into the database, and exporting them from it.

Rules the importer follows (`app.transfer` reads and validates the file):

* Everything is written in one transaction: on any error nothing is written.
* Importing the same file again updates rather than duplicates. Teams match by workspace
  and name, cycles by label, objectives by team, cycle and title, key results by objective
  and title (titles case-insensitively, whitespace normalised). Archived objectives and key
  results are not matched. Rows the file does not mention are left alone.
* A key the file leaves out (or sets to null) keeps the stored value: owners, description,
  channel, time zone, rhythm, and a key result's ``current``. A key result's kind, start,
  target and unit always take the file's value, read from the title when not given.

Rows are read and written through `app.store`; no SQL here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.db import Database, Session
from app.db.models import Cycle, Objective, Team, Workspace
from app.domain.cycles import parse_cycle_label, quarter_of, today_in
from app.domain.okrs import KeyResultDraft
from app.domain.types import KRKind
from app.store.directory import (
    TeamSettings,
    create_team,
    ensure_member,
    ensure_workspace,
    find_team,
    join_team,
    list_teams,
    settings_of,
    slack_user_id_of,
    team_key,
    team_people,
    update_team,
    workspaces,
)
from app.store.okrs import (
    add_key_result,
    create_objective,
    cycles_with_objectives,
    ensure_cycle,
    key_results_of,
    objectives_of,
    team_okrs,
    update_key_result,
    update_objective,
)
from app.transfer.schema import (
    WEEKDAYS,
    ImportFileError,
    ObjectiveEntry,
    TeamDocument,
    plain_number,
    title_key,
)
from app.transfer.validation import rule_errors


@dataclass
class ImportReport:
    """What an import did. "Updated" means matched and given the file's values."""

    teams_created: int = 0
    teams_updated: int = 0
    objectives_created: int = 0
    objectives_updated: int = 0
    key_results_created: int = 0
    key_results_updated: int = 0

    def __str__(self) -> str:
        return (
            f"teams: {self.teams_created} created, {self.teams_updated} updated; "
            f"objectives: {self.objectives_created} created, {self.objectives_updated} updated; "
            f"key results: {self.key_results_created} created, "
            f"{self.key_results_updated} updated"
        )


def import_documents(
    db: Database, documents: Sequence[TeamDocument], *, today: dt.date
) -> ImportReport:
    """Write the documents' teams, people, cycles, objectives and key results.

    All in one transaction: if anything fails, nothing is written. Matching rows are
    updated (see the module docstring), so importing a file twice changes nothing more.
    `today` picks the cycle of documents that name none: pass an aware datetime to have it
    read in each team's time zone; a plain date is used as it is. Raises ImportFileError
    (before writing) when a document breaks the OKR rules, e.g. one built in code.
    """
    problems = rule_errors(documents)
    if problems:
        raise ImportFileError(problems)

    report = ImportReport()
    counted_teams: set[int] = set()
    with db.write() as session:
        for document in documents:
            _import_document(session, document, today=today, report=report, seen=counted_teams)
    return report


def _import_document(
    session: Session,
    document: TeamDocument,
    *,
    today: dt.date,
    report: ImportReport,
    seen: set[int],
) -> None:
    workspace = ensure_workspace(
        session, slack_team_id=document.workspace, enterprise_id=document.enterprise
    )
    assert workspace.id is not None
    team = find_team(session, workspace_id=workspace.id, name=document.team)
    if team is None:
        team = create_team(
            session, workspace_id=workspace.id, settings=_team_settings(document, None)
        )
        report.teams_created += 1
    else:
        update_team(session, team=team, settings=_team_settings(document, team))
        if team.id not in seen:
            report.teams_updated += 1
    assert team.id is not None
    seen.add(team.id)

    admins = dict.fromkeys(document.admins)
    for slack_user_id in [*admins, *(m for m in document.members if m not in admins)]:
        member = ensure_member(session, workspace_id=workspace.id, slack_user_id=slack_user_id)
        join_team(session, team=team, member=member, admin=slack_user_id in admins)

    if not document.objectives:
        return  # a team-only document: no cycle to create
    if document.cycle:
        span = parse_cycle_label(document.cycle)
    else:
        local_day = today_in(team.timezone, today) if isinstance(today, dt.datetime) else today
        span = quarter_of(local_day)
    cycle = ensure_cycle(session, workspace_id=workspace.id, span=span)
    _import_objectives(session, team=team, cycle=cycle, entries=document.objectives, report=report)


def _team_settings(document: TeamDocument, team: Team | None) -> TeamSettings:
    """The file's settings; what it leaves out keeps the team's value (or the default)."""
    settings = TeamSettings(name=document.team)
    if team is not None:
        settings = settings_of(team)
        settings.name = document.team
    if document.channel is not None:
        settings.digest_channel = document.channel
    if document.timezone is not None:
        settings.timezone = document.timezone
    if document.checkin is not None:
        settings.checkin_weekday = document.checkin.day
        settings.checkin_time = document.checkin.time
    if document.digest is not None:
        settings.digest_weekday = document.digest.day
        settings.digest_time = document.digest.time
    return settings


def _import_objectives(
    session: Session,
    *,
    team: Team,
    cycle: Cycle,
    entries: Sequence[ObjectiveEntry],
    report: ImportReport,
) -> None:
    assert team.id is not None and cycle.id is not None
    existing = {
        title_key(objective.title): objective
        for objective in objectives_of(
            session, workspace_id=team.workspace_id, team_id=team.id, cycle_id=cycle.id
        )
    }
    for entry in entries:
        draft = entry.draft()
        key = title_key(entry.title)
        objective = existing.get(key)
        if objective is None:
            existing[key] = create_objective(
                session, workspace_id=team.workspace_id, team=team, cycle=cycle, draft=draft
            )
            report.objectives_created += 1
            report.key_results_created += len(draft.key_results)
            continue
        update_objective(
            session,
            objective=objective,
            title=entry.title,
            description=draft.description
            if entry.description is not None
            else objective.description,
            owner=draft.owner or slack_user_id_of(session, objective.owner_id),
            parent_id=objective.parent_id,  # alignment is set in Slack; keep it
        )
        report.objectives_updated += 1
        _import_key_results(session, objective=objective, drafts=draft.key_results, report=report)


def _import_key_results(
    session: Session,
    *,
    objective: Objective,
    drafts: Sequence[KeyResultDraft],
    report: ImportReport,
) -> None:
    existing = {title_key(kr.title): kr for kr in key_results_of(session, objective=objective)}
    for draft in drafts:
        key = title_key(draft.title)
        kr = existing.get(key)
        if kr is None:
            existing[key] = add_key_result(session, objective=objective, draft=draft)
            report.key_results_created += 1
            continue
        if draft.owner is None:
            draft.owner = slack_user_id_of(session, kr.owner_id)
        update_key_result(session, kr=kr, draft=draft)
        report.key_results_updated += 1


def export_documents(
    db: Database,
    *,
    workspace: str | None = None,
    team: str | None = None,
    cycle: str | None = None,
) -> list[dict[str, Any]]:
    """Teams and their active OKRs as documents the importer reads back.

    One document per team and cycle in which the team has active objectives, ordered by
    workspace, team name and cycle. A team without any active objective still gets one
    document, without `cycle` and with `objectives: []`, so its settings and people are not
    lost (unless `cycle` is given: then only documents of that cycle). `workspace` is a
    Slack workspace id, `team` a team name (any case), `cycle` a label like 2026-Q4.
    """
    wanted_cycle = cycle.strip().upper() if cycle else None
    documents: list[dict[str, Any]] = []
    with db.read() as session:
        for found_workspace in workspaces(session, slack_team_id=workspace):
            assert found_workspace.id is not None
            for found_team in list_teams(session, workspace_id=found_workspace.id):
                if team is not None and found_team.name_key != team_key(team):
                    continue
                head = _team_head(session, found_workspace, found_team)
                cycles = cycles_with_objectives(session, team=found_team)
                if wanted_cycle is not None:
                    cycles = [c for c in cycles if c.label.upper() == wanted_cycle]
                elif not cycles:
                    documents.append({**head, "objectives": []})
                for found_cycle in cycles:
                    okrs = team_okrs(
                        session,
                        workspace_id=found_workspace.id,
                        team=found_team,
                        cycle=found_cycle,
                    )
                    objectives = [_objective_entry(objective) for objective in okrs.objectives]
                    documents.append({**head, "cycle": found_cycle.label, "objectives": objectives})
    return documents


def _team_head(session: Session, workspace: Workspace, team: Team) -> dict[str, Any]:
    """A document's team part, in the order a person would write it."""
    head: dict[str, Any] = {"workspace": workspace.slack_team_id}
    if workspace.enterprise_id:
        head["enterprise"] = workspace.enterprise_id
    head["team"] = team.name
    if team.digest_channel:
        head["channel"] = team.digest_channel
    head["timezone"] = team.timezone
    people = team_people(session, team=team)
    head["admins"] = [slack_user_id for slack_user_id, is_admin in people if is_admin]
    head["members"] = [slack_user_id for slack_user_id, is_admin in people if not is_admin]
    head["checkin"] = _rhythm(team.checkin_weekday, team.checkin_time)
    head["digest"] = _rhythm(team.digest_weekday, team.digest_time)
    return head


def _rhythm(weekday: int, time: dt.time) -> dict[str, str]:
    return {"day": WEEKDAYS[weekday], "time": time.strftime("%H:%M")}


def _objective_entry(objective: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"title": objective.title}
    if objective.owner:
        entry["owner"] = objective.owner
    if objective.description:
        entry["description"] = objective.description
    key_results = []
    for kr in objective.key_results:
        item: dict[str, Any] = {"title": kr.title}
        if kr.owner:
            item["owner"] = kr.owner
        item.update(
            kind=KRKind(kr.kind).value,
            start=plain_number(kr.start),
            target=plain_number(kr.target),
            current=plain_number(kr.current),
            unit=kr.unit,
        )
        key_results.append(item)
    entry["key_results"] = key_results
    return entry
