"""The weekly check-in: the prompt, its answered form, the reminder, and the modal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from app.domain.checkins import CheckInEntry, CheckInLine
from app.domain.okrs import KeyResultSnapshot
from app.domain.progress import format_number, percent, progress_bar
from app.domain.refs import key_result_ref
from app.domain.types import Confidence, KRKind
from app.slack import ids
from app.slack.blocks import (
    Block,
    actions,
    button,
    context,
    escape,
    input_block,
    message,
    modal,
    section,
    static_select,
    text_input,
)
from app.slack.views.okr_list import key_result_numbers

NOTE_MAX = 500
CONFIDENCE_LABELS = {
    Confidence.on_track: "🟢 On track",
    Confidence.at_risk: "🟡 At risk",
    Confidence.off_track: "🔴 Off track",
}
CONFIDENCE_OPTIONS = [(label, c.value) for c, label in CONFIDENCE_LABELS.items()]


def week_label(period: str) -> str:
    """`2026-W47` → `week 47`."""
    return f"week {int(period.rsplit('W', 1)[1])}" if "W" in period else period


def button_value(*, team_id: int, period: str) -> str:
    """The value the prompt's buttons carry: which team and week they answer."""
    return json.dumps({"team": team_id, "period": period}, separators=(",", ":"))


def _line(line: CheckInLine) -> str:
    kr = line.key_result
    progress = kr.progress
    shown = percent(progress) if progress is not None else "_not updated yet_"
    said = f" · last said {CONFIDENCE_LABELS[line.last_confidence]}" if line.last_confidence else ""
    text = (
        f"*{key_result_ref(kr.id)}* {escape(kr.title)}\n"
        f"`{progress_bar(progress)}` {shown} · {key_result_numbers(kr)}{said}"
    )
    if line.answer:
        text += f"\n:white_check_mark: {line.answer}"
    return text


def _buttons(team_id: int, period: str) -> Block:
    value = button_value(team_id=team_id, period=period)
    return actions(
        button("Update", ids.ACTION_CHECKIN_UPDATE, value=value, style="primary"),
        button("No change this week", ids.ACTION_CHECKIN_NO_CHANGE, value=value),
        button("Skip, I'm away", ids.ACTION_CHECKIN_SKIP, value=value),
        block_id=ids.BLOCK_CHECKIN_ACTIONS,
    )


def build_checkin_prompt(
    *, team_id: int, team_name: str, period: str, lines: list[CheckInLine], reminder: bool = False
) -> dict[str, Any]:
    """The direct message asking an owner to check in, with one-click answers."""
    count = len(lines)
    noun = "key result" if count == 1 else "key results"
    if reminder:
        opener = (
            f"A gentle reminder: your *{escape(team_name)}* check-in for {week_label(period)} "
            "is still open. It takes a click if nothing moved."
        )
    else:
        opener = (
            f"Time for *{escape(team_name)}*'s weekly check-in ({week_label(period)}). "
            f"How did your {count} {noun} move?"
        )
    blocks: list[Block] = [section(opener)]
    blocks.extend(section(_line(line)) for line in lines[:40])
    blocks.append(_buttons(team_id, period))
    footer = "One reminder at most, privately." if not reminder else "This is the only reminder."
    blocks.append(context(f"{footer} `/okr snooze 2w` pauses check-ins while you're away."))
    verb = "Reminder: check in" if reminder else "Check in"
    return message(f"{verb} for {team_name}, {week_label(period)}: {count} {noun}", blocks)


def build_checkin_answered(
    *, team_name: str, period: str, lines: list[CheckInLine], summary: str
) -> dict[str, Any]:
    """The prompt, updated in place once answered: what was recorded, and no buttons."""
    blocks: list[Block] = [
        section(
            f":white_check_mark: *{escape(team_name)}* check-in for {week_label(period)}: "
            f"{escape(summary)}"
        ),
    ]
    blocks.extend(section(_line(line)) for line in lines[:40])
    blocks.append(context("Change it any time this week with `/okr checkin`."))
    return message(f"{team_name} check-in for {week_label(period)}: {summary}", blocks)


def _value_text(kr: KeyResultSnapshot) -> str | None:
    if kr.current is None:
        return None
    return format_number(kr.current)


def build_checkin_modal(
    *,
    team_id: int,
    team_name: str,
    period: str,
    lines: list[CheckInLine],
    channel: str | None = None,
    message_ts: str | None = None,
    from_home: bool = False,
) -> dict[str, Any]:
    """One block group per key result: new value, confidence, a short note; prefilled.

    `from_home`: opened from the Home tab, which is then refreshed after the answer.
    """
    blocks: list[Block] = [
        context(f"*{escape(team_name)}* · {week_label(period)}. Prefilled with the last values.")
    ]
    for line in lines[:24]:
        kr = line.key_result
        blocks.append(section(_line(CheckInLine(kr, line.last_confidence))))
        hint = (
            "1 when it is done, 0 while it is not."
            if kr.kind == KRKind.milestone
            else f"In {kr.unit}."
            if kr.unit
            else None
        )
        blocks.append(
            input_block(
                f"{ids.BLOCK_CHECKIN_VALUE}{kr.id}",
                "Value now",
                text_input(initial=_value_text(kr), placeholder="e.g. 72"),
                optional=True,
                hint=hint,
            )
        )
        blocks.append(
            input_block(
                f"{ids.BLOCK_CHECKIN_CONFIDENCE}{kr.id}",
                "Confidence",
                static_select(
                    CONFIDENCE_OPTIONS,
                    initial=line.last_confidence.value if line.last_confidence else None,
                ),
            )
        )
        blocks.append(
            input_block(
                f"{ids.BLOCK_CHECKIN_NOTE}{kr.id}",
                "Note",
                text_input(
                    placeholder="What moved it, or what's in the way?",
                    multiline=True,
                    max_length=NOTE_MAX,
                ),
                optional=True,
            )
        )
    metadata: dict[str, Any] = {
        "team": team_id,
        "period": period,
        "channel": channel,
        "ts": message_ts,
    }
    if from_home:
        metadata["home"] = 1
    return modal(
        callback_id=ids.VIEW_CHECKIN,
        title=f"Check-in · {week_label(period)}"[:24],
        submit="Record",
        blocks=blocks,
        private_metadata=json.dumps(metadata, separators=(",", ":")),
    )


def checkin_summary(entries: Sequence[CheckInEntry]) -> str:
    """A few words on what a check-in recorded."""
    if entries and all(e.skipped for e in entries):
        return "skipped, you're away. No reminder will follow."
    counts = {c: sum(1 for e in entries if e.confidence == c) for c in Confidence}
    parts = [f"{n} {c.value.replace('_', ' ')}" for c, n in counts.items() if n]
    noun = "key result" if len(entries) == 1 else "key results"
    return f"{len(entries)} {noun} recorded" + (f" ({', '.join(parts)})" if parts else "")
