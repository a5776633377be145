"""Secrets never reach the logs."""

from __future__ import annotations

import json
import logging

import pytest

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


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("body_params: {'client_secret': 's3cr3t-value', 'code': 'c0de.123'}", "body_params"),
        ("{'code': ['1795.25166e'], 'state': ['a93b15c4-47']}", "{'code': "),
        ('{"access_token": "xoxe.xoxb-1-abc", "refresh_token": "xoxe-1-xyz"}', "access_token"),
        ("refresh_token=xoxe-1-abc&grant_type=refresh_token", "grant_type=refresh_token"),
        ("GET /slack/oauth_redirect?code=1234.55&state=9d2c-11", "/slack/oauth_redirect?"),
    ],
)
def test_credentials_named_in_bodies_and_urls_are_scrubbed(line: str, kept: str) -> None:
    scrubbed = RedactSecretsFilter().scrub(line)
    assert kept in scrubbed and "[redacted]" in scrubbed
    for secret in ("s3cr3t", "c0de", "1795", "a93b", "abc", "xyz", "1234", "9d2c"):
        assert secret not in scrubbed


def test_ordinary_words_near_secret_names_are_kept() -> None:
    scrub = RedactSecretsFilter().scrub
    assert scrub("status code: 429, token_type: bot") == "status code: 429, token_type: bot"
