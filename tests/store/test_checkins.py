"""Recording check-ins and reading the latest one of each key result."""

from __future__ import annotations

from sqlmodel import select

from app.db import Database
from app.db.models import KeyResult
from app.domain.checkins import CheckInEntry
from app.domain.cycles import quarter_span
from app.domain.okrs import KeyResultDraft, ObjectiveDraft
from app.domain.types import Confidence
from app.store.checkins import latest_check_ins, record_check_ins
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


def test_a_week_holds_one_answer_per_key_result_the_latest_winning(db: Database) -> None:
    """What `record_check_ins` writes, on each database's own path (one statement on
    PostgreSQL): rows upserted, reported values become current values, a skip or a missing
    value leaves the current value alone, and a resubmission keeps the row's creation."""
    from app.db.models import CheckIn, Member
    from app.store.directory import ensure_member

    workspace_id, (reported, skipped, blank) = _three_key_results(db)
    with db.write() as session:
        author: Member = ensure_member(session, workspace_id=workspace_id, slack_user_id="U1")

    def record(entries: list[CheckInEntry]) -> None:
        with db.write(shared=True) as session:
            record_check_ins(
                session,
                workspace_id=workspace_id,
                author_id=author.id,
                period="2026-W48",
                entries=entries,
            )

    def rows() -> dict[int, CheckIn]:
        with db.read() as session:
            return {row.key_result_id: row for row in session.exec(select(CheckIn)).all()}

    def currents() -> dict[int, float | None]:
        with db.read() as session:
            return {kr.id or 0: kr.current_value for kr in session.exec(select(KeyResult)).all()}

    record([])  # nothing to record: nothing written
    assert rows() == {}
    record(
        [
            CheckInEntry(blank, None, Confidence.at_risk, note="no number yet"),
            CheckInEntry(skipped, None, None, skipped=True),
            CheckInEntry(reported, 4, Confidence.on_track, note="on its way"),
        ]
    )
    first = rows()
    assert sorted(first) == [reported, skipped, blank]
    assert (first[reported].value, first[reported].confidence) == (4, "on_track")
    assert (first[reported].note, first[reported].author_id) == ("on its way", author.id)
    assert first[skipped].skipped and first[skipped].value is None
    assert (first[blank].value, first[blank].note) == (None, "no number yet")
    assert currents() == {reported: 4, skipped: 0, blank: 0}
    record([CheckInEntry(reported, 6.5, Confidence.at_risk), CheckInEntry(skipped, 3, None)])
    again = rows()
    assert len(again) == 3  # the same week's rows, updated
    assert (again[reported].value, again[reported].confidence, again[reported].note) == (
        6.5,
        "at_risk",
        "",
    )
    assert (again[skipped].value, again[skipped].skipped) == (3, False)
    assert again[reported].created_at == first[reported].created_at
    assert again[reported].updated_at >= first[reported].updated_at
    assert again[blank].note == "no number yet"  # not in this submission: untouched
    assert currents() == {reported: 6.5, skipped: 3, blank: 0}


def test_a_late_answer_to_an_older_week_leaves_the_newer_current_value(db: Database) -> None:
    """Answers arrive in any order; the newest week's reported value stays current."""
    workspace_id, (kr_id, _, _) = _three_key_results(db)

    def record(period: str, value: float | None, *, skipped: bool = False) -> float | None:
        with db.write(shared=True) as session:
            record_check_ins(
                session,
                workspace_id=workspace_id,
                author_id=None,
                period=period,
                entries=[CheckInEntry(kr_id, value, None, skipped=skipped)],
            )
        with db.read() as session:
            kr = session.get(KeyResult, kr_id)
            assert kr is not None
            return kr.current_value

    assert record("2026-W48", 7) == 7
    assert record("2026-W47", 5) == 7  # last week's prompt, answered late
    assert record("2026-W49", None, skipped=True) == 7  # a skip is no newer report
    assert record("2026-W48", 8) == 8  # the newest report corrected
    assert record("2026-W50", 9) == 9
