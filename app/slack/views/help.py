"""`/okr help`: what you can do, in a few lines."""

from __future__ import annotations

from typing import Any

from app.slack.blocks import context, escape, message, section

HELP_LINES = (
    ("/okr new", "set an objective with 2–4 key results"),
    (
        "/okr list [team]",
        "your team's objectives and key results (`--cycle 2026-Q3` for past ones)",
    ),
    ("/okr edit O12 | KR34", "change an objective or a key result"),
    ("/okr archive O12 | KR34", "archive one (you can undo)"),
    ("/okr checkin [team]", "check in on your key results now (the weekly prompt's form)"),
    ("/okr snooze 2w", "pause check-in prompts while you're away (`off` resumes)"),
    ("/okr digest [post]", "preview this week's team digest (admins: `post` sends it now)"),
    (
        "/okr close",
        "team admins: score and close the cycle (it also closes by itself when it ends)",
    ),
    ("/okr check <text>", "ask the quality coach whether a key result measures an outcome"),
    ("/okr team", "create or join a team; set its channel, time zone and weekly rhythm"),
    ("/okr help", "this message"),
)


def build_help_message() -> dict[str, Any]:
    """The help message."""
    lines = "\n".join(f"`{escape(usage)}` — {what}" for usage, what in HELP_LINES)
    return message(
        "okrbot: /okr new, /okr list, /okr edit, /okr archive, /okr check, /okr team",
        [
            section("*okrbot* keeps your team's objectives and key results in Slack.\n" + lines),
            context(
                "Objectives say where you're going; key results are outcomes with a number "
                "(“Raise onboarding completion from 60% to 85%”), not tasks."
            ),
        ],
    )


def build_usage_message(problem: str, usage: str | None = None) -> dict[str, Any]:
    """A short ephemeral answer to a command that could not be understood."""
    text = problem if usage is None else f"{problem}\nUsage: `{escape(usage)}`"
    return message(problem, [section(text), context("`/okr help` lists everything you can do.")])


def build_notice(text: str) -> dict[str, Any]:
    """A one-section ephemeral answer."""
    return message(text, [section(text)])
