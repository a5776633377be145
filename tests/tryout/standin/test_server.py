"""The Slack stand-in answers a real slack_sdk WebClient over loopback HTTP as Slack would."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from app.tryout.standin import SlackStandIn, StandInError

# Every test talks to the stand-in's HTTP server: not in the fast loop.
pytestmark = pytest.mark.e2e


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def standin(clock: FakeClock) -> Iterator[SlackStandIn]:
    with SlackStandIn(clock=clock) as server:
        server.add_user("U1", name="alice", real_name="Alice Liddell")
        server.add_user("U2", name="bob", tz="America/New_York", is_admin=True)
        server.add_channel("C0PRIV", name="okr-leads", is_private=True)
        yield server


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    # No retry handlers: every error reaches the test as it would reach the app.
    return WebClient(base_url=standin.api_url, token=standin.bot_token, retry_handlers=[])


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(title: str = "New objective", **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": "new_objective",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "title_input"},
            }
        ],
    }
    view.update(extra)
    return view


def raw_call(
    standin: SlackStandIn,
    method: str,
    *,
    query: str = "",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    url = standin.api_url + method + (f"?{query}" if query else "")
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


# ---------------------------------------------------------------------- auth and users


def test_auth_test_describes_the_bot(client: WebClient) -> None:
    response = client.auth_test()
    assert response["ok"] is True
    assert response["team_id"] == "T0001"
    assert response["user_id"] == "U0OKRBOT"
    assert response["bot_id"] == "B0OKRBOT"
    assert response["is_enterprise_install"] is False
    assert "enterprise_id" not in response.data


def test_auth_test_reports_enterprise_when_set() -> None:
    with SlackStandIn(enterprise_id="E0001") as server:
        client = WebClient(base_url=server.api_url, token=server.bot_token)
        assert client.auth_test()["enterprise_id"] == "E0001"


def test_wrong_token_is_invalid_auth(standin: SlackStandIn) -> None:
    client = WebClient(base_url=standin.api_url, token="xoxb-wrong", retry_handlers=[])
    with pytest.raises(SlackApiError) as caught:
        client.auth_test()
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == "invalid_auth"


def test_missing_token_is_not_authed(standin: SlackStandIn) -> None:
    status, body = raw_call(standin, "auth.test", body=b"")
    assert (status, body) == (200, {"ok": False, "error": "not_authed"})


def test_get_with_query_string_and_token_argument(standin: SlackStandIn) -> None:
    status, body = raw_call(standin, "users.info", query=f"user=U1&token={standin.bot_token}")
    assert status == 200
    assert body["user"]["name"] == "alice"


def test_form_body_with_blocks_as_json_string(standin: SlackStandIn, client: WebClient) -> None:
    blocks = json.dumps([section("from a form")])
    response = client.api_call(
        "chat.postMessage", params={"channel": "C0GENERAL", "text": "t", "blocks": blocks}
    )
    assert response["message"]["blocks"][0]["text"]["text"] == "from a form"
    assert standin.calls_to("chat.postMessage")[-1].args["blocks"][0]["type"] == "section"


def test_unknown_method_is_404(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.api_call("reactions.add", json={"name": "tada"})
    assert caught.value.response.status_code == 404
    assert caught.value.response["error"] == "unknown_method"


def test_users_info(client: WebClient, clock: FakeClock) -> None:
    clock.now = 1_720_000_000  # July: Berlin is on summer time
    user = client.users_info(user="U1")["user"]
    assert user["id"] == "U1"
    assert user["team_id"] == "T0001"
    assert user["real_name"] == "Alice Liddell"
    assert user["profile"] == {
        "real_name": "Alice Liddell",
        "display_name": "alice",
        "team": "T0001",
    }
    assert (user["tz"], user["tz_offset"]) == ("Europe/Berlin", 7200)
    assert user["tz_label"] == "Central European Summer Time"
    assert user["is_admin"] is False and user["is_bot"] is False and user["deleted"] is False
    assert client.users_info(user="U2")["user"]["is_admin"] is True
    assert client.users_info(user="U0OKRBOT")["user"]["is_bot"] is True


def test_users_info_unknown_user(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.users_info(user="U404")
    assert caught.value.response["error"] == "user_not_found"


# ---------------------------------------------------------------------- messages


def test_post_message_to_channel(standin: SlackStandIn, client: WebClient) -> None:
    response = client.chat_postMessage(channel="C0GENERAL", text="Weekly check-in")
    assert response["channel"] == "C0GENERAL"
    message = response["message"]
    assert message["text"] == "Weekly check-in"
    assert message["ts"] == response["ts"]
    assert message["bot_id"] == "B0OKRBOT"
    assert message["user"] == "U0OKRBOT"
    stored = standin.messages("C0GENERAL")
    assert [(m["text"], m["ts"], m["edited"]) for m in stored] == [
        ("Weekly check-in", response["ts"], False)
    ]


def test_ts_is_unique_and_increasing_with_a_frozen_clock(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C0GENERAL", text=str(i))["ts"] for i in range(3)]
    assert stamps == ["1700000000.000000", "1700000000.000001", "1700000000.000002"]


def test_post_to_user_id_lands_in_the_dm(standin: SlackStandIn, client: WebClient) -> None:
    response = client.chat_postMessage(channel="U1", text="Your check-in is due")
    dm = standin.dm_channel("U1")
    assert dm.startswith("D")
    assert response["channel"] == dm
    assert client.conversations_open(users="U1")["channel"]["id"] == dm
    assert client.conversations_open(users=["U1"])["channel"]["id"] == dm
    assert standin.messages(dm)[0]["text"] == "Your check-in is due"


def test_post_in_thread(standin: SlackStandIn, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="#general", text="parent")["ts"]
    reply = client.chat_postMessage(channel="C0GENERAL", text="reply", thread_ts=parent)
    assert reply["message"]["thread_ts"] == parent
    assert standin.messages("C0GENERAL")[1]["thread_ts"] == parent


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "C404", "text": "x"}, "channel_not_found"),
        ({"channel": "C0GENERAL"}, "no_text"),
        ({"channel": "C0GENERAL", "text": "x" * 40_001}, "msg_too_long"),
    ],
)
def test_post_message_errors(
    standin: SlackStandIn, client: WebClient, kwargs: dict[str, Any], error: str
) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.api_call("chat.postMessage", json=kwargs)
    assert caught.value.response["error"] == error
    assert standin.messages() == []


def test_forty_thousand_characters_is_fine(client: WebClient) -> None:
    assert client.chat_postMessage(channel="C0GENERAL", text="x" * 40_000)["ok"]


def test_invalid_blocks_for_51_blocks(standin: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C0GENERAL", text="t", blocks=[{"type": "divider"}] * 51)
    data = caught.value.response.data
    assert data["error"] == "invalid_blocks"
    assert data["errors"] == ["51 blocks, the limit is 50 [json-pointer:/blocks]"]
    assert data["response_metadata"]["messages"] == [
        "[ERROR] 51 blocks, the limit is 50 [json-pointer:/blocks]"
    ]
    assert standin.messages() == []


def test_invalid_blocks_for_a_3001_character_section(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C0GENERAL", text="t", blocks=[section("x" * 3001)])
    assert caught.value.response["errors"] == [
        "3001 characters, the limit is 3000 [json-pointer:/blocks/0/text/text]"
    ]
    ok = client.chat_postMessage(channel="C0GENERAL", text="t", blocks=[section("x" * 3000)])
    assert ok["ok"]


def test_missing_block_and_action_ids_are_filled_in(client: WebClient) -> None:
    button = {"type": "button", "text": {"type": "plain_text", "text": "Go"}}
    blocks = [section("a"), {"type": "actions", "elements": [button]}]
    posted = client.chat_postMessage(channel="C0GENERAL", text="t", blocks=blocks)
    stored = posted["message"]["blocks"]
    assert all(b["block_id"] for b in stored)
    assert stored[1]["elements"][0]["action_id"]


def test_post_ephemeral(standin: SlackStandIn, client: WebClient) -> None:
    response = client.chat_postEphemeral(channel="C0GENERAL", user="U1", text="only you")
    assert response["message_ts"]
    assert standin.ephemerals("U1") == [
        {
            "channel": "C0GENERAL",
            "user": "U1",
            "ts": response["message_ts"],
            "text": "only you",
            "blocks": None,
            "source": "chat.postEphemeral",
        }
    ]
    assert standin.ephemerals("U2") == []


def test_chat_update(standin: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0GENERAL", text="v1", blocks=[section("one")])["ts"]
    updated = client.chat_update(channel="C0GENERAL", ts=ts, text="v2")
    assert (updated["channel"], updated["ts"], updated["text"]) == ("C0GENERAL", ts, "v2")
    assert updated["message"]["blocks"][0]["text"]["text"] == "one"  # omitted blocks are kept
    stored = standin.messages("C0GENERAL")[0]
    assert (stored["text"], stored["edited"]) == ("v2", True)
    with pytest.raises(SlackApiError) as caught:
        client.chat_update(channel="C0GENERAL", ts="1.000001", text="nope")
    assert caught.value.response["error"] == "message_not_found"


# ---------------------------------------------------------------------- views


def test_views_open_returns_the_full_view(standin: SlackStandIn, client: WebClient) -> None:
    trigger = standin.issue_trigger_id("U1")
    view = client.views_open(trigger_id=trigger, view=modal(private_metadata="42"))["view"]
    assert view["id"].startswith("V")
    assert view["root_view_id"] == view["id"]
    assert view["previous_view_id"] is None
    assert view["state"] == {"values": {}}
    assert (view["callback_id"], view["private_metadata"]) == ("new_objective", "42")
    assert (view["team_id"], view["app_id"], view["bot_id"]) == ("T0001", "A0OKRBOT", "B0OKRBOT")
    assert view["hash"] and view["external_id"] == ""
    assert view["clear_on_close"] is False and view["notify_on_close"] is False
    assert standin.view_stack("U1") == [view]
    assert standin.top_view("U1") == view
    assert standin.top_view("U2") is None


def test_expired_trigger(standin: SlackStandIn, client: WebClient, clock: FakeClock) -> None:
    trigger = standin.issue_trigger_id("U1")
    clock.advance(3.1)
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id=trigger, view=modal())
    assert caught.value.response["error"] == "expired_trigger_id"
    assert standin.top_view("U1") is None


def test_trigger_within_three_seconds_works(
    standin: SlackStandIn, client: WebClient, clock: FakeClock
) -> None:
    trigger = standin.issue_trigger_id("U1")
    clock.advance(2.9)
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]


def test_reused_and_unknown_triggers(standin: SlackStandIn, client: WebClient) -> None:
    trigger = standin.issue_trigger_id("U1")
    client.views_open(trigger_id=trigger, view=modal())
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id=trigger, view=modal())
    assert caught.value.response["error"] == "exchanged_trigger_id"
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id="123.456.abc", view=modal())
    assert caught.value.response["error"] == "invalid_trigger_id"


def test_invalid_view_is_invalid_arguments(standin: SlackStandIn, client: WebClient) -> None:
    trigger = standin.issue_trigger_id("U1")
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id=trigger, view=modal(title="A title that is too long!"))
    data = caught.value.response.data
    assert data["error"] == "invalid_arguments"
    assert data["response_metadata"]["messages"] == [
        "[ERROR] 25 characters, the limit is 24 [json-pointer:/view/title/text]"
    ]
    # The trigger was not exchanged, so a corrected view still opens.
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]


def test_views_push_builds_a_stack_of_three(standin: SlackStandIn, client: WebClient) -> None:
    root = client.views_open(trigger_id=standin.issue_trigger_id("U1"), view=modal())["view"]
    second = client.views_push(trigger_id=standin.issue_trigger_id("U1"), view=modal("Two"))
    third = client.views_push(trigger_id=standin.issue_trigger_id("U1"), view=modal("Three"))
    assert second["view"]["root_view_id"] == root["id"]
    assert second["view"]["previous_view_id"] == root["id"]
    assert third["view"]["previous_view_id"] == second["view"]["id"]
    with pytest.raises(SlackApiError) as caught:
        client.views_push(trigger_id=standin.issue_trigger_id("U1"), view=modal("Four"))
    assert caught.value.response["error"] == "push_limit_reached"
    titles = [v["title"]["text"] for v in standin.view_stack("U1")]
    assert titles == ["New objective", "Two", "Three"]


def test_views_update_keeps_id_and_user_entries(standin: SlackStandIn, client: WebClient) -> None:
    opened = client.views_open(trigger_id=standin.issue_trigger_id("U1"), view=modal())["view"]
    entered = {"title": {"title_input": {"type": "plain_text_input", "value": "typed"}}}
    standin.set_view_state(opened["id"], entered)
    changed = modal("Edited")
    changed["blocks"][0]["element"]["initial_value"] = "ignored, the user typed"
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=changed)["view"]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    assert updated["title"]["text"] == "Edited"
    assert updated["state"]["values"] == entered
    with pytest.raises(SlackApiError) as caught:
        client.views_update(view_id=opened["id"], hash="1.stale", view=modal())
    assert caught.value.response["error"] == "hash_conflict"
    with pytest.raises(SlackApiError) as caught:
        client.views_update(view_id="V404", view=modal())
    assert caught.value.response["error"] == "not_found"


def test_views_update_by_external_id(standin: SlackStandIn, client: WebClient) -> None:
    view = modal(external_id="checkin-U1")
    client.views_open(trigger_id=standin.issue_trigger_id("U1"), view=view)
    updated = client.views_update(external_id="checkin-U1", view=modal("Renamed"))["view"]
    assert updated["external_id"] == "checkin-U1"
    assert standin.top_view("U1")["title"]["text"] == "Renamed"


def test_views_publish_home(standin: SlackStandIn, client: WebClient) -> None:
    home = {"type": "home", "blocks": [section("Your OKRs")]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    assert first["type"] == "home"
    again = client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("v2")]})
    assert again["view"]["id"] == first["id"]
    assert standin.home_view("U1")["blocks"][0]["text"]["text"] == "v2"
    with pytest.raises(SlackApiError) as caught:
        client.views_publish(user_id="U1", view=modal())
    assert caught.value.response["error"] == "invalid_arguments"


def _open_stack(standin: SlackStandIn, client: WebClient, depth: int) -> list[dict[str, Any]]:
    client.views_open(trigger_id=standin.issue_trigger_id("U1"), view=modal("V1"))
    for i in range(2, depth + 1):
        client.views_push(trigger_id=standin.issue_trigger_id("U1"), view=modal(f"V{i}"))
    return standin.view_stack("U1")


def test_apply_view_response_errors_keeps_the_view(
    standin: SlackStandIn, client: WebClient
) -> None:
    (view,) = _open_stack(standin, client, 1)
    top = standin.apply_view_response(
        "U1", view["id"], {"response_action": "errors", "errors": {"title": "Name it"}}
    )
    assert top is not None and top["id"] == view["id"]
    assert standin.field_errors(view["id"]) == {"title": "Name it"}
    with pytest.raises(StandInError):  # errors must name input blocks
        standin.apply_view_response(
            "U1", view["id"], {"response_action": "errors", "errors": {"nope": "x"}}
        )


def test_apply_view_response_update_keeps_the_id(standin: SlackStandIn, client: WebClient) -> None:
    (view,) = _open_stack(standin, client, 1)
    top = standin.apply_view_response(
        "U1", view["id"], {"response_action": "update", "view": modal("Step 2")}
    )
    assert top is not None
    assert (top["id"], top["title"]["text"]) == (view["id"], "Step 2")
    assert top["hash"] != view["hash"]
    with pytest.raises(StandInError):
        standin.apply_view_response(
            "U1", view["id"], {"response_action": "update", "view": modal("x" * 25)}
        )


def test_apply_view_response_push_and_close(standin: SlackStandIn, client: WebClient) -> None:
    (root,) = _open_stack(standin, client, 1)
    top = standin.apply_view_response(
        "U1", root["id"], {"response_action": "push", "view": modal("Pushed")}
    )
    assert top is not None and top["previous_view_id"] == root["id"]
    # Submitting the pushed view with an empty answer closes only that view.
    assert standin.apply_view_response("U1", top["id"], None) == standin.top_view("U1")
    assert [v["id"] for v in standin.view_stack("U1")] == [root["id"]]
    assert standin.apply_view_response("U1", root["id"], {}) is None
    assert standin.view_stack("U1") == []


def test_apply_view_response_clear_and_close_button(
    standin: SlackStandIn, client: WebClient
) -> None:
    stack = _open_stack(standin, client, 3)
    standin.close_view("U1", stack[2]["id"])
    assert len(standin.view_stack("U1")) == 2
    assert standin.apply_view_response("U1", stack[1]["id"], {"response_action": "clear"}) is None
    assert standin.view_stack("U1") == []
    with pytest.raises(KeyError):
        standin.apply_view_response("U1", stack[0]["id"], None)


def test_close_with_clear_on_close_closes_all(standin: SlackStandIn, client: WebClient) -> None:
    client.views_open(trigger_id=standin.issue_trigger_id("U1"), view=modal())
    pushed = client.views_push(
        trigger_id=standin.issue_trigger_id("U1"), view=modal("Two", clear_on_close=True)
    )["view"]
    standin.close_view("U1", pushed["id"])
    assert standin.view_stack("U1") == []


# ---------------------------------------------------------------------- faults and limits


def test_fail_next_429_reaches_the_client(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C0GENERAL", text="x")
    response = caught.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"
    assert standin.messages() == []
    assert [c.status for c in standin.calls_to("chat.postMessage")] == [429]
    assert client.chat_postMessage(channel="C0GENERAL", text="x")["ok"]  # only once


def test_fail_next_server_error(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail_next("views.publish", status=503, error="service_unavailable", times=2)
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            client.views_publish(user_id="U1", view=home)
        assert caught.value.response.status_code == 503
        assert "Retry-After" not in caught.value.response.headers
    assert client.views_publish(user_id="U1", view=home)["ok"]


def test_rate_limit_retry_handler_recovers(standin: SlackStandIn) -> None:
    standin.fail_next("chat.postMessage", retry_after=1)
    client = WebClient(
        base_url=standin.api_url,
        token=standin.bot_token,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    started = time.monotonic()
    assert client.chat_postMessage(channel="C0GENERAL", text="eventually")["ok"]
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in standin.calls_to("chat.postMessage")] == [429, 200]
    assert [m["text"] for m in standin.messages()] == ["eventually"]


def test_rate_limit_bucket(standin: SlackStandIn, client: WebClient, clock: FakeClock) -> None:
    standin.set_rate_limit("chat.postMessage", per_second=1)
    assert client.chat_postMessage(channel="C0GENERAL", text="1")["ok"]
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C0GENERAL", text="2")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "1"
    clock.advance(1.0)
    assert client.chat_postMessage(channel="C0GENERAL", text="3")["ok"]
    assert client.chat_postEphemeral(channel="C0GENERAL", user="U1", text="not limited")["ok"]
    standin.set_rate_limit("chat.postMessage", None)
    assert client.chat_postMessage(channel="C0GENERAL", text="4")["ok"]
    assert [m["text"] for m in standin.messages()] == ["1", "3", "4"]


# ---------------------------------------------------------------------- response URLs


def test_response_url_ephemeral_and_in_channel(standin: SlackStandIn) -> None:
    url = standin.new_response_url(user_id="U1", channel_id="C0GENERAL")
    webhook = WebhookClient(url)
    response = webhook.send(text="Saved your check-in")
    assert (response.status_code, response.body) == (200, "ok")
    assert standin.ephemerals("U1")[0]["text"] == "Saved your check-in"
    assert standin.ephemerals("U1")[0]["source"] == "response_url"
    webhook.send(text="Team update", response_type="in_channel", blocks=[section("Team update")])
    (message,) = standin.messages("C0GENERAL")
    assert (message["text"], message["source"]) == ("Team update", "response_url")
    recorded = standin.calls_to("response_url")
    assert [c.args.get("response_type") for c in recorded] == [None, "in_channel"]
    assert all(c.status == 200 for c in recorded)


def test_response_url_replace_and_delete_original(standin: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0GENERAL", text="Approve?")["ts"]
    url = standin.new_response_url(user_id="U1", channel_id="C0GENERAL", message_ts=ts)
    WebhookClient(url).send(text="Approved", replace_original=True)
    assert [(m["text"], m["edited"]) for m in standin.messages()] == [("Approved", True)]
    WebhookClient(url).send_dict({"delete_original": True})
    assert standin.messages() == []


def test_response_url_limits(standin: SlackStandIn, clock: FakeClock) -> None:
    url = standin.new_response_url(user_id="U1", channel_id="C0GENERAL")
    webhook = WebhookClient(url)
    assert webhook.send(blocks=[{"type": "divider"}] * 51, text="t").status_code == 400
    for i in range(5):
        assert webhook.send(text=str(i)).status_code == 200
    assert webhook.send(text="sixth").status_code == 404
    late = WebhookClient(standin.new_response_url(user_id="U1", channel_id="C0GENERAL"))
    clock.advance(30 * 60 + 1)
    assert late.send(text="too late").status_code == 404
    assert WebhookClient(standin.base_url + "/response/nope").send(text="x").status_code == 404


def test_record_ack_response(standin: SlackStandIn) -> None:
    standin.record_ack_response(user_id="U1", channel_id="C0GENERAL", body="Hi")
    standin.record_ack_response(
        user_id="U1",
        channel_id="C0GENERAL",
        body={"text": "All", "response_type": "in_channel"},
    )
    standin.record_ack_response(user_id="U1", channel_id="C0GENERAL", body={"text": ""})
    assert [(e["text"], e["source"]) for e in standin.ephemerals("U1")] == [("Hi", "ack")]
    assert [(m["text"], m["source"]) for m in standin.messages()] == [("All", "ack")]


# ---------------------------------------------------------------------- recording


def test_calls_are_recorded(standin: SlackStandIn, client: WebClient, clock: FakeClock) -> None:
    client.auth_test()
    clock.advance(5)
    client.chat_postMessage(channel="C0GENERAL", text="x")
    calls = standin.calls
    assert [c.method for c in calls] == ["auth.test", "chat.postMessage"]
    post = calls[1]
    assert post.args == {"channel": "C0GENERAL", "text": "x"}  # the token is not kept
    assert post.response["ok"] is True and post.status == 200
    assert post.at == clock.now
    calls.clear()  # a copy
    assert len(standin.calls) == 2
    standin.clear_calls()
    assert standin.calls == []
