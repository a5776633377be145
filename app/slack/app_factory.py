"""Building the Bolt app."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from app.slack import bodies, listeners
from app.usecases.services import Services

if TYPE_CHECKING:
    from app.slack.install import Installer


def create_web_client(*, token: str | None, base_url: str | None = None) -> WebClient:
    """A Web API client that waits out `429 Retry-After` and retries Slack's 5xx."""
    client = WebClient(token=token, base_url=base_url or WebClient.BASE_URL)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=2))
    return client


def create_bolt_app(
    *,
    client: WebClient,
    signing_secret: str,
    services: Services,
    installer: Installer | None = None,
) -> App:
    """The Bolt app with every listener attached.

    `process_before_response=True`: a listener runs to completion before the HTTP response
    is sent, and its `ack()` payload is that response. Bolt's default instead polls for the
    ack every 10 ms; answering directly is faster, and `views.open` still runs well inside
    the 3-second trigger window because it is the one Web API call those listeners make.

    With an `installer` (multi-workspace mode), Bolt also serves the OAuth install flow and
    finds each request's token in the installation store; `client` then carries no token.
    """
    bodies.install()
    if installer is None:
        app = App(
            client=client,
            signing_secret=signing_secret,
            process_before_response=True,
            token_verification_enabled=False,
            logger=logging.getLogger("okrbot.bolt"),
        )
    else:
        app = App(
            client=client,
            signing_secret=signing_secret,
            process_before_response=True,
            oauth_settings=installer.oauth_settings(),
            authorize=installer.authorize(),  # type: ignore[arg-type]
            logger=logging.getLogger("okrbot.bolt"),
        )
    listeners.register(app, services)
    return app
