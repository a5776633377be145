"""Request bodies are read exactly as Bolt's own parser reads them, only faster."""

from __future__ import annotations

import json
import random
from urllib.parse import parse_qsl, quote_plus, unquote_plus

import pytest
import slack_bolt.request.request as bolt_request
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import parse_body as bolt_parse_body

from app.slack import bodies

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
    # An empty payload is as unreadable to both.
    for parse in (bodies.parse_body, bolt_parse_body):
        with pytest.raises(json.JSONDecodeError):
            parse("payload=", form)


def test_the_app_makes_bolt_read_bodies_with_it(runtime) -> None:
    assert bolt_request.parse_body is bodies.parse_body  # type: ignore[attr-defined]
    request = BoltRequest(
        body="payload=" + quote_plus(json.dumps({"type": "block_actions", "team": {"id": "T1"}})),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert request.body["type"] == "block_actions" and request.context.team_id == "T1"
