"""The modals for creating and editing objectives and key results.

Creating takes two steps: first the words (objective, key results, owners), then the
numbers, prefilled from the words ("from 60% to 85%" fills start 60, target 85, unit %).
What step one collected rides along in `private_metadata`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from app.domain.coach import Finding, Severity
from app.domain.okrs import (
    DESCRIPTION_MAX,
    KR_TITLE_MAX,
    MAX_KEY_RESULTS,
    OBJECTIVE_TITLE_MAX,
    UNIT_MAX,
    KeyResultDraft,
    ObjectiveDraft,
)
from app.domain.parse import parse_key_result
from app.domain.progress import format_number
from app.domain.refs import key_result_ref, objective_ref
from app.domain.types import KRKind
from app.slack import ids
from app.slack.blocks import (
    Block,
    actions,
    button,
    context,
    divider,
    escape,
    input_block,
    modal,
    section,
    static_select,
    text_input,
    users_select,
)
from app.slack.limits import PRIVATE_METADATA_MAX
from app.slack.views.choices import Choice, choice_select
from app.slack.views.coach import finding_blocks

KIND_LABELS = {
    KRKind.increase: "Increase to a target",
    KRKind.decrease: "Decrease to a target",
    KRKind.stay_above: "Stay at or above",
    KRKind.stay_below: "Stay at or below",
    KRKind.milestone: "Milestone (done or not)",
}
KIND_OPTIONS = [(label, kind.value) for kind, label in KIND_LABELS.items()]
# The parent select's first choice, offered first when the objectives are searched too.
NO_PARENT_CHOICE: Choice = ("No parent objective", "none")


def team_choices(teams: list[tuple[int, str]]) -> list[Choice]:
    """The teams an objective can belong to, as (label, value)."""
    return [(name, str(team_id)) for team_id, name in teams]


def parent_choices(parents: list[tuple[int, str]]) -> list[Choice]:
    """The objectives another can support, as (label, value): `O12 Title`."""
    return [(f"{objective_ref(pid)} {ptitle}", str(pid)) for pid, ptitle in parents]


@dataclass
class NewObjectiveForm:
    """What `/okr new` collected so far.

    `numbers` keeps what was typed in the numbers step, keyed by the key result's words, so
    going back to edit the words loses nothing that still applies. Once the form holds key
    results, only their numbers are carried: those typed for words since changed no longer
    apply, and keeping them would grow the metadata with every round of "Edit the words".
    """

    team_id: int | None = None
    title: str = ""
    description: str = ""
    owner: str | None = None
    key_results: list[tuple[str, str | None]] = field(default_factory=list)  # (title, owner)
    numbers: dict[str, list[Any]] = field(
        default_factory=dict
    )  # title → [kind, start, target, unit]

    def encode(self) -> str:
        """Compact JSON for `private_metadata`.

        With key results, `numbers` is written as a list beside them (each key result's
        numbers or null), which drops numbers for words no longer there and spares writing
        each title twice; without (step one's form), keyed by the words they were typed for.
        """
        data = asdict(self)
        if self.key_results:
            data["numbers"] = [self.numbers.get(title) for title, _ in self.key_results]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def decode(cls, metadata: str) -> NewObjectiveForm:
        """The form carried in `private_metadata` (an empty form when there is none)."""
        if not metadata:
            return cls()
        data = json.loads(metadata)
        data["key_results"] = [tuple(pair) for pair in data.get("key_results", [])]
        numbers = data.get("numbers") or {}
        if isinstance(numbers, list):
            numbers = {
                title: typed
                for (title, _), typed in zip(data["key_results"], numbers, strict=False)
                if typed is not None
            }
        data["numbers"] = numbers
        return cls(**data)

    def overflow(self) -> int:
        """How many characters the encoded form is over what `private_metadata` holds."""
        return max(0, len(self.encode()) - PRIVATE_METADATA_MAX)


def carry_problem(form: NewObjectiveForm) -> tuple[str, str] | None:
    """(block id, message) when step one's words are too long to carry to step two.

    Only long texts can cause it now (numbers no longer pile up), so the message says by
    how much to shorten them; it sits on the description, or the first key result when
    there is no description to shorten.
    """
    over = form.overflow()
    if not over:
        return None
    block_id = (
        ids.BLOCK_OBJECTIVE_DESCRIPTION if form.description else ids.kr_block(ids.BLOCK_KR_TITLE, 0)
    )
    return block_id, (
        f"Together these words are {over} characters more than Slack lets me carry to the "
        f"next step. Shorten the description or the key results by {over} characters "
        "(quotes and line breaks count twice)."
    )


@dataclass(frozen=True)
class DraftReview:
    """The quality coach's findings on a draft objective, to show before saving."""

    team: tuple[Finding, ...] = ()
    objective: tuple[Finding, ...] = ()
    key_results: tuple[tuple[Finding, ...], ...] = ()

    @property
    def flagged(self) -> bool:
        """True when any finding is a warning."""
        every = [*self.team, *self.objective, *(f for kr in self.key_results for f in kr)]
        return any(f.severity == Severity.warning for f in every)


def _number_text(value: float | None) -> str | None:
    return None if value is None else format_number(value)


def build_new_objective_view(
    *,
    form: NewObjectiveForm,
    teams: list[tuple[int, str]],
    caller: str,
) -> dict[str, Any]:
    """Step one: the objective and its key results, in words, with owners."""
    blocks: list[Block] = [
        context(
            "An *objective* is a qualitative direction. Its *key results* are 2–4 outcomes "
            "with a number that show you got there — not tasks. "
            "E.g. _Raise onboarding completion from 60% to 85%_."
        ),
        input_block(
            ids.BLOCK_OBJECTIVE_TITLE,
            "Objective",
            text_input(
                initial=form.title,
                placeholder="e.g. Make onboarding effortless for new teams",
                max_length=OBJECTIVE_TITLE_MAX,
            ),
        ),
        input_block(
            ids.BLOCK_OBJECTIVE_DESCRIPTION,
            "Why it matters",
            text_input(initial=form.description, multiline=True, max_length=DESCRIPTION_MAX),
            optional=True,
        ),
    ]
    if len(teams) > 1:
        blocks.append(
            input_block(
                ids.BLOCK_OBJECTIVE_TEAM,
                "Team",
                choice_select(
                    team_choices(teams), initial=str(form.team_id) if form.team_id else None
                ),
            )
        )
    else:
        blocks.append(context(f"Team: *{escape(teams[0][1])}*"))
    blocks.append(
        input_block(
            ids.BLOCK_OBJECTIVE_OWNER,
            "Objective owner",
            users_select(initial=form.owner or caller),
        )
    )
    blocks.append(divider())
    examples = (
        "e.g. Raise onboarding completion from 60% to 85%",
        "e.g. Cut time to first value from 3 days to 1 day",
        "e.g. Keep p95 latency under 200 ms",
        "e.g. Grow weekly active teams from 40 to 120",
    )
    for index in range(MAX_KEY_RESULTS):
        title, owner = form.key_results[index] if index < len(form.key_results) else ("", None)
        blocks.append(
            input_block(
                ids.kr_block(ids.BLOCK_KR_TITLE, index),
                f"Key result {index + 1}",
                text_input(initial=title, placeholder=examples[index], max_length=KR_TITLE_MAX),
                optional=index >= 2,
            )
        )
        blocks.append(
            input_block(
                ids.kr_block(ids.BLOCK_KR_OWNER, index),
                f"Owner of key result {index + 1}",
                users_select(initial=owner or form.owner or caller),
                optional=True,
            )
        )
    return modal(
        callback_id=ids.VIEW_NEW_OBJECTIVE,
        title="New objective",
        submit="Next",
        blocks=blocks,
        private_metadata=NewObjectiveForm(team_id=form.team_id, numbers=form.numbers).encode(),
    )


def _numbers_inputs(index: int, draft: KeyResultDraft, *, with_current: bool) -> list[Block]:
    blocks = [
        input_block(
            ids.kr_block(ids.BLOCK_KR_KIND, index),
            "Kind",
            static_select(KIND_OPTIONS, initial=draft.kind.value),
        ),
        input_block(
            ids.kr_block(ids.BLOCK_KR_START, index),
            "Start (baseline)",
            text_input(initial=_number_text(draft.start), placeholder="e.g. 60"),
            optional=True,
            hint="Where it stands today. Leave empty for a milestone." if index == 0 else None,
        ),
        input_block(
            ids.kr_block(ids.BLOCK_KR_TARGET, index),
            "Target",
            text_input(initial=_number_text(draft.target), placeholder="e.g. 85"),
            optional=True,
            hint="Where it should be by the end of the cycle. Not needed for a milestone."
            if index == 0
            else None,
        ),
    ]
    if with_current:
        blocks.append(
            input_block(
                ids.kr_block(ids.BLOCK_KR_CURRENT, index),
                "Current value",
                text_input(initial=_number_text(draft.current), placeholder="e.g. 72"),
                optional=True,
            )
        )
    blocks.append(
        input_block(
            ids.kr_block(ids.BLOCK_KR_UNIT, index),
            "Unit",
            text_input(initial=draft.unit, placeholder="%, ms, days, $ …", max_length=UNIT_MAX),
            optional=True,
        )
    )
    return blocks


def prefilled_key_result(
    title: str, owner: str | None, typed: list[Any] | None = None
) -> KeyResultDraft:
    """A key result draft with what was typed for it before, else numbers read from its words."""
    if typed is not None:
        kind, start, target, unit = typed
        return KeyResultDraft(
            title=title, owner=owner, kind=KRKind(kind), start=start, target=target, unit=unit
        )
    parsed = parse_key_result(title)
    # No number to aim at: at best it is done or not. Prefilling a milestone lets a flagged
    # key result still be saved as written (warn, don't block).
    kind = KRKind.milestone if parsed.target is None else parsed.kind or KRKind.increase
    return KeyResultDraft(
        title=title,
        owner=owner,
        kind=kind,
        start=parsed.start,
        target=parsed.target,
        unit=parsed.unit,
    )


def build_new_numbers_view(
    *, form: NewObjectiveForm, team_name: str, review: DraftReview | None = None
) -> dict[str, Any]:
    """Step two, and the review before saving: each key result's kind and numbers
    (prefilled from its words), with the quality coach's findings next to what they concern.
    """
    review = review or DraftReview()
    blocks: list[Block] = [
        section(f"*{escape(form.title)}*"),
        context(
            f"Team *{escape(team_name)}* · owner <@{form.owner}>"
            if form.owner
            else f"Team *{escape(team_name)}*"
        ),
        *finding_blocks([*review.team, *review.objective]),
    ]
    for index, (title, owner) in enumerate(form.key_results):
        draft = prefilled_key_result(title, owner, form.numbers.get(title))
        blocks.append(divider())
        owner_text = f" · <@{owner}>" if owner else ""
        blocks.append(section(f"*Key result {index + 1}:* {escape(title)}{owner_text}"))
        if index < len(review.key_results):
            blocks.extend(finding_blocks(review.key_results[index]))
        blocks.extend(_numbers_inputs(index, draft, with_current=False))
    if review.flagged:
        blocks.append(
            context(
                "The coach's flags are advice: *Save anyway* keeps your words, "
                "or edit them to measure an outcome."
            )
        )
    blocks.append(actions(button("← Edit the words", ids.ACTION_BACK_TO_TEXTS), block_id="back"))
    return modal(
        callback_id=ids.VIEW_NEW_NUMBERS,
        title="Review and numbers" if review.flagged else "Set the numbers",
        submit="Save anyway" if review.flagged else "Save",
        close="Cancel",
        blocks=blocks,
        private_metadata=form.encode(),
    )


def build_saved_view(*, draft: ObjectiveDraft, objective_id: int, team_name: str) -> dict[str, Any]:
    """The confirmation shown after saving: what was saved, and what to do next."""
    lines = []
    for kr in draft.key_results:
        owner = f" · <@{kr.owner}>" if kr.owner else ""
        lines.append(f"• {escape(kr.title)}{owner}")
    blocks: list[Block] = [
        section(
            f":white_check_mark: Saved *{objective_ref(objective_id)} · {escape(draft.title)}* "
            f"for *{escape(team_name)}*."
        ),
        section("\n".join(lines)),
        context(
            f"See it with `/okr list`; change it with `/okr edit {objective_ref(objective_id)}`."
        ),
    ]
    return modal(
        callback_id=ids.VIEW_NEW_NUMBERS, title="Objective saved", close="Done", blocks=blocks
    )


def build_edit_objective_view(
    *,
    objective_id: int,
    title: str,
    description: str,
    owner: str | None,
    parent_id: int | None,
    parents: list[tuple[int, str]],
) -> dict[str, Any]:
    """Edit an objective's words, owner and alignment."""
    blocks: list[Block] = [
        input_block(
            ids.BLOCK_OBJECTIVE_TITLE,
            "Objective",
            text_input(initial=title, max_length=OBJECTIVE_TITLE_MAX),
        ),
        input_block(
            ids.BLOCK_OBJECTIVE_DESCRIPTION,
            "Why it matters",
            text_input(initial=description, multiline=True, max_length=DESCRIPTION_MAX),
            optional=True,
        ),
        input_block(ids.BLOCK_OBJECTIVE_OWNER, "Owner", users_select(initial=owner)),
    ]
    if parents:
        options = [NO_PARENT_CHOICE, *parent_choices(parents)]
        blocks.append(
            input_block(
                ids.BLOCK_OBJECTIVE_PARENT,
                "Supports (parent objective)",
                choice_select(options, initial=str(parent_id) if parent_id else "none"),
                optional=True,
                hint="Align this objective with a broader one.",
            )
        )
    return modal(
        callback_id=ids.VIEW_EDIT_OBJECTIVE,
        title=f"Edit {objective_ref(objective_id)}"[:24],
        submit="Save",
        blocks=blocks,
        private_metadata=json.dumps({"objective": objective_id}),
    )


def build_edit_key_result_view(*, key_result_id: int, draft: KeyResultDraft) -> dict[str, Any]:
    """Edit a key result's words, owner, kind and numbers."""
    blocks: list[Block] = [
        input_block(
            ids.kr_block(ids.BLOCK_KR_TITLE, 0),
            "Key result",
            text_input(initial=draft.title, max_length=KR_TITLE_MAX),
        ),
        input_block(
            ids.kr_block(ids.BLOCK_KR_OWNER, 0),
            "Owner",
            users_select(initial=draft.owner),
            optional=True,
        ),
        *_numbers_inputs(0, draft, with_current=True),
    ]
    return modal(
        callback_id=ids.VIEW_EDIT_KEY_RESULT,
        title=f"Edit {key_result_ref(key_result_id)}"[:24],
        submit="Save",
        blocks=blocks,
        private_metadata=json.dumps({"key_result": key_result_id}),
    )
