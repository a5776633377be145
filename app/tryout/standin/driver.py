"""Plays Slack towards the app: signed slash commands, interactions and events over HTTP.

Every request is built and signed the way Slack builds and signs it, so the app's request
verification, parsing and listener matching run unchanged. Payload shapes follow Slack's
interaction payload reference and the fixtures Bolt for Python tests itself against.

After the app answers, the driver updates the :class:`~app.tryout.standin.server.SlackStandIn`
the way Slack's client would: an ephemeral reply in a slash command's acknowledgement is
stored, a ``view_submission`` answer (``response_action``) changes the user's modal stack.
"""

from __future__ import annotations

import copy
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from app.slack.limits import iter_elements
from app.tryout.standin.blockkit import options_problems, pointer_messages
from app.tryout.standin.records import StandInError
from app.tryout.standin.server import SlackStandIn
from app.usecases.services import settle as settle_after_ack

_TEXT_INPUTS = ("plain_text_input", "number_input", "email_text_input", "url_text_input")
_SINGLE_SELECTS = ("static_select", "external_select", "radio_buttons")
_MULTI_SELECTS = ("multi_static_select", "multi_external_select", "checkboxes")
_EXTERNAL_SELECTS = ("external_select", "multi_external_select")
# element type → (initial field, state field) for id-valued pickers and dates
_PICKERS = {
    "users_select": ("initial_user", "selected_user"),
    "multi_users_select": ("initial_users", "selected_users"),
    "conversations_select": ("initial_conversation", "selected_conversation"),
    "multi_conversations_select": ("initial_conversations", "selected_conversations"),
    "channels_select": ("initial_channel", "selected_channel"),
    "multi_channels_select": ("initial_channels", "selected_channels"),
    "datepicker": ("initial_date", "selected_date"),
    "timepicker": ("initial_time", "selected_time"),
    "datetimepicker": ("initial_date_time", "selected_date_time"),
}


@dataclass(frozen=True)
class DriverResponse:
    """The app's HTTP answer to one request the driver sent.

    ``status`` is 0 when the driver did not send anything because Slack's client would
    have refused the submission (a required input left empty, a too-short text);
    ``client_errors`` then maps block_id to the message Slack would show.
    """

    status: int
    headers: dict[str, str]
    body: str
    client_errors: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except json.JSONDecodeError:
            return None


class SlackDriver:
    """Sends requests to the app's events URL exactly as Slack does."""

    def __init__(
        self,
        *,
        app_url: str,
        signing_secret: str,
        standin: SlackStandIn,
        team_id: str | None = None,
        team_domain: str = "standin",
        enterprise_id: str | None = None,
        enterprise_name: str = "Stand-in Grid",
        api_app_id: str = "A0OKRBOT",
        verification_token: str = "standin-verification-token",
        clock: Callable[[], float] = time.time,
        timeout: float = 10,
        settle: bool = True,
    ) -> None:
        self.app_url = app_url
        self.standin = standin
        self.team_id = team_id or standin.team_id
        self.team_domain = team_domain
        self.enterprise_id = enterprise_id
        self.enterprise_name = enterprise_name
        self.api_app_id = api_app_id
        self.verification_token = verification_token
        self.clock = clock
        self.timeout = timeout
        # Wait for what the app does after answering (its Slack calls), when it runs in
        # this process, so that a caller reads everything a request did.
        self.settle = settle
        self._verifier = SignatureVerifier(signing_secret)
        # The options the app offered for each searched select, by (view id, block id):
        # what a person can pick in an external select is what the app answered.
        self._offered: dict[tuple[str, str], list[dict[str, Any]]] = {}

    # ------------------------------------------------------------------ transport

    def post_raw(
        self,
        body: bytes,
        *,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        sign: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> DriverResponse:
        """POST ``body`` to the app; signs it unless ``sign`` is False or a signature is given."""
        ts = int(self.clock()) if timestamp is None else int(timestamp)
        request_headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if sign:
            request_headers["X-Slack-Request-Timestamp"] = str(ts)
            request_headers["X-Slack-Signature"] = signature or str(
                self._verifier.generate_signature(timestamp=str(ts), body=body.decode("utf-8"))
            )
        request_headers.update(headers or {})
        request = urllib.request.Request(
            self.app_url, data=body, headers=request_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = DriverResponse(
                    status=response.status,
                    headers=dict(response.headers.items()),
                    body=response.read().decode("utf-8"),
                )
        except urllib.error.HTTPError as error:
            with error:
                answer = DriverResponse(
                    status=error.code,
                    headers=dict(error.headers.items()),
                    body=error.read().decode("utf-8"),
                )
        if self.settle:
            settle_after_ack()
        return answer

    def _post_form(self, fields: Mapping[str, Any]) -> DriverResponse:
        body = urlencode({k: v for k, v in fields.items() if v is not None}).encode("utf-8")
        return self.post_raw(body, content_type="application/x-www-form-urlencoded")

    def _post_payload(self, payload: Mapping[str, Any]) -> DriverResponse:
        # Interactive payloads travel as a single form field holding JSON.
        return self._post_form({"payload": json.dumps(payload)})

    def _post_json(self, payload: Mapping[str, Any], **headers: str) -> DriverResponse:
        return self.post_raw(
            json.dumps(payload).encode("utf-8"), content_type="application/json", headers=headers
        )

    # ------------------------------------------------------------------ common parts

    def _user_name(self, user_id: str) -> str:
        return str(self.standin.users.get(user_id, {}).get("name", user_id))

    def _user(self, user_id: str) -> dict[str, Any]:
        name = self._user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> dict[str, Any]:
        team: dict[str, Any] = {"id": self.team_id, "domain": self.team_domain}
        if self.enterprise_id:
            team.update(enterprise_id=self.enterprise_id, enterprise_name=self.enterprise_name)
        return team

    def _enterprise(self) -> dict[str, Any] | None:
        if not self.enterprise_id:
            return None
        return {"id": self.enterprise_id, "name": self.enterprise_name}

    def _channel_name(self, channel_id: str) -> str:
        channel = self.standin.channels.get(channel_id)
        if channel is not None:
            return str(channel["name"])
        return "directmessage" if channel_id.startswith("D") else channel_id

    # ------------------------------------------------------------------ slash commands

    def slash_command(
        self,
        *,
        user_id: str,
        text: str = "",
        command: str = "/okr",
        channel_id: str = "C0GENERAL",
        channel_name: str = "general",
    ) -> DriverResponse:
        """Send a slash command; store a message the app returns in its acknowledgement."""
        fields: dict[str, Any] = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
        }
        if self.enterprise_id:
            fields.update(enterprise_id=self.enterprise_id, enterprise_name=self.enterprise_name)
        fields.update(
            channel_id=channel_id,
            channel_name=channel_name,
            user_id=user_id,
            user_name=self._user_name(user_id),
            command=command,
            text=text,
            api_app_id=self.api_app_id,
            is_enterprise_install="false",
            response_url=self.standin.new_response_url(user_id=user_id, channel_id=channel_id),
            trigger_id=self.standin.issue_trigger_id(user_id),
        )
        response = self._post_form(fields)
        if response.status == 200 and response.body.strip():
            parsed = response.json()
            # A plain-text acknowledgement is shown to the user as ephemeral text.
            body = parsed if isinstance(parsed, dict) else response.body
            self.standin.record_ack_response(user_id=user_id, channel_id=channel_id, body=body)
        return response

    # ------------------------------------------------------------------ block actions

    def click(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel_id: str | None = None,
        selected_option_value: str | None = None,
    ) -> DriverResponse:
        """Send a ``block_actions`` payload for the element with ``action_id``.

        The element is looked up in ``view`` or ``message`` when given, otherwise in the
        user's top modal, their Home tab, then the newest channel or ephemeral message
        holding it. ``value`` overrides a button's value; for selects, overflow menus and
        radio buttons ``selected_option_value`` (or ``value``) names the chosen option.
        """
        if view is None and message is None:
            view, message, channel_id = self._locate(user_id, action_id, block_id)
        blocks = (view or message or {}).get("blocks") or []
        found_block_id, element = _find_element(blocks, action_id, block_id)
        action = _action_payload(
            element or {"type": "button", "action_id": action_id},
            block_id=block_id or found_block_id or "",
            value=value,
            selected=selected_option_value if selected_option_value is not None else value,
            action_ts=_ts(self.clock()),
        )
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
        }
        if view is not None:
            current = copy.deepcopy(view)
            current["state"] = {"values": build_state(self._with_offered(current))}
            payload["container"] = {"type": "view", "view_id": current["id"]}
            payload["trigger_id"] = self.standin.issue_trigger_id(user_id)
            payload["team"] = self._team()
            payload["enterprise"] = self._enterprise()
            payload["is_enterprise_install"] = False
            payload["view"] = current
        else:
            assert message is not None
            channel = channel_id or message.get("channel") or ""
            # Stand-in ephemeral records carry the recipient ("user") and their "source".
            is_ephemeral = bool(
                message.get("is_ephemeral", "source" in message and "user" in message)
            )
            payload["container"] = {
                "type": "message",
                "message_ts": message.get("ts"),
                "channel_id": channel,
                "is_ephemeral": is_ephemeral,
            }
            payload["trigger_id"] = self.standin.issue_trigger_id(user_id)
            payload["team"] = self._team()
            payload["enterprise"] = self._enterprise()
            payload["is_enterprise_install"] = False
            payload["channel"] = {"id": channel, "name": self._channel_name(channel)}
            payload["message"] = self._message_payload(message)
            payload["state"] = {"values": build_state({"blocks": blocks})}
            payload["response_url"] = self.standin.new_response_url(
                user_id=user_id,
                channel_id=channel,
                message_ts=message.get("ts"),
                is_ephemeral=is_ephemeral,
            )
        payload["actions"] = [action]
        return self._post_payload(payload)

    def _message_payload(self, message: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "message",
            "user": self.standin.bot_user_id,
            "ts": message.get("ts"),
            "bot_id": self.standin.bot_id,
            "app_id": self.api_app_id,
            "text": message.get("text") or "",
            "team": self.team_id,
        }
        if message.get("blocks") is not None:
            out["blocks"] = copy.deepcopy(message["blocks"])
        if message.get("thread_ts"):
            out["thread_ts"] = message["thread_ts"]
        return out

    def _locate(
        self, user_id: str, action_id: str, block_id: str | None
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str | None]:
        for candidate in (self.standin.top_view(user_id), self.standin.home_view(user_id)):
            if candidate and _find_element(candidate["blocks"], action_id, block_id)[1]:
                return candidate, None, None
        newest: list[dict[str, Any]] = self.standin.messages() + [
            dict(e, is_ephemeral=True) for e in self.standin.ephemerals(user_id)
        ]
        newest.sort(key=lambda m: m["ts"], reverse=True)
        for message in newest:
            if _find_element(message.get("blocks") or [], action_id, block_id)[1]:
                return None, message, message["channel"]
        raise LookupError(f"no element with action_id {action_id!r} is visible to {user_id}")

    # ------------------------------------------------------------------ modals

    def submit_view(
        self,
        *,
        user_id: str,
        values: Mapping[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        enforce_required: bool = True,
    ) -> DriverResponse:
        """Submit the user's top modal (or ``view``) with ``values`` (block_id → answer).

        Answers are strings (text, number, date, time, user/conversation/channel ids), the
        option *value* for single selects and radio buttons, or lists of values for
        checkboxes and multi-selects; an external select's answer must be an option the
        app offered (see :meth:`suggest`) or its initial option. Inputs not in ``values``
        keep what the user entered before, else their initial value, else stay empty.
        With ``enforce_required``, an
        empty required input (or a plain-text input outside min/max length) stops the
        submission as Slack's client does: nothing is sent, the status is 0 and
        ``client_errors`` says why. Afterwards the app's ``response_action`` is applied.
        """
        target = view if view is not None else self.standin.top_view(user_id)
        if target is None:
            raise LookupError(f"{user_id} has no open modal")
        state = build_state(self._with_offered(target), values)
        tracked = any(v["id"] == target["id"] for v in self.standin.view_stack(user_id))
        if tracked:
            self.standin.set_view_state(target["id"], state)
        if enforce_required:
            problems = client_side_errors(target, state)
            if problems:
                return DriverResponse(status=0, headers={}, body="", client_errors=problems)
        submitted = copy.deepcopy(target)
        submitted["state"] = {"values": state}
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": self.standin.issue_trigger_id(user_id),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": self._enterprise(),
        }
        response = self._post_payload(payload)
        if response.status == 200 and tracked:
            answer = response.json()
            self.standin.apply_view_response(
                user_id, target["id"], answer if isinstance(answer, dict) else None
            )
        return response

    def suggest(
        self,
        *,
        user_id: str,
        block_id: str,
        typed: str = "",
        view: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Type into the searched select of ``block_id`` (an external select): send the
        ``block_suggestion`` Slack sends, and return the options the app answered.

        The answer is checked as Slack checks it (options or option_groups, 100 at most,
        each option valid for slack_sdk's models); one Slack would refuse raises
        :class:`StandInError`. The options are remembered, so :meth:`submit_view` can pick
        one of them afterwards, as the person would.
        """
        target = view if view is not None else self.standin.top_view(user_id)
        if target is None:
            raise LookupError(f"{user_id} has no open modal")
        block = next((b for b in target.get("blocks") or [] if b.get("block_id") == block_id), None)
        element = (block or {}).get("element") or (block or {}).get("accessory") or {}
        if element.get("type") not in _EXTERNAL_SELECTS:
            raise LookupError(f"block {block_id!r} holds no external select")
        current = copy.deepcopy(target)
        current["state"] = {"values": build_state(self._with_offered(current))}
        payload = {
            "type": "block_suggestion",
            "user": self._user(user_id),
            "container": {"type": "view", "view_id": target["id"]},
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "action_id": element.get("action_id"),
            "block_id": block_id,
            "value": typed,
            "team": self._team(),
            "enterprise": self._enterprise(),
            "is_enterprise_install": False,
            "view": current,
        }
        response = self._post_payload(payload)
        if response.status != 200:
            raise StandInError(f"the options load answered HTTP {response.status}")
        answer = response.json()
        problems = options_problems(answer)
        if problems:
            raise StandInError("invalid options: " + "; ".join(pointer_messages(problems)))
        options = list(answer.get("options") or [])
        for group in answer.get("option_groups") or []:
            options.extend(group.get("options") or [])
        self._offered[(target["id"], block_id)] = copy.deepcopy(options)
        return options

    def _with_offered(self, view: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``view`` whose external selects list the options the app offered
        (and their initial option), so answers can name one of them."""
        out = copy.deepcopy(view)
        for block in out.get("blocks") or []:
            element = block.get("element") if isinstance(block, dict) else None
            if not isinstance(element, dict) or element.get("type") not in _EXTERNAL_SELECTS:
                continue
            offered = list(self._offered.get((str(out.get("id")), str(block.get("block_id"))), []))
            initial = [element["initial_option"]] if element.get("initial_option") else []
            element["options"] = offered + initial + list(element.get("initial_options") or [])
        return out

    def close_view(self, *, user_id: str) -> DriverResponse | None:
        """Press Close on the user's top modal; sends ``view_closed`` when notify_on_close."""
        target = self.standin.top_view(user_id)
        if target is None:
            raise LookupError(f"{user_id} has no open modal")
        response = None
        if target.get("notify_on_close"):
            payload = {
                "type": "view_closed",
                "team": self._team(),
                "user": self._user(user_id),
                "api_app_id": self.api_app_id,
                "token": self.verification_token,
                "view": target,
                "is_cleared": bool(target.get("clear_on_close")),
                "is_enterprise_install": False,
                "enterprise": self._enterprise(),
            }
            response = self._post_payload(payload)
        self.standin.close_view(user_id, target["id"])
        return response

    # ------------------------------------------------------------------ events

    def send_event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> DriverResponse:
        """Deliver an Events API ``event_callback`` envelope holding ``event``."""
        now = self.clock()
        inner = dict(event)
        inner.setdefault("event_ts", _ts(now))
        envelope: dict[str, Any] = {
            "token": self.verification_token,
            "team_id": self.team_id,
        }
        if self.enterprise_id:
            envelope["enterprise_id"] = self.enterprise_id
        envelope.update(
            context_team_id=self.team_id,
            context_enterprise_id=self.enterprise_id,
            api_app_id=self.api_app_id,
            event=inner,
            type="event_callback",
            event_id=event_id or "Ev" + secrets.token_hex(5).upper(),
            event_time=int(now),
            authorizations=[
                {
                    "enterprise_id": self.enterprise_id,
                    "team_id": self.team_id,
                    "user_id": self.standin.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            is_ext_shared_channel=False,
            event_context="4-" + secrets.token_urlsafe(24),
        )
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
        if retry_reason is not None:
            headers["X-Slack-Retry-Reason"] = retry_reason
        return self._post_json(envelope, **headers)

    def url_verification(self, challenge: str) -> DriverResponse:
        """Send the Events API URL handshake; the app must echo ``challenge``."""
        return self._post_json(
            {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        )

    def ssl_check(self) -> DriverResponse:
        """Send the slash command SSL certificate check."""
        return self._post_form({"ssl_check": "1", "token": self.verification_token})


# ---------------------------------------------------------------------- payload helpers


def _ts(now: float) -> str:
    return f"{now:.6f}"


def _find_element(
    blocks: list[Any], action_id: str, block_id: str | None
) -> tuple[str | None, dict[str, Any] | None]:
    for index, element in iter_elements(b for b in blocks if isinstance(b, dict)):
        owner = blocks[index]
        if element.get("action_id") != action_id:
            continue
        if block_id is not None and owner.get("block_id") != block_id:
            continue
        return owner.get("block_id"), dict(element)
    return None, None


def _all_options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option(element: Mapping[str, Any], value: str) -> dict[str, Any]:
    for option in _all_options(element):
        if option.get("value") == value:
            return {"text": copy.deepcopy(option.get("text")), "value": value}
    hint = (
        " (an external select offers what suggest() got back)"
        if element.get("type") in _EXTERNAL_SELECTS
        else ""
    )
    raise ValueError(f"{element.get('action_id')!r} has no option with value {value!r}{hint}")


def _action_payload(
    element: Mapping[str, Any],
    *,
    block_id: str,
    value: str | None,
    selected: str | None,
    action_ts: str,
) -> dict[str, Any]:
    kind = element.get("type", "button")
    action: dict[str, Any] = {
        "type": kind,
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "action_ts": action_ts,
    }
    if kind == "button":
        action["text"] = copy.deepcopy(element.get("text"))
        button_value = value if value is not None else element.get("value")
        if button_value is not None:
            action["value"] = button_value
        if element.get("style"):
            action["style"] = element["style"]
    elif kind in ("overflow", *_SINGLE_SELECTS):
        action["selected_option"] = _option(element, selected) if selected is not None else None
    elif kind in _MULTI_SELECTS:
        chosen = [] if selected is None else [s for s in selected.split(",") if s]
        action["selected_options"] = [_option(element, v) for v in chosen]
    elif kind in _PICKERS:
        action[_PICKERS[kind][1]] = selected
    elif kind in _TEXT_INPUTS:
        action["value"] = selected
    return action


def _state_entry(element: Mapping[str, Any], answer: Any, *, given: bool) -> dict[str, Any]:
    kind = element.get("type")
    entry: dict[str, Any] = {"type": kind}
    if kind in _TEXT_INPUTS:
        entry["value"] = (answer or None) if given else element.get("initial_value")
    elif kind in _SINGLE_SELECTS:
        if given:
            entry["selected_option"] = _option(element, str(answer)) if answer else None
        else:
            entry["selected_option"] = copy.deepcopy(element.get("initial_option"))
    elif kind in _MULTI_SELECTS:
        if given:
            chosen = [answer] if isinstance(answer, str) else list(answer or [])
            entry["selected_options"] = [_option(element, str(v)) for v in chosen]
        else:
            entry["selected_options"] = copy.deepcopy(element.get("initial_options") or [])
    elif kind in _PICKERS:
        initial_key, state_key = _PICKERS[kind]
        many = state_key.endswith("s")
        if given:
            entry[state_key] = (
                list(answer or []) if many else (answer if answer not in ("", None) else None)
            )
        else:
            default: Any = [] if many else None
            entry[state_key] = copy.deepcopy(element.get(initial_key, default))
    elif kind == "rich_text_input":
        text = answer if given else None
        entry["rich_text_value"] = (
            {
                "type": "rich_text",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
            if text
            else copy.deepcopy(element.get("initial_value"))
        )
    else:
        entry["value"] = answer if given else None
    return entry


def build_state(
    view: Mapping[str, Any], values: Mapping[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """``state.values`` for a view's input blocks, as Slack would send it.

    ``values`` maps block_id to the user's answer; other inputs keep the entry already in
    ``view["state"]`` (what the user typed before), else carry their initial value.
    """
    values = dict(values or {})
    previous = ((view.get("state") or {}).get("values")) or {}
    state: dict[str, dict[str, Any]] = {}
    input_ids = set()
    for block in view.get("blocks") or []:
        if not isinstance(block, dict) or block.get("type") != "input":
            continue
        element = block.get("element") or {}
        block_id, action_id = block.get("block_id"), element.get("action_id")
        if not block_id or not action_id:
            continue
        input_ids.add(block_id)
        kept = (previous.get(block_id) or {}).get(action_id)
        if block_id in values:
            entry = _state_entry(element, values[block_id], given=True)
        elif kept is not None and kept.get("type") == element.get("type"):
            entry = copy.deepcopy(kept)
        else:
            entry = _state_entry(element, None, given=False)
        state[block_id] = {action_id: entry}
    unknown = set(values) - input_ids
    if unknown:
        raise KeyError(f"no input block with block_id {sorted(unknown)} in this view")
    return state


def _is_empty(entry: Mapping[str, Any]) -> bool:
    return all(value in (None, "", []) for key, value in entry.items() if key != "type")


def client_side_errors(
    view: Mapping[str, Any], state: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """The errors Slack's client shows before it would send a submission."""
    errors: dict[str, str] = {}
    for block in view.get("blocks") or []:
        if not isinstance(block, dict) or block.get("type") != "input":
            continue
        element = block.get("element") or {}
        entry = (state.get(str(block.get("block_id"))) or {}).get(str(element.get("action_id")))
        if entry is None:
            continue
        if _is_empty(entry):
            if not block.get("optional", False):
                errors[block["block_id"]] = "Please complete this required field."
            continue
        if element.get("type") == "plain_text_input":
            text = entry.get("value") or ""
            low, high = element.get("min_length"), element.get("max_length")
            if low is not None and len(text) < low:
                errors[block["block_id"]] = f"Enter at least {low} characters."
            elif high is not None and len(text) > high:
                errors[block["block_id"]] = f"Enter no more than {high} characters."
    return errors
