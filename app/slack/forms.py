"""Reading what people typed into a modal (`view.state.values`)."""

from __future__ import annotations

from typing import Any

from app.domain.parse import parse_number
from app.domain.types import KRKind
from app.slack import ids


def state_value(values: dict[str, Any], block_id: str) -> str | None:
    """The answer in an input block, as a string, whatever the element; None when empty."""
    entry = values.get(block_id, {}).get(ids.ACTION_INPUT)
    if not entry:
        return None
    kind = entry.get("type")
    if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
        value = entry.get("value")
    elif kind in ("static_select", "external_select", "radio_buttons"):
        value = (entry.get("selected_option") or {}).get("value")
    elif kind == "users_select":
        value = entry.get("selected_user")
    elif kind == "conversations_select":
        value = entry.get("selected_conversation")
    elif kind == "channels_select":
        value = entry.get("selected_channel")
    elif kind == "timepicker":
        value = entry.get("selected_time")
    elif kind == "datepicker":
        value = entry.get("selected_date")
    else:
        value = entry.get("value")
    if isinstance(value, str):
        value = value.strip()
    return value or None


def numbers_typed(values: dict[str, Any], index: int) -> list[Any] | None:
    """[kind, start, target, unit] as typed for key result `index`, if they all read well.

    Used to carry the numbers step across "Edit the words"; unreadable numbers are dropped
    so the words are parsed afresh instead.
    """
    kind = state_value(values, ids.kr_block(ids.BLOCK_KR_KIND, index))
    if kind not in {k.value for k in KRKind}:
        return None
    numbers = []
    for prefix in (ids.BLOCK_KR_START, ids.BLOCK_KR_TARGET):
        raw = state_value(values, ids.kr_block(prefix, index))
        number = parse_number(raw) if raw else None
        if raw and number is None:
            return None
        numbers.append(number)
    unit = state_value(values, ids.kr_block(ids.BLOCK_KR_UNIT, index)) or ""
    return [kind, numbers[0], numbers[1], unit]
