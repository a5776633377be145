"""Configuration from the environment (and an optional `.env` file).

Every setting is optional at load time; each command asks for what it needs with
`Settings.require`, so `okrbot demo` runs with no Slack account while `okrbot serve`
refuses to start without its tokens, naming the missing variable.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///okrbot.db"


class MissingSettingError(Exception):
    """A command needs a setting that is not set."""

    def __init__(self, name: str) -> None:
        super().__init__(f"missing required setting {name} (set it in the environment or in .env)")
        self.name = name


class Settings(BaseSettings):
    """The app's settings; secrets are `SecretStr` so they never print by accident."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    # OAuth install into many workspaces: set both instead of SLACK_BOT_TOKEN.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str | None = None
    log_level: str = "INFO"
    # "json": one JSON object per line, for log shippers.
    log_format: Literal["text", "json"] = "text"
    # Client-side pacing of chat.postMessage during a fan-out, per process.
    slack_posts_per_second: float = 20.0
    # How often `okrbot clock` looks for due work.
    clock_interval_seconds: int = 30

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError(f"unknown log level {value!r}; use DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("slack_posts_per_second")
    @classmethod
    def _positive_rate(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number of messages per second")
        return value

    @field_validator("clock_interval_seconds")
    @classmethod
    def _sane_interval(cls, value: int) -> int:
        if not 1 <= value <= 3600:
            raise ValueError("must be between 1 and 3600 seconds")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str | None) -> str | None:
        # WebClient joins method names onto the base URL, so it must end with "/".
        if value and not value.endswith("/"):
            return value + "/"
        return value or None

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_log_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_id",
        "slack_client_secret",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def require(self, *names: str) -> None:
        """Raise `MissingSettingError` for the first of `names` (field names) that is unset."""
        for name in names:
            if getattr(self, name) is None:
                raise MissingSettingError(name.upper())

    @property
    def multi_workspace(self) -> bool:
        """OAuth install into many workspaces, when a client id or secret is configured."""
        return self.slack_client_id is not None or self.slack_client_secret is not None

    def require_slack(self) -> None:
        """Require what serving Slack needs: a bot token, or an OAuth client id and secret."""
        if self.multi_workspace:
            self.require("slack_client_id", "slack_client_secret", "slack_signing_secret")
        else:
            self.require("slack_bot_token", "slack_signing_secret")

    def secrets(self) -> list[str]:
        """Every configured secret's value, for scrubbing logs."""
        values = (
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.slack_client_secret,
        )
        return [secret.get_secret_value() for secret in values if secret is not None]

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is on when an app-level token is configured."""
        return self.slack_app_token is not None
