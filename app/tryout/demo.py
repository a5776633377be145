"""`okrbot demo`: a scripted walk-through of the real app through the local Slack stand-in.

It starts the stand-in and the app on loopback, then plays a person in Slack: slash
commands, modals filled field by field, buttons. Every request is signed as Slack signs
it and every answer is rendered as the text a Slack user would see. No Slack account,
no tokens, no network.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr

from app.runtime import build_runtime
from app.server import LocalServer
from app.settings import Settings
from app.slack import ids
from app.tryout.standin import SlackDriver, SlackStandIn
from app.tryout.standin.render import render_message, render_view

WIDTH = 80
ALICE, BOB = "U0ALICE", "U0BOB"
GROWTH = "C0GROWTH1"


class _Walkthrough:
    def __init__(self, out: TextIO, standin: SlackStandIn, slack: SlackDriver) -> None:
        self.out = out
        self.standin = standin
        self.slack = slack
        self.users = {uid: user["name"] for uid, user in standin.users.items()}
        self.channels = {cid: channel["name"] for cid, channel in standin.channels.items()}

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def step(self, who: str, action: str) -> None:
        self.say()
        head = f"── @{self.users[who]} {action} "
        self.say(head + "─" * max(0, WIDTH - len(head)))

    def show_reply(self, who: str) -> None:
        replies = self.standin.ephemerals(who)
        if replies:
            self.say("(only visible to you)")
            self.say(str(render_message(replies[-1], users=self.users, channels=self.channels)))

    def show_view(self, who: str) -> None:
        view = self.standin.top_view(who)
        if view is None:
            self.say("(the modal closed)")
            return
        errors = self.standin.field_errors(view["id"])
        self.say(
            str(
                render_view(
                    view, errors=errors, users=self.users, channels=self.channels, width=WIDTH
                )
            )
        )

    def command(self, who: str, text: str) -> None:
        self.step(who, f"types /okr {text}".rstrip())
        response = self.slack.slash_command(user_id=who, text=text, channel_id=GROWTH)
        if response.status != 200:
            raise RuntimeError(f"the app answered HTTP {response.status}")
        if self.standin.top_view(who) is not None and not response.body.strip():
            self.show_view(who)
        else:
            self.show_reply(who)

    def submit(self, who: str, values: dict[str, Any], labels: dict[str, str]) -> None:
        view = self.standin.top_view(who)
        assert view is not None
        submit_label = (view.get("submit") or {}).get("text", "Submit")
        self.step(who, f"fills in the form and clicks {submit_label}")
        for block_id, value in values.items():
            shown = self.users.get(value) or self.channels.get(value) or value
            self.say(f"  {labels.get(block_id, block_id)}: {shown}")
        self.say()
        response = self.slack.submit_view(user_id=who, values=values)
        if response.status not in (0, 200):
            raise RuntimeError(f"the app answered HTTP {response.status}")
        self.show_view(who)

    def click(self, who: str, action_id: str, label: str) -> None:
        self.step(who, f"clicks “{label}”")
        self.slack.click(user_id=who, action_id=action_id)
        self.show_view(who)


def _settings(standin: SlackStandIn, database_url: str, signing_secret: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=SecretStr(standin.bot_token),
        slack_signing_secret=SecretStr(signing_secret),
        database_url=database_url,
        slack_api_url=standin.api_url,
        log_level="WARNING",
    )


def run_demo(*, out: TextIO, database_url: str | None = None) -> None:
    """Play the walk-through and print what Slack would show to `out`."""
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="okrbot-demo-") as scratch:
        url = database_url or f"sqlite:///{Path(scratch) / 'demo.db'}"
        signing_secret = secrets.token_hex(16)
        with SlackStandIn(bot_token=f"xoxb-demo-{secrets.token_hex(8)}") as standin:
            standin.add_user(ALICE, name="alice", real_name="Alice Ng", tz="Europe/Berlin")
            standin.add_user(BOB, name="bob", real_name="Bob Diaz", tz="Europe/Lisbon")
            standin.add_channel(GROWTH, name="growth")
            runtime = build_runtime(_settings(standin, url, signing_secret))
            try:
                with LocalServer(runtime.wsgi) as server:
                    slack = SlackDriver(
                        app_url=f"{server.url}/slack/events",
                        signing_secret=signing_secret,
                        standin=standin,
                    )
                    _play(_Walkthrough(out, standin, slack), server.url, standin.api_url, url)
            finally:
                runtime.db.dispose()


def _play(walk: _Walkthrough, app_url: str, api_url: str, database_url: str) -> None:
    walk.say("okrbot demo: the real app, driven through the local Slack stand-in.")
    walk.say(f"  app      {app_url}/slack/events  (signed as Slack signs)")
    walk.say(f"  Slack    {api_url}  (the stand-in's Web API)")
    walk.say(f"  database {database_url}")
    walk.say("  people   @alice (Europe/Berlin), @bob; channel #growth")

    walk.command(ALICE, "help")

    walk.command(ALICE, "team")
    walk.submit(
        ALICE,
        {ids.BLOCK_TEAM_NAME: "Growth", ids.BLOCK_TEAM_CHANNEL: GROWTH},
        {ids.BLOCK_TEAM_NAME: "Team name", ids.BLOCK_TEAM_CHANNEL: "Digest channel"},
    )

    walk.command(ALICE, "new")
    words = {
        ids.BLOCK_OBJECTIVE_TITLE: "Make onboarding effortless for new teams",
        ids.kr_block(ids.BLOCK_KR_TITLE, 0): "Raise onboarding completion from 60% to 85%",
        ids.kr_block(ids.BLOCK_KR_TITLE, 1): "Cut time to first value from 3 days to 1 day",
        ids.kr_block(ids.BLOCK_KR_OWNER, 1): BOB,
        ids.kr_block(ids.BLOCK_KR_TITLE, 2): "Keep p95 page load under 800 ms",
    }
    labels = {
        ids.BLOCK_OBJECTIVE_TITLE: "Objective",
        ids.kr_block(ids.BLOCK_KR_TITLE, 0): "Key result 1",
        ids.kr_block(ids.BLOCK_KR_TITLE, 1): "Key result 2",
        ids.kr_block(ids.BLOCK_KR_OWNER, 1): "Owner of key result 2",
        ids.kr_block(ids.BLOCK_KR_TITLE, 2): "Key result 3",
        ids.kr_block(ids.BLOCK_KR_TARGET, 1): "Target of key result 2",
    }
    walk.submit(ALICE, words, labels)
    walk.say("The numbers were read from the words. A typo in a target is caught on its field:")
    walk.submit(ALICE, {ids.kr_block(ids.BLOCK_KR_TARGET, 1): "one"}, labels)
    walk.submit(ALICE, {ids.kr_block(ids.BLOCK_KR_TARGET, 1): "1"}, labels)

    walk.command(ALICE, "list")
    walk.command(BOB, "edit O1")

    walk.say()
    walk.say("That was the real app over HTTP. Run it against your own workspace with")
    walk.say("`okrbot serve` (see README.md: Create the Slack app).")
