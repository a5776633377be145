"""Workspaces: handling each Events API delivery once; forgetting a workspace."""

from __future__ import annotations

import datetime as dt

from app.store.erase import erase_workspace_data
from app.store.events import claim_event, release_event
from app.usecases.services import Services


def claim_delivery(services: Services, event_id: str, *, now: dt.datetime) -> bool:
    """True for the first delivery of an event; False for a repeat already handled."""
    with services.db.write() as session:
        return claim_event(session, event_id=event_id, now=now)


def release_delivery(services: Services, event_id: str) -> None:
    """Let a retry of an event whose handling failed run again."""
    with services.db.write() as session:
        release_event(session, event_id=event_id)


def erase_workspace(services: Services, *, team_id: str, enterprise_id: str | None) -> int:
    """Delete every row of a workspace's teams, OKRs, check-ins and deliveries (its id row
    stays, so a reinstall starts empty); idempotent. Returns how many rows went."""
    with services.db.write() as session:
        rows = erase_workspace_data(session, slack_team_id=team_id, enterprise_id=enterprise_id)
    services.list_cache.clear()
    services.teams_cache.clear()
    return rows
