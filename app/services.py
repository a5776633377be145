"""What every listener needs besides Slack: the database and the clock."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from app.db import Database
from app.store.directory import ensure_member, ensure_workspace, find_member, find_workspace


def utc_now() -> dt.datetime:
    """The wall clock, in UTC. Everything else takes `now` as a parameter."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Caller:
    """Who is asking, resolved to our rows."""

    workspace_id: int
    member_id: int | None
    slack_user_id: str


@dataclass
class Services:
    """The app's collaborators, handed to every listener as `services`."""

    db: Database
    clock: Callable[[], dt.datetime] = utc_now
    _workspace_ids: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def now(self) -> dt.datetime:
        """The current time (aware, UTC)."""
        return self.clock()

    def workspace_id(self, team_id: str, enterprise_id: str | None) -> int:
        """Our id for a Slack workspace, created on first sight and cached (it never changes)."""
        key = (team_id, enterprise_id or "")
        cached = self._workspace_ids.get(key)
        if cached is not None:
            return cached
        with self.db.read() as session:
            found = find_workspace(session, slack_team_id=team_id, enterprise_id=enterprise_id)
            workspace_id = found.id if found else None
        if workspace_id is None:
            with self.db.write() as session:
                workspace_id = ensure_workspace(
                    session, slack_team_id=team_id, enterprise_id=enterprise_id
                ).id
        assert workspace_id is not None
        with self._lock:
            self._workspace_ids[key] = workspace_id
        return workspace_id

    def forget_workspace(self, team_id: str, enterprise_id: str | None) -> None:
        """Drop a cached workspace id (after the workspace's data is deleted)."""
        with self._lock:
            self._workspace_ids.pop((team_id, enterprise_id or ""), None)

    def caller(
        self, *, team_id: str, enterprise_id: str | None, user_id: str, create: bool = False
    ) -> Caller:
        """Resolve a Slack user; with `create`, make their member row on first sight."""
        workspace_id = self.workspace_id(team_id, enterprise_id)
        with self.db.read() as session:
            member = find_member(session, workspace_id=workspace_id, slack_user_id=user_id)
            member_id = member.id if member else None
        if member_id is None and create:
            with self.db.write() as session:
                member_id = ensure_member(
                    session, workspace_id=workspace_id, slack_user_id=user_id
                ).id
        return Caller(workspace_id=workspace_id, member_id=member_id, slack_user_id=user_id)
