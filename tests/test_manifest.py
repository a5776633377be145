"""manifest.yml is a valid Slack app manifest and agrees with what the code does."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import jsonschema
import pytest
import yaml

from app.slack import ids
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"

# The bot scopes each Web API method needs here. A method missing from this table fails
# the scope test, so a new call cannot slip in without its scopes being considered.
METHOD_SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    "views.open": set(),
    "views.update": set(),
    "views.push": set(),
    "views.publish": set(),
    "users.info": {"users:read"},
    # Digests go to the team's channel without the bot having to be invited first.
    "chat.postMessage": {"chat:write", "chat:write.public"},
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    "conversations.open": {"im:write"},
    # After a crash: did the prompt (a DM) or the digest (a channel) already go out?
    "conversations.history": {"im:history", "channels:history", "groups:history"},
    "files.uploadV2": {"files:write"},
}
# Scopes a feature needs without a Web API call.
FEATURE_SCOPES = {"commands"}  # slash commands


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_is_valid_against_slacks_schema(manifest: dict) -> None:
    assert SCHEMA.exists(), f"Slack's manifest schema is expected at {SCHEMA}"
    schema = json.loads(SCHEMA.read_text())
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(manifest)]
    assert errors == []


def test_the_schema_check_catches_a_broken_manifest(manifest: dict) -> None:
    schema = json.loads(SCHEMA.read_text())
    broken = {**manifest, "features": {**manifest["features"], "slash_commands": [{"x": 1}]}}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_manifest_lists_exactly_the_commands_and_events_the_code_registers(
    manifest: dict,
) -> None:
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert sorted(commands) == sorted(ids.COMMANDS)
    assert sorted(manifest["settings"]["event_subscriptions"]["bot_events"]) == sorted(
        ids.BOT_EVENTS
    )
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_every_manifest_command_and_event_has_a_listener(
    manifest: dict, slack: SlackDriver
) -> None:
    for command in manifest["features"]["slash_commands"]:
        assert slack.slash_command(user_id=ALICE, command=command["command"]).status == 200
    for event_type in manifest["settings"]["event_subscriptions"]["bot_events"]:
        event = {"type": event_type, "user": ALICE, "channel": "D0ALICE", "tab": "home"}
        assert slack.send_event(event).status == 200
    # The check can fail: Bolt answers 404 for a request no listener takes.
    assert slack.slash_command(user_id=ALICE, command="/not-ours").status == 404


def _block_suggestion(slack: SlackDriver, action_id: str, block_id: str) -> dict | None:
    payload = {
        "type": "block_suggestion",
        "user": {"id": ALICE, "username": "alice", "name": "alice", "team_id": "T0001"},
        "team": {"id": "T0001", "domain": "standin"},
        "api_app_id": "A0OKRBOT",
        "token": "standin-verification-token",
        "action_id": action_id,
        "block_id": block_id,
        "value": "",
        "view": {"id": "V0", "type": "modal", "callback_id": "", "private_metadata": ""},
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    response = slack.post_raw(body, content_type="application/x-www-form-urlencoded")
    return response.json() if response.status == 200 else None


def test_searched_selects_load_their_options_where_the_manifest_says(
    manifest: dict, slack: SlackDriver
) -> None:
    # External selects (app.slack.views.choices) ask the interactivity options URL.
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["message_menu_options_url"] == interactivity["request_url"]
    answer = _block_suggestion(slack, ids.ACTION_INPUT, ids.BLOCK_TEAM_CHOICE)
    assert answer is not None and answer["options"][0]["value"] == ids.NEW_TEAM_VALUE
    # The check can fail: Bolt answers 404 for options no listener loads.
    assert _block_suggestion(slack, "not-ours", ids.BLOCK_TEAM_CHOICE) is None


def _methods_called_by_the_app() -> set[str]:
    pattern = re.compile(r"\bclient\.([a-z]+_[a-zA-Z0-9_]+)\(")
    methods = set()
    for path in (ROOT / "app").rglob("*.py"):
        if "standin" in path.parts:
            continue
        for name in pattern.findall(path.read_text()):
            prefix, _, rest = name.partition("_")
            methods.add(f"{prefix}.{re.sub(r'_([a-z])', lambda m: m.group(1).upper(), rest)}")
    return methods


def test_manifest_asks_for_exactly_the_scopes_the_code_needs(manifest: dict) -> None:
    called = _methods_called_by_the_app()
    assert "views.open" in called and "users.info" in called  # the scan sees real calls
    unknown = called - set(METHOD_SCOPES)
    assert unknown == set(), f"add these methods' scopes to METHOD_SCOPES: {unknown}"
    needed = set().union(*(METHOD_SCOPES[m] for m in called)) | FEATURE_SCOPES
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(needed)
    # ...and the OAuth install asks for the same ones.
    assert sorted(ids.BOT_SCOPES) == sorted(needed)


def test_manifest_redirects_oauth_installs_to_the_apps_callback(manifest: dict) -> None:
    urls = manifest["oauth_config"]["redirect_urls"]
    assert [url.rsplit("/", 2)[-2:] for url in urls] == [["slack", "oauth_redirect"]]
