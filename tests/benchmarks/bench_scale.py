"""Scale-out: `/okr list` at 32 clients and check-ins at 200 a second, on SQLite and on
PostgreSQL side by side, each served by gunicorn with 4 workers.

    .venv/bin/python tests/benchmarks/bench_scale.py [--backends sqlite,postgresql] ...

Issue #7 asks for: `/okr list` at 32 concurrent clients against 4 gunicorn workers with
p99 <= 50 ms and no errors; check-in submissions at 200 a second sustained for a minute
with no lost or duplicated write; both on PostgreSQL and on SQLite.

What it does (see tests/benchmarks/README.md for the options and how to read the output):

1. Databases: the seeded SQLite file of `seed.py` (500 teams, 1,750 members, 20,000 key
   results), copied; and, for PostgreSQL, a throwaway cluster (`harness.PostgresCluster`:
   127.0.0.1 only, trust auth, stopped and deleted at the end) with a database filled with
   the same rows (`seed.fill_database`).
2. Servers: one gunicorn per backend, the same options for both (default: the Procfile's
   `web:` line with 4 workers, `harness.procfile_web_options`), the real
   `app.wsgi:api` with `DATABASE_URL` pointing at its database. Their Web API calls go to one
   Slack stand-in run in its own process (`standin_proc.py`), which knows every seeded user.
3. `/okr list`: `loadgen.py`'s closed loop, `--list-clients` (32) clients, random seeded
   users, rounds interleaved between the backends; every answer must name the caller's team.
4. Check-ins: `openloop.py` sends check-in modal submissions (`view_submission` of the
   modal `/okr checkin` opens, built by the app's own code for each owner, signed as Slack
   signs) on a fixed schedule, `--checkin-rate` (200) a second for `--checkin-seconds` (60),
   whether or not the server keeps up; latency counts from each request's due time. Each
   submission reports new values for all of the person's key results, for one ISO week;
   about one in ten re-submits an earlier (person, week) 2-12 s later with other
   values, as a person correcting a check-in does. Then the database is read back: every
   (key result, week) written must be there exactly once, holding the values of the last
   submission for it.
5. Prints, per backend: latency percentiles, throughput, errors, CPU (server, database
   server, stand-in, load generator, other tenants), the check-in verification, and the
   stand-in's own handling times, so a slow stand-in would show.

`--pg-url URL` fills that empty PostgreSQL database instead of starting a cluster (its
server's CPU is then not counted). `--smoke` (one gunicorn worker, 2 list clients for
0.4 s, check-ins at 5 a second for 1 s) is what the suite runs so the script keeps working
(`tests/test_benchmarks_smoke.py`, with the suite's PostgreSQL server).

Everything it starts is stopped on exit, Ctrl-C included. Nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote_plus

import harness
from bench_http import BARE_PBR, REAL, Cell, Target, measure, print_table
from harness import (
    BENCH_DIR,
    BOT_TOKEN,
    EVENTS_PATH,
    SIGNING_SECRET,
    WORKSPACE,
    GunicornServer,
    PostgresCluster,
    ResponseSink,
    StandInProcess,
    machine_cpu,
    postgres_bin_dir,
    server_environment,
)
from seed import SeedInfo, fill_database, seeded_copy
from sqlalchemy import text
from sqlmodel import select

import app
from app.db import Database
from app.db.models import Team
from app.domain.cycles import current_period, today_in
from app.slack import ids
from app.slack.views.checkin import build_checkin_modal
from app.tryout.standin.driver import build_state
from app.usecases.checkins import checkin_lines, cycle_id_for

# The options of the Procfile's web: line, with 4 workers: what a deployment runs.
DEFAULT_GUNICORN = harness.procfile_web_options(4)
BACKENDS = ("sqlite", "postgresql")
TARGET_LIST_P99_MS = 50.0
RESUBMIT_SHARE = 0.1
RESUBMIT_WINDOW_SECONDS = (2.0, 12.0)
CONFIDENCES = ("on_track", "at_risk", "off_track")
# Requests the client keeps in flight at most (then it holds the next ones back, and their
# latency, counted from their due time, shows it); gunicorn's 4 workers accept 4,000.
MAX_IN_FLIGHT = 1000
BARE_LABEL = "bare Bolt app (baseline)"
# Slack shows the person an error when the app takes longer than this to answer.
SLACK_TIMEOUT_MS = 3000.0


@dataclass
class Backend:
    """One database and the server in front of it."""

    name: str
    url: str
    server: GunicornServer | None = None
    cluster: PostgresCluster | None = None

    def db_cpu_seconds(self) -> float:
        """CPU of the database server's processes (0 for SQLite: it runs in the workers)."""
        return self.cluster.cpu_seconds() if self.cluster else 0.0


# ---------------------------------------------------------------------- /okr list


def run_list(
    args: argparse.Namespace,
    backends: list[Backend],
    bare: GunicornServer | None,
    seed: SeedInfo,
    sink: ResponseSink,
    standin: StandInProcess,
) -> None:
    """`/okr list` closed loop, rounds interleaved between the backends (and the bare
    Bolt app, the machine's baseline)."""
    cells = {b.name: Cell(f"okrbot · {b.name}", "list") for b in backends}
    extra: dict[str, dict[str, float]] = {b.name: defaultdict(float) for b in backends}
    per_round = args.list_seconds / args.list_rounds
    baseline = Cell(BARE_LABEL, "list")
    # Each worker keeps the lists it built (and, on PostgreSQL, each caller's teams): the
    # first request for each (worker, team or caller) reads the database. Measured apart,
    # so the rounds show the steady state and this shows what filling the caches costs.
    priming = {b.name: Cell(f"okrbot · {b.name} · priming", "list") for b in backends}
    if args.prime > 0:
        for backend in backends:
            assert backend.server is not None
            measure(
                priming[backend.name],
                Target(REAL, backend.server, "/healthz"),
                seed=seed,
                sink=sink,
                concurrency=args.list_clients,
                warmup=0,
                seconds=args.prime,
                mode="loop",
                round_number=0,
            )
    by_round: dict[str, list[float]] = {b.name: [] for b in backends}
    for round_number in range(1, args.list_rounds + 1):
        if bare is not None:
            measure(
                baseline,
                Target(BARE_PBR, bare, EVENTS_PATH),
                seed=seed,
                sink=sink,
                concurrency=args.list_clients,
                warmup=args.warmup,
                seconds=per_round,
                mode="loop",
                round_number=round_number,
            )
        for backend in backends:
            assert backend.server is not None
            db_before, standin_before = backend.db_cpu_seconds(), standin.cpu_seconds()
            cell = cells[backend.name]
            first = len(cell.latencies_us)
            measure(
                cell,
                Target(REAL, backend.server, "/healthz"),
                seed=seed,
                sink=sink,
                concurrency=args.list_clients,
                warmup=args.warmup,
                seconds=per_round,
                mode="loop",
                round_number=round_number,
            )
            this_round = Cell(cell.target, "list", latencies_us=cell.latencies_us[first:])
            by_round[backend.name].append(this_round.percentile(99))
            extra[backend.name]["db"] += backend.db_cpu_seconds() - db_before
            extra[backend.name]["standin"] += standin.cpu_seconds() - standin_before
    ordered = [cells[b.name] for b in backends] + ([baseline] if bare is not None else [])
    print_table(
        f"/okr list: {args.list_clients} concurrent closed-loop clients, {args.list_seconds:g} s "
        f"per backend in {args.list_rounds} interleaved rounds, {args.warmup:g} s warm-up each, "
        f"after {args.prime:g} s priming each (below); ratios against the bare Bolt app "
        "(same options, its listener only acks)",
        ordered,
        BARE_LABEL if bare is not None else None,
    )
    print(
        "  p99 by round: "
        + "; ".join(
            f"{name} " + " / ".join(f"{p99:.1f}" for p99 in p99s) + " ms"
            for name, p99s in by_round.items()
        )
    )
    if args.prime > 0:
        print_table(
            f"Priming, before the rounds: the same load for {args.prime:g} s on fresh servers, "
            "while each worker fills its caches (not part of the target)",
            [priming[b.name] for b in backends],
            None,
        )
    print(
        "\nCPU during the /okr list measurements (warm-up included), in % of one core "
        f"(the machine has {os.cpu_count()} cores)"
    )
    header = (
        f"{'backend':<12} {'server':>7} {'db server':>9} {'stand-in':>8} {'client':>7} "
        f"{'machine':>8} {'other':>6} {'server+db CPU/req':>18}"
    )
    print(header)
    print("-" * len(header))
    for backend in backends:
        cell = cells[backend.name]
        wall = cell.wall or 1.0
        db, standin_cpu = extra[backend.name]["db"], extra[backend.name]["standin"]
        other = max(0.0, cell.other_cpu - db - standin_cpu)
        served = max(cell.requests + cell.warmup_requests, 1)
        print(
            f"{backend.name:<12} {100 * cell.server_cpu / wall:>6.0f}% {100 * db / wall:>8.0f}% "
            f"{100 * standin_cpu / wall:>7.0f}% {100 * cell.client_cpu / wall:>6.0f}% "
            f"{100 * cell.busy_cpu / wall:>7.0f}% {100 * other / wall:>5.0f}% "
            f"{1e6 * (cell.server_cpu + db) / served:>15.0f} µs"
        )
    print(f"\nTarget: /okr list p99 <= {TARGET_LIST_P99_MS:g} ms with no errors")
    for backend in backends:
        cell = cells[backend.name]
        p99 = cell.percentile(99)
        met = p99 <= TARGET_LIST_P99_MS and not cell.errors and cell.requests > 0
        print(
            f"  {backend.name:<11} p99 {p99:.2f} ms, {cell.errors} errors in {cell.requests} "
            f"requests: {'MET' if met else 'MISSED'}"
        )
        for sample in cell.samples:
            print(f"    e.g. {sample}")


# ---------------------------------------------------------------------- check-ins


@dataclass(frozen=True)
class Owner:
    """A person who owns key results: what their check-in modal submits."""

    slack_user_id: str
    team_id: int
    key_result_ids: tuple[int, ...]
    template: str  # the view_submission form body, with __STATE__ and __META__ marks
    view: dict[str, Any]  # the modal, for build_state


@dataclass(frozen=True)
class Submission:
    """One scheduled check-in submission."""

    index: int
    at: float
    owner: int  # index into the owners
    week: str
    values: dict[int, tuple[float, str]]  # key result id -> (value, confidence)
    resubmits: int | None = None  # index of the submission it corrects


def load_owners(url: str, *, limit: int | None = None) -> list[Owner]:
    """Every seeded person who owns key results this cycle (the first `limit` of them),
    with their check-in modal."""
    db = Database(url)
    owners = []
    now = dt.datetime.now(dt.UTC)
    try:
        with db.read() as session:
            rows = session.execute(
                text(
                    "SELECT m.id, m.slack_user_id, tm.team_id FROM member AS m "
                    "JOIN team_membership AS tm ON tm.member_id = m.id ORDER BY m.id"
                )
            ).all()
            teams = {team.id: team for team in session.exec(select(Team)).all()}
            cycles: dict[int, int | None] = {}
            for member_id, slack_user_id, team_id in rows:
                if limit is not None and len(owners) >= limit:
                    break
                team = teams[team_id]
                if team_id not in cycles:
                    cycles[team_id] = cycle_id_for(
                        session, team=team, day=today_in(team.timezone, now)
                    )
                cycle_id = cycles[team_id]
                if cycle_id is None:
                    continue
                lines = checkin_lines(session, team=team, member_id=member_id, cycle_id=cycle_id)
                if not lines:
                    continue
                view = build_checkin_modal(
                    team_id=team_id,
                    team_name=team.name,
                    period=current_period(team.timezone, now),
                    lines=lines,
                )
                owners.append(
                    Owner(
                        slack_user_id=slack_user_id,
                        team_id=team_id,
                        key_result_ids=tuple(line.key_result.id for line in lines[:24]),
                        template=_template(slack_user_id, view, member_id),
                        view=view,
                    )
                )
    finally:
        db.dispose()
    return owners


def _template(slack_user_id: str, view: dict[str, Any], member_id: int) -> str:
    """The form body Slack posts when this person submits the modal (state and metadata
    left as marks)."""
    submitted = {
        "id": f"V{member_id:09d}",
        "team_id": WORKSPACE,
        "type": "modal",
        "hash": f"1700000000.{member_id:08d}",
        "app_id": "A0OKRBOT",
        "bot_id": "B0OKRBOT",
        **view,
        "private_metadata": "__META__",
        "state": "__STATE__",
    }
    user = slack_user_id.lower()
    payload = {
        "type": "view_submission",
        "team": {"id": WORKSPACE, "domain": "bench"},
        "user": {"id": slack_user_id, "username": user, "name": user, "team_id": WORKSPACE},
        "api_app_id": "A0OKRBOT",
        "token": "legacy-verification-token",
        "trigger_id": f"1732390000.{member_id}.bench",
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return "payload=" + quote_plus(json.dumps(payload))


def plan_submissions(owners: list[Owner], *, rate: float, seconds: float) -> list[Submission]:
    """The schedule: evenly paced, fresh (person, week) pairs plus some re-submissions."""
    rng = random.Random(7)
    order = list(range(len(owners)))
    rng.shuffle(order)
    weeks_used: dict[int, int] = defaultdict(int)
    # Fresh submissions that may still be corrected (2-12 s after them), oldest first.
    waiting: deque[int] = deque()
    plan: list[Submission] = []
    cursor = 0
    for index in range(round(rate * seconds)):
        at = index / rate
        while waiting and plan[waiting[0]].at < at - RESUBMIT_WINDOW_SECONDS[1]:
            waiting.popleft()
        ready = 0
        while ready < len(waiting) and plan[waiting[ready]].at <= at - RESUBMIT_WINDOW_SECONDS[0]:
            ready += 1
        if ready and rng.random() < RESUBMIT_SHARE:
            chosen = waiting[rng.randrange(ready)]
            waiting.remove(chosen)
            owner, week, resubmits = plan[chosen].owner, plan[chosen].week, chosen
        else:
            owner = order[cursor % len(order)]
            cursor += 1
            weeks_used[owner] += 1
            week = f"2026-W{weeks_used[owner]:02d}"
            resubmits = None
        values = {
            kr_id: (float(f"{index + 1}.{k:02d}"), CONFIDENCES[(index + k) % 3])
            for k, kr_id in enumerate(owners[owner].key_result_ids)
        }
        plan.append(Submission(index, at, owner, week, values, resubmits))
        if resubmits is None:
            waiting.append(index)
    return plan


def checkin_job(
    owners: list[Owner], plan: list[Submission], port: int, drain: float
) -> dict[str, Any]:
    """The job for `openloop.py`."""
    requests = []
    for submission in plan:
        owner = owners[submission.owner]
        answers: dict[str, Any] = {}
        for kr_id, (value, confidence) in submission.values.items():
            answers[f"{ids.BLOCK_CHECKIN_VALUE}{kr_id}"] = f"{value:.2f}"
            answers[f"{ids.BLOCK_CHECKIN_CONFIDENCE}{kr_id}"] = confidence
            if submission.index % 7 == 0:
                answers[f"{ids.BLOCK_CHECKIN_NOTE}{kr_id}"] = f"bench note {submission.index}"
        metadata = {"team": owner.team_id, "period": submission.week, "channel": None, "ts": None}
        requests.append(
            {
                "at": submission.at,
                "template": submission.owner,
                "fill": {
                    "__STATE__": {"values": build_state(owner.view, answers)},
                    "__META__": json.dumps(metadata, separators=(",", ":")),
                },
            }
        )
    return {
        "host": "127.0.0.1",
        "port": port,
        "path": EVENTS_PATH,
        "signing_secret": SIGNING_SECRET,
        "templates": [owner.template for owner in owners],
        "requests": requests,
        "max_in_flight": MAX_IN_FLIGHT,
        "drain_seconds": drain,
    }


@dataclass
class Verification:
    """What the database holds after a check-in run, against what was sent."""

    expected: int = 0
    found: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    wrong_value: int = 0
    ambiguous: int = 0
    after_errors: int = 0
    samples: list[str] = field(default_factory=list)

    def problem(self, why: str) -> None:
        """Keep a few examples."""
        if len(self.samples) < 5:
            self.samples.append(why)


def verify_checkins(url: str, plan: list[Submission], results: list[list[Any]]) -> Verification:
    """Every (key result, week) exactly once, holding the last submission's values."""
    # The submissions for each (key result, week), in the order they were due.
    by_key: dict[tuple[int, str], list[Submission]] = defaultdict(list)
    for submission in plan:
        for kr_id in submission.values:
            by_key[(kr_id, submission.week)].append(submission)
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT key_result_id, iso_week, value, confidence, count(*) OVER "
                    "(PARTITION BY key_result_id, iso_week) FROM check_in"
                )
            ).all()
    finally:
        db.dispose()
    check = Verification(expected=len(by_key), found=len(rows))
    seen: set[tuple[int, str]] = set()
    for kr_id, week, value, confidence, copies in rows:
        key = (int(kr_id), str(week))
        if copies > 1 and key not in seen:
            check.duplicated += copies - 1
            check.problem(f"{key}: {copies} rows")
        if key in seen:
            continue
        seen.add(key)
        submissions = by_key.get(key)
        if not submissions:
            check.unexpected += 1
            check.problem(f"{key}: a row nobody submitted")
            continue
        last = submissions[-1]
        acceptable = {last.values[key[0]]}
        # Overlapping in flight with an earlier submission for the same week: either may
        # land last, and both are right.
        for earlier in submissions[:-1]:
            done = results[earlier.index][1]
            if done < 0 or earlier.at + done / 1e6 > last.at + results[last.index][0] / 1e6:
                acceptable.add(earlier.values[key[0]])
        if (float(value), confidence) not in acceptable:
            if any(results[s.index][2] for s in submissions):
                check.after_errors += 1
            else:
                check.wrong_value += 1
                check.problem(f"{key}: {value} {confidence}, expected {sorted(acceptable)}")
        elif len(acceptable) > 1:
            check.ambiguous += 1
    for key, submissions in by_key.items():
        if key not in seen:
            if all(results[s.index][2] for s in submissions):
                check.after_errors += 1
            else:
                check.lost += 1
                check.problem(f"{key}: missing")
    return check


def _ok_rate(plan: list[Submission], results: list[list[Any]], span: float) -> float:
    """Answers without error per second, from the schedule's start to the last answer (or
    the schedule's end, when the server kept up): the rate the server delivered."""
    done = [plan[i].at + r[1] / 1e6 for i, r in enumerate(results) if not r[2] and r[1] >= 0]
    return len(done) / max(span, max(done, default=0.0)) if done else 0.0


def _pct(values: Sequence[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def run_checkins(
    args: argparse.Namespace,
    backend: Backend,
    owners: list[Owner],
    plan: list[Submission],
    standin: StandInProcess,
) -> dict[str, Any]:
    """One open-loop check-in run against one backend, then the database check."""
    assert backend.server is not None
    job = checkin_job(owners, plan, backend.server.port, args.drain)
    standin.stats()  # reset
    server_before, db_before = backend.server.cpu_seconds(), backend.db_cpu_seconds()
    standin_before = standin.cpu_seconds()
    busy_before, _ = machine_cpu()
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(BENCH_DIR / "openloop.py")],
        input=json.dumps(job).encode(),
        capture_output=True,
        timeout=args.checkin_seconds + args.drain + 300,
        check=False,
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"openloop failed: {completed.stderr.decode(errors='replace')[-2000:]}")
    result = json.loads(completed.stdout)
    busy_after, _ = machine_cpu()
    cpu = {
        "server": backend.server.cpu_seconds() - server_before,
        "db": backend.db_cpu_seconds() - db_before,
        "standin": standin.cpu_seconds() - standin_before,
        "client": result["client_cpu_seconds"],
        "machine": busy_after - busy_before,
        "wall": wall,
    }
    # Requests the client gave up on may still be queued in the server: let it finish them
    # (it would, for Slack) before reading the database back or loading the next backend.
    quiet_after = wait_until_quiet(backend)
    verification = verify_checkins(backend.url, plan, result["results"])
    return {
        "result": result,
        "cpu": cpu,
        "standin": standin.stats(),
        "verification": verification,
        "quiet_after": quiet_after,
    }


def wait_until_quiet(backend: Backend, *, timeout: float = 300.0) -> float:
    """Seconds until the server (and database server) use under 5% of a core for 2 s."""
    assert backend.server is not None
    started = time.perf_counter()
    calm = 0
    before = backend.server.cpu_seconds() + backend.db_cpu_seconds()
    while time.perf_counter() - started < timeout and calm < 2:
        time.sleep(1.0)
        now = backend.server.cpu_seconds() + backend.db_cpu_seconds()
        calm = calm + 1 if now - before < 0.05 else 0
        before = now
    return time.perf_counter() - started


def print_checkins(
    args: argparse.Namespace, runs: dict[str, dict[str, Any]], plan: list[Submission]
) -> None:
    """The check-in tables, one row per backend."""
    fresh = sum(1 for s in plan if s.resubmits is None)
    rows_per = sum(len(s.values) for s in plan) / max(len(plan), 1)
    print(
        f"\nCheck-ins: {len(plan)} view submissions due at {args.checkin_rate:g}/s for "
        f"{args.checkin_seconds:g} s (open loop; {fresh} fresh (person, week) pairs and "
        f"{len(plan) - fresh} re-submissions {RESUBMIT_WINDOW_SECONDS[0]:g}-"
        f"{RESUBMIT_WINDOW_SECONDS[1]:g} s later; "
        f"{rows_per:.1f} key results per submission); latency from each request's due time"
    )
    header = (
        f"{'backend':<11} {'sent':>6} {'ok':>6} {'errors':>6} {'ok/s':>6} {'p50 ms':>8} "
        f"{'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'> 3 s':>6} {'late p99':>8} "
        f"{'drained':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, run in runs.items():
        results = run["result"]["results"]
        ok = [r[1] / 1000 for r in results if not r[2] and r[1] >= 0]
        errors = sum(1 for r in results if r[2])
        sent = sum(1 for r in results if r[0] >= 0)
        lags = [r[0] / 1000 for r in results if r[0] >= 0]
        last_done = max(
            (plan[i].at + r[1] / 1e6 for i, r in enumerate(results) if r[1] >= 0), default=0.0
        )
        span = max(plan[-1].at, 1e-9) + 1 / args.checkin_rate
        print(
            f"{name:<11} {sent:>6} {len(ok):>6} {errors:>6} {_ok_rate(plan, results, span):>6.1f} "
            f"{_pct(ok, 50):>8.1f} {_pct(ok, 90):>8.1f} {_pct(ok, 99):>8.1f} "
            f"{max(ok, default=math.nan):>8.1f} {sum(1 for v in ok if v > SLACK_TIMEOUT_MS):>6} "
            f"{_pct(lags, 99):>8.1f} {max(0.0, last_done - span):>7.1f}s"
        )
    for name, run in runs.items():
        reasons: dict[str, int] = defaultdict(int)
        for r in run["result"]["results"]:
            if r[2]:
                reasons[str(r[2])[:140]] += 1
        for reason, count in sorted(reasons.items(), key=lambda item: -item[1])[:4]:
            print(f"  {name} errors: {count} x {reason}")
    print(
        "  ok/s: answered without error per second, from the schedule's start to the last "
        "answer (the rate the server delivered); > 3 s: answered, but "
        "after Slack would have shown the person an error; late p99: how late the client "
        "wrote requests (its own lag, or held back at the in-flight cap); drained: how long "
        "after the last due time the last answer came"
    )
    for name, run in runs.items():
        print(
            f"  {name}: the server was quiet again {run['quiet_after']:.0f} s after the client "
            "stopped"
        )
    print(
        "\nCheck-ins over time: answers that came in each 10 s (from the schedule's start), "
        "their rate and latency (from their due time)"
    )
    for name, run in runs.items():
        results = run["result"]["results"]
        windows: dict[int, list[float]] = defaultdict(list)
        for i, r in enumerate(results):
            if not r[2] and r[1] >= 0:
                windows[int((plan[i].at + r[1] / 1e6) // 10)].append(r[1] / 1000)
        print(f"  {name}:")
        for w, values in sorted(windows.items()):
            print(
                f"    {w * 10:>4}-{w * 10 + 10:<4}s {len(values) / 10:6.1f}/s answered, "
                f"latency p50 {_pct(values, 50):8.1f} ms, p99 {_pct(values, 99):8.1f} ms"
            )
    print("\nCPU during each check-in run, in % of one core")
    header = (
        f"{'backend':<11} {'server':>7} {'db server':>9} {'stand-in':>8} {'client':>7} "
        f"{'machine':>8} {'other':>6} {'server+db CPU/submission':>25}"
    )
    print(header)
    print("-" * len(header))
    for name, run in runs.items():
        cpu = run["cpu"]
        wall = cpu["wall"] or 1.0
        ours = cpu["server"] + cpu["db"] + cpu["standin"] + cpu["client"]
        answered = max(sum(1 for r in run["result"]["results"] if r[1] >= 0), 1)
        print(
            f"{name:<11} {100 * cpu['server'] / wall:>6.0f}% {100 * cpu['db'] / wall:>8.0f}% "
            f"{100 * cpu['standin'] / wall:>7.0f}% {100 * cpu['client'] / wall:>6.0f}% "
            f"{100 * cpu['machine'] / wall:>7.0f}% "
            f"{100 * max(0.0, cpu['machine'] - ours) / wall:>5.0f}% "
            f"{1e3 * (cpu['server'] + cpu['db']) / answered:>22.2f} ms"
        )
    print("\nThe Slack stand-in during each check-in run (its own process): calls it handled")
    for name, run in runs.items():
        cpu = run["cpu"]
        share = 100 * cpu["standin"] / (cpu["wall"] or 1.0)
        print(f"  {name}: {share:.0f}% of one core")
        for method, stats in run["standin"]["methods"].items():
            line = (
                f"    {method:<22} {stats['calls']:>6} calls, {stats['errors']} errors, "
                f"handled in p50 {stats['p50_ms']:.2f} ms, p99 {stats['p99_ms']:.2f} ms, "
                f"max {stats['max_ms']:.1f} ms"
            )
            print(line)
            for sample in stats["error_samples"]:
                print(f"      e.g. {sample}")
        verdict = (
            "the stand-in was busy for a large share of a core: it may have slowed the app"
            if share > 60
            else "not a bottleneck (well under one core; each call handled in milliseconds)"
        )
        print(f"    -> {verdict}")
    print("\nCheck-in writes read back from the database")
    for name, run in runs.items():
        check: Verification = run["verification"]
        print(
            f"  {name}: {check.expected} (key result, week) expected, {check.found} rows found; "
            f"lost {check.lost}, duplicated {check.duplicated}, unexpected {check.unexpected}, "
            f"wrong value {check.wrong_value}; {check.ambiguous} decided between overlapping "
            f"submissions; {check.after_errors} only in requests that failed or were never sent"
        )
        for sample in check.samples:
            print(f"    e.g. {sample}")
    print(
        f"\nTarget: {args.checkin_rate:g} check-ins a second sustained for "
        f"{args.checkin_seconds:g} s, no lost or duplicated write"
    )
    for name, run in runs.items():
        results = run["result"]["results"]
        ok = [r[1] / 1000 for r in results if not r[2] and r[1] >= 0]
        errors = sum(1 for r in results if r[2])
        span = max(plan[-1].at, 1e-9) + 1 / args.checkin_rate
        check = run["verification"]
        p99 = _pct(ok, 99)
        # Kept pace: (nearly) every request answered, without error, 99% of them within the
        # 3 s after which Slack would have shown the person an error.
        sustained = len(ok) >= 0.98 * len(plan) and not errors and p99 <= SLACK_TIMEOUT_MS
        clean = not (check.lost or check.duplicated or check.unexpected or check.wrong_value)
        cpu = run["cpu"]
        per = (cpu["server"] + cpu["db"]) / max(sum(1 for r in results if r[1] >= 0), 1)
        capacity = (os.cpu_count() or 1) / per if per > 0 else math.inf
        print(
            f"  {name:<11} {_ok_rate(plan, results, span):.1f} ok/s, {errors} errors, p99 "
            f"{p99:.0f} ms: {'SUSTAINED' if sustained else 'NOT SUSTAINED'}; writes "
            f"{'all there exactly once' if clean else 'WRONG'} (each took {1000 * per:.0f} ms "
            f"of server+db CPU: on {os.cpu_count()} idle cores, CPU alone allows "
            f"~{capacity:.0f}/s)"
        )


# ---------------------------------------------------------------------- main


SMOKE_OWNERS = 20


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="/okr list at 32 clients and check-ins at 200/s, SQLite and PostgreSQL."
    )
    parser.add_argument(
        "--backends", default=",".join(BACKENDS), help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--gunicorn", default=DEFAULT_GUNICORN, help="options for every server")
    parser.add_argument("--list-clients", type=int, default=32, help="closed-loop clients")
    parser.add_argument("--list-seconds", type=float, default=10.0, help="per backend")
    parser.add_argument("--list-rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--warmup", type=float, default=1.0, help="list warm-up per round")
    parser.add_argument(
        "--prime",
        type=float,
        default=8.0,
        help="seconds of list load on each fresh server before the rounds (measured apart)",
    )
    parser.add_argument("--checkin-rate", type=float, default=200.0, help="submissions/s")
    parser.add_argument("--checkin-seconds", type=float, default=60.0, help="schedule length")
    parser.add_argument(
        "--drain", type=float, default=60.0, help="seconds to wait for answers after the last"
    )
    parser.add_argument("--skip-list", action="store_true")
    parser.add_argument("--skip-checkins", action="store_true")
    parser.add_argument("--pg-bin", default=None, help="PostgreSQL binaries (default: newest)")
    parser.add_argument(
        "--pg-url", default=None, help="an empty PostgreSQL database to use instead of a cluster"
    )
    parser.add_argument("--reseed", action="store_true", help="rebuild the cached SQLite seed")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does it still run?")
    args = parser.parse_args(argv)
    if args.smoke:
        args.gunicorn = harness.procfile_web_options(1)
        args.list_clients, args.list_seconds, args.list_rounds = 2, 0.4, 1
        args.warmup, args.prime = 0.1, 0.0
        args.checkin_rate, args.checkin_seconds, args.drain = 5.0, 1.0, 10.0
    names = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = sorted(set(names) - set(BACKENDS))
    if unknown or not names:
        parser.error(f"--backends: choose among {', '.join(BACKENDS)}")
    args.backend_names = names
    return args


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 130 on Ctrl-C."""
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.perf_counter()
    print(
        f"okrbot scale-out benchmark: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, gunicorn {_version('gunicorn')}, SQLAlchemy "
        f"{_version('SQLAlchemy')}, psycopg {_version('psycopg')}; measuring the app in "
        f"{Path(app.__file__).parent}"
    )
    with contextlib.ExitStack() as stack:
        try:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="okrscale-")))
            seed = seeded_copy(workdir, force=args.reseed)
            print(
                f"database: {seed.teams} teams, {seed.members} members, {seed.objectives} "
                f"objectives, {seed.key_results} key results in {', '.join(seed.cycle_labels)}"
            )
            backends: list[Backend] = []
            for name in args.backend_names:
                if name == "sqlite":
                    backends.append(Backend("sqlite", seed.url))
                    continue
                cluster = None
                if args.pg_url:
                    url, where = args.pg_url, "the database of --pg-url (its CPU not counted)"
                else:
                    bin_dir = Path(args.pg_bin) if args.pg_bin else postgres_bin_dir()
                    if bin_dir is None:
                        raise harness.ServerFailedError("no PostgreSQL binaries found (--pg-bin)")
                    cluster = stack.enter_context(PostgresCluster(bin_dir))
                    url = cluster.create_database("okrbench")
                    where = (
                        f"{bin_dir.parent.name} ({bin_dir}) on 127.0.0.1:{cluster.port}, "
                        f"settings {cluster.settings}"
                    )
                seconds = time.perf_counter()
                fill_database(url)
                print(
                    f"PostgreSQL {where}: filled with the same rows in "
                    f"{time.perf_counter() - seconds:.1f} s"
                )
                backends.append(Backend("postgresql", url, cluster=cluster))
            users = [(user.slack_user_id, "UTC") for user in seed.users]
            standin = stack.enter_context(StandInProcess(users=users, workdir=workdir))
            sink = ResponseSink().start()
            stack.callback(sink.stop)
            common = {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": standin.api_url,
                "LOG_LEVEL": "INFO",
            }
            print(f"\ngunicorn options (every server): {args.gunicorn}")
            for backend in backends:
                env = server_environment({**common, "DATABASE_URL": backend.url})
                backend.server = GunicornServer(
                    f"okrbot-{backend.name}",
                    "app.wsgi:api",
                    shlex.split(args.gunicorn),
                    env,
                    workdir,
                )
                stack.callback(backend.server.stop)
                backend.server.start()
            bare = None
            if not args.skip_list:
                bare_env = server_environment({**common, "BENCH_PROCESS_BEFORE_RESPONSE": "1"})
                bare = GunicornServer(
                    "bare",
                    "bare_app:api",
                    shlex.split(args.gunicorn),
                    bare_env,
                    workdir,
                    pythonpath=BENCH_DIR,
                )
                stack.callback(bare.stop)
                bare.start()
                bare.wait_ready(EVENTS_PATH)
            for backend in backends:
                assert backend.server is not None
                backend.server.wait_ready("/healthz")
                print(
                    f"  okrbot on {backend.name:<11} 127.0.0.1:{backend.server.port}, ready "
                    f"{backend.server.seconds_to_ready:.2f} s after launch"
                )
            if not args.skip_list:
                run_list(args, backends, bare, seed, sink, standin)
            if not args.skip_checkins:
                # Building every modal takes seconds; a smoke run's few submissions need few.
                owners = load_owners(seed.url, limit=SMOKE_OWNERS if args.smoke else None)
                plan = plan_submissions(
                    owners, rate=args.checkin_rate, seconds=args.checkin_seconds
                )
                runs = {}
                for backend in backends:
                    print(f"\n(check-ins on {backend.name}...)", flush=True)
                    runs[backend.name] = run_checkins(args, backend, owners, plan, standin)
                print_checkins(args, runs, plan)
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
