"""The state every part of the stand-in shares: the directory, messages, calls, faults.

:class:`StandInCore` is the base of the Web API method groups (chat, files, views,
response URLs, users); :class:`~app.tryout.standin.server.SlackStandIn` combines them and
sets this state up in its ``__init__``.
"""

from __future__ import annotations

import copy
import math
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from app.tryout.standin.records import ApiError, Bucket, Call, Fault, Reply, stable_id


class StandInCore:
    """Shared state and helpers. Web API handlers run holding ``_lock``; public methods take it."""

    bot_token: str
    team_id: str
    team_name: str
    team_domain: str
    enterprise_id: str | None
    bot_user_id: str
    bot_id: str
    app_id: str
    clock: Callable[[], float]
    users: dict[str, dict[str, Any]]
    channels: dict[str, dict[str, Any]]
    _host: str
    _port: int
    _lock: threading.RLock
    _server: ThreadingHTTPServer | None
    _dms: dict[str, str]
    _calls: list[Call]
    _messages: list[dict[str, Any]]
    _ephemerals: list[dict[str, Any]]
    _faults: dict[str, Fault]
    _buckets: dict[str, Bucket]
    _last_ts: tuple[int, int]
    _counter: int
    # The workspace of the token making the current call (set under ``_lock``).
    _caller_team: str | None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the server must be started)."""
        if self._server is None:
            raise RuntimeError("the stand-in is not started")
        port = self._server.server_address[1]
        return f"http://{self._host}:{port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL, as ``WebClient(base_url=...)`` takes it."""
        return self.base_url + "/api/"

    # ------------------------------------------------------------------ directory

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        tz: str = "Europe/Berlin",
        is_admin: bool = False,
        team_id: str | None = None,
    ) -> dict[str, Any]:
        """Add a workspace member and return the stored record."""
        user = {
            "id": user_id,
            "name": name,
            "real_name": real_name or name,
            "tz": tz,
            "is_admin": is_admin,
            "team_id": team_id or self.team_id,
        }
        with self._lock:
            self.users[user_id] = user
        return user

    def add_channel(
        self, channel_id: str, *, name: str, is_private: bool = False
    ) -> dict[str, Any]:
        """Add a channel and return the stored record."""
        channel = {"id": channel_id, "name": name, "is_private": is_private}
        with self._lock:
            self.channels[channel_id] = channel
        return channel

    def dm_channel(self, user_id: str) -> str:
        """The id of the app's DM with ``user_id`` (stable per user)."""
        with self._lock:
            if user_id not in self._dms:
                self._dms[user_id] = stable_id("D", f"{self.team_id}:{user_id}")
            return self._dms[user_id]

    def _resolve_channel(self, channel: Any) -> str:
        if not isinstance(channel, str) or not channel:
            raise ApiError("channel_not_found")
        if channel in self.channels or channel in self._dms.values():
            return channel
        if channel in self.users:
            # Posting to a user id posts into the app's DM with that user.
            return self.dm_channel(channel)
        name = channel.lstrip("#")
        for cid, record in self.channels.items():
            if record["name"] == name:
                return cid
        raise ApiError("channel_not_found")

    def _known_conversation(self, channel_id: str) -> str:
        if channel_id in self.channels or channel_id in self._dms.values():
            return channel_id
        raise ApiError("channel_not_found")

    # ------------------------------------------------------------------ recording

    @property
    def calls(self) -> list[Call]:
        """A copy of every recorded call, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The recorded calls to one method (``"response_url"`` for response URLs)."""
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def clear_calls(self) -> None:
        """Forget the recorded calls (state is kept)."""
        with self._lock:
            self._calls.clear()

    def _record(
        self, method: str, args: dict[str, Any], reply: Reply, *, team_id: str | None = None
    ) -> None:
        response = reply.body if isinstance(reply.body, dict) else {"ok": reply.status == 200}
        if isinstance(reply.body, str) and reply.status != 200:
            response = {"ok": False, "error": reply.body}
        with self._lock:
            self._calls.append(
                Call(
                    method,
                    copy.deepcopy(args),
                    copy.deepcopy(response),
                    reply.status,
                    self.clock(),
                    team_id,
                )
            )

    # ------------------------------------------------------------------ time and message store

    def _now(self) -> float:
        return float(self.clock())

    def _next_ts(self) -> str:
        """A message ts like ``1700000000.000100``, unique and increasing."""
        with self._lock:
            now = self._now()
            sec = int(now)
            micro = int((now - sec) * 1_000_000)
            if (sec, micro) <= self._last_ts:
                sec, micro = self._last_ts
                micro += 1
                if micro >= 1_000_000:
                    sec, micro = sec + 1, 0
            self._last_ts = (sec, micro)
            return f"{sec}.{micro:06d}"

    def _store_message(
        self,
        channel: str,
        text: str | None,
        blocks: list[Any] | None,
        *,
        thread_ts: str | None = None,
        source: str = "chat.postMessage",
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        record = {
            "channel": channel,
            "ts": self._next_ts(),
            "text": text,
            "blocks": blocks,
            "thread_ts": thread_ts,
            "edited": False,
            "source": source,
            "metadata": metadata,
        }
        self._messages.append(record)
        return record

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        error: str = "ratelimited",
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail with ``status``.

        A 429 carries ``Retry-After: retry_after``. Failed calls are recorded but change
        no state.
        """
        with self._lock:
            self._faults[method] = Fault(status, retry_after, error, times)

    def set_rate_limit(
        self, method: str = "chat.postMessage", per_second: float | None = None
    ) -> None:
        """Limit ``method`` to ``per_second`` calls (token bucket); None removes the limit."""
        with self._lock:
            if per_second is None:
                self._buckets.pop(method, None)
            else:
                self._buckets[method] = Bucket(
                    per_second=per_second, tokens=max(1.0, per_second), updated=self._now()
                )

    def _take_fault(self, method: str) -> Reply | None:
        with self._lock:
            fault = self._faults.get(method)
            if fault is not None and fault.remaining > 0:
                fault.remaining -= 1
                if fault.remaining == 0:
                    del self._faults[method]
                headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
                return Reply(fault.status, {"ok": False, "error": fault.error}, headers)
            bucket = self._buckets.get(method)
            if bucket is None:
                return None
            now = self._now()
            capacity = max(1.0, bucket.per_second)
            bucket.tokens = min(
                capacity, bucket.tokens + (now - bucket.updated) * bucket.per_second
            )
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            wait = max(1, math.ceil((1.0 - bucket.tokens) / bucket.per_second))
            return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)})
