"""Request bodies are read exactly as Bolt's own parser reads them, only faster."""

from __future__ import annotations

import io
import json
import random
import time
from typing import Any
from urllib.parse import parse_qsl, quote_plus, unquote_plus, urlencode

import pytest
import slack_bolt.request.request as bolt_request
from slack_bolt.request.internals import parse_body as bolt_parse_body
from slack_sdk.signature import SignatureVerifier

from app.runtime import Runtime, build_runtime
from app.settings import Settings
from app.slack import bodies
from app.web import EVENTS_PATH
from tests.conftest import ALICE, SIGNING_SECRET, FixedClock

# Pieces that exercise every branch: escapes of multi-byte UTF-8 (whole and cut short),
# malformed escapes, plus signs, backslashes (which the fast path must leave alone), and
# raw non-ASCII text.
PIECES = (
    "a", "Z", "0", " ", "+", "=", "&", "%", "%4", "%zz", "%C3", "%A9", "%E2%82", "%AC",
    "%5C", "%2B", "%26", "%3D", "%F0%9F%98%80", "%ff", "\\", "\\x41", "x", "é", "€", "😀",
)  # fmt: skip


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 8)))


def test_values_decode_exactly_as_urllib_decodes_them() -> None:
    rng = random.Random(20261123)
    for _ in range(20_000):
        text = _random_text(rng)
        assert bodies.unquote_form_value(text) == unquote_plus(text), text
        assert bodies.unquote_form_value(quote_plus(text)) == text


def test_forms_parse_exactly_as_parse_qsl_parses_them() -> None:
    rng = random.Random(7)
    for _ in range(5_000):
        body = "&".join(
            rng.choice((_random_text(rng), "a=", "=b", "", "payload=" + quote_plus("{}")))
            for _ in range(rng.randrange(1, 5))
        )
        assert bodies.parse_form(body) == dict(parse_qsl(body, keep_blank_values=True)), body


def test_bodies_read_as_bolt_reads_them() -> None:
    view = {"blocks": [{"text": 'Ünïcødé 😀 \\ " + & = % %41'}] * 50, "state": {"values": {}}}
    form = "application/x-www-form-urlencoded"
    for body, content_type in (
        ("payload=" + quote_plus(json.dumps({"type": "view_submission", "view": view})), form),
        ("command=%2Fokr&text=list+Growth+%26+co&user_id=U1&team_id=T1", form),
        ("token=abc&challenge=xyz&type=url_verification", form),
        (json.dumps({"type": "event_callback", "event": {"text": "% + é"}}), "application/json"),
        ("", form),
        ("no_equals_sign&x=1", form),
    ):
        assert bodies.parse_body(body, content_type) == bolt_parse_body(body, content_type)


def test_bodies_are_read_by_content_type_and_field_name_not_by_a_word_in_them() -> None:
    """Where Bolt's own reading goes wrong, on purpose: the word "payload" in a slash
    command, and malformed JSON (raised before the signature was checked)."""
    form = "application/x-www-form-urlencoded"
    command = "command=%2Fokr&text=check+Cut+API+payload+size&team_domain=acme-payloads"
    assert bolt_parse_body(command, form) == {}  # Bolt loses every field
    assert bodies.parse_body(command, form)["text"] == "check Cut API payload size"
    for body, content_type in (
        ("payload=", form),
        ("payload=%7Bnope", form),
        ("payload=null", form),
        ("{bad", "application/json"),
        ("null", "application/json"),
        ("[1, 2]", "application/json; charset=utf-8"),
    ):
        assert bodies.parse_body(body, content_type) == {}, body
    event = json.dumps({"type": "event_callback"})
    assert bodies.parse_body(event, "application/json; charset=utf-8") == {"type": "event_callback"}


def _okr_help(runtime: Runtime) -> tuple[str, str]:
    """`/okr help`, signed as Slack signs it, through the app's WSGI callable (gunicorn's
    way in): the status line and the answer."""
    body = urlencode(
        {"command": "/okr", "text": "help", "user_id": ALICE, "team_id": "T0001", "trigger_id": "x"}
    ).encode()
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": EVENTS_PATH,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp,
        "HTTP_X_SLACK_SIGNATURE": signature,
        "wsgi.input": io.BytesIO(body),
    }
    status: list[str] = []
    answer = b"".join(runtime.wsgi(environ, lambda line, headers, *_: status.append(line)))
    return status[0], answer.decode()


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Counts the calls of `bodies.parse_body`, and puts Bolt's own parser back in Bolt's
    request module (as it is before any app is built), so only `install()` can route
    Bolt's requests to the counting one; both are restored after the test."""
    calls: list[str | None] = []
    fast = bodies.parse_body

    def counting(body: str, content_type: str | None) -> dict[str, Any]:
        calls.append(content_type)
        return fast(body, content_type)

    monkeypatch.setattr(bodies, "parse_body", counting)
    monkeypatch.setattr(bolt_request, "parse_body", bolt_parse_body)
    return calls


@pytest.mark.backends("sqlite")
def test_the_apps_requests_are_read_by_the_fast_parser(
    settings: Settings, clock: FixedClock, parse_calls: list[str | None]
) -> None:
    runtime = build_runtime(settings, clock=clock)
    try:
        status, answer = _okr_help(runtime)
    finally:
        runtime.db.dispose()
    assert status.startswith("200") and "/okr new" in answer
    assert parse_calls == ["application/x-www-form-urlencoded"]


@pytest.mark.backends("sqlite")
def test_without_install_bolt_reads_them_with_its_own_parser(
    settings: Settings,
    clock: FixedClock,
    parse_calls: list[str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: the count above comes from `install()`, not from another way in."""
    monkeypatch.setattr(bodies, "install", lambda: None)
    runtime = build_runtime(settings, clock=clock)
    try:
        status, answer = _okr_help(runtime)
    finally:
        runtime.db.dispose()
    assert status.startswith("200") and "/okr new" in answer
    assert parse_calls == []
