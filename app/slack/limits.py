"""Slack's documented Block Kit limits, as named constants and pure checkers.

Slack rejects a payload that breaks one of these limits (``invalid_blocks`` for messages,
``invalid_arguments`` for views), which in production means a user sees nothing at all. The
checkers here find every violation up front so that view builders can be tested against
the same rules, and so that the local stand-in for Slack can refuse what Slack would refuse.

Every check reports a :class:`LimitProblem`: a path into the payload plus a readable
message. ``str(problem)`` reads like ``blocks[3].text.text: 3120 characters, the limit is
3000``; :attr:`LimitProblem.pointer` gives the JSON pointer Slack itself uses in its error
messages (``/blocks/3/text/text``).

Sources: docs.slack.dev Block Kit reference (blocks, block elements, composition objects,
view objects) and the limits encoded in ``slack_sdk.models``. Where the docs say "should"
rather than "must" (e.g. unique ``action_id`` within a block) nothing is enforced.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Surface = Literal["message", "modal", "home"]
PathPart = str | int

# --- surfaces --------------------------------------------------------------------------
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100  # modals and Home tabs alike
MESSAGE_TEXT_MAX = 40_000

# --- composition objects ---------------------------------------------------------------
TEXT_OBJECT_MIN = 1
TEXT_OBJECT_MAX = 3000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTION_DESCRIPTION_MAX = 75
OPTION_URL_MAX = 3000
OPTION_GROUP_LABEL_MAX = 75
CONFIRM_TITLE_MAX = 100
CONFIRM_TEXT_MAX = 300
CONFIRM_BUTTON_MAX = 30

# --- blocks ----------------------------------------------------------------------------
BLOCK_ID_MAX = 255
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
ACTIONS_ELEMENTS_MAX = 25
CONTEXT_ELEMENTS_MAX = 10
# No tighter per-element limit is documented for context text, so the text-object limit holds.
CONTEXT_TEXT_MAX = TEXT_OBJECT_MAX
INPUT_LABEL_MAX = 2000
INPUT_HINT_MAX = 2000
IMAGE_ALT_TEXT_MAX = 2000
IMAGE_URL_MAX = 3000
IMAGE_TITLE_MAX = 2000
MARKDOWN_BLOCK_TEXT_MAX = 12_000

# --- block elements --------------------------------------------------------------------
ACTION_ID_MAX = 255
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
BUTTON_URL_MAX = 3000
BUTTON_ACCESSIBILITY_LABEL_MAX = 75
PLACEHOLDER_MAX = 150
PLAIN_TEXT_INPUT_LENGTH_MAX = 3000  # bound for both min_length and max_length
SELECT_OPTIONS_MAX = 100
SELECT_OPTION_GROUPS_MAX = 100
CHECKBOXES_OPTIONS_MAX = 10
RADIO_BUTTONS_OPTIONS_MAX = 10
OVERFLOW_OPTIONS_MIN = 1
OVERFLOW_OPTIONS_MAX = 5

# --- views -----------------------------------------------------------------------------
VIEW_TITLE_MAX = 24
VIEW_SUBMIT_MAX = 24
VIEW_CLOSE_MAX = 24
PRIVATE_METADATA_MAX = 3000
CALLBACK_ID_MAX = 255
EXTERNAL_ID_MAX = 255

BLOCK_TYPES = frozenset(
    {
        "actions",
        "alert",
        "call",
        "card",
        "carousel",
        "container",
        "context",
        "context_actions",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
STATIC_SELECT_TYPES = frozenset({"static_select", "multi_static_select"})
# Elements whose value the user enters or picks; they may carry a placeholder.
INPUT_ELEMENT_TYPES = frozenset(
    {
        "plain_text_input",
        "number_input",
        "email_text_input",
        "url_text_input",
        "rich_text_input",
        "file_input",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "checkboxes",
        "radio_buttons",
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
INTERACTIVE_ELEMENT_TYPES = INPUT_ELEMENT_TYPES | {
    "button",
    "overflow",
    "workflow_button",
    "icon_button",
    "feedback_buttons",
}


@dataclass(frozen=True)
class LimitProblem:
    """One limit violation: where it is and what is wrong."""

    path: tuple[PathPart, ...]
    message: str

    @property
    def dotted(self) -> str:
        """The path as ``blocks[3].text.text``."""
        out = ""
        for part in self.path:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += f".{part}" if out else part
        return out or "(root)"

    @property
    def pointer(self) -> str:
        """The path as a JSON pointer, ``/blocks/3/text/text``, as Slack reports it."""
        return "".join(f"/{part}" for part in self.path)

    def __str__(self) -> str:
        return f"{self.dotted}: {self.message}"


def _too_long(n: int, limit: int) -> str:
    return f"{n} characters, the limit is {limit}"


def _too_many(n: int, limit: int, noun: str = "items") -> str:
    return f"{n} {noun}, the limit is {limit}"


class _Checker:
    """Collects problems while walking a payload."""

    def __init__(self) -> None:
        self.problems: list[LimitProblem] = []

    def add(self, path: Sequence[PathPart], message: str) -> None:
        self.problems.append(LimitProblem(tuple(path), message))

    # -- primitives ---------------------------------------------------------------------

    def string(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: Sequence[PathPart],
        limit: int,
        *,
        required: bool = False,
    ) -> None:
        value = obj.get(key)
        if value is None:
            if required:
                self.add([*path, key], "is required")
            return
        if not isinstance(value, str):
            self.add([*path, key], f"must be a string, got {type(value).__name__}")
            return
        if len(value) > limit:
            self.add([*path, key], _too_long(len(value), limit))

    def text_object(
        self,
        obj: Any,
        path: Sequence[PathPart],
        limit: int = TEXT_OBJECT_MAX,
        *,
        plain_only: bool = False,
    ) -> None:
        if not isinstance(obj, Mapping):
            self.add(path, "must be a text object")
            return
        kind = obj.get("type")
        if kind not in TEXT_TYPES:
            self.add([*path, "type"], f"must be plain_text or mrkdwn, got {kind!r}")
        elif plain_only and kind != "plain_text":
            self.add([*path, "type"], "must be plain_text")
        text = obj.get("text")
        if not isinstance(text, str):
            self.add([*path, "text"], "is required")
            return
        if len(text) < TEXT_OBJECT_MIN:
            self.add([*path, "text"], "must not be empty")
        elif len(text) > limit:
            self.add([*path, "text"], _too_long(len(text), limit))

    def optional_text(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: Sequence[PathPart],
        limit: int,
        *,
        required: bool = False,
        plain_only: bool = False,
    ) -> None:
        value = obj.get(key)
        if value is None:
            if required:
                self.add([*path, key], "is required")
            return
        self.text_object(value, [*path, key], limit, plain_only=plain_only)

    def list_of(
        self, obj: Mapping[str, Any], key: str, path: Sequence[PathPart], *, required: bool
    ) -> list[Any] | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.add([*path, key], "is required")
            return None
        if not isinstance(value, list):
            self.add([*path, key], "must be an array")
            return None
        return value

    # -- composition objects ------------------------------------------------------------

    def option(self, option: Any, path: Sequence[PathPart], *, plain_only: bool) -> None:
        if not isinstance(option, Mapping):
            self.add(path, "must be an option object")
            return
        self.optional_text(
            option, "text", path, OPTION_TEXT_MAX, required=True, plain_only=plain_only
        )
        self.string(option, "value", path, OPTION_VALUE_MAX, required=True)
        self.optional_text(option, "description", path, OPTION_DESCRIPTION_MAX)
        self.string(option, "url", path, OPTION_URL_MAX)

    def options(
        self,
        element: Mapping[str, Any],
        path: Sequence[PathPart],
        *,
        limit: int,
        minimum: int = 1,
        plain_only: bool = True,
        key: str = "options",
        required: bool = True,
    ) -> None:
        options = self.list_of(element, key, path, required=required)
        if options is None:
            return
        if len(options) < minimum:
            self.add([*path, key], f"{len(options)} items, at least {minimum} required")
        elif len(options) > limit:
            self.add([*path, key], _too_many(len(options), limit))
        for i, option in enumerate(options):
            self.option(option, [*path, key, i], plain_only=plain_only)

    def confirm(self, element: Mapping[str, Any], path: Sequence[PathPart]) -> None:
        confirm = element.get("confirm")
        if confirm is None:
            return
        where = [*path, "confirm"]
        if not isinstance(confirm, Mapping):
            self.add(where, "must be a confirmation dialog object")
            return
        self.optional_text(
            confirm, "title", where, CONFIRM_TITLE_MAX, required=True, plain_only=True
        )
        self.optional_text(confirm, "text", where, CONFIRM_TEXT_MAX, required=True)
        self.optional_text(
            confirm, "confirm", where, CONFIRM_BUTTON_MAX, required=True, plain_only=True
        )
        self.optional_text(
            confirm, "deny", where, CONFIRM_BUTTON_MAX, required=True, plain_only=True
        )

    # -- elements -----------------------------------------------------------------------

    def image_element(self, element: Mapping[str, Any], path: Sequence[PathPart]) -> None:
        self.string(element, "alt_text", path, IMAGE_ALT_TEXT_MAX, required=True)
        if element.get("image_url") is None and element.get("slack_file") is None:
            self.add([*path, "image_url"], "image_url or slack_file is required")
        self.string(element, "image_url", path, IMAGE_URL_MAX)

    def element(self, element: Any, path: Sequence[PathPart]) -> None:
        if not isinstance(element, Mapping):
            self.add(path, "must be an element object")
            return
        kind = element.get("type")
        if not isinstance(kind, str):
            self.add([*path, "type"], "is required")
            return
        if kind == "image":
            self.image_element(element, path)
            return
        if kind not in INTERACTIVE_ELEMENT_TYPES:
            self.add([*path, "type"], f"unknown element type {kind!r}")
            return
        self.string(element, "action_id", path, ACTION_ID_MAX)
        self.confirm(element, path)
        if kind in INPUT_ELEMENT_TYPES:
            self.optional_text(element, "placeholder", path, PLACEHOLDER_MAX, plain_only=True)
        if kind == "button":
            self._button(element, path)
        elif kind in STATIC_SELECT_TYPES:
            self._static_select(element, path)
        elif kind == "overflow":
            self.options(element, path, limit=OVERFLOW_OPTIONS_MAX, minimum=OVERFLOW_OPTIONS_MIN)
        elif kind == "checkboxes":
            self.options(element, path, limit=CHECKBOXES_OPTIONS_MAX, plain_only=False)
        elif kind == "radio_buttons":
            self.options(element, path, limit=RADIO_BUTTONS_OPTIONS_MAX, plain_only=False)
        elif kind == "plain_text_input":
            self._length_bound(element, "min_length", path, 0)
            self._length_bound(element, "max_length", path, 1)

    def _button(self, element: Mapping[str, Any], path: Sequence[PathPart]) -> None:
        self.optional_text(element, "text", path, BUTTON_TEXT_MAX, required=True, plain_only=True)
        self.string(element, "value", path, BUTTON_VALUE_MAX)
        self.string(element, "url", path, BUTTON_URL_MAX)
        self.string(element, "accessibility_label", path, BUTTON_ACCESSIBILITY_LABEL_MAX)
        style = element.get("style")
        if style is not None and style not in ("primary", "danger"):
            self.add([*path, "style"], f"must be primary or danger, got {style!r}")

    def _static_select(self, element: Mapping[str, Any], path: Sequence[PathPart]) -> None:
        has_options = element.get("options") is not None
        has_groups = element.get("option_groups") is not None
        if has_options and has_groups:
            self.add(path, "options and option_groups are mutually exclusive")
        elif not has_options and not has_groups:
            self.add([*path, "options"], "options or option_groups is required")
        if has_options:
            self.options(element, path, limit=SELECT_OPTIONS_MAX)
        groups = self.list_of(element, "option_groups", path, required=False)
        if groups is None:
            return
        if len(groups) > SELECT_OPTION_GROUPS_MAX:
            self.add([*path, "option_groups"], _too_many(len(groups), SELECT_OPTION_GROUPS_MAX))
        for i, group in enumerate(groups):
            where = [*path, "option_groups", i]
            if not isinstance(group, Mapping):
                self.add(where, "must be an option group object")
                continue
            self.optional_text(
                group, "label", where, OPTION_GROUP_LABEL_MAX, required=True, plain_only=True
            )
            self.options(group, where, limit=SELECT_OPTIONS_MAX)

    def _length_bound(
        self, element: Mapping[str, Any], key: str, path: Sequence[PathPart], minimum: int
    ) -> None:
        value = element.get(key)
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool):
            self.add([*path, key], "must be an integer")
        elif not minimum <= value <= PLAIN_TEXT_INPUT_LENGTH_MAX:
            self.add(
                [*path, key], f"{value} is out of range {minimum}..{PLAIN_TEXT_INPUT_LENGTH_MAX}"
            )

    # -- blocks -------------------------------------------------------------------------

    def blocks(self, blocks: Any, path: Sequence[PathPart], *, surface: Surface) -> None:
        if not isinstance(blocks, list):
            self.add(path, "must be an array of blocks")
            return
        limit = MESSAGE_BLOCKS_MAX if surface == "message" else VIEW_BLOCKS_MAX
        if len(blocks) > limit:
            self.add(path, _too_many(len(blocks), limit, "blocks"))
        seen: dict[str, int] = {}
        for i, block in enumerate(blocks):
            where = [*path, i]
            if not isinstance(block, Mapping):
                self.add(where, "must be a block object")
                continue
            block_id = block.get("block_id")
            if isinstance(block_id, str):
                if block_id in seen:
                    self.add(
                        [*where, "block_id"],
                        f"duplicate block_id {block_id!r} (also blocks[{seen[block_id]}])",
                    )
                else:
                    seen[block_id] = i
            self.block(block, where)

    def block(self, block: Mapping[str, Any], path: Sequence[PathPart]) -> None:
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.add([*path, "type"], f"unknown block type {kind!r}")
            return
        self.string(block, "block_id", path, BLOCK_ID_MAX)
        if kind == "section":
            self._section(block, path)
        elif kind == "header":
            self.optional_text(block, "text", path, HEADER_TEXT_MAX, required=True, plain_only=True)
        elif kind == "image":
            self.image_element(block, path)
            self.optional_text(block, "title", path, IMAGE_TITLE_MAX, plain_only=True)
        elif kind == "actions":
            self._actions(block, path)
        elif kind == "context":
            self._context(block, path)
        elif kind == "input":
            self._input(block, path)
        elif kind == "rich_text":
            self.list_of(block, "elements", path, required=True)
        elif kind == "markdown":
            self.string(block, "text", path, MARKDOWN_BLOCK_TEXT_MAX, required=True)

    def _section(self, block: Mapping[str, Any], path: Sequence[PathPart]) -> None:
        if block.get("text") is None and block.get("fields") is None:
            self.add(path, "a section needs text or fields")
        self.optional_text(block, "text", path, SECTION_TEXT_MAX)
        fields = self.list_of(block, "fields", path, required=False)
        if fields is not None:
            if len(fields) > SECTION_FIELDS_MAX:
                self.add([*path, "fields"], _too_many(len(fields), SECTION_FIELDS_MAX))
            for i, field in enumerate(fields):
                self.text_object(field, [*path, "fields", i], SECTION_FIELD_TEXT_MAX)
        accessory = block.get("accessory")
        if accessory is not None:
            self.element(accessory, [*path, "accessory"])

    def _actions(self, block: Mapping[str, Any], path: Sequence[PathPart]) -> None:
        elements = self.list_of(block, "elements", path, required=True)
        if elements is None:
            return
        if not elements:
            self.add([*path, "elements"], "must not be empty")
        if len(elements) > ACTIONS_ELEMENTS_MAX:
            self.add([*path, "elements"], _too_many(len(elements), ACTIONS_ELEMENTS_MAX))
        for i, element in enumerate(elements):
            self.element(element, [*path, "elements", i])

    def _input(self, block: Mapping[str, Any], path: Sequence[PathPart]) -> None:
        self.optional_text(block, "label", path, INPUT_LABEL_MAX, required=True, plain_only=True)
        self.optional_text(block, "hint", path, INPUT_HINT_MAX, plain_only=True)
        element = block.get("element")
        if element is None:
            self.add([*path, "element"], "is required")
        else:
            self.element(element, [*path, "element"])

    def _context(self, block: Mapping[str, Any], path: Sequence[PathPart]) -> None:
        elements = self.list_of(block, "elements", path, required=True)
        if elements is None:
            return
        if not elements:
            self.add([*path, "elements"], "must not be empty")
        if len(elements) > CONTEXT_ELEMENTS_MAX:
            self.add([*path, "elements"], _too_many(len(elements), CONTEXT_ELEMENTS_MAX))
        for i, element in enumerate(elements):
            where = [*path, "elements", i]
            if isinstance(element, Mapping) and element.get("type") == "image":
                self.image_element(element, where)
            else:
                self.text_object(element, where, CONTEXT_TEXT_MAX)


def block_problems(blocks: list[dict[str, Any]], *, surface: Surface) -> list[LimitProblem]:
    """Every limit violation in ``blocks`` for the given surface, as structured problems."""
    checker = _Checker()
    checker.blocks(blocks, ["blocks"], surface=surface)
    return checker.problems


def block_errors(blocks: list[dict[str, Any]], *, surface: Surface) -> list[str]:
    """Every limit violation in ``blocks`` as readable strings (empty when all is well).

    Checks counts and lengths, duplicate ``block_id`` within the list, unknown block and
    element types and the required fields (a section needs text or fields, a header needs
    plain_text text, a button needs text, an input needs a label and an element).
    """
    return [str(p) for p in block_problems(blocks, surface=surface)]


def view_problems(view: Mapping[str, Any]) -> list[LimitProblem]:
    """Every limit violation in a modal or Home tab view object, as structured problems."""
    checker = _Checker()
    if not isinstance(view, Mapping):
        checker.add([], "a view must be an object")
        return checker.problems
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.add(["type"], f"must be modal or home, got {kind!r}")
        return checker.problems
    if kind == "modal":
        checker.optional_text(view, "title", [], VIEW_TITLE_MAX, required=True, plain_only=True)
        checker.optional_text(view, "submit", [], VIEW_SUBMIT_MAX, plain_only=True)
        checker.optional_text(view, "close", [], VIEW_CLOSE_MAX, plain_only=True)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, Mapping) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            checker.add(["submit"], "is required when the view has input blocks")
    checker.string(view, "private_metadata", [], PRIVATE_METADATA_MAX)
    checker.string(view, "callback_id", [], CALLBACK_ID_MAX)
    checker.string(view, "external_id", [], EXTERNAL_ID_MAX)
    if view.get("blocks") is None:
        checker.add(["blocks"], "is required")
    else:
        checker.blocks(view.get("blocks"), ["blocks"], surface=kind)
    return checker.problems


def view_errors(view: Mapping[str, Any]) -> list[str]:
    """Every limit violation in a view object (type, title, buttons, ids and its blocks)."""
    return [str(p) for p in view_problems(view)]


def message_problems(*, text: str | None, blocks: list[Any] | None) -> list[LimitProblem]:
    """Every limit violation in a message's ``text`` and ``blocks``, as structured problems."""
    checker = _Checker()
    if text is None and not blocks:
        checker.add(["text"], "a message needs text or blocks")
    if text is not None:
        if not isinstance(text, str):
            checker.add(["text"], "must be a string")
        elif len(text) > MESSAGE_TEXT_MAX:
            checker.add(["text"], _too_long(len(text), MESSAGE_TEXT_MAX))
    if blocks is not None:
        checker.blocks(blocks, ["blocks"], surface="message")
    return checker.problems


def message_errors(*, text: str | None, blocks: list[Any] | None) -> list[str]:
    """Every limit violation in a message made of ``text`` and/or ``blocks``."""
    return [str(p) for p in message_problems(text=text, blocks=blocks)]


def _problems_for(payload: Any, surface: Surface) -> list[str]:
    if isinstance(payload, Mapping):
        if "type" in payload and payload.get("type") in ("modal", "home"):
            return view_errors(payload)
        return message_errors(text=payload.get("text"), blocks=payload.get("blocks"))
    if isinstance(payload, list):
        return block_errors(payload, surface=surface)
    return [f"(root): cannot check a {type(payload).__name__}"]


def assert_within_limits(payload: Any, *, surface: Surface) -> None:
    """Raise AssertionError listing every violation in ``payload``.

    ``payload`` may be a list of blocks, a view object (type modal/home) or a message
    (a mapping with ``text`` and/or ``blocks``).
    """
    errors = _problems_for(payload, surface)
    if errors:
        listing = "\n  ".join(errors)
        raise AssertionError(f"{len(errors)} Block Kit limit violation(s):\n  {listing}")


def iter_elements(blocks: Iterable[Mapping[str, Any]]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Yield ``(block_index, element)`` for every element that can carry an ``action_id``."""
    for i, block in enumerate(blocks):
        kind = block.get("type")
        if kind == "section" and isinstance(block.get("accessory"), Mapping):
            yield i, block["accessory"]
        elif kind == "actions" and isinstance(block.get("elements"), list):
            for element in block["elements"]:
                if isinstance(element, Mapping):
                    yield i, element
        elif kind == "input" and isinstance(block.get("element"), Mapping):
            yield i, block["element"]
