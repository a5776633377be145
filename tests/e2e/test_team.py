"""`/okr team`: create, join, and change a team's settings, with per-field validation."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from app.db.models import Team, TeamMembership
from app.slack import ids
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOB
from tests.e2e.helpers import all_text, create_team


def test_first_team_goes_straight_to_settings_with_the_users_time_zone(
    slack: SlackDriver,
) -> None:
    slack.slash_command(user_id=BOB, text="team")
    view = slack.standin.top_view(BOB)
    assert view["callback_id"] == ids.VIEW_TEAM_SETTINGS
    zone = next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_TEAM_TIMEZONE)
    assert zone["element"]["initial_value"] == "America/New_York"  # from users.info


def test_creating_a_team_makes_the_creator_its_admin(slack: SlackDriver, db) -> None:
    done = create_team(slack, user_id=ALICE)
    assert "you are its admin" in all_text(done["blocks"])
    with db.read() as session:
        team = session.exec(select(Team)).one()
        membership = session.exec(select(TeamMembership)).one()
    assert (team.name, team.digest_channel, team.timezone) == (
        "Growth",
        "C0GROWTH1",
        "Europe/Berlin",
    )
    assert (team.checkin_weekday, team.checkin_time) == (4, dt.time(10, 0))
    assert (team.digest_weekday, team.digest_time) == (4, dt.time(16, 0))
    assert membership.is_admin


def test_bad_settings_get_errors_on_each_field_and_nothing_is_written(
    slack: SlackDriver, db
) -> None:
    slack.slash_command(user_id=ALICE, text="team")
    answer = slack.submit_view(
        user_id=ALICE,
        values={
            ids.BLOCK_TEAM_NAME: "Growth",
            ids.BLOCK_TEAM_CHANNEL: "C0GROWTH1",
            ids.BLOCK_TEAM_TIMEZONE: "Mars/Olympus_Mons",
        },
    )
    body = answer.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [ids.BLOCK_TEAM_TIMEZONE]
    with db.read() as session:
        assert session.exec(select(Team)).all() == []


def test_a_duplicate_team_name_is_refused_on_the_name_field(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=BOB, text="team")
    slack.submit_view(user_id=BOB, values={ids.BLOCK_TEAM_CHOICE: ids.NEW_TEAM_VALUE})
    body = slack.submit_view(
        user_id=BOB,
        values={
            ids.BLOCK_TEAM_NAME: "  growth ",
            ids.BLOCK_TEAM_CHANNEL: "C0GROWTH1",
            ids.BLOCK_TEAM_TIMEZONE: "UTC",
        },
    ).json()
    assert body["response_action"] == "errors"
    assert "already a team called Growth" in body["errors"][ids.BLOCK_TEAM_NAME]


def test_joining_someone_elses_team_shows_its_rhythm_and_admins(slack: SlackDriver, db) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=BOB, text="team")
    with db.read() as session:
        team = session.exec(select(Team)).one()
    body = slack.submit_view(user_id=BOB, values={ids.BLOCK_TEAM_CHOICE: str(team.id)}).json()
    assert body["response_action"] == "update"
    text = all_text(body["view"]["blocks"])
    assert "You joined *Growth*" in text
    assert "Friday 10:00" in text and "Europe/Berlin" in text
    assert f"<@{ALICE}>" in text
    with db.read() as session:
        roles = {m.member_id: m.is_admin for m in session.exec(select(TeamMembership)).all()}
    assert sorted(roles.values()) == [False, True]


def test_an_admin_changes_the_rhythm(slack: SlackDriver, db) -> None:
    create_team(slack, user_id=ALICE)
    slack.slash_command(user_id=ALICE, text="team")
    with db.read() as session:
        team = session.exec(select(Team)).one()
    slack.submit_view(user_id=ALICE, values={ids.BLOCK_TEAM_CHOICE: str(team.id)})
    view = slack.standin.top_view(ALICE)
    assert view["callback_id"] == ids.VIEW_TEAM_SETTINGS
    body = slack.submit_view(
        user_id=ALICE,
        values={
            ids.BLOCK_TEAM_CHECKIN_DAY: "0",
            ids.BLOCK_TEAM_CHECKIN_TIME: "09:30",
            ids.BLOCK_TEAM_DIGEST_DAY: "3",
        },
    ).json()
    assert body["response_action"] == "update"
    with db.read() as session:
        team = session.exec(select(Team)).one()
    assert (team.checkin_weekday, team.checkin_time, team.digest_weekday) == (
        0,
        dt.time(9, 30),
        3,
    )
