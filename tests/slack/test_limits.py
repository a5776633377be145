"""Each Block Kit limit holds at the limit and fails one past it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.slack import limits
from app.slack.limits import (
    assert_within_limits,
    block_errors,
    block_problems,
    message_errors,
    view_errors,
)


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "x", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **extra}


def button(**extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain("Go"), "action_id": "go", **extra}


def option(text: str = "A", value: str = "a") -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def select(options: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick", "options": options, **extra}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def input_block(element: dict[str, Any], label: str = "Label", **extra: Any) -> dict[str, Any]:
    return {"type": "input", "label": plain(label), "element": element, **extra}


def text_input(**extra: Any) -> dict[str, Any]:
    return {"type": "plain_text_input", "action_id": "t", **extra}


def modal(**extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {"type": "modal", "title": plain("Title"), "blocks": []}
    view.update(extra)
    return view


# (name, build(n) -> blocks, limit, expected message past the limit)
BLOCK_CASES: list[tuple[str, Callable[[int], list[dict[str, Any]]], int, str]] = [
    (
        "section text",
        lambda n: [section("x" * n)],
        limits.SECTION_TEXT_MAX,
        "blocks[0].text.text: 3001 characters, the limit is 3000",
    ),
    (
        "section fields count",
        lambda n: [{"type": "section", "fields": [mrkdwn("f")] * n}],
        limits.SECTION_FIELDS_MAX,
        "blocks[0].fields: 11 items, the limit is 10",
    ),
    (
        "section field text",
        lambda n: [{"type": "section", "fields": [mrkdwn("x" * n)]}],
        limits.SECTION_FIELD_TEXT_MAX,
        "blocks[0].fields[0].text: 2001 characters, the limit is 2000",
    ),
    (
        "header text",
        lambda n: [{"type": "header", "text": plain("x" * n)}],
        limits.HEADER_TEXT_MAX,
        "blocks[0].text.text: 151 characters, the limit is 150",
    ),
    (
        "block_id",
        lambda n: [{"type": "divider", "block_id": "b" * n}],
        limits.BLOCK_ID_MAX,
        "blocks[0].block_id: 256 characters, the limit is 255",
    ),
    (
        "action_id",
        lambda n: [actions(button(action_id="a" * n))],
        limits.ACTION_ID_MAX,
        "blocks[0].elements[0].action_id: 256 characters, the limit is 255",
    ),
    (
        "button text",
        lambda n: [actions(button(text=plain("x" * n)))],
        limits.BUTTON_TEXT_MAX,
        "blocks[0].elements[0].text.text: 76 characters, the limit is 75",
    ),
    (
        "button value",
        lambda n: [actions(button(value="v" * n))],
        limits.BUTTON_VALUE_MAX,
        "blocks[0].elements[0].value: 2001 characters, the limit is 2000",
    ),
    (
        "button url",
        lambda n: [actions(button(url="h" * n))],
        limits.BUTTON_URL_MAX,
        "blocks[0].elements[0].url: 3001 characters, the limit is 3000",
    ),
    (
        "actions elements",
        lambda n: [actions(*[button(action_id=f"b{i}") for i in range(n)])],
        limits.ACTIONS_ELEMENTS_MAX,
        "blocks[0].elements: 26 items, the limit is 25",
    ),
    (
        "context elements",
        lambda n: [{"type": "context", "elements": [mrkdwn("c")] * n}],
        limits.CONTEXT_ELEMENTS_MAX,
        "blocks[0].elements: 11 items, the limit is 10",
    ),
    (
        "context text",
        lambda n: [{"type": "context", "elements": [mrkdwn("x" * n)]}],
        limits.CONTEXT_TEXT_MAX,
        "blocks[0].elements[0].text: 3001 characters, the limit is 3000",
    ),
    (
        "input label",
        lambda n: [input_block(text_input(), label="x" * n)],
        limits.INPUT_LABEL_MAX,
        "blocks[0].label.text: 2001 characters, the limit is 2000",
    ),
    (
        "input hint",
        lambda n: [input_block(text_input(), hint=plain("x" * n))],
        limits.INPUT_HINT_MAX,
        "blocks[0].hint.text: 2001 characters, the limit is 2000",
    ),
    (
        "placeholder",
        lambda n: [input_block(text_input(placeholder=plain("x" * n)))],
        limits.PLACEHOLDER_MAX,
        "blocks[0].element.placeholder.text: 151 characters, the limit is 150",
    ),
    (
        "plain_text_input max_length",
        lambda n: [input_block(text_input(max_length=n))],
        limits.PLAIN_TEXT_INPUT_LENGTH_MAX,
        "blocks[0].element.max_length: 3001 is out of range 1..3000",
    ),
    (
        "static_select options",
        lambda n: [actions(select([option(value=str(i)) for i in range(n)]))],
        limits.SELECT_OPTIONS_MAX,
        "blocks[0].elements[0].options: 101 items, the limit is 100",
    ),
    (
        "option text",
        lambda n: [actions(select([option(text="x" * n)]))],
        limits.OPTION_TEXT_MAX,
        "blocks[0].elements[0].options[0].text.text: 76 characters, the limit is 75",
    ),
    (
        "option value",
        lambda n: [actions(select([option(value="v" * n)]))],
        limits.OPTION_VALUE_MAX,
        "blocks[0].elements[0].options[0].value: 151 characters, the limit is 150",
    ),
    (
        "checkboxes options",
        lambda n: [
            input_block(
                {
                    "type": "checkboxes",
                    "action_id": "c",
                    "options": [option(value=str(i)) for i in range(n)],
                }
            )
        ],
        limits.CHECKBOXES_OPTIONS_MAX,
        "blocks[0].element.options: 11 items, the limit is 10",
    ),
    (
        "overflow options",
        lambda n: [
            actions(
                {
                    "type": "overflow",
                    "action_id": "o",
                    "options": [option(value=str(i)) for i in range(n)],
                }
            )
        ],
        limits.OVERFLOW_OPTIONS_MAX,
        "blocks[0].elements[0].options: 6 items, the limit is 5",
    ),
    (
        "image alt_text",
        lambda n: [{"type": "image", "image_url": "https://x/y.png", "alt_text": "a" * n}],
        limits.IMAGE_ALT_TEXT_MAX,
        "blocks[0].alt_text: 2001 characters, the limit is 2000",
    ),
]


@pytest.mark.parametrize(
    ("build", "limit", "message"),
    [pytest.param(b, lim, m, id=name) for name, b, lim, m in BLOCK_CASES],
)
def test_block_limits(
    build: Callable[[int], list[dict[str, Any]]], limit: int, message: str
) -> None:
    assert block_errors(build(limit), surface="modal") == []
    assert block_errors(build(limit + 1), surface="modal") == [message]


@pytest.mark.parametrize(
    ("surface", "limit"),
    [("message", limits.MESSAGE_BLOCKS_MAX), ("modal", 100), ("home", 100)],
)
def test_block_count_per_surface(surface: limits.Surface, limit: int) -> None:
    assert block_errors([{"type": "divider"}] * limit, surface=surface) == []
    assert block_errors([{"type": "divider"}] * (limit + 1), surface=surface) == [
        f"blocks: {limit + 1} blocks, the limit is {limit}"
    ]


def test_structure_rules() -> None:
    blocks = [
        {"type": "carousel_of_doom"},
        {"type": "section"},
        {"type": "header", "text": mrkdwn("*bold*")},
        actions({"type": "button", "action_id": "x"}),
        {"type": "section", "block_id": "same", "text": mrkdwn("a")},
        {"type": "divider", "block_id": "same"},
        section(""),
        {"type": "input", "element": text_input()},
        actions(select([])),
        actions({"type": "static_select", "action_id": "s"}),
        actions(button(style="green")),
    ]
    assert block_errors(blocks, surface="message") == [
        "blocks[0].type: unknown block type 'carousel_of_doom'",
        "blocks[1]: a section needs text or fields",
        "blocks[2].text.type: must be plain_text",
        "blocks[3].elements[0].text: is required",
        "blocks[5].block_id: duplicate block_id 'same' (also blocks[4])",
        "blocks[6].text.text: must not be empty",
        "blocks[7].label: is required",
        "blocks[8].elements[0].options: 0 items, at least 1 required",
        "blocks[9].elements[0].options: options or option_groups is required",
        "blocks[10].elements[0].style: must be primary or danger, got 'green'",
    ]


def test_button_action_id_is_optional_as_slack_documents() -> None:
    assert block_errors([actions({"type": "button", "text": plain("Go")})], surface="home") == []


def test_input_blocks_are_allowed_in_messages() -> None:
    assert block_errors([input_block(text_input())], surface="message") == []


def test_problems_carry_json_pointers() -> None:
    (problem,) = block_problems([section(), section("x" * 3001)], surface="message")
    assert problem.pointer == "/blocks/1/text/text"
    assert problem.dotted == "blocks[1].text.text"
    assert problem.path == ("blocks", 1, "text", "text")


@pytest.mark.parametrize(
    ("field", "limit", "make"),
    [
        ("title", limits.VIEW_TITLE_MAX, plain),
        ("submit", limits.VIEW_SUBMIT_MAX, plain),
        ("close", limits.VIEW_CLOSE_MAX, plain),
        ("private_metadata", limits.PRIVATE_METADATA_MAX, str),
        ("callback_id", limits.CALLBACK_ID_MAX, str),
        ("external_id", limits.EXTERNAL_ID_MAX, str),
    ],
)
def test_view_limits(field: str, limit: int, make: Callable[[str], Any]) -> None:
    assert view_errors(modal(**{field: make("x" * limit)})) == []
    suffix = ".text" if make is plain else ""
    assert view_errors(modal(**{field: make("x" * (limit + 1))})) == [
        f"{field}{suffix}: {limit + 1} characters, the limit is {limit}"
    ]


def test_view_structure() -> None:
    assert view_errors({"type": "dialog", "blocks": []}) == [
        "type: must be modal or home, got 'dialog'"
    ]
    assert view_errors({"type": "modal", "blocks": []}) == ["title: is required"]
    with_input = modal(blocks=[input_block(text_input())])
    assert view_errors(with_input) == ["submit: is required when the view has input blocks"]
    assert view_errors({**with_input, "submit": plain("Save")}) == []
    assert view_errors({"type": "home", "blocks": [{"type": "divider"}] * 100}) == []
    assert view_errors({"type": "home", "blocks": [{"type": "divider"}] * 101}) == [
        "blocks: 101 blocks, the limit is 100"
    ]


def test_message_limits() -> None:
    assert message_errors(text="x" * limits.MESSAGE_TEXT_MAX, blocks=None) == []
    assert message_errors(text="x" * 40_001, blocks=None) == [
        "text: 40001 characters, the limit is 40000"
    ]
    assert message_errors(text=None, blocks=None) == ["text: a message needs text or blocks"]
    assert message_errors(text=None, blocks=[section()]) == []
    assert message_errors(text="t", blocks=[{"type": "divider"}] * 51) == [
        "blocks: 51 blocks, the limit is 50"
    ]


def test_assert_within_limits() -> None:
    assert_within_limits([section()], surface="message")
    assert_within_limits(modal(), surface="modal")
    assert_within_limits({"text": "hi", "blocks": [section()]}, surface="message")
    with pytest.raises(AssertionError) as caught:
        assert_within_limits([section("x" * 3001), {"type": "header"}], surface="message")
    assert str(caught.value) == (
        "2 Block Kit limit violation(s):\n"
        "  blocks[0].text.text: 3001 characters, the limit is 3000\n"
        "  blocks[1].text: is required"
    )
