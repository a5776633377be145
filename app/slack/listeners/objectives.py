"""`/okr new`: the words (step one), the numbers prefilled from them (step two), and back.

Nothing is written unless every field is valid; an error keeps the modal open with
everything the person typed.
"""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from app.domain.okrs import (
    DESCRIPTION_MAX,
    MAX_KEY_RESULTS,
    MIN_KEY_RESULTS,
    OBJECTIVE_TITLE_MAX,
    KeyResultDraft,
    ObjectiveDraft,
    key_result_errors,
    objective_errors,
    title_errors,
)
from app.domain.parse import parse_number
from app.domain.types import KRKind
from app.slack import ids
from app.slack.blocks import actions, button, message, section
from app.slack.forms import numbers_typed, state_value
from app.slack.listeners.support import (
    SlashRequest,
    acked,
    caller_of,
    field_errors,
    guarded,
    submission_key,
)
from app.slack.views.objective_modal import (
    DraftReview,
    NewObjectiveForm,
    build_new_numbers_view,
    build_new_objective_view,
    build_saved_view,
    carry_problem,
)
from app.usecases import okrs, teams
from app.usecases.errors import TeamGone
from app.usecases.services import Caller, Services

NUMBER_HINT = "Enter a number, like 85, 1.5k or 40%."

_FIELD_BLOCKS = {
    "title": ids.BLOCK_KR_TITLE,
    "kind": ids.BLOCK_KR_KIND,
    "start": ids.BLOCK_KR_START,
    "target": ids.BLOCK_KR_TARGET,
    "current": ids.BLOCK_KR_CURRENT,
    "unit": ids.BLOCK_KR_UNIT,
}


# --- reading fields (shared with the edit forms) ------------------------------------------


def read_number(values: dict[str, Any], block_id: str, errors: dict[str, str]) -> float | None:
    """A number field; its problem goes into `errors`."""
    text = state_value(values, block_id)
    if text is None:
        return None
    number = parse_number(text)
    if number is None:
        errors[block_id] = NUMBER_HINT
    return number


def _read_kind(values: dict[str, Any], block_id: str, errors: dict[str, str]) -> KRKind:
    raw = state_value(values, block_id)
    try:
        return KRKind(raw or KRKind.increase.value)
    except ValueError:
        errors[block_id] = "Choose a kind from the list."
        return KRKind.increase


def read_numbers(values: dict[str, Any], index: int, errors: dict[str, str]) -> dict[str, Any]:
    """The kind, start, target and unit of key result `index`."""
    return {
        "kind": _read_kind(values, ids.kr_block(ids.BLOCK_KR_KIND, index), errors),
        "start": read_number(values, ids.kr_block(ids.BLOCK_KR_START, index), errors),
        "target": read_number(values, ids.kr_block(ids.BLOCK_KR_TARGET, index), errors),
        "unit": state_value(values, ids.kr_block(ids.BLOCK_KR_UNIT, index)) or "",
    }


def kr_field_block(field: str, index: int, present: set[str]) -> str:
    """The block to show a key result field's error on (falling back to one that exists)."""
    block_id = ids.kr_block(_FIELD_BLOCKS.get(field, ids.BLOCK_KR_KIND), index)
    return block_id if block_id in present else ids.kr_block(ids.BLOCK_KR_KIND, index)


def read_objective_words(values: dict[str, Any], errors: dict[str, str]) -> tuple[str, str]:
    """The objective's title and description, with their problems added to `errors`."""
    title = state_value(values, ids.BLOCK_OBJECTIVE_TITLE) or ""
    if problem := title_errors(title, limit=OBJECTIVE_TITLE_MAX, what="objective"):
        errors[ids.BLOCK_OBJECTIVE_TITLE] = problem
    description = state_value(values, ids.BLOCK_OBJECTIVE_DESCRIPTION) or ""
    if len(description) > DESCRIPTION_MAX:
        errors[ids.BLOCK_OBJECTIVE_DESCRIPTION] = (
            f"Keep it to {DESCRIPTION_MAX} characters (this is {len(description)})."
        )
    return title, description


# --- opening -------------------------------------------------------------------------------


def new_objective_view(services: Services, caller: Caller) -> tuple[dict[str, Any], bool]:
    """Step one of `/okr new` (True), or a message saying to create a team first (False)."""
    choices = teams.team_choices(services, caller)
    if not choices.teams:
        text = "There are no teams yet. Create one first; objectives belong to a team."
        return message(
            text,
            [
                section(text),
                actions(button("Create a team", ids.ACTION_OPEN_TEAM, style="primary")),
            ],
        ), False
    view = build_new_objective_view(
        form=NewObjectiveForm(team_id=choices.mine or choices.teams[0][0]),
        teams=choices.teams,
        caller=caller.slack_user_id,
    )
    return view, True


def new_command(request: SlashRequest) -> None:
    """`/okr new`."""
    request.no_args("new")
    view, is_modal = new_objective_view(request.services, request.caller())
    if not is_modal:
        request.answer(view)
        return
    request.ack()
    request.open_modal(view)


# --- step one: the words -------------------------------------------------------------------


@guarded("read a new objective's words")
def handle_new_objective_texts(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: BoltContext
) -> None:
    """Validate the words, then move on to the numbers (prefilled from the words)."""
    values = view["state"]["values"]
    errors: dict[str, str] = {}
    title, description = read_objective_words(values, errors)
    owner = state_value(values, ids.BLOCK_OBJECTIVE_OWNER)
    key_results: list[tuple[str, str | None]] = []
    for index in range(MAX_KEY_RESULTS):
        block_id = ids.kr_block(ids.BLOCK_KR_TITLE, index)
        text = state_value(values, block_id)
        if not text:
            continue
        kr_owner = state_value(values, ids.kr_block(ids.BLOCK_KR_OWNER, index)) or owner
        problem = key_result_errors(KeyResultDraft(title=text, target=0)).get("title")
        if problem:
            errors[block_id] = problem
        key_results.append((text, kr_owner))
    if len(key_results) < MIN_KEY_RESULTS:
        missing = ids.kr_block(ids.BLOCK_KR_TITLE, len(key_results))
        errors.setdefault(missing, f"Add at least {MIN_KEY_RESULTS} key results.")
    form = NewObjectiveForm.decode(view.get("private_metadata", ""))
    team_choice = state_value(values, ids.BLOCK_OBJECTIVE_TEAM)
    if team_choice:
        form.team_id = int(team_choice)
    caller = caller_of(services, context)
    team_name = teams.team_name(services, caller, form.team_id) if form.team_id else None
    if team_name is None:
        errors[ids.BLOCK_OBJECTIVE_TITLE] = "That team no longer exists; run `/okr team` first."
    form.title, form.description, form.owner, form.key_results = (
        title.strip(),
        description.strip(),
        owner,
        key_results,
    )
    if not errors and (too_long := carry_problem(form)):
        errors[too_long[0]] = too_long[1]
    if errors:
        field_errors(ack, errors)
        return
    review = okrs.review_new_objective(
        services,
        caller,
        team_id=form.team_id or 0,
        title=form.title,
        owner=form.owner,
        key_results=form.key_results,
        now=services.now(),
    )
    ack(
        response_action="update",
        view=build_new_numbers_view(
            form=form,
            team_name=team_name or "",
            review=DraftReview(
                team=review.team, objective=review.objective, key_results=review.key_results
            ),
        ),
    )


# --- step two: the numbers -----------------------------------------------------------------


@guarded("save a new objective")
def handle_new_objective_numbers(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: BoltContext
) -> None:
    """Validate the numbers and save the objective with its key results."""
    values = view["state"]["values"]
    form = NewObjectiveForm.decode(view.get("private_metadata", ""))
    errors: dict[str, str] = {}
    drafts = [
        KeyResultDraft(title=title, owner=owner, **read_numbers(values, index, errors))
        for index, (title, owner) in enumerate(form.key_results)
    ]
    draft = ObjectiveDraft(
        title=form.title, owner=form.owner, description=form.description, key_results=drafts
    )
    present = set(values)
    for key, problem in objective_errors(draft).items():
        parts = key.split(".")
        if len(parts) == 3:
            errors.setdefault(kr_field_block(parts[2], int(parts[1]), present), problem)
        else:
            errors.setdefault(ids.kr_block(ids.BLOCK_KR_KIND, 0), problem)
    if errors:
        field_errors(ack, errors)
        return
    caller = caller_of(services, context, create=True)
    try:
        created = okrs.create(
            services,
            caller,
            team_id=form.team_id or 0,
            draft=draft,
            now=services.now(),
            once=submission_key(view),
        )
    except TeamGone:
        field_errors(ack, {ids.kr_block(ids.BLOCK_KR_KIND, 0): "That team no longer exists."})
        return
    ack(
        response_action="update",
        view=build_saved_view(
            draft=draft, objective_id=created.objective_id, team_name=created.team_name
        ),
    )


@acked("go back to a new objective's words")
def handle_back_to_texts(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """From the numbers step back to the words, with everything kept."""
    view = body["view"]
    form = NewObjectiveForm.decode(view.get("private_metadata", ""))
    # Keep what was typed in the numbers step, so coming back finds it again.
    values = view.get("state", {}).get("values", {})
    for index, (title, _) in enumerate(form.key_results):
        typed = numbers_typed(values, index)
        if typed is not None:
            form.numbers[title] = typed
    caller = caller_of(services, context)
    client.views_update(
        view_id=view["id"],
        hash=view.get("hash"),
        view=build_new_objective_view(
            form=form,
            teams=teams.team_choices(services, caller).teams,
            caller=caller.slack_user_id,
        ),
    )


def register(app: App) -> None:
    """Attach `/okr new`'s view submissions and buttons."""
    app.view(ids.VIEW_NEW_OBJECTIVE)(handle_new_objective_texts)
    app.view(ids.VIEW_NEW_NUMBERS)(handle_new_objective_numbers)
    app.action(ids.ACTION_BACK_TO_TEXTS)(handle_back_to_texts)
