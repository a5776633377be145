"""Closing a cycle: the closing digest, and `/okr list --cycle 2026-Q3` for a closed cycle.

Pure builders: a `ClosingReport` in, message payloads out, each within Slack's 50-block
limit (long reports split between objectives). The report is the team's: objectives and
key results keep their order and are never sorted by score, and no one is ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.okrs import KeyResultSnapshot
from app.domain.progress import progress_bar
from app.domain.refs import key_result_ref, objective_ref
from app.domain.scoring import ClosedKeyResult, ClosedObjective, ClosingReport, ClosingSummary
from app.slack import ids
from app.slack.blocks import Block, button, context, divider, escape, header, message, section
from app.slack.limits import MESSAGE_BLOCKS_MAX
from app.slack.views.okr_list import key_result_numbers

SUCCESS_NOTE = "0.7 is success: a stretch that lands at 70% is a good quarter."
TOO_SAFE_NOTE = (
    "Your team hit 100% on most key results two cycles running: the targets may be too "
    "safe. Stretch a little next cycle."
)
CHECK = "✓"


def carry_value(key_result_id: int) -> str:
    """The carry-over button's value for a key result."""
    return str(key_result_id)


def parse_carry_value(value: str | None) -> int | None:
    """The key result id in a carry-over button's value; None when it is not one."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def score_text(score: float) -> str:
    """A score as people read it: "0.72"."""
    return f"{score:.2f}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _owner(slack_user_id: str | None) -> str:
    return f"<@{slack_user_id}>" if slack_user_id else "_no owner_"


def _numbers(kr: ClosedKeyResult) -> str:
    # The list's wording (`60% → 72% → 85%`), so a closed cycle reads like a live one.
    return key_result_numbers(
        KeyResultSnapshot(
            id=kr.id,
            title=kr.title,
            owner=kr.owner,
            kind=kr.kind,
            start=kr.start,
            target=kr.target,
            current=kr.current,
            unit=kr.unit,
        )
    )


def _key_result_block(kr: ClosedKeyResult, *, next_cycle: str, carry: bool, owners: bool) -> Block:
    mark = f"{CHECK} " if kr.succeeded else ""
    lines = [
        f"{mark}*{key_result_ref(kr.id)}* {escape(kr.title)}",
        f"`{progress_bar(kr.score)}` *{score_text(kr.score)}* · {_numbers(kr)}"
        + (f" · {_owner(kr.owner)}" if owners else ""),
    ]
    if kr.carried_to_id is not None:
        lines.append(f"↪ carried into {next_cycle} as *{key_result_ref(kr.carried_to_id)}*")
    accessory = None
    if carry and kr.can_carry:
        accessory = button(
            f"Carry into {next_cycle}", ids.ACTION_CARRY_OVER, value=carry_value(kr.id)
        )
    return section(
        "\n".join(lines),
        accessory=accessory,
        block_id=f"{ids.BLOCK_CLOSING_KEY_RESULT}{kr.id}",
    )


def _objective_blocks(
    objective: ClosedObjective, *, next_cycle: str, carry: bool, owners: bool
) -> list[Block]:
    mark = f" {CHECK}" if objective.succeeded else ""
    owner = f" · owner {_owner(objective.owner)}" if owners else ""
    text = (
        f"*{objective_ref(objective.id)} · {escape(objective.title)}*\n"
        f"`{progress_bar(objective.score)}` *{score_text(objective.score)}*{mark}{owner}"
    )
    blocks = [section(text, block_id=f"{ids.BLOCK_CLOSING_OBJECTIVE}{objective.id}")]
    blocks.extend(
        _key_result_block(kr, next_cycle=next_cycle, carry=carry, owners=owners)
        for kr in objective.key_results
    )
    if not objective.key_results:
        blocks.append(context("No key results were scored."))
    blocks.append(divider())
    return blocks


def _paginate(
    intro: list[Block], groups: Sequence[list[Block]], footer: list[Block]
) -> list[list[Block]]:
    """Blocks in pages of at most 50: a group (an objective) moves whole to the next page
    when it does not fit, and is only cut when it is longer than a page by itself."""
    pages: list[list[Block]] = [list(intro)]
    for group in [*groups, footer]:
        fits_a_page = len(group) <= MESSAGE_BLOCKS_MAX
        # A group too long for any page starts where the last one ends: a fresh page
        # would not keep it whole anyway.
        if fits_a_page and pages[-1] and len(pages[-1]) + len(group) > MESSAGE_BLOCKS_MAX:
            pages.append([])
        for block in group:
            if len(pages[-1]) >= MESSAGE_BLOCKS_MAX:
                pages.append([])
            pages[-1].append(block)
    return [page for page in pages if page]


def _messages(summary_text: str, pages: list[list[Block]]) -> list[dict[str, Any]]:
    if len(pages) == 1:
        return [message(summary_text, pages[0])]
    return [
        message(f"{summary_text} ({number}/{len(pages)})", page)
        for number, page in enumerate(pages, start=1)
    ]


def _headline(summary: ClosingSummary) -> str:
    if not summary.key_results:
        return "No key results were scored this cycle."
    return (
        f"*Mean score {score_text(summary.mean_score)}* · "
        f"{summary.key_results_succeeded} of {_plural(summary.key_results, 'key result')} "
        f"and {summary.objectives_succeeded} of {_plural(summary.objectives, 'objective')} "
        "at 0.7 or more"
    )


def _fallback(report: ClosingReport, summary: ClosingSummary) -> str:
    if not report.objectives:
        return f"{report.team_name} closed {report.cycle_label}: no objectives were scored."
    text = (
        f"{report.team_name} closed {report.cycle_label}: mean score "
        f"{score_text(summary.mean_score)}, {summary.key_results_succeeded} of "
        f"{_plural(summary.key_results, 'key result')} at 0.7 or more."
    )
    if report.too_safe:
        text += " The targets may be too safe."
    return text


def _closed_how(report: ClosingReport) -> str:
    day = report.closed_at.date()
    when = f"{day.day} {day:%b %Y}"
    if report.automatic:
        return f"Closed automatically on {when}, after the cycle's last day"
    if report.closed_by:
        return f"Closed by <@{report.closed_by}> on {when}"
    return f"Closed on {when}"


def build_closing_messages(report: ClosingReport) -> list[dict[str, Any]]:
    """The closing digest: scores per objective and key result, in one or more messages.

    Each unfinished key result not carried yet gets a "Carry into <next cycle>" button
    (`ids.ACTION_CARRY_OVER`, value: the key result id, see `parse_carry_value`). Buttons
    sit on the key results' sections, so no actions block's 25-element limit applies.
    """
    summary = report.summary
    title = header(f"{report.team_name} · {report.cycle_label} closed")
    if not report.objectives:
        blocks = [
            title,
            section(
                f"*{escape(report.team_name)}* had no objectives to score in {report.cycle_label}."
            ),
            context(_closed_how(report)),
        ]
        return [message(_fallback(report, summary), blocks)]
    intro: list[Block] = [
        title,
        section(f"{_headline(summary)}\n{SUCCESS_NOTE}"),
        context(_closed_how(report)),
    ]
    if report.too_safe:
        intro.append(section(f":bulb: *{TOO_SAFE_NOTE}*"))
    intro.append(divider())
    groups = [
        _objective_blocks(o, next_cycle=report.next_cycle_label, carry=True, owners=False)
        for o in report.objectives
    ]
    notes = []
    if report.carryable:
        notes.append(
            f"Unfinished key results can be carried into {report.next_cycle_label}: they "
            "start where they ended, with the same target."
        )
    notes.append(
        "The scores are the team's, not anyone's. Closed cycles stay readable: "
        f"`/okr list --cycle {report.cycle_label}`"
    )
    pages = _paginate(intro, groups, [context(*notes)])
    return _messages(_fallback(report, summary), pages)


def closing_message_for(report: ClosingReport, key_result_id: int) -> dict[str, Any] | None:
    """The one closing message that shows this key result, for replacing it in place.

    A click on a carry-over button replaces only the message it was in; pages break the
    same way whether a key result is carried or not, so the rebuilt page is that message.
    """
    block_id = f"{ids.BLOCK_CLOSING_KEY_RESULT}{key_result_id}"
    for payload in build_closing_messages(report):
        if any(block.get("block_id") == block_id for block in payload["blocks"]):
            return payload
    return None


def build_closed_list_messages(report: ClosingReport) -> list[dict[str, Any]]:
    """`/okr list --cycle 2026-Q3` for a closed cycle: the frozen scores, read-only."""
    summary = report.summary
    title = f"{report.team_name} · {report.cycle_label} (closed)"
    if not report.objectives:
        text = f"{report.team_name} had no objectives to score in {report.cycle_label}."
        blocks = [header(title), section(escape(text)), context(_closed_how(report))]
        return [message(text, blocks)]
    intro: list[Block] = [
        header(title),
        section(_headline(summary)),
        context(f"{_closed_how(report)} · scores frozen at the close · {SUCCESS_NOTE}"),
        divider(),
    ]
    groups = [
        _objective_blocks(o, next_cycle=report.next_cycle_label, carry=False, owners=True)
        for o in report.objectives
    ]
    fallback = (
        f"{report.team_name} · {report.cycle_label} (closed): "
        f"{_plural(len(report.objectives), 'objective')}, mean score "
        f"{score_text(summary.mean_score)}"
    )
    return _messages(fallback, _paginate(intro, groups, []))
