"""The Procfile's web line, started as a deployment runs it, for the tests here."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def procfile_command(kind: str) -> str:
    """The command of the Procfile's `kind:` line, as written."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == kind:
            return command.strip()
    raise AssertionError(f"the Procfile has no {kind}: line")


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without okrbot's settings, plus `extra`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SLACK_") and name not in ("DATABASE_URL", "LOG_LEVEL")
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


@dataclass
class WebProcess:
    """The running web process: its base URL, port and log file."""

    url: str
    port: int
    log: Path

    def output(self) -> str:
        """Everything it printed so far."""
        return self.log.read_text(errors="replace")


@contextmanager
def procfile_web(env: dict[str, str], log: Path) -> Iterator[WebProcess]:
    """Run the Procfile's `web:` line (through bash, as a platform does) on a free loopback
    port until the block ends; wait for `/readyz` first."""
    port = free_port()
    env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
    process = subprocess.Popen(
        ["bash", "-c", f"exec {procfile_command('web')}"],
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/readyz", timeout=2) as ready:
                    if ready.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, (
                f"the web process never got ready:\n{log.read_text()}"
            )
            time.sleep(0.1)
        yield WebProcess(url=url, port=port, log=log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
