"""Renders Block Kit messages and views as plain terminal text (no colour codes).

Used by the demo and the sandbox to show what a Slack user would see. Interactive elements
are numbered in document order (``[1] Save  [2] Cancel``) and the numbering is returned
with the text, so a sandbox can click by number.

mrkdwn is turned into readable text: mentions use the names given in ``users`` and
``channels``, links show as ``label (url)``, ``*bold*`` loses its asterisks, ``_italic_``
and ``~strike~`` stay as typed, and Slack's ``&amp; &lt; &gt;`` escapes are undone.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ANGLE = re.compile(r"<([^<>\s][^<>]*)>")
_SELECTS = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "radio_buttons",
        "checkboxes",
    }
)


@dataclass
class Rendering:
    """Rendered text plus the numbered interactive elements it shows.

    ``buttons[i]`` describes the element shown as ``[i + 1]``: its ``n``, ``type``,
    ``action_id``, ``block_id``, ``label`` and, where present, ``value``, ``url`` and
    ``options`` (a list of ``{"text", "value"}``). ``inputs`` lists the input blocks
    (``block_id``, ``action_id``, ``type``, ``label``, ``optional``) in order.
    """

    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.text


def mrkdwn_to_text(
    text: str,
    *,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
) -> str:
    """Turn Slack mrkdwn into readable plain text."""
    users = users or {}
    channels = channels or {}

    def angle(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            user_id = target[1:]
            return "@" + (users.get(user_id) or label or user_id)
        if target.startswith("#"):
            channel_id = target[1:]
            return "#" + (channels.get(channel_id) or label or channel_id)
        if target.startswith("!"):
            command = target[1:]
            if label:
                return label
            if command in ("here", "channel", "everyone"):
                return "@" + command
            return "@" + command.split("^", 1)[0]
        if label and label != target:
            return f"{label} ({target})"
        return target

    text = _ANGLE.sub(angle, text)
    text = _BOLD.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            lines.append(indent.rstrip() if indent else "")
            continue
        lines.extend(
            textwrap.wrap(
                line,
                width=max(10, width),
                initial_indent=indent,
                subsequent_indent=indent,
                break_long_words=True,
                break_on_hyphens=False,
                replace_whitespace=False,
                drop_whitespace=True,
            )
        )
    return lines


class _Renderer:
    def __init__(
        self,
        *,
        users: Mapping[str, str] | None,
        channels: Mapping[str, str] | None,
        width: int,
        errors: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self.users = users or {}
        self.channels = channels or {}
        self.width = width
        self.errors = errors or {}
        self.values = values or {}
        self.buttons: list[dict[str, Any]] = []
        self.inputs: list[dict[str, Any]] = []

    # -- text -------------------------------------------------------------------------

    def text(self, obj: Any) -> str:
        if isinstance(obj, str):
            return obj
        if not isinstance(obj, Mapping):
            return ""
        text = str(obj.get("text") or "")
        if obj.get("type") == "mrkdwn":
            return mrkdwn_to_text(text, users=self.users, channels=self.channels)
        return text

    # -- elements ---------------------------------------------------------------------

    def _number(self, element: Mapping[str, Any], block_id: str | None, label: str) -> int:
        entry: dict[str, Any] = {
            "n": len(self.buttons) + 1,
            "type": element.get("type"),
            "action_id": element.get("action_id"),
            "block_id": block_id,
            "label": label,
        }
        for key in ("value", "url"):
            if element.get(key) is not None:
                entry[key] = element[key]
        options = self._options(element)
        if options:
            entry["options"] = options
        self.buttons.append(entry)
        return int(entry["n"])

    def _options(self, element: Mapping[str, Any]) -> list[dict[str, str]]:
        found = list(element.get("options") or [])
        for group in element.get("option_groups") or []:
            found.extend(group.get("options") or [])
        return [{"text": self.text(o.get("text")), "value": str(o.get("value"))} for o in found]

    def _picked(self, kind: str, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(self._picked(kind, v) for v in value)
        if value in (None, ""):
            return ""
        if "users" in kind:
            return "@" + self.users.get(str(value), str(value))
        if "conversations" in kind or "channels" in kind:
            return "#" + self.channels.get(str(value), str(value))
        return str(value)

    def _current(self, element: Mapping[str, Any], entry: Mapping[str, Any] | None) -> str:
        """What an element currently shows: the user's entry, else its initial value."""
        kind = str(element.get("type"))
        if entry is not None:
            for key, value in entry.items():
                if key == "type" or value in (None, "", []):
                    continue
                if key == "selected_option":
                    return self.text(value.get("text"))
                if key == "selected_options":
                    return ", ".join(self.text(o.get("text")) for o in value)
                if key == "rich_text_value":
                    return _rich_text_plain(value, self.users, self.channels)
                return self._picked(kind, value)
            return ""
        if element.get("initial_option"):
            return self.text(element["initial_option"].get("text"))
        if element.get("initial_options"):
            return ", ".join(self.text(o.get("text")) for o in element["initial_options"])
        for key in (
            "initial_value",
            "initial_user",
            "initial_users",
            "initial_conversation",
            "initial_conversations",
            "initial_channel",
            "initial_channels",
            "initial_date",
            "initial_time",
        ):
            if element.get(key) not in (None, "", []):
                value = element[key]
                if isinstance(value, Mapping):  # rich_text_input's initial value
                    return _rich_text_plain(value, self.users, self.channels)
                return self._picked(kind, value)
        return ""

    def element(self, element: Mapping[str, Any], block_id: str | None) -> str:
        kind = str(element.get("type"))
        if kind == "image":
            return _image_label(element)
        if kind == "button":
            label = self.text(element.get("text"))
            return f"[{self._number(element, block_id, label)}] {label}"
        if kind == "overflow":
            options = " | ".join(o["text"] for o in self._options(element))
            return f"[{self._number(element, block_id, '⋯')}] ⋯ {options}".rstrip()
        current = self._current(element, None)
        placeholder = self.text(element.get("placeholder"))
        if current:
            label = current
        elif placeholder:
            label = placeholder if placeholder.endswith(("…", "...")) else placeholder + "…"
        else:
            label = "Select…" if kind in _SELECTS else kind + "…"
        return f"[{self._number(element, block_id, label)}] ▾ {label}"

    # -- blocks -----------------------------------------------------------------------

    def blocks(self, blocks: Sequence[Any]) -> list[str]:
        lines: list[str] = []
        for block in blocks:
            if isinstance(block, Mapping):
                lines.extend(self.block(block))
        return lines

    def block(self, block: Mapping[str, Any]) -> list[str]:
        kind = block.get("type")
        block_id = block.get("block_id")
        width = self.width
        if kind == "header":
            return _wrap("▌ " + self.text(block.get("text")), width)
        if kind == "divider":
            return ["─" * width]
        if kind == "section":
            return self.section(block)
        if kind == "context":
            parts = []
            for element in block.get("elements") or []:
                if isinstance(element, Mapping) and element.get("type") == "image":
                    parts.append(_image_label(element))
                else:
                    parts.append(self.text(element))
            return _wrap(" · ".join(p for p in parts if p), width, indent="  ")
        if kind == "actions":
            items = [
                self.element(e, block_id)
                for e in block.get("elements") or []
                if isinstance(e, Mapping)
            ]
            return _join_items(items, width)
        if kind == "input":
            return self.input(block)
        if kind == "image":
            label = _image_label(block)
            title = self.text(block.get("title"))
            return _wrap(f"{title} {label}" if title else label, width)
        if kind == "rich_text":
            return _wrap(_rich_text_plain(block, self.users, self.channels), width)
        if kind == "markdown":
            return _wrap(str(block.get("text") or ""), width)
        return [f"[unsupported block: {kind}]"]

    def section(self, block: Mapping[str, Any]) -> list[str]:
        width = self.width
        lines: list[str] = []
        if block.get("text") is not None:
            lines.extend(_wrap(self.text(block["text"]), width))
        fields = [self.text(f) for f in block.get("fields") or []]
        column = (width - 2) // 2
        for i in range(0, len(fields), 2):
            left = _wrap(fields[i], column)
            right = _wrap(fields[i + 1], column) if i + 1 < len(fields) else []
            for j in range(max(len(left), len(right))):
                cell = left[j] if j < len(left) else ""
                other = right[j] if j < len(right) else ""
                lines.append((cell.ljust(column) + "  " + other).rstrip() if other else cell)
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping):
            lines.extend(_wrap(self.element(accessory, block.get("block_id")), width, "  "))
        return lines

    def input(self, block: Mapping[str, Any]) -> list[str]:
        element = block.get("element") or {}
        block_id = block.get("block_id")
        action_id = element.get("action_id")
        label = self.text(block.get("label"))
        optional = bool(block.get("optional", False))
        self.inputs.append(
            {
                "block_id": block_id,
                "action_id": action_id,
                "type": element.get("type"),
                "label": label,
                "optional": optional,
            }
        )
        entry = (self.values.get(block_id) or {}).get(action_id) if block_id else None
        shown = self._current(element, entry)
        if not shown:
            placeholder = self.text(element.get("placeholder"))
            shown = f"‹{placeholder}›" if placeholder else "____"
        line = f"{label}{'' if optional else '*'}: {shown}"
        hint = self.text(block.get("hint"))
        if hint:
            line += f" ({hint})"
        lines = _wrap(line, self.width)
        if block.get("dispatch_action") and isinstance(element, Mapping):
            self._number(element, block_id, label)
        if block_id and block_id in self.errors:
            lines.extend(_wrap("⚠ " + self.errors[block_id], self.width, "  "))
        return lines


def _join_items(items: list[str], width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for item in items:
        candidate = f"{current}  {item}" if current else item
        if current and len(candidate) > width:
            lines.append(current)
            current = item
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _image_label(image: Mapping[str, Any]) -> str:
    alt = str(image.get("alt_text") or "").strip()
    if not alt:
        url = image.get("image_url") or (image.get("slack_file") or {}).get("url") or ""
        alt = urlsplit(str(url)).path.rsplit("/", 1)[-1] or "image"
    return f"[image: {alt}]"


def _rich_text_plain(
    node: Mapping[str, Any], users: Mapping[str, str], channels: Mapping[str, str]
) -> str:
    """Minimal rich_text: sections, lists, quotes and preformatted text."""
    kind = node.get("type")
    children = [c for c in node.get("elements") or [] if isinstance(c, Mapping)]
    if kind == "text":
        return str(node.get("text") or "")
    if kind == "user":
        user_id = str(node.get("user_id"))
        return "@" + users.get(user_id, user_id)
    if kind == "channel":
        channel_id = str(node.get("channel_id"))
        return "#" + channels.get(channel_id, channel_id)
    if kind == "link":
        url = str(node.get("url") or "")
        label = node.get("text")
        return f"{label} ({url})" if label and label != url else url
    if kind == "emoji":
        return f":{node.get('name')}:"
    if kind == "broadcast":
        return "@" + str(node.get("range"))
    if kind == "rich_text_list":
        bullet = "•" if node.get("style") != "ordered" else None
        items = [_rich_text_plain(c, users, channels) for c in children]
        indent = "  " * int(node.get("indent") or 0)
        return "\n".join(
            f"{indent}{bullet or f'{i}.'} {item}" for i, item in enumerate(items, start=1)
        )
    if kind == "rich_text_quote":
        inner = "".join(_rich_text_plain(c, users, channels) for c in children)
        return "\n".join("> " + line for line in inner.split("\n"))
    if kind == "rich_text_preformatted":
        inner = "".join(_rich_text_plain(c, users, channels) for c in children)
        return "\n".join("    " + line for line in inner.split("\n"))
    separator = "\n" if kind == "rich_text" else ""
    return separator.join(_rich_text_plain(c, users, channels) for c in children)


def render_blocks(
    blocks: list[dict[str, Any]],
    *,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    width: int = 80,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Rendering:
    """Render blocks; ``str()`` of the result is the text.

    ``errors`` maps input block_ids to messages shown under the field; ``values`` is a
    view's ``state.values`` so inputs show what the user entered.
    """
    renderer = _Renderer(users=users, channels=channels, width=width, errors=errors, values=values)
    lines = renderer.blocks(blocks)
    return Rendering("\n".join(lines), renderer.buttons, renderer.inputs)


def render_message(
    message: Mapping[str, Any],
    *,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    width: int = 80,
) -> Rendering:
    """Render a message: its blocks, or its mrkdwn ``text`` when it has none."""
    blocks = message.get("blocks")
    if blocks:
        rendering = render_blocks(blocks, users=users, channels=channels, width=width)
    else:
        text = mrkdwn_to_text(str(message.get("text") or ""), users=users, channels=channels)
        rendering = Rendering("\n".join(_wrap(text, width)))
    if message.get("edited"):
        rendering.text += "\n  (edited)"
    return rendering


def render_view(
    view: Mapping[str, Any],
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    width: int = 80,
) -> Rendering:
    """Render a modal or Home tab as a box titled with the view's title.

    A modal's Close and Submit labels sit on the bottom edge. ``values`` defaults to the
    view's own ``state.values``.
    """
    inner = width - 4
    if values is None:
        values = (view.get("state") or {}).get("values") or {}
    body = render_blocks(
        list(view.get("blocks") or []),
        users=users,
        channels=channels,
        width=inner,
        errors=errors,
        values=values,
    )
    title = (view.get("title") or {}).get("text") or ("Home" if view.get("type") == "home" else "")
    top = f"╭─ {title} " if title else "╭"
    top = top + "─" * max(0, width - 1 - len(top)) + "╮"
    lines = [top]
    for line in body.text.split("\n") if body.text else []:
        lines.append(f"│ {line.ljust(inner)} │")
    if view.get("type") == "modal":
        labels = []
        close = (view.get("close") or {}).get("text") or "Cancel"
        labels.append(f"({close})")
        if view.get("submit"):
            labels.append(f"({view['submit'].get('text')})")
        footer = "  ".join(labels)
        lines.append("│" + " " * (width - 2) + "│")
        bottom = "╰" + "─" * max(1, width - 4 - len(footer)) + " " + footer + " ╯"
        lines.append(bottom)
    else:
        lines.append("╰" + "─" * (width - 2) + "╯")
    return Rendering("\n".join(lines), body.buttons, body.inputs)
