"""The clock's messenger on Slack, and posting a digest or a closing from a command.

`SlackMessenger` implements `app.clock.outbound.Messenger` over the Web API: it renders the
clock's content with the Block Kit builders in `app.slack.views` (and the digest's chart),
tags each delivery's first message with message metadata naming the delivery, finds it in
a channel's history after a crash, and turns Slack's failures into the interface's.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError

from app.charts.progress_chart import ChartSpec, Series, chart_alt_text, render_progress_chart
from app.clock.outbound import (
    CheckInPrompt,
    Content,
    Posted,
    RateLimited,
    SendFailed,
    Unavailable,
    Undeliverable,
)
from app.domain.digest import Digest
from app.slack import ids
from app.slack.install import NotInstalledError
from app.slack.views.checkin import build_checkin_prompt
from app.slack.views.closing import build_closing_messages
from app.slack.views.digest import build_digest_messages

logger = logging.getLogger("okrbot.checkins")

# Slack errors that trying again will not fix by itself.
UNDELIVERABLE = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "invalid_auth",
        "is_archived",
        "missing_scope",
        "not_authed",
        "not_in_channel",
        "restricted_action",
        "team_access_not_granted",
        "token_expired",
        "token_revoked",
        "user_not_found",
    }
)


@dataclass(frozen=True)
class Outgoing:
    """What a delivery posts: a first message, follow-ups in its thread, maybe a chart."""

    messages: list[dict[str, Any]]
    chart: bytes | None = None
    chart_title: str = ""
    chart_alt_text: str = ""


def digest_outgoing(digest: Digest) -> Outgoing:
    """The digest's messages and its chart."""
    spec = ChartSpec(
        title=f"{digest.team_name} · {digest.cycle_label} · week {digest.week} of {digest.weeks}",
        weeks=digest.weeks,
        current_week=digest.week,
        series=[Series(label=title, points=points) for title, points in digest.history],
    )
    return Outgoing(
        messages=build_digest_messages(digest),
        chart=render_progress_chart(spec),
        chart_title=f"{digest.team_name} progress, week {digest.week} of {digest.weeks}",
        chart_alt_text=chart_alt_text(spec),
    )


def messages_of(content: Content) -> list[dict[str, Any]]:
    """The Block Kit messages that say `content`: the first, then any for its thread."""
    if isinstance(content, CheckInPrompt):
        return [
            build_checkin_prompt(
                team_id=content.team_id,
                team_name=content.team_name,
                period=content.period,
                lines=list(content.lines),
                reminder=content.reminder,
            )
        ]
    if isinstance(content, Digest):
        return build_digest_messages(content)
    return build_closing_messages(content)


def post_follow_ups(
    client: WebClient,
    outgoing: Outgoing,
    *,
    channel: str | None,
    ts: str | None,
    pace: Callable[[], None] | None = None,
) -> None:
    """The rest of a long digest, and its chart, in the first message's thread.

    Best effort once the first message is out: a failure is logged, never retried, so the
    digest itself still goes out once.
    """
    if not channel or not ts:
        return
    try:
        for extra in outgoing.messages[1:]:
            if pace:
                pace()
            client.chat_postMessage(
                channel=channel, thread_ts=ts, text=extra["text"], blocks=extra["blocks"]
            )
        if outgoing.chart:
            client.files_upload_v2(
                channel=channel,
                thread_ts=ts,
                file=outgoing.chart,
                filename="progress.png",
                title=outgoing.chart_title,
                alt_txt=(outgoing.chart_alt_text or outgoing.chart_title)[:1000],
            )
    except (SlackApiError, OSError) as failure:
        logger.warning("Failed to post the rest of a digest in %s: %s", channel, failure)


def post_outgoing(client: WebClient, outgoing: Outgoing, *, channel: str) -> None:
    """Post a digest now (not a scheduled delivery): first message, thread, chart."""
    first = outgoing.messages[0]
    response = client.chat_postMessage(channel=channel, text=first["text"], blocks=first["blocks"])
    post_follow_ups(client, outgoing, channel=response.get("channel"), ts=response.get("ts"))


def _retry_after(headers: Mapping[str, Any]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            first = value[0] if isinstance(value, list | tuple) else value
            try:
                return float(first)
            except (TypeError, ValueError):
                return None
    return None


def send_failure(failure: Exception) -> SendFailed:
    """The messenger interface's failure for what the Web API client raised."""
    if isinstance(failure, SlackApiError):
        reason = str(failure.response.get("error"))
        if failure.response.status_code == 429:
            return RateLimited(reason, retry_after=_retry_after(failure.response.headers or {}))
        return Undeliverable(reason) if reason in UNDELIVERABLE else Unavailable(reason)
    if isinstance(failure, NotInstalledError):
        return Undeliverable(type(failure).__name__)
    return Unavailable(type(failure).__name__)


# What the Web API client (and, per workspace, the installer) raise when a call fails.
CLIENT_FAILURES = (SlackApiError, SlackTokenRotationError, OSError, NotInstalledError)


@contextmanager
def _translated() -> Iterator[None]:
    """Raise the interface's failures for the Web API client's (and the installer's)."""
    try:
        yield
    except CLIENT_FAILURES as failure:
        raise send_failure(failure) from failure


class SlackMessenger:
    """The clock's `Messenger` on Slack's Web API."""

    def __init__(
        self, client: WebClient, *, client_for: Callable[[int], WebClient] | None = None
    ) -> None:
        """`client` posts for every workspace, unless `client_for` gives each workspace its
        own (multi-workspace mode, each with its own token; it raises NotInstalledError)."""
        self.client = client
        self.client_for = client_for

    def _client(self, workspace_id: int) -> WebClient:
        return self.client if self.client_for is None else self.client_for(workspace_id)

    def direct_channel(self, *, workspace_id: int, user: str) -> str:
        """The id of the DM channel with `user` (`conversations.open`)."""
        with _translated():
            client = self._client(workspace_id)
            return str(client.conversations_open(users=user)["channel"]["id"])

    def post(self, *, workspace_id: int, to: str, content: Content, delivery_id: int) -> Posted:
        """Post the first message, with metadata naming the delivery."""
        first = messages_of(content)[0]
        with _translated():
            client = self._client(workspace_id)
            response = client.chat_postMessage(
                channel=to,
                text=first["text"],
                blocks=first["blocks"],
                metadata={
                    "event_type": ids.METADATA_DELIVERY,
                    "event_payload": {"delivery_id": delivery_id},
                },
            )
        return Posted(channel=str(response["channel"]), ts=str(response["ts"]))

    def find_posted(
        self, *, workspace_id: int, channel: str, delivery_id: int, since: dt.datetime
    ) -> Posted | None:
        """Look for the delivery's metadata in the channel's history since `since`."""
        with _translated():
            client = self._client(workspace_id)
            history = client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
            )
        messages: list[dict[str, Any]] = history.get("messages") or []
        for message in messages:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == ids.METADATA_DELIVERY
                and payload.get("delivery_id") == delivery_id
            ):
                return Posted(channel=channel, ts=str(message["ts"]))
        return None

    def post_follow_ups(
        self,
        *,
        workspace_id: int,
        posted: Posted,
        content: Content,
        pace: Callable[[], None] | None = None,
    ) -> None:
        """A digest's further messages and its chart, or a long closing's further messages,
        in the first message's thread."""
        if isinstance(content, CheckInPrompt):
            return  # one message, always
        outgoing = (
            digest_outgoing(content)
            if isinstance(content, Digest)
            else Outgoing(messages=build_closing_messages(content))
        )
        if len(outgoing.messages) < 2 and not outgoing.chart:
            return
        try:
            client = self._client(workspace_id)
        except CLIENT_FAILURES as failure:
            logger.warning("Failed to post the rest of a digest in %s: %s", posted.channel, failure)
            return
        post_follow_ups(client, outgoing, channel=posted.channel, ts=posted.ts, pace=pace)
