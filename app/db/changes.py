"""Which workspaces' OKRs changed, as PostgreSQL tells this process (LISTEN/NOTIFY).

Migration 0007 puts a trigger on every table a `/okr list` reads (members, teams and their
memberships, cycles and their closings, objectives, key results): each committed
transaction that changes a workspace's rows there sends one notification on `CHANNEL`,
with the workspace's id, to every listening connection, whoever wrote it (any process,
the CLI, a migration, a hand-typed UPDATE).

`ChangeFeed` listens on a connection of its own, in a thread, and keeps a version per
workspace that moves on every notification, and a directory version that only changes to
the directory (members, teams, memberships, cycles, closings) move. Something read from
the database stays right for as long as the version read just *before* it stays the
same: the list reuses the caller's teams this way, and a check-in the caller's member id,
team and cycle, without a query each. A change committed while it was being read moves
the version when its notification arrives, so what was read is never kept under a
version that is newer than it.

What it cannot promise, and how it copes:

- A change made by another process counts here once its notification is read: at commit,
  plus the moment this process takes to read it (well under a millisecond when idle). A
  commit through this process's own engine moves every version at once (see
  `changed_here`), so a process always reads its own writes.
- Notifications only reach a connection while it listens. Until it does (at start, after
  the connection is lost, until it is back), `version()` returns None and callers read
  the database. Every (re)connection moves every version.
- Every `heartbeat` seconds the feed notifies itself. As the server delivers
  notifications in commit order, the heartbeat's return proves that every change
  committed before it was sent has been heard. `sync()` asks for one now and waits for
  it: a request that must see every write committed before it arrived (a person's list
  right after their own edit, answered by another worker) calls it first. Without a
  heartbeat for `stale_after` seconds (a network cut, a stuck server, a pooler that hands
  the connection to others so LISTEN does not hold), `version()` returns None, and
  versions move when it comes back.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import select
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

CHANNEL = "okrbot_changes"
# How the listening connection shows in `pg_stat_activity`.
APPLICATION_NAME = "okrbot change feed"
# Sent instead of a workspace's id when a whole table was emptied (TRUNCATE).
EVERY_WORKSPACE = "*"
# How heartbeats (notifications each feed sends itself) start.
PING = "ping:"
# How a change to the directory starts, and its tables (as migration 0007 names them).
DIRECTORY = "d:"
DIRECTORY_TABLES = ("member", "team", "team_membership", "cycle", "cycle_close")
# A statement that changes a directory table (a false match only costs a cache refresh).
_DIRECTORY_WRITE = re.compile(
    r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:" + "|".join(DIRECTORY_TABLES) + r")\b",
    re.IGNORECASE,
)


def writes_directory(statement: str) -> bool:
    """True when an SQL statement inserts, updates or deletes rows of the directory."""
    return _DIRECTORY_WRITE.search(statement) is not None


Version = tuple[int, ...]

_FEEDS: weakref.WeakSet[ChangeFeed] = weakref.WeakSet()


def _after_fork() -> None:
    # A forked child has none of its parent's threads; a lock one of them held would stay
    # held forever. Each feed starts over in the child on its first `version()`.
    for feed in list(_FEEDS):
        feed._lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)


class ChangeFeed:
    """A per-workspace version that moves whenever PostgreSQL reports a change.

    `connect` opens a new DBAPI (psycopg) connection; the feed owns it. The listening
    thread starts on the first `version()` in a process (so a forked worker gets its own),
    and stops on `close()`.
    """

    def __init__(
        self,
        connect: Callable[[], Any],
        *,
        heartbeat: float = 2.0,
        stale_after: float = 10.0,
        retry_after: float = 0.5,
        max_retry_after: float = 30.0,
    ) -> None:
        self._connect = connect
        self.heartbeat = heartbeat
        self.stale_after = stale_after
        self.retry_after = retry_after
        self.max_retry_after = max_retry_after
        self._lock = threading.Lock()
        self._epoch = 0
        self._versions: dict[int, int] = {}
        self._directory_versions: dict[int, int] = {}
        self._local_epoch = 0  # moved by this process's commits
        self._directory_epoch = 0  # moved by this process's commits to the directory
        self._listening = False
        self._confirmed = -math.inf  # monotonic time of the last heartbeat's return
        # Monotonic time at which the newest returned heartbeat was sent: every change
        # committed before then has been heard.
        self._proved = -math.inf
        self._synced = threading.Condition(threading.Lock())
        self._wake: tuple[int, int] | None = None  # a pipe that wakes the listening thread
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        _FEEDS.add(self)

    def version(self, workspace_id: int) -> Version | None:
        """The workspace's current version; None while changes may go unseen."""
        if self._pid != os.getpid():
            self._start()
        if not self._listening or time.monotonic() - self._confirmed > self.stale_after:
            return None
        return (self._epoch, self._local_epoch, self._versions.get(workspace_id, 0))

    def directory_version(self, workspace_id: int) -> Version | None:
        """Like `version`, but moved only by changes to the workspace's directory (who
        its members are, its teams and their memberships, its cycles and closings), not
        by those to its OKRs: what reads only the directory keeps much longer."""
        if self.version(workspace_id) is None:
            return None
        return (self._epoch, self._directory_epoch, self._directory_versions.get(workspace_id, 0))

    def changed_here(self, *, directory: bool) -> None:
        """A transaction of this process is committing: move every version now (every
        directory version too when it changed the directory), rather than when its
        notification comes back."""
        with self._lock:
            self._local_epoch += 1
            if directory:
                self._directory_epoch += 1

    def sync(self, timeout: float = 0.5) -> bool:
        """Wait until every change committed before this call has been heard; False when
        that can't be proved in `timeout` seconds (or the feed is not listening), and the
        caller should read the database instead. One heartbeat answers every caller
        waiting when it is sent."""
        if self.version(0) is None or self._wake is None:
            return False
        asked = time.monotonic()
        with contextlib.suppress(OSError):  # a full pipe: a wake-up is pending anyway
            os.write(self._wake[1], b".")
        with self._synced:
            return self._synced.wait_for(lambda: self._proved >= asked, timeout)

    def wait_listening(self, timeout: float) -> bool:
        """Start listening if not yet, and wait up to `timeout` seconds until it is."""
        deadline = time.monotonic() + timeout
        while self.version(0) is None:
            if time.monotonic() >= deadline or self._stop.is_set():
                return False
            time.sleep(0.005)
        return True

    def close(self) -> None:
        """Stop listening; the thread ends, closing its connection, within half a second."""
        self._stop.set()
        self._listening = False

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid() or self._stop.is_set():
                return
            # A fresh process (or a fork, which has no listening thread): start over.
            self._pid = os.getpid()
            self._listening = False
            self._epoch += 1
            self._wake = os.pipe()
            os.set_blocking(self._wake[0], False)
            os.set_blocking(self._wake[1], False)
            self._synced = threading.Condition(threading.Lock())
            self._thread = threading.Thread(
                target=self._run, name="okrbot-change-feed", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        delay = self.retry_after
        while not self._stop.is_set():
            connection = None
            try:
                connection = self._connect()
                connection.autocommit = True
                connection.execute(f"SET application_name = '{APPLICATION_NAME}'")
                connection.execute(f"LISTEN {CHANNEL}")
                with self._lock:
                    self._epoch += 1  # whatever changed before now went unseen
                    self._confirmed = -math.inf  # trusted from the first ping's return
                    self._listening = True
                delay = self.retry_after
                self._listen(connection)
            except Exception as error:
                if not self._stop.is_set():
                    logger.warning(
                        "No change notifications from the database (%s: %s); lists and "
                        "check-ins read the database on every request until they are back",
                        type(error).__name__,
                        str(error).strip().splitlines()[0] if str(error).strip() else "",
                    )
            finally:
                with self._lock:
                    self._listening = False
                    self._epoch += 1
                if connection is not None:
                    with contextlib.suppress(Exception):
                        connection.close()
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, self.max_retry_after)

    def _listen(self, connection: Any) -> None:
        # The heartbeat is a notification sent to ourselves: its return proves that every
        # change committed before it was sent has been heard (the server delivers them in
        # commit order), which a plain query would not (behind a pooler that hands the
        # connection around, LISTEN itself may not hold). Wake at least every half second
        # to notice close().
        # Waits on the connection's socket and on the wake-up pipe at once, so that a
        # `sync()` gets its heartbeat at once rather than at the next poll.
        mine = f"{PING}{os.getpid()}:{id(self)}:"
        sent = -math.inf
        poll = min(0.5, self.heartbeat)
        wake = self._wake[0] if self._wake is not None else None
        while not self._stop.is_set():
            ready = select.select(
                [connection.fileno(), *([wake] if wake is not None else [])], [], [], poll
            )[0]
            asked = wake is not None and wake in ready
            if wake is not None and asked:
                with contextlib.suppress(BlockingIOError):
                    os.read(wake, 4096)
            for note in connection.notifies(timeout=0):
                self._note(note.payload, mine)
            now = time.monotonic()
            due = now - self._confirmed >= self.heartbeat and now - sent >= self.heartbeat
            if asked or due:
                connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{mine}{now!r}"))
                sent = now
                # A session hears its own notification with the answer to the statement
                # that sent it: it is waiting already, and the socket won't say so.
                for note in connection.notifies(timeout=0):
                    self._note(note.payload, mine)

    def _alive(self) -> None:
        # Called with the lock held, on any sign of life from the connection.
        now = time.monotonic()
        if now - self._confirmed > self.stale_after:
            # Silent for so long that `version()` gave up on it: as after a reconnection,
            # nothing read before now is trusted.
            self._epoch += 1
        self._confirmed = now

    def _note(self, payload: str, mine: str) -> None:
        if payload.startswith(PING):
            if payload.startswith(mine):
                with self._lock:
                    self._alive()
                with contextlib.suppress(ValueError), self._synced:
                    self._proved = max(self._proved, float(payload[len(mine) :]))
                    self._synced.notify_all()
            return  # another process's heartbeat
        directory = payload.startswith(DIRECTORY)
        with self._lock:
            try:
                workspace_id = int(payload[len(DIRECTORY) :] if directory else payload)
            except ValueError:
                self._epoch += 1  # EVERY_WORKSPACE, or anything unexpected
                return
            self._versions[workspace_id] = self._versions.get(workspace_id, 0) + 1
            if directory:
                self._directory_versions[workspace_id] = (
                    self._directory_versions.get(workspace_id, 0) + 1
                )
