"""Answers longer than one message, within what a slash command's response URL takes.

A `response_url` takes at most five answers within thirty minutes; Slack refuses a sixth
and it is lost. So an answer of more than five messages (`/okr list` of many teams, a
large team's digest preview) is packed into as few as Block Kit allows, and when it still
needs more than five, the fifth says how many pages are not shown and the command that
shows them: the same command with `--from N`.
"""

from __future__ import annotations

from typing import Any

from app.slack.blocks import context, escape, message
from app.slack.limits import MESSAGE_BLOCKS_MAX
from app.slack.listeners.support import SlashRequest, UsageError
from app.slack.views.help import build_notice

# Slack: "you can use a response_url five times within 30 minutes".
RESPONSE_URL_USES = 5


def from_option(args: list[str], usage: str) -> tuple[int, list[str]]:
    """Take `--from 6` (or `--from=6`) out of the arguments: the first page to show."""
    rest: list[str] = []
    start = 1
    words = iter(args)
    for word in words:
        if word == "--from" or word.startswith("--from="):
            value = word.partition("=")[2] or next(words, "")
            if not value.isdigit() or not 1 <= int(value) <= 1000:
                raise UsageError(f"`--from {escape(value)}` needs a page number, like 6.", usage)
            start = int(value)
        else:
            rest.append(word)
    return start, rest


def packed(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages, consecutive ones merged while their blocks fit one message."""
    pages: list[dict[str, Any]] = []
    for payload in messages:
        last = pages[-1] if pages else None
        if last is not None and len(last["blocks"]) + len(payload["blocks"]) <= MESSAGE_BLOCKS_MAX:
            pages[-1] = message(
                f"{last['text']}\n{payload['text']}", last["blocks"] + payload["blocks"]
            )
        else:
            pages.append(payload)
    return pages


def _with_note(page: dict[str, Any], note: str) -> dict[str, Any]:
    return message(f"{page['text']}\n{note}", [*page["blocks"], context(note)])


def send_pages(
    request: SlashRequest, messages: list[dict[str, Any]], *, start: int, again: str
) -> None:
    """Answer privately with `messages` from page `start` on, at most five answers.

    One page goes in the acknowledgement; more go through the response URL. When more
    than five remain, the fifth answer ends with how many are not shown and that
    `again --from N` shows them (`again` being the command as typed, without `--from`).
    """
    # Packed only when needed: up to five messages go as the builders made them.
    pages = packed(messages) if len(messages) > RESPONSE_URL_USES else messages
    if start > len(pages):
        count = f"{len(pages)} page{'s' if len(pages) != 1 else ''}"
        request.notice(f"This answer has only {count}: `{escape(again)}` shows it.")
        return
    pages = pages[start - 1 :]
    if len(pages) == 1 and start == 1:
        request.answer(pages[0])
        return
    if len(pages) > RESPONSE_URL_USES:
        # The fifth answer carries the note: on the fifth page when it has room, else alone.
        fifth = pages[RESPONSE_URL_USES - 1]
        room = len(fifth["blocks"]) < MESSAGE_BLOCKS_MAX
        shown = RESPONSE_URL_USES if room else RESPONSE_URL_USES - 1
        hidden = len(pages) - shown
        note = (
            f":page_facing_up: {hidden} more page{'s' if hidden != 1 else ''} not shown: "
            f"Slack lets me answer a command {RESPONSE_URL_USES} times. "
            f"`{escape(again)} --from {start + shown}` shows the rest."
        )
        last = _with_note(fifth, note) if room else build_notice(note)
        pages = [*pages[: RESPONSE_URL_USES - 1], last]
    # Answered empty at once; the pages follow, in order, once the answer has gone.
    request.ack()
    respond = request.respond

    def send() -> None:
        for payload in pages:
            respond(**payload, response_type="ephemeral", replace_original=False)

    request.later("show an answer's pages", send)
