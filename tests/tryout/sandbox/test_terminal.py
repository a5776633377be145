"""The sandbox in a real (pseudo-)terminal: readline, tab completion, the prompt, exit."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


class Screen:
    """What a child process on a pseudo-terminal has written, read with deadlines."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.seen = b""

    def read_until(self, wanted: bytes, *, after: int = 0, timeout: float = 30) -> int:
        """Read until `wanted` appears past offset `after`; returns the offset after it."""
        deadline = time.monotonic() + timeout
        while (found := self.seen.find(wanted, after)) < 0:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{wanted!r} never appeared; the screen:\n{self.text()}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"the sandbox exited before {wanted!r}:\n{self.text()}")
            self.seen += chunk
        return found + len(wanted)

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def text(self) -> str:
        return self.seen.decode("utf-8", "replace")


def _wait(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    raise AssertionError("the sandbox did not exit")


@pytest.mark.e2e
def test_typing_in_a_terminal_with_tab_completion_and_quitting(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "app", "sandbox", "--start", "2026-11-19T15:00"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TERM": "xterm", "LANG": "C.UTF-8"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the sandbox, with the terminal as stdin and stdout
        os.chdir(tmp_path)
        os.execve(sys.executable, command, env)
    screen = Screen(fd)
    try:
        at = screen.read_until(b"alice> ")
        # "/okr li" + TAB completes to "/okr list" (otherwise the bot would not know "li").
        screen.type(b"/okr li\t")
        at = screen.read_until(b"list", after=at)
        screen.type(b"\r")
        at = screen.read_until("Growth · 2026-Q4".encode(), after=at)
        at = screen.read_until(b"reads like", after=at)
        at = screen.read_until(b"alice> ", after=at)
        # A meta-command completes too.
        screen.type(b":as b\t\r")
        at = screen.read_until(b"You are @bob", after=at)
        at = screen.read_until(b"bob> ", after=at)
        screen.type(b"/okr checkin\r")
        at = screen.read_until(b"Value now [2.5]: ", after=at)
        # In a field: TAB (nothing to complete in a text field), then Ctrl-U erases the
        # line (readline's editing) before :cancel closes the modal.
        screen.type(b"\tzz")
        at = screen.read_until(b"zz", after=at)
        screen.type(b"\x15:cancel\r")
        at = screen.read_until(b"(the modal closed)", after=at)
        at = screen.read_until(b"bob> ", after=at)
        # Up recalls the last command, not the field answers typed since.
        screen.type(b"\x1b[A")
        at = screen.read_until(b"/okr checkin", after=at)
        screen.type(b"\r")
        at = screen.read_until(b"Value now [2.5]: ", after=at)
        screen.type(b":cancel\r")
        at = screen.read_until(b"(the modal closed)", after=at)
        at = screen.read_until(b"bob> ", after=at)
        screen.type(b":quit\r")
        assert _wait(pid, timeout=20) == 0
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
    assert "Traceback" not in screen.text()
