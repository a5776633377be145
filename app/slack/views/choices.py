"""Selects whose options may outgrow Slack's limit: static while they fit, searched beyond.

Slack refuses a whole view (`views.open` answers `invalid_arguments`) when one static
select holds more than 100 options. A list that grows with the workspace (its teams, a
cycle's objectives) is therefore a static select only while it fits; past that, it is an
external select whose options the app sends as the person types (a `block_suggestion`
request, answered by `app.slack.listeners.choices`), at most 100 at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.slack.blocks import option, plain, static_select
from app.slack.limits import SELECT_OPTIONS_MAX

Choice = tuple[str, str]  # (label, value)


def choice_select(
    choices: Sequence[Choice], *, initial: str | None = None, placeholder: str = "Choose…"
) -> dict[str, Any]:
    """A static select over `choices` while they fit, else an external select that loads
    them as the person types (the initial choice, if any, shown preselected)."""
    if len(choices) <= SELECT_OPTIONS_MAX:
        return static_select(list(choices), initial=initial, placeholder=placeholder)
    element: dict[str, Any] = {
        "type": "external_select",
        "placeholder": plain(f"{placeholder} (type to search)", 150),
        # Offer the first options as soon as the menu opens, before anything is typed.
        "min_query_length": 0,
    }
    for label, value in choices:
        if value == initial:
            element["initial_option"] = option(label, value)
            break
    return element


def matching_options(
    choices: Sequence[Choice], query: str, *, pinned: Sequence[Choice] = ()
) -> list[dict[str, Any]]:
    """The options to offer for what the person typed: `pinned` ones always, then every
    choice whose label contains the typed words (any case, any order), up to Slack's 100."""
    words = query.casefold().split()
    found = [
        (label, value)
        for label, value in choices
        if all(word in label.casefold() for word in words)
    ]
    room = SELECT_OPTIONS_MAX - len(pinned)
    return [option(label, value) for label, value in [*pinned, *found[:room]]]
