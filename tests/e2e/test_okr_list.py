"""`/okr list` and `/okr help` end to end, and answers to bad input."""

from __future__ import annotations

from app.domain.checkins import CheckInEntry
from app.slack import ids
from app.slack.limits import message_errors
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOB, CAROL
from tests.e2e.helpers import all_text, create_objective, create_team, heard_by


def test_help_is_the_default_and_is_ephemeral(slack: SlackDriver) -> None:
    for text in ("", "help"):
        body = slack.slash_command(user_id=ALICE, text=text).json()
        assert body["response_type"] == "ephemeral"
        assert "/okr new" in all_text(body["blocks"])
        assert "/okr list" in all_text(body["blocks"])


def test_unknown_subcommand_gets_usage_privately(slack: SlackDriver) -> None:
    body = slack.slash_command(user_id=ALICE, text="frobnicate now").json()
    assert body["response_type"] == "ephemeral"
    assert "`/okr frobnicate`" in body["text"]
    assert "/okr list [team]" in all_text(body["blocks"])


def test_bad_arguments_get_usage(slack: SlackDriver) -> None:
    for text in ("new please", "edit", "edit banana", "archive O1 O2", "team x"):
        body = slack.slash_command(user_id=ALICE, text=text).json()
        assert body["response_type"] == "ephemeral", text
        assert "Usage:" in all_text(body["blocks"]), text


def test_list_shows_objectives_with_progress_bars(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE, owners=(ALICE, BOB))
    body = slack.slash_command(user_id=ALICE, text="list").json()
    assert body["response_type"] == "ephemeral"
    text = all_text(body["blocks"])
    assert "Growth · 2026-Q4" in text
    assert "O1 · Make onboarding effortless for new teams" in text
    assert "KR1" in text and "KR2" in text
    assert "60% → 60% → 85%" in text
    assert "3 days → 3 days → 1 day" in text or "3 days → 3 days → 1 days" in text
    assert "░" in text
    assert message_errors(text=body["text"], blocks=body["blocks"]) == []


def test_list_by_team_name_for_someone_outside_the_team(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE)
    create_team(slack, user_id=BOB, name="Platform")
    body = slack.slash_command(user_id=CAROL, text="list growth").json()
    assert "Make onboarding effortless" in all_text(body["blocks"])
    missing = slack.slash_command(user_id=CAROL, text="list Sales").json()
    assert "no team called *Sales*" in missing["text"]
    assert "Growth" in all_text(missing["blocks"]) and "Platform" in all_text(missing["blocks"])


def test_list_without_a_team_explains_how_to_join(slack: SlackDriver) -> None:
    body = slack.slash_command(user_id=CAROL, text="list").json()
    assert "not in a team yet" in body["text"]


def test_an_empty_team_says_how_to_start(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    body = slack.slash_command(user_id=ALICE, text="list").json()
    assert "no objectives for 2026-Q4 yet" in body["text"]


def test_twelve_long_objectives_fit_one_message_acked_directly(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    for number in range(12):
        create_objective(
            slack,
            user_id=ALICE,
            title=f"Objective {number} " + "with a long title " * 6,
            key_results=tuple(
                f"Raise metric {number}.{k} " + "of long wording " * 8 + "from 10% to 20%"
                for k in range(4)
            ),
        )
    slack.standin.clear_calls()
    response = slack.slash_command(user_id=ALICE, text="list")
    assert response.status == 200
    assert slack.standin.calls_to("response_url") == []  # no extra round trips
    payload = response.json()
    assert payload["response_type"] == "ephemeral"
    assert message_errors(text=payload["text"], blocks=payload["blocks"]) == []
    combined = all_text(payload["blocks"])
    assert all(f"Objective {n} " in combined for n in range(12))
    assert all(f"Raise metric {n}.3 " in combined for n in range(12))


def test_each_objective_has_one_menu_and_a_team_fits_one_message(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE)
    body = slack.slash_command(user_id=ALICE, text="list").json()
    action_ids = {
        block["accessory"]["action_id"] for block in body["blocks"] if "accessory" in block
    }
    assert action_ids == {ids.ACTION_LIST_MENU}


def _another_process_checks_in(db, *, period: str, value: float) -> None:
    """KR1's owner checks in through another worker (a `Database` of its own)."""
    from app.domain.types import Confidence
    from app.store.checkins import record_check_ins

    with db.write() as session:
        record_check_ins(
            session,
            workspace_id=1,
            author_id=None,
            period=period,
            entries=[CheckInEntry(key_result_id=1, value=value, confidence=Confidence.on_track)],
        )


def test_a_cached_list_shows_a_change_made_by_another_process(
    slack: SlackDriver, db, runtime
) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE)
    first = all_text(slack.slash_command(user_id=ALICE, text="list").json()["blocks"])
    assert "60% → 60% → 85%" in first
    # Another worker records a check-in: this process is told only by the database.
    with heard_by(runtime):
        _another_process_checks_in(db, period="2026-W47", value=72)
    again = all_text(slack.slash_command(user_id=ALICE, text="list").json()["blocks"])
    assert "60% → 72% → 85%" in again


def test_user_input_is_escaped_so_slack_cannot_read_it_as_a_mention(slack: SlackDriver) -> None:
    body = slack.slash_command(user_id=ALICE, text="list <!channel>").json()
    text = all_text(body["blocks"])
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    usage = slack.slash_command(user_id=ALICE, text="check").json()
    assert "&lt;key result text&gt;" in all_text(usage["blocks"])


def test_someone_in_two_teams_gets_both_lists_and_sees_changes_in_either(
    slack: SlackDriver, db, runtime
) -> None:
    from sqlmodel import select

    from app.db.models import KeyResult, Member, Team
    from app.domain.okrs import KeyResultDraft
    from app.store.directory import TeamSettings, join_team
    from app.store.directory import create_team as store_create_team
    from app.store.okrs import update_key_result

    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE)
    with db.write() as session:
        growth = session.exec(select(Team).where(Team.name == "Growth")).one()
        alice = session.exec(select(Member).where(Member.slack_user_id == ALICE)).one()
        apps = store_create_team(
            session,
            workspace_id=growth.workspace_id,
            settings=TeamSettings(name="Apps", timezone="Europe/Berlin"),
        )
        join_team(session, team=apps, member=alice)

    def lists() -> list[str]:
        slack.standin.clear_calls()
        response = slack.slash_command(user_id=ALICE, text="list")
        assert response.status == 200 and not response.body.strip()
        return [
            all_text(c.args.get("blocks") or []) for c in slack.standin.calls_to("response_url")
        ]

    first = lists()
    assert len(first) == 2
    assert "Apps" in first[0] and "has no objectives" in first[0]  # teams in name order
    assert "Growth" in first[1] and "60% → 60% → 85%" in first[1]
    assert lists() == first  # from the cache, in the same order
    with heard_by(runtime), db.write() as session:
        kr = session.exec(select(KeyResult).where(KeyResult.id == 1)).one()
        update_key_result(
            session,
            kr=kr,
            draft=KeyResultDraft(
                title=kr.title, owner=None, start=60, target=90, current=75, unit="%"
            ),
        )
    again = lists()
    assert again[0] == first[0]
    assert "60% → 75% → 90%" in again[1]


def test_at_a_quarters_turn_each_team_lists_its_own_quarter(
    slack: SlackDriver, db, clock, runtime
) -> None:
    """Just after New Year in UTC, a team in Los Angeles is still in Q4 and one in UTC is in
    Q1: each list shows the team's own quarter, and follows later changes."""
    import datetime as dt

    from sqlmodel import select

    from app.db.models import Member, Team
    from app.store.directory import TeamSettings, join_team
    from app.store.directory import create_team as store_create_team

    clock.current = dt.datetime(2026, 12, 31, 12, 0, tzinfo=dt.UTC)
    create_team(slack, user_id=ALICE, timezone="America/Los_Angeles")
    create_objective(slack, user_id=ALICE)
    with db.write() as session:
        growth = session.exec(select(Team).where(Team.name == "Growth")).one()
        alice = session.exec(select(Member).where(Member.slack_user_id == ALICE)).one()
        apps = store_create_team(
            session, workspace_id=growth.workspace_id, settings=TeamSettings(name="Apps")
        )
        join_team(session, team=apps, member=alice)
    clock.current = dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC)  # 19:00 on 31 Dec in LA

    def lists() -> list[str]:
        slack.standin.clear_calls()
        assert slack.slash_command(user_id=ALICE, text="list").status == 200
        return [
            all_text(c.args.get("blocks") or []) for c in slack.standin.calls_to("response_url")
        ]

    apps_list, growth_list = lists()
    assert "2027-Q1" in apps_list and "has no objectives" in apps_list
    assert "2026-Q4" in growth_list and "60% → 60% → 85%" in growth_list
    with heard_by(runtime):
        _another_process_checks_in(db, period="2026-W53", value=72)
    assert "60% → 72% → 85%" in lists()[1]


def test_a_warm_list_reads_the_database_again_only_after_its_workspace_changes(
    slack: SlackDriver, db, runtime, backend: str
) -> None:
    """On PostgreSQL, a list whose workspace did not change since is answered without a
    query (or even a pooled connection); SQLite reads its revision every time."""
    from sqlalchemy import event

    from app.store.directory import TeamSettings, ensure_workspace
    from app.store.directory import create_team as store_create_team

    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE)
    if runtime.db.changes is not None:
        assert runtime.db.changes.wait_listening(10)
    slack.slash_command(user_id=ALICE, text="list")  # caches the list and ALICE's teams
    checkouts: list[object] = []
    event.listen(runtime.db.engine, "checkout", lambda *_: checkouts.append(None))

    def listed() -> str:
        return all_text(slack.slash_command(user_id=ALICE, text="list").json()["blocks"])

    per_list = 0 if backend == "postgresql" else 1
    for _ in range(3):
        assert "60% → 60% → 85%" in listed()
    assert len(checkouts) == 3 * per_list
    with heard_by(runtime, workspace_id=2), db.write() as session:  # another workspace
        other = ensure_workspace(session, slack_team_id="T0OTHER", enterprise_id=None)
        assert other.id == 2
        store_create_team(session, workspace_id=2, settings=TeamSettings(name="Sales"))
    assert "60% → 60% → 85%" in listed()
    assert len(checkouts) == 4 * per_list
    with heard_by(runtime):
        _another_process_checks_in(db, period="2026-W47", value=72)
    assert "60% → 72% → 85%" in listed()
    assert len(checkouts) == 4 * per_list + 1  # the teams, then the rebuilt list, on one
