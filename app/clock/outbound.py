"""What the clock sends, and the interface it sends it through.

The clock decides what a delivery says and when: a person's check-in prompt, a team's
digest, a closing report, all domain data. A `Messenger` decides how that looks and carries
it to people; the Slack one is `app.slack.outbound.SlackMessenger`, wired in by the runtime,
so the clock imports nothing of Slack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from app.domain.checkins import CheckInLine
from app.domain.digest import Digest
from app.domain.scoring import ClosingReport


@dataclass(frozen=True)
class CheckInPrompt:
    """A person's weekly check-in prompt, or its reminder."""

    team_id: int
    team_name: str
    period: str
    lines: tuple[CheckInLine, ...]
    reminder: bool = False


# What one delivery says: a check-in to a person, a digest or a closing to a team's channel.
Content: TypeAlias = CheckInPrompt | Digest | ClosingReport


@dataclass(frozen=True)
class Posted:
    """Where a delivery's first message went: its channel and its timestamp (its id)."""

    channel: str
    ts: str


class SendFailed(Exception):
    """A messenger could not do what was asked; nothing is known to have gone out.

    `reason` is short and safe to record and log (e.g. Slack's error code).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimited(SendFailed):
    """Too many requests: try again after `retry_after` seconds (when known)."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Unavailable(SendFailed):
    """A temporary failure: the service or the network is down, a token is being renewed."""


class Undeliverable(SendFailed):
    """A failure that trying again will not fix by itself: no such channel, not installed,
    access revoked."""


class Messenger(Protocol):
    """Carries the clock's deliveries to people; every method raises `SendFailed` on failure.

    Each call names the workspace the delivery belongs to: with several workspaces, each
    has its own credentials.
    """

    def direct_channel(self, *, workspace_id: int, user: str) -> str:
        """The id of the direct-message channel with `user`, opened if need be."""
        ...

    def post(self, *, workspace_id: int, to: str, content: Content, delivery_id: int) -> Posted:
        """Post the first message of `content` to `to` (a channel, or a person's DM).

        The message carries `delivery_id`, so `find_posted` can find it after a crash.
        """
        ...

    def find_posted(
        self, *, workspace_id: int, channel: str, delivery_id: int, since: dt.datetime
    ) -> Posted | None:
        """The message `post` sent for `delivery_id` in `channel` since `since`, if any."""
        ...

    def post_follow_ups(
        self,
        *,
        workspace_id: int,
        posted: Posted,
        content: Content,
        pace: Callable[[], None] | None = None,
    ) -> None:
        """The rest of `content` (more messages, a chart) in the thread of `posted`.

        Best effort, once the first message is out: failures are logged, never raised nor
        retried, so the delivery itself still counts once. `pace` is called before each post.
        """
        ...
