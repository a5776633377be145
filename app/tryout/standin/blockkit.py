"""Block Kit as Slack checks it: our limit checker plus ``slack_sdk.models``' validation.

The stand-in runs every block payload it receives through both: the limit checker in
:mod:`app.slack.limits` (counts, lengths, required fields, unknown types) and slack_sdk's
own models (``View``, ``Block`` and their elements, built from the payload, with every
object's ``validate_json()`` run through ``to_dict()``). What either rejects, Slack
rejects too, so the app meets the refusal here rather than in a real workspace.

Each function returns problems as ``(json_pointer, message)`` pairs; the callers turn them
into the error Slack answers (``invalid_blocks`` for messages, ``invalid_arguments`` for
views, a refusal for acknowledgements).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block, Option, OptionGroup
from slack_sdk.models.views import View

from app.slack.limits import (
    BLOCK_TYPES,
    MESSAGE_TEXT_MAX,
    SELECT_OPTIONS_MAX,
    LimitProblem,
    message_problems,
    view_problems,
)

Problem = tuple[str, str]
# What Slack accepts as a slash command's or response URL's `response_type`.
RESPONSE_TYPES = ("ephemeral", "in_channel")


def _model_problem(pointer: str, build: Callable[[], Any]) -> list[Problem]:
    """Build a slack_sdk model and validate it and everything in it (``to_dict`` runs
    ``validate_json`` on each nested object)."""
    try:
        model = build()
        if model is None:
            return [(pointer, "not a Block Kit object slack_sdk knows")]
        if isinstance(model, JsonObject):
            model.to_dict()
    except SlackObjectFormationError as error:
        return [(pointer, str(error))]
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        # The payload is not even shaped like the object (a string for a dict, a missing
        # key): slack_sdk fails to build it, Slack fails to parse it.
        return [(pointer, f"malformed: {error}")]
    return []


def _limits(problems: Sequence[LimitProblem], prefix: str) -> list[Problem]:
    return [(prefix + p.pointer, p.message) for p in problems]


def block_model_problems(blocks: Any, prefix: str = "/blocks") -> list[Problem]:
    """slack_sdk's verdict on each block of ``blocks``."""
    if not isinstance(blocks, list):
        return [(prefix, "must be an array of blocks")]
    found: list[Problem] = []
    for index, block in enumerate(blocks):
        where = f"{prefix}/{index}"
        if not isinstance(block, Mapping) or block.get("type") not in BLOCK_TYPES:
            found.append((where, "unknown block"))
            continue
        found.extend(_model_problem(where, partial(Block.parse, copy.deepcopy(dict(block)))))
    return found


def message_content_problems(*, text: Any, blocks: Any) -> list[Problem]:
    """A message's ``text`` and ``blocks``, as ``chat.*`` and response URLs check them."""
    if text is not None and not isinstance(text, str):
        return [("/text", "must be a string")]
    found = _limits(message_problems(text=text, blocks=blocks), "")
    if blocks is not None and not found:
        found = block_model_problems(blocks)
    return found


def view_content_problems(view: Any) -> list[Problem]:
    """A view object (modal or Home tab), as ``views.*`` and ``response_action`` check it."""
    if not isinstance(view, Mapping):
        return [("", "a view must be an object")]
    found = _limits(view_problems(view), "")
    if found:
        return found
    found = block_model_problems(view.get("blocks"))
    if found:
        return found
    fields = copy.deepcopy(dict(view))
    return _model_problem("", partial(View, **fields))


def ack_message_problems(body: Mapping[str, Any] | str) -> list[Problem]:
    """A slash command's acknowledgement body (what Bolt's ``ack(...)`` returned).

    A plain-text body is a message; a JSON body needs ``text`` or ``blocks`` within a
    message's limits and, if given, a ``response_type`` Slack knows.
    """
    if isinstance(body, str):
        if len(body) > MESSAGE_TEXT_MAX:
            return [("", f"{len(body)} characters, the limit is {MESSAGE_TEXT_MAX}")]
        return []
    response_type = body.get("response_type")
    if response_type is not None and response_type not in RESPONSE_TYPES:
        return [("/response_type", f"must be ephemeral or in_channel, got {response_type!r}")]
    return message_content_problems(text=body.get("text"), blocks=body.get("blocks"))


def options_problems(body: Any) -> list[Problem]:
    """An answer to a ``block_suggestion``: ``options`` or ``option_groups``, 100 at most,
    each option as slack_sdk's ``Option`` validates it (text ≤ 75, value ≤ 150)."""
    if not isinstance(body, Mapping):
        return [("", "must be a JSON object with options or option_groups")]
    has_options, has_groups = "options" in body, "option_groups" in body
    if has_options == has_groups:
        return [("", "needs exactly one of options and option_groups")]
    key = "options" if has_options else "option_groups"
    items = body[key]
    if not isinstance(items, list):
        return [(f"/{key}", "must be an array")]
    if len(items) > SELECT_OPTIONS_MAX:
        return [(f"/{key}", f"{len(items)} items, the limit is {SELECT_OPTIONS_MAX}")]
    found: list[Problem] = []
    for index, item in enumerate(items):
        where = f"/{key}/{index}"
        if not isinstance(item, Mapping):
            found.append((where, "must be an object"))
        elif key == "options":
            found.extend(_option_problems(item, where))
        elif not isinstance(item.get("options"), list) or not item["options"]:
            found.append((f"{where}/options", "must be a non-empty array"))
        else:
            for number, option in enumerate(item["options"]):
                found.extend(_option_problems(option, f"{where}/options/{number}"))
            group = copy.deepcopy(dict(item))
            found.extend(_model_problem(where, partial(OptionGroup, **group)))
    return found


def _option_problems(option: Any, where: str) -> list[Problem]:
    if not isinstance(option, Mapping) or not isinstance(option.get("value"), str):
        return [(where, "an option needs text and a string value")]
    text = option.get("text")
    if not isinstance(text, Mapping) or text.get("type") != "plain_text" or not text.get("text"):
        return [(f"{where}/text", "must be a non-empty plain_text object")]
    fields = copy.deepcopy(dict(option))
    return _model_problem(where, partial(Option, **fields))


def pointer_messages(problems: Sequence[Problem], prefix: str = "") -> list[str]:
    """Problems as Slack words them in ``response_metadata.messages``."""
    return [f"[ERROR] {message} [json-pointer:{prefix}{pointer}]" for pointer, message in problems]
