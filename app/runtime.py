"""Assembling the running app from settings: database, services, Bolt, WSGI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from app.db import Database
from app.db.migrate import ensure_schema
from app.services import Services, utc_now
from app.settings import Settings
from app.slack.app_factory import create_bolt_app, create_web_client
from app.web import OkrbotWSGI


@dataclass
class Runtime:
    """Everything a serving process holds."""

    settings: Settings
    db: Database
    services: Services
    bolt: App
    wsgi: OkrbotWSGI


def build_runtime(
    settings: Settings,
    *,
    clock: Callable[[], dt.datetime] = utc_now,
    client: WebClient | None = None,
    migrate: bool = True,
) -> Runtime:
    """Build the app; an empty or older database is migrated first (unless `migrate=False`)."""
    settings.require("slack_bot_token", "slack_signing_secret")
    assert settings.slack_bot_token is not None and settings.slack_signing_secret is not None
    db = Database(settings.database_url)
    if migrate:
        ensure_schema(db.engine)
    services = Services(db=db, clock=clock)
    client = client or create_web_client(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )
    bolt = create_bolt_app(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        services=services,
    )
    return Runtime(
        settings=settings, db=db, services=services, bolt=bolt, wsgi=OkrbotWSGI(bolt, db)
    )
