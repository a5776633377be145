"""Steps that several end-to-end tests take, through the real HTTP path."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.runtime import Runtime
from app.slack import ids
from app.tryout.standin import SlackDriver
from app.usecases.services import Services


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every text in a list of blocks, joined, for assertions about what people read."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(parts)


@contextmanager
def heard_by(runtime: Runtime | Services, workspace_id: int = 1) -> Iterator[None]:
    """Wraps a write made as another process would (through a `Database` of its own).

    On PostgreSQL the app's process learns of it from the database's notification, which
    it reads a moment after the commit (see `app.db.changes`); a request in that moment
    may still be answered from before. After the block, wait until the notification is
    in (failing if it never comes), so the test checks what a user, whose next request
    comes later than that, would see. SQLite has no notifications: nothing to wait for.
    """
    feed = runtime.db.changes
    before = feed.version(workspace_id) if feed is not None else None
    yield
    if before is None:
        return  # not listening (or SQLite): the next request reads the database anyway
    assert feed is not None
    deadline = time.monotonic() + 10
    while feed.version(workspace_id) == before:
        assert time.monotonic() < deadline, "the app never heard of the change"
        time.sleep(0.002)


def create_team(
    slack: SlackDriver,
    *,
    user_id: str,
    name: str = "Growth",
    channel: str = "C0GROWTH1",
    timezone: str = "Europe/Berlin",
) -> dict[str, Any]:
    """Run `/okr team` and create a team; returns the confirmation view."""
    response = slack.slash_command(user_id=user_id, text="team")
    assert response.status == 200, response.body
    view = slack.standin.top_view(user_id)
    assert view is not None
    if view["callback_id"] == ids.VIEW_TEAM_PICK:
        slack.submit_view(user_id=user_id, values={ids.BLOCK_TEAM_CHOICE: ids.NEW_TEAM_VALUE})
    answer = slack.submit_view(
        user_id=user_id,
        values={
            ids.BLOCK_TEAM_NAME: name,
            ids.BLOCK_TEAM_CHANNEL: channel,
            ids.BLOCK_TEAM_TIMEZONE: timezone,
        },
    )
    assert answer.status == 200, answer.body
    done = slack.standin.top_view(user_id)
    assert done is not None and done["callback_id"] == ids.VIEW_TEAM_JOINED, done
    return done


def create_objective(
    slack: SlackDriver,
    *,
    user_id: str,
    title: str = "Make onboarding effortless for new teams",
    key_results: tuple[str, ...] = (
        "Raise onboarding completion from 60% to 85%",
        "Cut time to first value from 3 days to 1 day",
    ),
    owners: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Run `/okr new` through both steps, accepting the prefilled numbers."""
    response = slack.slash_command(user_id=user_id, text="new")
    assert response.status == 200, response.body
    values: dict[str, Any] = {ids.BLOCK_OBJECTIVE_TITLE: title}
    for index, text in enumerate(key_results):
        values[ids.kr_block(ids.BLOCK_KR_TITLE, index)] = text
        if index < len(owners):
            values[ids.kr_block(ids.BLOCK_KR_OWNER, index)] = owners[index]
    step_one = slack.submit_view(user_id=user_id, values=values)
    assert step_one.json()["response_action"] == "update", step_one.body
    step_two = slack.submit_view(user_id=user_id)
    assert step_two.json()["response_action"] == "update", step_two.body
    saved = slack.standin.top_view(user_id)
    assert saved is not None and saved["title"]["text"] == "Objective saved", saved
    return saved
