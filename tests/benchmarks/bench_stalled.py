"""`/okr help` latency while stalled connections hold on, against the same run without them.

    .venv/bin/python tests/benchmarks/bench_stalled.py [--stalled 64] [--seconds 5] ...

Issue #14, item 3: four clients that announced `Content-Length: 100000` and sent two bytes
held every thread of the web line's gunicorn (gthread, 2 workers of 2 threads), and every
other request waited as long as they held. What this measures:

1. The Procfile's web line (its gunicorn options, `WEB_CONCURRENCY=2`) on a fresh SQLite
   database, its Web API pointed at a `SlackStandIn` run by this process.
2. Signed `/okr help` requests, one at a time, each on a fresh connection (as Slack's
   arrive), for `--seconds` per phase, alternately without and with `--stalled` stalled
   connections, over `--rounds` interleaved rounds. A thread here holds the stalled
   connections: each sends a head announcing 100,000 bytes and 2 bytes of body
   (`--kind body`), half a head (`head`) or nothing (`idle`); when the server answers or
   closes one, a new one takes its place, so `--stalled` are held all along.
3. p50/p90/p99/max and errors (no right answer within `--timeout`) side by side, with the
   ratios, and whether p99 with stalled connections is within 1 s (the target).
4. The same probe against the previous web line (gthread, `--worker-connections 2
   --keep-alive 0`) with the same stalled connections: how many of `--old-probes` requests
   it answered within `--timeout` (`--old-probes 0` skips it).

`--smoke` (8 stalled, 0.3 s per phase, one round, one old probe with a 1 s timeout) is what
the suite runs so the script keeps working (`tests/test_benchmarks_smoke.py`).

Everything it starts is stopped on exit, Ctrl-C included. Nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import math
import os
import platform
import selectors
import shlex
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from types import FrameType

import harness
from harness import (
    BOT_TOKEN,
    EVENTS_PATH,
    SIGNING_SECRET,
    GunicornServer,
    server_environment,
    slash_command_body,
)

from app.db.engine import create_db_engine
from app.db.migrate import ensure_schema
from app.tryout.standin import SlackStandIn

TARGET_MS = 1000.0
PREVIOUS_WEB_LINE = (
    "--worker-class gthread --workers 2 --threads 2 --worker-connections 2 --keep-alive 0"
)
STALLS = {
    "body": (
        b"POST /slack/events HTTP/1.1\r\nHost: okrbot\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nab"
    ),
    "head": b"POST /slack/events HTTP/1.1\r\nHost: okrbot\r\nContent-Le",
    "idle": b"",
}


# ---------------------------------------------------------------------- stalled connections


class StallHolder:
    """Holds `count` stalled connections to a port in a thread, replacing any the server
    answers or closes; counts what it was answered."""

    def __init__(self, port: int, count: int, kind: str) -> None:
        self.port, self.count, self.sent = port, count, STALLS[kind]
        self.answers: Counter[str] = Counter()
        self.opened = 0
        self._stop = threading.Event()
        self._held = 0
        self._thread = threading.Thread(target=self._hold, name="stalls", daemon=True)

    def start(self, wait: float = 10.0) -> StallHolder:
        """Start holding; return once all `count` are open (or `wait` has passed)."""
        self._thread.start()
        deadline = time.monotonic() + wait
        while self._held < self.count and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # let the server take them from its backlog
        return self

    def stop(self) -> None:
        """Close them all."""
        self._stop.set()
        self._thread.join(timeout=10)

    def _open(self, selector: selectors.BaseSelector) -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
            if self.sent:
                sock.sendall(self.sent)
        except OSError:
            return
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        self.opened += 1

    def _hold(self) -> None:
        selector = selectors.DefaultSelector()
        try:
            while not self._stop.is_set():
                while len(selector.get_map()) < self.count and not self._stop.is_set():
                    self._open(selector)
                self._held = len(selector.get_map())
                for key, _ in selector.select(0.05):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    try:
                        data = sock.recv(64)
                    except OSError:
                        data = b""
                    self.answers[data.split(b"\r\n", 1)[0].decode("latin-1") or "closed"] += 1
                    selector.unregister(sock)
                    sock.close()
        finally:
            for key in list(selector.get_map().values()):
                key.fileobj.close()  # type: ignore[union-attr]
            selector.close()


# ---------------------------------------------------------------------- probes


def signed_help() -> bytes:
    """A signed `/okr help`, as raw HTTP (valid for five minutes)."""
    body = slash_command_body(
        user_id="U0BENCH", text="help", response_url="http://127.0.0.1:9/unused"
    ).encode()
    now = str(int(time.time()))
    mac = hmac.new(SIGNING_SECRET.encode(), f"v0:{now}:".encode() + body, hashlib.sha256)
    return (
        f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: okrbot\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Slack-Request-Timestamp: {now}\r\nX-Slack-Signature: v0={mac.hexdigest()}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


def probe(port: int, request: bytes, timeout: float) -> float | None:
    """Seconds to send `request` on a new connection and read the whole right answer;
    None when it does not come within `timeout`."""
    started = time.perf_counter()
    deadline = started + timeout
    received = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(request)
            while True:
                sock.settimeout(max(0.001, deadline - time.perf_counter()))
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
    except OSError:
        return None
    if not received.startswith(b"HTTP/1.1 200 ") or b"/okr new" not in received:
        return None
    return time.perf_counter() - started


@dataclass
class Phase:
    """Everything measured for one scenario (all rounds merged)."""

    label: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in ms (nearest rank)."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]

    def run(self, port: int, seconds: float, timeout: float) -> None:
        """Probe one request after another for `seconds`."""
        request = signed_help()
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            took = probe(port, request, timeout)
            if took is None:
                self.errors += 1
            else:
                self.latencies_ms.append(took * 1000)


# ---------------------------------------------------------------------- runs


def start_server(name: str, options: str, env: dict[str, str], workdir: Path) -> GunicornServer:
    """A gunicorn with `options` serving the app, ready."""
    server = GunicornServer(name, "app.wsgi:api", shlex.split(options), env, workdir)
    try:
        server.start()
        server.wait_ready("/healthz")
    except BaseException:
        server.stop()
        raise
    return server


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def _ratio(value: float, base: float) -> str:
    return "-" if math.isnan(value) or math.isnan(base) or base <= 0 else f"{value / base:.2f}x"


def report(without: Phase, with_stalled: Phase, holder_answers: Counter[str]) -> bool:
    """Print the side-by-side table; True when the target is met."""
    print("\n== /okr help latency, one request at a time, a fresh connection each ==")
    header = (
        f"{'':<34} {'requests':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for phase in (without, with_stalled):
        print(
            f"{phase.label:<34} {len(phase.latencies_ms) + phase.errors:>8} "
            f"{_ms(phase.percentile(50)):>8} {_ms(phase.percentile(90)):>8} "
            f"{_ms(phase.percentile(99)):>8} {_ms(phase.percentile(100)):>8} {phase.errors:>6}"
        )
    print(
        f"{'ratio (with / without)':<34} {'':>8} "
        + " ".join(
            f"{_ratio(with_stalled.percentile(p), without.percentile(p)):>8}"
            for p in (50, 90, 99, 100)
        )
    )
    answered = ", ".join(f"{line!r} x{n}" for line, n in holder_answers.most_common()) or "none"
    print(f"what the stalled connections were answered while held: {answered}")
    p99 = with_stalled.percentile(99)
    met = with_stalled.errors == 0 and not math.isnan(p99) and p99 <= TARGET_MS
    print(
        f"Target: /okr help within {TARGET_MS:.0f} ms while connections stall: "
        f"p99 {_ms(p99)} ms, {with_stalled.errors} unanswered: {'met' if met else 'NOT met'}"
    )
    return met


def run(args: argparse.Namespace, workdir: Path, standin: SlackStandIn) -> bool:
    """Both measurements; True when the target is met."""
    database = f"sqlite:///{workdir / 'okrbot.db'}"
    engine = create_db_engine(database)
    ensure_schema(engine)  # once, before several workers start on it
    engine.dispose()
    env = server_environment(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
            "DATABASE_URL": database,
            "LOG_LEVEL": "WARNING",
        }
    )
    options = harness.procfile_web_options(2)
    print(f"the Procfile's web line: gunicorn app.wsgi:api {options}")
    without = Phase("without stalled connections")
    with_stalled = Phase(f"with {args.stalled} stalled ({args.kind})")
    answers: Counter[str] = Counter()
    server = start_server("web", options, env, workdir)
    try:
        Phase("warm-up").run(server.port, args.warmup, args.timeout)
        for _ in range(args.rounds):
            without.run(server.port, args.seconds, args.timeout)
            holder = StallHolder(server.port, args.stalled, args.kind).start()
            try:
                with_stalled.run(server.port, args.seconds, args.timeout)
            finally:
                holder.stop()
            answers.update(holder.answers)
    finally:
        server.stop()
    met = report(without, with_stalled, answers)
    if args.old_probes > 0:
        print(f"\n== The previous web line: gunicorn app.wsgi:api {PREVIOUS_WEB_LINE} ==")
        old = start_server("gthread", PREVIOUS_WEB_LINE, env, workdir)
        try:
            answered_before = int(probe(old.port, signed_help(), args.timeout) is not None)
            holder = StallHolder(old.port, args.stalled, args.kind).start()
            try:
                answered = sum(
                    probe(old.port, signed_help(), args.timeout) is not None
                    for _ in range(args.old_probes)
                )
            finally:
                holder.stop()
        finally:
            old.stop()
        print(
            f"answered within {args.timeout:g} s: {answered_before} of 1 without stalled "
            f"connections, {answered} of {args.old_probes} with {args.stalled} stalled"
        )
    return met


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stalled", type=int, default=64, help="connections held stalled")
    parser.add_argument("--kind", choices=sorted(STALLS), default="body", help="how they stall")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per phase")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds a request may take")
    parser.add_argument(
        "--old-probes", type=int, default=3, help="requests to the previous web line (0: skip)"
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does it still run?")
    args = parser.parse_args(argv)
    if args.smoke:
        args.stalled, args.seconds, args.rounds, args.warmup = 8, 0.3, 1, 0.1
        args.old_probes, args.timeout = 1, 1.0
    return args


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark: 0, or 1 when the target is missed (not judged with --smoke)."""
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    print(
        f"okrbot stalled-connections benchmark: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, gunicorn {version('gunicorn')}"
    )
    try:
        with (
            tempfile.TemporaryDirectory(prefix="okrbench-stalled-") as tmp,
            SlackStandIn(bot_token=BOT_TOKEN, team_id="T0001") as standin,
        ):
            met = run(args, Path(tmp), standin)
    except KeyboardInterrupt:
        print("\ninterrupted; stopping everything", file=sys.stderr)
        return 130
    except harness.ServerFailedError as failure:
        print(f"\n{failure}", file=sys.stderr)
        return 1
    return 0 if met or args.smoke else 1


if __name__ == "__main__":
    sys.exit(main())
