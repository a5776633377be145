"""Filling a modal from typed answers: the fields of a view, what each shows now, and how a
typed answer becomes what Slack's client would put in `state.values`.

A person types answers as they would pick them in Slack: text as it is, an option by its
number or its label, a person by name (`bob`, `@bob`), a channel by name (`#growth`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.tryout.standin.driver import build_state
from app.tryout.standin.render import mrkdwn_to_text

_SINGLE_OPTION = ("static_select", "external_select", "radio_buttons")
_MULTI_OPTION = ("multi_static_select", "multi_external_select", "checkboxes")
_USER_PICKERS = ("users_select", "multi_users_select")
_CHANNEL_PICKERS = (
    "conversations_select",
    "channels_select",
    "multi_conversations_select",
    "multi_channels_select",
)
_EMOJI = re.compile(r"^[^\w\s]+\s*")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Option:
    """One choice of a select: what it shows and what it sends."""

    label: str
    value: str


@dataclass(frozen=True)
class Field:
    """An input block of a view, as the sandbox asks for it."""

    block_id: str
    kind: str
    label: str
    optional: bool
    options: tuple[Option, ...] = ()

    @property
    def many(self) -> bool:
        """True for multi-selects and checkboxes (answers are comma-separated)."""
        return self.kind.startswith("multi_") or self.kind == "checkboxes"

    @property
    def prompt_label(self) -> str:
        """The label, with `*` for a required field as Slack marks it."""
        return self.label + ("" if self.optional else "*")


def _text(obj: Any) -> str:
    if isinstance(obj, Mapping):
        return str(obj.get("text") or "")
    return str(obj or "")


def _options(element: Mapping[str, Any]) -> tuple[Option, ...]:
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found.extend(group.get("options") or [])
    return tuple(Option(_text(o.get("text")), str(o.get("value"))) for o in found)


def _heading(block: Mapping[str, Any]) -> str:
    """A short name for the part of a form a block starts, e.g. `KR3 Raise onboarding…`."""
    text = mrkdwn_to_text(_text(block.get("text"))).strip().split("\n")[0]
    return text if len(text) <= 28 else text[:27].rstrip() + "…"


def fields_of(view: Mapping[str, Any]) -> list[Field]:
    """The view's input blocks in order.

    When several inputs share a label (the check-in asks "Value now" once per key result),
    each is named after the section above it, so the person knows which one is asked.
    """
    raw: list[tuple[str, Mapping[str, Any], str, bool, str]] = []
    heading = ""
    for block in view.get("blocks") or []:
        if not isinstance(block, Mapping):
            continue
        if block.get("type") in ("section", "header") and block.get("text"):
            heading = _heading(block)
        if block.get("type") != "input" or not block.get("block_id"):
            continue
        element = block.get("element") or {}
        raw.append(
            (
                str(block["block_id"]),
                element,
                _text(block.get("label")),
                bool(block.get("optional", False)),
                heading,
            )
        )
    counts = Counter(label for _, _, label, _, _ in raw)
    return [
        Field(
            block_id=block_id,
            kind=str(element.get("type")),
            label=f"{heading} · {label}" if counts[label] > 1 and heading else label,
            optional=optional,
            options=_options(element),
        )
        for block_id, element, label, optional, heading in raw
    ]


def current_answers(
    view: Mapping[str, Any], users: Mapping[str, str], channels: Mapping[str, str]
) -> dict[str, str]:
    """What each input holds now (entered before, else its initial value), as one would
    type it: block_id → text (`bob`, `#growth`, an option's label)."""
    shown: dict[str, str] = {}
    for block_id, by_action in build_state(view).items():
        for entry in by_action.values():
            shown[block_id] = _typed_form(entry, users, channels)
    return shown


def _typed_form(
    entry: Mapping[str, Any], users: Mapping[str, str], channels: Mapping[str, str]
) -> str:
    for key, value in entry.items():
        if key == "type" or value in (None, "", []):
            continue
        if key == "selected_option":
            return _text(value.get("text"))
        if key == "selected_options":
            return ", ".join(_text(o.get("text")) for o in value)
        if key in ("selected_user", "selected_users"):
            ids = value if isinstance(value, list) else [value]
            return ", ".join(users.get(str(i), str(i)) for i in ids)
        if key.startswith("selected_c"):  # conversation(s), channel(s)
            ids = value if isinstance(value, list) else [value]
            return ", ".join("#" + channels.get(str(i), str(i)) for i in ids)
        if key == "rich_text_value":
            return _rich_text(value)
        return str(value)
    return ""


def _rich_text(node: Any) -> str:
    if isinstance(node, Mapping):
        if node.get("type") == "text":
            return str(node.get("text") or "")
        return "".join(_rich_text(child) for child in node.get("elements") or [])
    return ""


def _plain(label: str) -> str:
    """A label without its leading emoji, lower-cased: `🟢 On track` → `on track`."""
    return _EMOJI.sub("", label).strip().casefold()


def _pick_option(field: Field, word: str) -> Option | str:
    word = word.strip()
    if word.isdigit() and 1 <= int(word) <= len(field.options):
        return field.options[int(word) - 1]
    folded = word.casefold().lstrip("@#")
    tests: tuple[Callable[[Option], bool], ...] = (
        lambda o: o.label.casefold() == folded or _plain(o.label) == folded,
        lambda o: o.value.casefold() == folded,
    )
    for test in tests:
        exact = [o for o in field.options if test(o)]
        if len(exact) == 1:
            return exact[0]
    starts = [o for o in field.options if _plain(o.label).startswith(_plain(word))]
    if len(starts) == 1 and word:
        return starts[0]
    choices = ", ".join(f"{i} {o.label}" for i, o in enumerate(field.options, start=1))
    if len(starts) > 1:
        return f"{word!r} could be several options; pick one by number: {choices}"
    return f"no option {word!r}; pick one by number: {choices}"


def _pick_named(word: str, names: Mapping[str, str], sigil: str) -> str | None:
    word = word.strip().lstrip(sigil).strip()
    if word in names:  # an id typed as it is
        return word
    for key, name in names.items():
        if name.casefold() == word.casefold():
            return key
    return None


def parse_answer(
    field: Field, text: str, users: Mapping[str, str], channels: Mapping[str, str]
) -> tuple[Any, str | None]:
    """The `submit_view` answer for what was typed, or (None, a one-line reason)."""
    text = text.strip()
    if field.kind in _SINGLE_OPTION:
        picked = _pick_option(field, text)
        return (None, picked) if isinstance(picked, str) else (picked.value, None)
    words = [w for w in (part.strip() for part in text.split(",")) if w]
    if field.kind in _MULTI_OPTION:
        chosen = []
        for word in words:
            picked = _pick_option(field, word)
            if isinstance(picked, str):
                return None, picked
            chosen.append(picked.value)
        return chosen, None
    if field.kind in _USER_PICKERS or field.kind in _CHANNEL_PICKERS:
        is_user = field.kind in _USER_PICKERS
        names = users if is_user else channels
        found = []
        for word in words if field.many else [text]:
            key = _pick_named(word, names, "@" if is_user else "#")
            if key is None:
                known = ", ".join(("" if is_user else "#") + n for n in names.values())
                what = "person" if is_user else "channel"
                return None, f"no {what} called {word!r}; try one of: {known}"
            found.append(key)
        return (found if field.many else found[0]), None
    if field.kind == "datepicker":
        try:
            return dt.date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, f"{text!r} is not a date; write it as YYYY-MM-DD"
    if field.kind == "timepicker":
        match = _TIME.match(text)
        if not match:
            return None, f"{text!r} is not a time; write it as HH:MM"
        return f"{int(match.group(1)):02d}:{match.group(2)}", None
    return text, None


def empty_answer(field: Field) -> Any:
    """The answer that leaves a field empty (`:clear`)."""
    if field.many:
        return []
    return ""


def option_lines(field: Field, width: int = 80) -> list[str]:
    """The numbered choices of a select, wrapped to `width`: `    1 🟢 On track · 2 …`."""
    lines: list[str] = []
    current = ""
    for number, option in enumerate(field.options, start=1):
        item = f"{number} {option.label}"
        candidate = f"{current} · {item}" if current else item
        if current and len(candidate) + 4 > width:
            lines.append("    " + current)
            current = item
        else:
            current = candidate
    if current:
        lines.append("    " + current)
    return lines
