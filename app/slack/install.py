"""Installing into many workspaces: OAuth, the installation store, token rotation.

Single-workspace token mode (`SLACK_BOT_TOKEN`) stays the default. With `SLACK_CLIENT_ID`
and `SLACK_CLIENT_SECRET` set, the app serves Slack's OAuth install flow at
`/slack/install` and `/slack/oauth_redirect`, keeps installations and OAuth states in the
app's own database with `slack_sdk`'s SQLAlchemy stores, and finds each request's token
there.

Token rotation (the manifest's `token_rotation_enabled`): Slack's access tokens then expire
after 12 hours and each refresh token is meant to be spent once. Several web workers and the
clock may all notice an expiring token at the same moment; `TokenRotation` lets exactly one
of them refresh it (a lease row in the database) while the others wait and read the result.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import delete, update
from sqlalchemy.engine import CursorResult

from app.db import Database
from app.db.models import Workspace
from app.db.platform import TokenLease
from app.store.sql import insert_or_ignore
from app.usecases.services import utc_now

logger = logging.getLogger("okrbot.install")

# Refresh a token this long before it expires (Bolt's default is 120 minutes).
ROTATE_MINUTES_BEFORE_EXPIRY = 120
# How long one process may hold the rotation lease before another may take over.
LEASE_SECONDS = 30.0
# How long a process waits for another's rotation before giving up on this request.
WAIT_SECONDS = 15.0
STATE_EXPIRATION_SECONDS = 600


class DatabaseInstallationStore(InstallationStore):
    """`slack_sdk`'s SQLAlchemy installation store on the app's database.

    Two of them, in fact: one reads in plain transactions (every request looks up its
    token), the other writes in the database's write transactions, since its saves read
    before they write (on SQLite a plain transaction there fails with "database is locked"
    when another writer got in first).
    """

    def __init__(self, *, client_id: str, db: Database) -> None:
        store_logger = logging.getLogger("okrbot.install.store")
        self.client_id = client_id
        self.reader = SQLAlchemyInstallationStore(
            client_id=client_id, engine=db.engine, logger=store_logger
        )
        self.writer = SQLAlchemyInstallationStore(
            client_id=client_id, engine=db.write_engine, logger=store_logger
        )

    @property
    def logger(self) -> logging.Logger:
        return self.reader.logger

    def save(self, installation: Installation) -> None:
        self.writer.save(installation)

    def save_bot(self, bot: Bot) -> None:
        self.writer.save_bot(bot)

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return self.reader.find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return self.reader.find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.writer.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        self.writer.delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )


class NotInstalledError(Exception):
    """The workspace has no installation (never installed, or uninstalled)."""


def oauth_authorize_url(api_url: str | None) -> str | None:
    """Where to send people to approve an install: Slack's page, or the stand-in's."""
    if not api_url:
        return None  # Bolt's default, https://slack.com/oauth/v2/authorize
    base = api_url.rstrip("/")
    base = base[: -len("/api")] if base.endswith("/api") else base
    return f"{base}/oauth/v2/authorize"


def _expiring(installation: Installation, minutes: int, now: dt.datetime) -> bool:
    horizon = now.timestamp() + minutes * 60
    pairs = (
        (installation.bot_refresh_token, installation.bot_token_expires_at),
        (installation.user_refresh_token, installation.user_token_expires_at),
    )
    return any(
        refresh is not None and expires is not None and expires <= horizon
        for refresh, expires in pairs
    )


@dataclass
class TokenRotation:
    """Rotate an installation's tokens at most once at a time across every process."""

    db: Database
    store: DatabaseInstallationStore
    rotator: TokenRotator
    minutes_before_expiry: int = ROTATE_MINUTES_BEFORE_EXPIRY
    lease_seconds: float = LEASE_SECONDS
    wait_seconds: float = WAIT_SECONDS
    holder: str = field(default_factory=lambda: f"{os.getpid()}-{uuid.uuid4().hex[:8]}")
    # The app's clock. slack_sdk stamps a token's expiry with the wall clock, so outside
    # tests this is the wall clock too (as the runtime's is).
    clock: Callable[[], dt.datetime] = utc_now

    def fresh(self, installation: Installation) -> Installation | None:
        """The installation with usable tokens; None when `installation`'s are still good.

        Rotates if they expire soon, unless another process is already doing it, in which
        case this waits for that rotation and returns what it saved.
        """
        if not _expiring(installation, self.minutes_before_expiry, self.clock()):
            return None
        key = "|".join(
            (
                self.store.client_id,
                installation.enterprise_id or "",
                installation.team_id or "",
                installation.user_id or "",
            )
        )
        deadline = time.monotonic() + self.wait_seconds
        while True:
            if self._acquire(key):
                try:
                    current = self._reload(installation) or installation
                    if not _expiring(current, self.minutes_before_expiry, self.clock()):
                        return current  # another process rotated while we waited
                    refreshed = self.rotator.perform_token_rotation(
                        installation=current,
                        minutes_before_expiration=self.minutes_before_expiry,
                    )
                    if refreshed is None:
                        return None
                    self.store.save(refreshed)
                    logger.info(
                        "Rotated the tokens of workspace %s", installation.team_id or "(org)"
                    )
                    return refreshed
                finally:
                    self._release(key)
            latest = self._reload(installation)
            if latest is not None and not _expiring(
                latest, self.minutes_before_expiry, self.clock()
            ):
                return latest
            if time.monotonic() > deadline:
                raise SlackTokenRotationError(
                    SlackApiError(  # type: ignore[no-untyped-call]
                        "timed out waiting for another process to rotate the tokens",
                        {"ok": False, "error": "rotation_timeout"},
                    )
                )
            time.sleep(0.05)

    def _reload(self, installation: Installation) -> Installation | None:
        return self.store.find_installation(
            enterprise_id=installation.enterprise_id,
            team_id=installation.team_id,
            user_id=installation.user_id,
            is_enterprise_install=installation.is_enterprise_install,
        )

    def _acquire(self, key: str) -> bool:
        now = self.clock()
        values = {
            "key": key,
            "holder": self.holder,
            "expires_at": now + dt.timedelta(seconds=self.lease_seconds),
        }
        with self.db.write() as session:
            if insert_or_ignore(session, TokenLease, values, keys=("key",)):
                return True
            # Take over a lease whose holder died mid-rotation.
            result = session.execute(
                update(TokenLease)
                .where(TokenLease.key == key, TokenLease.expires_at < now)  # type: ignore[arg-type]
                .values(holder=self.holder, expires_at=values["expires_at"])
            )
            return bool(result.rowcount) if isinstance(result, CursorResult) else False

    def _release(self, key: str) -> None:
        with self.db.write() as session:
            session.execute(
                delete(TokenLease).where(
                    TokenLease.key == key,  # type: ignore[arg-type]
                    TokenLease.holder == self.holder,  # type: ignore[arg-type]
                )
            )


class RotatingAuthorize(InstallationStoreAuthorize):
    """Bolt's installation-store authorize, with rotation coordinated across processes."""

    def __init__(self, *, rotation: TokenRotation, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rotation = rotation

    def _rotate_and_save_tokens_if_necessary(
        self, installation: Installation | None
    ) -> Installation | None:
        if installation is None:
            return None
        return self.rotation.fresh(installation)


@dataclass
class Installer:
    """Everything multi-workspace mode needs, built once per process."""

    db: Database
    client_id: str
    client_secret: str
    scopes: Sequence[str]
    api_url: str | None = None
    clock: Callable[[], dt.datetime] = utc_now
    installation_store: DatabaseInstallationStore = field(init=False)
    state_store: SQLAlchemyOAuthStateStore = field(init=False)
    rotation: TokenRotation = field(init=False)

    def __post_init__(self) -> None:
        self.installation_store = DatabaseInstallationStore(client_id=self.client_id, db=self.db)
        # Consuming a state reads, then deletes: a write transaction.
        self.state_store = SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRATION_SECONDS,
            engine=self.db.write_engine,
            logger=logging.getLogger("okrbot.install.state"),
        )
        self.rotation = TokenRotation(
            db=self.db,
            clock=self.clock,
            store=self.installation_store,
            rotator=TokenRotator(
                client_id=self.client_id,
                client_secret=self.client_secret,
                client=self.web_client(),
            ),
        )

    def web_client(self, token: str | None = None) -> WebClient:
        """A Web API client (for the OAuth exchange when `token` is None)."""
        from app.slack.app_factory import create_web_client

        return create_web_client(token=token, base_url=self.api_url)

    def oauth_settings(self) -> OAuthSettings:
        """Bolt's OAuth flow: install page, redirect, stores."""
        return OAuthSettings(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scopes=list(self.scopes),
            installation_store=self.installation_store,
            state_store=self.state_store,
            state_expiration_seconds=STATE_EXPIRATION_SECONDS,
            authorization_url=oauth_authorize_url(self.api_url),
            token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY,
            logger=logging.getLogger("okrbot.install.oauth"),
        )

    def authorize(self) -> RotatingAuthorize:
        """Bolt's authorize step: each request's token from the store, rotated once."""
        return RotatingAuthorize(
            rotation=self.rotation,
            logger=logging.getLogger("okrbot.install.authorize"),
            installation_store=self.installation_store,
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY,
            cache_enabled=True,
            client=self.web_client(),
        )

    def bot_token(self, *, team_id: str, enterprise_id: str | None) -> str:
        """A workspace's current bot token, rotated first if it is about to expire."""
        installation = self.installation_store.find_installation(
            enterprise_id=enterprise_id or None, team_id=team_id
        )
        if installation is None or installation.bot_token is None:
            raise NotInstalledError(team_id)
        refreshed = self.rotation.fresh(installation)
        token = (refreshed or installation).bot_token
        if token is None:
            raise NotInstalledError(team_id)
        return token

    def forget(self, *, team_id: str | None, enterprise_id: str | None) -> None:
        """Delete a workspace's tokens (every installation and bot row); idempotent."""
        self.installation_store.delete_all(enterprise_id=enterprise_id, team_id=team_id)


class WorkspaceClients:
    """A Web API client per workspace, with that workspace's own (rotated) bot token."""

    def __init__(self, *, db: Database, installer: Installer) -> None:
        self.db = db
        self.installer = installer
        self._clients: dict[str, WebClient] = {}

    def for_workspace(self, workspace_id: int) -> WebClient:
        """The client to use for our workspace `workspace_id`; NotInstalledError if none."""
        with self.db.read() as session:
            workspace = session.get(Workspace, workspace_id)
            if workspace is None:
                raise NotInstalledError(str(workspace_id))
            team_id, enterprise_id = workspace.slack_team_id, workspace.enterprise_id
        token = self.installer.bot_token(team_id=team_id, enterprise_id=enterprise_id or None)
        client = self._clients.get(token)
        if client is None:
            client = self._clients[token] = self.installer.web_client(token)
        return client
