"""What each sandbox user has not seen yet: new or changed DMs, channel posts and ephemeral
messages, read from the stand-in's state."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from app.tryout.standin import SlackStandIn

ItemKind = Literal["dm", "channel", "ephemeral"]


@dataclass(frozen=True)
class Item:
    """One message as a user would see it, and whether it changed since they last looked."""

    kind: ItemKind
    channel: str
    ts: str
    record: dict[str, Any]
    updated: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        """Identifies the message across edits."""
        return (self.kind, self.channel, self.ts)

    @property
    def at(self) -> dt.datetime:
        """When it was posted (the stand-in stamps messages with the sandbox clock)."""
        return dt.datetime.fromtimestamp(float(self.ts), dt.UTC)


def _fingerprint(record: dict[str, Any]) -> str:
    content = [record.get("text"), record.get("blocks"), bool(record.get("edited"))]
    return hashlib.sha1(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


class Inbox:
    """Per-user memory of what has been shown, so each step shows only what is new."""

    def __init__(self, standin: SlackStandIn) -> None:
        self.standin = standin
        self._seen: dict[str, dict[tuple[str, str, str], str]] = {}

    def visible(self, user_id: str) -> list[Item]:
        """Everything the user can see: their DM with the bot, public channels, their
        ephemeral messages; oldest first."""
        dm = self.standin.dm_channel(user_id)
        public = {cid for cid, c in self.standin.channels.items() if not c.get("is_private")}
        items: list[Item] = []
        for record in self.standin.messages():
            if record["channel"] == dm:
                items.append(Item("dm", dm, record["ts"], record))
            elif record["channel"] in public:
                items.append(Item("channel", record["channel"], record["ts"], record))
        for record in self.standin.ephemerals(user_id):
            items.append(Item("ephemeral", record["channel"], record["ts"], record))
        items.sort(key=lambda item: float(item.ts))
        return items

    def unseen(self, user_id: str, *, mark: bool = True) -> list[Item]:
        """New messages, and messages changed since the user last saw them."""
        seen = self._seen.setdefault(user_id, {})
        fresh: list[Item] = []
        for item in self.visible(user_id):
            fingerprint = _fingerprint(item.record)
            before = seen.get(item.key)
            if before == fingerprint:
                continue
            fresh.append(
                Item(item.kind, item.channel, item.ts, item.record, updated=before is not None)
            )
            if mark:
                seen[item.key] = fingerprint
        return fresh

    def mark_seen(self, user_id: str, items: list[Item]) -> None:
        """Remember these items as seen by the user."""
        seen = self._seen.setdefault(user_id, {})
        for item in items:
            seen[item.key] = _fingerprint(item.record)

    def find(self, user_id: str, key: tuple[str, str, str]) -> Item | None:
        """The current version of a message the user saw (by `Item.key`), if it still exists."""
        for item in self.visible(user_id):
            if item.key == key:
                return item
        return None
