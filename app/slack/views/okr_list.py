"""`/okr list`: a team's objectives and key results with progress bars."""

from __future__ import annotations

import functools
import json
from typing import Any

from app.domain.coach import check_key_result, check_objective
from app.domain.okrs import KeyResultSnapshot, ObjectiveSnapshot, TeamOKRs
from app.domain.progress import format_number, objective_progress, percent, progress_bar
from app.domain.refs import key_result_ref, objective_ref
from app.domain.types import KRKind
from app.slack import ids
from app.slack.blocks import (
    Block,
    context,
    divider,
    escape,
    header,
    message,
    section,
)
from app.slack.limits import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX
from app.slack.views.coach import marker

_KIND_WORDS = {
    KRKind.stay_above: "stay at or above",
    KRKind.stay_below: "stay at or below",
}


def _owner(slack_user_id: str | None) -> str:
    return f"<@{slack_user_id}>" if slack_user_id else "_no owner_"


def key_result_numbers(kr: KeyResultSnapshot) -> str:
    """`60% → 72% → 85%` (start → current → target), or the milestone's state.

    Without a value yet, only the goal shows; the caller marks the key result not updated.
    """
    if kr.kind == KRKind.milestone:
        return "done" if (kr.current or 0) >= 1 else "not done yet"
    target = format_number(kr.target, kr.unit)
    if kr.kind in _KIND_WORDS:
        now = "" if kr.current is None else f"now {format_number(kr.current, kr.unit)} · "
        return f"{now}{_KIND_WORDS[kr.kind]} {target}"
    start = "" if kr.start is None else f"{format_number(kr.start, kr.unit)} → "
    current = "" if kr.current is None else f"{format_number(kr.current, kr.unit)} → "
    return f"{start}{current}{target}"


@functools.lru_cache(maxsize=32768)
def _key_result_marker(title: str) -> str:
    # Lists are rebuilt often and show the same titles again: remember the marker itself.
    return marker(check_key_result(title))


@functools.lru_cache(maxsize=8192)
def _objective_marker(title: str) -> str:
    return marker(check_objective(title))


def _key_result_text(kr: KeyResultSnapshot, progress: float | None) -> str:
    # Silence never shows green: no value reads as words, not as a number.
    shown = percent(progress) if progress is not None else "_not updated yet_"
    return (
        f"*{key_result_ref(kr.id)}* {escape(kr.title)}\n"
        f"`{progress_bar(progress)}` {shown} · {key_result_numbers(kr)}"
        f" · {_owner(kr.owner)}{_key_result_marker(kr.title)}"
    )


def _plain_option(label: str, value: str) -> dict[str, Any]:
    # `option()` without its truncation: these labels are far below Slack's 75 characters.
    return {"text": {"type": "plain_text", "text": label, "emoji": True}, "value": value}


def manage_menu(objective: ObjectiveSnapshot) -> dict[str, Any]:
    """One select per objective to edit or archive it or any of its key results.

    One menu per objective (not per key result) keeps a whole team's list in one message.
    """
    edit, archive, ref = ids.MENU_EDIT, ids.MENU_ARCHIVE, objective_ref(objective.id)
    options = [
        _plain_option(f"Edit {ref}", f"{edit}:{objective.id}"),
        _plain_option(f"Archive {ref}", f"{archive}:{objective.id}"),
    ]
    for kr in objective.key_results[:49]:
        ref = key_result_ref(kr.id)
        options.append(_plain_option(f"Edit {ref}", f"{edit}:kr{kr.id}"))
        options.append(_plain_option(f"Archive {ref}", f"{archive}:kr{kr.id}"))
    return {
        "type": "static_select",
        "placeholder": {"type": "plain_text", "text": "Edit or archive…", "emoji": True},
        "options": options,
        "action_id": ids.ACTION_LIST_MENU,
    }


def _objective_blocks(objective: ObjectiveSnapshot) -> list[Block]:
    # Each key result's progress once: for its line and for the objective's mean.
    progresses = [kr.progress for kr in objective.key_results]
    progress = objective_progress(progresses)
    head = (
        f"*{objective_ref(objective.id)} · {escape(objective.title)}*\n"
        f"`{progress_bar(progress)}` *{percent(progress)}* · owner {_owner(objective.owner)}"
        f"{_objective_marker(objective.title)}"
    )
    notes = []
    if objective.parent_title:
        notes.append(f"↳ supports _{escape(objective.parent_title)}_")
    if objective.description:
        notes.append(escape(objective.description))
    texts = [
        _key_result_text(kr, kr_progress)
        for kr, kr_progress in zip(objective.key_results, progresses, strict=True)
    ] or ["_No key results yet._"]
    # The objective and its key results share sections of up to 3,000 characters.
    chunks = [head + ("\n_" + " · ".join(notes) + "_" if notes else "")]
    for text in texts:
        if len(chunks[-1]) + 2 + len(text) > SECTION_TEXT_MAX:
            chunks.append(text)
        else:
            chunks[-1] += "\n\n" + text
    blocks = [
        section(
            chunks[0],
            accessory=manage_menu(objective),
            block_id=f"{ids.BLOCK_LIST_OBJECTIVE}{objective.id}",
        )
    ]
    blocks.extend(section(chunk) for chunk in chunks[1:])
    blocks.append(divider())
    return blocks


def build_okr_list_messages(okrs: TeamOKRs) -> list[dict[str, Any]]:
    """The list as one or more messages, each within Slack's 50-block limit.

    Messages break between objectives, never inside one.
    """
    title = f"{okrs.team_name} · {okrs.cycle_label}"
    footer = context(
        "Change one with the *Edit or archive…* menus or `/okr edit O12` · "
        "add one with `/okr new` · :warning: marks what the quality coach would phrase "
        "differently: `/okr check &lt;text&gt;` says why"
    )
    if not okrs.objectives:
        blocks = [
            header(title),
            section(
                f"*{escape(okrs.team_name)}* has no objectives for {okrs.cycle_label} yet. "
                "Start with `/okr new`: one qualitative objective, 2–4 key results "
                "that measure outcomes."
            ),
        ]
        return [message(f"{okrs.team_name} has no objectives for {okrs.cycle_label} yet.", blocks)]

    summary = f"{okrs.team_name} · {okrs.cycle_label}: {len(okrs.objectives)} objectives"
    pages: list[list[Block]] = [[header(title)]]
    for objective in okrs.objectives:
        blocks = _objective_blocks(objective)
        if len(pages[-1]) + len(blocks) > MESSAGE_BLOCKS_MAX - 1:
            pages.append([])
        pages[-1].extend(blocks)
    pages[-1].append(footer)
    if len(pages) == 1:
        return [message(summary, pages[0])]
    return [
        message(f"{summary} ({number}/{len(pages)})", page)
        for number, page in enumerate(pages, start=1)
    ]


class BuiltList:
    """A team's list as built once and cached: its messages and, when it fits one message,
    the JSON body that answers the slash command with it privately.

    Serializing a list of 20-odd blocks costs more than the whole cached request otherwise,
    so it is done once per build, not per answer. Only text is kept: a worker caches a list
    per team, and as nested dicts those would be tens of thousands of objects that every
    full garbage collection walks, stalling the worker's requests meanwhile.
    """

    __slots__ = ("_messages", "ack_body")

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self._messages = json.dumps(messages)
        self.ack_body = None
        if len(messages) == 1 and messages[0] and "response_type" not in messages[0]:
            # The one message's JSON with the response type put first: `[{...}]` → `{..., ...}`.
            self.ack_body = '{"response_type": "ephemeral", ' + self._messages[2:-1]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The messages, rebuilt from their JSON (a fresh copy each time)."""
        result: list[dict[str, Any]] = json.loads(self._messages)
        return result
