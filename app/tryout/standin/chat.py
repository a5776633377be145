"""``chat.*`` and ``conversations.*``: channel and ephemeral messages, DMs, history."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from app.tryout.standin.blockkit import message_content_problems
from app.tryout.standin.core import StandInCore
from app.tryout.standin.records import ApiError, fill_ids, stable_id, truthy


class ChatMethods(StandInCore):
    """Posting, updating and reading messages, and opening conversations."""

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Channel messages (copies), oldest first, optionally for one channel."""
        with self._lock:
            found = [m for m in self._messages if channel is None or m["channel"] == channel]
            return copy.deepcopy(found)

    def ephemerals(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages (copies), oldest first, optionally for one user."""
        with self._lock:
            found = [e for e in self._ephemerals if user_id is None or e["user"] == user_id]
            return copy.deepcopy(found)

    # ------------------------------------------------------------------ conversations

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            channel_id = self._resolve_channel(args["channel"])
            return {"channel": {"id": channel_id}, "no_op": True, "already_open": True}
        users = args.get("users")
        if isinstance(users, list):
            user_ids = [str(u) for u in users]
        elif isinstance(users, str) and users:
            user_ids = [u.strip() for u in users.split(",") if u.strip()]
        else:
            raise ApiError("users_list_not_supplied")
        for user_id in user_ids:
            if user_id not in self.users:
                raise ApiError("user_not_found")
        if len(user_ids) == 1:
            already = user_ids[0] in self._dms
            channel_id = self.dm_channel(user_ids[0])
            body: dict[str, Any] = {"channel": {"id": channel_id}}
            if already:
                body.update(no_op=True, already_open=True)
            return body
        # A multi-person DM: register it as a private conversation.
        channel_id = stable_id("G", ",".join(sorted(user_ids)))
        if channel_id not in self.channels:
            self.add_channel(channel_id, name="mpdm-" + "--".join(user_ids), is_private=True)
        return {"channel": {"id": channel_id}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        # A conversation id, as Slack wants it: a user id or a #name is channel_not_found.
        channel = self._known_conversation(str(args.get("channel") or ""))
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or "inf")
        limit = min(int(args.get("limit") or 100), 999)
        with_metadata = truthy(args.get("include_all_metadata"))
        # The bounds are exclusive unless `inclusive` is set; thread replies stay in their
        # thread (conversations.replies), only their parents are in the history.
        inclusive = truthy(args.get("inclusive"))
        found = [
            m
            for m in self._messages
            if m["channel"] == channel
            and not m.get("thread_ts")
            and (oldest <= float(m["ts"]) if inclusive else oldest < float(m["ts"]))
            and (float(m["ts"]) <= latest if inclusive else float(m["ts"]) < latest)
        ]
        found.sort(key=lambda m: float(m["ts"]), reverse=True)  # newest first, as Slack does
        replies: dict[str, list[str]] = {}
        for m in self._messages:
            if m["channel"] == channel and m.get("thread_ts"):
                replies.setdefault(m["thread_ts"], []).append(m["ts"])
        messages = []
        for record in found[:limit]:
            message = self._message_object(record)
            if record["ts"] in replies:
                # A thread's parent carries the thread's summary, as Slack shows it.
                thread = replies[record["ts"]]
                message.update(
                    thread_ts=record["ts"],
                    reply_count=len(thread),
                    reply_users_count=1,
                    latest_reply=max(thread, key=float),
                    reply_users=[self.bot_user_id],
                    is_locked=False,
                )
            if with_metadata and record.get("metadata"):
                message["metadata"] = copy.deepcopy(record["metadata"])
            messages.append(message)
        return {
            "messages": messages,
            "has_more": len(found) > limit,
            "response_metadata": {"next_cursor": ""},
        }

    # ------------------------------------------------------------------ chat

    def _message_content(self, args: dict[str, Any]) -> tuple[str | None, list[Any] | None]:
        text = args.get("text")
        blocks = args.get("blocks")
        if text is not None and not isinstance(text, str):
            text = str(text)
        if text is None and not blocks and not args.get("attachments"):
            raise ApiError("no_text")
        if text is not None and len(text) > 40_000:
            raise ApiError("msg_too_long")
        if blocks is not None:
            problems = message_content_problems(text=text or "", blocks=blocks)
            if problems:
                errors = [f"{message} [json-pointer:{pointer}]" for pointer, message in problems]
                raise ApiError(
                    "invalid_blocks",
                    errors=errors,
                    response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
                )
            blocks = fill_ids(copy.deepcopy(blocks))
        return text, blocks

    def _message_object(self, record: Mapping[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": record["text"] or "",
            "ts": record["ts"],
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": "okrbot",
                "deleted": False,
                "team_id": self.team_id,
            },
        }
        if record["blocks"] is not None:
            message["blocks"] = copy.deepcopy(record["blocks"])
        if record.get("thread_ts"):
            message["thread_ts"] = record["thread_ts"]
            message["parent_user_id"] = self.bot_user_id
        if record.get("edited"):
            message["edited"] = {"user": self.bot_user_id, "ts": record["edited_ts"]}
        if record.get("files"):
            # A file share made by files.completeUploadExternal, as conversations.history shows it.
            message["files"] = copy.deepcopy(record["files"])
            message["upload"] = True
            message["display_as_bot"] = False
        return message

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        text, blocks = self._message_content(args)
        thread_ts = args.get("thread_ts") or None
        if thread_ts and not any(
            m["channel"] == channel and m["ts"] == thread_ts for m in self._messages
        ):
            raise ApiError("thread_not_found")
        metadata = args.get("metadata")
        if metadata is not None and (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise ApiError("invalid_metadata_format")
        record = self._store_message(channel, text, blocks, thread_ts=thread_ts, metadata=metadata)
        return {"channel": channel, "ts": record["ts"], "message": self._message_object(record)}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        user_id = args.get("user")
        if user_id not in self.users:
            raise ApiError("user_not_found")
        text, blocks = self._message_content(args)
        ts = self._next_ts()
        self._ephemerals.append(
            {
                "channel": channel,
                "user": user_id,
                "ts": ts,
                "text": text,
                "blocks": blocks,
                "source": "chat.postEphemeral",
            }
        )
        return {"message_ts": ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        # chat.update wants the conversation id: for a DM the D… id, never the user's id.
        channel = self._known_conversation(str(args.get("channel") or ""))
        ts = args.get("ts")
        record = next(
            (m for m in self._messages if m["channel"] == channel and m["ts"] == ts), None
        )
        if record is None:
            raise ApiError("message_not_found")
        has_text = args.get("text") is not None
        has_blocks = args.get("blocks") is not None
        text, blocks = self._message_content(args)
        # Omitted fields keep their previous content, as chat.update documents for blocks.
        if has_text:
            record["text"] = text
        if has_blocks:
            record["blocks"] = blocks
        record["edited"] = True
        record["edited_ts"] = self._next_ts()
        message = self._message_object(record)
        return {"channel": channel, "ts": ts, "text": message["text"], "message": message}
