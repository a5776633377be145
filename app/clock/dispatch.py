"""Delivering check-in prompts, reminders, digests and closings exactly once.

Each tick: (1) reconcile deliveries a crashed process left half-done, (2) plan the slots
that are due into `delivery` rows — one per person, team, week and kind, a unique key —
and (3) send the pending ones. Sending is claim (one process wins the row), post (through
the `Messenger`, the message tagged with the delivery), record. A process killed between
posting and recording leaves a `sending` row; once its lease runs out, the next tick asks
the messenger for the tagged message before deciding whether to post again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from app.clock.content import delivery_content
from app.clock.outbound import Messenger, Posted, SendFailed
from app.db import Database
from app.db.models import Cycle, Delivery, DeliveryKind, DeliveryStatus, Member, Team, utcnow
from app.domain.cycles import quarter_of, today_in
from app.domain.schedule import (
    Due,
    Slot,
    SlotKind,
    WeeklyRule,
    due_state,
    slots_around,
    zone_of,
)
from app.store.checkins import has_answered, owners_of, teams_with_rhythm
from app.store.closing import close_cycle, due_for_closing, is_closed
from app.store.okrs import find_cycle
from app.store.sql import insert_or_ignore

logger = logging.getLogger("okrbot.checkins")

LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
BATCH = 200


@dataclass
class TickReport:
    """What one tick did."""

    planned: int = 0
    closed: int = 0
    sent: int = 0
    missed: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0
    reconciled: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{name} {value}" for name, value in vars(self).items())


class Pacer:
    """Spaces posts to at most `per_second` (a token bucket with a burst of one)."""

    def __init__(self, per_second: float | None, *, sleep: Callable[[float], None] = time.sleep):
        self.interval = 1.0 / per_second if per_second else 0.0
        self.sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next post may go."""
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self.sleep(start - now)


def rules_of(team: Team) -> dict[SlotKind, WeeklyRule]:
    """A team's weekly rhythm as schedule rules."""
    return {
        SlotKind.prompt: WeeklyRule(team.checkin_weekday, team.checkin_time, team.timezone),
        SlotKind.reminder: WeeklyRule(team.reminder_weekday, team.reminder_time, team.timezone),
        SlotKind.digest: WeeklyRule(team.digest_weekday, team.digest_time, team.timezone),
    }


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def slot_of(delivery: Delivery, timezone: str) -> Slot:
    """The schedule slot a delivery row was planned for."""
    at = _as_utc(delivery.slot_at)
    return Slot(
        kind=SlotKind(delivery.kind),
        period=delivery.period,
        at=at,
        local_date=at.astimezone(zone_of(timezone)).date(),
    )


@dataclass
class Dispatcher:
    """Plans and sends prompts and reminders; safe to run in several processes at once."""

    db: Database
    messenger: Messenger
    pacer: Pacer = field(default_factory=lambda: Pacer(None))
    process_id: str = field(default_factory=lambda: f"{os.getpid()}-{uuid.uuid4().hex[:8]}")
    lease: dt.timedelta = LEASE
    crash_at: str | None = None

    # ------------------------------------------------------------------ the tick

    def tick(self, now: dt.datetime) -> TickReport:
        """Do everything that is due at `now`, once."""
        report = TickReport()
        self.reconcile(now, report)
        self.close_ended_cycles(now, report)
        self.plan(now, report)
        self.send_pending(now, report)
        return report

    def close_ended_cycles(self, now: dt.datetime, report: TickReport) -> None:
        """Close every team's cycle whose end date has passed, and plan its closing digest."""
        with self.db.read() as session:
            due = [
                (team.id, cycle.id)
                for team, cycle in due_for_closing(
                    session, today_by_team=lambda team: today_in(team.timezone, now)
                )
            ]
        for team_id, cycle_id in due:
            with self.db.write() as session:
                team = session.get(Team, team_id)
                cycle = session.get(Cycle, cycle_id)
                if team is None or cycle is None:
                    continue
                close_cycle(
                    session,
                    workspace_id=team.workspace_id,
                    team=team,
                    cycle=cycle,
                    closed_by=None,
                    now=now,
                    automatic=True,
                )
                report.closed += 1
                if team.digest_channel:
                    insert_or_ignore(
                        session,
                        Delivery,
                        {
                            "workspace_id": team.workspace_id,
                            "team_id": team.id,
                            "member_id": None,
                            "recipient": team.digest_channel,
                            "period": cycle.label,
                            "kind": DeliveryKind.closing.value,
                            "status": DeliveryStatus.pending.value,
                            "slot_at": now,
                            "attempts": 0,
                            "error": "",
                            "created_at": now,
                            "updated_at": now,
                        },
                        keys=("team_id", "period", "kind", "recipient"),
                    )

    def _checkpoint(self, name: str) -> None:
        # A real kill, for tests of what survives one: no cleanup, no commit.
        if self.crash_at == name:
            os._exit(137)

    # ------------------------------------------------------------------ planning

    def plan(self, now: dt.datetime, report: TickReport) -> None:
        """Turn every due prompt and reminder slot into delivery rows (idempotently)."""
        with self.db.read() as session:
            teams = teams_with_rhythm(session)
        for team in teams:
            rules = rules_of(team)
            for slot in slots_around(
                now,
                prompt=rules[SlotKind.prompt],
                reminder=rules[SlotKind.reminder],
                digest=rules[SlotKind.digest],
            ):
                state = due_state(slot, now, team.timezone)
                if state != Due.not_yet:
                    report.planned += self._plan_slot(team, slot, state, now)
        self._checkpoint("planned")

    def _plan_slot(self, team: Team, slot: Slot, state: Due, now: dt.datetime) -> int:
        assert team.id is not None
        planned = 0
        with self.db.write() as session:
            cycle = find_cycle(
                session, workspace_id=team.workspace_id, label=quarter_of(slot.local_date).label
            )
            if cycle is None or cycle.id is None:
                return 0
            if is_closed(session, team_id=team.id, cycle_id=cycle.id):
                return 0  # a closed cycle asks for no more check-ins or digests
            existing = {
                recipient
                for recipient in session.exec(
                    select(Delivery.recipient).where(
                        Delivery.team_id == team.id,
                        Delivery.period == slot.period,
                        Delivery.kind == DeliveryKind(slot.kind.value),
                    )
                ).all()
            }
            if slot.kind == SlotKind.digest:
                return self._plan_digest(session, team, slot, state, now, existing)
            if existing:
                # Planned by an earlier tick: the people asked that week are settled, and
                # re-reading every owner on every tick until the day ends cost the most.
                return 0
            if slot.kind == SlotKind.prompt:
                people = owners_of(
                    session, workspace_id=team.workspace_id, team_id=team.id, cycle_id=cycle.id
                )
            else:
                people = self._to_remind(session, team, cycle.id, slot.period)
            for member in people:
                if member.slack_user_id in existing:
                    continue
                status = self._initial_status(session, team, cycle.id, member, slot, state)
                planned += insert_or_ignore(
                    session,
                    Delivery,
                    {
                        "workspace_id": team.workspace_id,
                        "team_id": team.id,
                        "member_id": member.id,
                        "recipient": member.slack_user_id,
                        "period": slot.period,
                        "kind": DeliveryKind(slot.kind.value).value,
                        "status": status.value,
                        "slot_at": slot.at,
                        "attempts": 0,
                        "error": "",
                        "created_at": now,
                        "updated_at": now,
                    },
                    keys=("team_id", "period", "kind", "recipient"),
                )
        return planned

    def _plan_digest(
        self,
        session: Any,
        team: Team,
        slot: Slot,
        state: Due,
        now: dt.datetime,
        existing: set[str],
    ) -> int:
        """One digest per team and week, to the team's channel (if it has one)."""
        channel = team.digest_channel
        if not channel or channel in existing:
            return 0
        status = DeliveryStatus.missed if state == Due.missed else DeliveryStatus.pending
        return int(
            insert_or_ignore(
                session,
                Delivery,
                {
                    "workspace_id": team.workspace_id,
                    "team_id": team.id,
                    "member_id": None,
                    "recipient": channel,
                    "period": slot.period,
                    "kind": DeliveryKind.digest.value,
                    "status": status.value,
                    "slot_at": slot.at,
                    "attempts": 0,
                    "error": "",
                    "created_at": now,
                    "updated_at": now,
                },
                keys=("team_id", "period", "kind", "recipient"),
            )
        )

    def _to_remind(self, session: Any, team: Team, cycle_id: int, period: str) -> list[Member]:
        """People whose prompt for the week went out: reminders go to them alone."""
        return list(
            session.exec(
                select(Member)
                .join(Delivery, col(Delivery.member_id) == col(Member.id))
                .where(
                    Delivery.team_id == team.id,
                    Delivery.period == period,
                    Delivery.kind == DeliveryKind.prompt,
                    Delivery.status == DeliveryStatus.sent,
                )
                .order_by(col(Member.slack_user_id))
            ).all()
        )

    def _initial_status(
        self, session: Any, team: Team, cycle_id: int, member: Member, slot: Slot, state: Due
    ) -> DeliveryStatus:
        if state == Due.missed:
            return DeliveryStatus.missed
        if member.snoozed_until and _as_utc(member.snoozed_until) > slot.at:
            return DeliveryStatus.cancelled
        if slot.kind == SlotKind.reminder and has_answered(
            session,
            workspace_id=team.workspace_id,
            team_id=team.id or 0,
            cycle_id=cycle_id,
            member_id=member.id or 0,
            period=slot.period,
        ):
            # Answered (or skipped) already: no reminder, ever, for this week.
            return DeliveryStatus.cancelled
        return DeliveryStatus.pending

    # ------------------------------------------------------------------ sending

    def send_pending(self, now: dt.datetime, report: TickReport) -> None:
        """Send every pending delivery whose slot has come, a page at a time.

        Pages are keyed by id (`id > last`), so each query is the same statement with the
        same two parameters however many rows a fan-out has: memory stays flat. A row that
        fails goes back to pending and waits for the next tick.
        """
        last_id = 0
        while True:
            with self.db.read() as session:
                batch = [
                    delivery_id
                    for delivery_id in session.exec(
                        select(Delivery.id)
                        .where(
                            Delivery.status == DeliveryStatus.pending,
                            col(Delivery.slot_at) <= now,
                            col(Delivery.id) > last_id,
                        )
                        .order_by(col(Delivery.id))
                        .limit(BATCH)
                    ).all()
                    if delivery_id is not None
                ]
            if not batch:
                return
            for delivery_id in batch:
                self._deliver(delivery_id, now, report)
            last_id = batch[-1]

    def _claim(self, delivery_id: int, now: dt.datetime, report: TickReport) -> Delivery | None:
        """Move one row from pending to sending; only one process can win it."""
        with self.db.write() as session:
            delivery = session.exec(
                select(Delivery).where(Delivery.id == delivery_id).with_for_update()
            ).first()
            if delivery is None or delivery.status != DeliveryStatus.pending:
                return None
            team = session.get(Team, delivery.team_id)
            assert team is not None
            scheduled = delivery.kind != DeliveryKind.closing  # closings go whenever they are due
            if (
                scheduled
                and due_state(slot_of(delivery, team.timezone), now, team.timezone) == Due.missed
            ):
                # Never sent days late: the slot's day is over.
                delivery.status = DeliveryStatus.missed
                delivery.updated_at = now
                session.add(delivery)
                report.missed += 1
                return None
            delivery.status = DeliveryStatus.sending
            delivery.claimed_by = self.process_id
            delivery.claimed_at = now
            delivery.attempts += 1
            delivery.updated_at = now
            session.add(delivery)
            session.flush()
            session.expunge(delivery)
            return delivery

    def _set(self, delivery_id: int, now: dt.datetime, **changes: Any) -> None:
        with self.db.write() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None:
                return
            for name, value in changes.items():
                setattr(delivery, name, value)
            delivery.updated_at = now
            session.add(delivery)

    def _deliver(self, delivery_id: int, now: dt.datetime, report: TickReport) -> None:
        delivery = self._claim(delivery_id, now, report)
        if delivery is None:
            return
        self._checkpoint("claimed")
        with self.db.read() as session:
            content = delivery_content(session, delivery=delivery)
        if content is None:
            # Nothing to ask any more (answered, no key results left): not an error.
            self._set(delivery_id, now, status=DeliveryStatus.cancelled, claimed_by=None)
            report.cancelled += 1
            return
        self.pacer.wait()
        try:
            posted = self.messenger.post(
                workspace_id=delivery.workspace_id,
                to=delivery.recipient,
                content=content,
                delivery_id=delivery_id,
            )
        except SendFailed as failure:
            # Whatever the kind of failure, retried at the next tick up to MAX_ATTEMPTS.
            error = failure.reason
            give_up = delivery.attempts >= MAX_ATTEMPTS
            logger.warning(
                "Failed to deliver %s (attempt %d): %s", delivery_id, delivery.attempts, error
            )
            self._set(
                delivery_id,
                now,
                status=DeliveryStatus.failed if give_up else DeliveryStatus.pending,
                claimed_by=None,
                error=error[:255],
            )
            if give_up:
                report.failed += 1
            else:
                report.retried += 1
            return
        self._checkpoint("posted")
        self._set(
            delivery_id,
            now,
            status=DeliveryStatus.sent,
            channel=posted.channel,
            message_ts=posted.ts,
            sent_at=utcnow(),
            error="",
        )
        report.sent += 1
        self._checkpoint("recorded")
        self.messenger.post_follow_ups(
            workspace_id=delivery.workspace_id, posted=posted, content=content, pace=self.pacer.wait
        )

    # ------------------------------------------------------------------ recovery

    def reconcile(self, now: dt.datetime, report: TickReport) -> None:
        """Settle rows left in `sending` by a process that died: sent after all, or retry."""
        with self.db.read() as session:
            stale = list(
                session.exec(
                    select(Delivery)
                    .where(
                        Delivery.status == DeliveryStatus.sending,
                        col(Delivery.claimed_at) < now - self.lease,
                    )
                    .order_by(col(Delivery.id))
                ).all()
            )
        for delivery in stale:
            assert delivery.id is not None
            try:
                found = self._find_posted(delivery)
            except SendFailed as failure:
                # Unknown whether it went out: leave it for a later tick rather than risk a
                # second message.
                logger.warning("Could not check delivery %s: %s", delivery.id, failure.reason)
                continue
            with self.db.write() as session:
                current = session.exec(
                    select(Delivery).where(Delivery.id == delivery.id).with_for_update()
                ).first()
                if current is None or current.status != DeliveryStatus.sending:
                    continue
                if current.claimed_by != delivery.claimed_by:
                    continue
                if found is not None:
                    current.status = DeliveryStatus.sent
                    current.channel, current.message_ts = found.channel, found.ts
                    current.sent_at = now
                else:
                    current.status = DeliveryStatus.pending
                current.claimed_by = None
                current.updated_at = now
                session.add(current)
            report.reconciled += 1

    def _find_posted(self, delivery: Delivery) -> Posted | None:
        """Where the message this delivery posted went, if the messenger has it."""
        assert delivery.id is not None
        claimed = _as_utc(delivery.claimed_at or delivery.slot_at)
        if delivery.kind in (DeliveryKind.digest, DeliveryKind.closing):
            channel = delivery.recipient
        else:
            channel = self.messenger.direct_channel(
                workspace_id=delivery.workspace_id, user=delivery.recipient
            )
        # A generous window: the bot posts a few messages a week into each DM.
        return self.messenger.find_posted(
            workspace_id=delivery.workspace_id,
            channel=channel,
            delivery_id=delivery.id,
            since=claimed - dt.timedelta(days=1),
        )
