"""The weekly digest in a channel: the team's progress, what moved, what needs a look.

It shows the team, never a ranking: owners appear only next to key results at risk or off
track (ownership, not blame), and nobody is named for not checking in.
"""

from __future__ import annotations

from typing import Any

from app.domain.digest import Digest, KeyResultLine, ObjectiveLine
from app.domain.okrs import KeyResultSnapshot
from app.domain.progress import percent, progress_bar
from app.slack.blocks import Block, context, divider, escape, header, message, section
from app.slack.limits import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX
from app.slack.views.checkin import CONFIDENCE_LABELS
from app.slack.views.coach import MARKERS
from app.slack.views.okr_list import key_result_numbers, key_result_ref, objective_ref


def points(change: float | None) -> str:
    """A progress change as percentage points: `▲ 6 pts`, `▼ 2 pts`, `±0`; empty if unknown."""
    if change is None:
        return ""
    rounded = round(change * 100)
    if rounded == 0:
        return "±0"
    return f"{'▲' if rounded > 0 else '▼'} {abs(rounded)} pts"


def _key_result_text(line: KeyResultLine) -> str:
    kr = line.key_result
    parts = [f"`{progress_bar(line.progress)}` {percent(line.progress)}", key_result_numbers(kr)]
    if line.updated:
        if moved := points(line.progress_change):
            parts.append(moved)
        if line.confidence:
            parts.append(CONFIDENCE_LABELS[line.confidence])
    else:
        # Silence never shows green.
        parts.append(":white_circle: _not updated this week_")
    markers = [MARKERS[code] for code in line.flags if code in MARKERS]
    if line.stale_on_track:
        markers.append("on track but unchanged for 3+ weeks")
    text = f"*{key_result_ref(kr.id)}* {escape(kr.title)}\n" + " · ".join(parts)
    if markers:
        text += f"\n:warning: _{'; '.join(markers)}_"
    return text


def _objective_blocks(line: ObjectiveLine, expected: float) -> list[Block]:
    objective = line.objective
    moved = points(line.change)
    head = (
        f"*{objective_ref(objective.id)} · {escape(objective.title)}*\n"
        f"`{progress_bar(line.progress)}` *{percent(line.progress)}*"
        + (f" {moved} this week" if moved else "")
        + f" · expected {percent(expected)}"
    )
    blocks: list[Block] = [section(head)]
    chunk = ""
    for kr_line in line.key_results:
        text = _key_result_text(kr_line)
        if chunk and len(chunk) + 2 + len(text) > SECTION_TEXT_MAX:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n\n{text}" if chunk else text
    if chunk:
        blocks.append(section(chunk))
    return blocks


def _summary(digest: Digest) -> str:
    lines = [f"• *{digest.updated} of {digest.total}* key results updated this week."]

    def named(krs: tuple[KeyResultSnapshot, ...], label: str) -> None:
        # Whole items only, so a long list never cuts through an escape or a mention.
        if not krs:
            return
        items: list[str] = []
        budget = SECTION_TEXT_MAX // 3
        for kr in krs:
            item = f"{key_result_ref(kr.id)} {escape(kr.title[:60])}" + (
                f" (<@{kr.owner}>)" if kr.owner else ""
            )
            if sum(len(i) + 2 for i in items) + len(item) > budget:
                items.append(f"and {len(krs) - len(items)} more")
                break
            items.append(item)
        lines.append(f"• {label}: {', '.join(items)}")

    named(digest.off_track, "🔴 Off track")
    named(digest.at_risk, "🟡 At risk")
    if digest.moves:
        moves = ", ".join(
            f"{key_result_ref(m.key_result.id)} {points(m.progress_change)}" for m in digest.moves
        )
        lines.append(f"• Biggest moves: {moves}")
    return "\n".join(lines)


def digest_text(digest: Digest) -> str:
    """The notification and fallback text."""
    return (
        f"{digest.team_name} weekly digest, week {digest.week} of {digest.weeks}: "
        f"{digest.updated} of {digest.total} key results updated, {len(digest.at_risk)} at risk, "
        f"{len(digest.off_track)} off track."
    )


def build_digest_messages(digest: Digest) -> list[dict[str, Any]]:
    """The digest as messages within Block Kit's limits: the first goes to the channel,
    the rest (for large teams) into its thread."""
    first: list[Block] = [
        header(f"{digest.team_name} · week {digest.week} of {digest.weeks}"),
        context(
            f"{digest.cycle_label} · expected by now on a straight line: "
            f"*{percent(digest.expected)}*"
        ),
        section(_summary(digest)),
        divider(),
    ]
    pages: list[list[Block]] = [first]
    for line in digest.objectives:
        blocks = _objective_blocks(line, digest.expected)
        if len(pages[-1]) + len(blocks) > MESSAGE_BLOCKS_MAX - 1:
            pages.append([])
        pages[-1].extend(blocks)
    if not digest.objectives:
        pages[0].append(section("No objectives this cycle yet: `/okr new` sets one."))
    pages[-1].append(
        context(
            "Team progress, not a scoreboard. Owners check in privately; "
            "`/okr checkin` any time, `/okr list` for the details."
        )
    )
    text = digest_text(digest)
    if len(pages) == 1:
        return [message(text, pages[0])]
    return [
        message(f"{text} ({number}/{len(pages)})", page)
        for number, page in enumerate(pages, start=1)
    ]
