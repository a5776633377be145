"""Import and export of teams and OKRs, against real SQLite files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from app.db import Database
from app.db.models import (
    Cycle,
    KeyResult,
    Member,
    Objective,
    Team,
    TeamMembership,
    Workspace,
)
from app.domain.types import KRKind, Status
from app.store.directory import find_member, find_team, is_team_admin
from app.transfer.files import CSV_COLUMNS, dump_documents, load_documents
from app.transfer.schema import ImportFileError, KeyResultEntry, ObjectiveEntry, TeamDocument
from app.usecases import transfer
from app.usecases.transfer import ImportReport, export_documents, import_documents
from tests.databases import Databases
from tests.transfer.samples import RICH, SAMPLE, write

TODAY = dt.date(2026, 11, 15)


@pytest.fixture
def make_db(databases: Databases) -> Iterator[Callable[[str], Database]]:
    """Fresh migrated databases of the test's backend, as many as a test needs."""
    made: list[Database] = []

    def make(name: str = "t") -> Database:
        database = Database(databases.migrated(name))
        made.append(database)
        return database

    yield make
    for database in made:
        database.dispose()


@pytest.fixture
def db(make_db: Callable[[str], Database]) -> Database:
    """One fresh database."""
    return make_db("main")


def import_text(db: Database, tmp_path: Path, text: str, *, name: str = "okrs.yaml") -> Any:
    """Load a file with `text` and import it as of TODAY."""
    return import_documents(db, load_documents(write(tmp_path, name, text)), today=TODAY)


def row_counts(db: Database) -> dict[str, int]:
    """How many rows each table holds."""
    tables = (Workspace, Member, Team, TeamMembership, Cycle, Objective, KeyResult)
    with db.read() as session:
        return {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in tables
        }


def key_results_of(session: Session, objective: Objective) -> list[KeyResult]:
    """An objective's key results in order."""
    return list(
        session.exec(
            select(KeyResult)
            .where(KeyResult.objective_id == objective.id)
            .order_by(col(KeyResult.position))
        ).all()
    )


def slack_id(session: Session, member_id: int | None) -> str | None:
    """The Slack user id of a member row."""
    member = session.get(Member, member_id) if member_id else None
    return member.slack_user_id if member else None


# --- importing ------------------------------------------------------------------------------------


def test_the_sample_file_imports_with_prefilled_numbers(db: Database, tmp_path: Path) -> None:
    report = import_text(db, tmp_path, SAMPLE)

    assert report == ImportReport(teams_created=1, objectives_created=1, key_results_created=2)
    with db.read() as session:
        workspace = session.exec(select(Workspace)).one()
        assert (workspace.slack_team_id, workspace.enterprise_id) == ("T0001", "")
        team = find_team(session, workspace_id=workspace.id or 0, name="growth")
        assert team is not None
        assert (team.name, team.digest_channel, team.timezone) == (
            "Growth",
            "C0123456",
            "Europe/Berlin",
        )
        # Not in the file, so the defaults: Friday 10:00 and Friday 16:00.
        assert (team.checkin_weekday, team.checkin_time) == (4, dt.time(10, 0))
        admin = find_member(session, workspace_id=workspace.id or 0, slack_user_id="U0ADMIN1")
        assert admin is not None
        assert is_team_admin(session, team_id=team.id or 0, member_id=admin.id or 0)

        cycle = session.exec(select(Cycle)).one()
        assert (cycle.label, cycle.start_date, cycle.end_date) == (
            "2026-Q4",
            dt.date(2026, 10, 1),
            dt.date(2026, 12, 31),
        )
        objective = session.exec(select(Objective)).one()
        assert objective.title == "Make onboarding effortless for new teams"
        assert (objective.team_id, objective.cycle_id) == (team.id, cycle.id)
        assert slack_id(session, objective.owner_id) == "U0OWNER1"

        completion, time_to_value = key_results_of(session, objective)
        # Read from the title: "from 60% to 85%".
        assert completion.title == "Raise onboarding completion from 60% to 85%"
        assert completion.kind == KRKind.increase
        assert (completion.start_value, completion.target_value) == (60.0, 85.0)
        assert completion.unit == "%"
        assert completion.current_value == 60.0  # stands at its start until a check-in
        assert slack_id(session, completion.owner_id) == "U0OWNER1"
        assert time_to_value.kind == KRKind.decrease
        assert (time_to_value.start_value, time_to_value.target_value) == (3.0, 1.0)
        assert time_to_value.unit == "days"
        assert slack_id(session, time_to_value.owner_id) == "U0OWNER2"


def test_the_default_cycle_is_the_quarter_in_the_teams_time_zone(
    make_db: Callable[[str], Database], tmp_path: Path
) -> None:
    documents = load_documents(write(tmp_path, "okrs.yaml", SAMPLE))
    # 23:30 UTC on New Year's Eve is already 2027 in Berlin.
    late = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)

    in_berlin = make_db("berlin")
    import_documents(in_berlin, documents, today=late)
    as_given = make_db("date")
    import_documents(as_given, documents, today=late.date())

    with in_berlin.read() as session:
        assert session.exec(select(Cycle.label)).all() == ["2027-Q1"]
    with as_given.read() as session:
        assert session.exec(select(Cycle.label)).all() == ["2026-Q4"]


def test_explicit_values_win_over_the_title(db: Database, tmp_path: Path) -> None:
    import_text(
        db,
        tmp_path,
        """\
        workspace: T0001
        team: Growth
        objectives:
          - title: Be fast
            key_results:
              - title: Cut p95 latency from 300 ms to 200 ms
                start: 280
                unit: milliseconds
              - title: Launch the status page
                kind: Milestone
              - title: NPS 40
                kind: stay above
                target: "45"
        """,
    )
    with db.read() as session:
        latency, launch, nps = key_results_of(session, session.exec(select(Objective)).one())
    assert (latency.kind, latency.start_value, latency.target_value, latency.unit) == (
        KRKind.decrease,
        280.0,
        200.0,
        "milliseconds",
    )
    assert (launch.kind, launch.target_value, launch.current_value) == (
        KRKind.milestone,
        1.0,
        0.0,
    )
    assert (nps.kind, nps.target_value) == (KRKind.stay_above, 45.0)


def test_importing_twice_updates_instead_of_duplicating(db: Database, tmp_path: Path) -> None:
    import_text(db, tmp_path, SAMPLE)
    before = row_counts(db)

    again = import_text(db, tmp_path, SAMPLE)

    assert again == ImportReport(teams_updated=1, objectives_updated=1, key_results_updated=2)
    assert row_counts(db) == before


def test_reimporting_a_changed_file_updates_the_matched_rows(db: Database, tmp_path: Path) -> None:
    import_text(db, tmp_path, SAMPLE)
    with db.write() as session:
        # A check-in happened in Slack meanwhile; the file must not undo it.
        completion = session.exec(select(KeyResult).where(KeyResult.position == 0)).one()
        completion.current_value = 72.0
        session.add(completion)
    changed = (
        SAMPLE.replace("team: Growth", "team: GROWTH ")
        .replace("timezone: Europe/Berlin", "timezone: America/New_York")
        .replace("title: Make onboarding effortless", "title: make  ONBOARDING effortless")
        .replace("target: 1", "target: 2")
        .replace("owner: U0OWNER2", "owner: U0OWNER3")
    )
    changed += textwrap.indent(
        textwrap.dedent(
            """\
            - title: Be the most loved tool
              key_results:
                - title: Raise NPS from 30 to 50
                - title: Reach 200 five-star reviews
            """
        ),
        "  ",
    )

    report = import_text(db, tmp_path, changed)

    assert report == ImportReport(
        teams_updated=1,
        objectives_created=1,
        objectives_updated=1,
        key_results_created=2,
        key_results_updated=2,
    )
    with db.read() as session:
        assert len(session.exec(select(Team)).all()) == 1
        team = session.exec(select(Team)).one()
        assert (team.name, team.timezone) == ("GROWTH", "America/New_York")
        # Left out of the file, so kept.
        assert team.digest_channel == "C0123456"
        first, second = session.exec(select(Objective).order_by(col(Objective.id))).all()
        assert first.title == "make  ONBOARDING effortless for new teams"
        assert second.title == "Be the most loved tool"
        completion, time_to_value = key_results_of(session, first)
        assert completion.current_value == 72.0
        assert time_to_value.target_value == 2.0
        assert slack_id(session, time_to_value.owner_id) == "U0OWNER3"
        assert len(session.exec(select(KeyResult)).all()) == 4


def test_left_out_keys_keep_the_stored_values(db: Database, tmp_path: Path) -> None:
    import_text(
        db,
        tmp_path,
        SAMPLE.replace("admins: [U0ADMIN1]", "admins: [U0ADMIN1]\ncheckin: {day: tue, time: 8:15}")
        + "    description: Why it matters\n",
    )
    bare = "\n".join(line for line in SAMPLE.splitlines() if "owner" not in line)

    import_text(db, tmp_path, bare)

    with db.read() as session:
        team = session.exec(select(Team)).one()
        assert (team.checkin_weekday, team.checkin_time) == (1, dt.time(8, 15))
        objective = session.exec(select(Objective)).one()
        assert slack_id(session, objective.owner_id) == "U0OWNER1"
        assert objective.description == "Why it matters"
        owners = [slack_id(session, kr.owner_id) for kr in key_results_of(session, objective)]
        assert owners == ["U0OWNER1", "U0OWNER2"]


def test_members_join_and_admins_administer(db: Database, tmp_path: Path) -> None:
    import_text(db, tmp_path, SAMPLE.replace("admins: [U0ADMIN1]", RICH_PEOPLE))
    with db.read() as session:
        team = session.exec(select(Team)).one()
        memberships = {
            slack_id(session, m.member_id): m.is_admin
            for m in session.exec(select(TeamMembership)).all()
        }
    assert team.id is not None
    assert memberships == {"U0ADMIN1": True, "U0ADMIN2": True, "U0MEMBER1": False}


RICH_PEOPLE = "admins: [U0ADMIN1, U0ADMIN2]\nmembers: [U0MEMBER1, U0ADMIN2, U0MEMBER1]"


# --- refusing bad files ---------------------------------------------------------------------------


BAD = """\
workspace: T0001
team: Growth
timezone: Europe/Berln
checkin: {day: fryday, time: "25:00"}
cycle: 2026-Q5
admins: [u0lower]
objectives:
  - owner: U0OWNER1
    key_results:
      - title: Raise onboarding completion from 60% to 85%
      - title: Cut time to first value
        target: soon
  - title: A lonely objective
    key_results:
      - title: Raise NPS from 30 to 50
        owner: U0OWNER1
        onwer: U0OWNER2
  - title: Numbers that do not add up
    key_results:
      - title: Ship something
      - title: Lower costs
        kind: decrease
        start: 10
        target: 20
"""


def test_a_bad_file_reports_every_problem_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    import_text(db, tmp_path, SAMPLE)
    before = row_counts(db)

    with pytest.raises(ImportFileError) as caught:
        import_text(db, tmp_path, BAD)

    errors = caught.value.errors
    by_path = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in errors}
    assert by_path["timezone"] == "Unknown time zone 'Europe/Berln'; did you mean Europe/Berlin?"
    assert by_path["checkin.day"].startswith("Unknown weekday 'fryday'")
    assert by_path["checkin.time"].startswith("'25:00' is not a time of day")
    assert by_path["cycle"] == "'2026-Q5' is not a cycle; write it like 2026-Q4"
    assert by_path["admins[0]"] == "'u0lower' is not a Slack user id (like U0123ABCD)"
    assert by_path["objectives[0].title"] == "Required, but missing"
    assert by_path["objectives[0].key_results[1].target"].startswith(
        "Expected a number such as 85, got text ('soon')"
    )
    assert by_path["objectives[1].key_results"] == (
        "An objective needs 2 to 4 key results (it has 1)."
    )
    assert by_path["objectives[1].key_results[0].onwer"] == "Unknown key; did you mean 'owner'?"
    assert by_path["objectives[2].key_results[0].target"].startswith(
        "Enter the target number, e.g. 85. No target could be read from the title"
    )
    assert by_path["objectives[2].key_results[1].target"] == (
        "To decrease, the target must be below the start."
    )
    assert len(errors) == 11, errors
    assert row_counts(db) == before


def test_import_refuses_documents_built_in_code_that_break_the_rules(db: Database) -> None:
    document = TeamDocument(
        workspace="T0001",
        team="Growth",
        objectives=[ObjectiveEntry(title="Too thin", key_results=[KeyResultEntry(title="Do it")])],
    )

    with pytest.raises(ImportFileError) as caught:
        import_documents(db, [document], today=TODAY)

    assert caught.value.errors == [
        "objectives[0].key_results: An objective needs 2 to 4 key results (it has 1).",
        "objectives[0].key_results[0].target: Enter the target number, e.g. 85. No target could "
        "be read from the title: add `target:`, or `kind: milestone` for a done-or-not result.",
    ]
    assert set(row_counts(db).values()) == {0}


def test_a_database_failure_halfway_writes_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = load_documents(write(tmp_path, "okrs.yaml", RICH))
    real = transfer.create_objective
    calls: list[str] = []

    def failing_on_the_second(session: Session, **kwargs: Any) -> Objective:
        calls.append(kwargs["draft"].title)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(session, **kwargs)

    monkeypatch.setattr(transfer, "create_objective", failing_on_the_second)

    with pytest.raises(RuntimeError, match="disk full"):
        import_documents(db, documents, today=TODAY)

    assert len(calls) == 2
    assert set(row_counts(db).values()) == {0}


# --- exporting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_round_trips(make_db: Callable[[str], Database], tmp_path: Path, fmt: Any) -> None:
    first = make_db("first")
    import_text(first, tmp_path, RICH)
    exported = export_documents(first)
    path = write(tmp_path, f"export.{fmt}", dump_documents(exported, fmt))

    second = make_db("second")
    report = import_documents(second, load_documents(path), today=TODAY)

    assert export_documents(second) == exported
    assert report == ImportReport(teams_created=2, objectives_created=3, key_results_created=7)
    assert row_counts(second) == row_counts(first)


def test_export_writes_every_key_result_field(db: Database, tmp_path: Path) -> None:
    import_text(db, tmp_path, RICH)

    documents = export_documents(db)

    assert [(d["team"], d.get("cycle"), len(d["objectives"])) for d in documents] == [
        ("Growth", "2026-Q4", 2),
        ("Growth", "2027-Q1", 1),
        ("Platform", None, 0),
    ]
    growth = documents[0]
    assert {key: growth[key] for key in list(growth)[:10]} == {
        "workspace": "T0001",
        "enterprise": "E0001",
        "team": "Growth",
        "channel": "C0123456",
        "timezone": "Europe/Berlin",
        "admins": ["U0ADMIN1"],
        "members": ["U0MEMBER1", "W0MEMBER2"],
        "checkin": {"day": "monday", "time": "09:30"},
        "digest": {"day": "thursday", "time": "17:00"},
        "cycle": "2026-Q4",
    }
    onboarding = growth["objectives"][0]
    assert onboarding["description"] == "New teams should see value in their first week."
    assert onboarding["key_results"][1] == {
        "title": "Cut time to first value from 3 days to 1 day",
        "owner": "U0OWNER2",
        "kind": "decrease",
        "start": 3,
        "target": 1,
        "current": 3,
        "unit": "days",
    }
    assert onboarding["key_results"][0]["current"] == 70.5
    # Whole numbers are written as integers.
    assert type(onboarding["key_results"][1]["start"]) is int
    assert "start: 3\n" in dump_documents(documents, "yaml")
    assert '"target": 1,' in dump_documents(documents, "json")


def test_export_leaves_archived_rows_out(db: Database, tmp_path: Path) -> None:
    import_text(db, tmp_path, RICH)
    with db.write() as session:
        for objective in session.exec(select(Objective)).all():
            if objective.title == "Ship the self-serve plan":
                objective.status = Status.archived
                session.add(objective)
        churn = session.exec(select(KeyResult).where(col(KeyResult.title).startswith("Keep"))).one()
        churn.status = Status.archived
        session.add(churn)

    (document,) = export_documents(db, cycle="2026-q4")

    (objective,) = document["objectives"]
    assert [kr["title"] for kr in objective["key_results"]] == [
        "Raise onboarding completion from 60% to 85%",
        "Cut time to first value from 3 days to 1 day",
    ]


def test_export_filters(db: Database, tmp_path: Path) -> None:
    import_text(db, tmp_path, RICH)
    import_text(db, tmp_path, SAMPLE.replace("T0001", "T0002"), name="other.yaml")

    def teams(**filters: str) -> list[tuple[str, str, str | None]]:
        return [
            (d["workspace"], d["team"], d.get("cycle")) for d in export_documents(db, **filters)
        ]

    assert teams(workspace="T0002") == [("T0002", "Growth", "2026-Q4")]
    assert teams(team="platform") == [("T0001", "Platform", None)]
    assert teams(cycle="2027-Q1") == [("T0001", "Growth", "2027-Q1")]
    assert teams(workspace="T0001", team="GROWTH", cycle="2026-Q4") == [
        ("T0001", "Growth", "2026-Q4")
    ]
    assert teams(workspace="T9999") == []
    assert dump_documents([], "json") == "[]\n"


def test_csv_has_one_row_per_key_result(db: Database, tmp_path: Path) -> None:
    import_text(db, tmp_path, RICH)

    text = dump_documents(export_documents(db), "csv")

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == 1 + 7
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert records[0] == {
        "workspace": "T0001",
        "team": "Growth",
        "cycle": "2026-Q4",
        "objective": "Make onboarding effortless for new teams",
        "objective_owner": "U0OWNER1",
        "key_result": "Raise onboarding completion from 60% to 85%",
        "owner": "U0OWNER1",
        "kind": "increase",
        "start": "60",
        "target": "85",
        "current": "70.5",
        "unit": "%",
        "progress": "0.42",  # (70.5 - 60) / (85 - 60)
    }
    by_title = {record["key_result"]: record for record in records}
    assert by_title["Cut time to first value from 3 days to 1 day"]["progress"] == "0"
    assert by_title["Keep weekly churn below 2%"]["progress"] == "1"
    assert by_title["Launch the pricing page"]["progress"] == "1"
    assert by_title["Reach 1,200 paying customers"]["progress"] == ""  # nothing reported yet
    assert by_title["Reach 1,200 paying customers"]["objective_owner"] == ""
