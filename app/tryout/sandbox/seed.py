"""The sandbox's demo workspace: people and a channel in the stand-in, a team with a quarter
of OKRs and some weeks of check-in history in the database.

The team, objectives and key results go through the importer (`okrbot import`), so they obey
exactly the rules a file would; the history goes through `record_check_ins`, as the check-in
modal's answers do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select

from app.db import Database
from app.db.models import KeyResult, Member, Objective, Team
from app.domain.checkins import CheckInEntry
from app.domain.cycles import quarter_of, today_in
from app.domain.schedule import WeeklyRule, iso_period, periods_between, prompt_slot
from app.domain.types import Confidence, KRKind
from app.store.checkins import record_check_ins
from app.store.directory import ensure_member
from app.transfer.validation import validate_documents
from app.tryout.standin import SlackStandIn
from app.usecases.transfer import import_documents

TEAM_NAME = "Growth"
TEAM_ZONE = "Europe/Berlin"
# Ids shaped like Slack's (a letter and 8+ more): some Web API methods check the pattern.
CHANNEL_ID, CHANNEL_NAME = "C0GROWTH00", "growth"


@dataclass(frozen=True)
class Person:
    """A member of the demo workspace."""

    user_id: str
    name: str
    real_name: str
    admin: bool = False


ALICE = Person("U0ALICE00", "alice", "Alice Ng", admin=True)
BOB = Person("U0BOB0000", "bob", "Bob Diaz")
CAROL = Person("U0CAROL00", "carol", "Carol Chen")
PEOPLE = (ALICE, BOB, CAROL)


@dataclass(frozen=True)
class _KeyResultPlan:
    title: str
    owner: Person
    # Share of the straight line to the target reached so far: 1.0 is exactly on plan.
    pace: float
    kind: KRKind | None = None
    start: float | None = None
    unit: str | None = None


# Two task-like key results ("Launch…", "Publish…") so the coach's ⚠ shows in /okr list.
_OBJECTIVES: tuple[tuple[str, Person, tuple[_KeyResultPlan, ...]], ...] = (
    (
        "Make onboarding effortless for new teams",
        ALICE,
        (
            _KeyResultPlan("Raise onboarding completion from 60% to 85%", ALICE, 0.95),
            _KeyResultPlan("Cut time to first value from 3 days to 1 day", BOB, 0.5),
            _KeyResultPlan("Launch the new onboarding wizard", CAROL, 0.0, kind=KRKind.milestone),
        ),
    ),
    (
        "Turn the blog into a steady source of trials",
        BOB,
        (
            _KeyResultPlan("Grow trials started from the blog from 40 to 100 a month", BOB, 0.75),
            _KeyResultPlan("Publish 10 blog posts", CAROL, 1.1, start=0, unit="posts"),
            _KeyResultPlan("Raise newsletter subscribers from 1,200 to 2,000", ALICE, 0.9),
        ),
    ),
)


def add_people(standin: SlackStandIn) -> None:
    """The demo's users and the team channel, in the stand-in's directory."""
    for person in PEOPLE:
        standin.add_user(
            person.user_id,
            name=person.name,
            real_name=person.real_name,
            tz=TEAM_ZONE,
            is_admin=person.admin,
        )
    standin.add_channel(CHANNEL_ID, name=CHANNEL_NAME)


def is_empty(db: Database) -> bool:
    """True when the database holds no team yet (a fresh sandbox to seed)."""
    with db.read() as session:
        return session.exec(select(Team.id)).first() is None


def _document(workspace: str) -> dict[str, object]:
    objectives = []
    for title, owner, plans in _OBJECTIVES:
        key_results = []
        for plan in plans:
            entry: dict[str, object] = {"title": plan.title, "owner": plan.owner.user_id}
            for key in ("kind", "start", "unit"):
                value = getattr(plan, key)
                if value is not None:
                    entry[key] = str(value) if key == "kind" else value
            key_results.append(entry)
        objectives.append({"title": title, "owner": owner.user_id, "key_results": key_results})
    return {
        "workspace": workspace,
        "team": TEAM_NAME,
        "channel": CHANNEL_ID,
        "timezone": TEAM_ZONE,
        "admins": [p.user_id for p in PEOPLE if p.admin],
        "members": [p.user_id for p in PEOPLE if not p.admin],
        "objectives": objectives,
    }


def past_periods(team: Team, now: dt.datetime) -> list[str]:
    """The ISO weeks of the current quarter whose check-in prompt came before this week."""
    today = today_in(team.timezone, now)
    quarter = quarter_of(today)
    rule = WeeklyRule(team.checkin_weekday, team.checkin_time, team.timezone)
    this_week = iso_period(today)
    return [
        period
        for period in periods_between(quarter.start, today)
        if period < this_week and prompt_slot(rule, period).local_date >= quarter.start
    ]


def _value_at(kr: KeyResult, pace: float, progress: float) -> float | None:
    """Where a key result stands after `progress` (0..1) of the cycle at `pace`."""
    if kr.kind == KRKind.milestone:
        return 0.0
    if kr.target_value is None:
        return None
    start = kr.start_value if kr.start_value is not None else 0.0
    value = start + (kr.target_value - start) * min(1.0, progress * pace)
    # Whole numbers read naturally; small ranges (3 days → 1 day) keep one decimal.
    return round(value) if abs(kr.target_value - start) >= 10 else round(value, 1)


def _confidence(pace: float, week: int) -> Confidence:
    if pace == 0.0:  # a milestone not started: fine at first, then a worry
        return Confidence.on_track if week < 4 else Confidence.at_risk
    if pace >= 0.9:
        return Confidence.on_track
    return Confidence.at_risk if pace >= 0.6 else Confidence.off_track


def seed_database(db: Database, *, workspace: str, now: dt.datetime) -> list[str]:
    """Create the Growth team, its quarter of OKRs and its check-in history; returns the
    ISO weeks that got history."""
    documents = validate_documents(_document(workspace))
    import_documents(db, documents, today=now)
    plans = {plan.title: plan for _, _, group in _OBJECTIVES for plan in group}
    with db.write() as session:
        team = session.exec(select(Team)).one()
        for person in PEOPLE:
            ensure_member(
                session,
                workspace_id=team.workspace_id,
                slack_user_id=person.user_id,
                display_name=person.name,
                timezone=TEAM_ZONE,
            )
        periods = past_periods(team, now)
        total_weeks = 13
        key_results = session.exec(
            select(KeyResult)
            .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
            .where(Objective.team_id == team.id)
            .order_by(col(KeyResult.id))
        ).all()
        owners = {m.id: m for m in session.exec(select(Member)).all()}
        for week, period in enumerate(periods, start=1):
            for kr in key_results:
                plan = plans[kr.title]
                owner = owners.get(kr.owner_id)
                # Carol was away two weeks ago: a skipped week is part of a real history.
                skipped = plan.owner is CAROL and week == len(periods) - 1
                entry = CheckInEntry(
                    key_result_id=kr.id or 0,
                    value=None if skipped else _value_at(kr, plan.pace, week / total_weeks),
                    confidence=None if skipped else _confidence(plan.pace, week),
                    skipped=skipped,
                )
                record_check_ins(
                    session,
                    workspace_id=team.workspace_id,
                    author_id=owner.id if owner else None,
                    period=period,
                    entries=[entry],
                )
    return periods
