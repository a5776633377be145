"""The clock's Slack messenger: posts tagged with the delivery, found again, failures named."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from slack_sdk import WebClient

from app.clock.outbound import (
    CheckInPrompt,
    Posted,
    RateLimited,
    SendFailed,
    Unavailable,
    Undeliverable,
)
from app.domain.digest import Digest
from app.slack.install import NotInstalledError
from app.slack.outbound import SlackMessenger
from app.tryout.standin import SlackStandIn
from tests.conftest import ALICE, BOT_TOKEN, GROWTH_CHANNEL

PROMPT = CheckInPrompt(team_id=1, team_name="Growth", period="2026-W47", lines=())
EMPTY_DIGEST = Digest(
    team_name="Growth",
    cycle_label="2026-Q4",
    period="2026-W47",
    week=8,
    weeks=13,
    expected=0.6,
    objectives=(),
    updated=0,
    total=0,
    at_risk=(),
    off_track=(),
    moves=(),
    history=(),
)
YESTERDAY = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)


@pytest.fixture
def messenger(standin: SlackStandIn) -> SlackMessenger:
    # No retry handlers: each failure reaches the messenger on the first try.
    return SlackMessenger(WebClient(token=BOT_TOKEN, base_url=standin.api_url))


def test_a_posted_delivery_is_found_again_by_its_tag(
    messenger: SlackMessenger, standin: SlackStandIn
) -> None:
    posted = messenger.post(workspace_id=1, to=ALICE, content=PROMPT, delivery_id=7)
    channel = messenger.direct_channel(workspace_id=1, user=ALICE)
    assert posted.channel == channel == standin.dm_channel(ALICE)
    found = messenger.find_posted(workspace_id=1, channel=channel, delivery_id=7, since=YESTERDAY)
    assert found == posted
    other = messenger.find_posted(workspace_id=1, channel=channel, delivery_id=8, since=YESTERDAY)
    assert other is None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    assert (
        messenger.find_posted(workspace_id=1, channel=channel, delivery_id=7, since=later) is None
    )


def test_a_rate_limit_says_when_to_try_again(
    messenger: SlackMessenger, standin: SlackStandIn
) -> None:
    standin.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(RateLimited) as raised:
        messenger.post(workspace_id=1, to=ALICE, content=PROMPT, delivery_id=7)
    assert raised.value.reason == "ratelimited" and raised.value.retry_after == 7.0
    assert standin.messages() == []


@pytest.mark.parametrize(
    ("status", "error", "kind"),
    [(503, "service_unavailable", Unavailable), (200, "token_revoked", Undeliverable)],
)
def test_slacks_errors_keep_their_code(
    messenger: SlackMessenger,
    standin: SlackStandIn,
    status: int,
    error: str,
    kind: type[SendFailed],
) -> None:
    standin.fail_next("conversations.history", status=status, error=error)
    with pytest.raises(kind) as raised:
        messenger.find_posted(
            workspace_id=1, channel=GROWTH_CHANNEL, delivery_id=7, since=YESTERDAY
        )
    assert raised.value.reason == error


def test_an_unknown_channel_is_undeliverable(messenger: SlackMessenger) -> None:
    with pytest.raises(Undeliverable) as raised:
        messenger.post(workspace_id=1, to="C0NOSUCH", content=PROMPT, delivery_id=7)
    assert raised.value.reason == "channel_not_found"


def test_a_workspace_without_an_installation_is_undeliverable(standin: SlackStandIn) -> None:
    def not_installed(workspace_id: int) -> WebClient:
        raise NotInstalledError(str(workspace_id))

    messenger = SlackMessenger(
        WebClient(token=None, base_url=standin.api_url), client_for=not_installed
    )
    with pytest.raises(Undeliverable) as raised:
        messenger.post(workspace_id=2, to=ALICE, content=PROMPT, delivery_id=7)
    assert raised.value.reason == "NotInstalledError"
    # Follow-ups are best effort: the same failure there is logged, not raised.
    messenger.post_follow_ups(
        workspace_id=2, posted=Posted(channel=GROWTH_CHANNEL, ts="1.0"), content=EMPTY_DIGEST
    )
    assert standin.messages() == [] and standin.uploads() == []


def test_a_network_failure_is_temporary() -> None:
    with socket.socket() as probe:  # a port nothing listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    messenger = SlackMessenger(WebClient(token=BOT_TOKEN, base_url=f"http://127.0.0.1:{port}/api/"))
    with pytest.raises(Unavailable):
        messenger.direct_channel(workspace_id=1, user=ALICE)
