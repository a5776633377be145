"""The Friday check-in end to end: prompts at the team's local time, one-click answers,
the modal, one gentle reminder, snoozing, downtime, and Slack pushing back."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import select

from app.clock.dispatch import TickReport
from app.db.models import CheckIn, Delivery, DeliveryStatus, KeyResult
from app.slack import ids
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOB, CAROL
from tests.e2e.helpers import all_text, create_objective, create_team

UTC = dt.UTC
# Growth is in Europe/Berlin: Friday 20 Nov 2026 10:00 local is 09:00 UTC.
FRIDAY_SLOT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MONDAY_REMINDER = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def growth(slack: SlackDriver) -> None:
    """Growth (Europe/Berlin): Alice owns KR1, Bob owns KR2."""
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE, owners=(ALICE, BOB))


def _prompts(slack: SlackDriver, user: str) -> list[dict]:
    """Everything the bot posted in the user's DM: prompts and reminders."""
    return slack.standin.messages(slack.standin.dm_channel(user))


def _buttons(message: dict) -> list[str]:
    return [
        element["action_id"]
        for block in message["blocks"] or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_nothing_goes_out_before_the_local_slot(growth, slack, dispatcher) -> None:
    report = dispatcher.tick(FRIDAY_SLOT - dt.timedelta(minutes=1))
    assert report.sent == 0
    assert _prompts(slack, ALICE) == []


def test_each_owner_gets_one_prompt_with_three_buttons(growth, slack, dispatcher) -> None:
    assert dispatcher.tick(FRIDAY_SLOT).sent == 2
    assert dispatcher.tick(FRIDAY_SLOT + dt.timedelta(minutes=1)).sent == 0
    for user in (ALICE, BOB):
        (prompt,) = _prompts(slack, user)
        assert _buttons(prompt) == [
            ids.ACTION_CHECKIN_UPDATE,
            ids.ACTION_CHECKIN_NO_CHANGE,
            ids.ACTION_CHECKIN_SKIP,
        ]
    assert _prompts(slack, CAROL) == []  # owns nothing, asked nothing
    alice_text = all_text(_prompts(slack, ALICE)[0]["blocks"])
    assert "Raise onboarding completion" in alice_text
    assert "Cut time to first value" not in alice_text  # Bob's, not hers


def test_no_change_is_one_click_and_updates_the_prompt_in_place(
    growth, slack, dispatcher, db
) -> None:
    dispatcher.tick(FRIDAY_SLOT)
    (prompt,) = _prompts(slack, ALICE)
    slack.click(user_id=ALICE, action_id=ids.ACTION_CHECKIN_NO_CHANGE, message=prompt)
    (updated,) = _prompts(slack, ALICE)
    assert updated["edited"] and _buttons(updated) == []
    assert "recorded" in updated["text"]
    with db.read() as session:
        rows = session.exec(select(CheckIn)).all()
    assert [(r.key_result_id, r.iso_week, r.value, r.skipped) for r in rows] == [
        (1, "2026-W47", 60, False)
    ]


def test_update_opens_the_modal_and_bad_values_get_field_errors(
    growth, slack, dispatcher, db
) -> None:
    dispatcher.tick(FRIDAY_SLOT)
    (prompt,) = _prompts(slack, ALICE)
    slack.click(user_id=ALICE, action_id=ids.ACTION_CHECKIN_UPDATE, message=prompt)
    view = slack.standin.top_view(ALICE)
    assert view["callback_id"] == ids.VIEW_CHECKIN
    value_block = f"{ids.BLOCK_CHECKIN_VALUE}1"
    bad = slack.submit_view(
        user_id=ALICE,
        values={
            value_block: "sixty",
            f"{ids.BLOCK_CHECKIN_CONFIDENCE}1": "at_risk",
            f"{ids.BLOCK_CHECKIN_NOTE}1": "x" * 400,
        },
    ).json()
    assert bad["response_action"] == "errors" and list(bad["errors"]) == [value_block]
    with db.read() as session:
        assert session.exec(select(CheckIn)).all() == []
    good = slack.submit_view(user_id=ALICE, values={value_block: "68"})
    assert good.status == 200 and good.json() is None
    with db.read() as session:
        row = session.exec(select(CheckIn)).one()
        kr = session.get(KeyResult, 1)
    assert (row.value, row.confidence, kr.current_value) == (68, "at_risk", 68)
    (updated,) = _prompts(slack, ALICE)
    assert updated["edited"] and "1 at risk" in updated["text"]


def test_a_resubmitted_check_in_is_recorded_once_latest_winning(
    growth, slack, dispatcher, db
) -> None:
    slack.slash_command(user_id=ALICE, text="checkin")
    view = slack.standin.top_view(ALICE)
    first = {f"{ids.BLOCK_CHECKIN_VALUE}1": "65", f"{ids.BLOCK_CHECKIN_CONFIDENCE}1": "on_track"}
    slack.submit_view(user_id=ALICE, view=view, values=first)
    again = {**first, f"{ids.BLOCK_CHECKIN_VALUE}1": "66"}
    slack.submit_view(user_id=ALICE, view=view, values=again)
    with db.read() as session:
        rows = session.exec(select(CheckIn)).all()
    assert [(r.iso_week, r.value) for r in rows] == [("2026-W47", 66)]


def test_one_reminder_goes_only_to_who_has_not_answered(growth, slack, dispatcher) -> None:
    slack.standin.add_user("U0DAN", name="dan", tz="Europe/Berlin")
    dispatcher.tick(FRIDAY_SLOT)
    (prompt,) = _prompts(slack, ALICE)
    slack.click(user_id=ALICE, action_id=ids.ACTION_CHECKIN_SKIP, message=prompt)
    assert "skipped" in _prompts(slack, ALICE)[0]["text"]
    report = dispatcher.tick(MONDAY_REMINDER)
    assert report.sent == 1
    bob = _prompts(slack, BOB)
    assert len(bob) == 2 and "reminder" in bob[1]["text"].lower()
    assert len(_prompts(slack, ALICE)) == 1  # skipped: no reminder
    assert dispatcher.tick(MONDAY_REMINDER + dt.timedelta(hours=2)).sent == 0
    # Nothing about who did not answer reaches a channel.
    assert slack.standin.messages("C0GROWTH1") == []


def test_answering_before_monday_means_no_reminder(growth, slack, dispatcher) -> None:
    dispatcher.tick(FRIDAY_SLOT)
    for user in (ALICE, BOB):
        (prompt,) = _prompts(slack, user)
        slack.click(user_id=user, action_id=ids.ACTION_CHECKIN_NO_CHANGE, message=prompt)
    assert dispatcher.tick(MONDAY_REMINDER).sent == 0


def test_snoozed_people_get_no_prompt(growth, slack, dispatcher, clock) -> None:
    clock.current = FRIDAY_SLOT - dt.timedelta(days=1)
    answer = slack.slash_command(user_id=BOB, text="snooze 2w").json()
    assert "until" in answer["text"]
    assert dispatcher.tick(FRIDAY_SLOT).sent == 1
    assert _prompts(slack, BOB) == []
    bad = slack.slash_command(user_id=BOB, text="snooze forever").json()
    assert "Usage:" in all_text(bad["blocks"])


def test_down_at_the_slot_but_back_the_same_day_sends_once(growth, slack, dispatcher) -> None:
    # 15:00 and 15:30 in Berlin: later that day, before the 16:00 digest.
    assert dispatcher.tick(FRIDAY_SLOT + dt.timedelta(hours=5)).sent == 2
    assert dispatcher.tick(FRIDAY_SLOT + dt.timedelta(hours=5, minutes=30)).sent == 0


def test_down_past_the_slots_day_records_it_missed_and_sends_nothing(
    growth, slack, dispatcher, db
) -> None:
    report = dispatcher.tick(FRIDAY_SLOT + dt.timedelta(days=1))
    assert report.sent == 0
    assert _prompts(slack, ALICE) == [] and _prompts(slack, BOB) == []
    with db.read() as session:
        statuses = {d.status for d in session.exec(select(Delivery)).all()}
    assert statuses == {DeliveryStatus.missed}


def test_slack_429_is_waited_out_and_each_prompt_goes_once(growth, slack, dispatcher) -> None:
    slack.standin.fail_next("chat.postMessage", status=429, retry_after=1, times=1)
    assert dispatcher.tick(FRIDAY_SLOT).sent == 2
    assert len(_prompts(slack, ALICE)) == 1 and len(_prompts(slack, BOB)) == 1
    rate_limited = [c for c in slack.standin.calls_to("chat.postMessage") if c.status == 429]
    assert len(rate_limited) == 1


def test_slack_5xx_beyond_retries_leaves_it_for_the_next_tick(growth, slack, dispatcher) -> None:
    slack.standin.fail_next("chat.postMessage", status=503, error="service_unavailable", times=3)
    first: TickReport = dispatcher.tick(FRIDAY_SLOT)
    assert first.retried == 1 and first.sent == 1
    second = dispatcher.tick(FRIDAY_SLOT + dt.timedelta(minutes=1))
    assert second.sent == 1
    assert len(_prompts(slack, ALICE)) == 1 and len(_prompts(slack, BOB)) == 1


def test_checkin_command_opens_the_modal_any_time(growth, slack) -> None:
    assert slack.slash_command(user_id=BOB, text="checkin").status == 200
    view = slack.standin.top_view(BOB)
    assert view["callback_id"] == ids.VIEW_CHECKIN
    assert json.loads(view["private_metadata"])["period"] == "2026-W47"
    nothing = slack.slash_command(user_id=CAROL, text="checkin").json()
    assert "nothing to check in" in nothing["text"]


def test_a_submission_reuses_who_and_which_team_on_postgresql_until_they_change(
    growth, slack, dispatcher, db, runtime, backend
) -> None:
    """On PostgreSQL a check-in reads the caller's member id, the team and its cycle once
    per worker, until the database reports a change to them; SQLite reads them each time.
    A team renamed by another process shows in the next answer either way."""
    from sqlalchemy import event

    from app.db.models import Team
    from tests.e2e.helpers import heard_by

    if runtime.db.changes is not None:
        assert runtime.db.changes.wait_listening(10)
    dispatcher.tick(FRIDAY_SLOT)
    (prompt,) = _prompts(slack, ALICE)
    slack.click(user_id=ALICE, action_id=ids.ACTION_CHECKIN_UPDATE, message=prompt)
    view = slack.standin.top_view(ALICE)
    answer = {f"{ids.BLOCK_CHECKIN_VALUE}1": "68", f"{ids.BLOCK_CHECKIN_CONFIDENCE}1": "on_track"}
    assert slack.submit_view(user_id=ALICE, view=view, values=answer).status == 200
    assert "*Growth*" in all_text(_prompts(slack, ALICE)[0]["blocks"])
    statements: list[str] = []
    event.listen(
        runtime.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )

    def directory_reads() -> set[str]:
        return {
            table
            for table in ("member", "team", "cycle")
            for sql in statements
            if f"\nFROM {table} \n" in sql or f"\nFROM {table}\n" in sql
        }

    assert slack.submit_view(user_id=ALICE, view=view, values=answer).status == 200
    expected = set() if backend == "postgresql" else {"member", "team", "cycle"}
    assert directory_reads() == expected
    with heard_by(runtime), db.write() as session:  # another process renames the team
        team = session.exec(select(Team)).one()
        team.name, team.name_key = "Growth Squad", "growth squad"
        session.add(team)
    statements.clear()
    assert slack.submit_view(user_id=ALICE, view=view, values=answer).status == 200
    assert "*Growth Squad*" in all_text(_prompts(slack, ALICE)[0]["blocks"])
    assert "team" in directory_reads()
