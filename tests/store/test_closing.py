"""Closing a team's cycle, against a real migrated SQLite file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from app.db import Database
from app.db.models import Cycle, CycleClose, KeyResult, Objective, Team
from app.domain.cycles import quarter_span, today_in
from app.domain.okrs import KeyResultDraft, ObjectiveDraft
from app.domain.scoring import ClosingReport
from app.domain.types import KRKind, Status
from app.store.closing import (
    carry_over,
    close_cycle,
    closing_report,
    due_for_closing,
    is_closed,
    key_result_scope,
)
from app.store.directory import TeamSettings, create_team, ensure_member, ensure_workspace
from app.store.okrs import create_objective, ensure_cycle, find_cycle, set_status

NOW = dt.datetime(2026, 10, 2, 9, 0, tzinfo=dt.UTC)
Q2, Q3, Q4 = quarter_span(2026, 2), quarter_span(2026, 3), quarter_span(2026, 4)


@dataclass
class Ids:
    """The rows a test works with, by id (sessions do not outlive a `with` block)."""

    workspace: int
    team: int
    admin: int
    q3: int


def _draft(title: str, *krs: KeyResultDraft) -> ObjectiveDraft:
    return ObjectiveDraft(title=title, owner="U0ALICE", key_results=list(krs))


def _kr(title: str, **numbers: Any) -> KeyResultDraft:
    return KeyResultDraft(title=title, owner="U0BOB", **numbers)


def _setup(session: Session, *, slack_team_id: str = "T0001", name: str = "Growth") -> Ids:
    workspace = ensure_workspace(session, slack_team_id=slack_team_id)
    assert workspace.id is not None
    team = create_team(
        session, workspace_id=workspace.id, settings=TeamSettings(name=name, timezone="UTC")
    )
    admin = ensure_member(session, workspace_id=workspace.id, slack_user_id="U0ALICE")
    q3 = ensure_cycle(session, workspace_id=workspace.id, span=Q3)
    assert team.id and admin.id and q3.id
    return Ids(workspace.id, team.id, admin.id, q3.id)


def _q3_okrs(session: Session, ids: Ids) -> None:
    """Two objectives in 2026-Q3: KR scores 1.0, 0.5, 0.0 (never reported) and 0.8, 1.0."""
    team, cycle = _team(session, ids), _cycle(session, ids.q3)
    create_objective(
        session,
        workspace_id=ids.workspace,
        team=team,
        cycle=cycle,
        draft=_draft(
            "Make onboarding effortless",
            _kr("Raise completion from 60% to 85%", start=60, target=85, current=90, unit="%"),
            _kr(
                "Cut time to value from 3 to 1 days",
                kind=KRKind.decrease,
                start=3,
                target=1,
                current=2,
                unit="days",
            ),
            _kr("Grow weekly active teams to 200", start=None, target=200),
        ),
    )
    create_objective(
        session,
        workspace_id=ids.workspace,
        team=team,
        cycle=cycle,
        draft=_draft(
            "Be the team's favourite tool",
            _kr("Raise NPS from 20 to 45", start=20, target=45, current=40),
            _kr("Ship the public API", kind=KRKind.milestone, current=1),
        ),
    )


def _team(session: Session, ids: Ids) -> Team:
    team = session.get(Team, ids.team)
    assert team is not None
    return team


def _cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    assert cycle is not None
    return cycle


def _close(
    session: Session,
    ids: Ids,
    cycle_id: int | None = None,
    *,
    automatic: bool = False,
    closed_by: int | str | None = "admin",
) -> ClosingReport:
    return close_cycle(
        session,
        workspace_id=ids.workspace,
        team=_team(session, ids),
        cycle=_cycle(session, cycle_id or ids.q3),
        closed_by=ids.admin if closed_by == "admin" else None,
        now=NOW,
        automatic=automatic,
    )


def _kr_id(session: Session, title_start: str, cycle_id: int | None = None) -> int:
    statement = (
        select(KeyResult.id)
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .where(col(KeyResult.title).startswith(title_start))
    )
    if cycle_id is not None:
        statement = statement.where(Objective.cycle_id == cycle_id)
    found = session.exec(statement).one()
    assert found is not None
    return found


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def ids(db: Database) -> Ids:
    with db.write() as session:
        made = _setup(session)
        _q3_okrs(session, made)
        return made


# --- closing ---------------------------------------------------------------------------------


def test_closing_freezes_scores_on_key_results_and_objectives(db: Database, ids: Ids) -> None:
    with db.write() as session:
        report = _close(session, ids)
    assert (report.team_name, report.cycle_label, report.next_cycle_label) == (
        "Growth",
        "2026-Q3",
        "2026-Q4",
    )
    assert report.closed_by == "U0ALICE" and not report.automatic
    scores = [[kr.score for kr in o.key_results] for o in report.objectives]
    assert scores == [[1.0, 0.5, 0.0], [0.8, 1.0]]
    assert [o.score for o in report.objectives] == [0.5, 0.9]
    assert report.summary.mean_score == 0.7
    assert report.summary.key_results_succeeded == 3
    assert [kr.id for kr in report.carryable] == [
        kr.id for o in report.objectives for kr in o.key_results if kr.score < 1.0
    ]
    assert not report.too_safe
    with db.read() as session:
        stored = session.exec(
            select(KeyResult.title, KeyResult.score).order_by(col(KeyResult.id))
        ).all()
        assert [score for _, score in stored] == [1.0, 0.5, 0.0, 0.8, 1.0]
        assert is_closed(session, team_id=ids.team, cycle_id=ids.q3)


def test_closing_twice_returns_the_same_report_and_writes_nothing(db: Database, ids: Ids) -> None:
    with db.write() as session:
        first = _close(session, ids)
    with db.write() as session:
        again = _close(session, ids, automatic=True, closed_by=None)
        assert _count(session, CycleClose) == 1
    assert again == first
    assert not again.automatic  # the first close is the one on record


def test_a_value_reported_after_the_close_does_not_move_the_score(db: Database, ids: Ids) -> None:
    with db.write() as session:
        _close(session, ids)
        kr = session.get(KeyResult, _kr_id(session, "Cut time"))
        assert kr is not None
        kr.current_value = 1
        session.add(kr)
    with db.write() as session:
        report = _close(session, ids)
    assert report.objectives[0].key_results[1].score == 0.5
    assert report.objectives[0].score == 0.5


def test_archived_objectives_and_key_results_are_not_scored(db: Database, ids: Ids) -> None:
    with db.write() as session:
        kr = session.get(KeyResult, _kr_id(session, "Grow weekly"))
        assert kr is not None
        set_status(session, item=kr, status=Status.archived)
        report = _close(session, ids)
        assert kr.score is None
    assert [kr.score for kr in report.objectives[0].key_results] == [1.0, 0.5]
    assert report.objectives[0].score == 0.75


def test_the_report_keeps_what_was_scored(db: Database, ids: Ids) -> None:
    with db.write() as session:
        before = _close(session, ids)
    with db.write() as session:
        objective = session.exec(select(Objective).order_by(col(Objective.id))).first()
        assert objective is not None
        set_status(session, item=objective, status=Status.archived)
        create_objective(
            session,
            workspace_id=ids.workspace,
            team=_team(session, ids),
            cycle=_cycle(session, ids.q3),
            draft=_draft("Added later", _kr("Grow X from 1 to 2", start=1, target=2)),
        )
    with db.read() as session:
        after = closing_report(
            session,
            workspace_id=ids.workspace,
            team=_team(session, ids),
            cycle=_cycle(session, ids.q3),
        )
    assert after == before


def test_an_open_cycle_has_no_report(db: Database, ids: Ids) -> None:
    with db.read() as session:
        team, cycle = _team(session, ids), _cycle(session, ids.q3)
        assert closing_report(session, workspace_id=ids.workspace, team=team, cycle=cycle) is None
        assert not is_closed(session, team_id=ids.team, cycle_id=ids.q3)


def test_closing_refuses_a_team_of_another_workspace(db: Database, ids: Ids) -> None:
    with db.write() as session:
        other = _setup(session, slack_team_id="T0OTHER", name="Rivals")
        with pytest.raises(ValueError):
            close_cycle(
                session,
                workspace_id=other.workspace,
                team=_team(session, ids),
                cycle=_cycle(session, other.q3),
                closed_by=None,
                now=NOW,
            )


def test_a_team_with_no_objectives_can_still_close(db: Database, ids: Ids) -> None:
    with db.write() as session:
        q2 = ensure_cycle(session, workspace_id=ids.workspace, span=Q2)
        report = _close(session, ids, q2.id)
    assert report.objectives == () and report.summary.key_results == 0


# --- too safe ---------------------------------------------------------------------------------


def _all_hit(session: Session, ids: Ids, span_cycle: Cycle, *, hits: int, misses: int) -> None:
    krs = [_kr(f"Hit {n} {span_cycle.label}", start=0, target=10, current=10) for n in range(hits)]
    krs += [
        _kr(f"Miss {n} {span_cycle.label}", start=0, target=10, current=5) for n in range(misses)
    ]
    create_objective(
        session,
        workspace_id=ids.workspace,
        team=_team(session, ids),
        cycle=span_cycle,
        draft=_draft(f"Safe {span_cycle.label}", *krs),
    )


def test_too_safe_after_two_cycles_running_at_100_percent(db: Database) -> None:
    with db.write() as session:
        ids = _setup(session)
        q2 = ensure_cycle(session, workspace_id=ids.workspace, span=Q2)
        _all_hit(session, ids, q2, hits=3, misses=1)
        _all_hit(session, ids, _cycle(session, ids.q3), hits=2, misses=1)
        assert not _close(session, ids, q2.id).too_safe  # one cycle is not a pattern
        assert _close(session, ids).too_safe
    with db.read() as session:
        report = closing_report(
            session,
            workspace_id=ids.workspace,
            team=_team(session, ids),
            cycle=_cycle(session, ids.q3),
        )
        assert report is not None and report.too_safe


def test_not_too_safe_when_one_of_the_two_cycles_stretched(db: Database) -> None:
    with db.write() as session:
        ids = _setup(session)
        q2 = ensure_cycle(session, workspace_id=ids.workspace, span=Q2)
        _all_hit(session, ids, q2, hits=3, misses=1)
        _all_hit(session, ids, _cycle(session, ids.q3), hits=2, misses=2)  # half is not most
        _close(session, ids, q2.id)
        assert not _close(session, ids).too_safe


def test_too_safe_ignores_other_teams_history(db: Database) -> None:
    with db.write() as session:
        ids = _setup(session)
        q2 = ensure_cycle(session, workspace_id=ids.workspace, span=Q2)
        other_team = create_team(
            session, workspace_id=ids.workspace, settings=TeamSettings(name="Platform")
        )
        other = Ids(ids.workspace, other_team.id or 0, ids.admin, ids.q3)
        _all_hit(session, other, q2, hits=3, misses=0)
        _close(session, other, q2.id)
        _all_hit(session, ids, _cycle(session, ids.q3), hits=3, misses=0)
        assert not _close(session, ids).too_safe


# --- due for closing ----------------------------------------------------------------------------


def test_cycles_with_objectives_are_due_after_their_last_day(db: Database, ids: Ids) -> None:
    with db.write() as session:
        q4 = ensure_cycle(session, workspace_id=ids.workspace, span=Q4)
        _all_hit(session, ids, q4, hits=1, misses=1)
        # Another team with an empty, ended cycle is never due: nothing to score.
        create_team(session, workspace_id=ids.workspace, settings=TeamSettings(name="Quiet"))

    def due_on(day: dt.date) -> list[tuple[str, str]]:
        with db.read() as session:
            return [
                (team.name, cycle.label)
                for team, cycle in due_for_closing(session, today_by_team=lambda _: day)
            ]

    assert due_on(dt.date(2026, 9, 30)) == []  # the last day is still part of the cycle
    assert due_on(dt.date(2026, 10, 1)) == [("Growth", "2026-Q3")]
    assert due_on(dt.date(2027, 1, 1)) == [("Growth", "2026-Q3"), ("Growth", "2026-Q4")]
    with db.write() as session:
        _close(session, ids, automatic=True, closed_by=None)
    assert due_on(dt.date(2027, 1, 1)) == [("Growth", "2026-Q4")]


def test_due_for_closing_uses_each_teams_own_today(db: Database) -> None:
    with db.write() as session:
        ids = _setup(session)
        _q3_okrs(session, ids)
        team = _team(session, ids)
        team.timezone = "Pacific/Auckland"
        session.add(team)
    # 30 Sep 12:00 UTC is already 1 Oct in Auckland.
    now = dt.datetime(2026, 9, 30, 12, 0, tzinfo=dt.UTC)
    with db.read() as session:
        due = due_for_closing(session, today_by_team=lambda t: today_in(t.timezone, now))
        assert [(t.name, c.label) for t, c in due] == [("Growth", "2026-Q3")]


def test_a_team_whose_objectives_are_all_archived_is_not_due(db: Database, ids: Ids) -> None:
    with db.write() as session:
        for objective in session.exec(select(Objective)).all():
            set_status(session, item=objective, status=Status.archived)
    with db.read() as session:
        assert due_for_closing(session, today_by_team=lambda _: dt.date(2027, 1, 1)) == []


# --- carry over ------------------------------------------------------------------------------


def _carry(session: Session, ids: Ids, kr_ids: list[int]) -> list[int]:
    return carry_over(
        session,
        workspace_id=ids.workspace,
        team=_team(session, ids),
        from_cycle=_cycle(session, ids.q3),
        key_result_ids=kr_ids,
        now=NOW,
    )


def test_carry_over_copies_unfinished_key_results_once(db: Database, ids: Ids) -> None:
    with db.write() as session:
        _close(session, ids)
        cut, grow, nps = (_kr_id(session, t) for t in ("Cut time", "Grow weekly", "Raise NPS"))
        copies = _carry(session, ids, [cut, grow, nps])
    assert len(copies) == 3
    with db.write() as session:
        # Again, in another order and with a duplicate: the same copies, nothing new.
        assert _carry(session, ids, [nps, cut, cut, grow]) == [copies[2], copies[0], copies[1]]
    with db.read() as session:
        q4 = find_cycle(session, workspace_id=ids.workspace, label="2026-Q4")
        assert q4 is not None
        objectives = session.exec(
            select(Objective).where(Objective.cycle_id == q4.id).order_by(col(Objective.id))
        ).all()
        # One copy per objective, in the team; no score yet.
        assert [(o.title, o.team_id, o.score) for o in objectives] == [
            ("Make onboarding effortless", ids.team, None),
            ("Be the team's favourite tool", ids.team, None),
        ]
        carried = {
            kr.carried_from_id: kr
            for kr in session.exec(select(KeyResult).where(col(KeyResult.id).in_(copies))).all()
        }
        assert set(carried) == {cut, grow, nps}
        new_cut = carried[cut]
        # Starts where it ended (2 days), same target, unit, kind and owner.
        assert (new_cut.kind, new_cut.start_value, new_cut.current_value) == (
            KRKind.decrease,
            2,
            2,
        )
        assert (new_cut.target_value, new_cut.unit) == (1, "days")
        origin = session.get(KeyResult, cut)
        assert origin is not None and new_cut.owner_id == origin.owner_id
        assert new_cut.score is None and new_cut.objective_id == objectives[0].id
        # Never reported: keeps its baseline (none).
        assert (carried[grow].start_value, carried[grow].current_value) == (None, None)
        assert carried[nps].start_value == 40


def test_carry_over_refuses_finished_key_results(db: Database, ids: Ids) -> None:
    with db.write() as session:
        _close(session, ids)
        done = [_kr_id(session, "Raise completion"), _kr_id(session, "Ship the public API")]
        assert _carry(session, ids, done) == []
        assert find_cycle(session, workspace_id=ids.workspace, label="2026-Q4") is None


def test_carry_over_needs_the_cycle_closed(db: Database, ids: Ids) -> None:
    with db.write() as session:
        assert _carry(session, ids, [_kr_id(session, "Cut time")]) == []


def test_carry_over_reuses_an_objective_with_the_same_title(db: Database, ids: Ids) -> None:
    with db.write() as session:
        q4 = ensure_cycle(session, workspace_id=ids.workspace, span=Q4)
        existing = create_objective(
            session,
            workspace_id=ids.workspace,
            team=_team(session, ids),
            cycle=q4,
            draft=_draft(
                "make  onboarding EFFORTLESS", _kr("Grow Y from 1 to 2", start=1, target=2)
            ),
        )
        _close(session, ids)
        [copy_id] = _carry(session, ids, [_kr_id(session, "Cut time")])
        copy = session.get(KeyResult, copy_id)
        assert copy is not None and copy.objective_id == existing.id
        assert copy.position == 1
        assert _count(session, Objective) == 3


def test_carry_over_refuses_key_results_of_another_workspace(db: Database, ids: Ids) -> None:
    with db.write() as session:
        other = _setup(session, slack_team_id="T0OTHER", name="Rivals")
        _q3_okrs(session, other)
        _close(session, other)
        _close(session, ids)
        theirs = _kr_id(session, "Cut time", other.q3)
        # Our workspace and team, their key result id: refused.
        assert _carry(session, ids, [theirs]) == []
        # Their key result id under their team but our workspace id: refused too.
        assert (
            carry_over(
                session,
                workspace_id=ids.workspace,
                team=_team(session, ids),
                from_cycle=_cycle(session, ids.q3),
                key_result_ids=[theirs],
                now=NOW,
            )
            == []
        )
        assert key_result_scope(session, workspace_id=ids.workspace, key_result_id=theirs) is None
        assert _count(session, KeyResult) == 10


def test_carry_over_refuses_another_teams_key_results(db: Database, ids: Ids) -> None:
    with db.write() as session:
        platform = create_team(
            session, workspace_id=ids.workspace, settings=TeamSettings(name="Platform")
        )
        other = Ids(ids.workspace, platform.id or 0, ids.admin, ids.q3)
        _all_hit(session, other, _cycle(session, ids.q3), hits=0, misses=2)
        _close(session, other)
        _close(session, ids)
        theirs = _kr_id(session, "Miss 0")
        assert _carry(session, ids, [theirs]) == []


def test_the_report_shows_what_was_carried(db: Database, ids: Ids) -> None:
    with db.write() as session:
        _close(session, ids)
        cut = _kr_id(session, "Cut time")
        [copy_id] = _carry(session, ids, [cut])
        report = closing_report(
            session,
            workspace_id=ids.workspace,
            team=_team(session, ids),
            cycle=_cycle(session, ids.q3),
        )
    assert report is not None
    by_id = {kr.id: kr for o in report.objectives for kr in o.key_results}
    assert by_id[cut].carried_to_id == copy_id and not by_id[cut].can_carry
    assert cut not in [kr.id for kr in report.carryable]


def test_key_result_scope_finds_team_and_cycle(db: Database, ids: Ids) -> None:
    with db.read() as session:
        scope = key_result_scope(
            session, workspace_id=ids.workspace, key_result_id=_kr_id(session, "Cut time")
        )
        assert scope is not None
        team, cycle = scope
        assert (team.id, cycle.id) == (ids.team, ids.q3)
        assert key_result_scope(session, workspace_id=ids.workspace, key_result_id=999) is None
