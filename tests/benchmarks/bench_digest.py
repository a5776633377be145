"""The weekly digest's speed, its chart, and the clock's memory (issue 5, "Speed").

The requirement: building the digest blocks for one team of 12 objectives and 48 key results
with a full quarter of history takes ≤ 20 ms, and ≤ 2 s in all for 500 such teams; one chart
renders in ≤ 150 ms; the clock process's peak RSS with 500 teams is reported.

    .venv/bin/python tests/benchmarks/bench_digest.py                 # about 2 minutes
    .venv/bin/python tests/benchmarks/bench_digest.py --skip-tick     # sections 1-3, ~50 s
    .venv/bin/python tests/benchmarks/bench_digest.py --teams 100 --baseline-teams 10
    .venv/bin/python tests/benchmarks/bench_digest.py --smoke       # 2 teams, one run of each

The data: `--teams` teams (500) in Europe/Berlin, each with 12 objectives of 4 key results
(mixed kinds: increase, decrease, stay above/below, milestones; units %, $, €, ms, hours...;
titles of 50-95 characters with the team's own numbers in them, so most differ between teams,
a few with `&`), one lead and 4 owners, and 13 weeks of check-ins per key result in 2026-Q4
(values moving towards the target at the key result's own pace, confidences that follow the
lag, about 4% skips, 3% silent weeks, 15% not yet answered in the last week, and some key
results on track but unchanged for weeks). The digest is the one of Friday 2026-12-25, 16:00
in Berlin: week 13 of 13, the history full.

Sections, each with a baseline measured in the same run:

1. **Pure**: `build_digest` + `build_digest_messages` on in-memory snapshots, one team
   `--runs` times (200) with the quality coach's memo (`app.domain.coach` caches its checks
   per title) cleared before every run (*cold*) and left warm (*warm*), then all the teams
   one after the other, `--rounds` times (3) from a cleared memo and once more right after
   (cache hits and misses are printed: the memo holds 8,192 key result titles, fewer than
   500 teams have). Baseline: `json.dumps` of the same messages, interleaved (what the Slack
   client does to them anyway). Every message is
   checked with `app.slack.limits.message_errors`; a worst-case team (longest titles, `&`
   everywhere, every key result off track) is checked too.
2. **From the database**: the teams are seeded into an SQLite file with Core bulk inserts
   (about 300k `check_in` rows for 500 teams), then `team_digest(session, team=..., now=...)` +
   `build_digest_messages` per team, each in its own read session as the dispatcher does,
   from a cleared coach memo. Baseline: the pure build of the same team (ratio = the cost of
   loading from SQLite). The messages must equal the pure build's. Then `team_digest`'s
   steps one by one for the first 100 teams, next to its history SELECT run with `sqlite3`
   alone.
3. **One chart**: `render_progress_chart` for the first team's 12 series × 13 weeks,
   `--chart-runs` times (50) after one untimed first render (fonts load), interleaved with the
   baseline: Pillow encoding a blank PNG of the same size.
4. **The clock's memory**: `okrbot tick --now 2026-12-25T15:00:00+00:00` as a subprocess on
   the seeded file against a `SlackStandIn` in this process (every digest channel
   registered, no rate limit, `SLACK_POSTS_PER_SECOND=10000`), so it posts one digest and one
   chart per team. The 10:00 check-in prompts of that day are seeded as already sent (by the
   10:00 tick): at 16:00 they are still due until midnight, and the tick would otherwise
   send them too. Printed: wall and CPU time, digests posted (channel messages), chart
   uploads, the tick's report, warnings on its stderr, and its peak RSS, next to the same
   tick on a `--baseline-teams` (50) team file seeded the same way and to the same tick run
   again on the 500-team file (nothing left to send: the process's floor). The peak RSS is
   the tick's own `VmHWM`, which it writes to stderr at exit (`okrbot tick` is run as
   `python -c` with the console script's two lines plus that `atexit` hook): `os.wait4`'s
   `ru_maxrss` is printed too, but on Linux it is at least the peak RSS of the process that
   spawned the child (`exec` keeps the high-water mark of the memory it replaces, here this
   process's, which holds every team), so it says more about the benchmark than the tick.

Times are wall-clock (`time.perf_counter`) with the garbage collector on, as in production.
`cpu/wall` next to a series is this process's CPU time over the wall time it took: well below
1.00 means another process took the CPU meanwhile, and the series is worth running again.
Everything listens on 127.0.0.1 only; the work directory (databases, the tick's output) is
removed and the tick process killed on exit, Ctrl-C and SIGTERM included (`--keep` keeps the
directory). The exit status is non-zero only when the harness fails, never for a missed
target: that is printed. `--smoke` (2 teams, 2 runs, 1 round, 1 chart, no baseline tick)
is what the suite runs so the script keeps working (`tests/test_benchmarks_smoke.py`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import io
import json
import math
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image
from sqlalchemy import insert

from app.charts.progress_chart import ChartSpec, Series, render_progress_chart
from app.db import Database
from app.db.migrate import ensure_schema
from app.db.models import (
    CheckIn,
    Cycle,
    Delivery,
    KeyResult,
    Member,
    Objective,
    Team,
    TeamMembership,
    Workspace,
)
from app.domain.checkins import WeekReport
from app.domain.coach import rules as coach_rules
from app.domain.cycles import quarter_span
from app.domain.digest import Digest, build_digest
from app.domain.okrs import KeyResultSnapshot, ObjectiveSnapshot
from app.domain.progress import format_number
from app.domain.schedule import iso_period
from app.domain.types import Confidence, KRKind
from app.slack.limits import message_errors
from app.slack.views.digest import build_digest_messages
from app.store.checkins import weekly_reports
from app.store.okrs import find_cycle, team_okrs
from app.tryout.standin.server import SlackStandIn
from app.usecases.digests import team_digest

TIMEZONE = "Europe/Berlin"
# Friday of week 13 of 2026-Q4 at 16:00 in Berlin (CET, UTC+1): the default digest slot.
NOW = dt.datetime(2026, 12, 25, 15, 0, tzinfo=dt.UTC)
TODAY = NOW.astimezone(ZoneInfo(TIMEZONE)).date()
CYCLE = quarter_span(2026, 4)
WEEKS = 13
PERIODS = tuple(iso_period(CYCLE.start + dt.timedelta(days=7 * i)) for i in range(WEEKS))
OBJECTIVES_PER_TEAM = 12
KRS_PER_OBJECTIVE = 4
OWNERS_PER_TEAM = 4  # plus one lead who owns nothing
MEMBERS_PER_TEAM = OWNERS_PER_TEAM + 1
WORKSPACE_SLACK_ID = "T0001"
# `okrbot tick`, as the `okrbot` console script runs it, reporting its own peak RSS (VmHWM of
# the process image after exec) on stderr at exit. `os.wait4`'s ru_maxrss cannot be used alone:
# on Linux it is the larger of the child's peak and the peak RSS of the process that spawned it
# (exec keeps the high-water mark of the memory it replaces), and this process holds every team.
_TICK = """
import atexit, sys

def _report():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmHWM:", "VmRSS:")):
                sys.stderr.write("bench-digest-memory " + line)

atexit.register(_report)
from app.cli import main
sys.argv[0] = "okrbot"
sys.exit(main())
"""

TARGET_ONE_MS = 20.0
TARGET_ALL_S = 2.0
TARGET_CHART_MS = 150.0

BREAKDOWN_TEAMS = 100
SAMPLE_EVERY_SECONDS = 0.2
PROGRESS_EVERY_SECONDS = 20.0

_AREAS = (
    "Payments",
    "Growth",
    "Platform",
    "Mobile",
    "Search",
    "Billing",
    "Identity",
    "Data",
    "Reliability",
    "Onboarding",
    "Integrations",
    "Insights",
)
_OBJECTIVE_TITLES = (
    "Make onboarding effortless for every new {area} customer",
    "Ship with confidence every day, without weekend fire drills",
    "Keep {area} fast as the number of active workspaces doubles",
    "Turn the weekly digest into the place leads look for progress",
    "Grow revenue from self-serve plans without adding sales headcount",
    "Earn the trust of enterprise security & compliance teams",
    "Make {area} support a reason customers stay with us",
    "Build a partner channel that brings in qualified workspaces",
    "Spend less on infrastructure while keeping headroom for growth",
    "Raise the quality bar: fewer bugs reach {area} customers",
    "Grow a {area} team that can own its roadmap end to end",
    "Help people find answers about {area} without asking anyone",
)
# (title, kind, unit, start, target): {s} and {t} become the team's own numbers.
_KR_TEMPLATES: tuple[tuple[str, KRKind, str, float | None, float | None], ...] = (
    (
        "Raise onboarding completion for self-serve sign-ups from {s} to {t}",
        KRKind.increase,
        "%",
        58,
        85,
    ),
    (
        "Cut the median time from sign-up to the first weekly check-in from {s} to {t}",
        KRKind.decrease,
        "hours",
        36,
        8,
    ),
    (
        "Grow weekly active teams that read the digest from {s} to {t}",
        KRKind.increase,
        "teams",
        1200,
        1800,
    ),
    ("Reduce p95 latency of /okr list under load from {s} to {t}", KRKind.decrease, "ms", 850, 400),
    (
        "Lift trial-to-paid conversion in EMEA & APAC from {s} to {t}",
        KRKind.increase,
        "%",
        4.5,
        7.0,
    ),
    (
        "Cut monthly cloud infrastructure spend from {s} to {t} without losing headroom",
        KRKind.decrease,
        "$",
        48000,
        39000,
    ),
    (
        "Keep the weekly check-in response rate in every team at or above {t}",
        KRKind.stay_above,
        "%",
        None,
        80,
    ),
    (
        "Keep the first response time on support tickets below {t}",
        KRKind.stay_below,
        "hours",
        None,
        4,
    ),
    (
        "Ship SSO with SAML & SCIM provisioning to every Enterprise workspace",
        KRKind.milestone,
        "",
        None,
        None,
    ),
    ("Raise the NPS of workspace admins from {s} to {t}", KRKind.increase, "points", 21, 40),
    (
        "Reduce voluntary churn of paying workspaces from {s} to {t} a month",
        KRKind.decrease,
        "%",
        3.2,
        2.0,
    ),
    (
        "Increase annual recurring revenue from self-serve plans from {s} to {t}",
        KRKind.increase,
        "€",
        1_200_000,
        1_650_000,
    ),
    ("Bring open bugs older than 30 days down from {s} to {t}", KRKind.decrease, "bugs", 140, 30),
    (
        "Raise automated test coverage of the billing service from {s} to {t}",
        KRKind.increase,
        "%",
        61,
        85,
    ),
    ("Keep weekly uptime of the public API at or above {t}", KRKind.stay_above, "%", None, 99.9),
    ("Hold the error rate of check-in submissions below {t}", KRKind.stay_below, "%", None, 0.5),
    ("Launch the Jira & Linear integrations for all paid plans", KRKind.milestone, "", None, None),
    (
        "Grow the number of partner agencies running pilots from {s} to {t}",
        KRKind.increase,
        "agencies",
        3,
        12,
    ),
    (
        "Cut the deploy lead time from merge to production from {s} to {t}",
        KRKind.decrease,
        "minutes",
        95,
        20,
    ),
    (
        "Increase the share of objectives with a measurable key result from {s} to {t}",
        KRKind.increase,
        "%",
        52,
        80,
    ),
    (
        "Reduce cost per acquired workspace on paid channels from {s} to {t}",
        KRKind.decrease,
        "$",
        420,
        300,
    ),
    ("Improve the docs so that people find answers faster", KRKind.increase, "", 0, 10),
    ("Hire two senior backend engineers and onboard them fully", KRKind.milestone, "", None, None),
    ("Grow monthly page views of the blog from {s} to {t}", KRKind.increase, "views", 40000, 90000),
)


class HarnessError(RuntimeError):
    """The benchmark itself could not run (as opposed to a target being missed)."""


# ---------------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class TeamData:
    """One generated team: what the database holds, and the same as in-memory snapshots."""

    index: int  # 1-based; also the team's id
    name: str
    channel: str
    members: tuple[str, ...]  # Slack user ids; the first is the lead, who owns nothing
    objectives: tuple[ObjectiveSnapshot, ...]
    histories: dict[int, tuple[WeekReport, ...]]

    def member_id(self, slack_user_id: str) -> int:
        """The database id of one of the team's members."""
        return (self.index - 1) * MEMBERS_PER_TEAM + self.members.index(slack_user_id) + 1

    @property
    def key_results(self) -> list[KeyResultSnapshot]:
        """Every key result of the team, objective by objective."""
        return [kr for objective in self.objectives for kr in objective.key_results]


# Units counted in whole numbers: nobody reports 2.69 agencies.
_WHOLE_UNITS = frozenset({"teams", "bugs", "agencies", "views", "minutes", "ms", "points", "$"})


def _rounded(value: float, unit: str) -> float:
    """A value rounded as people report it: whole for counts and from 100 up, else to 1
    decimal, or 2 below 10."""
    size = abs(value)
    if unit in _WHOLE_UNITS or size >= 100:
        return float(round(value))
    return round(value, 2) if size < 10 else round(value, 1)


def _confidence(lag: float) -> Confidence:
    """How an owner rates a key result that is `lag` (a fraction of the way) behind pace."""
    if lag < 0.12:
        return Confidence.on_track
    return Confidence.at_risk if lag < 0.3 else Confidence.off_track


def _numbers(
    rng: random.Random, kind: KRKind, unit: str, start: float | None, target: float | None
) -> tuple[float | None, float | None]:
    """The team's own start and target for a template's."""
    if kind == KRKind.milestone or target is None:
        return None, None
    if start is None:
        return None, target  # thresholds (stay above/below) are round numbers
    own_start = _rounded(start * rng.uniform(0.85, 1.15), unit)
    own_target = _rounded(own_start + (target - start) * rng.uniform(0.8, 1.2), unit)
    if own_target == own_start:
        own_target = target
    return own_start, own_target


def _history(
    rng: random.Random, kind: KRKind, unit: str, start: float | None, target: float | None
) -> list[WeekReport]:
    """A quarter of weekly check-ins of one key result."""
    pace = rng.uniform(0.5, 1.2)  # the fraction of the way done by the end of the quarter
    stall_from = rng.randint(8, 11) if rng.random() < 0.12 else None  # green but not moving
    done_week = rng.randint(5, 16)  # milestones
    weeks: list[WeekReport] = []
    stalled: float | None = None
    for week, period in enumerate(PERIODS, start=1):
        roll = rng.random()
        silent = 0.15 if week == WEEKS else 0.03  # the last week: not everyone answered yet
        if roll < silent:
            continue
        if roll < silent + 0.04:
            weeks.append(WeekReport(period=period, value=None, confidence=None, skipped=True))
            continue
        expected = week / WEEKS
        if kind == KRKind.milestone:
            value = 1.0 if week >= done_week else 0.0
            if value or done_week <= WEEKS:
                confidence = Confidence.on_track if rng.random() < 0.85 else Confidence.at_risk
            else:
                confidence = Confidence.at_risk if week < 10 else Confidence.off_track
        elif kind in (KRKind.stay_above, KRKind.stay_below):
            assert target is not None
            sign = 1 if kind == KRKind.stay_above else -1
            drift = rng.gauss(0.01, 0.02) if target < 99 else rng.gauss(0.0002, 0.0004)
            value = _rounded(target * (1 + sign * drift), unit)
            met = value >= target if kind == KRKind.stay_above else value <= target
            confidence = Confidence.on_track if met else _confidence(rng.uniform(0.15, 0.5))
        else:
            assert target is not None and start is not None
            if stall_from is not None and week >= stall_from and stalled is not None:
                weeks.append(
                    WeekReport(period=period, value=stalled, confidence=Confidence.on_track)
                )
                continue
            done = min(1.15, max(-0.1, pace * expected + rng.gauss(0, 0.03)))
            value = _rounded(start + (target - start) * done, unit)
            confidence = _confidence(expected - done)
            if stall_from is not None and week == stall_from - 1:
                stalled = value
        weeks.append(WeekReport(period=period, value=value, confidence=confidence))
    return weeks


def make_team(index: int) -> TeamData:
    """Team `index` (1-based): the same data whatever else is generated."""
    rng = random.Random(index * 7919 + 17)
    area = _AREAS[(index - 1) % len(_AREAS)]
    name = f"{area} squad {index:03d}"
    members = (f"U{index:05d}L0", *(f"U{index:05d}O{n}" for n in range(1, OWNERS_PER_TEAM + 1)))
    owners = members[1:]
    objectives: list[ObjectiveSnapshot] = []
    histories: dict[int, tuple[WeekReport, ...]] = {}
    for position in range(OBJECTIVES_PER_TEAM):
        objective_id = (index - 1) * OBJECTIVES_PER_TEAM + position + 1
        title = _OBJECTIVE_TITLES[(position + index) % len(_OBJECTIVE_TITLES)].format(area=area)
        krs: list[KeyResultSnapshot] = []
        for slot in range(KRS_PER_OBJECTIVE):
            number = position * KRS_PER_OBJECTIVE + slot
            kr_id = (index - 1) * OBJECTIVES_PER_TEAM * KRS_PER_OBJECTIVE + number + 1
            template, kind, unit, start, target = _KR_TEMPLATES[
                (number + 5 * index) % len(_KR_TEMPLATES)
            ]
            own_start, own_target = _numbers(rng, kind, unit, start, target)
            kr_title = template.format(
                s=format_number(own_start, unit), t=format_number(own_target, unit)
            )
            weeks = _history(rng, kind, unit, own_start, own_target)
            reported = [w.value for w in weeks if not w.skipped and w.value is not None]
            histories[kr_id] = tuple(weeks)
            krs.append(
                KeyResultSnapshot(
                    id=kr_id,
                    title=kr_title,
                    owner=owners[number % OWNERS_PER_TEAM],
                    kind=kind,
                    start=own_start,
                    target=own_target,
                    current=reported[-1] if reported else None,
                    unit=unit,
                )
            )
        objectives.append(
            ObjectiveSnapshot(
                id=objective_id,
                title=title,
                description="",
                owner=owners[position % OWNERS_PER_TEAM],
                parent_title=None,
                key_results=tuple(krs),
            )
        )
    return TeamData(
        index=index,
        name=name,
        channel=f"CDIG{index:06d}",
        members=members,
        objectives=tuple(objectives),
        histories=histories,
    )


def worst_case_team() -> TeamData:
    """A team at every length limit: 80-character name, 150/200-character titles full of
    `&` (escaped to `&amp;` in mrkdwn), every key result off track and moving."""
    base = make_team(1)
    objectives = []
    histories: dict[int, tuple[WeekReport, ...]] = {}
    for o, objective in enumerate(base.objectives):
        krs = []
        for k, kr in enumerate(objective.key_results):
            title = (f"R&D KR {o}.{k} & " * 20)[:200]
            krs.append(
                KeyResultSnapshot(
                    id=kr.id,
                    title=title,
                    owner=kr.owner,
                    kind=KRKind.increase,
                    start=0.0,
                    target=1_000_000.5,
                    current=123_456.5,
                    unit="customers",
                )
            )
            histories[kr.id] = tuple(
                WeekReport(
                    period=period,
                    value=123_456.5 * (w + 1) / WEEKS,
                    confidence=Confidence.off_track,
                )
                for w, period in enumerate(PERIODS)
            )
        objectives.append(
            ObjectiveSnapshot(
                id=objective.id,
                title=(f"<Q&A> objective {o} & " * 10)[:150],
                description="",
                owner=objective.owner,
                parent_title=None,
                key_results=tuple(krs),
            )
        )
    return TeamData(
        index=1,
        name=("Worst & case team " * 5)[:80],
        channel=base.channel,
        members=base.members,
        objectives=tuple(objectives),
        histories=histories,
    )


def pure_digest(team: TeamData) -> Digest:
    """The team's digest from its in-memory snapshots."""
    return build_digest(
        team_name=team.name,
        cycle=CYCLE,
        today=TODAY,
        objectives=team.objectives,
        histories=team.histories,
    )


def clear_coach_memo() -> None:
    """Forget the quality coach's cached checks (what a freshly started process has)."""
    coach_rules._cached_key_result.cache_clear()
    coach_rules._cached_objective.cache_clear()


def coach_hits_misses() -> tuple[int, int]:
    """The coach memo's key result hits and misses so far."""
    info = coach_rules._cached_key_result.cache_info()
    return info.hits, info.misses


# ---------------------------------------------------------------------------------- seeding


def seed(path: Path, teams: Sequence[TeamData]) -> tuple[float, int]:
    """Write the teams into a fresh SQLite file; (seconds, check-in rows)."""
    started = time.perf_counter()
    created = dt.datetime(2026, 9, 28, 9, 0, tzinfo=dt.UTC)
    prompt_at = dt.datetime(2026, 12, 25, 9, 0, tzinfo=dt.UTC)  # 10:00 in Berlin
    rows: dict[str, list[dict[str, Any]]] = {
        "team": [],
        "member": [],
        "membership": [],
        "objective": [],
        "kr": [],
        "check_in": [],
        "delivery": [],
    }
    for team in teams:
        rows["team"].append(
            {
                "id": team.index,
                "workspace_id": 1,
                "name": team.name,
                "name_key": team.name.casefold(),
                "digest_channel": team.channel,
                "timezone": TIMEZONE,
                "checkin_weekday": 4,
                "checkin_time": dt.time(10, 0),
                "digest_weekday": 4,
                "digest_time": dt.time(16, 0),
                "reminder_weekday": 0,
                "reminder_time": dt.time(10, 0),
                "created_at": created,
                "updated_at": created,
            }
        )
        for slack_id in team.members:
            member_id = team.member_id(slack_id)
            lead = slack_id == team.members[0]
            rows["member"].append(
                {
                    "id": member_id,
                    "workspace_id": 1,
                    "slack_user_id": slack_id,
                    "display_name": slack_id.lower(),
                    "timezone": TIMEZONE,
                    "snoozed_until": None,
                    "created_at": created,
                }
            )
            rows["membership"].append(
                {
                    "workspace_id": 1,
                    "team_id": team.index,
                    "member_id": member_id,
                    "is_admin": lead,
                    "joined_at": created,
                }
            )
            if not lead:
                # The 10:00 tick of the day sent the week's prompt (see the module docstring).
                rows["delivery"].append(
                    {
                        "workspace_id": 1,
                        "team_id": team.index,
                        "member_id": member_id,
                        "recipient": slack_id,
                        "period": PERIODS[-1],
                        "kind": "prompt",
                        "status": "sent",
                        "slot_at": prompt_at,
                        "attempts": 1,
                        "claimed_by": None,
                        "claimed_at": prompt_at,
                        "channel": f"D{slack_id[1:]}",
                        "message_ts": f"{prompt_at.timestamp():.6f}",
                        "sent_at": prompt_at,
                        "error": "",
                        "created_at": prompt_at,
                        "updated_at": prompt_at,
                    }
                )
        for position, objective in enumerate(team.objectives):
            rows["objective"].append(
                {
                    "id": objective.id,
                    "workspace_id": 1,
                    "team_id": team.index,
                    "cycle_id": 1,
                    "title": objective.title,
                    "description": objective.description,
                    "owner_id": team.member_id(objective.owner or ""),
                    "parent_id": None,
                    "status": "active",
                    "position": position,
                    "created_at": created,
                    "updated_at": created,
                    "archived_at": None,
                }
            )
            for kr_position, kr in enumerate(objective.key_results):
                owner_id = team.member_id(kr.owner or "")
                rows["kr"].append(
                    {
                        "id": kr.id,
                        "workspace_id": 1,
                        "objective_id": objective.id,
                        "title": kr.title,
                        "owner_id": owner_id,
                        "kind": kr.kind.value,
                        "start_value": kr.start,
                        "target_value": kr.target,
                        "current_value": kr.current,
                        "unit": kr.unit,
                        "status": "active",
                        "position": kr_position,
                        "created_at": created,
                        "updated_at": created,
                        "archived_at": None,
                    }
                )
                for week in team.histories[kr.id]:
                    year, number = week.period.split("-W")
                    friday = dt.date.fromisocalendar(int(year), int(number), 5)
                    at = dt.datetime.combine(friday, dt.time(9, 30), tzinfo=dt.UTC)
                    rows["check_in"].append(
                        {
                            "workspace_id": 1,
                            "key_result_id": kr.id,
                            "iso_week": week.period,
                            "value": week.value,
                            "confidence": week.confidence.value if week.confidence else None,
                            "note": "",
                            "skipped": week.skipped,
                            "author_id": owner_id,
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
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
                        "name": "Digest Workspace",
                        "created_at": created,
                    }
                ],
            )
            session.execute(
                insert(Cycle.__table__),  # type: ignore[attr-defined]
                [
                    {
                        "id": 1,
                        "workspace_id": 1,
                        "label": CYCLE.label,
                        "start_date": CYCLE.start,
                        "end_date": CYCLE.end,
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
                (CheckIn, "check_in"),
                (Delivery, "delivery"),
            ):
                session.execute(insert(model.__table__), rows[key])  # type: ignore[attr-defined,union-attr]
    finally:
        db.dispose()
    return time.perf_counter() - started, len(rows["check_in"])


# ---------------------------------------------------------------------------------- figures


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


@dataclass(frozen=True)
class Timings:
    """Timings of one series, in seconds, and how much of the wall time was our CPU's."""

    samples: tuple[float, ...]
    cpu_ratio: float = 1.0

    @property
    def median(self) -> float:
        """The median sample."""
        return statistics.median(self.samples) if self.samples else 0.0

    @property
    def p95(self) -> float:
        """The 95th percentile."""
        return percentile(self.samples, 0.95)

    @property
    def worst(self) -> float:
        """The slowest sample."""
        return max(self.samples, default=0.0)

    @property
    def total(self) -> float:
        """The sum of the samples."""
        return math.fsum(self.samples)


@contextlib.contextmanager
def cpu_meter() -> Iterator[list[float]]:
    """Yields a list that holds, on exit, this process's CPU time over the wall time."""
    ratio: list[float] = []
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        yield ratio
    finally:
        elapsed = time.perf_counter() - wall
        ratio.append((time.process_time() - cpu) / elapsed if elapsed else 1.0)


def ms(seconds: float) -> str:
    """Seconds as milliseconds, to 2 decimals below 10 ms."""
    value = seconds * 1000
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def mb(kib: int | None) -> str:
    """KiB as MB."""
    return "-" if kib is None else f"{kib / 1024:.1f} MB"


def verdict(ok: bool) -> str:
    """`yes` or `NO`."""
    return "yes" if ok else "NO"


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Left-aligned columns, the first as wide as its longest cell."""
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    line = "  ".join(f"{cell:<{widths[i]}}" for i, cell in enumerate(header))
    print(line.rstrip())
    print("-" * len(line.rstrip()))
    for row in rows:
        print("  ".join(f"{cell:<{widths[i]}}" for i, cell in enumerate(row)).rstrip())


def section_title(title: str) -> None:
    """A section heading with the machine's load average."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\n== {title}  (load average {load}) ==", flush=True)


# ---------------------------------------------------------------------------------- 1. pure


@dataclass
class PureResult:
    """Section 1's figures, kept for the verdict."""

    cold: Timings
    warm: Timings
    all_cold: float = 0.0  # median over the rounds, from a cleared memo
    all_cold_best: float = 0.0
    all_again: float = 0.0


def time_one_team(team: TeamData, runs: int, *, cold: bool) -> tuple[Timings, ...]:
    """(whole build, build_digest alone, messages alone, json.dumps baseline) over `runs`."""
    whole, digest_part, messages_part, dumps = [], [], [], []
    if not cold:
        build_digest_messages(pure_digest(team))  # warm the memo
    gc.collect()
    with cpu_meter() as ratio:
        for _ in range(runs):
            if cold:
                clear_coach_memo()
            start = time.perf_counter()
            digest = pure_digest(team)
            middle = time.perf_counter()
            messages = build_digest_messages(digest)
            end = time.perf_counter()
            json.dumps(messages)
            dumped = time.perf_counter()
            whole.append(end - start)
            digest_part.append(middle - start)
            messages_part.append(end - middle)
            dumps.append(dumped - end)
    cpu = ratio[0]
    return (
        Timings(tuple(whole), cpu),
        Timings(tuple(digest_part), cpu),
        Timings(tuple(messages_part), cpu),
        Timings(tuple(dumps), cpu),
    )


@dataclass(frozen=True)
class Pass:
    """Every team built once, one after the other."""

    label: str
    per_team: Timings  # build_digest + build_digest_messages of each team
    dumps: float  # json.dumps of each team's messages, interleaved, in all
    memo: tuple[int, int]  # the coach memo's hits and misses during the pass

    @property
    def total(self) -> float:
        """The teams' build times summed (the interleaved json.dumps left out)."""
        return self.per_team.total


def time_all_teams(label: str, teams: Sequence[TeamData]) -> Pass:
    """Every team once; nothing is kept, as in the clock process."""
    per_team: list[float] = []
    dumps = 0.0
    hits, misses = coach_hits_misses()
    gc.collect()
    with cpu_meter() as ratio:
        for team in teams:
            start = time.perf_counter()
            messages = build_digest_messages(pure_digest(team))
            built = time.perf_counter()
            json.dumps(messages)
            dumps += time.perf_counter() - built
            per_team.append(built - start)
    after_hits, after_misses = coach_hits_misses()
    memo = (after_hits - hits, after_misses - misses)
    return Pass(label, Timings(tuple(per_team), ratio[0]), dumps, memo)


def limit_problems(
    outputs: Iterable[Sequence[dict[str, Any]]],
) -> tuple[int, int, int, list[str]]:
    """(digests, messages, largest block count, the first few problems) over many digests."""
    digests = messages = most_blocks = 0
    problems: list[str] = []
    for digest_messages in outputs:
        digests += 1
        for message in digest_messages:
            messages += 1
            most_blocks = max(most_blocks, len(message.get("blocks") or []))
            for problem in message_errors(text=message.get("text"), blocks=message.get("blocks")):
                if len(problems) < 5:
                    problems.append(problem)
    return digests, messages, most_blocks, problems


def section_pure(teams: Sequence[TeamData], runs: int, rounds: int) -> PureResult:
    """Section 1: the digest built from in-memory snapshots."""
    section_title(
        "1. Pure: build_digest + build_digest_messages, "
        f"{OBJECTIVES_PER_TEAM} objectives × {KRS_PER_OBJECTIVE} KRs × {WEEKS} weeks"
    )
    team = teams[0]
    cold = time_one_team(team, runs, cold=True)
    warm = time_one_team(team, runs, cold=False)
    rows = []
    for label, (whole, digest_part, messages_part, dumps) in (
        ("memo cold", cold),
        ("memo warm", warm),
    ):
        rows.append(
            (
                f"one team, {label} (x{runs})",
                ms(whole.median),
                ms(whole.p95),
                ms(whole.worst),
                ms(dumps.median),
                f"{whole.median / dumps.median:.1f}x" if dumps.median else "-",
                f"{whole.cpu_ratio:.2f}",
                f"≤ {TARGET_ONE_MS:g} ms: median {verdict(whole.median <= TARGET_ONE_MS / 1000)}"
                f", p95 {verdict(whole.p95 <= TARGET_ONE_MS / 1000)}",
            )
        )
        rows.append(
            (
                "  of which build_digest / messages",
                f"{ms(digest_part.median)} / {ms(messages_part.median)}",
                f"{ms(digest_part.p95)} / {ms(messages_part.p95)}",
                "",
                "",
                "",
                "",
                "",
            )
        )
    print_table(
        (
            "what",
            "median",
            "p95",
            "max",
            "json.dumps median",
            "build/json",
            "cpu/wall",
            "target",
        ),
        rows,
    )

    passes = []
    for number in range(1, rounds + 1):
        clear_coach_memo()
        passes.append(time_all_teams(f"round {number}, from a cleared memo", teams))
    passes.append(time_all_teams("again right after (memo as left)", teams))
    n = len(teams)
    cold_totals = [p.total for p in passes[:-1]]
    print()
    print_table(
        (
            f"{n} teams, one after the other",
            "in all (build)",
            "per team median",
            "p95",
            "max",
            "json.dumps in all",
            "build/json",
            "coach memo hits / misses",
            "cpu/wall",
            f"target ≤ {TARGET_ALL_S:g} s",
        ),
        [
            (
                one.label,
                f"{one.total:.3f} s",
                ms(one.per_team.median),
                ms(one.per_team.p95),
                ms(one.per_team.worst),
                f"{one.dumps:.3f} s",
                f"{one.total / one.dumps:.1f}x" if one.dumps else "-",
                f"{one.memo[0]:,} / {one.memo[1]:,}",
                f"{one.per_team.cpu_ratio:.2f}",
                verdict(one.total <= TARGET_ALL_S),
            )
            for one in passes
        ],
    )
    print(
        f"from a cleared memo, {rounds} round(s): median {statistics.median(cold_totals):.3f} s, "
        f"best {min(cold_totals):.3f} s"
    )
    distinct = len({kr.title for t in teams for kr in t.key_results})
    info = coach_rules._cached_key_result.cache_info()
    print(
        f"distinct key result titles: {distinct:,} (the memo holds {info.maxsize:,}); "
        f"one team has {len(team.key_results)}"
    )
    digests, messages, most_blocks, problems = limit_problems(
        build_digest_messages(pure_digest(t)) for t in teams
    )
    print(
        f"Block Kit limits (message_errors): {digests:,} digests, {messages:,} messages, "
        f"at most {most_blocks} blocks in one; problems: {len(problems) or 'none'}"
    )
    for problem in problems:
        print(f"  ! {problem}")

    worst = worst_case_team()
    worst_messages = build_digest_messages(pure_digest(worst))
    _, worst_count, worst_blocks, worst_problems = limit_problems([worst_messages])
    summary = worst_messages[0]["blocks"][2]["text"]["text"]
    cut = summary.endswith("…")
    print(
        f"worst case (80-char name, 150/200-char titles full of '&', all 48 KRs off track): "
        f"{worst_count} message(s), at most {worst_blocks} blocks, problems: "
        f"{len(worst_problems) or 'none'}; summary {len(summary):,} chars"
        + (f", cut with '…', ends {summary[-40:]!r}" if cut else ", not cut")
    )
    for problem in worst_problems:
        print(f"  ! {problem}")
    return PureResult(
        cold=cold[0],
        warm=warm[0],
        all_cold=statistics.median(cold_totals),
        all_cold_best=min(cold_totals),
        all_again=passes[-1].total,
    )


# ---------------------------------------------------------------------------------- 2. database


@dataclass
class DatabaseResult:
    """Section 2's figures."""

    core: Timings
    whole: Timings
    first_call: float
    mismatches: int
    pure_median: float


def section_database(db_path: Path, teams: Sequence[TeamData], pure: PureResult) -> DatabaseResult:
    """Section 2: each team's digest loaded from SQLite, as the dispatcher builds it."""
    section_title(f"2. From the database: team_digest + build_digest_messages, {len(teams)} teams")
    db = Database(f"sqlite:///{db_path}")
    core: list[float] = []
    whole: list[float] = []
    loaded: list[list[dict[str, Any]]] = []
    mismatches = 0
    try:
        clear_coach_memo()
        start = time.perf_counter()
        with db.read() as session:
            team_row = session.get(Team, teams[0].index)
            assert team_row is not None
            build_digest_messages(_loaded(session, team_row))
        first_call = time.perf_counter() - start
        clear_coach_memo()
        gc.collect()
        with cpu_meter() as ratio:
            for team in teams:
                opened = time.perf_counter()
                with db.read() as session:
                    team_row = session.get(Team, team.index)
                    assert team_row is not None
                    begin = time.perf_counter()
                    messages = build_digest_messages(_loaded(session, team_row))
                    core.append(time.perf_counter() - begin)
                whole.append(time.perf_counter() - opened)
                loaded.append(messages)
    finally:
        db.dispose()
    for team, messages in zip(teams, loaded, strict=True):
        if messages != build_digest_messages(pure_digest(team)):
            mismatches += 1
    result = DatabaseResult(
        core=Timings(tuple(core), ratio[0]),
        whole=Timings(tuple(whole), ratio[0]),
        first_call=first_call,
        mismatches=mismatches,
        pure_median=pure.cold.median,
    )
    n = len(teams)
    print_table(
        (
            "per team (own read session)",
            "median",
            "p95",
            "max",
            f"in all ({n})",
            "pure cold median",
            "db/pure",
            "cpu/wall",
        ),
        [
            (
                "team_digest + messages",
                ms(result.core.median),
                ms(result.core.p95),
                ms(result.core.worst),
                f"{result.core.total:.3f} s",
                ms(result.pure_median),
                f"{result.core.median / result.pure_median:.2f}x" if result.pure_median else "-",
                f"{result.core.cpu_ratio:.2f}",
            ),
            (
                "  + session, get(Team), close",
                ms(result.whole.median),
                ms(result.whole.p95),
                ms(result.whole.worst),
                f"{result.whole.total:.3f} s",
                "",
                "",
                "",
            ),
        ],
    )
    print(
        f"first call (connect, compile the queries): {ms(first_call)}; messages equal to the "
        f"pure build's: {n - mismatches}/{n}"
        + ("" if not mismatches else "  <-- MISMATCH: the seed and the load disagree")
    )
    print(
        f"{n} teams in all: {result.core.total:.3f} s (target ≤ {TARGET_ALL_S:g} s for the build: "
        f"{verdict(result.core.total <= TARGET_ALL_S)}, with sessions "
        f"{verdict(result.whole.total <= TARGET_ALL_S)})"
    )
    step_breakdown(db_path, teams[:BREAKDOWN_TEAMS])
    return result


def step_breakdown(db_path: Path, teams: Sequence[TeamData]) -> None:
    """`team_digest`'s steps one by one (the same calls it makes), each team from a cleared
    coach memo, next to the history's SELECT run with `sqlite3` alone."""
    steps: dict[str, list[float]] = {
        "find_cycle": [],
        "team_okrs (2 queries, plain columns)": [],
        "weekly_reports (plain columns)": [],
        "  same SELECT, sqlite3 alone": [],
        "rows -> WeekReport": [],
        "build_digest": [],
        "build_digest_messages": [],
    }
    rows_per_team: list[int] = []
    db = Database(f"sqlite:///{db_path}")
    connection = sqlite3.connect(db_path)
    try:
        for team in teams:
            clear_coach_memo()
            with db.read() as session:
                row = session.get(Team, team.index)
                assert row is not None
                t0 = time.perf_counter()
                cycle = find_cycle(session, workspace_id=row.workspace_id, label=CYCLE.label)
                assert cycle is not None
                t1 = time.perf_counter()
                okrs = team_okrs(session, workspace_id=row.workspace_id, team=row, cycle=cycle)
                t2 = time.perf_counter()
                kr_ids = [kr.id for objective in okrs.objectives for kr in objective.key_results]
                found = weekly_reports(session, key_result_ids=kr_ids)
                t3 = time.perf_counter()
                histories = {
                    kr_id: [
                        WeekReport(
                            period=r[0],
                            value=r[1],
                            confidence=Confidence(r[2]) if r[2] else None,
                            skipped=r[3],
                        )
                        for r in check_ins
                    ]
                    for kr_id, check_ins in found.items()
                }
                t4 = time.perf_counter()
                digest = build_digest(
                    team_name=row.name,
                    cycle=CYCLE,
                    today=TODAY,
                    objectives=okrs.objectives,
                    histories=histories,
                )
                t5 = time.perf_counter()
                build_digest_messages(digest)
                t6 = time.perf_counter()
            marks = ",".join("?" * len(kr_ids))
            t7 = time.perf_counter()
            raw = connection.execute(
                f"SELECT * FROM check_in WHERE key_result_id IN ({marks}) ORDER BY iso_week",
                kr_ids,
            ).fetchall()
            t8 = time.perf_counter()
            rows_per_team.append(len(raw))
            for name, seconds in zip(
                steps, (t1 - t0, t2 - t1, t3 - t2, t8 - t7, t4 - t3, t5 - t4, t6 - t5), strict=True
            ):
                steps[name].append(seconds)
    finally:
        connection.close()
        db.dispose()
    print(
        f"\nteam_digest step by step, first {len(teams)} teams "
        f"({statistics.median(rows_per_team):.0f} check-in rows each), memo cleared per team:"
    )
    print_table(
        ("step", "median", "p95"),
        [(name, ms(statistics.median(v)), ms(percentile(v, 0.95))) for name, v in steps.items()],
    )


def _loaded(session: Any, team: Team) -> Digest:
    digest = team_digest(session, team=team, now=NOW)
    if digest is None:
        raise HarnessError(f"no digest for {team.name}: the cycle was not found")
    return digest


# ---------------------------------------------------------------------------------- 3. chart


def chart_spec(digest: Digest) -> ChartSpec:
    """The chart spec `digest_outgoing` builds for a digest."""
    return ChartSpec(
        title=f"{digest.team_name} · {digest.cycle_label} · week {digest.week} of {digest.weeks}",
        weeks=digest.weeks,
        current_week=digest.week,
        series=[Series(label=title, points=points) for title, points in digest.history],
    )


def blank_png(width: int = 800, height: int = 450) -> bytes:
    """The baseline: Pillow encoding a blank image of the chart's size."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#FFFFFF").save(buffer, format="PNG")
    return buffer.getvalue()


def section_chart(team: TeamData, runs: int) -> Timings:
    """Section 3: one team's progress chart."""
    digest = pure_digest(team)
    spec = chart_spec(digest)
    section_title(
        f"3. One chart: render_progress_chart, {len(spec.series)} series × {spec.weeks} weeks"
    )
    start = time.perf_counter()
    png = render_progress_chart(spec)
    first = time.perf_counter() - start
    charts: list[float] = []
    blanks: list[float] = []
    gc.collect()
    with cpu_meter() as ratio:
        for _ in range(runs):
            start = time.perf_counter()
            render_progress_chart(spec)
            middle = time.perf_counter()
            blank_png()
            charts.append(middle - start)
            blanks.append(time.perf_counter() - middle)
    chart, blank = Timings(tuple(charts), ratio[0]), Timings(tuple(blanks), ratio[0])
    print_table(
        ("what", "median", "p95", "max", "blank PNG median", "chart/blank", "cpu/wall", "target"),
        [
            (
                f"chart 800×450 (x{runs})",
                ms(chart.median),
                ms(chart.p95),
                ms(chart.worst),
                ms(blank.median),
                f"{chart.median / blank.median:.1f}x" if blank.median else "-",
                f"{chart.cpu_ratio:.2f}",
                f"≤ {TARGET_CHART_MS:g} ms: median "
                f"{verdict(chart.median <= TARGET_CHART_MS / 1000)}, "
                f"p95 {verdict(chart.p95 <= TARGET_CHART_MS / 1000)}",
            )
        ],
    )
    points = sum(1 for s in spec.series for p in s.points if p is not None)
    print(f"first render (fonts load): {ms(first)}; PNG {len(png):,} bytes; {points} points drawn")
    return chart


# ---------------------------------------------------------------------------------- 4. the tick


@dataclass
class TickRun:
    """One `okrbot tick` subprocess and what the stand-in saw."""

    label: str
    teams: int
    seed_seconds: float = 0.0
    wall: float = 0.0
    exit_code: int | None = None
    peak_rss_kb: int = 0  # VmHWM, reported by the tick itself at exit
    wait4_maxrss_kb: int = 0  # ru_maxrss from os.wait4: includes the spawner's peak RSS
    spawner_hwm_kb: int = 0  # this process's peak RSS (VmHWM) when it spawned the tick
    cpu_seconds: float = 0.0
    rss_first_digest_kb: int | None = None
    hwm_first_digest_kb: int | None = None  # the peak so far, when the first digest is seen
    rss_last_kb: int | None = None
    digests: int = 0
    wrong_digests: int = 0
    channels_with_digest: int = 0
    uploads: int = 0
    good_uploads: int = 0
    thread_replies: int = 0
    post_errors: int = 0
    report: str = ""
    warnings: list[str] = field(default_factory=list)
    stderr_tail: str = ""


def _memory_kb(pid: int) -> tuple[int, int] | None:
    """The process's (VmRSS, VmHWM: its peak so far) in KiB, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.MULTILINE)
    hwm = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
    return (int(rss.group(1)), int(hwm.group(1))) if rss and hwm else None


def _tick_env(standin: SlackStandIn, db_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SLACK_") and key not in ("DATABASE_URL", "LOG_LEVEL")
    }
    env.update(
        SLACK_BOT_TOKEN=standin.bot_token,
        SLACK_API_URL=standin.api_url,
        DATABASE_URL=f"sqlite:///{db_path}",
        SLACK_POSTS_PER_SECOND="10000",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def _posted_digests(standin: SlackStandIn) -> int:
    return sum(
        1
        for call in standin.calls_to("chat.postMessage")
        if call.status == 200 and not call.args.get("thread_ts")
    )


def run_tick(
    label: str, teams: Sequence[TeamData], db_path: Path, workdir: Path, seed_seconds: float
) -> TickRun:
    """Run `okrbot tick` on the seeded file against a fresh stand-in, and analyse."""
    run = TickRun(label=label, teams=len(teams), seed_seconds=seed_seconds)
    channels = {team.channel: team for team in teams}
    standin = SlackStandIn(team_id=WORKSPACE_SLACK_ID)
    for team in teams:
        standin.add_channel(team.channel, name=f"okr-{team.index:03d}")
        for member in team.members:
            standin.add_user(member, name=member.lower(), tz=TIMEZONE)
    stem = "tick-" + re.sub(r"\W+", "-", label).strip("-")
    out_path, err_path = workdir / f"{stem}.stdout", workdir / f"{stem}.stderr"
    deadline = 60 + 0.6 * len(teams)
    with standin, out_path.open("wb") as out, err_path.open("wb") as err:
        spawner = _memory_kb(os.getpid())
        run.spawner_hwm_kb = spawner[1] if spawner else 0
        started = time.perf_counter()
        # cwd is the work directory, so no stray `.env` can configure the tick.
        process = subprocess.Popen(
            [sys.executable, "-c", _TICK, "tick", "--now", NOW.isoformat()],
            cwd=workdir,
            env=_tick_env(standin, db_path),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        try:
            next_progress = started + PROGRESS_EVERY_SECONDS
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    run.wall = time.perf_counter() - started
                    run.exit_code = os.waitstatus_to_exitcode(status)
                    process.returncode = run.exit_code
                    run.wait4_maxrss_kb = usage.ru_maxrss
                    run.cpu_seconds = usage.ru_utime + usage.ru_stime
                    break
                memory = _memory_kb(process.pid)
                if memory is not None:
                    run.rss_last_kb = memory[0]
                    if run.rss_first_digest_kb is None and _posted_digests(standin):
                        run.rss_first_digest_kb, run.hwm_first_digest_kb = memory
                now = time.perf_counter()
                if now - started > deadline:
                    raise HarnessError(f"{label}: the tick did not finish within {deadline:.0f} s")
                if now >= next_progress:
                    next_progress += PROGRESS_EVERY_SECONDS
                    print(
                        f"  [{label}] {now - started:4.0f} s: {_posted_digests(standin)}"
                        f"/{len(teams)} digests posted",
                        flush=True,
                    )
                time.sleep(SAMPLE_EVERY_SECONDS)
        finally:
            if process.returncode is None:
                process.kill()
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(process.pid, 0)
                process.returncode = -9
        calls = standin.calls_to("chat.postMessage")
        run.post_errors = sum(1 for c in calls if c.status != 200 or not c.response.get("ok"))
        seen: set[str] = set()
        for message in standin.messages():
            if message.get("source") != "chat.postMessage" or message["channel"] not in channels:
                continue
            if message.get("thread_ts"):
                run.thread_replies += 1
                continue
            run.digests += 1
            team = channels[message["channel"]]
            text = message.get("text") or ""
            if team.name not in text or f"week {WEEKS} of {WEEKS}" not in text:
                run.wrong_digests += 1
            seen.add(message["channel"])
        run.channels_with_digest = len(seen)
        for upload in standin.uploads():
            run.uploads += 1
            data = upload.get("bytes") or b""
            if (
                upload["completed"]
                and upload["channel"] in channels
                and upload.get("thread_ts")
                and data.startswith(b"\x89PNG")
            ):
                run.good_uploads += 1
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    reports = [line for line in stdout.splitlines() if line.startswith("tick at ")]
    if reports:
        # "planned 500, closed 0, sent 500, ...": keep the counts that are not zero.
        counts = reports[-1].split(": ", 1)[-1].split(", ")
        run.report = ", ".join(c for c in counts if not c.endswith(" 0")) or "nothing"
    else:
        run.report = "(no report)"
    hwm = re.search(r"^bench-digest-memory VmHWM:\s+(\d+) kB", stderr, re.MULTILINE)
    run.peak_rss_kb = int(hwm.group(1)) if hwm else 0
    run.warnings = [
        line for line in stderr.splitlines() if re.search(r"WARNING|ERROR|Traceback", line)
    ]
    run.stderr_tail = stderr[-2000:]
    if run.exit_code != 0:
        raise HarnessError(f"{label}: okrbot tick exited with {run.exit_code}:\n{run.stderr_tail}")
    return run


def print_ticks(
    runs: Sequence[TickRun], baseline: TickRun | None, main: TickRun, idle: TickRun | None
) -> None:
    """The tick runs side by side, then peak RSS of the main run over the baselines'."""
    rows: list[tuple[str, Callable[[TickRun], str]]] = [
        ("teams (digest channels)", lambda r: f"{r.teams:,}"),
        ("seeding the file", lambda r: f"{r.seed_seconds:.1f} s" if r.seed_seconds else "-"),
        ("tick wall time", lambda r: f"{r.wall:.1f} s"),
        ("tick CPU time (user + system)", lambda r: f"{r.cpu_seconds:.1f} s"),
        (
            "wall per digest (incl. start-up)",
            lambda r: ms(r.wall / r.digests) if r.digests else "-",
        ),
        (
            "digests posted / channels reached",
            lambda r: f"{r.digests:,} / {r.channels_with_digest:,}",
        ),
        ("digests with wrong team or week", lambda r: str(r.wrong_digests)),
        ("thread replies (pages 2+)", lambda r: str(r.thread_replies)),
        ("chart uploads / PNG in the thread", lambda r: f"{r.uploads:,} / {r.good_uploads:,}"),
        ("chat.postMessage errors", lambda r: str(r.post_errors)),
        ("tick report", lambda r: r.report),
        ("warnings on stderr", lambda r: str(len(r.warnings))),
        (
            "RSS / peak so far at the first digest",
            lambda r: f"{mb(r.rss_first_digest_kb)} / {mb(r.hwm_first_digest_kb)}",
        ),
        ("RSS at the last sample", lambda r: mb(r.rss_last_kb)),
        ("peak RSS (VmHWM at exit)", lambda r: mb(r.peak_rss_kb)),
        (
            "  wait4 ru_maxrss / spawner's peak",
            lambda r: f"{mb(r.wait4_maxrss_kb)} / {mb(r.spawner_hwm_kb)}",
        ),
    ]
    print_table(
        ("okrbot tick", *(run.label for run in runs)),
        [(name, *(value(run) for run in runs)) for name, value in rows],
    )
    for run in runs:
        for line in run.warnings[:5]:
            print(f"  [{run.label}] stderr: {line[:200]}")
    if baseline is not None:
        print(
            f"peak RSS, {main.label} / {baseline.label}: "
            f"{main.peak_rss_kb / max(baseline.peak_rss_kb, 1):.2f} for "
            f"{main.teams / max(baseline.teams, 1):.0f}x the teams "
            f"({mb(main.peak_rss_kb - baseline.peak_rss_kb)} more); "
            f"wall time {main.wall / max(baseline.wall, 1e-9):.1f}x"
        )
    if idle is not None:
        print(
            f"peak RSS, {main.label} / a tick with nothing due: "
            f"{main.peak_rss_kb / max(idle.peak_rss_kb, 1):.2f} "
            f"({mb(main.peak_rss_kb - idle.peak_rss_kb)} for sending the digests)"
        )


# ---------------------------------------------------------------------------------- main


@contextlib.contextmanager
def work_root(keep: bool) -> Iterator[Path]:
    """A private temporary directory, removed on exit unless `keep`."""
    root = Path(tempfile.mkdtemp(prefix="okrbot-digest-"))
    try:
        yield root
    finally:
        if keep:
            print(f"kept the work directory: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def _terminate(signum: int, _frame: object) -> None:
    # Unwind through the `finally` blocks: the tick is killed, the directory removed.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the four sections and print the verdicts; 1 if the harness failed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--teams", type=int, default=500, help="teams (500)")
    parser.add_argument("--runs", type=int, default=200, help="runs of the one-team build (200)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="passes over all teams from a cleared memo (3)"
    )
    parser.add_argument("--chart-runs", type=int, default=50, help="chart renders (50)")
    parser.add_argument(
        "--baseline-teams", type=int, default=50, help="teams of the baseline tick (50; 0 skips it)"
    )
    parser.add_argument("--skip-tick", action="store_true", help="skip section 4")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does it still run?")
    args = parser.parse_args(argv)
    if args.smoke:
        args.teams, args.runs, args.rounds, args.chart_runs = 2, 2, 1, 1
        args.baseline_teams = 0
    if min(args.teams, args.runs, args.rounds, args.chart_runs) < 1:
        parser.error("need at least one team, run, round and chart run")
    signal.signal(signal.SIGTERM, _terminate)
    print(
        f"digest of {NOW.isoformat()} ({TODAY:%A %Y-%m-%d} 16:00 in {TIMEZONE}), cycle "
        f"{CYCLE.label} ({PERIODS[0]}..{PERIODS[-1]}); app from "
        f"{Path(coach_rules.__file__).resolve().parents[2]}; Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs",
        flush=True,
    )
    started = time.perf_counter()
    teams = [make_team(index) for index in range(1, args.teams + 1)]
    generated = time.perf_counter() - started
    krs = sum(len(team.key_results) for team in teams)
    print(f"generated {len(teams):,} teams, {krs:,} key results in {generated:.1f} s", flush=True)
    try:
        with work_root(args.keep) as root:
            main_db = root / "digest.db"
            seconds, check_ins = seed(main_db, teams)
            print(
                f"seeded {main_db.name}: {len(teams):,} teams, {krs:,} key results, "
                f"{check_ins:,} check-ins in {seconds:.1f} s "
                f"({main_db.stat().st_size / 1e6:.0f} MB)",
                flush=True,
            )
            pure = section_pure(teams, args.runs, args.rounds)
            database = section_database(main_db, teams, pure)
            chart = section_chart(teams[0], args.chart_runs)
            ticks: list[TickRun] = []
            baseline_tick = idle_tick = None
            if not args.skip_tick:
                section_title(
                    f"4. The clock's memory: okrbot tick --now {NOW.isoformat()} "
                    "against the stand-in"
                )
                small = min(args.baseline_teams, len(teams))
                if small > 0 and small < len(teams):
                    small_db = root / "digest-small.db"
                    small_seconds, _ = seed(small_db, teams[:small])
                    print(f"  [{small} teams] running the tick...", flush=True)
                    baseline_tick = run_tick(
                        f"{small} teams", teams[:small], small_db, root, small_seconds
                    )
                    ticks.append(baseline_tick)
                print(f"  [{len(teams)} teams] running the tick...", flush=True)
                ticks.append(run_tick(f"{len(teams)} teams", teams, main_db, root, seconds))
                print(f"  [{len(teams)} teams] the same tick again: nothing due", flush=True)
                idle_tick = run_tick(f"{len(teams)} teams, again (idle)", teams, main_db, root, 0)
                ticks.append(idle_tick)
                print()
                print_ticks(ticks, baseline_tick, ticks[-2], idle_tick)
    except HarnessError as failure:
        print(f"harness failure: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

    n = len(teams)
    print("\n== Verdict ==")
    print(
        f"one team ≤ {TARGET_ONE_MS:g} ms: cold memo median {ms(pure.cold.median)} / p95 "
        f"{ms(pure.cold.p95)} -> {verdict(pure.cold.p95 <= TARGET_ONE_MS / 1000)}; warm memo "
        f"median {ms(pure.warm.median)} / p95 {ms(pure.warm.p95)} -> "
        f"{verdict(pure.warm.p95 <= TARGET_ONE_MS / 1000)}; from SQLite median "
        f"{ms(database.core.median)} / p95 {ms(database.core.p95)} -> "
        f"{verdict(database.core.p95 <= TARGET_ONE_MS / 1000)} (load + build)"
    )
    print(
        f"{n} teams ≤ {TARGET_ALL_S:g} s: pure, cleared memo, median of rounds "
        f"{pure.all_cold:.2f} s (best {pure.all_cold_best:.2f} s) -> "
        f"{verdict(pure.all_cold <= TARGET_ALL_S)}; pure, memo as left {pure.all_again:.2f} s -> "
        f"{verdict(pure.all_again <= TARGET_ALL_S)}; from SQLite {database.core.total:.2f} s -> "
        f"{verdict(database.core.total <= TARGET_ALL_S)}"
    )
    print(
        f"one chart ≤ {TARGET_CHART_MS:g} ms: median {ms(chart.median)} / p95 {ms(chart.p95)} "
        f"-> {verdict(chart.p95 <= TARGET_CHART_MS / 1000)}"
    )
    if ticks:
        main_tick = ticks[-2]
        complete = main_tick.digests == n and main_tick.good_uploads == n
        print(
            f"clock with {n} teams: peak RSS {mb(main_tick.peak_rss_kb)} (reported), "
            f"{main_tick.digests}/{n} digests and {main_tick.good_uploads}/{n} charts posted "
            f"in {main_tick.wall:.1f} s" + ("" if complete else "  <-- INCOMPLETE")
        )
    print(f"total time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
