"""The `/okr list` hot path's plain queries (app.store.listing) read what the ORM reads."""

from __future__ import annotations

from sqlmodel import select

from app.db import Database
from app.db.models import Cycle, KeyResult, Team
from app.domain.cycles import quarter_span
from app.domain.okrs import KeyResultDraft, ObjectiveDraft, TeamOKRs
from app.domain.types import KRKind, Status
from app.store import listing
from app.store.directory import (
    TeamSettings,
    create_team,
    ensure_member,
    ensure_workspace,
    join_team,
)
from app.store.okrs import (
    add_key_result,
    create_objective,
    ensure_cycle,
    set_status,
    team_okrs,
    update_key_result,
    update_objective,
)

Q3, Q4 = quarter_span(2026, 3), quarter_span(2026, 4)


def _draft(title: str, owner: str | None, *krs: KeyResultDraft) -> ObjectiveDraft:
    return ObjectiveDraft(
        title=title, owner=owner, description="Why it matters", key_results=list(krs)
    )


def _seed(db: Database) -> tuple[int, int, int, int]:
    """Two teams in one workspace, a busy one and an empty one; (workspace, team, other, q3)."""
    with db.write() as session:
        workspace = ensure_workspace(session, slack_team_id="T0001")
        assert workspace.id is not None
        growth = create_team(
            session, workspace_id=workspace.id, settings=TeamSettings(name="Growth", timezone="UTC")
        )
        other = create_team(
            session, workspace_id=workspace.id, settings=TeamSettings(name="Apps", timezone="UTC")
        )
        alice = ensure_member(session, workspace_id=workspace.id, slack_user_id="U0ALICE")
        join_team(session, team=growth, member=alice, admin=True)
        join_team(session, team=other, member=alice)
        q3 = ensure_cycle(session, workspace_id=workspace.id, span=Q3)
        q4 = ensure_cycle(session, workspace_id=workspace.id, span=Q4)
        parent = create_objective(
            session,
            workspace_id=workspace.id,
            team=other,
            cycle=q3,
            draft=_draft("Company direction", None, KeyResultDraft(title="Grow", target=10)),
        )
        first = create_objective(
            session,
            workspace_id=workspace.id,
            team=growth,
            cycle=q3,
            draft=_draft(
                "Delight new customers",
                "U0ALICE",
                KeyResultDraft(
                    title="Raise NPS", owner="U0BOB", start=20, target=45, unit="points"
                ),
                KeyResultDraft(title="Ship the wizard", kind=KRKind.milestone),
                KeyResultDraft(title="Keep churn low", kind=KRKind.stay_below, target=2, unit="%"),
            ),
        )
        update_objective(
            session,
            objective=first,
            title="Delight new customers",
            description="",
            owner="U0ALICE",
            parent_id=parent.id,
        )
        archived_kr = add_key_result(
            session, objective=first, draft=KeyResultDraft(title="Old measure", target=3)
        )
        set_status(session, item=archived_kr, status=Status.archived)
        create_objective(
            session,
            workspace_id=workspace.id,
            team=growth,
            cycle=q3,
            draft=_draft("Nothing measured yet", None),
        )
        gone = create_objective(
            session,
            workspace_id=workspace.id,
            team=growth,
            cycle=q3,
            draft=_draft("Archived", None, KeyResultDraft(title="Hidden", target=1)),
        )
        set_status(session, item=gone, status=Status.archived)
        create_objective(
            session,
            workspace_id=workspace.id,
            team=growth,
            cycle=q4,
            draft=_draft("Next quarter", None, KeyResultDraft(title="Later", target=1)),
        )
        assert growth.id and other.id and q3.id
        return workspace.id, growth.id, other.id, q3.id


def _orm_okrs(db: Database, workspace_id: int, team_id: int, cycle_id: int) -> TeamOKRs:
    with db.read() as session:
        team, cycle = session.get(Team, team_id), session.get(Cycle, cycle_id)
        assert team is not None and cycle is not None
        return team_okrs(session, workspace_id=workspace_id, team=team, cycle=cycle)


def test_team_okrs_reads_what_the_orm_reads(db: Database) -> None:
    workspace_id, team_id, other_id, q3 = _seed(db)
    for team, name in ((team_id, "Growth"), (other_id, "Apps")):
        with listing.reading(db.engine) as reader:
            plain = listing.team_okrs(
                reader,
                workspace_id=workspace_id,
                team_id=team,
                team_name=name,
                cycle_id=q3,
                cycle_label=Q3.label,
            )
        assert plain == _orm_okrs(db, workspace_id, team, q3)
    titles = [o.title for o in plain.objectives]
    assert titles == ["Company direction"]
    with listing.reading(db.engine) as reader:
        growth = listing.team_okrs(
            reader,
            workspace_id=workspace_id,
            team_id=team_id,
            team_name="Growth",
            cycle_id=q3,
            cycle_label=Q3.label,
        )
    assert [o.title for o in growth.objectives] == ["Delight new customers", "Nothing measured yet"]
    first = growth.objectives[0]
    assert first.parent_title == "Company direction" and first.owner == "U0ALICE"
    assert [kr.title for kr in first.key_results] == [
        "Raise NPS",
        "Ship the wizard",
        "Keep churn low",
    ]
    assert first.key_results[0].owner == "U0BOB" and first.key_results[0].start == 20
    assert first.key_results[2].kind == KRKind.stay_below
    assert growth.objectives[1].key_results == ()


def test_teams_cycle_and_revision(db: Database) -> None:
    workspace_id, team_id, _other, q3 = _seed(db)
    with listing.reading(db.engine) as reader:
        teams = listing.teams_with_revision(
            reader, workspace_id=workspace_id, user_id="U0ALICE", label=Q3.label
        )
        assert [t.team.name for t in teams] == ["Apps", "Growth"]
        assert listing.cycle_id(reader, workspace_id=workspace_id, label=Q3.label) == q3
        assert listing.cycle_id(reader, workspace_id=workspace_id, label="2031-Q1") is None
        before = listing.list_revision(
            reader, workspace_id=workspace_id, team_id=team_id, cycle_id=q3
        )
    assert before[0] == 0  # not closed
    with db.write() as session:
        kr = session.exec(select(KeyResult).where(KeyResult.title == "Raise NPS")).one()
        update_key_result(
            session, kr=kr, draft=KeyResultDraft(title="Raise NPS a lot", start=20, target=50)
        )
    # A new reader sees the change at once: the revision moved.
    with listing.reading(db.engine) as reader:
        after = listing.list_revision(
            reader, workspace_id=workspace_id, team_id=team_id, cycle_id=q3
        )
    assert after != before


def test_teams_with_revision_reads_what_the_separate_queries_read(db: Database) -> None:
    workspace_id, team_id, other_id, q3 = _seed(db)

    def both() -> tuple[list[listing.TeamRevision], list[listing.TeamRevision]]:
        with listing.reading(db.engine) as reader:
            combined = listing.teams_with_revision(
                reader, workspace_id=workspace_id, user_id="U0ALICE", label=Q3.label
            )
            separate = [
                listing.TeamRevision(
                    entry.team,
                    q3,
                    listing.list_revision(
                        reader, workspace_id=workspace_id, team_id=entry.team.id, cycle_id=q3
                    ),
                )
                for entry in combined
            ]
        return combined, separate

    before, separate = both()
    assert before == separate
    assert [entry.team.id for entry in before] == [other_id, team_id]  # Apps, Growth
    assert before[1].revision is not None and before[1].revision[1] > 0  # objectives
    with db.write() as session:
        kr = session.exec(select(KeyResult).where(KeyResult.title == "Raise NPS")).one()
        update_key_result(
            session, kr=kr, draft=KeyResultDraft(title="Raise NPS a lot", start=20, target=50)
        )
    after, separate = both()
    assert after == separate
    assert after[1].revision != before[1].revision and after[0] == before[0]
    with listing.reading(db.engine) as reader:
        assert (
            listing.teams_with_revision(
                reader, workspace_id=workspace_id, user_id="U0NOBODY", label=Q3.label
            )
            == []
        )
        # No such cycle yet: the teams, without a revision.
        missing = listing.teams_with_revision(
            reader, workspace_id=workspace_id, user_id="U0ALICE", label="2031-Q1"
        )
    assert [(e.team.name, e.cycle_id, e.revision) for e in missing] == [
        ("Apps", None, None),
        ("Growth", None, None),
    ]


def test_reading_hands_the_connection_back_as_it_found_it(db: Database) -> None:
    _seed(db)
    before = db.engine.pool.checkedin()
    with listing.reading(db.engine) as reader:
        assert listing.teams_with_revision(reader, workspace_id=1, user_id="U0ALICE", label="x")
    assert db.engine.pool.checkedin() >= max(before, 1)
    # The pooled connection is back in its transactional mode (PostgreSQL reads run in
    # autocommit): a write through the ORM still commits or rolls back as a whole.
    connection = db.engine.raw_connection()
    try:
        assert getattr(connection.driver_connection, "autocommit", False) is False
    finally:
        connection.close()
    try:
        with db.write() as session:
            team = session.exec(select(Team).where(Team.name == "Apps")).one()
            team.name = "Renamed"
            session.add(team)
            session.flush()
            raise RuntimeError("abandon the write")
    except RuntimeError:
        pass
    with listing.reading(db.engine) as reader:
        found = listing.teams_with_revision(reader, workspace_id=1, user_id="U0ALICE", label="x")
        names = [entry.team.name for entry in found]
    assert names == ["Apps", "Growth"]


def test_a_cycle_id_is_not_reused_after_its_cycle_was_replaced(db: Database) -> None:
    """An uninstall deletes a workspace's cycles and a reinstall makes new ones under the
    same workspace id: a worker's known cycle id must not outlive its row."""
    from sqlalchemy import text

    from app.usecases.services import Services
    from tests.e2e.helpers import heard_by

    workspace_id, _team_id, _other, q3 = _seed(db)

    def read_cycle(reader: listing.Reader) -> int | None:
        return listing.cycle_id(reader, workspace_id=workspace_id, label=Q3.label)

    worker = Services(db=Database(db.url))  # another process's view of the database
    try:
        if worker.db.changes is not None:
            assert worker.db.changes.wait_listening(10)
        with listing.reading(worker.db.engine) as reader:
            assert worker.cycle_id(workspace_id, Q3.label, lambda: read_cycle(reader)) == q3
        with heard_by(worker, workspace_id), db.write() as session:  # erased, recreated
            session.execute(text("DELETE FROM cycle WHERE id = :id"), {"id": q3})
            session.execute(
                text(
                    "INSERT INTO cycle (workspace_id, label, start_date, end_date) "
                    "VALUES (:ws, :label, :start, :end)"
                ),
                {"ws": workspace_id, "label": Q3.label, "start": Q3.start, "end": Q3.end},
            )
        with listing.reading(worker.db.engine) as reader:
            fresh = listing.cycle_id(reader, workspace_id=workspace_id, label=Q3.label)
            assert fresh != q3
            assert worker.cycle_id(workspace_id, Q3.label, lambda: read_cycle(reader)) == fresh
    finally:
        worker.db.dispose()
