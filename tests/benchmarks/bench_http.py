"""`/okr list` and `/okr help` over HTTP under gunicorn, against a bare Bolt app, same run.

    .venv/bin/python tests/benchmarks/bench_http.py [--seconds 10] [--rounds 2] ...

What it does (see tests/benchmarks/README.md for the options and how to read the output):

1. Seeds (or reuses) a database of 500 teams and 20,000 key results (`seed.py`) and copies
   it to a temporary directory.
2. Starts, on 127.0.0.1 and with the same gunicorn options, three servers:
   `okrbot` (the real `app.wsgi:api`, on the seeded file, its Web API pointed at a
   `SlackStandIn` run by this process) and the bare Bolt app of `bare_app.py` twice
   (Bolt's default runner, and `process_before_response=True`).
3. Drives each with the same closed-loop load (`loadgen.py`, run as its own process):
   `--concurrency` clients with keep-alive connections and pre-signed requests from
   random seeded users, warm-up first, then `--seconds` of measurement split over
   `--rounds` interleaved rounds. `/okr list` answers of more than one message go through
   the response URL: those URLs point at a `ResponseSink` here, which checks that every
   posted message names the caller's team.
4. Prints latency percentiles per target and scenario, with ratios to the bare
   `process_before_response` app, CPU accounting, a one-client (unloaded) table, and
   whether the real app meets p50 <= 5 ms and p99 <= 25 ms.
5. Times `okrbot serve` from launch to its first `200` on `/healthz`, on an empty and on
   the seeded database.

`--smoke` (one gunicorn worker per server, 2 clients for 0.4 s per row, one start-up run,
no one-client table) is what the suite runs so the script keeps working
(`tests/test_benchmarks_smoke.py`).

Everything it starts is stopped on exit, Ctrl-C included. Nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import resource
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from typing import Any

import harness
from harness import (
    BENCH_DIR,
    BOT_TOKEN,
    EVENTS_PATH,
    SIGNING_SECRET,
    VENV_BIN,
    GunicornServer,
    ResponseSink,
    free_port,
    http_get_status,
    machine_cpu,
    server_environment,
    slash_command_body,
    stop_process_group,
)
from seed import DB_TWEAKS, SeedInfo, seeded_copy

import app
from app.tryout.standin import SlackStandIn

# The options of the Procfile's web: line, with 2 workers: what a deployment runs.
DEFAULT_GUNICORN = harness.procfile_web_options(2)
# Tried by --sweep: each with the real app and the bare process_before_response app.
SWEEP_CONFIGS = (
    "--workers 2 --worker-class sync",
    "--workers 3 --worker-class sync",
    "--workers 4 --worker-class sync",
    "--workers 2 --threads 1 --worker-class gthread --keep-alive 5",
    "--workers 2 --threads 2 --worker-class gthread --keep-alive 5",
    "--workers 2 --threads 4 --worker-class gthread --keep-alive 5",
    "--workers 4 --threads 2 --worker-class gthread --keep-alive 5",
    "--workers 1 --threads 8 --worker-class gthread --keep-alive 5",
    # A connection per request, taken only by a worker with a free thread.
    "--workers 4 --threads 1 --worker-class gthread --keep-alive 0 --worker-connections 1",
    "--workers 4 --threads 4 --worker-class gthread --keep-alive 0 --worker-connections 4",
    # The Procfile's web process.
    DEFAULT_GUNICORN,
)
TARGET_P50_MS = 5.0
TARGET_P99_MS = 25.0
SCENARIOS = ("list", "help")
REAL, BARE_DEFAULT, BARE_PBR = "okrbot", "bare-default", "bare-pbr"
TARGET_LABELS = {
    REAL: "okrbot (app.wsgi:api)",
    BARE_DEFAULT: "bare Bolt, default runner",
    BARE_PBR: "bare Bolt, process_before_response",
}


# ---------------------------------------------------------------------- measurement


@dataclass
class Cell:
    """Everything measured for one target and scenario (all rounds merged)."""

    target: str
    scenario: str
    latencies_us: list[int] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    warmup_requests: int = 0
    empty: int = 0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    helper_cpu: float = 0.0
    busy_cpu: float = 0.0
    wall: float = 0.0
    sink_ok: int = 0
    sink_bad: int = 0
    samples: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        """Measured requests (answered correctly or not)."""
        return len(self.latencies_us) + self.errors

    @property
    def rate(self) -> float:
        """Measured requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in ms (nearest rank)."""
        if not self.latencies_us:
            return math.nan
        ordered = sorted(self.latencies_us)
        rank = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
        return ordered[rank] / 1000

    @property
    def other_cpu(self) -> float:
        """Machine CPU that none of our processes used (other tenants), in seconds."""
        return max(0.0, self.busy_cpu - self.server_cpu - self.client_cpu - self.helper_cpu)

    @property
    def maximum(self) -> float:
        """The slowest measured request, in ms."""
        return max(self.latencies_us) / 1000 if self.latencies_us else math.nan


@dataclass
class Target:
    """A server under test and what its answers must contain."""

    key: str
    server: GunicornServer
    ready_path: str

    def job_bodies(self, scenario: str, seed: SeedInfo, sink: ResponseSink) -> list[dict]:
        """Every distinct request of the scenario (one per seeded user) and its check."""
        bodies = []
        for user in seed.users:
            body = slash_command_body(
                user_id=user.slack_user_id,
                text=scenario,
                response_url=sink.url_for(user.team_name, user.slack_user_id),
            )
            if self.key != REAL:
                expect = None  # the bare app acks with an empty body
            elif scenario == "list":
                expect = user.team_name  # or an empty ack, the list going to the response URL
            else:
                expect = "/okr new"
            bodies.append({"body": body, "expect": expect})
        return bodies


def run_loadgen(job: dict[str, Any]) -> dict[str, Any]:
    """Run `loadgen.py` on one job in its own process; its JSON result."""
    timeout = job["warmup"] + job["seconds"] + 60
    completed = subprocess.run(
        [sys.executable, str(BENCH_DIR / "loadgen.py")],
        input=json.dumps(job).encode(),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"loadgen failed: {completed.stderr.decode(errors='replace')[-2000:]}")
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(
    cell: Cell,
    target: Target,
    *,
    seed: SeedInfo,
    sink: ResponseSink,
    concurrency: int,
    warmup: float,
    seconds: float,
    mode: str,
    round_number: int,
) -> None:
    """One round of one target and scenario, added into `cell`."""
    job = {
        "host": "127.0.0.1",
        "port": target.server.port,
        "path": EVENTS_PATH,
        "signing_secret": SIGNING_SECRET,
        "bodies": target.job_bodies(cell.scenario, seed, sink),
        "allow_empty": True,
        "concurrency": concurrency,
        "warmup": warmup,
        "seconds": seconds,
        "mode": mode,
        "seed": round_number,
    }
    sink.take()
    server_before, self_before = target.server.cpu_seconds(), _self_cpu()
    busy_before, _ = machine_cpu()
    started = time.perf_counter()
    result = run_loadgen(job)
    cell.wall += time.perf_counter() - started
    busy_after, _ = machine_cpu()
    cell.busy_cpu += busy_after - busy_before
    cell.server_cpu += target.server.cpu_seconds() - server_before
    cell.helper_cpu += _self_cpu() - self_before
    cell.client_cpu += result["client_cpu_seconds"]
    cell.latencies_us.extend(result["latencies_us"])
    cell.errors += result["errors"]
    cell.seconds += result["measured_seconds"]
    cell.warmup_requests += result["warmup_requests"]
    cell.empty += result["empty"] + result["warmup_empty"]
    cell.samples.extend(result["error_samples"][: 5 - len(cell.samples)])
    posted = sink.take()
    cell.sink_ok += posted.ok
    cell.sink_bad += posted.bad
    cell.errors += posted.bad
    cell.samples.extend(posted.samples[: 5 - len(cell.samples)])


# ---------------------------------------------------------------------- servers


@contextlib.contextmanager
def started_targets(
    keys: Sequence[str],
    *,
    options: str,
    seed: SeedInfo,
    standin: SlackStandIn,
    workdir: Path,
) -> Iterator[dict[str, Target]]:
    """Start the servers for `keys` with the same gunicorn options; stop them on exit."""
    common = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.api_url,
        "LOG_LEVEL": "INFO",
    }
    targets: dict[str, Target] = {}
    try:
        for key in keys:
            if key == REAL:
                env = server_environment({**common, "DATABASE_URL": seed.url})
                server = GunicornServer(key, "app.wsgi:api", shlex.split(options), env, workdir)
                targets[key] = Target(key, server, "/healthz")
            else:
                pbr = "1" if key == BARE_PBR else "0"
                env = server_environment({**common, "BENCH_PROCESS_BEFORE_RESPONSE": pbr})
                server = GunicornServer(
                    key, "bare_app:api", shlex.split(options), env, workdir, pythonpath=BENCH_DIR
                )
                targets[key] = Target(key, server, EVENTS_PATH)
            server.start()
        for target in targets.values():
            target.server.wait_ready(target.ready_path)
        yield targets
    finally:
        for target in targets.values():
            target.server.stop()


# ---------------------------------------------------------------------- reports


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def _ratio(value: float, base: float) -> str:
    if math.isnan(value) or math.isnan(base) or base <= 0:
        return "-"
    return f"{value / base:.2f}x"


def print_table(title: str, cells: list[Cell], baseline: str | None) -> None:
    """The latency table, with ratios to `baseline`'s cell of the same scenario."""
    print(f"\n{title}")
    header = (
        f"{'target':<36} {'scenario':<9} {'requests':>8} {'req/s':>7} {'p50 ms':>7} "
        f"{'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6} {'p50/bare':>9} {'p99/bare':>9}"
    )
    print(header)
    print("-" * len(header))
    by_key = {(c.target, c.scenario): c for c in cells}
    for cell in cells:
        base = by_key.get((baseline, cell.scenario)) if baseline else None
        p50, p99 = cell.percentile(50), cell.percentile(99)
        print(
            f"{TARGET_LABELS.get(cell.target, cell.target):<36} {'/okr ' + cell.scenario:<9} "
            f"{cell.requests:>8} {cell.rate:>7.0f} {_ms(p50):>7} {_ms(cell.percentile(90)):>7} "
            f"{_ms(p99):>7} {_ms(cell.maximum):>7} {cell.errors:>6} "
            f"{_ratio(p50, base.percentile(50)) if base else '-':>9} "
            f"{_ratio(p99, base.percentile(99)) if base else '-':>9}"
        )


def print_cpu_table(cells: list[Cell]) -> None:
    """Where the machine's CPU went during each measurement (warm-up included)."""
    print(
        "\nCPU during each measurement, in % of one core (the machine has "
        f"{os.cpu_count()} cores = {100 * (os.cpu_count() or 1)}%)"
    )
    header = (
        f"{'target':<36} {'scenario':<9} {'server CPU/req':>14} {'server':>7} {'client':>7} "
        f"{'client/req':>10} {'sink+standin':>12} {'machine':>8} {'other':>6}"
    )
    print(header)
    print("-" * len(header))
    for cell in cells:
        served = cell.requests + cell.warmup_requests
        wall = cell.wall or 1.0
        print(
            f"{TARGET_LABELS.get(cell.target, cell.target):<36} {'/okr ' + cell.scenario:<9} "
            f"{1e6 * cell.server_cpu / max(served, 1):>11.0f} µs "
            f"{100 * cell.server_cpu / wall:>6.0f}% {100 * cell.client_cpu / wall:>6.0f}% "
            f"{1e6 * cell.client_cpu / max(served, 1):>7.0f} µs "
            f"{100 * cell.helper_cpu / wall:>11.0f}% {100 * cell.busy_cpu / wall:>7.0f}% "
            f"{100 * cell.other_cpu / wall:>5.0f}%"
        )


def print_checks(cells: list[Cell]) -> None:
    """What was verified about the answers."""
    print("\nCorrectness")
    for cell in cells:
        label = f"{TARGET_LABELS.get(cell.target, cell.target)}, /okr {cell.scenario}"
        line = f"  {label}: {cell.errors} errors in {cell.requests} measured requests"
        if cell.target == REAL and cell.scenario == "list":
            per = cell.sink_ok / cell.empty if cell.empty else 0.0
            line += (
                f"; {cell.empty} answers acked empty and sent the list to the response URL: "
                f"{cell.sink_ok} posts naming the caller's team ({per:.2f} per request), "
                f"{cell.sink_bad} wrong"
            )
        print(line)
        for sample in cell.samples:
            print(f"    e.g. {sample}")


def print_verdict(cells: list[Cell], concurrency: int) -> None:
    """Whether the real app meets the issue's targets."""
    print(
        f"\nTargets for okrbot at {concurrency} concurrent clients: "
        f"p50 <= {TARGET_P50_MS:g} ms and p99 <= {TARGET_P99_MS:g} ms"
    )
    for cell in cells:
        if cell.target != REAL:
            continue
        p50, p99 = cell.percentile(50), cell.percentile(99)
        verdict = (
            "MET"
            if p50 <= TARGET_P50_MS and p99 <= TARGET_P99_MS and not cell.errors
            else ("MISSED")
        )
        print(
            f"  /okr {cell.scenario:<5} p50 {_ms(p50)} ms "
            f"({'ok' if p50 <= TARGET_P50_MS else 'over'}), p99 {_ms(p99)} ms "
            f"({'ok' if p99 <= TARGET_P99_MS else 'over'}), {cell.errors} errors: {verdict}"
        )
    print(
        f"  (closed loop: every client always has one request in flight, so by Little's law "
        f"mean latency = {concurrency} / throughput; a mean of 5 ms needs "
        f"{concurrency / 0.005:.0f} req/s.)"
    )


# ---------------------------------------------------------------------- startup


def seconds_to_healthz(
    command: list[str], env: dict[str, str], port: int, workdir: Path, timeout: float = 30.0
) -> float:
    """From launching `command` to its first `200` on `GET /healthz` at 127.0.0.1:port."""
    log = workdir / "serve.log"
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            env=env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while time.perf_counter() - started < timeout:
            if http_get_status(port, "/healthz") == 200:
                return time.perf_counter() - started
            if process.poll() is not None:
                raise RuntimeError(f"exited with {process.returncode}: {log.read_text()[-1500:]}")
            time.sleep(0.005)
        raise TimeoutError(f"no 200 on /healthz within {timeout} s")
    finally:
        stop_process_group(process)


def seconds_to_exit(command: list[str], env: dict[str, str], workdir: Path) -> float:
    """From launching `command` to its exit."""
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=workdir, check=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure_startup(runs: int, seed: SeedInfo, standin: SlackStandIn, workdir: Path) -> None:
    """`okrbot serve` launch to healthz, on an empty and on the seeded database."""
    common = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.api_url,
        "LOG_LEVEL": "INFO",
    }
    python = str(VENV_BIN / "python")
    plain_env = server_environment({})
    rows: list[tuple[str, list[float]]] = []
    # os._exit: time the launch and the imports, not the interpreter's teardown.
    for label, code in (
        ("python: start, exit", "import os; os._exit(0)"),
        ("python: start, import slack_bolt, exit", "import os, slack_bolt; os._exit(0)"),
        (
            "python: start, import app.cli + app.runtime, exit",
            "import os, app.cli, app.runtime; os._exit(0)",
        ),
    ):
        command = [python, "-c", code]
        rows.append((label, [seconds_to_exit(command, plain_env, workdir) for _ in range(runs)]))
    for label, fresh in (("okrbot serve, empty database", True), ("okrbot serve, seeded", False)):
        times = []
        for run in range(runs):
            url = f"sqlite:///{workdir / f'empty-{run}.db'}" if fresh else seed.url
            port = free_port()
            command = [
                str(VENV_BIN / "okrbot"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ]
            env = server_environment({**common, "DATABASE_URL": url})
            times.append(seconds_to_healthz(command, env, port, workdir))
        rows.append((label + " (first 200 on /healthz)", times))
    print(f"\nStartup: launch to ready, {runs} runs each (seconds)")
    header = f"{'command':<54} {'min':>6} {'median':>7} {'max':>6}"
    print(header)
    print("-" * len(header))
    for label, times in rows:
        print(f"{label:<54} {min(times):>6.3f} {statistics.median(times):>7.3f} {max(times):>6.3f}")
    worst = max(max(times) for label, times in rows if label.startswith("okrbot"))
    verdict = "yes" if worst < 1 else "NO"
    print(
        f"  okrbot serve answers /healthz within 1 s of launch: {verdict} (slowest {worst:.3f} s)"
    )
    print_import_times(python, plain_env, workdir)


def print_import_times(python: str, env: dict[str, str], workdir: Path, top: int = 10) -> None:
    """Where `okrbot serve`'s imports spend their time: `-X importtime`, summed by package."""
    completed = subprocess.run(
        [python, "-X", "importtime", "-c", "import app.cli, app.runtime"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    by_package: dict[str, int] = {}
    for line in completed.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        name = parts[2].strip()
        package = "app." + name.split(".")[1] if name.startswith("app.") else name.split(".")[0]
        by_package[package] = by_package.get(package, 0) + int(parts[0])
    total = sum(by_package.values())
    ranked = sorted(by_package.items(), key=lambda item: -item[1])[:top]
    listed = ", ".join(f"{name} {micros / 1000:.0f}" for name, micros in ranked)
    print(
        f"  importing app.cli + app.runtime under -X importtime (which slows it): "
        f"{total / 1000:.0f} ms; by package, ms: {listed}"
    )


# ---------------------------------------------------------------------- main


def run_load(
    args: argparse.Namespace,
    seed: SeedInfo,
    standin: SlackStandIn,
    workdir: Path,
    sink: ResponseSink,
) -> None:
    """The main comparison: three targets, two scenarios, interleaved rounds."""
    keys = (REAL, BARE_DEFAULT, BARE_PBR)
    print(f"\ngunicorn options (all servers): {args.gunicorn}")
    with started_targets(
        keys, options=args.gunicorn, seed=seed, standin=standin, workdir=workdir
    ) as targets:
        for target in targets.values():
            print(
                f"  {TARGET_LABELS[target.key]:<36} on 127.0.0.1:{target.server.port}, "
                f"ready {target.server.seconds_to_ready:.2f} s after launch"
            )
        cells = {(key, scenario): Cell(key, scenario) for scenario in SCENARIOS for key in keys}
        per_round = args.seconds / args.rounds
        for round_number in range(1, args.rounds + 1):
            for scenario in SCENARIOS:
                for key in keys:
                    measure(
                        cells[(key, scenario)],
                        targets[key],
                        seed=seed,
                        sink=sink,
                        concurrency=args.concurrency,
                        warmup=args.warmup,
                        seconds=per_round,
                        mode=args.client,
                        round_number=round_number,
                    )
        ordered = [cells[(key, scenario)] for scenario in SCENARIOS for key in keys]
        print_table(
            f"{args.concurrency} concurrent closed-loop clients ({args.client} client), "
            f"{args.seconds:g} s per row in {args.rounds} interleaved rounds, "
            f"{args.warmup:g} s warm-up each; ratios against the bare "
            "process_before_response app",
            ordered,
            BARE_PBR,
        )
        print_cpu_table(ordered)
        print_checks(ordered)
        print_verdict(ordered, args.concurrency)
        if args.single_client_seconds > 0:
            single = []
            for scenario in SCENARIOS:
                for key in (REAL, BARE_PBR):
                    cell = Cell(key, scenario)
                    measure(
                        cell,
                        targets[key],
                        seed=seed,
                        sink=sink,
                        concurrency=1,
                        warmup=0.5,
                        seconds=args.single_client_seconds,
                        mode=args.client,
                        round_number=99,
                    )
                    single.append(cell)
            print_table(
                "One client (no queueing: the time one request takes to serve)", single, BARE_PBR
            )


def run_sweep(
    args: argparse.Namespace,
    seed: SeedInfo,
    standin: SlackStandIn,
    workdir: Path,
    sink: ResponseSink,
) -> None:
    """Each gunicorn configuration of SWEEP_CONFIGS, real app and bare baseline."""
    print(
        f"\nSweep: {args.concurrency} clients, {args.seconds:g} s per cell, one round; "
        "'other' = CPU used by other tenants during the cell, in % of one core"
    )
    header = f"{'gunicorn options':<62} {'target':<10} {'scenario':<9} {'req/s':>6} " + (
        f"{'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'other':>6}"
    )
    rows = []
    for options in SWEEP_CONFIGS:
        with started_targets(
            (REAL, BARE_PBR), options=options, seed=seed, standin=standin, workdir=workdir
        ) as targets:
            for scenario in SCENARIOS:
                for key in (REAL, BARE_PBR):
                    cell = Cell(key, scenario)
                    measure(
                        cell,
                        targets[key],
                        seed=seed,
                        sink=sink,
                        concurrency=args.concurrency,
                        warmup=args.warmup,
                        seconds=args.seconds,
                        mode=args.client,
                        round_number=1,
                    )
                    row = (
                        f"{options:<62} {key:<10} {'/okr ' + scenario:<9} {cell.rate:>6.0f} "
                        f"{_ms(cell.percentile(50)):>7} {_ms(cell.percentile(99)):>7} "
                        f"{cell.errors:>6} {100 * cell.other_cpu / (cell.wall or 1):>5.0f}%"
                    )
                    rows.append(row)
                    print(row, flush=True)
    print(f"\n{header}\n{'-' * len(header)}")
    print("\n".join(rows))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="okrbot over HTTP under gunicorn vs a bare Bolt app, in one run."
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per row")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per row")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per round")
    parser.add_argument("--concurrency", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--client", choices=("loop", "threads"), default="loop")
    parser.add_argument("--gunicorn", default=DEFAULT_GUNICORN, help="options for every server")
    parser.add_argument(
        "--single-client-seconds", type=float, default=3.0, help="0 skips the one-client table"
    )
    parser.add_argument("--startup-runs", type=int, default=5, help="0 skips startup timing")
    parser.add_argument("--skip-load", action="store_true", help="only the startup timing")
    parser.add_argument(
        "--sweep", action="store_true", help="compare gunicorn configurations instead"
    )
    parser.add_argument("--reseed", action="store_true", help="rebuild the cached database")
    parser.add_argument(
        "--db-tweak",
        choices=sorted(DB_TWEAKS),
        default="none",
        help="what-if: change the benchmark's copy of the database (see seed.py)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does it still run?")
    args = parser.parse_args(argv)
    if args.smoke:
        args.seconds, args.rounds, args.warmup, args.concurrency = 0.4, 1, 0.1, 2
        args.single_client_seconds, args.startup_runs = 0.0, 1
        args.gunicorn = harness.procfile_web_options(1)
    return args


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 130 on Ctrl-C."""
    args = parse_args(argv)
    # Ctrl-C and SIGTERM both unwind through the clean-up below (SIGINT may have been
    # ignored by whoever started us in the background: take it back).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.perf_counter()
    print(
        f"okrbot HTTP benchmark: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"slack_bolt {version('slack_bolt')}, gunicorn {version('gunicorn')}, "
        f"SQLAlchemy {version('SQLAlchemy')}; measuring the app in {Path(app.__file__).parent}"
    )
    with contextlib.ExitStack() as stack:
        try:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="okrbench-")))
            seed = seeded_copy(workdir, force=args.reseed, tweak=args.db_tweak)
            how = f"seeded in {seed.seconds_to_seed:.1f} s" if seed.seconds_to_seed else "cached"
            print(
                f"database ({how}): {seed.teams} teams, {seed.members} members, "
                f"{seed.objectives} objectives, {seed.key_results} key results in "
                f"{', '.join(seed.cycle_labels)}; requests from {len(seed.users)} seeded users"
            )
            if args.db_tweak != "none":
                changes = "; ".join(DB_TWEAKS[args.db_tweak])
                print(f"WHAT-IF: the database copy was changed (--db-tweak): {changes}")
            standin = stack.enter_context(SlackStandIn(bot_token=BOT_TOKEN, team_id="T0001"))
            sink = ResponseSink().start()
            stack.callback(sink.stop)
            if args.sweep:
                run_sweep(args, seed, standin, workdir, sink)
            elif not args.skip_load:
                run_load(args, seed, standin, workdir, sink)
            if args.startup_runs > 0 and not args.sweep:
                measure_startup(args.startup_runs, seed, standin, workdir)
        except KeyboardInterrupt:
            print("\ninterrupted; stopping everything", file=sys.stderr)
            return 130
        except (harness.ServerFailedError, RuntimeError, subprocess.SubprocessError) as failure:
            print(f"\n{failure}", file=sys.stderr)
            return 1
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
