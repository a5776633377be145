"""Editing and archiving: owners and team admins only, per-field errors, undo, isolation."""

from __future__ import annotations

from sqlmodel import select

from app.db.models import KeyResult, Objective
from app.domain.types import Status
from app.slack import ids
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOB, CAROL, SIGNING_SECRET
from tests.e2e.helpers import all_text, create_objective, create_team


def _setup(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE, owners=(ALICE, BOB))


def test_the_owner_edits_a_key_result_through_its_modal(slack: SlackDriver, db) -> None:
    _setup(slack)
    response = slack.slash_command(user_id=BOB, text="edit KR2")
    assert response.status == 200 and not response.body.strip()
    view = slack.standin.top_view(BOB)
    assert view["callback_id"] == ids.VIEW_EDIT_KEY_RESULT
    answer = slack.submit_view(
        user_id=BOB,
        values={
            ids.kr_block(ids.BLOCK_KR_TITLE, 0): "Cut time to first value from 3 days to 12 hours",
            ids.kr_block(ids.BLOCK_KR_TARGET, 0): "0.5",
            ids.kr_block(ids.BLOCK_KR_CURRENT, 0): "2",
        },
    )
    assert answer.status == 200 and answer.json() is None  # closes the modal
    with db.read() as session:
        kr = session.get(KeyResult, 2)
    assert (kr.title, kr.target_value, kr.current_value) == (
        "Cut time to first value from 3 days to 12 hours",
        0.5,
        2,
    )


def test_edit_errors_land_on_the_field_and_nothing_changes(slack: SlackDriver, db) -> None:
    _setup(slack)
    slack.slash_command(user_id=ALICE, text="edit kr1")
    body = slack.submit_view(
        user_id=ALICE,
        values={
            ids.kr_block(ids.BLOCK_KR_START, 0): "85",
            ids.kr_block(ids.BLOCK_KR_TARGET, 0): "85",
            ids.kr_block(ids.BLOCK_KR_CURRENT, 0): "seventy",
        },
    ).json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {
        ids.kr_block(ids.BLOCK_KR_TARGET, 0),
        ids.kr_block(ids.BLOCK_KR_CURRENT, 0),
    }
    with db.read() as session:
        kr = session.get(KeyResult, 1)
    assert (kr.start_value, kr.target_value, kr.current_value) == (60, 85, 60)


def test_someone_else_may_not_edit_or_archive(slack: SlackDriver, db) -> None:
    _setup(slack)
    for text in ("edit O1", "archive O1", "edit KR1", "archive KR2"):
        body = slack.slash_command(user_id=CAROL, text=text).json()
        assert body["response_type"] == "ephemeral"
        assert "or a team admin can change" in body["text"], text
    assert slack.standin.top_view(CAROL) is None
    with db.read() as session:
        assert {o.status for o in session.exec(select(Objective)).all()} == {Status.active}


def test_a_key_result_owner_may_not_edit_the_objective(slack: SlackDriver) -> None:
    _setup(slack)
    body = slack.slash_command(user_id=BOB, text="edit O1").json()
    assert f"its owner (<@{ALICE}>)" in body["text"]


def test_archive_then_undo(slack: SlackDriver, db) -> None:
    _setup(slack)
    body = slack.slash_command(user_id=ALICE, text="archive O1").json()
    assert "Archived O1" in body["text"]
    listed = slack.slash_command(user_id=ALICE, text="list").json()
    assert "no objectives" in listed["text"]
    slack.click(user_id=ALICE, action_id=ids.ACTION_UNDO_ARCHIVE, message=body)
    with db.read() as session:
        assert session.get(Objective, 1).status == Status.active
    again = slack.slash_command(user_id=ALICE, text="list").json()
    assert "Make onboarding effortless" in all_text(again["blocks"])


def test_the_list_menu_opens_the_edit_modal(slack: SlackDriver) -> None:
    _setup(slack)
    listed = slack.slash_command(user_id=ALICE, text="list").json()
    response = slack.click(
        user_id=ALICE,
        action_id=ids.ACTION_LIST_MENU,
        message=listed,
        selected_option_value=f"{ids.MENU_EDIT}:1",
    )
    assert response.status == 200
    view = slack.standin.top_view(ALICE)
    assert view["callback_id"] == ids.VIEW_EDIT_OBJECTIVE
    answer = slack.submit_view(user_id=ALICE, values={ids.BLOCK_OBJECTIVE_TITLE: ""})
    assert answer.status == 0 or answer.json()["response_action"] == "errors"


def test_the_list_menu_archives_a_key_result(slack: SlackDriver, db) -> None:
    _setup(slack)
    listed = slack.slash_command(user_id=ALICE, text="list").json()
    slack.click(
        user_id=ALICE,
        action_id=ids.ACTION_LIST_MENU,
        block_id=f"{ids.BLOCK_LIST_OBJECTIVE}1",
        message=listed,
        selected_option_value=f"{ids.MENU_ARCHIVE}:kr2",
    )
    with db.read() as session:
        assert session.get(KeyResult, 2).status == Status.archived
    reply = slack.standin.ephemerals(ALICE)[-1]
    assert "Archived KR2" in reply["text"]


def test_an_objective_cannot_support_itself_through_a_loop(slack: SlackDriver, db) -> None:
    _setup(slack)
    create_objective(slack, user_id=ALICE, title="Be the easiest tool to adopt")
    slack.slash_command(user_id=ALICE, text="edit O2")
    assert slack.submit_view(user_id=ALICE, values={ids.BLOCK_OBJECTIVE_PARENT: "1"}).json() is None
    slack.slash_command(user_id=ALICE, text="edit O1")
    body = slack.submit_view(user_id=ALICE, values={ids.BLOCK_OBJECTIVE_PARENT: "2"}).json()
    assert body["errors"] == {
        ids.BLOCK_OBJECTIVE_PARENT: "That would make the objective support itself."
    }
    with db.read() as session:
        assert session.get(Objective, 1).parent_id is None
        assert session.get(Objective, 2).parent_id == 1


def test_another_workspace_sees_and_touches_nothing(slack: SlackDriver, app_server, db) -> None:
    _setup(slack)
    other = type(slack)(
        app_url=f"{app_server.url}/slack/events",
        signing_secret=SIGNING_SECRET,
        standin=slack.standin,
        team_id="T0OTHER",
    )
    # Same user id, other workspace: none of the first workspace's rows apply.
    for text in ("edit O1", "archive KR1"):
        body = other.slash_command(user_id=ALICE, text=text).json()
        assert "There is no" in body["text"], text
    listed = other.slash_command(user_id=ALICE, text="list growth").json()
    assert "no team called" in listed["text"]
    with db.read() as session:
        assert session.get(KeyResult, 1).status == Status.active
