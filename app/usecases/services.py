"""What every listener needs besides Slack: the database, the clock, its caches, and a
place for work that runs after the answer."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from app.db import Database
from app.store.directory import ensure_member, ensure_workspace, find_member, find_workspace

T = TypeVar("T")

logger = logging.getLogger("okrbot.after_ack")


def utc_now() -> dt.datetime:
    """The wall clock, in UTC. Everything else takes `now` as a parameter."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Caller:
    """Who is asking, resolved to our rows."""

    workspace_id: int
    member_id: int | None
    slack_user_id: str


class RevisionCache:
    """Values valid while the revision they were made for holds: built `/okr list`s per
    team and cycle (the messages and their serialized answer, under the list's revision),
    the teams of a caller (under `app.db.changes`' version of the workspace), and what
    `Services.from_directory` read (under the workspace's directory version).

    Entries also age out after `max_age` seconds (for lists, the one thing the revision
    does not see: the title of a parent objective in another team), and the cache stays
    small.
    """

    def __init__(self, *, max_entries: int = 2048, max_age: float = 60.0) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._entries: dict[Any, tuple[Any, float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, revision: Any) -> Any | None:
        """The cached value, if made for this revision recently enough."""
        entry = self._entries.get(key)
        if entry is None or entry[0] != revision or time.monotonic() - entry[1] > self.max_age:
            return None
        return entry[2]

    def clear(self) -> None:
        """Forget every entry (after a workspace's data is deleted)."""
        with self._lock:
            self._entries.clear()

    def put(self, key: Any, revision: Any, value: Any) -> None:
        """Remember a value made for a revision."""
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (revision, time.monotonic(), value)


class AfterAck:
    """Work that runs after the answer to Slack has gone: the Web API calls a listener makes
    (updating a prompt, opening a modal, publishing a Home tab, posting a digest).

    Slack wants every request answered within 3 seconds, whatever its Web API is doing: a
    slow `chat.update` or a `429 Retry-After: 10` must not make the ack late. A listener
    does its database work, answers, and hands its Slack calls to this small pool of
    threads, which runs each with the request's log context. A failure is logged, never
    raised: the answer has gone already.
    """

    def __init__(self, *, workers: int = 4) -> None:
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pending = 0
        self._idle = threading.Condition()
        _EVERY.add(self)

    def submit(self, what: str, work: Callable[[], object]) -> None:
        """Run `work` after the answer; `what` names it in the log if it fails."""
        context = contextvars.copy_context()

        def run() -> None:
            try:
                context.run(work)
            except Exception:
                logger.exception("Failed to %s", what)
            finally:
                with self._idle:
                    self._pending -= 1
                    if not self._pending:
                        self._idle.notify_all()

        with self._idle:
            self._pending += 1
            if self._pool is None:  # made on first use: in the worker, after a fork
                self._pool = ThreadPoolExecutor(
                    max_workers=self._workers, thread_name_prefix="okrbot-after-ack"
                )
            self._pool.submit(run)

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait until every submitted piece of work has run; False on a timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._pending, timeout=timeout)


_EVERY: weakref.WeakSet[AfterAck] = weakref.WeakSet()


def settle(timeout: float = 60.0) -> bool:
    """Wait for the after-ack work of every app in this process (the stand-in's driver does,
    so that tests and the sandbox read what a request did, in order)."""
    return all(after.wait(timeout) for after in list(_EVERY))


@dataclass
class Services:
    """The app's collaborators, handed to every listener as `services`."""

    db: Database
    clock: Callable[[], dt.datetime] = utc_now
    _workspace_ids: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    list_cache: RevisionCache = field(default_factory=lambda: RevisionCache(), repr=False)
    teams_cache: RevisionCache = field(
        default_factory=lambda: RevisionCache(max_entries=8192), repr=False
    )
    directory_cache: RevisionCache = field(
        default_factory=lambda: RevisionCache(max_entries=8192), repr=False
    )
    # The OAuth installer (app.slack.install.Installer) in multi-workspace mode, else None.
    installer: Any = field(default=None, repr=False)
    after_ack: AfterAck = field(default_factory=AfterAck, repr=False)
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

    def cycle_id(self, workspace_id: int, label: str, read: Callable[[], int | None]) -> int | None:
        """Our id for a workspace's cycle, which `read()` looks up. Reused only as
        `from_directory` allows: an uninstall deletes the cycles, and a reinstall, under the
        same workspace id, makes new ones."""
        return self.from_directory(("cycle", label), workspace_id, read)

    def from_directory(self, key: Any, workspace_id: int, read: Callable[[], T]) -> T:
        """`read()`, which reads only the workspace's directory (members, teams and their
        memberships, cycles and closings); on PostgreSQL what it returned is reused until
        the database reports a change to that directory (see `app.db.changes`). What it
        returns is shared between threads: rows read, never to be changed. A None is
        never kept."""
        feed = self.db.changes
        version = feed.directory_version(workspace_id) if feed is not None else None
        if version is not None:
            found = self.directory_cache.get((workspace_id, key), version)
            if found is not None:
                return found  # type: ignore[no-any-return]
        value = read()
        if version is not None and value is not None:
            self.directory_cache.put((workspace_id, key), version, value)
        return value

    def caller(
        self, *, team_id: str, enterprise_id: str | None, user_id: str, create: bool = False
    ) -> Caller:
        """Resolve a Slack user; with `create`, make their member row on first sight."""
        workspace_id = self.workspace_id(team_id, enterprise_id)

        def member_id_of() -> int | None:
            with self.db.read() as session:
                found = find_member(session, workspace_id=workspace_id, slack_user_id=user_id)
                return found.id if found else None

        member_id = self.from_directory(("member", user_id), workspace_id, member_id_of)
        if member_id is None and create:
            with self.db.write() as session:
                member_id = ensure_member(
                    session, workspace_id=workspace_id, slack_user_id=user_id
                ).id
        return Caller(workspace_id=workspace_id, member_id=member_id, slack_user_id=user_id)
