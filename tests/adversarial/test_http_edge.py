"""The HTTP edge, tried as an attacker and a careless client would: the signature is
checked first, on the raw bytes; junk gets a 4xx and one bounded log line, never a
traceback; bodies are read by content type and field name, so the word "payload" is just
a word; logged values never forge a line or leak a response URL."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import time
from urllib.parse import urlencode, urlsplit

import pytest

from app.logs import RedactSecretsFilter
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, SIGNING_SECRET

pytestmark = pytest.mark.e2e

FORM = "application/x-www-form-urlencoded"


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def _command(slack: SlackDriver, text: str, **fields: str) -> bytes:
    return urlencode(
        {
            "command": "/okr",
            "text": text,
            "user_id": ALICE,
            "team_id": slack.team_id,
            "team_domain": "standin",
            "trigger_id": "1.2.3",
            "response_url": f"{slack.standin.base_url}/response/secret-handle",
            **fields,
        }
    ).encode()


def test_a_command_that_says_payload_is_answered(slack: SlackDriver) -> None:
    answer = slack.post_raw(
        _command(slack, "check Cut API payload size from 2 MB to 1 MB"), content_type=FORM
    )
    assert answer.status == 200
    assert "payload size" in json.dumps(answer.json())


def test_a_workspace_called_acme_payloads_can_use_okr(slack: SlackDriver) -> None:
    answer = slack.post_raw(_command(slack, "help", team_domain="acme-payloads"), content_type=FORM)
    assert answer.status == 200
    assert "/okr list" in json.dumps(answer.json())


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{bad", "application/json"),
        (b"null", "application/json"),
        (b"payload=%7Bnope", FORM),
        (b"payload=", FORM),
        (b"\xff\xfe not utf-8", FORM),
    ],
    ids=["bad-json", "null", "bad-payload", "empty-payload", "not-utf-8"],
)
def test_a_signed_malformed_body_gets_400_without_a_traceback(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    timestamp = int(time.time())

    from app.web import OkrbotWSGI  # noqa: F401  (the edge under test)

    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    answer = slack.post_raw(
        body,
        content_type=content_type,
        timestamp=timestamp,
        signature=f"v0={digest.hexdigest()}",
    )
    assert answer.status == 400
    assert _tracebacks(caplog) == []


def test_a_timestamp_that_is_not_a_number_gets_401(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    answer = slack.post_raw(
        _command(slack, "help"),
        content_type=FORM,
        sign=False,
        headers={"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
    )
    assert answer.status == 401
    assert _tracebacks(caplog) == []


def test_a_huge_body_is_refused_unread_and_logged_in_one_short_line(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    url = urlsplit(slack.app_url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as client:
        client.sendall(
            f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: {FORM}\r\n"
            f"Content-Length: {10 * 1024 * 1024}\r\n\r\ntext=xx".encode()
        )
        status_line = client.recv(4096).split(b"\r\n", 1)[0]
    assert b" 413 " in status_line  # answered without waiting for ten megabytes
    lines = [r.getMessage() for r in caplog.records if r.name == "okrbot.http"]
    assert lines and all(len(line) < 300 for line in lines)


def test_a_rejected_request_is_logged_without_its_body(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stale = int(time.time()) - 600  # genuinely signed, ten minutes ago
    body = _command(slack, "help\nINFO okrbot: forged line")
    answer = slack.post_raw(body, content_type=FORM, timestamp=stale)
    assert answer.status == 401
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret-handle" not in logged and "forged line" not in logged
    forged = slack.post_raw(body, content_type=FORM, signature="v0=" + "0" * 64)
    assert forged.status == 401
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret-handle" not in logged and "forged line" not in logged


def test_logged_values_stay_on_one_line_and_response_urls_are_scrubbed() -> None:
    scrub = RedactSecretsFilter()
    record = logging.LogRecord(
        "slack_sdk.web.base_client",
        logging.DEBUG,
        __file__,
        1,
        "Received the following response - body: %s\nINFO okrbot.http: forged",
        ({"response_url": "https://hooks.slack.com/commands/T1/22/abcDEF"},),
        None,
    )
    scrub.filter(record)
    message = record.getMessage()
    assert "\n" not in message and "abcDEF" not in message
    bare = logging.LogRecord(
        "okrbot",
        logging.INFO,
        __file__,
        1,
        "posting to %s",
        ("https://hooks.slack.com/actions/T1/2/xyz",),
        None,
    )
    scrub.filter(bare)
    assert "xyz" not in bare.getMessage()
