"""Typed answers become what Slack's client would submit."""

from __future__ import annotations

from typing import Any

from app.tryout.sandbox.forms import (
    Field,
    Option,
    current_answers,
    fields_of,
    option_lines,
    parse_answer,
)

USERS = {"U0ALICE00": "alice", "U0BOB0000": "bob"}
CHANNELS = {"C0GROWTH00": "growth", "C0GENERAL": "general"}
CONFIDENCE = Field(
    block_id="confidence",
    kind="static_select",
    label="Confidence",
    optional=False,
    options=(
        Option("🟢 On track", "on_track"),
        Option("🟡 At risk", "at_risk"),
        Option("🔴 Off track", "off_track"),
    ),
)


def _input(block_id: str, label: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {"action_id": "value", **element},
        **extra,
    }


def test_options_are_picked_by_number_label_or_value() -> None:
    for typed in ("2", "At risk", "🟡 At risk", "at r", "at_risk", "AT RISK"):
        assert parse_answer(CONFIDENCE, typed, USERS, CHANNELS) == ("at_risk", None), typed


def test_an_unknown_or_ambiguous_option_is_refused_with_the_choices() -> None:
    value, problem = parse_answer(CONFIDENCE, "great", USERS, CHANNELS)
    assert value is None and problem is not None
    assert "1 🟢 On track, 2 🟡 At risk, 3 🔴 Off track" in problem
    _, ambiguous = parse_answer(CONFIDENCE, "o", USERS, CHANNELS)
    assert ambiguous is not None and "several" in ambiguous
    _, out_of_range = parse_answer(CONFIDENCE, "4", USERS, CHANNELS)
    assert out_of_range is not None


def test_people_and_channels_are_picked_by_name() -> None:
    owner = Field("owner", "users_select", "Owner", optional=True)
    assert parse_answer(owner, "@Bob", USERS, CHANNELS) == ("U0BOB0000", None)
    assert parse_answer(owner, "U0ALICE00", USERS, CHANNELS) == ("U0ALICE00", None)
    _, problem = parse_answer(owner, "dave", USERS, CHANNELS)
    assert problem == "no person called 'dave'; try one of: alice, bob"
    channel = Field("channel", "conversations_select", "Digest channel", optional=False)
    assert parse_answer(channel, "#growth", USERS, CHANNELS) == ("C0GROWTH00", None)
    many = Field("people", "multi_users_select", "People", optional=True)
    assert parse_answer(many, "alice, bob", USERS, CHANNELS) == (["U0ALICE00", "U0BOB0000"], None)


def test_dates_and_times_are_checked_text_is_kept() -> None:
    day = Field("day", "datepicker", "Day", optional=False)
    assert parse_answer(day, "2026-11-20", USERS, CHANNELS) == ("2026-11-20", None)
    assert parse_answer(day, "Friday", USERS, CHANNELS)[1] is not None
    time = Field("time", "timepicker", "Time", optional=False)
    assert parse_answer(time, "9:30", USERS, CHANNELS) == ("09:30", None)
    text = Field("title", "plain_text_input", "Title", optional=False)
    assert parse_answer(text, "  Raise NPS from 31 to 45 ", USERS, CHANNELS) == (
        "Raise NPS from 31 to 45",
        None,
    )


def test_repeated_labels_are_named_after_their_section_and_current_values_read_back() -> None:
    view = {
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*KR1* Raise NPS\nmore"}},
            _input("v1", "Value now", {"type": "plain_text_input", "initial_value": "31"}),
            _input(
                "o1",
                "Owner",
                {"type": "users_select", "initial_user": "U0BOB0000"},
                optional=True,
            ),
            {"type": "section", "text": {"type": "mrkdwn", "text": "*KR2* Cut churn"}},
            _input("v2", "Value now", {"type": "plain_text_input"}),
        ]
    }
    fields = fields_of(view)
    assert [(f.block_id, f.prompt_label) for f in fields] == [
        ("v1", "KR1 Raise NPS · Value now*"),
        ("o1", "Owner"),
        ("v2", "KR2 Cut churn · Value now*"),
    ]
    assert current_answers(view, USERS, CHANNELS) == {"v1": "31", "o1": "bob", "v2": ""}


def test_option_lines_wrap_within_the_width() -> None:
    kinds = Field(
        "kind",
        "static_select",
        "Kind",
        optional=False,
        options=tuple(Option(f"Option number {i}", str(i)) for i in range(1, 12)),
    )
    lines = option_lines(kinds, width=60)
    assert len(lines) > 1 and all(len(line) <= 60 for line in lines)
    assert lines[0].startswith("    1 Option number 1 · 2 Option number 2")
