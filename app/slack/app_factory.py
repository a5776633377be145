"""Building the Bolt app."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import logging
import time
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from app.slack import bodies, listeners
from app.usecases.services import Services

logger = logging.getLogger("okrbot.slack")

if TYPE_CHECKING:
    from app.slack.install import Installer


# The longest wait a `Retry-After` may ask of one request before it is given up on.
MAX_RETRY_AFTER = 60.0


def retry_after_seconds(value: str | None) -> float:
    """How long a `Retry-After` header asks to wait: seconds, or an HTTP date; 1 second
    when it says neither (Slack sends seconds, but a proxy may send anything)."""
    if value is not None:
        text = value.strip()
        try:
            return min(max(float(text), 0.0), MAX_RETRY_AFTER)
        except ValueError:
            pass
        with contextlib.suppress(TypeError, ValueError, IndexError):
            when = email.utils.parsedate_to_datetime(text)
            wait = (when - dt.datetime.now(when.tzinfo or dt.UTC)).total_seconds()
            return min(max(wait, 0.0), MAX_RETRY_AFTER)
        logger.warning("A 429 came with a Retry-After that is no time (%.40r): waiting 1 s", text)
    return 1.0


class RateLimitRetry(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, reading `Retry-After` leniently: its own raises on a value
    that is not a whole number, which aborted a whole clock tick."""

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("a retry without a response")
        state.next_attempt_requested = True
        header = next(
            (values for name, values in response.headers.items() if name.lower() == "retry-after"),
            None,
        )
        first = header[0] if isinstance(header, list) and header else header
        time.sleep(retry_after_seconds(first if isinstance(first, str) else None))
        state.increment_current_attempt()


def create_web_client(*, token: str | None, base_url: str | None = None) -> WebClient:
    """A Web API client that waits out `429 Retry-After` and retries Slack's 5xx."""
    client = WebClient(token=token, base_url=base_url or WebClient.BASE_URL)
    client.retry_handlers.append(RateLimitRetry(max_retry_count=2))
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
