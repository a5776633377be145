"""Events API deliveries once each, and the app leaving a workspace."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from app.slack import ids
from app.usecases import workspaces
from app.usecases.services import Services

logger = logging.getLogger("okrbot.events")


def once_per_event(handler: Callable[..., None]) -> Callable[..., None]:
    """Run `handler` once per Events API `event_id`, however often Slack delivers it.

    Slack delivers events at least once: it retries (with `X-Slack-Retry-Num`) when an
    answer is slow or fails. The first delivery to claim the id runs the handler; later
    ones are acknowledged and dropped. A retry whose original never arrived claims the id
    itself and runs. If the handler fails, the claim is released so a retry can run it.
    """

    @functools.wraps(handler)
    def wrapper(body: dict[str, Any], services: Services, **kwargs: Any) -> None:
        event_id = body.get("event_id")
        if not event_id:
            handler(body=body, services=services, **kwargs)
            return
        if not workspaces.claim_delivery(services, str(event_id), now=services.now()):
            logger.info("Ignored a repeated delivery of event %s", event_id)
            return
        try:
            handler(body=body, services=services, **kwargs)
        except BaseException:
            workspaces.release_delivery(services, str(event_id))
            raise

    return wrapper


def _erase(services: Services, team_id: str | None, enterprise_id: str | None) -> None:
    """Delete a workspace's tokens and data; idempotent."""
    if services.installer is not None:
        services.installer.forget(team_id=team_id, enterprise_id=enterprise_id)
    if team_id:
        rows = workspaces.erase_workspace(services, team_id=team_id, enterprise_id=enterprise_id)
        logger.info("Deleted workspace %s's tokens and %d rows of its data", team_id, rows)


def handle_app_uninstalled(body: dict[str, Any], services: Services, **_: Any) -> None:
    """The app was removed from a workspace: delete its tokens and everything it stored."""
    _erase(services, body.get("team_id"), body.get("enterprise_id"))


def handle_tokens_revoked(body: dict[str, Any], services: Services, **_: Any) -> None:
    """Tokens were revoked: a revoked bot token ends the install, like an uninstall.

    Revoked user tokens (this app asks for none) only remove those users' installations.
    """
    tokens = (body.get("event") or {}).get("tokens") or {}
    team_id, enterprise_id = body.get("team_id"), body.get("enterprise_id")
    if tokens.get("bot"):
        _erase(services, team_id, enterprise_id)
        return
    if services.installer is not None:
        for user_id in tokens.get("oauth") or []:
            services.installer.installation_store.delete_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
            )


def register(app: App) -> None:
    """Attach the uninstall and token events."""
    app.event(ids.EVENT_APP_UNINSTALLED)(once_per_event(handle_app_uninstalled))
    app.event(ids.EVENT_TOKENS_REVOKED)(once_per_event(handle_tokens_revoked))
