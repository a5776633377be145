"""Every benchmark still runs: each script of tests/benchmarks/ at tiny sizes (`--smoke`).

At these sizes the figures mean nothing, so none is judged: a script must exit 0 and print
the lines that introduce its figures. The scripts run as subprocesses, side by side to keep
this short, on one seeded database built first in a private temporary directory (the
benchmarks' cache lives there, not in the developer's). `bench_scale.py` runs on the
suite's PostgreSQL server too; without one it is skipped, and under CI it fails, as every
PostgreSQL test does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.databases import PostgresDatabases

pytestmark = pytest.mark.e2e

BENCH_DIR = Path(__file__).parent / "benchmarks"
REPO = BENCH_DIR.parents[1]
TIMEOUT = 300  # seconds per script: a hung benchmark fails here instead of hanging the suite
SIDE_BY_SIDE = 4  # scripts at a time: much of their time is spent waiting for processes

# script → (its options, lines it must print), the longest first: they start first.
SCRIPTS: dict[str, tuple[list[str], list[str]]] = {
    "bench_scale.py": (
        ["--smoke", "--backends", "sqlite,postgresql"],
        ["Target: /okr list p99", "Check-in writes read back from the database"],
    ),
    "bench_digest.py": (["--smoke"], ["== Verdict ==", "one chart ≤"]),
    "bench_http.py": (["--smoke"], ["Targets for okrbot", "Startup: launch to ready"]),
    "bench_fanout.py": (["--smoke"], ["exactly one prompt per owner", "verdict (main)"]),
    "profile_request.py": (["--smoke"], ["=== /okr list:", "/okr list step by step"]),
    "bench_coach.py": (["--smoke"], ["== task_like on heldout", "== speed:", "== odd inputs"]),
    "bench_parse.py": (["--smoke"], ["budget 1000 ms per input"]),
    "bench_chart.py": (["--smoke"], ["first render (loads the font)", "chart median ="]),
    "bench_stalled.py": (
        ["--smoke"],
        ["with 8 stalled (body)", "ratio (with / without)", "Target: /okr help within"],
    ),
}
# These read the seeded database (`seed.py`): they start once it is built.
SEEDED = {"bench_scale.py", "bench_http.py", "profile_request.py"}


@dataclass
class Run:
    """One script's finished run."""

    command: list[str]
    returncode: int
    output: str


def _environment(tmp: Path) -> dict[str, str]:
    # Nothing of the developer's Slack app or database; every temporary file under `tmp`.
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SLACK_") and name not in ("DATABASE_URL", "LOG_LEVEL")
    }
    return {**kept, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"}


def _run(script: str, options: list[str], env: dict[str, str]) -> Run:
    command = [sys.executable, str(BENCH_DIR / script), *options]
    # In a session of its own: on a timeout, the servers it started are stopped with it.
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)  # the benchmarks clean up on SIGTERM
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
        return Run(command, -1, f"{output}\n(timed out after {TIMEOUT} s)")
    return Run(command, process.returncode, output)


@dataclass
class SmokeRuns:
    """The runs, started together; `postgres` says why bench_scale.py has none when it
    has none ("skip" or "fail", and the reason)."""

    seed: Future[Run]
    runs: dict[str, Future[Run]]
    postgres: tuple[str, str] | None


@pytest.fixture(scope="module")
def smoke_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SmokeRuns]:
    env = _environment(tmp_path_factory.mktemp("bench"))
    # Only the scripts whose tests were selected (`-k bench_coach` runs one).
    selected = {
        item.callspec.params["script"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    }
    scripts = {script: SCRIPTS[script] for script in SCRIPTS if script in selected}
    postgres: tuple[str, str] | None = None
    server: PostgresDatabases | None = None
    database = ""
    if "bench_scale.py" in scripts:
        try:
            server = request.getfixturevalue("_postgres")
        except pytest.skip.Exception as skipped:
            postgres = ("skip", str(skipped))
        except pytest.fail.Exception as failed:
            postgres = ("fail", str(failed))
    if server is None:
        scripts.pop("bench_scale.py", None)
    else:
        database = server.create()
        options, lines = scripts["bench_scale.py"]
        scripts["bench_scale.py"] = ([*options, "--pg-url", server.url(database)], lines)
    with ThreadPoolExecutor(max_workers=SIDE_BY_SIDE) as pool:
        # The seeded database the HTTP benchmarks share, built once before they start.
        seed = pool.submit(_run, "seed.py", [], env)

        def start(script: str, options: list[str]) -> Run:
            if script in SEEDED:
                built = seed.result()  # running already: it was submitted first
                if built.returncode != 0:
                    return Run(built.command, built.returncode, f"seed.py failed:\n{built.output}")
            return _run(script, options, env)

        runs = {
            script: pool.submit(start, script, options)
            for script, (options, _lines) in scripts.items()
        }
        try:
            yield SmokeRuns(seed, runs, postgres)
        finally:
            for future in runs.values():
                future.cancel()
    if server is not None:
        server.drop(database)


def _check(run: Run, lines: list[str]) -> None:
    shown = f"$ {' '.join(run.command)}\n{run.output[-6000:]}"
    assert run.returncode == 0, shown
    missing = [line for line in lines if line not in run.output]
    assert not missing, f"missing {missing}\n{shown}"


def test_seed_builds_the_benchmark_database(smoke_runs: SmokeRuns) -> None:
    _check(smoke_runs.seed.result(), ["workspace T0001", "key results, cycle"])


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_benchmark_runs_at_tiny_sizes(script: str, smoke_runs: SmokeRuns) -> None:
    if script not in smoke_runs.runs:
        assert smoke_runs.postgres is not None
        how, reason = smoke_runs.postgres
        if how == "fail":
            pytest.fail(reason)
        pytest.skip(reason)
    _check(smoke_runs.runs[script].result(), SCRIPTS[script][1])
