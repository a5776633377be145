"""Selects past Slack's 100 options (issue #14, item 20), over signed HTTP.

A static select holds at most 100 options and Slack refuses the whole view beyond, so a
workspace with 100 teams (plus "Create a new team") could not open `/okr team` or
`/okr new`, and an objective's parent could only be one of the first 99. Past 100 options
these are external selects: the app answers Slack's `block_suggestion` with the options
matching what was typed, which the stand-in checks as Slack does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import select

from app.db import Database
from app.db.models import Objective, Team, TeamMembership
from app.slack import ids
from app.transfer.validation import validate_documents
from app.tryout.standin import SlackDriver
from app.usecases.transfer import import_documents
from tests.conftest import ALICE, BOB
from tests.e2e.helpers import all_text

TODAY = dt.date(2026, 11, 20)
LONG_NAME = "The team whose name is much longer than a select option may show, and then some"


def seed_teams(db: Database, count: int, *, alice_in: int | None = None) -> None:
    """`count` teams, `Team 000`…; the last one has a long name; Bob administers them all."""
    documents = []
    for number in range(count):
        name = LONG_NAME if number == count - 1 else f"Team {number:03d}"
        admins = [BOB, ALICE] if number == alice_in else [BOB]
        documents.append(
            {"workspace": "T0001", "team": name, "channel": "C0GROWTH1", "admins": admins}
        )
    import_documents(db, validate_documents(documents), today=TODAY)


def element_of(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return dict(block["element"])


def labels(options: list[dict[str, Any]]) -> list[str]:
    return [o["text"]["text"] for o in options]


def test_the_team_picker_with_100_teams_opens_and_searches(slack: SlackDriver, db) -> None:
    seed_teams(db, 100)
    assert slack.slash_command(user_id=ALICE, text="team").status == 200
    view = slack.standin.top_view(ALICE)
    assert view is not None and view["callback_id"] == ids.VIEW_TEAM_PICK
    assert element_of(view, ids.BLOCK_TEAM_CHOICE)["type"] == "external_select"

    # Opening the menu: "Create a new team" first, then teams, 100 options in all.
    first = slack.suggest(user_id=ALICE, block_id=ids.BLOCK_TEAM_CHOICE)
    assert len(first) == 100 and labels(first)[:3] == [
        "➕ Create a new team",
        "Team 000",
        "Team 001",
    ]
    # Typing narrows it: every typed word, any case.
    assert labels(slack.suggest(user_id=ALICE, block_id=ids.BLOCK_TEAM_CHOICE, typed="TEAM 042"))[
        1:
    ] == ["Team 042"]
    found = slack.suggest(user_id=ALICE, block_id=ids.BLOCK_TEAM_CHOICE, typed="longer select")
    assert labels(found)[1].startswith("The team whose name") and len(labels(found)[1]) <= 75

    joined = slack.submit_view(user_id=ALICE, values={ids.BLOCK_TEAM_CHOICE: found[1]["value"]})
    assert joined.json()["view"]["callback_id"] == ids.VIEW_TEAM_JOINED
    with db.read() as session:
        team = session.get(Team, int(found[1]["value"]))
        assert team is not None and team.name == LONG_NAME
        assert session.exec(select(TeamMembership).where(TeamMembership.team_id == team.id)).all()


def test_creating_a_team_stays_possible_with_100_teams(slack: SlackDriver, db) -> None:
    seed_teams(db, 100)
    slack.slash_command(user_id=ALICE, text="team")
    offered = slack.suggest(user_id=ALICE, block_id=ids.BLOCK_TEAM_CHOICE, typed="zzz")
    assert labels(offered) == ["➕ Create a new team"]  # no team matches; creating still can
    answer = slack.submit_view(user_id=ALICE, values={ids.BLOCK_TEAM_CHOICE: offered[0]["value"]})
    assert answer.json()["view"]["callback_id"] == ids.VIEW_TEAM_SETTINGS


def test_a_workspace_with_99_teams_keeps_its_static_select(slack: SlackDriver, db) -> None:
    seed_teams(db, 99)  # with "Create a new team": exactly 100 options
    slack.slash_command(user_id=ALICE, text="team")
    element = element_of(slack.standin.top_view(ALICE), ids.BLOCK_TEAM_CHOICE)
    assert element["type"] == "static_select" and len(element["options"]) == 100


def test_the_new_objective_modal_searches_teams_past_100(slack: SlackDriver, db) -> None:
    seed_teams(db, 101, alice_in=57)
    assert slack.slash_command(user_id=ALICE, text="new").status == 200
    view = slack.standin.top_view(ALICE)
    assert view is not None and view["callback_id"] == ids.VIEW_NEW_OBJECTIVE
    element = element_of(view, ids.BLOCK_OBJECTIVE_TEAM)
    assert element["type"] == "external_select"
    assert element["initial_option"]["text"]["text"] == "Team 057"  # Alice's own team

    offered = slack.suggest(user_id=ALICE, block_id=ids.BLOCK_OBJECTIVE_TEAM, typed="team 09")
    assert labels(offered) == ["Team 009", *(f"Team {n:03d}" for n in range(90, 100))]
    chosen = next(o for o in offered if o["text"]["text"] == "Team 093")
    step_two = slack.submit_view(
        user_id=ALICE,
        values={
            ids.BLOCK_OBJECTIVE_TEAM: chosen["value"],
            ids.BLOCK_OBJECTIVE_TITLE: "Make onboarding effortless for new teams",
            ids.kr_block(ids.BLOCK_KR_TITLE, 0): "Raise onboarding completion from 60% to 85%",
            ids.kr_block(ids.BLOCK_KR_TITLE, 1): "Cut time to first value from 3 days to 1 day",
        },
    )
    assert step_two.json()["response_action"] == "update", step_two.body
    assert "Team *Team 093*" in all_text(slack.standin.top_view(ALICE)["blocks"])


def seed_objectives(db: Database, count: int) -> None:
    """One team, Alice its admin, with `count` objectives (O1…) of two key results each."""
    objectives = [
        {
            "title": f"Objective number {n} makes customers happier",
            "owner": ALICE,
            "key_results": [
                {"title": f"Raise weekly signups from {n} to {n + 10}", "owner": ALICE},
                {"title": f"Cut churn from {n + 20}% to {n + 5}%", "owner": ALICE},
            ],
        }
        for n in range(1, count + 1)
    ]
    document = {
        "workspace": "T0001",
        "team": "Growth",
        "channel": "C0GROWTH1",
        "admins": [ALICE],
        "objectives": objectives,
    }
    import_documents(db, validate_documents(document), today=TODAY)


def test_any_objective_can_be_the_parent_past_100(slack: SlackDriver, db) -> None:
    seed_objectives(db, 102)
    assert slack.slash_command(user_id=ALICE, text="edit O1").status == 200
    view = slack.standin.top_view(ALICE)
    assert view is not None and view["callback_id"] == ids.VIEW_EDIT_OBJECTIVE
    element = element_of(view, ids.BLOCK_OBJECTIVE_PARENT)
    assert element["type"] == "external_select"
    assert element["initial_option"]["value"] == "none"

    everything = slack.suggest(user_id=ALICE, block_id=ids.BLOCK_OBJECTIVE_PARENT)
    assert len(everything) == 100 and labels(everything)[0] == "No parent objective"
    assert "1" not in [o["value"] for o in everything]  # not itself
    offered = slack.suggest(user_id=ALICE, block_id=ids.BLOCK_OBJECTIVE_PARENT, typed="o102")
    assert labels(offered) == [
        "No parent objective",
        "O102 Objective number 102 makes customers happier",
    ]
    answer = slack.submit_view(user_id=ALICE, values={ids.BLOCK_OBJECTIVE_PARENT: "102"})
    assert answer.json() is None, answer.body  # saved, the modal closes
    with db.read() as session:
        assert session.exec(select(Objective).where(Objective.id == 1)).one().parent_id == 102


def test_the_parent_options_are_only_for_whoever_may_edit(slack: SlackDriver, db) -> None:
    seed_objectives(db, 102)
    slack.slash_command(user_id=ALICE, text="edit O1")
    view = slack.standin.top_view(ALICE)
    # Bob is in no team: asking for O1's parent options as him offers nothing.
    assert slack.suggest(user_id=BOB, block_id=ids.BLOCK_OBJECTIVE_PARENT, view=view) == []
