"""The stand-in's OAuth v2: install approvals, `oauth.v2.access`, token rotation, revocation.

Modelled on Slack's documented behaviour:
- `GET /oauth/v2/authorize` is the approval page; the stand-in approves at once, as if the
  person clicked "Allow", and redirects to `redirect_uri` with a one-time `code`.
- `oauth.v2.access` takes the client id and secret (form fields or HTTP Basic) and either a
  `code` or, with token rotation on, a `refresh_token`. Rotated access tokens look like
  `xoxe.xoxb-...` and expire after `expires_in` seconds (12 hours by default).
- A refresh token is spent once: using it again answers `invalid_refresh_token`, which is
  what makes two processes refreshing at once a real failure here.
- The bot scopes the authorize link asked for (`scope`) are what the person grants, and
  `oauth.v2.access` answers them in `scope` (comma-separated), on a refresh too; an
  authorize link asking for no scope at all is refused with `invalid_scope`.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class OAuthError(Exception):
    """An `oauth.v2.access` failure, answered as `{"ok": false, "error": ...}`."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class Grant:
    """One issued access token."""

    token: str
    team_id: str
    enterprise_id: str | None
    expires_at: float | None
    revoked: bool = False
    # The bot scopes granted with it, comma-separated as Slack writes them.
    scope: str = ""


@dataclass
class Workspace:
    """A workspace the app can be installed into."""

    team_id: str
    name: str
    enterprise_id: str | None = None


@dataclass
class OAuthAuthority:
    """Slack's side of installs: clients, codes, tokens, refresh tokens."""

    clock: Callable[[], float]
    bot_user_id: str
    app_id: str
    client_id: str = ""
    client_secret: str = ""
    rotation: bool = False
    lifetime: int = 43_200
    # The app's configured redirect URL (the manifest's `redirect_urls`), used when the
    # authorize link names none.
    redirect_url: str = ""
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    # code → (team, user, granted bot scopes)
    _codes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # live refresh token → (team, granted bot scopes)
    _refresh: dict[str, tuple[str, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def enabled(self) -> bool:
        return bool(self.client_id)

    def approve(self, *, team_id: str, user_id: str, scope: str) -> str:
        """A one-time code, as Slack hands one to the redirect after "Allow".

        `scope` is the authorize link's comma-separated bot scopes: what the person grants.
        """
        if team_id not in self.workspaces:
            raise OAuthError("invalid_team")
        granted = [s.strip() for s in scope.replace(" ", ",").split(",") if s.strip()]
        if not granted:
            raise OAuthError("invalid_scope")
        code = f"{int(self.clock())}.{secrets.token_hex(12)}"
        with self._lock:
            self._codes[code] = (team_id, user_id, ",".join(dict.fromkeys(granted)))
        return code

    def _check_client(self, args: Mapping[str, Any], headers: Mapping[str, str]) -> None:
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        auth = headers.get("Authorization", "")
        if auth.lower().startswith("basic "):
            decoded = base64.b64decode(auth[len("basic ") :]).decode("utf-8", "replace")
            client_id, _, client_secret = decoded.partition(":")
        if not self.enabled or client_id != self.client_id:
            raise OAuthError("invalid_client_id")
        if client_secret != self.client_secret:
            raise OAuthError("bad_client_secret")

    def _issue(self, team_id: str, scope: str) -> dict[str, Any]:
        workspace = self.workspaces[team_id]
        expires_at = self.clock() + self.lifetime if self.rotation else None
        prefix = "xoxe.xoxb-1-" if self.rotation else "xoxb-1-"
        token = prefix + secrets.token_hex(16)
        self.grants[token] = Grant(token, team_id, workspace.enterprise_id, expires_at, scope=scope)
        body: dict[str, Any] = {"token_type": "bot", "access_token": token, "scope": scope}
        if self.rotation:
            refresh = "xoxe-1-" + secrets.token_hex(20)
            self._refresh[refresh] = (team_id, scope)
            body.update(refresh_token=refresh, expires_in=self.lifetime)
        return body

    def access(self, args: Mapping[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        """`oauth.v2.access`: exchange a code, or a refresh token, for tokens."""
        with self._lock:
            self._check_client(args, headers)
            grant_type = args.get("grant_type") or "authorization_code"
            if grant_type == "refresh_token":
                found_refresh = self._refresh.pop(str(args.get("refresh_token") or ""), None)
                if found_refresh is None:
                    raise OAuthError("invalid_refresh_token")
                team_id, scope = found_refresh
                return {**self._issue(team_id, scope), "team": {"id": team_id}}
            if grant_type != "authorization_code":
                raise OAuthError("invalid_grant_type")
            found = self._codes.pop(str(args.get("code") or ""), None)
            if found is None:
                raise OAuthError("invalid_code")
            team_id, user_id, scope = found
            workspace = self.workspaces[team_id]
            return {
                **self._issue(team_id, scope),
                "app_id": self.app_id,
                "authed_user": {"id": user_id},
                "bot_user_id": self.bot_user_id,
                "team": {"id": team_id, "name": workspace.name},
                "enterprise": (
                    {"id": workspace.enterprise_id, "name": "Org"}
                    if workspace.enterprise_id
                    else None
                ),
                "is_enterprise_install": False,
            }

    def check(self, token: str) -> Grant | str:
        """The grant behind `token`, or the error Slack answers for it."""
        with self._lock:
            grant = self.grants.get(token)
        if grant is None:
            return "invalid_auth"
        if grant.revoked:
            return "token_revoked"
        if grant.expires_at is not None and grant.expires_at <= self.clock():
            return "token_expired"
        return grant

    def revoke_team(self, team_id: str) -> int:
        """Revoke every token of a workspace (an uninstall); returns how many."""
        with self._lock:
            live = [g for g in self.grants.values() if g.team_id == team_id and not g.revoked]
            for grant in live:
                grant.revoked = True
            for refresh in [r for r, (team, _) in self._refresh.items() if team == team_id]:
                del self._refresh[refresh]
            return len(live)
