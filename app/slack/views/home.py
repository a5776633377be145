"""The App Home tab: my key results and my teams' objectives."""

from __future__ import annotations

from typing import Any

from app.domain.okrs import KeyResultSnapshot, TeamOKRs
from app.domain.progress import percent, progress_bar
from app.slack import ids
from app.slack.blocks import Block, actions, button, context, divider, escape, header, section
from app.slack.limits import VIEW_BLOCKS_MAX
from app.slack.views.okr_list import key_result_numbers, key_result_ref, objective_ref


def build_home_view(*, user_id: str, teams: list[TeamOKRs]) -> dict[str, Any]:
    """The Home tab for `user_id`, given the OKRs of the teams they belong to."""
    blocks: list[Block] = [
        header("Your OKRs"),
        actions(
            button("New objective", ids.ACTION_OPEN_NEW, style="primary"),
            button("Team settings", ids.ACTION_OPEN_TEAM),
            block_id="home_actions",
        ),
    ]
    if not teams:
        blocks.append(
            section("You're not in a team yet. *Team settings* lets you join one or create one.")
        )
        return {"type": "home", "blocks": blocks}

    mine: list[KeyResultSnapshot] = [
        kr
        for okrs in teams
        for objective in okrs.objectives
        for kr in objective.key_results
        if kr.owner == user_id
    ]
    blocks.append(section("*My key results*"))
    if not mine:
        blocks.append(context("You own no key results this cycle."))
    for kr in mine[:20]:
        blocks.append(
            section(
                f"*{key_result_ref(kr.id)}* {escape(kr.title)}\n"
                f"`{progress_bar(kr.progress)}` {percent(kr.progress)} · {key_result_numbers(kr)}"
            )
        )
    for okrs in teams:
        blocks.append(divider())
        blocks.append(section(f"*{escape(okrs.team_name)}* · {okrs.cycle_label}"))
        if not okrs.objectives:
            blocks.append(context("No objectives yet."))
        for objective in okrs.objectives:
            if len(blocks) >= VIEW_BLOCKS_MAX - 2:
                break
            blocks.append(
                context(
                    f"`{progress_bar(objective.progress)}` {percent(objective.progress)} · "
                    f"*{objective_ref(objective.id)}* {escape(objective.title)}"
                )
            )
    if len(blocks) > VIEW_BLOCKS_MAX:
        blocks = [*blocks[: VIEW_BLOCKS_MAX - 1], context("More in `/okr list`.")]
    return {"type": "home", "blocks": blocks}
