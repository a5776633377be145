"""Logging setup: plain or JSON lines, with secrets scrubbed from every record."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from collections.abc import Iterable

# Slack tokens (bot, user, app-level, refresh, config) wherever they appear in a message.
_TOKEN = re.compile(r"\bx(?:ox[abposre]|app)[-.][A-Za-z0-9.-]+")
# Credentials named in request or response bodies, as dicts, JSON or form fields print them:
# `'client_secret': 'abc'`, `"code": "abc"`, `'code': ['abc']`, `refresh_token=abc`.
_SECRET_NAMES = r"(?:client_secret|code|refresh_token|access_token|token|state|response_url)"
_NAMED = re.compile(
    rf"""(?P<key>['"]{_SECRET_NAMES}['"]\s*[:=]\s*\[?|\b{_SECRET_NAMES}=)"""
    r"""(?P<quote>['"]?)(?P<value>[^'"&,}\s]+)"""
)

# A response URL answers as the app for 30 minutes: a credential. Slack's, and the
# stand-in's (`…/response/…`).
_RESPONSE_URL = re.compile(r"""https?://[^\s'"<>]*/(?:actions|commands|response)/[^\s'"<>]+""")
# Control characters (a newline in a logged value would forge a line of its own).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]|\r|\n")

# The id of the request being handled on this thread, attached to every record.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "okrbot_request_id", default=None
)


def _escaped(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]


class RedactSecretsFilter(logging.Filter):
    """Replace Slack tokens, response URLs and the configured secrets in log records with
    `[redacted]`, and write control characters in a message as escapes, so that each
    record stays one line whatever a logged value holds."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def scrub(self, text: str) -> str:
        """`text` with every secret replaced."""
        text = _TOKEN.sub("[redacted]", text)
        text = _NAMED.sub(r"\g<key>\g<quote>[redacted]", text)
        text = _RESPONSE_URL.sub("[redacted]", text)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        message = record.getMessage()
        scrubbed = _CONTROL.sub(_escaped, self.scrub(message))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


# Extra fields a record may carry (see `app.web`), copied into JSON lines as they are.
_EXTRA_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "slack")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger: message`, with `[request id]` when a request is being handled."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{line} [{rid}]" if rid else line


def configure_logging(level: str, *, secrets: Iterable[str] = (), json_lines: bool = False) -> None:
    """Send logs to stderr at `level`, scrubbing secrets on every handler."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    handler.addFilter(RedactSecretsFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic narrates every check at INFO; only show it when debugging.
    logging.getLogger("alembic").setLevel(level if level == "DEBUG" else "WARNING")
