"""A local stand-in for Slack's Web API, served over real HTTP on the loopback interface.

The app under test talks to it exactly as it talks to Slack: a ``slack_sdk.WebClient``
pointed at :attr:`SlackStandIn.api_url` sends real HTTP requests, and the stand-in answers
with Slack's documented response shapes and error codes. It also keeps the state that
Slack would keep (channel messages, ephemeral messages, modal stacks, Home tabs, issued
trigger ids and response URLs) so tests, the demo and the sandbox can inspect it.

Only the methods the app uses are implemented; any other method answers
``unknown_method`` with HTTP 404, as Slack does.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import math
import mimetypes
import re
import secrets
import string
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.slack.limits import iter_elements, message_problems, view_problems
from app.tryout.standin.oauth import OAuthAuthority, OAuthError
from app.tryout.standin.oauth import Workspace as OAuthWorkspace

# Slack lets a trigger_id be exchanged once, within three seconds of the interaction.
TRIGGER_TTL_SECONDS = 3.0
# A response_url accepts up to five responses within thirty minutes.
RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
# After views.open, an app may push two more views: three in a stack at most.
VIEW_STACK_MAX = 3
# files.getUploadURLExternal refuses image descriptions longer than this.
ALT_TXT_MAX = 1000
# Upload URLs handed out by files.getUploadURLExternal point back at the stand-in, under this
# path, as Slack's point at files.slack.com/upload/v1/.
_UPLOAD_PATH = "/upload/v1/"
# files.completeUploadExternal takes encoded conversation ids only (no user ids, no names).
_CHANNEL_ID_PATTERN = "^[CGDZ][A-Z0-9]{8,}$"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_JSON_ARGS = ("blocks", "attachments", "view", "metadata")
_ID_ALPHABET = string.ascii_uppercase + string.digits
_TZ_LABELS = {
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
}


class StandInError(ValueError):
    """The app asked the stand-in for something Slack would refuse outside the Web API.

    Raised by :meth:`SlackStandIn.apply_view_response` for an invalid ``response_action``
    payload: in Slack the user would see a generic error and the modal would stay.
    """


@dataclass(frozen=True)
class Call:
    """One recorded request to the stand-in (Web API method or response URL)."""

    method: str
    args: dict[str, Any]
    response: dict[str, Any]
    status: int
    at: float
    # The workspace whose token made the call (None for calls without a valid token).
    team_id: str | None = None


@dataclass
class _Fault:
    status: int
    retry_after: int
    error: str
    remaining: int


@dataclass
class _Bucket:
    per_second: float
    tokens: float
    updated: float


@dataclass
class _Trigger:
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class _ResponseUrl:
    user_id: str
    channel_id: str
    issued_at: float
    message_ts: str | None = None
    is_ephemeral: bool = False
    uses: int = 0


@dataclass
class _Upload:
    """One file on its way through getUploadURLExternal, the upload URL and completion."""

    file_id: str
    filename: str
    length: int
    token: str
    created: float
    alt_txt: str | None = None
    snippet_type: str | None = None
    data: bytes | None = None
    title: str | None = None
    channels: list[str] = field(default_factory=list)
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False
    # channel id → ts of the file-share message posted there on completion.
    shares: dict[str, str] = field(default_factory=dict)


@dataclass
class _Reply:
    """What one HTTP request is answered with."""

    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


class _ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _random_id(prefix: str, length: int = 10) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def _stable_id(prefix: str, seed: str) -> str:
    digest = hashlib.sha1(seed.encode("utf-8")).hexdigest().upper()
    return prefix + digest[:10]


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _invalid_arguments(problems: list[Any], prefix: str) -> _ApiError:
    messages = [f"[ERROR] {p.message} [json-pointer:{prefix}{p.pointer}]" for p in problems]
    return _ApiError("invalid_arguments", response_metadata={"messages": messages})


def _invalid_argument(message: str) -> _ApiError:
    """``invalid_arguments`` with one message, in Slack's ``[ERROR] ...`` form."""
    return _ApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {message}"]})


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk, or None for anything else."""
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _upload_payload(headers: Mapping[str, str], raw: bytes) -> bytes | None:
    """The file bytes of an upload-URL POST: the raw body, or the file part of a multipart form.

    slack_sdk posts the raw bytes; Slack also accepts ``multipart/form-data`` (curl -F), so
    the stand-in does too. None means a multipart body without a file part.
    """
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if not content_type.lower().startswith("multipart/form-data"):
        return raw
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    form = BytesParser(policy=HTTP).parsebytes(head + raw)
    if not form.is_multipart():
        return None
    for part in form.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() is not None or name in ("file", "filename"):
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


class SlackStandIn:
    """A real HTTP server on 127.0.0.1 that answers like Slack's Web API.

    Start it (or use it as a context manager), then point the app's
    ``WebClient(base_url=standin.api_url, token=standin.bot_token)`` at it.
    A public channel ``C0GENERAL`` (#general) exists from the start so the driver's
    defaults work; add users with :meth:`add_user` and channels with :meth:`add_channel`.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-standin-token",
        team_id: str = "T0001",
        team_name: str = "Stand-in Workspace",
        enterprise_id: str | None = None,
        bot_user_id: str = "U0OKRBOT",
        bot_id: str = "B0OKRBOT",
        app_id: str = "A0OKRBOT",
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = "standin"
        self.enterprise_id = enterprise_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.clock = clock
        self._host = host
        self._port = port
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self._dms: dict[str, str] = {}
        self._calls: list[Call] = []
        self._messages: list[dict[str, Any]] = []
        self._ephemerals: list[dict[str, Any]] = []
        self._stacks: dict[str, list[dict[str, Any]]] = {}
        self._homes: dict[str, dict[str, Any]] = {}
        self._field_errors: dict[str, dict[str, str]] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._faults: dict[str, _Fault] = {}
        self._buckets: dict[str, _Bucket] = {}
        self._uploads: dict[str, _Upload] = {}
        self._last_ts = (0, 0)
        self._counter = 0
        self._caller_team: str | None = None
        self.oauth = OAuthAuthority(clock=self.clock, bot_user_id=bot_user_id, app_id=app_id)
        self.oauth.workspaces[team_id] = OAuthWorkspace(team_id, team_name, enterprise_id)
        self.add_channel("C0GENERAL", name="general")

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SlackStandIn:
        """Start serving in a daemon thread; returns self."""
        if self._server is not None:
            return self
        standin = self

        class Handler(_Handler):
            owner = standin

        server = ThreadingHTTPServer((self._host, self._port), Handler)
        server.daemon_threads = True
        self._server = server
        # A short poll interval keeps stop() fast in tests.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

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
                self._dms[user_id] = _stable_id("D", f"{self.team_id}:{user_id}")
            return self._dms[user_id]

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
        self, method: str, args: dict[str, Any], reply: _Reply, *, team_id: str | None = None
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

    # ------------------------------------------------------------------ state inspection

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

    def view_stack(self, user_id: str) -> list[dict[str, Any]]:
        """The user's open modal views, bottom first (copies)."""
        with self._lock:
            return copy.deepcopy(self._stacks.get(user_id, []))

    def top_view(self, user_id: str) -> dict[str, Any] | None:
        """The modal view the user is looking at, or None."""
        with self._lock:
            stack = self._stacks.get(user_id)
            return copy.deepcopy(stack[-1]) if stack else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The user's published Home tab view, or None."""
        with self._lock:
            home = self._homes.get(user_id)
            return copy.deepcopy(home) if home else None

    def field_errors(self, view_id: str) -> dict[str, str]:
        """The ``response_action: errors`` shown on a view, block_id → message."""
        with self._lock:
            return dict(self._field_errors.get(view_id, {}))

    def uploads(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Files uploaded through the external-upload flow (copies), oldest first.

        Each entry has ``file_id``, ``filename``, ``title``, ``bytes`` (the content received
        at the upload URL, None until it arrives), ``length`` (as declared), ``channel`` (the
        first conversation it was shared to, or None), ``channels``, ``ts`` (the file-share
        message in ``channel``), ``thread_ts``, ``initial_comment``, ``alt_txt``,
        ``snippet_type`` and ``completed``. With ``channel``, only uploads shared there.
        """
        with self._lock:
            found = [u for u in self._uploads.values() if channel is None or channel in u.channels]
            return [
                {
                    "file_id": u.file_id,
                    "filename": u.filename,
                    "title": u.title,
                    "bytes": u.data,
                    "length": u.length,
                    "channel": u.channels[0] if u.channels else None,
                    "channels": list(u.channels),
                    "ts": u.shares.get(channel or (u.channels[0] if u.channels else "")),
                    "thread_ts": u.thread_ts,
                    "initial_comment": u.initial_comment,
                    "alt_txt": u.alt_txt,
                    "snippet_type": u.snippet_type,
                    "completed": u.completed,
                }
                for u in found
            ]

    # ------------------------------------------------------------------ ids and urls

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

    def issue_trigger_id(self, user_id: str) -> str:
        """A fresh trigger_id for ``user_id``, valid once within three seconds."""
        with self._lock:
            self._counter += 1
            trigger_id = f"{int(self._now())}.{self._counter}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = _Trigger(user_id=user_id, issued_at=self._now())
            return trigger_id

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
            self._faults[method] = _Fault(status, retry_after, error, times)

    def set_rate_limit(
        self, method: str = "chat.postMessage", per_second: float | None = None
    ) -> None:
        """Limit ``method`` to ``per_second`` calls (token bucket); None removes the limit."""
        with self._lock:
            if per_second is None:
                self._buckets.pop(method, None)
            else:
                self._buckets[method] = _Bucket(
                    per_second=per_second, tokens=max(1.0, per_second), updated=self._now()
                )

    def _take_fault(self, method: str) -> _Reply | None:
        with self._lock:
            fault = self._faults.get(method)
            if fault is not None and fault.remaining > 0:
                fault.remaining -= 1
                if fault.remaining == 0:
                    del self._faults[method]
                headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
                return _Reply(fault.status, {"ok": False, "error": fault.error}, headers)
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
            return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)})

    # ------------------------------------------------------------------ HTTP entry

    # ------------------------------------------------------------------ OAuth installs

    def enable_oauth(
        self,
        *,
        client_id: str,
        client_secret: str,
        rotation: bool = False,
        lifetime_seconds: int = 43_200,
        redirect_url: str = "",
    ) -> None:
        """Accept OAuth installs by this app (client id and secret), optionally rotating.

        `redirect_url` is the app's configured redirect URL, as in its manifest.
        """
        self.oauth.client_id, self.oauth.client_secret = client_id, client_secret
        self.oauth.rotation, self.oauth.lifetime = rotation, lifetime_seconds
        self.oauth.redirect_url = redirect_url

    def add_workspace(self, team_id: str, *, name: str, enterprise_id: str | None = None) -> None:
        """Another workspace the app can be installed into (sharing users and channels)."""
        self.oauth.workspaces[team_id] = OAuthWorkspace(team_id, name, enterprise_id)

    def revoke_workspace(self, team_id: str) -> int:
        """Revoke a workspace's tokens, as an uninstall does; returns how many."""
        return self.oauth.revoke_team(team_id)

    def _authorize_page(self, query: str) -> _Reply:
        args = dict(parse_qsl(query, keep_blank_values=True))
        redirect_uri = args.get("redirect_uri") or self.oauth.redirect_url
        if args.get("client_id") != self.oauth.client_id or not self.oauth.enabled:
            reply = _Reply(400, "invalid_client_id")
        elif not redirect_uri.startswith(("http://", "https://")):
            reply = _Reply(400, "bad_redirect_uri")
        else:
            try:
                code = self.oauth.approve(
                    team_id=args.get("team") or self.team_id,
                    user_id=args.get("user") or "U0INSTALLER",
                )
            except OAuthError as exc:
                reply = _Reply(400, exc.error)
            else:
                target = f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}" + urlencode(
                    {"code": code, "state": args.get("state", "")}
                )
                reply = _Reply(302, "", {"Location": target})
        self._record("oauth.v2.authorize", args, reply)
        return reply

    def _handle(
        self, method_name: str, path: str, headers: Mapping[str, str], raw: bytes
    ) -> _Reply:
        parts = urlsplit(path)
        if parts.path == "/oauth/v2/authorize" and method_name == "GET":
            return self._authorize_page(parts.query)
        if parts.path == "/api/oauth.v2.access":
            return self._oauth_access(parts.query, headers, raw)
        if parts.path.startswith("/api/"):
            return self._handle_api(parts.path[len("/api/") :], parts.query, headers, raw)
        if parts.path.startswith("/response/") and method_name == "POST":
            return self._handle_response_url(parts.path[len("/response/") :], raw)
        if parts.path.startswith(_UPLOAD_PATH) and method_name == "POST":
            return self._handle_upload(parts.path[len(_UPLOAD_PATH) :], headers, raw)
        return _Reply(404, "not_found")

    def _parse_args(self, query: str, headers: Mapping[str, str], raw: bytes) -> dict[str, Any]:
        args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        content_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
        if raw:
            text = raw.decode("utf-8")
            if content_type == "application/json":
                body = json.loads(text)
                if not isinstance(body, dict):
                    raise _ApiError("invalid_json")
                args.update(body)
            elif content_type in ("application/x-www-form-urlencoded", ""):
                args.update(parse_qsl(text, keep_blank_values=True))
            else:
                raise _ApiError("invalid_form_data")
        for key in _JSON_ARGS:
            value = args.get(key)
            if isinstance(value, str):
                try:
                    args[key] = json.loads(value) if value else None
                except json.JSONDecodeError as exc:
                    error = "invalid_blocks_format" if key == "blocks" else "invalid_arguments"
                    raise _ApiError(error) from exc
        return args

    def _oauth_access(self, query: str, headers: Mapping[str, str], raw: bytes) -> _Reply:
        try:
            args = self._parse_args(query, headers, raw)
            reply = _Reply(200, {"ok": True, **self.oauth.access(args, headers)})
        except (_ApiError, OAuthError) as exc:
            args, reply = {}, _Reply(200, {"ok": False, "error": exc.error})
        self._record("oauth.v2.access", args, reply)
        return reply

    def _handle_api(
        self, method: str, query: str, headers: Mapping[str, str], raw: bytes
    ) -> _Reply:
        handler = self._methods().get(method)
        try:
            args = self._parse_args(query, headers, raw)
        except (_ApiError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            error = exc.error if isinstance(exc, _ApiError) else "invalid_json"
            reply = _Reply(200, {"ok": False, "error": error})
            self._record(method, {}, reply)
            return reply
        token = args.pop("token", None)
        auth = headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[len("bearer ") :].strip()
        if handler is None:
            reply = _Reply(404, {"ok": False, "error": "unknown_method"})
        elif (fault := self._take_fault(method)) is not None:
            reply = fault
        elif not token:
            reply = _Reply(200, {"ok": False, "error": "not_authed"})
        elif (grant := self._grant(token))[1] is not None:
            reply = _Reply(200, {"ok": False, "error": grant[1]})
        else:
            try:
                with self._lock:
                    self._caller_team = grant[0]
                    reply = _Reply(200, {"ok": True, **handler(args)})
            except _ApiError as exc:
                reply = _Reply(200, {"ok": False, "error": exc.error, **exc.extra})
            self._record(method, args, reply, team_id=grant[0])
            return reply
        self._record(method, args, reply)
        return reply

    def _grant(self, token: str) -> tuple[str | None, str | None]:
        """(the workspace a token belongs to, None), or (None, the error Slack answers)."""
        if token == self.bot_token:
            return self.team_id, None
        found = self.oauth.check(token)
        return (None, found) if isinstance(found, str) else (found.team_id, None)

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "api.test": lambda args: {"args": args} if args else {},
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "conversations.history": self._conversations_history,
            "conversations.open": self._conversations_open,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }

    # ------------------------------------------------------------------ auth / users

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        workspace = self.oauth.workspaces[self._caller_team or self.team_id]
        body: dict[str, Any] = {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": workspace.name,
            "user": "okrbot",
            "team_id": workspace.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }
        if workspace.enterprise_id:
            body["enterprise_id"] = workspace.enterprise_id
        return body

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = args.get("user")
        if user_id == self.bot_user_id:
            return {"user": self._bot_user()}
        user = self.users.get(str(user_id))
        if user is None:
            raise _ApiError("user_not_found")
        return {"user": self._user_object(user)}

    def _tz_fields(self, tz: str) -> tuple[str, int]:
        try:
            moment = datetime.fromtimestamp(self._now(), ZoneInfo(tz))
        except (ZoneInfoNotFoundError, ValueError):
            return tz, 0
        offset = moment.utcoffset()
        abbreviation = moment.tzname() or tz
        seconds = int(offset.total_seconds()) if offset is not None else 0
        return _TZ_LABELS.get(abbreviation, abbreviation), seconds

    def _user_object(self, user: Mapping[str, Any]) -> dict[str, Any]:
        tz_label, tz_offset = self._tz_fields(user["tz"])
        return {
            "id": user["id"],
            "team_id": user["team_id"],
            "name": user["name"],
            "deleted": False,
            "real_name": user["real_name"],
            "tz": user["tz"],
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "is_admin": user["is_admin"],
            "is_owner": False,
            "is_bot": False,
            "is_app_user": False,
            "profile": {
                "real_name": user["real_name"],
                "display_name": user["name"],
                "team": user["team_id"],
            },
        }

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_user_id,
            "team_id": self.team_id,
            "name": "okrbot",
            "deleted": False,
            "real_name": "OKR Bot",
            "tz": "America/Los_Angeles",
            "tz_label": "Pacific Standard Time",
            "tz_offset": -28800,
            "is_admin": False,
            "is_owner": False,
            "is_bot": True,
            "is_app_user": False,
            "profile": {
                "real_name": "OKR Bot",
                "display_name": "",
                "bot_id": self.bot_id,
                "api_app_id": self.app_id,
                "team": self.team_id,
            },
        }

    # ------------------------------------------------------------------ conversations

    def _resolve_channel(self, channel: Any) -> str:
        if not isinstance(channel, str) or not channel:
            raise _ApiError("channel_not_found")
        if channel in self.channels or channel in self._dms.values():
            return channel
        if channel in self.users:
            # Posting to a user id posts into the app's DM with that user.
            return self.dm_channel(channel)
        name = channel.lstrip("#")
        for cid, record in self.channels.items():
            if record["name"] == name:
                return cid
        raise _ApiError("channel_not_found")

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
            raise _ApiError("users_list_not_supplied")
        for user_id in user_ids:
            if user_id not in self.users:
                raise _ApiError("user_not_found")
        if len(user_ids) == 1:
            already = user_ids[0] in self._dms
            channel_id = self.dm_channel(user_ids[0])
            body: dict[str, Any] = {"channel": {"id": channel_id}}
            if already:
                body.update(no_op=True, already_open=True)
            return body
        # A multi-person DM: register it as a private conversation.
        channel_id = _stable_id("G", ",".join(sorted(user_ids)))
        if channel_id not in self.channels:
            self.add_channel(channel_id, name="mpdm-" + "--".join(user_ids), is_private=True)
        return {"channel": {"id": channel_id}}

    # ------------------------------------------------------------------ chat

    def _message_content(self, args: dict[str, Any]) -> tuple[str | None, list[Any] | None]:
        text = args.get("text")
        blocks = args.get("blocks")
        if text is not None and not isinstance(text, str):
            text = str(text)
        if text is None and not blocks and not args.get("attachments"):
            raise _ApiError("no_text")
        if text is not None and len(text) > 40_000:
            raise _ApiError("msg_too_long")
        if blocks is not None:
            problems = message_problems(text=text or "", blocks=blocks)
            if problems:
                errors = [f"{p.message} [json-pointer:{p.pointer}]" for p in problems]
                raise _ApiError(
                    "invalid_blocks",
                    errors=errors,
                    response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
                )
            blocks = _fill_ids(copy.deepcopy(blocks))
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
        }
        if record["blocks"] is not None:
            message["blocks"] = copy.deepcopy(record["blocks"])
        if record.get("thread_ts"):
            message["thread_ts"] = record["thread_ts"]
        if record.get("edited"):
            message["edited"] = {"user": self.bot_user_id, "ts": record["edited_ts"]}
        if record.get("files"):
            # A file share made by files.completeUploadExternal, as conversations.history shows it.
            message["files"] = copy.deepcopy(record["files"])
            message["upload"] = True
            message["display_as_bot"] = False
        return message

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

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        text, blocks = self._message_content(args)
        thread_ts = args.get("thread_ts") or None
        if thread_ts and not any(
            m["channel"] == channel and m["ts"] == thread_ts for m in self._messages
        ):
            raise _ApiError("thread_not_found")
        metadata = args.get("metadata")
        if metadata is not None and (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise _ApiError("invalid_metadata_format")
        record = self._store_message(channel, text, blocks, thread_ts=thread_ts, metadata=metadata)
        return {"channel": channel, "ts": record["ts"], "message": self._message_object(record)}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or "inf")
        limit = min(int(args.get("limit") or 100), 999)
        with_metadata = _truthy(args.get("include_all_metadata"))
        found = [
            m
            for m in self._messages
            if m["channel"] == channel and oldest <= float(m["ts"]) <= latest
        ]
        found.sort(key=lambda m: float(m["ts"]), reverse=True)  # newest first, as Slack does
        messages = []
        for record in found[:limit]:
            message = self._message_object(record)
            if with_metadata and record.get("metadata"):
                message["metadata"] = copy.deepcopy(record["metadata"])
            messages.append(message)
        return {
            "messages": messages,
            "has_more": len(found) > limit,
            "response_metadata": {"next_cursor": ""},
        }

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        user_id = args.get("user")
        if user_id not in self.users:
            raise _ApiError("user_not_found")
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
        channel = self._resolve_channel(args.get("channel"))
        ts = args.get("ts")
        record = next(
            (m for m in self._messages if m["channel"] == channel and m["ts"] == ts), None
        )
        if record is None:
            raise _ApiError("message_not_found")
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

    # ------------------------------------------------------------------ files

    def _files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 1 of an upload: reserve a file id and hand out the URL to POST the bytes to."""
        filename = args.get("filename")
        if not isinstance(filename, str) or not filename.strip():
            raise _invalid_argument("missing required field: filename")
        raw_length = args.get("length")
        if raw_length is None or raw_length == "":
            raise _invalid_argument("missing required field: length")
        try:
            length = int(str(raw_length))
        except ValueError:
            raise _invalid_argument("must be an integer [json-pointer:/length]") from None
        if length == 0:
            # Slack's documented answer to an empty file.
            raise _ApiError("missing_argument")
        if length < 0:
            raise _invalid_argument("must be at least 1 [json-pointer:/length]")
        alt_txt = args.get("alt_txt")
        if alt_txt is not None and len(str(alt_txt)) > ALT_TXT_MAX:
            raise _ApiError("alt_txt_too_large")
        file_id = _random_id("F")
        while file_id in self._uploads:
            file_id = _random_id("F")
        upload = _Upload(
            file_id=file_id,
            filename=filename,
            length=length,
            token=secrets.token_urlsafe(18),
            created=self._now(),
            alt_txt=str(alt_txt) if alt_txt is not None else None,
            snippet_type=args.get("snippet_type") or None,
        )
        self._uploads[file_id] = upload
        return {"upload_url": f"{self.base_url}{_UPLOAD_PATH}{upload.token}", "file_id": file_id}

    def _handle_upload(self, token: str, headers: Mapping[str, str], raw: bytes) -> _Reply:
        """Step 2: the bytes POSTed to an upload URL (answered in plain text, as Slack does)."""
        with self._lock:
            args, reply = self._receive_upload(token, headers, raw)
        self._record("upload", args, reply)
        return reply

    def _receive_upload(
        self, token: str, headers: Mapping[str, str], raw: bytes
    ) -> tuple[dict[str, Any], _Reply]:
        args: dict[str, Any] = {"received": len(raw)}
        # fail_next("upload", ...) makes the file server itself fail, which the app must survive.
        fault = self._take_fault("upload")
        if fault is not None:
            return args, fault
        upload = next((u for u in self._uploads.values() if u.token == token), None)
        if upload is None:
            return args, _Reply(404, "not_found")
        args.update(file_id=upload.file_id, length=upload.length)
        if upload.completed:
            return args, _Reply(400, "upload_already_completed")
        data = _upload_payload(headers, raw)
        if data is None:
            return args, _Reply(400, "invalid_form_data")
        args["received"] = len(data)
        if len(data) != upload.length:
            # Slack's file server answers any failure with a non-200 status; the client then
            # never reaches files.completeUploadExternal.
            return args, _Reply(
                400, f"length_mismatch: expected {upload.length} bytes, received {len(data)}"
            )
        upload.data = data
        return args, _Reply(200, f"OK - {len(data)}")

    def _upload_entries(self, value: Any) -> list[dict[str, Any]]:
        """The ``files`` argument of completeUploadExternal: a JSON array of {id, title?}."""
        if isinstance(value, str):
            try:
                value = json.loads(value) if value else None
            except json.JSONDecodeError:
                raise _invalid_argument("must be a JSON array [json-pointer:/files]") from None
        if value is None:
            raise _invalid_argument("missing required field: files")
        if not isinstance(value, list) or not value:
            raise _invalid_argument("must be a non-empty array [json-pointer:/files]")
        entries: list[dict[str, Any]] = []
        for i, entry in enumerate(value):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                raise _invalid_argument(f"missing required field: id [json-pointer:/files/{i}/id]")
            if all(e["id"] != entry["id"] for e in entries):
                entries.append(entry)
        return entries

    def _known_conversation(self, channel_id: str) -> str:
        if channel_id in self.channels or channel_id in self._dms.values():
            return channel_id
        raise _ApiError("channel_not_found")

    def _share_targets(self, args: dict[str, Any]) -> list[str]:
        """The conversations a completed upload is shared to (``channel_id`` and ``channels``)."""
        targets: list[str] = []
        channel_id = args.get("channel_id")
        if channel_id:
            channel_id = str(channel_id)
            known = channel_id in self.channels or channel_id in self._dms.values()
            # Slack checks the id's shape before looking it up. Conversations registered
            # with the stand-in pass whatever their length (tests use short ids like C0PRIV).
            if not known and not re.match(_CHANNEL_ID_PATTERN, channel_id):
                raise _invalid_argument(
                    f"input must match regex pattern: {_CHANNEL_ID_PATTERN} "
                    "[json-pointer:/channel_id]"
                )
            targets.append(self._known_conversation(channel_id))
        channels = args.get("channels")
        if isinstance(channels, str):
            channels = [c.strip() for c in channels.split(",") if c.strip()]
        for target in channels or []:
            # ``channels`` may name users too: the file goes to the app's DM with them.
            user_dm = self.dm_channel(target) if target in self.users else None
            targets.append(user_dm or self._known_conversation(str(target)))
        return list(dict.fromkeys(targets))

    def _file_object(self, upload: _Upload) -> dict[str, Any]:
        """The file object Slack returns from completeUploadExternal and shows in messages."""
        name = upload.filename
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        filetype = upload.snippet_type or extension or "binary"
        mimetype = mimetypes.guess_type(name)[0] or (
            "text/plain" if upload.snippet_type else "application/octet-stream"
        )
        private_url = f"{self.base_url}/files-pri/{self.team_id}-{upload.file_id}"
        quoted = quote(name)
        created = int(upload.created)
        channels = [c for c in upload.channels if c in self.channels]
        file: dict[str, Any] = {
            "id": upload.file_id,
            "created": created,
            "timestamp": created,
            "name": name,
            "title": upload.title or name,
            "mimetype": mimetype,
            "filetype": filetype,
            "pretty_type": filetype.upper(),
            "user": self.bot_user_id,
            "user_team": self.team_id,
            "editable": False,
            "size": len(upload.data) if upload.data is not None else upload.length,
            "mode": "snippet" if upload.snippet_type else "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": any(not self.channels[c]["is_private"] for c in channels),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{private_url}/{quoted}",
            "url_private_download": f"{private_url}/download/{quoted}",
            "permalink": (
                f"https://{self.team_domain}.slack.com/files/"
                f"{self.bot_user_id}/{upload.file_id}/{quoted}"
            ),
            "channels": [c for c in channels if not self.channels[c]["is_private"]],
            "groups": [c for c in channels if self.channels[c]["is_private"]],
            "ims": [c for c in upload.channels if c not in self.channels],
            "comments_count": 0,
            "has_rich_preview": False,
            "file_access": "visible",
        }
        if upload.alt_txt:
            file["alt_txt"] = upload.alt_txt
        size = _png_size(upload.data or b"")
        if size is not None:
            file["original_w"], file["original_h"] = size
        return file

    def _files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 3: finish uploads and share them, posting one file message per conversation."""
        entries = self._upload_entries(args.get("files"))
        uploads: list[_Upload] = []
        for entry in entries:
            upload = self._uploads.get(entry["id"])
            # An id never issued, whose bytes never arrived, or already completed: the
            # upload ticket no longer leads to a file.
            if upload is None or upload.data is None or upload.completed:
                raise _ApiError("file_not_found")
            uploads.append(upload)
        targets = self._share_targets(args)
        thread_ts = args.get("thread_ts") or None
        if thread_ts:
            if len(targets) != 1:
                raise _invalid_argument("thread_ts needs exactly one channel to share to")
            if not any(m["channel"] == targets[0] and m["ts"] == thread_ts for m in self._messages):
                raise _ApiError("thread_not_found")
        initial_comment = args.get("initial_comment") or None
        blocks = None if initial_comment else args.get("blocks")  # Slack ignores blocks then
        if blocks:
            problems = message_problems(text="", blocks=blocks)
            if problems:
                raise _invalid_arguments(problems, "/blocks")
            blocks = _fill_ids(copy.deepcopy(blocks))
        # Everything is checked: nothing below fails, so a refused call changes no state.
        for upload, entry in zip(uploads, entries, strict=True):
            upload.title = str(entry.get("title") or upload.filename)
            upload.channels = targets
            upload.thread_ts = thread_ts
            upload.initial_comment = initial_comment
            upload.completed = True
        files = [self._file_object(u) for u in uploads]
        for channel in targets:
            record = self._store_message(
                channel,
                initial_comment,
                blocks,
                thread_ts=thread_ts,
                source="files.completeUploadExternal",
            )
            record["files"] = copy.deepcopy(files)
            for upload in uploads:
                upload.shares[channel] = record["ts"]
        return {"files": files}

    # ------------------------------------------------------------------ views

    def _trigger_user(self, args: dict[str, Any]) -> str:
        """The user a still-valid, unused trigger_id was issued for."""
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger_id:
            raise _ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]},
            )
        trigger = self._triggers.get(str(trigger_id))
        if trigger is None:
            raise _ApiError("invalid_trigger_id")
        if trigger.used:
            raise _ApiError("exchanged_trigger_id")
        if self._now() - trigger.issued_at > TRIGGER_TTL_SECONDS:
            raise _ApiError("expired_trigger_id")
        return trigger.user_id

    def _mark_trigger_used(self, args: dict[str, Any]) -> None:
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        self._triggers[str(trigger_id)].used = True

    def _check_view(self, view: Any, *, kind: str, replacing: str | None = None) -> dict[str, Any]:
        """Validate a view argument as Slack does; ``replacing`` is the id being updated."""
        if not isinstance(view, dict):
            raise _ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: view"]},
            )
        problems = view_problems(view)
        if problems:
            raise _invalid_arguments(problems, "/view")
        if view.get("type") != kind:
            raise _ApiError(
                "invalid_arguments",
                response_metadata={
                    "messages": [f"[ERROR] must be {kind} [json-pointer:/view/type]"]
                },
            )
        external_id = view.get("external_id")
        if external_id:
            found = self._find_view(external_id=external_id)
            if found is not None and self._view_at(found)["id"] != replacing:
                raise _ApiError("duplicate_external_id")
        return view

    def _hash(self) -> str:
        return f"{int(self._now())}.{secrets.token_urlsafe(6)}"

    def _materialize(
        self,
        view: Mapping[str, Any],
        *,
        view_id: str | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
        state: Mapping[str, Any] | None = None,
        external_id: str | None = None,
    ) -> dict[str, Any]:
        """The view object as Slack returns and stores it."""
        view_id = view_id or _random_id("V")
        blocks = _fill_ids(copy.deepcopy(list(view.get("blocks") or []))) or []
        values = _preserved_values(state or {}, blocks)
        out: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": blocks,
            "private_metadata": view.get("private_metadata") or "",
            "callback_id": view.get("callback_id") or "",
            "state": {"values": values},
            "hash": self._hash(),
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id") or external_id or "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        return out

    def _find_view(
        self, *, view_id: str | None = None, external_id: str | None = None
    ) -> tuple[str, str, int] | None:
        """Locate a view: (``"stack"`` or ``"home"``, user_id, index in the stack)."""
        for user_id, stack in self._stacks.items():
            for i, view in enumerate(stack):
                if (view_id and view["id"] == view_id) or (
                    external_id and view["external_id"] == external_id
                ):
                    return "stack", user_id, i
        for user_id, view in self._homes.items():
            if (view_id and view["id"] == view_id) or (
                external_id and view["external_id"] == external_id
            ):
                return "home", user_id, 0
        return None

    def _view_at(self, found: tuple[str, str, int]) -> dict[str, Any]:
        where, user_id, index = found
        return self._stacks[user_id][index] if where == "stack" else self._homes[user_id]

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = self._trigger_user(args)
        view = self._check_view(args.get("view"), kind="modal")
        self._mark_trigger_used(args)
        for old in self._stacks.get(user_id, []):
            self._field_errors.pop(old["id"], None)
        stored = self._materialize(view)
        self._stacks[user_id] = [stored]
        return {"view": copy.deepcopy(stored)}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = self._trigger_user(args)
        view = self._check_view(args.get("view"), kind="modal")
        stack = self._stacks.get(user_id)
        if not stack:
            raise _ApiError("not_found")
        if len(stack) >= VIEW_STACK_MAX:
            raise _ApiError("push_limit_reached")
        self._mark_trigger_used(args)
        stored = self._materialize(
            view, root_view_id=stack[0]["id"], previous_view_id=stack[-1]["id"]
        )
        stack.append(stored)
        return {"view": copy.deepcopy(stored)}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if not view_id and not external_id:
            raise _ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] view_id or external_id is required"]},
            )
        found = self._find_view(view_id=view_id, external_id=external_id)
        if found is None:
            raise _ApiError("not_found")
        where, user_id, index = found
        current = self._view_at(found)
        given_hash = args.get("hash")
        if given_hash and given_hash != current["hash"]:
            raise _ApiError("hash_conflict")
        view = self._check_view(args.get("view"), kind=current["type"], replacing=current["id"])
        updated = self._replace_view(current, view)
        if where == "stack":
            self._stacks[user_id][index] = updated
        else:
            self._homes[user_id] = updated
        return {"view": copy.deepcopy(updated)}

    def _replace_view(self, current: Mapping[str, Any], view: Mapping[str, Any]) -> dict[str, Any]:
        """``view`` in place of ``current``: same id, new hash, user entries kept."""
        self._field_errors.pop(current["id"], None)
        return self._materialize(
            view,
            view_id=current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
            state=current["state"]["values"],
            external_id=current["external_id"],
        )

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user_id"))
        if user_id not in self.users:
            raise _ApiError("user_not_found")
        current = self._homes.get(user_id)
        given_hash = args.get("hash")
        if given_hash and current is not None and given_hash != current["hash"]:
            raise _ApiError("hash_conflict")
        replacing = current["id"] if current is not None else None
        view = self._check_view(args.get("view"), kind="home", replacing=replacing)
        stored = self._materialize(view) if current is None else self._replace_view(current, view)
        self._homes[user_id] = stored
        return {"view": copy.deepcopy(stored)}

    # ------------------------------------------------------------------ modal lifecycle

    def set_view_state(self, view_id: str, values: Mapping[str, Any]) -> None:
        """Store what the user has entered in a view (``state.values``)."""
        with self._lock:
            found = self._find_view(view_id=view_id)
            if found is None:
                raise KeyError(view_id)
            where, user_id, index = found
            view = self._stacks[user_id][index] if where == "stack" else self._homes[user_id]
            view["state"] = {"values": copy.deepcopy(dict(values))}

    def apply_view_response(
        self, user_id: str, view_id: str, response: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        """Apply the app's answer to a view_submission; return the user's top view after it.

        ``None``/empty/no ``response_action`` closes the submitted view (and any above it);
        ``errors`` keeps it and records the field errors; ``update`` replaces it in place
        (same view id, new hash, user entries kept for unchanged block/action ids);
        ``push`` pushes a new view; ``clear`` closes the whole modal.
        """
        with self._lock:
            stack = self._stacks.get(user_id, [])
            index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
            if index is None:
                raise KeyError(f"view {view_id} is not open for {user_id}")
            action = (response or {}).get("response_action")
            if not action:
                self._close_from(user_id, index)
            elif action == "errors":
                errors = (response or {}).get("errors")
                if not isinstance(errors, Mapping) or not errors:
                    raise StandInError("response_action errors needs a non-empty errors object")
                inputs = {
                    b.get("block_id") for b in stack[index]["blocks"] if b.get("type") == "input"
                }
                unknown = sorted(str(k) for k in errors if k not in inputs)
                if unknown:
                    # Such errors would be shown nowhere: in Slack the user sees a generic failure.
                    raise StandInError(f"errors name blocks that are not input blocks: {unknown}")
                self._field_errors[view_id] = {str(k): str(v) for k, v in errors.items()}
            elif action == "update":
                view = self._response_view(response)
                stack[index] = self._replace_view(stack[index], view)
            elif action == "push":
                view = self._response_view(response)
                if len(stack) >= VIEW_STACK_MAX:
                    raise StandInError("push_limit_reached: a modal holds at most 3 views")
                stack.append(
                    self._materialize(
                        view, root_view_id=stack[0]["id"], previous_view_id=stack[-1]["id"]
                    )
                )
            elif action == "clear":
                self._close_from(user_id, 0)
            else:
                raise StandInError(f"unknown response_action {action!r}")
            return self.top_view(user_id)

    def _response_view(self, response: Mapping[str, Any] | None) -> dict[str, Any]:
        view = (response or {}).get("view")
        if not isinstance(view, dict):
            raise StandInError("this response_action needs a view")
        problems = view_problems(view)
        if problems:
            raise StandInError("invalid view: " + "; ".join(str(p) for p in problems))
        if view.get("type") != "modal":
            raise StandInError("response_action views must be modals")
        return view

    def _close_from(self, user_id: str, index: int) -> None:
        stack = self._stacks.get(user_id, [])
        for view in stack[index:]:
            self._field_errors.pop(view["id"], None)
        del stack[index:]
        if not stack:
            self._stacks.pop(user_id, None)

    def close_view(self, user_id: str, view_id: str) -> None:
        """The user pressed Close: pop that view (and any above); clear_on_close closes all."""
        with self._lock:
            stack = self._stacks.get(user_id, [])
            index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
            if index is None:
                return
            self._close_from(user_id, 0 if stack[index]["clear_on_close"] else index)

    # ------------------------------------------------------------------ responses

    def record_ack_response(
        self, *, user_id: str, channel_id: str, body: Mapping[str, Any] | str
    ) -> None:
        """Store a message the app returned in its HTTP acknowledgement.

        A bare string, or a body without ``response_type: in_channel``, is an ephemeral
        message for ``user_id``; ``in_channel`` bodies become channel messages.
        """
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

    def _handle_response_url(self, token: str, raw: bytes) -> _Reply:
        try:
            body = json.loads(raw.decode("utf-8") or "null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        args = body if isinstance(body, dict) else {}
        with self._lock:
            reply = self._respond(token, body)
        self._record("response_url", args, reply)
        return reply

    def _respond(self, token: str, body: Any) -> _Reply:
        target = self._response_urls.get(token)
        if target is None:
            return _Reply(404, "no_service")
        if self._now() - target.issued_at > RESPONSE_URL_TTL_SECONDS:
            return _Reply(404, "expired_url")
        if target.uses >= RESPONSE_URL_MAX_USES:
            return _Reply(404, "used_url")
        if not isinstance(body, dict):
            return _Reply(400, "invalid_payload")
        original = self._original(target)
        if _truthy(body.get("delete_original")):
            target.uses += 1
            if original is not None:
                store = self._ephemerals if target.is_ephemeral else self._messages
                store.remove(original)
            return _Reply(200, "ok")
        text, blocks = body.get("text"), body.get("blocks")
        if not text and not blocks:
            return _Reply(400, "no_text")
        if message_problems(text=text or "", blocks=blocks):
            return _Reply(400, "invalid_blocks")
        blocks = _fill_ids(copy.deepcopy(blocks)) if blocks else blocks
        target.uses += 1
        if _truthy(body.get("replace_original")) and original is not None:
            original["text"], original["blocks"] = text, blocks
            if not target.is_ephemeral:
                original["edited"] = True
            return _Reply(200, "ok")
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
        return _Reply(200, "ok")

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


def _fill_ids(blocks: list[Any] | None) -> list[Any] | None:
    """Give every block a block_id and every interactive element an action_id, as Slack does."""
    if not blocks:
        return blocks
    for block in blocks:
        if isinstance(block, dict) and not block.get("block_id"):
            block["block_id"] = "".join(secrets.choice(string.ascii_letters) for _ in range(5))
    for _, element in iter_elements(b for b in blocks if isinstance(b, dict)):
        needs_id = element.get("type") != "image" and not element.get("action_id")
        if isinstance(element, dict) and needs_id:
            element["action_id"] = "".join(
                secrets.choice(string.ascii_letters + string.digits) for _ in range(5)
            )
    return blocks


def _preserved_values(values: Mapping[str, Any], blocks: list[Any]) -> dict[str, Any]:
    """Keep the user's entries for inputs whose block_id and action_id are unchanged.

    This is Slack's documented behaviour on views.update: matching inputs keep what the
    user typed, and their new initial values are ignored.
    """
    kept: dict[str, Any] = {}
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") != "input":
            continue
        element = block.get("element") or {}
        entry = (values.get(str(block.get("block_id"))) or {}).get(element.get("action_id"))
        if entry is not None and entry.get("type") == element.get("type"):
            kept[block["block_id"]] = {element["action_id"]: copy.deepcopy(entry)}
    return kept


class _Handler(BaseHTTPRequestHandler):
    """Routes HTTP requests to the owning :class:`SlackStandIn`."""

    owner: SlackStandIn
    server_version = "SlackStandIn/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and the demo own the terminal."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items()}
        try:
            reply = self.owner._handle(self.command, self.path, headers, raw)
        except Exception as exc:  # a bug in the stand-in must not hang the client
            reply = _Reply(500, {"ok": False, "error": "fatal_error", "detail": repr(exc)})
        if isinstance(reply.body, dict):
            payload = json.dumps(reply.body).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        else:
            payload = reply.body.encode("utf-8")
            content_type = "text/plain; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(payload)

    def do_GET(self) -> None:
        """Web API methods may be called with GET and query-string arguments."""
        self._serve()

    def do_POST(self) -> None:
        """Web API calls (JSON or form bodies) and response URL posts."""
        self._serve()
