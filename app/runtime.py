"""Assembling the running app from settings: database, services, Bolt, WSGI, the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from app.clock.dispatch import Dispatcher, Pacer
from app.db import Database
from app.db.migrate import ensure_schema
from app.settings import Settings
from app.slack import ids
from app.slack.app_factory import create_bolt_app, create_web_client
from app.slack.install import Installer, WorkspaceClients
from app.slack.outbound import SlackMessenger
from app.usecases.services import Services, utc_now
from app.web import OkrbotWSGI


@dataclass
class Runtime:
    """Everything a serving process holds."""

    settings: Settings
    db: Database
    services: Services
    bolt: App
    wsgi: OkrbotWSGI
    installer: Installer | None = None


def build_runtime(
    settings: Settings,
    *,
    clock: Callable[[], dt.datetime] = utc_now,
    client: WebClient | None = None,
    migrate: bool = True,
) -> Runtime:
    """Build the app; an empty or older database is migrated first (unless `migrate=False`)."""
    settings.require_slack()
    assert settings.slack_signing_secret is not None
    db = Database(settings.database_url)
    if migrate:
        ensure_schema(db.engine)
    installer = build_installer(settings, db, clock=clock)
    services = Services(db=db, clock=clock, installer=installer)
    bolt = create_bolt_app(
        client=client or build_web_client(settings, installer),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        services=services,
        installer=installer,
    )
    return Runtime(
        settings=settings,
        db=db,
        services=services,
        bolt=bolt,
        wsgi=OkrbotWSGI(bolt, db, signing_secret=settings.slack_signing_secret.get_secret_value()),
        installer=installer,
    )


def build_web_client(settings: Settings, installer: Installer | None) -> WebClient:
    """The app's Web API client: with the bot token, or none when each workspace has its own."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return create_web_client(token=None if installer else token, base_url=settings.slack_api_url)


def build_installer(
    settings: Settings, db: Database, *, clock: Callable[[], dt.datetime] = utc_now
) -> Installer | None:
    """The OAuth installer in multi-workspace mode; None in single-workspace token mode."""
    if not settings.multi_workspace:
        return None
    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    return Installer(
        db=db,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=ids.BOT_SCOPES,
        api_url=settings.slack_api_url,
        clock=clock,
    )


def build_messenger(
    settings: Settings, db: Database, installer: Installer | None
) -> SlackMessenger:
    """The clock's messenger: the bot token's client, or each workspace's own in OAuth mode."""
    return SlackMessenger(
        build_web_client(settings, installer),
        client_for=(
            WorkspaceClients(db=db, installer=installer).for_workspace if installer else None
        ),
    )


def build_dispatcher(settings: Settings, *, crash_at: str | None = None) -> Dispatcher:
    """The clock's dispatcher for the configured database and Slack workspace(s)."""
    if not settings.multi_workspace:
        settings.require("slack_bot_token")
    db = Database(settings.database_url)
    ensure_schema(db.engine)
    installer = build_installer(settings, db)
    return Dispatcher(
        db=db,
        messenger=build_messenger(settings, db, installer),
        pacer=Pacer(settings.slack_posts_per_second),
        crash_at=crash_at,
    )
