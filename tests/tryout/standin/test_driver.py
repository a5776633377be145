"""The driver plays Slack towards a real Bolt app served over HTTP on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from app.server import LocalServer
from app.tryout.standin import SlackDriver, SlackStandIn

# Every test serves an app and the stand-in over HTTP: not in the fast loop.
pytestmark = pytest.mark.e2e

SECRET = "test-signing-secret"
ALICE = "U1"


@dataclass
class Seen:
    """What the app's listeners received."""

    submissions: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    event_headers: list[dict[str, Any]] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


def objective_modal() -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "new_objective",
        "notify_on_close": True,
        "title": {"type": "plain_text", "text": "New objective"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "optional": True,  # the app validates it, to exercise response_action errors
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "title_input"},
            },
            {
                "type": "input",
                "block_id": "due",
                "label": {"type": "plain_text", "text": "Due"},
                "element": {
                    "type": "datepicker",
                    "action_id": "due_date",
                    "initial_date": "2025-03-31",
                },
            },
            {
                "type": "input",
                "block_id": "confidence",
                "label": {"type": "plain_text", "text": "Confidence"},
                "element": {
                    "type": "static_select",
                    "action_id": "pick",
                    "options": [
                        {"text": {"type": "plain_text", "text": "On track"}, "value": "on_track"},
                        {"text": {"type": "plain_text", "text": "At risk"}, "value": "at_risk"},
                    ],
                    "initial_option": {
                        "text": {"type": "plain_text", "text": "On track"},
                        "value": "on_track",
                    },
                },
            },
            {
                "type": "actions",
                "block_id": "more",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "add_kr",
                        "text": {"type": "plain_text", "text": "Add key result"},
                    }
                ],
            },
        ],
    }


def build_app(standin: SlackStandIn, seen: Seen) -> App:
    client = WebClient(base_url=standin.api_url, token=standin.bot_token)
    app = App(signing_secret=SECRET, client=client, process_before_response=True)

    @app.command("/okr")
    def okr(ack: Any, command: dict[str, Any]) -> None:
        ack(f"Hi <@{command['user_id']}>, you said {command['text']}")

    @app.command("/okr-share")
    def share(ack: Any) -> None:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Team OKRs*"}}]
        ack(text="Team OKRs", blocks=blocks, response_type="in_channel")

    @app.command("/okr-new")
    def new(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        client.views_open(trigger_id=body["trigger_id"], view=objective_modal())
        ack()

    @app.view("new_objective")
    def submitted(ack: Any, view: dict[str, Any]) -> None:
        seen.submissions.append(view)
        title = view["state"]["values"]["title"]["title_input"]["value"]
        if not title:
            ack(response_action="errors", errors={"title": "Give the objective a name."})
        else:
            ack()

    @app.view_closed("new_objective")
    def closed(ack: Any, view: dict[str, Any]) -> None:
        seen.closed.append(view["id"])
        ack()

    @app.action("add_kr")
    def add_kr(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        seen.actions.append(body)
        pushed = {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Key result"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Measure it"}}],
        }
        client.views_push(trigger_id=body["trigger_id"], view=pushed)

    @app.action("approve")
    def approve(ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        seen.actions.append(body)
        respond(text=f"Approved by <@{body['user']['id']}>", replace_original=True)

    @app.event("app_mention")
    def mention(event: dict[str, Any], say: Any, request: Any) -> None:
        seen.events.append(event)
        seen.event_headers.append(dict(request.headers))
        say("pong")

    return app


@dataclass
class Harness:
    standin: SlackStandIn
    driver: SlackDriver
    seen: Seen
    app_url: str


@pytest.fixture
def harness() -> Iterator[Harness]:
    with SlackStandIn() as standin:
        standin.add_user(ALICE, name="alice")
        seen = Seen()
        app = build_app(standin, seen)
        with LocalServer(SlackRequestHandler(app)) as server:
            app_url = f"{server.url}/slack/events"
            driver = SlackDriver(app_url=app_url, signing_secret=SECRET, standin=standin)
            yield Harness(standin, driver, seen, app_url)


# ---------------------------------------------------------------------- signing


def test_signed_slash_command_is_accepted_and_ack_recorded(harness: Harness) -> None:
    response = harness.driver.slash_command(user_id=ALICE, text="hello")
    assert response.status == 200
    assert response.body == "Hi <@U1>, you said hello"
    assert response.json() is None
    (ephemeral,) = harness.standin.ephemerals(ALICE)
    assert ephemeral["text"] == "Hi <@U1>, you said hello"
    assert (ephemeral["channel"], ephemeral["source"]) == ("C0GENERAL", "ack")


def test_in_channel_ack_becomes_a_channel_message(harness: Harness) -> None:
    response = harness.driver.slash_command(user_id=ALICE, command="/okr-share")
    assert response.json()["response_type"] == "in_channel"
    (message,) = harness.standin.messages("C0GENERAL")
    assert message["blocks"][0]["text"]["text"] == "*Team OKRs*"
    assert harness.standin.ephemerals() == []


def test_wrong_secret_is_rejected(harness: Harness) -> None:
    impostor = SlackDriver(
        app_url=harness.app_url, signing_secret="not-the-secret", standin=harness.standin
    )
    assert impostor.slash_command(user_id=ALICE, text="hello").status == 401
    assert harness.standin.ephemerals() == []


def test_stale_timestamp_is_rejected(harness: Harness) -> None:
    body = b"token=x&team_id=T0001&user_id=U1&command=%2Fokr&text=hi"
    form = "application/x-www-form-urlencoded"
    stale = int(time.time()) - 301
    assert harness.driver.post_raw(body, content_type=form, timestamp=stale).status == 401
    fresh = int(time.time()) - 200
    assert harness.driver.post_raw(body, content_type=form, timestamp=fresh).status == 200


def test_unsigned_and_forged_requests_are_rejected(harness: Harness) -> None:
    body = b"command=%2Fokr&user_id=U1"
    form = "application/x-www-form-urlencoded"
    assert harness.driver.post_raw(body, content_type=form, sign=False).status == 401
    forged = harness.driver.post_raw(body, content_type=form, signature="v0=" + "0" * 64)
    assert forged.status == 401


def test_url_verification_echoes_the_challenge(harness: Harness) -> None:
    response = harness.driver.url_verification(
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    )
    assert response.status == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_ssl_check(harness: Harness) -> None:
    response = harness.driver.ssl_check()
    assert (response.status, response.body) == (200, "")


# ---------------------------------------------------------------------- modals


def test_modal_open_submit_with_errors_then_ok(harness: Harness) -> None:
    standin, driver, seen = harness.standin, harness.driver, harness.seen
    assert driver.slash_command(user_id=ALICE, command="/okr-new").status == 200
    view = standin.top_view(ALICE)
    assert view is not None and view["callback_id"] == "new_objective"

    first = driver.submit_view(user_id=ALICE, values={"title": ""})
    assert first.status == 200
    assert first.json() == {
        "response_action": "errors",
        "errors": {"title": "Give the objective a name."},
    }
    assert [v["id"] for v in standin.view_stack(ALICE)] == [view["id"]]
    assert standin.field_errors(view["id"]) == {"title": "Give the objective a name."}

    second = driver.submit_view(user_id=ALICE, values={"title": "Grow revenue"})
    assert (second.status, second.body) == (200, "")
    assert standin.view_stack(ALICE) == []

    submitted = seen.submissions[-1]
    assert submitted["id"] == view["id"]
    assert submitted["state"]["values"] == {
        "title": {"title_input": {"type": "plain_text_input", "value": "Grow revenue"}},
        "due": {"due_date": {"type": "datepicker", "selected_date": "2025-03-31"}},
        "confidence": {
            "pick": {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "On track"},
                    "value": "on_track",
                },
            }
        },
    }


def test_submission_payload_shape(harness: Harness) -> None:
    harness.driver.slash_command(user_id=ALICE, command="/okr-new")
    harness.driver.submit_view(user_id=ALICE, values={"title": "x", "confidence": "at_risk"})
    view = harness.seen.submissions[-1]
    picked = view["state"]["values"]["confidence"]["pick"]["selected_option"]
    assert picked == {"text": {"type": "plain_text", "text": "At risk"}, "value": "at_risk"}
    for key in ("hash", "root_view_id", "private_metadata", "callback_id", "team_id", "app_id"):
        assert key in view


def test_required_input_left_empty_is_not_sent(harness: Harness) -> None:
    harness.driver.slash_command(user_id=ALICE, command="/okr-new")
    response = harness.driver.submit_view(user_id=ALICE, values={"title": "x", "due": None})
    assert response.status == 0
    assert response.client_errors == {"due": "Please complete this required field."}
    assert harness.seen.submissions == []
    assert harness.standin.top_view(ALICE) is not None


def test_earlier_entries_survive_a_failed_submission(harness: Harness) -> None:
    harness.driver.slash_command(user_id=ALICE, command="/okr-new")
    harness.driver.submit_view(user_id=ALICE, values={"title": "", "confidence": "at_risk"})
    harness.driver.submit_view(user_id=ALICE, values={"title": "Named"})
    values = harness.seen.submissions[-1]["state"]["values"]
    assert values["confidence"]["pick"]["selected_option"]["value"] == "at_risk"


def test_click_in_a_modal_pushes_a_view(harness: Harness) -> None:
    harness.driver.slash_command(user_id=ALICE, command="/okr-new")
    root = harness.standin.top_view(ALICE)
    assert root is not None
    response = harness.driver.click(user_id=ALICE, action_id="add_kr")
    assert response.status == 200
    body = harness.seen.actions[-1]
    assert body["type"] == "block_actions"
    assert body["container"] == {"type": "view", "view_id": root["id"]}
    assert body["view"]["state"]["values"]["due"]["due_date"]["selected_date"] == "2025-03-31"
    assert body["actions"][0]["block_id"] == "more"
    assert body["actions"][0]["text"]["text"] == "Add key result"
    titles = [v["title"]["text"] for v in harness.standin.view_stack(ALICE)]
    assert titles == ["New objective", "Key result"]


def test_close_sends_view_closed_when_asked(harness: Harness) -> None:
    harness.driver.slash_command(user_id=ALICE, command="/okr-new")
    view = harness.standin.top_view(ALICE)
    assert view is not None
    response = harness.driver.close_view(user_id=ALICE)
    assert response is not None and response.status == 200
    assert harness.seen.closed == [view["id"]]
    assert harness.standin.view_stack(ALICE) == []


# ---------------------------------------------------------------------- messages and events


def test_click_on_a_message_button_and_respond(harness: Harness) -> None:
    client = WebClient(base_url=harness.standin.api_url, token=harness.standin.bot_token)
    button = {
        "type": "button",
        "action_id": "approve",
        "value": "kr-7",
        "text": {"type": "plain_text", "text": "Approve"},
    }
    posted = client.chat_postMessage(
        channel="C0GENERAL",
        text="Approve KR 7?",
        blocks=[{"type": "actions", "block_id": "decide", "elements": [button]}],
    )
    response = harness.driver.click(user_id=ALICE, action_id="approve")
    assert response.status == 200
    body = harness.seen.actions[-1]
    assert body["container"]["message_ts"] == posted["ts"]
    assert body["channel"] == {"id": "C0GENERAL", "name": "general"}
    assert body["message"]["text"] == "Approve KR 7?"
    assert body["actions"][0]["value"] == "kr-7"
    assert body["user"] == {"id": "U1", "username": "alice", "name": "alice", "team_id": "T0001"}
    (message,) = harness.standin.messages("C0GENERAL")
    assert (message["text"], message["edited"]) == ("Approved by <@U1>", True)


def test_click_unknown_action_raises(harness: Harness) -> None:
    with pytest.raises(LookupError):
        harness.driver.click(user_id=ALICE, action_id="nope")


def test_events_reach_the_listener(harness: Harness) -> None:
    event = {
        "type": "app_mention",
        "user": ALICE,
        "text": "<@U0OKRBOT> ping",
        "channel": "C0GENERAL",
        "ts": "1700000000.000100",
    }
    response = harness.driver.send_event(
        event, event_id="Ev0TEST", retry_num=1, retry_reason="http_timeout"
    )
    assert response.status == 200
    assert harness.seen.events[0]["text"] == "<@U0OKRBOT> ping"
    headers = harness.seen.event_headers[0]
    assert headers["x-slack-retry-num"] == ["1"]
    assert headers["x-slack-retry-reason"] == ["http_timeout"]
    assert [m["text"] for m in harness.standin.messages("C0GENERAL")] == ["pong"]


def test_interactive_payload_is_a_single_form_field(harness: Harness) -> None:
    action = {"type": "button", "action_id": "nobody_listens", "block_id": "b", "action_ts": "1"}
    payload = {"type": "block_actions", "user": {"id": ALICE}, "actions": [action]}
    body = f"payload={quote(json.dumps(payload))}".encode()
    response = harness.driver.post_raw(body, content_type="application/x-www-form-urlencoded")
    # Verified and parsed by Bolt; 404 because no listener handles that action_id.
    assert response.status == 404
