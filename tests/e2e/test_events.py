"""Events API deliveries arrive at least once and are processed once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.db.platform import PROCESSED_EVENT_TTL, ProcessedEvent, forget_processed_events
from app.slack.listeners.lifecycle import once_per_event
from app.tryout.standin import SlackDriver, SlackStandIn
from app.usecases.services import Services
from tests.conftest import ALICE, FixedClock

HOME = {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home"}


def publishes(standin: SlackStandIn) -> int:
    return len(standin.calls_to("views.publish"))


def test_a_retried_delivery_of_a_processed_event_is_acknowledged_and_skipped(
    slack: SlackDriver, standin: SlackStandIn
) -> None:
    assert slack.send_event(HOME, event_id="Ev0AAA1").status == 200
    assert publishes(standin) == 1
    retry = slack.send_event(HOME, event_id="Ev0AAA1", retry_num=1, retry_reason="http_timeout")
    assert retry.status == 200
    assert publishes(standin) == 1


def test_a_retry_whose_original_never_arrived_is_processed(
    slack: SlackDriver, standin: SlackStandIn
) -> None:
    response = slack.send_event(HOME, event_id="Ev0LOST1", retry_num=2, retry_reason="http_error")
    assert response.status == 200
    assert publishes(standin) == 1


def test_the_same_event_delivered_many_times_at_once_runs_once(
    slack: SlackDriver, standin: SlackStandIn
) -> None:
    with ThreadPoolExecutor(6) as pool:
        statuses = list(
            pool.map(
                lambda n: slack.send_event(HOME, event_id="Ev0BURST", retry_num=n or None).status,
                range(6),
            )
        )
    assert statuses == [200] * 6
    assert publishes(standin) == 1


def test_different_events_are_each_processed(slack: SlackDriver, standin: SlackStandIn) -> None:
    for n in range(3):
        slack.send_event(HOME, event_id=f"Ev0DIFF{n}")
    assert publishes(standin) == 3


def test_a_handler_that_fails_releases_the_event_for_slacks_retry(
    db: Database, clock: FixedClock
) -> None:
    services = Services(db=db, clock=clock)
    runs: list[str] = []

    def handler(body: dict, services: Services) -> None:
        runs.append(body["event_id"])
        if len(runs) == 1:
            raise RuntimeError("Slack's API was down")

    wrapped = once_per_event(handler)
    body = {"event_id": "Ev0FAIL1", "event": {"type": "app_home_opened"}}
    with pytest.raises(RuntimeError):
        wrapped(body=body, services=services)
    wrapped(body=body, services=services)  # Slack's retry
    wrapped(body=body, services=services)  # and a late duplicate
    assert runs == ["Ev0FAIL1", "Ev0FAIL1"]


def test_old_event_ids_are_forgotten_after_slacks_retry_window(
    db: Database, clock: FixedClock
) -> None:
    services = Services(db=db, clock=clock)
    handled = once_per_event(lambda body, services: None)
    handled(body={"event_id": "Ev0OLD"}, services=services)
    clock.advance(seconds=PROCESSED_EVENT_TTL.total_seconds() / 2)
    handled(body={"event_id": "Ev0NEW"}, services=services)
    clock.advance(seconds=PROCESSED_EVENT_TTL.total_seconds() / 2 + 60)
    assert forget_processed_events(db, clock()) == 1
    with db.read() as session:
        left = session.execute(select(ProcessedEvent.event_id)).scalars().all()
        assert left == ["Ev0NEW"]
        assert session.execute(select(func.count()).select_from(ProcessedEvent)).scalar_one() == 1
