"""`/okr team`: create or join a team, and set its channel, time zone and weekly rhythm."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from app.domain.okrs import TEAM_NAME_MAX
from app.slack import ids
from app.slack.blocks import (
    Block,
    context,
    escape,
    input_block,
    modal,
    plain,
    section,
    static_select,
    text_input,
)
from app.slack.views.choices import Choice, choice_select
from app.store.directory import TeamSettings

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_OPTIONS = [(name, str(number)) for number, name in enumerate(WEEKDAYS)]
COUNT_MAX = 10
COUNT_OPTIONS = [(str(n), str(n)) for n in range(1, COUNT_MAX + 1)]


def describe_rhythm(settings: TeamSettings) -> str:
    """`check-ins Friday 10:00, digest Friday 16:00 (Europe/Berlin)`."""
    return (
        f"check-ins {WEEKDAYS[settings.checkin_weekday]} {settings.checkin_time:%H:%M}, "
        f"digest {WEEKDAYS[settings.digest_weekday]} {settings.digest_time:%H:%M} "
        f"({settings.timezone})"
    )


# Always offered first when the teams are searched (an external select), last otherwise.
NEW_TEAM_CHOICE: Choice = ("➕ Create a new team", ids.NEW_TEAM_VALUE)


def team_pick_choices(teams: list[tuple[int, str]]) -> list[Choice]:
    """The teams to pick from, as (label, value), without "Create a new team"."""
    return [(name, str(team_id)) for team_id, name in teams]


def build_team_pick_view(*, teams: list[tuple[int, str]], current: int | None) -> dict[str, Any]:
    """Choose a team to join or manage, or start a new one (searched when there are more
    teams than one select holds)."""
    options = [*team_pick_choices(teams), NEW_TEAM_CHOICE]
    return modal(
        callback_id=ids.VIEW_TEAM_PICK,
        title="Your team",
        submit="Next",
        blocks=[
            context("Join a team to see its OKRs, or create one. Team admins set the details."),
            input_block(
                ids.BLOCK_TEAM_CHOICE,
                "Team",
                choice_select(options, initial=str(current) if current else None),
            ),
        ],
    )


def _time_picker(initial: dt.time) -> dict[str, Any]:
    return {"type": "timepicker", "initial_time": f"{initial:%H:%M}", "placeholder": plain("Time")}


def build_team_settings_view(*, team_id: int | None, settings: TeamSettings) -> dict[str, Any]:
    """The settings of a team (a new one when `team_id` is None)."""
    channel_select: dict[str, Any] = {
        "type": "conversations_select",
        "placeholder": plain("Choose a channel"),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if settings.digest_channel:
        channel_select["initial_conversation"] = settings.digest_channel
    else:
        channel_select["default_to_current_conversation"] = True
    blocks: list[Block] = [
        input_block(
            ids.BLOCK_TEAM_NAME,
            "Team name",
            text_input(initial=settings.name, placeholder="e.g. Growth", max_length=TEAM_NAME_MAX),
        ),
        input_block(
            ids.BLOCK_TEAM_CHANNEL,
            "Digest channel",
            channel_select,
            hint="The weekly progress digest is posted here.",
        ),
        input_block(
            ids.BLOCK_TEAM_TIMEZONE,
            "Time zone",
            text_input(initial=settings.timezone, placeholder="e.g. Europe/Berlin"),
            hint="An IANA time zone name. Check-ins and digests follow it, DST included.",
        ),
        input_block(
            ids.BLOCK_TEAM_CHECKIN_DAY,
            "Check-in day",
            static_select(WEEKDAY_OPTIONS, initial=str(settings.checkin_weekday)),
        ),
        input_block(
            ids.BLOCK_TEAM_CHECKIN_TIME, "Check-in time", _time_picker(settings.checkin_time)
        ),
        input_block(
            ids.BLOCK_TEAM_DIGEST_DAY,
            "Digest day",
            static_select(WEEKDAY_OPTIONS, initial=str(settings.digest_weekday)),
        ),
        input_block(ids.BLOCK_TEAM_DIGEST_TIME, "Digest time", _time_picker(settings.digest_time)),
        context(
            "*Quality coach.* It flags a team with more objectives than this in a cycle, and "
            "objectives with fewer or more key results (advice, never a block)."
        ),
        input_block(
            ids.BLOCK_TEAM_MAX_OBJECTIVES,
            "Most objectives per cycle",
            static_select(COUNT_OPTIONS, initial=str(settings.max_objectives)),
        ),
        input_block(
            ids.BLOCK_TEAM_MIN_KEY_RESULTS,
            "Fewest key results per objective",
            static_select(COUNT_OPTIONS, initial=str(settings.min_key_results)),
        ),
        input_block(
            ids.BLOCK_TEAM_MAX_KEY_RESULTS,
            "Most key results per objective",
            static_select(COUNT_OPTIONS, initial=str(settings.max_key_results)),
        ),
    ]
    return modal(
        callback_id=ids.VIEW_TEAM_SETTINGS,
        title="New team" if team_id is None else "Team settings",
        submit="Create" if team_id is None else "Save",
        blocks=blocks,
        private_metadata=json.dumps({"team": team_id}),
    )


def build_team_done_view(
    *, settings: TeamSettings, admins: list[str], joined: bool, created: bool = False
) -> dict[str, Any]:
    """What happened: joined, created or saved, and what the team's rhythm is."""
    name = escape(settings.name)
    if created:
        headline = f":tada: *{name}* is set up, and you are its admin."
    elif joined:
        headline = f":wave: You joined *{name}*."
    else:
        headline = f":white_check_mark: Saved *{name}*."
    channel = f"<#{settings.digest_channel}>" if settings.digest_channel else "no channel yet"
    blocks: list[Block] = [
        section(headline),
        section(f"Digest channel: {channel}\nRhythm: {describe_rhythm(settings)}"),
    ]
    if joined and admins:
        people = ", ".join(f"<@{a}>" for a in admins)
        blocks.append(context(f"Only team admins ({people}) can change these settings."))
    blocks.append(context("Next: `/okr new` sets an objective; `/okr list` shows the team's OKRs."))
    return modal(callback_id=ids.VIEW_TEAM_JOINED, title="Your team", close="Done", blocks=blocks)
