"""Reading what people typed into a modal (`view.state.values`)."""

from __future__ import annotations

from typing import Any

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
