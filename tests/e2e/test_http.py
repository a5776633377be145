"""The HTTP face: Slack's signatures, url_verification, ssl_check, health checks, serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from app.db.engine import create_db_engine
from app.db.migrate import current_revision, head_revision
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOT_TOKEN, SIGNING_SECRET
from tests.databases import Databases

COMMAND_BODY = urllib.parse.urlencode(
    {"command": "/okr", "text": "help", "user_id": ALICE, "team_id": "T0001", "trigger_id": "x"}
).encode()


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_a_correctly_signed_request_is_answered(slack: SlackDriver) -> None:
    response = slack.post_raw(COMMAND_BODY, content_type="application/x-www-form-urlencoded")
    assert response.status == 200
    assert "/okr new" in response.body


def test_a_bad_signature_is_refused_with_401(slack: SlackDriver) -> None:
    response = slack.post_raw(
        COMMAND_BODY,
        content_type="application/x-www-form-urlencoded",
        signature="v0=" + "0" * 64,
    )
    assert response.status == 401


def test_an_unsigned_request_is_refused_with_401(slack: SlackDriver) -> None:
    response = slack.post_raw(
        COMMAND_BODY, content_type="application/x-www-form-urlencoded", sign=False
    )
    assert response.status == 401


def test_a_timestamp_older_than_five_minutes_is_refused_even_if_signed(
    slack: SlackDriver,
) -> None:
    stale = int(time.time()) - 5 * 60 - 30
    response = slack.post_raw(
        COMMAND_BODY, content_type="application/x-www-form-urlencoded", timestamp=stale
    )
    assert response.status == 401


def test_url_verification_echoes_the_challenge(slack: SlackDriver) -> None:
    response = slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert response.status == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_ssl_check_is_answered(slack: SlackDriver) -> None:
    assert slack.ssl_check().status == 200


def test_health_and_readiness(app_server) -> None:
    assert _get(f"{app_server.url}/healthz") == (200, {"ok": True})
    assert _get(f"{app_server.url}/readyz") == (200, {"ok": True, "database": "up"})


def test_readiness_reports_an_unreachable_database(app_server, runtime, tmp_path: Path) -> None:
    from app.db import Database

    runtime.wsgi.db = Database(f"sqlite:///{tmp_path}/missing-dir/nope/x.db")
    assert _get(f"{app_server.url}/readyz")[0] == 503
    assert _get(f"{app_server.url}/healthz")[0] == 200


def test_other_paths_are_not_found(app_server) -> None:
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{app_server.url}/nope", timeout=5)
    assert error.value.code == 404


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SLACK_") and k not in ("DATABASE_URL", "LOG_LEVEL")
    }
    env.update(extra)
    return env


def test_serve_starts_migrates_and_answers_healthz(
    tmp_path: Path, standin, databases: Databases
) -> None:
    port = _free_port()
    url = databases.empty("served")
    env = _clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=standin.api_url,
        DATABASE_URL=url,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        health = ready = None
        while time.monotonic() < deadline and ready != 200:
            try:
                health = health or _get(f"http://127.0.0.1:{port}/healthz")[0]
                ready = _get(f"http://127.0.0.1:{port}/readyz")[0]
            except OSError:
                pass
            time.sleep(0.02)
        assert health == 200 and ready == 200
        engine = create_db_engine(url)
        try:  # migrated on first start
            assert current_revision(engine) == head_revision(engine)
        finally:
            engine.dispose()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert BOT_TOKEN.encode() not in stderr and SIGNING_SECRET.encode() not in stderr


def test_serve_without_a_token_exits_2_naming_the_variable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "serve"],
        env=_clean_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "okrbot: missing required setting SLACK_BOT_TOKEN (set it in the environment or in .env)"
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.backends("sqlite")
def test_the_wsgi_module_freezes_what_it_built_out_of_the_collectors_way(
    tmp_path: Path, standin, database_url: str
) -> None:
    """Each gunicorn worker imports `app.wsgi`; a full garbage collection must not walk the
    app it built (a pause of hundreds of ms on a busy machine, see app/wsgi.py)."""
    probe = (
        "import gc, app.wsgi\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()), callable(app.wsgi.api))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=_clean_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=standin.api_url,
            DATABASE_URL=database_url,
            PYTHONPATH=str(Path(__file__).resolve().parents[2]),
        ),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    frozen, tracked, built = result.stdout.split()
    assert built == "True"
    assert int(frozen) > 50_000 and int(tracked) < int(frozen) // 10
