"""Secrets never reach the logs."""

from __future__ import annotations

import json
import logging

from app.logs import JsonFormatter, RedactSecretsFilter, configure_logging


def test_tokens_and_configured_secrets_are_scrubbed(capsys) -> None:
    configure_logging("DEBUG", secrets=["my-signing-secret-123"])
    log = logging.getLogger("okrbot.test")
    log.debug("calling with xoxb-1234-5678-abcdef and xapp-1-A0-99-zz")
    log.info("secret is %s", "my-signing-secret-123")
    try:
        raise ValueError("failed with token xoxp-9-9-9")
    except ValueError:
        log.exception("Failed to call")
    err = capsys.readouterr().err
    assert "xoxb-1234" not in err and "xapp-1-A0" not in err and "xoxp-9" not in err
    assert "my-signing-secret-123" not in err
    assert err.count("[redacted]") >= 4
    logging.getLogger().handlers.clear()


def test_short_values_are_not_treated_as_secrets() -> None:
    scrub = RedactSecretsFilter(["abc"]).scrub
    assert scrub("abc is fine") == "abc is fine"


def test_json_lines_are_one_object_each() -> None:
    record = logging.LogRecord("okrbot", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    assert json.loads(JsonFormatter().format(record))["message"] == "hello world"
