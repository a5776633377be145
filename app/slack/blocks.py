"""Small constructors for Block Kit dicts, so builders read like the message they make."""

from __future__ import annotations

from typing import Any

from app.slack import ids

Block = dict[str, Any]


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int = 3000) -> dict[str, Any]:
    """A plain_text object."""
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = 3000) -> dict[str, Any]:
    """A mrkdwn text object."""
    return {"type": "mrkdwn", "text": truncate(text, limit)}


def header(text: str) -> Block:
    """A header block (150 characters at most)."""
    return {"type": "header", "text": plain(text, 150)}


def section(
    text: str, *, accessory: dict[str, Any] | None = None, block_id: str | None = None
) -> Block:
    """A section of mrkdwn text, optionally with an accessory."""
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def context(*texts: str) -> Block:
    """A context block of mrkdwn snippets."""
    return {"type": "context", "elements": [mrkdwn(t, 2000) for t in texts[:10]]}


def divider() -> Block:
    """A divider."""
    return {"type": "divider"}


def button(
    text: str,
    action_id: str,
    *,
    value: str | None = None,
    style: str | None = None,
) -> dict[str, Any]:
    """A button element."""
    element: dict[str, Any] = {"type": "button", "text": plain(text, 75), "action_id": action_id}
    if value is not None:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    """An actions block."""
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str) -> dict[str, Any]:
    """An option for selects and overflow menus."""
    return {"text": plain(text, 75), "value": value}


def overflow(action_id: str, options: list[tuple[str, str]]) -> dict[str, Any]:
    """An overflow menu (the "⋯" button) with (label, value) options."""
    return {
        "type": "overflow",
        "action_id": action_id,
        "options": [option(label, value) for label, value in options],
    }


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    """An input block; its element's action id is always `ids.ACTION_INPUT`."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": {**element, "action_id": ids.ACTION_INPUT},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def text_input(
    *,
    initial: str | None = None,
    placeholder: str | None = None,
    max_length: int | None = None,
    multiline: bool = False,
) -> dict[str, Any]:
    """A plain_text_input element."""
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    if max_length:
        element["max_length"] = max_length
    return element


def static_select(
    options: list[tuple[str, str]], *, initial: str | None = None, placeholder: str = "Choose…"
) -> dict[str, Any]:
    """A static_select element over (label, value) options."""
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": plain(placeholder, 150),
        "options": [option(label, value) for label, value in options],
    }
    for label, value in options:
        if value == initial:
            element["initial_option"] = option(label, value)
    return element


def users_select(
    *, initial: str | None = None, placeholder: str = "Choose a person"
) -> dict[str, Any]:
    """A users_select element."""
    element: dict[str, Any] = {"type": "users_select", "placeholder": plain(placeholder, 150)}
    if initial:
        element["initial_user"] = initial
    return element


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: list[Block],
    submit: str | None = None,
    close: str = "Cancel",
    private_metadata: str = "",
) -> dict[str, Any]:
    """A modal view."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "close": plain(close, 24),
        "blocks": blocks,
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = plain(submit, 24)
    return view


def message(text: str, blocks: list[Block]) -> dict[str, Any]:
    """A message payload: blocks plus the notification/fallback text."""
    return {"text": truncate(text, 3000), "blocks": blocks}
