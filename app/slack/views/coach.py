"""How the quality coach's findings read in Slack: next to a key result, in `/okr check`,
as a marker in lists, and in the review shown before saving a flagged edit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.coach import Code, Finding, Severity
from app.slack import ids
from app.slack.blocks import Block, actions, button, context, escape, message, modal, section

# Short markers for lists, where a whole sentence would crowd the line.
MARKERS = {
    Code.task_like: "reads like a task",
    Code.no_measure: "nothing to measure",
    Code.vanity_metric: "vanity metric",
    Code.objective_is_metric: "objective is a metric",
    Code.too_many_objectives: "too many objectives",
    Code.kr_count: "key result count",
    Code.no_owner: "no owner",
}


def finding_text(finding: Finding) -> str:
    """One finding as mrkdwn: the reason, then the suggestion."""
    icon = ":warning:" if finding.severity == Severity.warning else ":information_source:"
    return f"{icon} {escape(finding.message)}\n_Try:_ {escape(finding.suggestion)}"


def finding_blocks(findings: Sequence[Finding]) -> list[Block]:
    """Context blocks for findings, one per finding (Slack shows them small and grey)."""
    return [context(finding_text(f)) for f in findings]


def marker(findings: Sequence[Finding]) -> str:
    """` · ⚠ reads like a task` for lists; empty when there is nothing to say."""
    warnings = [MARKERS[f.code] for f in findings if f.severity == Severity.warning]
    return f" · :warning: _{', '.join(warnings)}_" if warnings else ""


def build_check_message(text: str, findings: Sequence[Finding]) -> dict[str, Any]:
    """The answer to `/okr check <text>`."""
    quoted = f"“{escape(text)}”"
    if not findings:
        headline = f":white_check_mark: {quoted} reads like an outcome you can measure."
        return message(headline, [section(headline)])
    headline = f"{quoted} could be a stronger key result:"
    blocks: list[Block] = [section(headline)]
    blocks.extend(section(finding_text(f)) for f in findings)
    blocks.append(context("A flag is advice, not a rule: you can still save it."))
    plain = "; ".join(f.message for f in findings)
    return message(f"{text}: {plain}", blocks)


def build_review_view(
    *, subject: str, findings: Sequence[Finding], metadata: str
) -> dict[str, Any]:
    """Before saving an edit whose new words were flagged: why, how to improve, or save anyway."""
    blocks: list[Block] = [section(f"*{escape(subject)}*"), *finding_blocks(findings)]
    blocks.append(actions(button("← Edit", ids.ACTION_REVIEW_EDIT), block_id="review_actions"))
    blocks.append(context("Warnings never block: *Save anyway* keeps your words as they are."))
    return modal(
        callback_id=ids.VIEW_EDIT_REVIEW,
        title="Before you save",
        submit="Save anyway",
        blocks=blocks,
        private_metadata=metadata,
    )


def build_not_saved_view(problem: str) -> dict[str, Any]:
    """Shown when a reviewed edit could no longer be saved (e.g. it was archived meanwhile)."""
    return modal(
        callback_id=ids.VIEW_EDIT_REVIEW,
        title="Not saved",
        close="Close",
        blocks=[section(f":no_entry: {escape(problem)} Nothing was changed.")],
    )
