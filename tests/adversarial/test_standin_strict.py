"""The stand-in is at least as strict as Slack where the app relies on it (issue #14, item 23).

Every block payload it receives goes through slack_sdk's models as well as our limit
checker (views, messages, response URLs, the acknowledgements the driver gets back);
`oauth.v2.access` answers the scopes the install granted; `chat.update` and
`conversations.history` want a conversation id; history returns what Slack returns.
Each payload below passes `app.slack.limits` and is refused only by slack_sdk's models, so
these tests fail on a stand-in that checked the limits alone.
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.runtime import Runtime, build_runtime
from app.server import LocalServer
from app.settings import Settings
from app.slack import ids
from app.slack.limits import message_errors, view_errors
from app.tryout.standin import SlackDriver, SlackStandIn, StandInError
from tests.conftest import ALICE, BOB, SIGNING_SECRET, FixedClock

# Every test here talks to the stand-in over HTTP.
pytestmark = pytest.mark.e2e


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Strict"), "blocks": list(blocks), **extra}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


# A date picker whose initial date is not YYYY-MM-DD: Slack refuses the payload, slack_sdk's
# DatePickerElement says why, our limit checker does not look at dates.
BAD_DATE = section(
    "When?", accessory={"type": "datepicker", "action_id": "when", "initial_date": "20/11/2026"}
)
BAD_TIME = {
    "type": "input",
    "block_id": "at",
    "label": plain("At"),
    "element": {"type": "timepicker", "action_id": "at", "initial_time": "25:61"},
}

REFUSED_VIEWS = {
    "a home tab with no blocks": {"type": "home", "blocks": []},
    "a home tab with a submit button": {
        "type": "home",
        "blocks": [section("hi")],
        "submit": plain("Go"),
    },
    "a date picker's date not as YYYY-MM-DD": modal(BAD_DATE),
    "a time picker's time not as HH:mm": modal(BAD_TIME, submit=plain("Save")),
}


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(base_url=standin.api_url, token=standin.bot_token, retry_handlers=[])


def refused(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("name", sorted(REFUSED_VIEWS))
def test_views_refuse_what_slack_sdks_models_refuse(
    name: str, standin: SlackStandIn, client: WebClient
) -> None:
    view = REFUSED_VIEWS[name]
    assert view_errors(view) == []  # the limits alone let it through
    if view["type"] == "home":
        error = refused(lambda: client.views_publish(user_id=ALICE, view=view))
    else:
        trigger = standin.issue_trigger_id(ALICE)
        error = refused(lambda: client.views_open(trigger_id=trigger, view=view))
    assert error.response["error"] == "invalid_arguments"
    messages = error.response["response_metadata"]["messages"]
    assert messages and all(
        m.startswith("[ERROR] ") and "json-pointer:/view" in m for m in messages
    )
    assert standin.top_view(ALICE) is None and standin.home_view(ALICE) is None


def test_views_update_and_push_refuse_them_too(standin: SlackStandIn, client: WebClient) -> None:
    opened = client.views_open(
        trigger_id=standin.issue_trigger_id(ALICE), view=modal(section("step one"))
    )["view"]
    update = refused(lambda: client.views_update(view_id=opened["id"], view=modal(BAD_DATE)))
    push = refused(
        lambda: client.views_push(trigger_id=standin.issue_trigger_id(ALICE), view=modal(BAD_DATE))
    )
    assert update.response["error"] == push.response["error"] == "invalid_arguments"
    assert [v["blocks"][0]["text"]["text"] for v in standin.view_stack(ALICE)] == ["step one"]


def test_messages_refuse_what_slack_sdks_models_refuse(
    standin: SlackStandIn, client: WebClient
) -> None:
    assert message_errors(text="x", blocks=[BAD_DATE]) == []
    posted = client.chat_postMessage(channel="C0GENERAL", text="fine", blocks=[section("fine")])
    calls = {
        "chat.postMessage": lambda: client.chat_postMessage(
            channel="C0GENERAL", text="x", blocks=[BAD_DATE]
        ),
        "chat.postEphemeral": lambda: client.chat_postEphemeral(
            channel="C0GENERAL", user=ALICE, text="x", blocks=[BAD_DATE]
        ),
        "chat.update": lambda: client.chat_update(
            channel="C0GENERAL", ts=posted["ts"], text="x", blocks=[BAD_DATE]
        ),
    }
    for method, call in calls.items():
        error = refused(call)
        assert error.response["error"] == "invalid_blocks", method
        assert any("json-pointer:/blocks/0" in e for e in error.response["errors"]), method
    assert [m["text"] for m in standin.messages()] == ["fine"]
    assert standin.ephemerals() == []


def test_a_response_url_refuses_them(standin: SlackStandIn) -> None:
    url = standin.new_response_url(user_id=ALICE, channel_id="C0GENERAL")
    body = json.dumps({"text": "x", "blocks": [BAD_DATE]}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert (caught.value.code, caught.value.read()) == (400, b"invalid_blocks")
    assert standin.ephemerals() == []


# --- what the app answers in the HTTP response itself ------------------------------------


@pytest.fixture
def tiny_app(standin: SlackStandIn) -> Iterator[tuple[App, SlackDriver]]:
    """A Bolt app that answers whatever a test makes it answer, behind real signed HTTP."""
    bolt = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(base_url=standin.api_url, token=standin.bot_token),
        token_verification_enabled=False,
        process_before_response=True,
    )
    with LocalServer(SlackRequestHandler(bolt)) as server:
        yield (
            bolt,
            SlackDriver(
                app_url=f"{server.url}/slack/events", signing_secret=SIGNING_SECRET, standin=standin
            ),
        )


@pytest.mark.parametrize(
    "answer",
    [
        {"response_type": "in_thread", "text": "an unknown response type"},
        {"text": "blocks Slack refuses", "blocks": [BAD_DATE]},
        {"text": "x" * 40_001},
    ],
    ids=["response_type", "blocks", "text"],
)
def test_a_slash_command_ack_slack_would_refuse_is_refused(
    answer: dict[str, Any], tiny_app: tuple[App, SlackDriver], standin: SlackStandIn
) -> None:
    bolt, driver = tiny_app

    @bolt.command("/okr")
    def answer_it(ack: Ack) -> None:
        ack(**answer)

    with pytest.raises(StandInError, match="invalid acknowledgement"):
        driver.slash_command(user_id=ALICE, text="help")
    assert standin.ephemerals() == [] and standin.messages() == []


def test_a_slash_command_ack_slack_accepts_is_shown(
    tiny_app: tuple[App, SlackDriver], standin: SlackStandIn
) -> None:
    bolt, driver = tiny_app

    @bolt.command("/okr")
    def answer_it(ack: Ack) -> None:
        ack(response_type="ephemeral", text="fine", blocks=[section("fine")])

    assert driver.slash_command(user_id=ALICE, text="help").status == 200
    assert [e["text"] for e in standin.ephemerals(ALICE)] == ["fine"]


def test_a_view_submission_answer_slack_would_refuse_is_refused(
    tiny_app: tuple[App, SlackDriver], standin: SlackStandIn, client: WebClient
) -> None:
    bolt, driver = tiny_app

    @bolt.view("strict")
    def answer_it(ack: Ack) -> None:
        ack(response_action="update", view=modal(BAD_DATE))

    client.views_open(
        trigger_id=standin.issue_trigger_id(ALICE),
        view=modal(section("hi"), callback_id="strict", submit=plain("Go")),
    )
    with pytest.raises(StandInError, match="initial_date"):
        driver.submit_view(user_id=ALICE)


# --- OAuth: the scopes an install grants ---------------------------------------------------

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret-7c1d9e"


@pytest.fixture
def oauth_app(
    standin: SlackStandIn, database_url: str, clock: FixedClock
) -> Iterator[tuple[Runtime, str]]:
    standin.enable_oauth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, rotation=True)
    settings = Settings(
        _env_file=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SIGNING_SECRET,
        database_url=database_url,
        slack_api_url=standin.api_url,
    )
    runtime = build_runtime(settings, clock=clock)
    with LocalServer(runtime.wsgi) as server:
        standin.oauth.redirect_url = f"{server.url}/slack/oauth_redirect"
        yield runtime, server.url
    runtime.db.dispose()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _approve(link: str) -> str:
    """Open Slack's approval page; returns where it redirects (or raises its refusal)."""
    browser = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        browser.open(link, timeout=10)
    assert redirect.value.code == 302, redirect.value.read()
    return str(redirect.value.headers["Location"])


def test_an_install_keeps_the_scopes_slack_granted(
    standin: SlackStandIn, oauth_app: tuple[Runtime, str]
) -> None:
    runtime, app_url = oauth_app
    with urllib.request.urlopen(f"{app_url}/slack/install", timeout=10) as response:
        page = response.read().decode()
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    link = html.unescape(re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', page).group(1))
    callback = _approve(f"{link}&team={standin.team_id}&user={ALICE}")
    with urllib.request.urlopen(
        urllib.request.Request(callback, headers={"Cookie": cookie}), timeout=10
    ) as done:
        assert done.status == 200

    granted = standin.calls_to("oauth.v2.access")[-1].response["scope"]
    assert granted.split(",") == list(ids.BOT_SCOPES)
    stored = runtime.installer.installation_store.find_installation(
        enterprise_id=None, team_id=standin.team_id
    )
    assert stored is not None and stored.bot_scopes == list(ids.BOT_SCOPES)

    # A refresh answers the same grant.
    client = WebClient(base_url=standin.api_url)
    refreshed = client.oauth_v2_access(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=stored.bot_refresh_token,
    )
    assert refreshed["scope"] == granted


def test_an_authorize_link_asking_for_no_scope_is_refused(standin: SlackStandIn) -> None:
    standin.enable_oauth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    link = f"{standin.base_url}/oauth/v2/authorize?client_id={CLIENT_ID}&redirect_uri=https://x/cb"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(link, timeout=10)
    assert (caught.value.code, caught.value.read()) == (400, b"invalid_scope")
    assert "code=" in _approve(link + "&scope=commands")


# --- conversations: ids, and the history Slack returns ------------------------------------


def test_chat_update_wants_the_dm_id_not_the_user_id(
    standin: SlackStandIn, client: WebClient
) -> None:
    # Posting to a user id lands in the app's DM with them, as in Slack...
    posted = client.chat_postMessage(channel=BOB, text="your check-in")
    dm = standin.dm_channel(BOB)
    assert posted["channel"] == dm
    # ...but updating it needs the conversation: a user id is channel_not_found.
    error = refused(lambda: client.chat_update(channel=BOB, ts=posted["ts"], text="answered"))
    assert error.response["error"] == "channel_not_found"
    assert client.chat_update(channel=dm, ts=posted["ts"], text="answered")["ok"]
    assert [m["text"] for m in standin.messages(dm)] == ["answered"]


def test_history_wants_a_conversation_id(standin: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel=BOB, text="hello")
    for channel in (BOB, "#general", "general"):
        error = refused(lambda c=channel: client.conversations_history(channel=c))
        assert error.response["error"] == "channel_not_found", channel
    assert client.conversations_history(channel=standin.dm_channel(BOB))["messages"]


def test_history_returns_what_slack_returns(standin: SlackStandIn, client: WebClient) -> None:
    metadata = {"event_type": "okrbot_delivery", "event_payload": {"delivery_id": 7}}
    first = client.chat_postMessage(channel="C0GENERAL", text="digest", metadata=metadata)
    reply = client.chat_postMessage(channel="C0GENERAL", text="page 2", thread_ts=first["ts"])
    last = client.chat_postMessage(channel="C0GENERAL", text="later", blocks=[section("later")])

    history = client.conversations_history(channel="C0GENERAL")
    messages = history["messages"]
    # Newest first, thread replies only in their thread.
    assert [m["text"] for m in messages] == ["later", "digest"]
    assert reply["ts"] not in [m["ts"] for m in messages]
    for message in messages:
        assert message["type"] == "message"
        assert message["user"] == standin.bot_user_id and message["bot_id"] == standin.bot_id
        assert message["bot_profile"]["app_id"] == standin.app_id
        assert "metadata" not in message  # only when asked for
    parent = messages[1]
    assert (parent["thread_ts"], parent["reply_count"], parent["latest_reply"]) == (
        first["ts"],
        1,
        reply["ts"],
    )
    assert messages[0]["blocks"][0]["text"]["text"] == "later"

    asked = client.conversations_history(channel="C0GENERAL", include_all_metadata=True)
    assert asked["messages"][1]["metadata"] == metadata

    # The bounds are exclusive unless `inclusive` is set, as in Slack.
    bounded = client.conversations_history(channel="C0GENERAL", oldest=first["ts"])
    assert [m["ts"] for m in bounded["messages"]] == [last["ts"]]
    inclusive = client.conversations_history(
        channel="C0GENERAL", oldest=first["ts"], latest=last["ts"], inclusive=True
    )
    assert [m["ts"] for m in inclusive["messages"]] == [last["ts"], first["ts"]]


# --- searched selects: the options the app answers ---------------------------------------


def _external_select_modal(client: WebClient, standin: SlackStandIn) -> None:
    element = {"type": "external_select", "action_id": "pick", "min_query_length": 0}
    block = {"type": "input", "block_id": "pick", "label": plain("Pick"), "element": element}
    client.views_open(
        trigger_id=standin.issue_trigger_id(ALICE), view=modal(block, submit=plain("Go"))
    )


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ({"options": [option(f"Team {n}", str(n)) for n in range(101)]}, "101 items"),
        ({"options": [option("x" * 76, "1")]}, "75 characters"),
        ({"options": [option("x", "1" * 151)]}, "150 characters"),
        ({"option_groups": [{"label": plain("Teams"), "options": []}]}, "non-empty"),
    ],
    ids=["101 options", "long text", "long value", "empty group"],
)
def test_an_options_answer_slack_would_refuse_is_refused(
    answer: dict[str, Any],
    why: str,
    tiny_app: tuple[App, SlackDriver],
    standin: SlackStandIn,
    client: WebClient,
) -> None:
    bolt, driver = tiny_app

    @bolt.options("pick")
    def answer_it(ack: Ack) -> None:
        ack(**answer)

    _external_select_modal(client, standin)
    with pytest.raises(StandInError, match=why):
        driver.suggest(user_id=ALICE, block_id="pick", typed="x")


def test_an_options_answer_slack_accepts_can_be_picked(
    tiny_app: tuple[App, SlackDriver], standin: SlackStandIn, client: WebClient
) -> None:
    bolt, driver = tiny_app
    seen: list[str] = []

    @bolt.options("pick")
    def answer_it(ack: Ack, body: dict[str, Any]) -> None:
        seen.append(body["value"])
        ack(options=[option(f"Team {n}", str(n)) for n in range(100)])

    @bolt.view("")
    def submitted(ack: Ack) -> None:
        ack()

    _external_select_modal(client, standin)
    assert len(driver.suggest(user_id=ALICE, block_id="pick", typed="Tea")) == 100
    assert seen == ["Tea"]
    with pytest.raises(ValueError, match="no option"):
        driver.submit_view(user_id=ALICE, values={"pick": "100"})  # never offered
    assert driver.submit_view(user_id=ALICE, values={"pick": "42"}).status == 200
    assert standin.top_view(ALICE) is None
