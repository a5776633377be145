"""Check-in fan-out against a rate-limited Slack stand-in (issue 4, "Speed").

The requirement: a fan-out to 5,000 owners across 200 teams, against the local Slack stand-in
enforcing a workspace posting limit (20 messages a second by default), reaches at least 90% of
that limit, with no duplicate and no missed prompt, and memory stays flat (peak RSS reported).

What it does, for a baseline run and a main run in the same invocation:

1. **Seed** a fresh SQLite file (Core bulk inserts in one `Database.write()` after
   `ensure_schema`): one workspace, `--teams` teams in Europe/Berlin with the default Friday
   10:00 check-in, `--owners` distinct owners spread evenly over them, each owning one or two
   active key results under the team's objectives in the quarter of `--now`, plus one team
   lead per team who belongs to the team but owns nothing (so must get no prompt).
2. **Start** a `SlackStandIn` in this process with every user registered and
   `set_rate_limit("chat.postMessage", per_second=--limit)`: beyond the limit it answers
   429 with `Retry-After`.
3. **Run the real dispatcher** as a subprocess, `okrbot tick --now <--now>`, configured only
   through its environment (`SLACK_BOT_TOKEN`, `SLACK_API_URL`, `DATABASE_URL`,
   `SLACK_POSTS_PER_SECOND` = `--client-rate`, which defaults to `--limit`). Its resident
   memory is sampled from `/proc/<pid>/status` while it runs, and its peak RSS (and CPU time)
   come from `os.wait4` on that very process.
4. **Check and measure** from what the stand-in recorded: accepted posts (HTTP 200, `ok`) and
   their arrival times, 429s, one prompt per owner (duplicates, missed, prompts to someone who
   owns nothing, prompts naming the wrong team or the wrong number of key results), and the
   `delivery` rows by status in the database.

The baseline is the same dispatcher at `--baseline-fraction` of the owners and teams (10% by
default: 500 owners, 20 teams), so peak RSS can be compared side by side: memory is flat
when 10x the owners costs about the same peak RSS. The achieved rate is reported as a ratio
to the limit (target ≥ 0.90) for both runs.

Time: the sending alone takes owners / limit seconds, so the defaults (5,000 at 20/s) take
about 4.5 minutes, plus about 30 seconds for the baseline. Quicker settings:

    .venv/bin/python tests/benchmarks/bench_fanout.py --owners 1000 --limit 50   # ~30 s
    .venv/bin/python tests/benchmarks/bench_fanout.py --owners 200 --teams 20 --limit 50
    .venv/bin/python tests/benchmarks/bench_fanout.py                            # ~5 min
    .venv/bin/python tests/benchmarks/bench_fanout.py --smoke   # 4 owners, no baseline

Other options: `--baseline-fraction 0` skips the baseline; `--client-rate R` paces the
dispatcher at R posts/s instead of the limit (what-if: a misconfigured or second process);
`--now` picks the instant (a Friday 09:00 UTC, 10:00 in Berlin); `--keep` keeps the work
directory (database, the tick's stdout/stderr) and prints where it is.

Everything listens on 127.0.0.1 only; the tick process is killed and the stand-in stopped on
exit, Ctrl-C included. The exit status is non-zero only when the harness itself fails (the
tick crashed or timed out, nothing seeded...), never for a missed target: that is reported.
`--smoke` (4 owners in 2 teams at 100/s, no baseline) is what the suite runs so the script
keeps working (`tests/test_benchmarks_smoke.py`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from app.db import Database
from app.db.migrate import ensure_schema
from app.db.models import Cycle, KeyResult, Member, Objective, Team, TeamMembership, Workspace
from app.domain.cycles import quarter_of
from app.slack import ids
from app.tryout.standin.server import SlackStandIn

TIMEZONE = "Europe/Berlin"
DEFAULT_NOW = "2026-11-20T09:00:00+00:00"  # Friday, 10:00 in Berlin: the check-in slot
TARGET_RATIO = 0.90
WORKSPACE_SLACK_ID = "T0001"
OBJECTIVES_PER_TEAM = 3
VENV_BIN = Path(sys.executable).parent
PROGRESS_EVERY_SECONDS = 30.0
SAMPLE_EVERY_SECONDS = 0.25

_KR_TITLES = (
    ("Raise onboarding completion", "increase", 60.0, 85.0, "%"),
    ("Cut median time to first value", "decrease", 36.0, 8.0, "hours"),
    ("Grow weekly active teams", "increase", 1200.0, 1800.0, "teams"),
    ("Reduce p95 checkout latency", "decrease", 850.0, 400.0, "ms"),
    ("Lift trial-to-paid conversion", "increase", 4.5, 7.0, "%"),
    ("Cut monthly infrastructure spend", "decrease", 48000.0, 39000.0, "$"),
)
_OBJECTIVE_TITLES = (
    "Make onboarding effortless for new customers",
    "Ship with confidence every day",
    "Keep the product fast as we grow",
)


class HarnessError(RuntimeError):
    """The benchmark itself could not run (as opposed to a target being missed)."""


# ---------------------------------------------------------------------------------- seeding


@dataclass(frozen=True)
class Fleet:
    """What was seeded: who must get a prompt, with how many key results, in which team."""

    path: Path
    teams: int
    owners: dict[str, tuple[str, int]]  # Slack user id → (team name, key results owned)
    leads: tuple[str, ...]  # members who own nothing: they must get no prompt
    key_results: int
    cycle_label: str
    seconds_to_seed: float

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the file."""
        return f"sqlite:///{self.path}"


def team_name(index: int) -> str:
    """`Fan-out 001` for index 1."""
    return f"Fan-out {index:03d}"


def _owners_in(team: int, owners: int, teams: int) -> int:
    """How many owners team `team` (1-based) gets when `owners` are spread over `teams`."""
    return owners // teams + (1 if team <= owners % teams else 0)


def seed_fleet(path: Path, *, owners: int, teams: int, now: dt.datetime) -> Fleet:
    """Create and fill a fresh SQLite file at `path` for a fan-out at `now`."""
    started = time.perf_counter()
    rng = random.Random(4)
    label = quarter_of(now.astimezone(ZoneInfo(TIMEZONE)).date())
    rows: dict[str, list[dict[str, Any]]] = {
        "member": [],
        "team": [],
        "membership": [],
        "objective": [],
        "kr": [],
    }
    expected: dict[str, tuple[str, int]] = {}
    leads: list[str] = []
    member_id = objective_id = kr_id = 0
    for team in range(1, teams + 1):
        name = team_name(team)
        rows["team"].append(
            {
                "id": team,
                "workspace_id": 1,
                "name": name,
                "name_key": name.casefold(),
                "digest_channel": None,
                "timezone": TIMEZONE,
                "checkin_weekday": 4,
                "checkin_time": dt.time(10, 0),
                "digest_weekday": 4,
                "digest_time": dt.time(16, 0),
                "reminder_weekday": 0,
                "reminder_time": dt.time(10, 0),
                "created_at": now,
                "updated_at": now,
            }
        )
        objective_ids = []
        for position in range(OBJECTIVES_PER_TEAM):
            objective_id += 1
            objective_ids.append(objective_id)
            rows["objective"].append(
                {
                    "id": objective_id,
                    "workspace_id": 1,
                    "team_id": team,
                    "cycle_id": 1,
                    "title": _OBJECTIVE_TITLES[position % len(_OBJECTIVE_TITLES)],
                    "description": "",
                    "owner_id": None,
                    "parent_id": None,
                    "status": "active",
                    "position": position,
                    "created_at": now,
                    "updated_at": now,
                    "archived_at": None,
                }
            )
        positions = Counter[int]()
        # The lead first: a member of the team who owns no key result.
        people = [(f"L{team:06d}", False)] + [
            (f"U{team:03d}{n:04d}", True) for n in range(1, _owners_in(team, owners, teams) + 1)
        ]
        for slack_id, owns in people:
            member_id += 1
            rows["member"].append(
                {
                    "id": member_id,
                    "workspace_id": 1,
                    "slack_user_id": slack_id,
                    "display_name": slack_id,
                    "timezone": TIMEZONE,
                    "snoozed_until": None,
                    "created_at": now,
                }
            )
            rows["membership"].append(
                {
                    "workspace_id": 1,
                    "team_id": team,
                    "member_id": member_id,
                    "is_admin": not owns,
                    "joined_at": now,
                }
            )
            if not owns:
                leads.append(slack_id)
                continue
            owned = rng.choice((1, 2))
            expected[slack_id] = (name, owned)
            for _ in range(owned):
                kr_id += 1
                objective = rng.choice(objective_ids)
                title, kind, start, target, unit = rng.choice(_KR_TITLES)
                rows["kr"].append(
                    {
                        "id": kr_id,
                        "workspace_id": 1,
                        "objective_id": objective,
                        "title": title,
                        "owner_id": member_id,
                        "kind": kind,
                        "start_value": start,
                        "target_value": target,
                        "current_value": round(start + (target - start) * rng.random(), 2),
                        "unit": unit,
                        "status": "active",
                        "position": positions[objective],
                        "created_at": now,
                        "updated_at": now,
                        "archived_at": None,
                    }
                )
                positions[objective] += 1
    db = Database(f"sqlite:///{path}")
    try:
        ensure_schema(db.engine)
        with db.write() as session:
            session.execute(
                insert(Workspace.__table__),  # type: ignore[attr-defined]
                [
                    {
                        "id": 1,
                        "slack_team_id": WORKSPACE_SLACK_ID,
                        "enterprise_id": "",
                        "name": "Fan-out Workspace",
                        "created_at": now,
                    }
                ],
            )
            session.execute(
                insert(Cycle.__table__),  # type: ignore[attr-defined]
                [
                    {
                        "id": 1,
                        "workspace_id": 1,
                        "label": label.label,
                        "start_date": label.start,
                        "end_date": label.end,
                        "closed_at": None,
                    }
                ],
            )
            for model, key in (
                (Member, "member"),
                (Team, "team"),
                (TeamMembership, "membership"),
                (Objective, "objective"),
                (KeyResult, "kr"),
            ):
                session.execute(insert(model.__table__), rows[key])  # type: ignore[attr-defined,union-attr]
    finally:
        db.dispose()
    return Fleet(
        path=path,
        teams=teams,
        owners=expected,
        leads=tuple(leads),
        key_results=kr_id,
        cycle_label=label.label,
        seconds_to_seed=time.perf_counter() - started,
    )


# ---------------------------------------------------------------------------------- the tick


@dataclass
class TickRun:
    """The tick subprocess: when it ran, how it ended, and its memory over time."""

    started: float  # time.time() at spawn
    ended: float = 0.0
    exit_code: int | None = None
    peak_rss_kb: int = 0  # ru_maxrss of the process, from wait4
    cpu_seconds: float = 0.0
    samples: list[tuple[float, int]] = field(default_factory=list)  # (time.time(), VmRSS KiB)
    stdout: str = ""
    stderr: str = ""


def _vm_rss_kb(pid: int) -> int | None:
    """The process's current resident set size in KiB, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def _tick_env(standin: SlackStandIn, fleet: Fleet, client_rate: float) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SLACK_") and key not in ("DATABASE_URL", "LOG_LEVEL")
    }
    env.update(
        SLACK_BOT_TOKEN=standin.bot_token,
        SLACK_API_URL=standin.api_url,
        DATABASE_URL=fleet.url,
        SLACK_POSTS_PER_SECOND=repr(client_rate),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_tick(
    *,
    standin: SlackStandIn,
    fleet: Fleet,
    now: dt.datetime,
    client_rate: float,
    workdir: Path,
    deadline_seconds: float,
    label: str,
) -> TickRun:
    """Run `okrbot tick --now <now>` to completion, sampling its memory."""
    okrbot = VENV_BIN / "okrbot"
    if not okrbot.exists():
        raise HarnessError(f"{okrbot} not found: install the project (pip install -e .[dev])")
    out_path, err_path = workdir / "tick.stdout", workdir / "tick.stderr"
    owners = len(fleet.owners)
    with out_path.open("wb") as out, err_path.open("wb") as err:
        run = TickRun(started=time.time())
        # cwd is the work directory, so no stray `.env` can configure the tick.
        process = subprocess.Popen(
            [str(okrbot), "tick", "--now", now.isoformat()],
            cwd=workdir,
            env=_tick_env(standin, fleet, client_rate),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        try:
            next_progress = time.monotonic() + PROGRESS_EVERY_SECONDS
            give_up = time.monotonic() + deadline_seconds
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    run.ended = time.time()
                    run.exit_code = os.waitstatus_to_exitcode(status)
                    process.returncode = run.exit_code
                    run.peak_rss_kb = usage.ru_maxrss
                    run.cpu_seconds = usage.ru_utime + usage.ru_stime
                    break
                rss = _vm_rss_kb(process.pid)
                if rss is not None:
                    run.samples.append((time.time(), rss))
                if time.monotonic() > give_up:
                    raise HarnessError(
                        f"{label}: the tick did not finish within {deadline_seconds:.0f} s"
                    )
                if time.monotonic() >= next_progress:
                    next_progress += PROGRESS_EVERY_SECONDS
                    _print_progress(standin, run.started, owners, label)
                time.sleep(SAMPLE_EVERY_SECONDS)
        finally:
            if process.returncode is None:
                process.kill()
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(process.pid, 0)
                process.returncode = -9
    run.stdout = out_path.read_text(errors="replace")
    run.stderr = err_path.read_text(errors="replace")
    return run


def _print_progress(standin: SlackStandIn, started: float, owners: int, label: str) -> None:
    calls = standin.calls_to("chat.postMessage")
    accepted = [c.at for c in calls if c.status == 200]
    limited = sum(1 for c in calls if c.status == 429)
    if len(accepted) >= 2:
        rate = (len(accepted) - 1) / max(accepted[-1] - accepted[0], 1e-9)
        eta = f"~{(owners - len(accepted)) / rate:.0f} s to go at {rate:.1f}/s"
    else:
        eta = "still planning"
    print(
        f"  [{label}] {time.time() - started:5.0f} s: {len(accepted)}/{owners} prompts "
        f"accepted, {limited} x 429; {eta}",
        flush=True,
    )


# ---------------------------------------------------------------------------------- analysis


@dataclass
class Outcome:
    """One run's figures."""

    label: str
    owners: int
    teams: int
    key_results: int
    limit: float
    client_rate: float
    seed_seconds: float
    tick: TickRun
    accepted: int = 0
    rate_limited: int = 0
    other_errors: int = 0
    first_post: float = 0.0
    last_post: float = 0.0
    gaps: list[float] = field(default_factory=list)
    prompts: int = 0
    duplicates: int = 0  # extra prompts beyond the first, summed over owners
    owners_with_duplicates: int = 0
    missed: int = 0
    unexpected: int = 0  # prompts to someone who owns nothing, or to an unknown channel
    wrong_content: int = 0
    distinct_delivery_ids: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    report: str = ""

    @property
    def window(self) -> float:
        """Seconds from the first to the last accepted post."""
        return max(self.last_post - self.first_post, 0.0)

    @property
    def rate(self) -> float:
        """Accepted posts per second over the window (n - 1 intervals)."""
        return (self.accepted - 1) / self.window if self.accepted >= 2 and self.window else 0.0

    @property
    def ratio(self) -> float:
        """Achieved rate over the enforced limit."""
        return self.rate / self.limit

    @property
    def start_up(self) -> float:
        """Seconds from spawning the tick to its first accepted post (imports, planning)."""
        return self.first_post - self.tick.started if self.accepted else 0.0

    def rss_at(self, fraction: float) -> int | None:
        """The tick's RSS (KiB) in the last sample after the first post and before `fraction`."""
        if not self.accepted or not self.tick.samples:
            return None
        moment = self.first_post + fraction * self.window
        before = [rss for at, rss in self.tick.samples if self.first_post <= at <= moment]
        return before[-1] if before else None


def analyse(
    *,
    label: str,
    standin: SlackStandIn,
    fleet: Fleet,
    tick: TickRun,
    limit: float,
    client_rate: float,
) -> Outcome:
    """What the stand-in and the database say about one run."""
    outcome = Outcome(
        label=label,
        owners=len(fleet.owners),
        teams=fleet.teams,
        key_results=fleet.key_results,
        limit=limit,
        client_rate=client_rate,
        seed_seconds=fleet.seconds_to_seed,
        tick=tick,
    )
    calls = standin.calls_to("chat.postMessage")
    accepted = sorted(c.at for c in calls if c.status == 200 and c.response.get("ok"))
    outcome.accepted = len(accepted)
    outcome.rate_limited = sum(1 for c in calls if c.status == 429)
    outcome.other_errors = len(calls) - outcome.accepted - outcome.rate_limited
    if accepted:
        outcome.first_post, outcome.last_post = accepted[0], accepted[-1]
        outcome.gaps = [b - a for a, b in itertools.pairwise(accepted)]

    user_of = {standin.dm_channel(user): user for user in (*fleet.owners, *fleet.leads)}
    per_owner: Counter[str] = Counter()
    delivery_ids: set[Any] = set()
    for message in standin.messages():
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") != ids.METADATA_DELIVERY:
            continue
        outcome.prompts += 1
        delivery_ids.add((metadata.get("event_payload") or {}).get("delivery_id"))
        user = user_of.get(message["channel"])
        if user is None or user not in fleet.owners:
            outcome.unexpected += 1
            continue
        per_owner[user] += 1
        team, owned = fleet.owners[user]
        noun = "key result" if owned == 1 else "key results"
        text = message.get("text") or ""
        if team not in text or f": {owned} {noun}" not in text:
            outcome.wrong_content += 1
    outcome.distinct_delivery_ids = len(delivery_ids)
    outcome.missed = sum(1 for user in fleet.owners if per_owner[user] == 0)
    outcome.duplicates = sum(count - 1 for count in per_owner.values() if count > 1)
    outcome.owners_with_duplicates = sum(1 for count in per_owner.values() if count > 1)

    connection = sqlite3.connect(fleet.path)
    try:
        outcome.statuses = dict(
            connection.execute(
                "SELECT status, COUNT(*) FROM delivery GROUP BY status ORDER BY status"
            ).fetchall()
        )
    finally:
        connection.close()
    reports = [line for line in tick.stdout.splitlines() if line.startswith("tick at ")]
    if reports:
        # "planned 100, sent 100, missed 0, ...": keep the counts that are not zero.
        counts = reports[-1].split(": ", 1)[-1].split(", ")
        outcome.report = ", ".join(c for c in counts if not c.endswith(" 0")) or "nothing"
    else:
        outcome.report = "(no report)"
    return outcome


# ---------------------------------------------------------------------------------- one run


def fan_out(
    *,
    label: str,
    owners: int,
    teams: int,
    limit: float,
    client_rate: float,
    now: dt.datetime,
    root: Path,
) -> Outcome:
    """Seed, start a rate-limited stand-in, run the tick, and analyse: one measured run."""
    workdir = root / label
    workdir.mkdir()
    fleet = seed_fleet(workdir / "fanout.db", owners=owners, teams=teams, now=now)
    if len(fleet.owners) != owners:
        raise HarnessError(f"{label}: seeded {len(fleet.owners)} owners, wanted {owners}")
    paced = min(limit, client_rate)
    sending = owners / paced
    # Generous: start-up and planning, sending at half the paced rate, and a margin.
    deadline = 60 + owners * 0.05 + 2 * sending
    print(
        f"[{label}] seeded {owners:,} owners, {teams} teams, {fleet.key_results:,} key results "
        f"(cycle {fleet.cycle_label}) in {fleet.seconds_to_seed:.1f} s; sending takes "
        f"~{sending:.0f} s at {paced:g}/s, ETA ~{_clock(time.time() + sending + 5)} "
        f"(gives up after {deadline:.0f} s)",
        flush=True,
    )
    standin = SlackStandIn(team_id=WORKSPACE_SLACK_ID)
    for user in (*fleet.owners, *fleet.leads):
        standin.add_user(user, name=user.lower(), tz=TIMEZONE)
    standin.set_rate_limit("chat.postMessage", per_second=limit)
    with standin:
        tick = run_tick(
            standin=standin,
            fleet=fleet,
            now=now,
            client_rate=client_rate,
            workdir=workdir,
            deadline_seconds=deadline,
            label=label,
        )
        if tick.exit_code != 0:
            raise HarnessError(
                f"{label}: okrbot tick exited with {tick.exit_code}:\n{tick.stderr[-3000:]}"
            )
        outcome = analyse(
            label=label,
            standin=standin,
            fleet=fleet,
            tick=tick,
            limit=limit,
            client_rate=client_rate,
        )
    print(
        f"[{label}] done: {outcome.accepted:,} prompts in {outcome.window:.1f} s, "
        f"{outcome.rate:.2f}/s ({outcome.ratio:.1%} of the limit); tick: {outcome.report}",
        flush=True,
    )
    return outcome


def _clock(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment).strftime("%H:%M:%S")


# ---------------------------------------------------------------------------------- printing


def _mb(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f} MB"


def _percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def _rows(outcome: Outcome) -> list[tuple[str, str]]:
    verdict = "yes" if outcome.ratio >= TARGET_RATIO else "NO"
    clean = outcome.duplicates == 0 and outcome.missed == 0 and outcome.unexpected == 0
    statuses = ", ".join(f"{name} {count:,}" for name, count in outcome.statuses.items())
    growth = None
    start, end = outcome.rss_at(0.1), outcome.rss_at(1.0)
    if start is not None and end is not None:
        growth = end - start
    gaps_ms = [gap * 1000 for gap in outcome.gaps]
    return [
        (
            "owners / teams / key results",
            f"{outcome.owners:,} / {outcome.teams} / {outcome.key_results:,}",
        ),
        ("limit (stand-in) / pacing (client)", f"{outcome.limit:g}/s / {outcome.client_rate:g}/s"),
        ("seeding", f"{outcome.seed_seconds:.1f} s"),
        ("tick start-up + planning", f"{outcome.start_up:.1f} s"),
        ("first → last accepted post", f"{outcome.window:.1f} s"),
        (
            "tick wall time / CPU time",
            f"{outcome.tick.ended - outcome.tick.started:.1f} s / {outcome.tick.cpu_seconds:.1f} s",
        ),
        (
            "CPU per post (incl. start-up)",
            f"{outcome.tick.cpu_seconds / max(outcome.accepted, 1) * 1000:.1f} ms",
        ),
        (
            "posts accepted / 429 / other errors",
            f"{outcome.accepted:,} / {outcome.rate_limited:,} / {outcome.other_errors:,}",
        ),
        (
            "gap between posts p50 / p99 / max",
            f"{statistics.median(gaps_ms) if gaps_ms else 0:.1f} / "
            f"{_percentile(gaps_ms, 0.99):.1f} / {max(gaps_ms, default=0):.0f} ms",
        ),
        ("achieved rate", f"{outcome.rate:.2f} msg/s"),
        ("rate / limit (target ≥ 0.90)", f"{outcome.ratio:.3f}  met: {verdict}"),
        (
            "prompts posted / distinct deliveries",
            f"{outcome.prompts:,} / {outcome.distinct_delivery_ids:,}",
        ),
        (
            "duplicates (owners affected)",
            f"{outcome.duplicates} ({outcome.owners_with_duplicates})",
        ),
        ("missed owners", str(outcome.missed)),
        ("prompts to non-owners", str(outcome.unexpected)),
        ("wrong team / KR count in text", str(outcome.wrong_content)),
        ("exactly one prompt per owner", "yes" if clean else "NO"),
        ("delivery rows by status", statuses or "-"),
        ("tick report", outcome.report),
        ("peak RSS of the tick (wait4)", _mb(outcome.tick.peak_rss_kb)),
        (
            "RSS at 10% / 50% / 100% sent",
            f"{_mb(start)} / {_mb(outcome.rss_at(0.5))} / {_mb(end)}",
        ),
        ("RSS growth while sending (10% → 100%)", _mb(growth)),
    ]


def print_table(outcomes: Sequence[Outcome]) -> None:
    """The figures of every run, side by side, then the comparisons."""
    columns = [_rows(outcome) for outcome in outcomes]
    names = [name for name, _ in columns[0]]
    width = max(len(name) for name in names)
    cell = max(len(value) for rows in columns for _, value in rows)
    cell = max(cell, *(len(outcome.label) for outcome in outcomes))
    print()
    print(f"{'':{width}}  " + "  ".join(f"{o.label:<{cell}}" for o in outcomes))
    print("-" * (width + (cell + 2) * len(outcomes)))
    for index, name in enumerate(names):
        values = "  ".join(f"{rows[index][1]:<{cell}}" for rows in columns)
        print(f"{name:<{width}}  {values}".rstrip())
    if len(outcomes) == 2:
        small, big = outcomes
        print()
        print(
            "peak RSS, main / baseline: "
            f"{big.tick.peak_rss_kb / max(small.tick.peak_rss_kb, 1):.2f}"
            f" for {big.owners / max(small.owners, 1):.0f}x the owners "
            f"({_mb(big.tick.peak_rss_kb - small.tick.peak_rss_kb)} more)"
        )
        if small.rate:
            print(f"achieved rate, main / baseline: {big.rate / small.rate:.3f}")
    main = outcomes[-1]
    clean = main.duplicates == main.missed == main.unexpected == main.wrong_content == 0
    print(
        f"\nverdict ({main.label}): rate {main.ratio:.1%} of {main.limit:g}/s "
        f"({'meets' if main.ratio >= TARGET_RATIO else 'MISSES'} the 90% target); "
        f"{'no duplicate, no missed prompt' if clean else 'DUPLICATES OR MISSED PROMPTS'}; "
        f"peak RSS {_mb(main.tick.peak_rss_kb)}"
    )


# ---------------------------------------------------------------------------------- main


@contextlib.contextmanager
def _work_root(keep: bool) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="okrbot-fanout-"))
    try:
        yield root
    finally:
        if keep:
            print(f"kept the work directory: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def _parse_now(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the baseline and the main fan-out, print the table; 1 if the harness failed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--owners", type=int, default=5000, help="owners to prompt (5000)")
    parser.add_argument("--teams", type=int, default=200, help="teams they belong to (200)")
    parser.add_argument(
        "--limit", type=float, default=20.0, help="stand-in's chat.postMessage limit/s (20)"
    )
    parser.add_argument(
        "--client-rate",
        type=float,
        default=None,
        help="SLACK_POSTS_PER_SECOND for the tick (default: the limit)",
    )
    parser.add_argument(
        "--baseline-fraction",
        type=float,
        default=0.1,
        help="baseline size as a fraction of owners and teams (0.1; 0 skips it)",
    )
    parser.add_argument("--now", default=DEFAULT_NOW, help=f"the tick's instant ({DEFAULT_NOW})")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does it still run?")
    args = parser.parse_args(argv)
    if args.smoke:
        args.owners, args.teams, args.limit, args.baseline_fraction = 4, 2, 100.0, 0.0
    if args.owners < 1 or args.teams < 1 or args.owners < args.teams or args.limit <= 0:
        parser.error("need owners ≥ teams ≥ 1 and a positive limit")
    now = _parse_now(args.now)
    client_rate = args.client_rate or args.limit
    runs = []
    if args.baseline_fraction > 0:
        small_teams = max(1, round(args.teams * args.baseline_fraction))
        small_owners = max(small_teams, round(args.owners * args.baseline_fraction))
        runs.append(("baseline", small_owners, small_teams))
    runs.append(("main", args.owners, args.teams))
    total = sum(owners for _, owners, _ in runs) / min(args.limit, client_rate)
    print(
        f"fan-out at {now.isoformat()} against a stand-in limited to {args.limit:g} "
        f"chat.postMessage/s, tick pacing {client_rate:g}/s: "
        + ", ".join(f"{label} {owners:,} owners / {teams} teams" for label, owners, teams in runs)
        + f"; about {total / 60:.1f} min of sending in all",
        flush=True,
    )
    outcomes = []
    try:
        with _work_root(args.keep) as root:
            for label, owners, teams in runs:
                outcomes.append(
                    fan_out(
                        label=label,
                        owners=owners,
                        teams=teams,
                        limit=args.limit,
                        client_rate=client_rate,
                        now=now,
                        root=root,
                    )
                )
    except HarnessError as failure:
        print(f"harness failure: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    print_table(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
