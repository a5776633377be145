"""Block Kit renders to readable terminal text."""

from __future__ import annotations

from typing import Any

import pytest

from app.tryout.standin.render import mrkdwn_to_text, render_blocks, render_message, render_view

USERS = {"U1": "alice"}
CHANNELS = {"C1": "okr-leads"}


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def button(action_id: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": plain(text), **extra}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<@U1> please check in", "@alice please check in"),
        ("<@U9>", "@U9"),
        ("<@U9|bob>", "@bob"),
        ("see <#C1> or <#C2|random> or <#C3>", "see #okr-leads or #random or #C3"),
        ("<https://okr.example/kr/7|KR 7>", "KR 7 (https://okr.example/kr/7)"),
        ("<https://okr.example>", "https://okr.example"),
        ("<!here> <!channel>", "@here @channel"),
        ("*bold* _italic_ ~strike~", "bold _italic_ ~strike~"),
        ("a * b * c and 2*3*4", "a * b * c and 2*3*4"),
        ("R&amp;D &lt;3 &gt; x", "R&D <3 > x"),
    ],
)
def test_mrkdwn_to_text(source: str, expected: str) -> None:
    assert mrkdwn_to_text(source, users=USERS, channels=CHANNELS) == expected


def test_header_section_divider_context() -> None:
    blocks = [
        {"type": "header", "text": plain("Weekly check-in")},
        {"type": "section", "text": mrkdwn("*3 key results* need an update, <@U1>")},
        {"type": "divider"},
        {"type": "context", "elements": [mrkdwn("Due Friday"), mrkdwn("Team Growth")]},
    ]
    rendering = render_blocks(blocks, users=USERS, width=20)
    assert rendering.text == (
        "▌ Weekly check-in\n"
        "3 key results need\n"
        "an update, @alice\n"
        "────────────────────\n"
        "  Due Friday · Team\n"
        "  Growth"
    )
    assert rendering.buttons == []
    assert str(rendering) == rendering.text


def test_fields_render_two_per_row() -> None:
    fields = [mrkdwn("*Owner*\nalice"), mrkdwn("*Due*\n31 Mar"), plain("Odd one")]
    text = render_blocks([{"type": "section", "fields": fields}], width=30).text
    assert text == "Owner           Due\nalice           31 Mar\nOdd one"


def test_buttons_are_numbered_across_blocks() -> None:
    blocks = [
        {
            "type": "section",
            "block_id": "kr",
            "text": mrkdwn("KR 1"),
            "accessory": button("edit_kr", "Edit", value="kr-1"),
        },
        {
            "type": "actions",
            "block_id": "bar",
            "elements": [
                button("save", "Save", style="primary"),
                button("cancel", "Cancel"),
                {
                    "type": "static_select",
                    "action_id": "confidence",
                    "placeholder": plain("Confidence"),
                    "options": [{"text": plain("On track"), "value": "on_track"}],
                },
                {
                    "type": "overflow",
                    "action_id": "more",
                    "options": [
                        {"text": plain("Archive"), "value": "archive"},
                        {"text": plain("Delete"), "value": "delete"},
                    ],
                },
            ],
        },
    ]
    rendering = render_blocks(blocks)
    assert rendering.text == (
        "KR 1\n  [1] Edit\n[2] Save  [3] Cancel  [4] ▾ Confidence…  [5] ⋯ Archive | Delete"
    )
    assert [(b["n"], b["action_id"], b["block_id"]) for b in rendering.buttons] == [
        (1, "edit_kr", "kr"),
        (2, "save", "bar"),
        (3, "cancel", "bar"),
        (4, "confidence", "bar"),
        (5, "more", "bar"),
    ]
    assert rendering.buttons[0]["value"] == "kr-1"
    assert rendering.buttons[3]["options"] == [{"text": "On track", "value": "on_track"}]


def test_long_action_rows_wrap() -> None:
    blocks = [{"type": "actions", "elements": [button(f"b{i}", f"Button {i}") for i in range(4)]}]
    text = render_blocks(blocks, width=30).text
    assert text == "[1] Button 0  [2] Button 1\n[3] Button 2  [4] Button 3"


def test_images() -> None:
    blocks = [
        {"type": "image", "image_url": "https://cdn.example/chart.png", "alt_text": "Progress"},
        {"type": "image", "image_url": "https://cdn.example/a/burndown.png", "alt_text": ""},
        {
            "type": "context",
            "elements": [{"type": "image", "image_url": "https://x/y.png", "alt_text": "logo"}],
        },
    ]
    assert render_blocks(blocks).text == (
        "[image: Progress]\n[image: burndown.png]\n  [image: logo]"
    )


def test_rich_text_minimal() -> None:
    block = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Thanks "},
                    {"type": "user", "user_id": "U1"},
                    {"type": "text", "text": " in "},
                    {"type": "channel", "channel_id": "C1"},
                ],
            },
            {
                "type": "rich_text_list",
                "style": "ordered",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "one"}]},
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "two"}]},
                ],
            },
        ],
    }
    text = render_blocks([block], users=USERS, channels=CHANNELS).text
    assert text == "Thanks @alice in #okr-leads\n1. one\n2. two"


def test_modal_with_inputs_errors_and_values() -> None:
    view = {
        "type": "modal",
        "title": plain("New objective"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": plain("Title"),
                "hint": plain("An outcome"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "t",
                    "placeholder": plain("e.g. Delight"),
                },
            },
            {
                "type": "input",
                "block_id": "owner",
                "optional": True,
                "label": plain("Owner"),
                "element": {"type": "users_select", "action_id": "o", "initial_user": "U1"},
            },
            {
                "type": "input",
                "block_id": "conf",
                "label": plain("Confidence"),
                "element": {
                    "type": "static_select",
                    "action_id": "c",
                    "options": [{"text": plain("At risk"), "value": "at_risk"}],
                },
            },
        ],
        "state": {
            "values": {
                "conf": {
                    "c": {
                        "type": "static_select",
                        "selected_option": {"text": plain("At risk"), "value": "at_risk"},
                    }
                }
            }
        },
    }
    rendering = render_view(view, errors={"title": "Name it."}, users=USERS, width=40)
    assert rendering.text == (
        "╭─ New objective ──────────────────────╮\n"
        "│ Title*: ‹e.g. Delight› (An outcome)  │\n"
        "│   ⚠ Name it.                         │\n"
        "│ Owner: @alice                        │\n"
        "│ Confidence*: At risk                 │\n"
        "│                                      │\n"
        "╰──────────────────── (Cancel)  (Save) ╯"
    )
    assert [(i["block_id"], i["optional"]) for i in rendering.inputs] == [
        ("title", False),
        ("owner", True),
        ("conf", False),
    ]


def test_home_view_box() -> None:
    view = {"type": "home", "blocks": [{"type": "section", "text": mrkdwn("No OKRs yet")}]}
    assert render_view(view, width=24).text == (
        "╭─ Home ───────────────╮\n│ No OKRs yet          │\n╰──────────────────────╯"
    )


def test_message_without_blocks_uses_text() -> None:
    message = {"text": "Saved <@U1>'s *check-in*", "edited": True}
    assert render_message(message, users=USERS).text == "Saved @alice's check-in\n  (edited)"


def test_unknown_block_is_flagged() -> None:
    assert render_blocks([{"type": "video"}]).text == "[unsupported block: video]"
