"""Response URLs and acknowledgements: the app's answers that do not go through the Web API."""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.tryout.standin.blockkit import (
    ack_message_problems,
    message_content_problems,
    pointer_messages,
)
from app.tryout.standin.core import StandInCore
from app.tryout.standin.records import Reply, StandInError, fill_ids, truthy

# A response_url accepts up to five responses within thirty minutes.
RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60


@dataclass
class _ResponseUrl:
    user_id: str
    channel_id: str
    issued_at: float
    message_ts: str | None = None
    is_ephemeral: bool = False
    uses: int = 0


class ResponseUrls(StandInCore):
    """Issuing response URLs, answering posts to them, and recording acknowledgement bodies."""

    _response_urls: dict[str, _ResponseUrl]

    def new_response_url(
        self,
        *,
        user_id: str,
        channel_id: str,
        message_ts: str | None = None,
        is_ephemeral: bool = False,
    ) -> str:
        """A response URL bound to a user and channel (and the source message, if any)."""
        token = secrets.token_urlsafe(18)
        with self._lock:
            self._response_urls[token] = _ResponseUrl(
                user_id=user_id,
                channel_id=channel_id,
                issued_at=self._now(),
                message_ts=message_ts,
                is_ephemeral=is_ephemeral,
            )
        return f"{self.base_url}/response/{token}"

    def record_ack_response(
        self, *, user_id: str, channel_id: str, body: Mapping[str, Any] | str
    ) -> None:
        """Store a message the app returned in its HTTP acknowledgement.

        A bare string, or a body without ``response_type: in_channel``, is an ephemeral
        message for ``user_id``; ``in_channel`` bodies become channel messages. A body
        Slack would refuse (blocks slack_sdk's models reject, an unknown response type, text
        over the limit) raises :class:`StandInError`: in Slack the person sees only an error.
        """
        problems = ack_message_problems(body)
        if problems:
            raise StandInError("invalid acknowledgement: " + "; ".join(pointer_messages(problems)))
        if isinstance(body, str):
            body = {"text": body}
        text = body.get("text")
        blocks = body.get("blocks")
        if not text and not blocks:
            return
        with self._lock:
            if body.get("response_type") == "in_channel":
                self._store_message(channel_id, text, blocks, source="ack")
            else:
                self._ephemerals.append(
                    {
                        "channel": channel_id,
                        "user": user_id,
                        "ts": self._next_ts(),
                        "text": text,
                        "blocks": copy.deepcopy(blocks),
                        "source": "ack",
                    }
                )

    def _handle_response_url(self, token: str, raw: bytes) -> Reply:
        try:
            body = json.loads(raw.decode("utf-8") or "null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        args = body if isinstance(body, dict) else {}
        with self._lock:
            reply = self._respond(token, body)
        self._record("response_url", args, reply)
        return reply

    def _respond(self, token: str, body: Any) -> Reply:
        target = self._response_urls.get(token)
        if target is None:
            return Reply(404, "no_service")
        if self._now() - target.issued_at > RESPONSE_URL_TTL_SECONDS:
            return Reply(404, "expired_url")
        if target.uses >= RESPONSE_URL_MAX_USES:
            return Reply(404, "used_url")
        if not isinstance(body, dict):
            return Reply(400, "invalid_payload")
        original = self._original(target)
        if truthy(body.get("delete_original")):
            target.uses += 1
            if original is not None:
                store = self._ephemerals if target.is_ephemeral else self._messages
                store.remove(original)
            return Reply(200, "ok")
        text, blocks = body.get("text"), body.get("blocks")
        if not text and not blocks:
            return Reply(400, "no_text")
        if message_content_problems(text=text or "", blocks=blocks):
            return Reply(400, "invalid_blocks")
        blocks = fill_ids(copy.deepcopy(blocks)) if blocks else blocks
        target.uses += 1
        if truthy(body.get("replace_original")) and original is not None:
            original["text"], original["blocks"] = text, blocks
            if not target.is_ephemeral:
                original["edited"] = True
            return Reply(200, "ok")
        if body.get("response_type") == "in_channel":
            self._store_message(
                target.channel_id,
                text,
                blocks,
                thread_ts=body.get("thread_ts"),
                source="response_url",
            )
        else:
            self._ephemerals.append(
                {
                    "channel": target.channel_id,
                    "user": target.user_id,
                    "ts": self._next_ts(),
                    "text": text,
                    "blocks": blocks,
                    "source": "response_url",
                }
            )
        return Reply(200, "ok")

    def _original(self, target: _ResponseUrl) -> dict[str, Any] | None:
        if target.message_ts is None:
            return None
        store = self._ephemerals if target.is_ephemeral else self._messages
        return next(
            (
                m
                for m in store
                if m["ts"] == target.message_ts and m["channel"] == target.channel_id
            ),
            None,
        )
