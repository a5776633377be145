"""`/okr list`: a team's objectives and key results with progress bars."""

from __future__ import annotations

from typing import Any

from app.domain.coach import check_key_result, check_objective
from app.domain.okrs import KeyResultSnapshot, ObjectiveSnapshot, TeamOKRs
from app.domain.progress import format_number, percent, progress_bar
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
    static_select,
)
from app.slack.limits import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX
from app.slack.views.coach import marker

_KIND_WORDS = {
    KRKind.stay_above: "stay at or above",
    KRKind.stay_below: "stay at or below",
}


def objective_ref(objective_id: int) -> str:
    """How people refer to an objective in commands: `O12`."""
    return f"O{objective_id}"


def key_result_ref(key_result_id: int) -> str:
    """How people refer to a key result in commands: `KR34`."""
    return f"KR{key_result_id}"


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


def _key_result_text(kr: KeyResultSnapshot) -> str:
    progress = kr.progress
    # Silence never shows green: no value reads as words, not as a number.
    shown = percent(progress) if progress is not None else "_not updated yet_"
    return (
        f"*{key_result_ref(kr.id)}* {escape(kr.title)}\n"
        f"`{progress_bar(progress)}` {shown} · {key_result_numbers(kr)}"
        f" · {_owner(kr.owner)}{marker(check_key_result(kr.title))}"
    )


def manage_menu(objective: ObjectiveSnapshot) -> dict[str, Any]:
    """One select per objective to edit or archive it or any of its key results.

    One menu per objective (not per key result) keeps a whole team's list in one message.
    """
    options = [
        (f"Edit {objective_ref(objective.id)}", f"{ids.MENU_EDIT}:{objective.id}"),
        (f"Archive {objective_ref(objective.id)}", f"{ids.MENU_ARCHIVE}:{objective.id}"),
    ]
    for kr in objective.key_results[:49]:
        options.append((f"Edit {key_result_ref(kr.id)}", f"{ids.MENU_EDIT}:kr{kr.id}"))
        options.append((f"Archive {key_result_ref(kr.id)}", f"{ids.MENU_ARCHIVE}:kr{kr.id}"))
    menu = static_select(options, placeholder="Edit or archive…")
    menu["action_id"] = ids.ACTION_LIST_MENU
    return menu


def _objective_blocks(objective: ObjectiveSnapshot) -> list[Block]:
    progress = objective.progress
    head = (
        f"*{objective_ref(objective.id)} · {escape(objective.title)}*\n"
        f"`{progress_bar(progress)}` *{percent(progress)}* · owner {_owner(objective.owner)}"
        f"{marker(check_objective(objective.title))}"
    )
    notes = []
    if objective.parent_title:
        notes.append(f"↳ supports _{escape(objective.parent_title)}_")
    if objective.description:
        notes.append(escape(objective.description))
    texts = [_key_result_text(kr) for kr in objective.key_results] or ["_No key results yet._"]
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
