"""Installing into many workspaces: OAuth, per-workspace tokens, rotation, uninstall."""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from app.db import Database
from app.db.models import KeyResult, Objective, Team, Workspace
from app.db.platform import bots_table, installations_table
from app.logs import configure_logging
from app.runtime import Runtime, build_runtime
from app.server import LocalServer
from app.settings import Settings
from app.transfer.validation import validate_documents
from app.tryout.standin import SlackDriver, SlackStandIn
from app.usecases.transfer import import_documents
from tests.conftest import ALICE, SIGNING_SECRET, FixedClock

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret-7c1d9e"
OTHER_TEAM = "T0002"
ROOT = Path(__file__).resolve().parents[2]


def _oauth_settings(standin: SlackStandIn, database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SIGNING_SECRET,
        database_url=database_url,
        slack_api_url=standin.api_url,
    )


@pytest.fixture
def oauth_standin(standin: SlackStandIn) -> SlackStandIn:
    standin.enable_oauth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, rotation=True)
    standin.add_workspace(OTHER_TEAM, name="Other Workspace")
    return standin


@pytest.fixture
def oauth_runtime(
    oauth_standin: SlackStandIn, database_url: str, clock: FixedClock
) -> Iterator[Runtime]:
    runtime = build_runtime(_oauth_settings(oauth_standin, database_url), clock=clock)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def app_url(oauth_standin: SlackStandIn, oauth_runtime: Runtime) -> Iterator[str]:
    with LocalServer(oauth_runtime.wsgi) as server:
        oauth_standin.oauth.redirect_url = f"{server.url}/slack/oauth_redirect"
        yield server.url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def install(app_url: str, team_id: str) -> str:
    """Go through the install as a browser does; returns the final page's text.

    Bolt's state cookie is `Secure` (Slack requires HTTPS redirect URLs), so this browser,
    on plain loopback HTTP, carries it back by hand.
    """
    with urllib.request.urlopen(f"{app_url}/slack/install", timeout=10) as response:
        page = response.read().decode()
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    link = html.unescape(re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', page).group(1))
    browser = urllib.request.build_opener(_NoRedirect)
    try:
        browser.open(f"{link}&team={team_id}&user={ALICE}", timeout=10)
        raise AssertionError("Slack's approval page should redirect back to the app")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302
        callback = redirect.headers["Location"]
    request = urllib.request.Request(callback, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as done:
        assert done.status == 200
        return done.read().decode()


def driver(standin: SlackStandIn, app_url: str, team_id: str) -> SlackDriver:
    return SlackDriver(
        app_url=f"{app_url}/slack/events",
        signing_secret=SIGNING_SECRET,
        standin=standin,
        team_id=team_id,
    )


def seed_okrs(db: Database, team_id: str) -> None:
    document = {
        "workspace": team_id,
        "team": "Growth",
        "channel": "C0GROWTH1",
        "timezone": "Europe/Berlin",
        "admins": [ALICE],
        "objectives": [
            {
                "title": "Make onboarding effortless for new teams",
                "owner": ALICE,
                "key_results": [
                    {"title": "Raise onboarding completion from 60% to 85%", "owner": ALICE},
                    {"title": "Cut time to first value from 3 days to 1 day", "owner": ALICE},
                ],
            }
        ],
    }
    import_documents(db, validate_documents(document), today=dt.date(2026, 11, 20))


def rows_of(db: Database, team_id: str) -> int:
    with db.read() as session:
        workspace_id = session.exec(
            select(Workspace.id).where(Workspace.slack_team_id == team_id)
        ).scalar_one_or_none()
        if workspace_id is None:
            return 0
        return sum(
            session.exec(
                select(func.count()).select_from(model).where(model.workspace_id == workspace_id)
            ).scalar_one()
            for model in (Team, Objective, KeyResult)
        )


def test_the_install_page_sends_people_to_slacks_approval_with_a_state(app_url: str) -> None:
    with urllib.request.urlopen(f"{app_url}/slack/install", timeout=10) as response:
        page = response.read().decode()
        cookie = response.headers.get("Set-Cookie", "")
    link = html.unescape(re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', page).group(1))
    assert f"client_id={CLIENT_ID}" in link
    assert "scope=channels:history,chat:write,chat:write.public,commands," in link
    state = re.search(r"state=([^&]+)", link).group(1)
    assert state in cookie  # the browser must bring the same state back


def test_installing_two_workspaces_gives_each_its_own_token(
    oauth_standin: SlackStandIn, oauth_runtime: Runtime, app_url: str, clock: FixedClock
) -> None:
    assert "slack://app?team=T0001" in install(app_url, "T0001")  # "open Slack"
    install(app_url, OTHER_TEAM)
    store = oauth_runtime.installer.installation_store
    first = store.find_installation(enterprise_id=None, team_id="T0001")
    second = store.find_installation(enterprise_id=None, team_id=OTHER_TEAM)
    assert first.bot_token and second.bot_token and first.bot_token != second.bot_token
    assert first.bot_refresh_token and first.bot_token_expires_at > clock().timestamp() + 3600

    # Each workspace's requests are answered with that workspace's own token.
    for team_id in ("T0001", OTHER_TEAM):
        oauth_standin.clear_calls()
        response = driver(oauth_standin, app_url, team_id).send_event(
            {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home"}
        )
        assert response.status == 200
        published = oauth_standin.calls_to("views.publish")
        assert [call.team_id for call in published] == [team_id]


def test_a_workspace_that_never_installed_gets_nothing(
    oauth_standin: SlackStandIn, app_url: str
) -> None:
    oauth_standin.add_workspace("T0STRANGER", name="Stranger")
    response = driver(oauth_standin, app_url, "T0STRANGER").slash_command(
        user_id=ALICE, text="list"
    )
    # Bolt answers through the response URL: the person sees why, nothing else happens.
    assert response.status == 200
    (said,) = oauth_standin.ephemerals(ALICE)
    assert "no longer available" in said["text"]
    assert oauth_standin.calls_to("views.publish") == []
    assert oauth_standin.calls_to("chat.postEphemeral") == []


def test_a_bad_state_or_code_is_refused_and_installs_nothing(
    oauth_runtime: Runtime, app_url: str
) -> None:
    request = urllib.request.Request(f"{app_url}/slack/oauth_redirect?code=forged&state=forged")
    try:
        urllib.request.urlopen(request, timeout=10)
        status = 200
    except urllib.error.HTTPError as refused:
        status = refused.code
    assert status >= 400
    store = oauth_runtime.installer.installation_store
    assert store.find_installation(enterprise_id=None, team_id="T0001") is None


def _expire_soon(db: Database, team_id: str, now: dt.datetime) -> None:
    """Pretend 11h59m passed: the token expires a minute after `now`, inside the rotation
    window."""
    # Stored as naive UTC, as slack_sdk's store writes it.
    soon = now.astimezone(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=60)
    with db.write() as session:
        for table in (installations_table, bots_table):
            session.execute(
                update(table).where(table.c.team_id == team_id).values(bot_token_expires_at=soon)
            )


def test_an_expiring_token_is_rotated_once_for_many_concurrent_requests(
    oauth_standin: SlackStandIn, oauth_runtime: Runtime, app_url: str, clock: FixedClock
) -> None:
    install(app_url, "T0001")
    store = oauth_runtime.installer.installation_store
    old = store.find_installation(enterprise_id=None, team_id="T0001")
    _expire_soon(oauth_runtime.db, "T0001", clock())
    oauth_standin.clear_calls()
    slack = driver(oauth_standin, app_url, "T0001")
    event = {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home"}
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: slack.send_event(event).status, range(8)))
    assert statuses == [200] * 8
    refreshes = [
        c
        for c in oauth_standin.calls_to("oauth.v2.access")
        if c.args.get("grant_type") == "refresh_token"
    ]
    assert len(refreshes) == 1 and refreshes[0].response["ok"] is True
    new = store.find_installation(enterprise_id=None, team_id="T0001")
    assert new.bot_token != old.bot_token and new.bot_refresh_token != old.bot_refresh_token
    assert new.bot_token_expires_at > clock().timestamp() + 11 * 3600
    assert len(oauth_standin.calls_to("views.publish")) == 8


ROTATE_IN_A_PROCESS = """
import sys, time
from app.runtime import build_installer
from app.db import Database
from app.settings import Settings
settings = Settings(_env_file=None)
installer = build_installer(settings, Database(settings.database_url))
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.001)
print(installer.bot_token(team_id="T0001", enterprise_id=None))
"""


def test_two_processes_rotating_at_the_same_moment_refresh_once(
    oauth_standin: SlackStandIn,
    oauth_runtime: Runtime,
    app_url: str,
    database_url: str,
    clock: FixedClock,
) -> None:
    install(app_url, "T0001")
    _expire_soon(oauth_runtime.db, "T0001", clock())
    oauth_standin.clear_calls()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": oauth_standin.api_url,
        "PYTHONPATH": str(ROOT),
    }
    start = time.time() + 3  # both processes import first, then go at the same instant
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", ROTATE_IN_A_PROCESS, str(start)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    tokens = {out.strip() for out, _ in outputs}
    refreshes = [
        c
        for c in oauth_standin.calls_to("oauth.v2.access")
        if c.args.get("grant_type") == "refresh_token"
    ]
    assert len(refreshes) == 1
    assert tokens == {refreshes[0].response["access_token"]}


def test_the_installer_judges_a_token_expiring_by_the_apps_clock(
    oauth_standin: SlackStandIn, oauth_runtime: Runtime, app_url: str, clock: FixedClock
) -> None:
    install(app_url, "T0001")
    store = oauth_runtime.installer.installation_store
    # Three hours left by the app's clock: outside the two-hour rotation window.
    in_three_hours = clock().astimezone(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=3)
    with oauth_runtime.db.write() as session:
        for table in (installations_table, bots_table):
            session.execute(
                update(table)
                .where(table.c.team_id == "T0001")
                .values(bot_token_expires_at=in_three_hours)
            )
    installation = store.find_installation(enterprise_id=None, team_id="T0001")
    oauth_standin.clear_calls()
    assert oauth_runtime.installer.rotation.fresh(installation) is None
    assert oauth_standin.calls_to("oauth.v2.access") == []

    clock.advance(hours=1, minutes=30)  # now inside the window
    refreshed = oauth_runtime.installer.rotation.fresh(installation)
    assert refreshed is not None and refreshed.bot_token != installation.bot_token
    assert len(oauth_standin.calls_to("oauth.v2.access")) == 1


def test_a_dead_rotators_lease_is_taken_over(
    oauth_runtime: Runtime, app_url: str, clock: FixedClock
) -> None:
    install(app_url, "T0001")
    _expire_soon(oauth_runtime.db, "T0001", clock())
    installer = oauth_runtime.installer
    with oauth_runtime.db.write() as session:
        session.execute(
            text("INSERT INTO token_lease (key, holder, expires_at) VALUES (:k, 'dead', :t)"),
            {
                "k": f"{CLIENT_ID}||T0001|{ALICE}",
                "t": clock() - dt.timedelta(seconds=1),
            },
        )
    token = installer.bot_token(team_id="T0001", enterprise_id=None)
    assert token.startswith("xoxe.xoxb-")
    fresh = installer.installation_store.find_installation(enterprise_id=None, team_id="T0001")
    assert fresh.bot_token == token and fresh.bot_token_expires_at > clock().timestamp() + 3600


@pytest.mark.parametrize(
    "order", [("app_uninstalled", "tokens_revoked"), ("tokens_revoked", "app_uninstalled")]
)
def test_uninstalling_deletes_that_workspaces_tokens_and_data_in_either_order(
    oauth_standin: SlackStandIn, oauth_runtime: Runtime, app_url: str, order: tuple[str, str]
) -> None:
    for team_id in ("T0001", OTHER_TEAM):
        install(app_url, team_id)
        seed_okrs(oauth_runtime.db, team_id)
    assert rows_of(oauth_runtime.db, "T0001") == rows_of(oauth_runtime.db, OTHER_TEAM) == 4
    oauth_standin.revoke_workspace("T0001")
    slack = driver(oauth_standin, app_url, "T0001")
    events = {
        "app_uninstalled": {"type": "app_uninstalled"},
        "tokens_revoked": {"type": "tokens_revoked", "tokens": {"bot": ["U0OKRBOT"]}},
    }
    for name in order:
        assert slack.send_event(events[name]).status == 200
    for name in order:  # delivered again, as new events: still fine, nothing more to do
        assert slack.send_event(events[name]).status == 200

    store = oauth_runtime.installer.installation_store
    assert store.find_installation(enterprise_id=None, team_id="T0001") is None
    assert store.find_bot(enterprise_id=None, team_id="T0001") is None
    assert rows_of(oauth_runtime.db, "T0001") == 0
    # The other workspace keeps everything.
    assert store.find_bot(enterprise_id=None, team_id=OTHER_TEAM) is not None
    assert rows_of(oauth_runtime.db, OTHER_TEAM) == 4

    # Reinstalling starts from an empty workspace, and works.
    install(app_url, "T0001")
    oauth_standin.clear_calls()
    response = slack.send_event(
        {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home"}
    )
    assert response.status == 200
    assert [c.team_id for c in oauth_standin.calls_to("views.publish")] == ["T0001"]


def test_revoked_user_tokens_leave_the_workspace_installed(
    oauth_standin: SlackStandIn, oauth_runtime: Runtime, app_url: str
) -> None:
    install(app_url, "T0001")
    seed_okrs(oauth_runtime.db, "T0001")
    slack = driver(oauth_standin, app_url, "T0001")
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [ALICE]}}
    assert slack.send_event(revoked).status == 200
    assert rows_of(oauth_runtime.db, "T0001") == 4
    assert (
        oauth_runtime.installer.installation_store.find_bot(enterprise_id=None, team_id="T0001")
        is not None
    )


def test_the_clock_posts_with_each_workspaces_own_token(
    oauth_standin: SlackStandIn, oauth_runtime: Runtime, app_url: str, database_url: str
) -> None:
    from app.runtime import build_dispatcher

    for team_id in ("T0001", OTHER_TEAM):
        install(app_url, team_id)
        seed_okrs(oauth_runtime.db, team_id)
    dispatcher = build_dispatcher(_oauth_settings(oauth_standin, database_url))
    friday_prompt = dt.datetime(2026, 11, 20, 9, 1, tzinfo=dt.UTC)
    report = dispatcher.tick(friday_prompt)
    dispatcher.db.dispose()
    assert report.sent == 2, report
    posts = oauth_standin.calls_to("chat.postMessage")
    assert sorted(c.team_id for c in posts) == ["T0001", OTHER_TEAM]


def test_no_token_or_secret_reaches_the_logs_through_an_install_and_a_rotation(
    oauth_standin: SlackStandIn,
    oauth_runtime: Runtime,
    app_url: str,
    capsys: pytest.CaptureFixture[str],
    clock: FixedClock,
) -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        for json_lines in (False, True):
            configure_logging(
                "DEBUG", secrets=oauth_runtime.settings.secrets(), json_lines=json_lines
            )
            install(app_url, "T0001")
            _expire_soon(oauth_runtime.db, "T0001", clock())
            slack = driver(oauth_standin, app_url, "T0001")
            slack.send_event(
                {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home"}
            )
        err = capsys.readouterr().err
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])

    exchanges = oauth_standin.calls_to("oauth.v2.access")
    assert [c.args.get("grant_type") for c in exchanges].count("refresh_token") == 2
    secrets = {CLIENT_SECRET, SIGNING_SECRET, *oauth_standin.oauth.grants}
    for call in exchanges:
        secrets |= {call.args.get("code"), call.response.get("refresh_token")}
    for call in oauth_standin.calls_to("oauth.v2.authorize"):
        secrets.add(call.args.get("state"))
    secrets.discard(None)
    assert len(secrets) >= 10
    # The logs did see the exchange and the rotation, at DEBUG, with the values scrubbed.
    assert "oauth.v2.access" in err and "refresh_token" in err and "[redacted]" in err
    leaked = sorted(s for s in secrets if s in err)
    assert leaked == []
