"""The App Home tab: my key results with their last check-in, and my teams' objectives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.progress import format_number, percent, progress_bar
from app.domain.refs import key_result_ref, objective_ref
from app.slack import ids
from app.slack.blocks import Block, actions, button, context, divider, escape, header, section
from app.slack.limits import VIEW_BLOCKS_MAX
from app.slack.views.checkin import CONFIDENCE_LABELS, button_value, week_label
from app.slack.views.okr_list import key_result_numbers
from app.usecases.home import HomeTeam, LastCheckIn


def build_home_view(
    *,
    user_id: str,
    teams: list[HomeTeam],
    last_checkins: Mapping[int, LastCheckIn] | None = None,
) -> dict[str, Any]:
    """The Home tab for `user_id`."""
    last_checkins = last_checkins or {}
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

    blocks.append(section("*My key results*"))
    owned_any = False
    for team in teams:
        mine = [
            kr
            for objective in team.okrs.objectives
            for kr in objective.key_results
            if kr.owner == user_id
        ]
        if not mine:
            continue
        owned_any = True
        for kr in mine[:12]:
            last = last_checkins.get(kr.id)
            if last is None:
                said = "no check-in yet"
            else:
                value = format_number(last.value, kr.unit) if last.value is not None else "skipped"
                mood = f" · {CONFIDENCE_LABELS[last.confidence]}" if last.confidence else ""
                said = f"last check-in {week_label(last.period)}: {value}{mood}"
            blocks.append(
                section(
                    f"*{key_result_ref(kr.id)}* {escape(kr.title)}\n"
                    f"`{progress_bar(kr.progress)}` {percent(kr.progress)} · "
                    f"{key_result_numbers(kr)}\n_{said}_"
                )
            )
        blocks.append(
            actions(
                button(
                    f"Check in now · {team.okrs.team_name}"[:75],
                    ids.ACTION_CHECKIN_UPDATE,
                    value=button_value(team_id=team.okrs.team_id, period=team.period),
                    style="primary",
                ),
                block_id=f"home_checkin_{team.okrs.team_id}",
            )
        )
    if not owned_any:
        blocks.append(context("You own no key results this cycle."))
    for team in teams:
        okrs = team.okrs
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
