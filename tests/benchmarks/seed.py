"""A large, realistic okrbot database for the benchmarks: 500 teams, 20,000 key results.

One workspace (`T0001`), 500 teams named `Team 001` ... `Team 500`, 3 or 4 members each
(the first one the team's admin), 10 objectives per team in the current quarter's cycle and
4 key results per objective. Rows go in with SQLAlchemy Core bulk inserts inside one
`Database.write()` transaction, after `ensure_schema`, so seeding takes about a second.
No `ANALYZE` is run: the app never runs it, so SQLite plans its queries without statistics,
as it would in production.

The seeded file is cached under the temporary directory, keyed by `SEED_VERSION`, the
schema's head revision and today's date (the cycle is today's quarter); `seeded_copy()`
hands out a private copy so a benchmark can never alter the cache.

Run it alone to (re)build the cache and print where it is:

    .venv/bin/python tests/benchmarks/seed.py [--force]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from app.db import Database
from app.db.migrate import ensure_schema, head_revision
from app.db.models import Cycle, KeyResult, Member, Objective, Team, TeamMembership, Workspace
from app.domain.cycles import quarter_of
from app.domain.types import KRKind

SEED_VERSION = 2
WORKSPACE_SLACK_ID = "T0001"
TEAMS = 500
OBJECTIVES_PER_TEAM = 10
KEY_RESULTS_PER_OBJECTIVE = 4
CACHE_DIR = Path(tempfile.gettempdir()) / "okrbot-bench"

_TIMEZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London")
_FIRST_NAMES = (
    "Alice", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Gustav", "Hana", "Ivan", "Jia",
    "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
)  # fmt: skip
_LAST_NAMES = (
    "Adams", "Berg", "Costa", "Dubois", "Eze", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
    "Kim", "Larsen", "Moreau", "Nowak", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Weber",
)  # fmt: skip

# (title, description) of objectives: qualitative directions.
_OBJECTIVES = (
    ("Make onboarding effortless for new customers", "New accounts should reach value in a day."),
    ("Become the fastest checkout in our market", ""),
    ("Earn the trust of enterprise buyers", "Security reviews should be a formality."),
    ("Turn support into a reason people stay", ""),
    ("Ship with confidence every day", "Small changes, released often, rarely rolled back."),
    ("Grow a healthy self-serve pipeline", ""),
    ("Make our data something people rely on", "Dashboards that are right and on time."),
    ("Build a team people want to join", ""),
    ("Cut the cost of running the platform", "Spend less per customer without slowing down."),
    ("Delight mobile users", ""),
    ("Open the European market", "A first foothold in Germany and France."),
    ("Keep the product fast as we grow", ""),
)

# (title, kind, start, target, unit): outcomes with a number.
_KEY_RESULTS: tuple[tuple[str, KRKind, float | None, float, str], ...] = (
    ("Raise onboarding completion", KRKind.increase, 60, 85, "%"),
    ("Cut median time to first value", KRKind.decrease, 36, 8, "hours"),
    ("Grow weekly active teams", KRKind.increase, 1200, 1800, "teams"),
    ("Reduce p95 checkout latency", KRKind.decrease, 850, 400, "ms"),
    ("Keep API availability", KRKind.stay_above, None, 99.9, "%"),
    ("Keep the support backlog", KRKind.stay_below, None, 40, "tickets"),
    ("Lift trial-to-paid conversion", KRKind.increase, 4.5, 7, "%"),
    ("Raise net revenue retention", KRKind.increase, 104, 112, "%"),
    ("Pass the SOC 2 Type II audit", KRKind.milestone, None, 1, ""),
    ("Cut monthly infrastructure spend", KRKind.decrease, 48000, 39000, "$"),
    ("Raise CSAT on support tickets", KRKind.increase, 4.1, 4.6, "points"),
    ("Launch the Android app in three markets", KRKind.milestone, None, 1, ""),
    ("Grow qualified self-serve signups", KRKind.increase, 900, 1500, "signups"),
    ("Reduce change failure rate", KRKind.decrease, 18, 8, "%"),
    ("Cut time from merge to production", KRKind.decrease, 3, 0.5, "days"),
    ("Raise the offer acceptance rate", KRKind.increase, 55, 75, "%"),
)


@dataclass(frozen=True)
class SeededUser:
    """A seeded Slack user and the team whose OKRs `/okr list` shows them."""

    slack_user_id: str
    team_name: str


@dataclass(frozen=True)
class SeedInfo:
    """What a benchmark needs to know about a seeded database."""

    path: Path
    workspace: str
    teams: int
    members: int
    objectives: int
    key_results: int
    cycle_labels: tuple[str, ...]
    users: tuple[SeededUser, ...]
    seconds_to_seed: float

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the file."""
        return f"sqlite:///{self.path}"


def team_name(index: int) -> str:
    """`Team 001` for index 1."""
    return f"Team {index:03d}"


def member_id_of(team: int, n: int) -> str:
    """Slack user id of the `n`-th member (1-based) of team `team`: `U0421` for team 42, n 1."""
    return f"U{team:03d}{n}"


def _members_in(team: int) -> int:
    return 3 + team % 2


def _rows(now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """Every row to insert, with explicit ids so nothing has to be read back."""
    rng = random.Random(SEED_VERSION)
    rows: dict[str, list[dict[str, Any]]] = {
        name: [] for name in ("cycle", "member", "team", "membership", "objective", "kr")
    }
    cycle_ids: dict[str, int] = {}
    member_id = objective_id = kr_id = 0
    company_objectives: list[int] = []
    for team in range(1, TEAMS + 1):
        timezone = _TIMEZONES[team % len(_TIMEZONES)]
        # /okr list looks the cycle up by the team's local date: seed exactly that quarter.
        span = quarter_of(now.astimezone(_zone(timezone)).date())
        if span.label not in cycle_ids:
            cycle_ids[span.label] = len(cycle_ids) + 1
            rows["cycle"].append(
                {
                    "id": cycle_ids[span.label],
                    "workspace_id": 1,
                    "label": span.label,
                    "start_date": span.start,
                    "end_date": span.end,
                    "closed_at": None,
                }
            )
        rows["team"].append(
            {
                "id": team,
                "workspace_id": 1,
                "name": team_name(team),
                "name_key": team_name(team).casefold(),
                "digest_channel": f"C{team:07d}",
                "timezone": timezone,
                "checkin_weekday": team % 5,
                "checkin_time": dt.time(9 + team % 3, 0),
                "digest_weekday": 4,
                "digest_time": dt.time(16, 0),
                "created_at": now,
                "updated_at": now,
            }
        )
        team_members: list[int] = []
        for n in range(1, _members_in(team) + 1):
            member_id += 1
            team_members.append(member_id)
            first = _FIRST_NAMES[(team + n) % len(_FIRST_NAMES)]
            last = _LAST_NAMES[(team * 7 + n) % len(_LAST_NAMES)]
            rows["member"].append(
                {
                    "id": member_id,
                    "workspace_id": 1,
                    "slack_user_id": member_id_of(team, n),
                    "display_name": f"{first} {last}",
                    "timezone": timezone,
                    "created_at": now,
                }
            )
            rows["membership"].append(
                {
                    "workspace_id": 1,
                    "team_id": team,
                    "member_id": member_id,
                    "is_admin": n == 1,
                    "joined_at": now,
                }
            )
        for position in range(OBJECTIVES_PER_TEAM):
            objective_id += 1
            title, description = _OBJECTIVES[(team + position) % len(_OBJECTIVES)]
            # Team 001 plays the company; every other team aligns its first objective to it.
            parent = None
            if team == 1:
                company_objectives.append(objective_id)
            elif position == 0:
                parent = company_objectives[team % len(company_objectives)]
            rows["objective"].append(
                {
                    "id": objective_id,
                    "workspace_id": 1,
                    "team_id": team,
                    "cycle_id": cycle_ids[span.label],
                    "title": title,
                    "description": description,
                    "owner_id": rng.choice(team_members),
                    "parent_id": parent,
                    "status": "active",
                    "position": position,
                    "created_at": now,
                    "updated_at": now,
                    "archived_at": None,
                }
            )
            for kr_position in range(KEY_RESULTS_PER_OBJECTIVE):
                kr_id += 1
                rows["kr"].append(
                    _key_result_row(rng, kr_id, objective_id, kr_position, team_members, now)
                )
    return rows


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _key_result_row(
    rng: random.Random,
    kr_id: int,
    objective_id: int,
    position: int,
    team_members: list[int],
    now: dt.datetime,
) -> dict[str, Any]:
    title, kind, start, target, unit = rng.choice(_KEY_RESULTS)
    if kind == KRKind.milestone:
        current: float = float(rng.random() < 0.3)
        start_value, target_value = None, 1.0
    elif kind in (KRKind.stay_above, KRKind.stay_below):
        wobble = abs(target) * rng.uniform(-0.05, 0.05)
        current = round(target + wobble, 2)
        start_value, target_value = None, float(target)
    else:
        assert start is not None
        current = round(start + (target - start) * rng.uniform(-0.1, 1.1), 2)
        start_value, target_value = float(start), float(target)
    return {
        "id": kr_id,
        "workspace_id": 1,
        "objective_id": objective_id,
        "title": title,
        "owner_id": rng.choice(team_members) if rng.random() < 0.9 else None,
        "kind": kind.value,
        "start_value": start_value,
        "target_value": target_value,
        "current_value": current,
        "unit": unit,
        "status": "active",
        "position": position,
        "created_at": now,
        "updated_at": now,
        "archived_at": None,
    }


def seed_database(path: Path, *, now: dt.datetime | None = None) -> SeedInfo:
    """Create and fill a fresh SQLite file at `path` (which must not exist)."""
    started = time.perf_counter()
    counts = fill_database(f"sqlite:///{path}", now=now)
    return SeedInfo(path=path, seconds_to_seed=time.perf_counter() - started, **counts)


def fill_database(url: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Migrate the empty database at `url` and insert the seeded rows; what it holds.

    Any backend the app supports: `bench_scale.py` fills a PostgreSQL database with it.
    The rows carry explicit ids, so on PostgreSQL the id sequences are moved past them
    afterwards (or the app's first insert of a member would collide with member 1), and
    `VACUUM ANALYZE` runs, as autovacuum soon would. SQLite gets no `ANALYZE`: the app never
    runs it.
    """
    now = now or dt.datetime.now(dt.UTC)
    rows = _rows(now)
    db = Database(url)
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
                        "name": "Benchmark Workspace",
                        "created_at": now,
                    }
                ],
            )
            for model, key in _TABLES:
                session.execute(insert(model.__table__), rows[key])  # type: ignore[attr-defined]
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                for model, _key in ((Workspace, "workspace"), *_TABLES):
                    table = model.__tablename__
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
            # What autovacuum does to freshly loaded tables within a minute or so: without
            # statistics the planner guesses, and it would run during the measurement.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
    finally:
        db.dispose()
    users = tuple(
        SeededUser(member_id_of(team, n), team_name(team))
        for team in range(1, TEAMS + 1)
        for n in range(1, _members_in(team) + 1)
    )
    return {
        "workspace": WORKSPACE_SLACK_ID,
        "teams": len(rows["team"]),
        "members": len(rows["member"]),
        "objectives": len(rows["objective"]),
        "key_results": len(rows["kr"]),
        "cycle_labels": tuple(row["label"] for row in rows["cycle"]),
        "users": users,
    }


_TABLES = (
    (Cycle, "cycle"),
    (Member, "member"),
    (Team, "team"),
    (TeamMembership, "membership"),
    (Objective, "objective"),
    (KeyResult, "kr"),
)


def _cache_key() -> str:
    engine_probe = Database("sqlite://")
    try:
        head = head_revision(engine_probe.engine) or "none"
    finally:
        engine_probe.dispose()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    return f"v{SEED_VERSION}-{head}-{today}"


def cached_seed(*, force: bool = False) -> SeedInfo:
    """The cached seeded file, built first when missing (or when `force`)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    key = _cache_key()
    path = CACHE_DIR / f"seed-{key}.db"
    meta = CACHE_DIR / f"seed-{key}.json"
    if not force and path.exists() and meta.exists():
        data = json.loads(meta.read_text())
        data["path"] = path
        data["cycle_labels"] = tuple(data["cycle_labels"])
        data["users"] = tuple(SeededUser(**user) for user in data["users"])
        data["seconds_to_seed"] = 0.0
        return SeedInfo(**data)
    for stale in CACHE_DIR.glob("seed-*"):
        stale.unlink()
    building = path.with_suffix(".building")
    for leftover in CACHE_DIR.glob(building.name + "*"):
        leftover.unlink()
    info = seed_database(building)
    building.rename(path)
    data = asdict(info)
    data["path"] = str(path)
    meta.write_text(json.dumps(data))
    return SeedInfo(**{**asdict(info), "path": path, "users": info.users})


def seeded_copy(directory: Path, *, force: bool = False, tweak: str = "none") -> SeedInfo:
    """A private copy of the cached seeded file in `directory`, with `tweak` applied."""
    info = cached_seed(force=force)
    target = directory / "seeded.db"
    shutil.copyfile(info.path, target)
    apply_tweak(target, tweak)
    return SeedInfo(**{**asdict(info), "path": target, "users": info.users})


# What-if experiments on a private copy (never on the cache, never in the app's migrations).
DB_TWEAKS = {
    "none": (),
    # A composite index the key results query can use instead of ix_key_result_workspace_id.
    "kr-index": (
        "CREATE INDEX ix_bench_key_result_workspace_objective "
        "ON key_result (workspace_id, objective_id)",
    ),
    # Statistics for SQLite's query planner, as `ANALYZE` (or `PRAGMA optimize`) would keep.
    "analyze": ("ANALYZE",),
}


def apply_tweak(path: Path, tweak: str) -> None:
    """Run the `DB_TWEAKS[tweak]` statements on the SQLite file at `path`."""
    statements = DB_TWEAKS[tweak]
    if not statements:
        return
    connection = sqlite3.connect(path)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the cached seeded database and describe it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--force", action="store_true", help="reseed even if a cache exists")
    args = parser.parse_args(argv)
    info = cached_seed(force=args.force)
    how = f"seeded in {info.seconds_to_seed:.1f} s" if info.seconds_to_seed else "from cache"
    print(
        f"{info.path} ({how}): workspace {info.workspace}, {info.teams} teams, "
        f"{info.members} members, {info.objectives} objectives, {info.key_results} key results, "
        f"cycle {', '.join(info.cycle_labels)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
