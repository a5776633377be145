"""Events API deliveries already handled, by Slack's `event_id`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import Session

from app.db.platform import ProcessedEvent
from app.store.sql import insert_or_ignore

EVENT_ID_MAX = 64


def claim_event(session: Session, *, event_id: str, now: dt.datetime) -> bool:
    """Record that `event_id` is being handled; False when it already was."""
    return insert_or_ignore(
        session,
        ProcessedEvent,
        {"event_id": event_id[:EVENT_ID_MAX], "received_at": now},
        keys=("event_id",),
    )


def release_event(session: Session, *, event_id: str) -> None:
    """Forget a claim (its handler failed), so that Slack's retry runs it again."""
    session.execute(
        delete(ProcessedEvent).where(
            ProcessedEvent.event_id == event_id[:EVENT_ID_MAX]  # type: ignore[arg-type]
        )
    )
