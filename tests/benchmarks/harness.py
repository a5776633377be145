"""Pieces the HTTP benchmark and the request profile share.

* the Slack credentials every benchmarked server is configured with;
* `slash_command_body`: a slash command's form body, as Slack posts it;
* `ResponseSink`: plays Slack's response URLs on loopback and checks what is posted;
* `GunicornServer`: a gunicorn subprocess on a free 127.0.0.1 port, stopped for sure;
* `PostgresCluster`: a throwaway PostgreSQL cluster on a free 127.0.0.1 port, stopped and
  deleted for sure;
* CPU accounting from `/proc` (a process tree's CPU, the whole machine's).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "bench-signing-secret-8c1f0e2d7b3a"
BOT_TOKEN = "xoxb-bench-0001-okrbot"
WORKSPACE = "T0001"
EVENTS_PATH = "/slack/events"
REPO = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def slash_command_body(*, user_id: str, text: str, response_url: str) -> str:
    """The form body Slack posts for `/okr <text>` typed by `user_id` in #general."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": WORKSPACE,
            "team_domain": "bench",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/okr",
            "text": text,
            "api_app_id": "A0OKRBOT",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"1732390000.{user_id}.bench",
        }
    )


def server_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without okrbot's settings, plus `extra`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SLACK_") and name not in ("DATABASE_URL", "LOG_LEVEL")
    }
    env.update(extra)
    return env


# ---------------------------------------------------------------------- response URLs


@dataclass
class SinkCounts:
    """Posts to the response URLs since the last reset."""

    ok: int = 0
    bad: int = 0
    samples: list[str] = field(default_factory=list)


class ResponseSink:
    """A minimal stand-in for Slack's response URLs, on 127.0.0.1.

    Answers every `POST /r/<expected text>/<anything>` with `200 ok` and counts the post as
    good when its body is a JSON object containing `<expected text>` (a team's name).
    It runs an asyncio loop in one daemon thread: far cheaper per post than a thread per
    connection, which matters when it shares two cores with the server under test.
    """

    def __init__(self) -> None:
        self.counts = SinkCounts()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="response-sink", daemon=True
        )
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://127.0.0.1:{self.port}"

    def url_for(self, expected: str, key: str) -> str:
        """A response URL whose posts must contain `expected`."""
        return f"{self.base_url}/r/{expected.replace(' ', '_')}/{key}"

    def start(self) -> ResponseSink:
        """Start serving; returns self."""
        self._thread.start()
        future: Future[asyncio.Server] = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024), self._loop
        )
        self._server = future.result(timeout=10)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        """Stop serving and end the loop's thread."""
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    def take(self) -> SinkCounts:
        """The counts since the last call, and reset them."""
        with self._lock:
            counts, self.counts = self.counts, SinkCounts()
        return counts

    def _count(self, ok: bool, why: str) -> None:
        with self._lock:
            if ok:
                self.counts.ok += 1
            else:
                self.counts.bad += 1
                if len(self.counts.samples) < 5:
                    self.counts.samples.append(why)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1] if " " in lines[0] else ""
                length, close = 0, lines[0].endswith("HTTP/1.0")
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    name = name.strip().lower()
                    if name == "content-length":
                        length = int(value)
                    elif name == "connection":
                        close = value.strip().lower() == "close"
                body = await reader.readexactly(length) if length else b""
                parts = path.split("/")
                expected = parts[2].replace("_", " ").encode() if len(parts) > 2 else b"?"
                good = body.startswith(b"{") and expected in body
                self._count(good, f"{path}: {body[:120]!r}")
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
                    + (b"Connection: close\r\n" if close else b"")
                    + b"\r\nok"
                )
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()


# ---------------------------------------------------------------------- gunicorn


def procfile_web_options(workers: int) -> str:
    """The gunicorn options of the Procfile's `web:` line, with `WEB_CONCURRENCY=workers`
    and the other variables at their defaults, without the app and `--bind` (the
    benchmarks bind loopback ports): what a deployment runs, measured as it runs."""
    for line in (REPO / "Procfile").read_text().splitlines():
        kind, _, command = line.partition(":")
        if kind.strip() == "web":
            break
    else:
        raise RuntimeError("the Procfile has no web: line")
    values = {"WEB_CONCURRENCY": str(workers)}
    expanded = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: values.get(m[1], m[2]), command.strip())
    words = shlex.split(expanded)
    if words[:1] != ["gunicorn"] or len(words) < 2:
        raise RuntimeError(f"the Procfile's web: line is not gunicorn <app> ...: {command}")
    options, rest = [], iter(words[2:])
    for word in rest:
        if word == "--bind":
            next(rest, None)
        elif not word.startswith("--bind="):
            options.append(word)
    return shlex.join(options)


class ServerFailedError(RuntimeError):
    """A server did not come up; the message holds the end of its log."""


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop_process_group(process: subprocess.Popen[bytes], *, first: int = signal.SIGINT) -> None:
    """Stop a process started with `start_new_session=True`, and everything it started.

    `first` is sent to the leader (gunicorn: SIGINT is its quick shutdown; okrbot serve
    stops on it too); after 5 s the whole group (its id is the leader's) gets SIGKILL.
    """
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(first)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


@dataclass
class GunicornServer:
    """One gunicorn serving `app_spec` on a free 127.0.0.1 port."""

    name: str
    app_spec: str
    options: list[str]
    env: dict[str, str]
    workdir: Path
    pythonpath: Path | None = None
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    seconds_to_ready: float = 0.0

    @property
    def log_path(self) -> Path:
        """Where its output goes."""
        return self.workdir / f"{self.name}.log"

    def command(self) -> list[str]:
        """The gunicorn command line."""
        extra = ["--pythonpath", str(self.pythonpath)] if self.pythonpath else []
        return [
            str(VENV_BIN / "gunicorn"),
            self.app_spec,
            "--bind",
            f"127.0.0.1:{self.port}",
            *self.options,
            *extra,
            "--log-level",
            "warning",
            "--graceful-timeout",
            "2",
        ]

    def start(self) -> GunicornServer:
        """Launch it (without waiting for it to be ready)."""
        self.port = free_port()
        self._started = time.perf_counter()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=self.env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self, path: str, timeout: float = 60.0) -> float:
        """Wait for a `200` on `GET path` (any answer when `path` is not `/healthz`)."""
        assert self.process is not None
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise ServerFailedError(
                    f"{self.name} exited with {self.process.returncode}:\n{_tail(self.log_path)}"
                )
            status = http_get_status(self.port, path)
            if status == 200 or (status and path != "/healthz"):
                self.seconds_to_ready = time.perf_counter() - self._started
                return self.seconds_to_ready
            time.sleep(0.02)
        raise ServerFailedError(f"{self.name} not ready in {timeout} s:\n{_tail(self.log_path)}")

    def cpu_seconds(self) -> float:
        """CPU used so far by the master and its live workers."""
        return tree_cpu_seconds(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        """Quick shutdown, then SIGKILL for whatever is left of its process group."""
        if self.process is not None:
            stop_process_group(self.process)


def http_get_status(port: int, path: str, timeout: float = 1.0) -> int | None:
    """The status of `GET path` on 127.0.0.1:port, or None when nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


# ---------------------------------------------------------------------- CPU accounting


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found.extend(int(child) for child in listing.read().split())
    return found


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of one live process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime field 14, stime field 15.
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and its descendants that are still alive."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += process_cpu_seconds(current)
        pending.extend(_children(current))
    return total


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, summed over all cores."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    return (total - idle) / _CLOCK_TICKS, total / _CLOCK_TICKS


# ---------------------------------------------------------------------- stand-in process


class StandInProcess:
    """The Slack stand-in run by `standin_proc.py` in its own process (see its docstring)."""

    def __init__(self, *, users: list[tuple[str, str]], workdir: Path) -> None:
        self.users = users
        self.workdir = workdir
        self.process: subprocess.Popen[str] | None = None
        self.api_url = ""

    def start(self) -> StandInProcess:
        """Launch it and wait until it serves."""
        self.process = subprocess.Popen(
            [sys.executable, str(BENCH_DIR / "standin_proc.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(self.workdir / "standin.log").open("w"),
            text=True,
            start_new_session=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        config = {"bot_token": BOT_TOKEN, "team_id": WORKSPACE, "users": self.users}
        self.process.stdin.write(json.dumps(config) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise ServerFailedError(
                f"the stand-in did not start:\n{_tail(self.workdir / 'standin.log')}"
            )
        self.api_url = json.loads(line)["api_url"]
        return self

    def stats(self) -> dict[str, Any]:
        """Calls per method since the last call: counts, errors, handling time."""
        assert self.process is not None and self.process.stdin and self.process.stdout
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        result: dict[str, Any] = json.loads(self.process.stdout.readline())
        return result

    def cpu_seconds(self) -> float:
        """CPU it used so far."""
        return process_cpu_seconds(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        """Ask it to stop; make sure it did."""
        if self.process is None:
            return
        with contextlib.suppress(OSError, ValueError):
            assert self.process.stdin is not None
            self.process.stdin.write("stop\n")
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def __enter__(self) -> StandInProcess:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


# ---------------------------------------------------------------------- PostgreSQL


def postgres_bin_dir() -> Path | None:
    """The directory of the newest PostgreSQL server binaries (`initdb`, `pg_ctl`), if any."""
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).resolve().parent / "initdb").exists():
        return Path(on_path).resolve().parent
    found = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()]
    found.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return found[-1] if found else None


class PostgresCluster:
    """A throwaway PostgreSQL cluster: its own data directory in a temporary directory,
    listening on 127.0.0.1 only (a free port, and a Unix socket in that directory), trust
    authentication. The server refuses to run as root, so as root it runs as `postgres`.

    `synchronous_commit=off`: a commit does not wait for its WAL to reach the disk, the
    counterpart of the app's SQLite setting (WAL with `synchronous=NORMAL`); a crash may lose
    the last commits, never corrupt anything. `stop()` stops the server (fast shutdown, then
    SIGKILL for whatever is left) and deletes the directory.
    """

    def __init__(self, bin_dir: Path, *, settings: Mapping[str, str] | None = None) -> None:
        self.bin_dir = bin_dir
        self.settings = {"synchronous_commit": "off", "max_connections": "200", **(settings or {})}
        self.root = Path(tempfile.mkdtemp(prefix="okrbench-pg-"))
        self.data = self.root / "data"
        self.port = 0
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        completed = subprocess.run(
            [*self._as_user, *args],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
        if completed.returncode != 0:
            output = (completed.stdout + completed.stderr).decode(errors="replace")
            raise ServerFailedError(f"{Path(args[0]).name} failed:\n{output[-2000:]}")

    def start(self) -> PostgresCluster:
        """initdb, then start the server and wait until it accepts connections."""
        self._run(
            str(self.bin_dir / "initdb"),
            "-D", str(self.data),
            "-U", "postgres",
            "-A", "trust",
            "-E", "UTF8",
            "--locale=C",
            "--no-sync",
        )  # fmt: skip
        self.port = free_port()
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-p {self.port}",
                f"-k {self.root}",
                *(f"-c {name}={value}" for name, value in self.settings.items()),
            ]
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D", str(self.data),
            "-l", str(self.root / "server.log"),
            "-o", options,
            "-w",
            "-t", "60",
            "start",
        )  # fmt: skip
        return self

    def url(self, database: str = "postgres") -> str:
        """The app's `DATABASE_URL` for a database of this cluster."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; its URL."""
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self.url(name)

    def postmaster_pid(self) -> int | None:
        """The server's process id, from its pid file."""
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def cpu_seconds(self) -> float:
        """CPU used so far by the server and its live backends."""
        pid = self.postmaster_pid()
        return tree_cpu_seconds(pid) if pid else 0.0

    def stop(self) -> None:
        """Stop the server if it runs, then delete its directory."""
        if self.postmaster_pid() is not None:
            with contextlib.suppress(ServerFailedError, subprocess.SubprocessError):
                self._run(
                    str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
                )
        # Still running (the pid file is removed at shutdown): SIGKILL it, if it is ours.
        pid = self.postmaster_pid()
        if pid is not None:
            with contextlib.suppress(OSError):
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
                if str(self.data).encode() in command:
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
