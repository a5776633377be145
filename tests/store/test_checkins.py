"""Recording check-ins and reading the latest one of each key result."""

from __future__ import annotations

from sqlmodel import select

from app.db import Database
from app.db.models import KeyResult
from app.domain.cycles import quarter_span
from app.domain.okrs import KeyResultDraft, ObjectiveDraft
from app.domain.types import Confidence
from app.store.checkins import CheckInEntry, latest_check_ins, record_check_ins
from app.store.directory import TeamSettings, create_team, ensure_workspace
from app.store.okrs import create_objective, ensure_cycle


def _three_key_results(db: Database) -> tuple[int, list[int]]:
    with db.write() as session:
        workspace = ensure_workspace(session, slack_team_id="T0001")
        assert workspace.id is not None
        team = create_team(session, workspace_id=workspace.id, settings=TeamSettings(name="Apps"))
        create_objective(
            session,
            workspace_id=workspace.id,
            team=team,
            cycle=ensure_cycle(session, workspace_id=workspace.id, span=quarter_span(2026, 4)),
            draft=ObjectiveDraft(
                title="Delight new teams",
                key_results=[KeyResultDraft(title=f"KR {n}", start=0, target=10) for n in range(3)],
            ),
        )
        ids = [kr.id for kr in session.exec(select(KeyResult).order_by(KeyResult.id)).all()]
        return workspace.id, [kr_id for kr_id in ids if kr_id is not None]


def test_the_latest_check_in_is_the_newest_week_that_was_not_skipped(db: Database) -> None:
    workspace_id, (steady, away, silent) = _three_key_results(db)
    answers = {
        # Weeks arrive out of order; week 9 sorts before 10 as ISO weeks are zero-padded.
        "2026-W46": [(steady, 4, Confidence.at_risk, False), (away, 3, Confidence.on_track, False)],
        "2026-W45": [
            (steady, 2, Confidence.on_track, False),
            (away, 2, Confidence.off_track, False),
        ],
        "2026-W47": [(away, None, None, True)],
        "2026-W09": [(steady, 1, Confidence.off_track, False)],
    }
    with db.write() as session:
        for week, rows in answers.items():
            record_check_ins(
                session,
                workspace_id=workspace_id,
                author_id=None,
                period=week,
                entries=[
                    CheckInEntry(
                        key_result_id=kr, value=value, confidence=confidence, skipped=skipped
                    )
                    for kr, value, confidence, skipped in rows
                ],
            )
    with db.read() as session:
        latest = latest_check_ins(session, key_result_ids=[steady, away, silent])
        assert latest_check_ins(session, key_result_ids=[]) == {}
    assert sorted(latest) == [steady, away]  # nothing for the key result never checked in
    assert (latest[steady].iso_week, latest[steady].value) == ("2026-W46", 4)
    assert latest[steady].confidence == Confidence.at_risk.value
    # Skipping week 47 leaves week 46's answer as the latest.
    assert (latest[away].iso_week, latest[away].confidence) == ("2026-W46", "on_track")
