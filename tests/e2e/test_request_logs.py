"""One log line per request, with its id and latency; plain or JSON; never a secret."""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from app.logs import configure_logging
from app.runtime import Runtime
from app.server import LocalServer
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOT_TOKEN, SIGNING_SECRET


@pytest.fixture
def logs_to_stderr() -> Iterator[None]:
    """Restore the root logger after a test configures it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _lines(err: str, logger: str) -> list[str]:
    return [line for line in err.splitlines() if logger in line]


def test_each_request_logs_one_line_with_its_id_status_and_latency(
    slack: SlackDriver, capsys: pytest.CaptureFixture[str], logs_to_stderr: None
) -> None:
    configure_logging("INFO", secrets=[SIGNING_SECRET, BOT_TOKEN])
    capsys.readouterr()
    response = slack.slash_command(user_id=ALICE, text="list")
    assert response.status == 200
    rid = response.headers["X-Request-Id"]
    lines = _lines(capsys.readouterr().err, "okrbot.http")
    assert len(lines) == 1
    assert "POST /slack/events 200" in lines[0] and " ms " in lines[0] + " "
    assert lines[0].endswith(f"[{rid}]")
    # Every request gets its own id.
    again = slack.slash_command(user_id=ALICE, text="help")
    assert again.headers["X-Request-Id"] != rid


def test_a_request_id_from_the_proxy_is_kept_and_a_malformed_one_replaced(
    app_server: LocalServer,
) -> None:
    def request_id(given: str) -> str:
        request = urllib.request.Request(
            f"{app_server.url}/healthz", headers={"X-Request-Id": given}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.headers["X-Request-Id"]

    assert request_id("lb-7f3a.0001") == "lb-7f3a.0001"
    replaced = request_id("bad id\twith spaces")
    assert replaced != "bad id\twith spaces" and len(replaced) == 16


def test_json_logs_are_one_object_per_line_with_the_request_fields(
    slack: SlackDriver,
    runtime: Runtime,
    capsys: pytest.CaptureFixture[str],
    logs_to_stderr: None,
) -> None:
    configure_logging("INFO", secrets=runtime.settings.secrets(), json_lines=True)
    capsys.readouterr()
    response = slack.send_event(
        {"type": "app_home_opened", "user": ALICE, "tab": "home"}, retry_num=1
    )
    assert response.status == 200
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    (http,) = [r for r in records if r["logger"] == "okrbot.http"]
    assert http["request_id"] == response.headers["X-Request-Id"]
    assert http["method"] == "POST" and http["path"] == "/slack/events"
    assert http["status"] == 200 and http["duration_ms"] > 0
    assert http["slack"] == {"retry_num": 1}


def test_a_signing_secret_in_a_bad_request_never_reaches_the_logs(
    slack: SlackDriver, capsys: pytest.CaptureFixture[str], logs_to_stderr: None
) -> None:
    configure_logging("DEBUG", secrets=[SIGNING_SECRET, BOT_TOKEN])
    body = urllib.parse.urlencode({"command": "/okr", "text": f"check {SIGNING_SECRET}"})
    slack.post_raw(body.encode(), content_type="application/x-www-form-urlencoded")
    slack.slash_command(user_id=ALICE, text=f"check {BOT_TOKEN} {SIGNING_SECRET}")
    err = capsys.readouterr().err
    assert "okrbot.http" in err and "[redacted]" in err
    assert SIGNING_SECRET not in err and BOT_TOKEN not in err
