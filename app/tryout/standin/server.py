"""A local stand-in for Slack's Web API, served over real HTTP on the loopback interface.

The app under test talks to it exactly as it talks to Slack: a ``slack_sdk.WebClient``
pointed at :attr:`SlackStandIn.api_url` sends real HTTP requests, and the stand-in answers
with Slack's documented response shapes and error codes. It also keeps the state that
Slack would keep (channel messages, ephemeral messages, modal stacks, Home tabs, issued
trigger ids and response URLs) so tests, the demo and the sandbox can inspect it.

Only the methods the app uses are implemented; any other method answers
``unknown_method`` with HTTP 404, as Slack does.

This module is the HTTP side: the server, routing, tokens and the OAuth pages. The Web API
methods live by family beside it (``chat``, ``files``, ``views``, ``responses``, ``users``),
each a mixin over the shared state in ``core``; :class:`SlackStandIn` combines them.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from app.tryout.standin.chat import ChatMethods
from app.tryout.standin.files import UPLOAD_PATH, FileMethods
from app.tryout.standin.oauth import OAuthAuthority, OAuthError
from app.tryout.standin.oauth import Workspace as OAuthWorkspace
from app.tryout.standin.records import ApiError, Call, Reply, StandInError
from app.tryout.standin.responses import ResponseUrls
from app.tryout.standin.users import UserMethods
from app.tryout.standin.views import ViewMethods

__all__ = ["Call", "SlackStandIn", "StandInError"]

_JSON_ARGS = ("blocks", "attachments", "view", "metadata")


class SlackStandIn(ChatMethods, FileMethods, ViewMethods, ResponseUrls, UserMethods):
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
        self._server = None
        self._thread: threading.Thread | None = None

        self.users = {}
        self.channels = {}
        self._dms = {}
        self._calls = []
        self._messages = []
        self._ephemerals = []
        self._stacks = {}
        self._homes = {}
        self._field_errors = {}
        self._triggers = {}
        self._response_urls = {}
        self._faults = {}
        self._buckets = {}
        self._uploads = {}
        self._last_ts = (0, 0)
        self._counter = 0
        self._caller_team = None
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

    def _authorize_page(self, query: str) -> Reply:
        args = dict(parse_qsl(query, keep_blank_values=True))
        redirect_uri = args.get("redirect_uri") or self.oauth.redirect_url
        if args.get("client_id") != self.oauth.client_id or not self.oauth.enabled:
            reply = Reply(400, "invalid_client_id")
        elif not redirect_uri.startswith(("http://", "https://")):
            reply = Reply(400, "bad_redirect_uri")
        else:
            try:
                code = self.oauth.approve(
                    team_id=args.get("team") or self.team_id,
                    user_id=args.get("user") or "U0INSTALLER",
                    scope=args.get("scope", ""),
                )
            except OAuthError as exc:
                reply = Reply(400, exc.error)
            else:
                target = f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}" + urlencode(
                    {"code": code, "state": args.get("state", "")}
                )
                reply = Reply(302, "", {"Location": target})
        self._record("oauth.v2.authorize", args, reply)
        return reply

    # ------------------------------------------------------------------ HTTP entry

    def _handle(self, method_name: str, path: str, headers: Mapping[str, str], raw: bytes) -> Reply:
        parts = urlsplit(path)
        if parts.path == "/oauth/v2/authorize" and method_name == "GET":
            return self._authorize_page(parts.query)
        if parts.path == "/api/oauth.v2.access":
            return self._oauth_access(parts.query, headers, raw)
        if parts.path.startswith("/api/"):
            return self._handle_api(parts.path[len("/api/") :], parts.query, headers, raw)
        if parts.path.startswith("/response/") and method_name == "POST":
            return self._handle_response_url(parts.path[len("/response/") :], raw)
        if parts.path.startswith(UPLOAD_PATH) and method_name == "POST":
            return self._handle_upload(parts.path[len(UPLOAD_PATH) :], headers, raw)
        return Reply(404, "not_found")

    def _parse_args(self, query: str, headers: Mapping[str, str], raw: bytes) -> dict[str, Any]:
        args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        content_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
        if raw:
            text = raw.decode("utf-8")
            if content_type == "application/json":
                body = json.loads(text)
                if not isinstance(body, dict):
                    raise ApiError("invalid_json")
                args.update(body)
            elif content_type in ("application/x-www-form-urlencoded", ""):
                args.update(parse_qsl(text, keep_blank_values=True))
            else:
                raise ApiError("invalid_form_data")
        for key in _JSON_ARGS:
            value = args.get(key)
            if isinstance(value, str):
                try:
                    args[key] = json.loads(value) if value else None
                except json.JSONDecodeError as exc:
                    error = "invalid_blocks_format" if key == "blocks" else "invalid_arguments"
                    raise ApiError(error) from exc
        return args

    def _oauth_access(self, query: str, headers: Mapping[str, str], raw: bytes) -> Reply:
        try:
            args = self._parse_args(query, headers, raw)
            reply = Reply(200, {"ok": True, **self.oauth.access(args, headers)})
        except (ApiError, OAuthError) as exc:
            args, reply = {}, Reply(200, {"ok": False, "error": exc.error})
        self._record("oauth.v2.access", args, reply)
        return reply

    def _handle_api(self, method: str, query: str, headers: Mapping[str, str], raw: bytes) -> Reply:
        handler = self._methods().get(method)
        try:
            args = self._parse_args(query, headers, raw)
        except (ApiError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            error = exc.error if isinstance(exc, ApiError) else "invalid_json"
            reply = Reply(200, {"ok": False, "error": error})
            self._record(method, {}, reply)
            return reply
        token = args.pop("token", None)
        auth = headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[len("bearer ") :].strip()
        if handler is None:
            reply = Reply(404, {"ok": False, "error": "unknown_method"})
        elif (fault := self._take_fault(method)) is not None:
            reply = fault
        elif not token:
            reply = Reply(200, {"ok": False, "error": "not_authed"})
        elif (grant := self._grant(token))[1] is not None:
            reply = Reply(200, {"ok": False, "error": grant[1]})
        else:
            try:
                with self._lock:
                    self._caller_team = grant[0]
                    reply = Reply(200, {"ok": True, **handler(args)})
            except ApiError as exc:
                reply = Reply(200, {"ok": False, "error": exc.error, **exc.extra})
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
            reply = Reply(500, {"ok": False, "error": "fatal_error", "detail": repr(exc)})
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
