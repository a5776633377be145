"""Changing what exists: `/okr edit`, `/okr archive`, the list's "Edit or archive…" menu,
Undo, the edit forms, and the coach's review of new words before they are saved."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from app.domain.coach import Finding
from app.domain.okrs import KeyResultDraft, key_result_errors
from app.domain.refs import Ref, parse_ref
from app.domain.types import KRKind
from app.slack import ids
from app.slack.blocks import actions, button, escape, message, section
from app.slack.forms import state_value
from app.slack.listeners.objectives import (
    kr_field_block,
    read_number,
    read_numbers,
    read_objective_words,
)
from app.slack.listeners.support import (
    USAGES,
    SlashRequest,
    UsageError,
    acked,
    caller_of,
    field_errors,
    guarded,
    refusal_text,
    reply,
    view_metadata,
)
from app.slack.views.coach import build_not_saved_view, build_review_view
from app.slack.views.help import build_notice
from app.slack.views.objective_modal import build_edit_key_result_view, build_edit_objective_view
from app.usecases import okrs
from app.usecases.errors import AlreadyInState, NotFound, Problem, Refused
from app.usecases.services import Caller, Services

# --- opening the edit form, archiving ------------------------------------------------------


def _edit_view(form: okrs.ObjectiveEditForm | okrs.KeyResultEditForm) -> dict[str, Any]:
    if isinstance(form, okrs.KeyResultEditForm):
        return build_edit_key_result_view(key_result_id=form.key_result_id, draft=form.draft)
    return build_edit_objective_view(
        objective_id=form.objective_id,
        title=form.title,
        description=form.description,
        owner=form.owner,
        parent_id=form.parent_id,
        parents=form.parents,
    )


def edit_view(services: Services, caller: Caller, ref: Ref) -> dict[str, Any] | str:
    """The edit modal for `ref`, or a message for the caller saying why there is none."""
    try:
        return _edit_view(okrs.edit_form(services, caller, ref))
    except Refused as refused:
        return refusal_text(refused)


def archive(
    *, services: Services, caller: Caller, ref: Ref, restore: bool = False
) -> dict[str, Any]:
    """Archive (or restore) `ref`; returns the ephemeral message to show."""
    try:
        title = okrs.archive(services, caller, ref, restore=restore)
    except AlreadyInState as already:
        return build_notice(f"{ref.label} _{already.title}_ is already {already.state}.")
    except Refused as refused:
        return build_notice(refusal_text(refused))
    if restore:
        return build_notice(f":leftwards_arrow_with_hook: Restored {ref.label} _{title}_.")
    text = f":file_cabinet: Archived {ref.label} _{title}_. It no longer shows in lists."
    return message(
        text,
        [
            section(text),
            actions(button("Undo", ids.ACTION_UNDO_ARCHIVE, value=ref.label), block_id="undo"),
        ],
    )


def edit_or_archive_command(request: SlashRequest) -> None:
    """`/okr edit O12` and `/okr archive KR34`."""
    subcommand = request.command["text"].split()[0].lower()
    args = request.args
    if len(args) != 1 or (ref := parse_ref(args[0])) is None:
        given = f" (got `{escape(' '.join(args))}`)" if args else ""
        raise UsageError(
            f"Name one objective or key result by its id, like `O12` or `KR34`{given}. "
            "`/okr list` shows the ids.",
            USAGES[subcommand],
        )
    caller = request.caller()
    if subcommand == "archive":
        request.answer(archive(services=request.services, caller=caller, ref=ref))
        return
    view = edit_view(request.services, caller, ref)
    if isinstance(view, str):
        request.notice(view)
        return
    request.ack()
    request.open_modal(view)


@acked("handle the list menu")
def handle_list_menu(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """Edit or archive what was picked in a list's "Edit or archive…" menu."""
    verb, _, target = action["selected_option"]["value"].partition(":")
    ref = parse_ref(target if target.startswith("kr") else f"o{target}")
    if ref is None:
        reply(respond, build_notice("That menu no longer knows what to change."))
        return
    caller = caller_of(services, context, create=True)
    if verb == ids.MENU_EDIT:
        view = edit_view(services, caller, ref)
        if isinstance(view, str):
            reply(respond, build_notice(view))
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)
    elif verb == ids.MENU_ARCHIVE:
        reply(respond, archive(services=services, caller=caller, ref=ref))


@acked("undo an archive")
def handle_undo_archive(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """Restore what was just archived."""
    ref = parse_ref(action.get("value", ""))
    if ref is None:
        reply(respond, build_notice("That button no longer knows what to restore."))
        return
    caller = caller_of(services, context, create=True)
    restored = archive(services=services, caller=caller, ref=ref, restore=True)
    respond(**restored, response_type="ephemeral", replace_original=True)


# --- saving an edit ------------------------------------------------------------------------


def _item_id(metadata: dict[str, Any], key: str) -> int:
    value = metadata.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _reviewed(metadata: dict[str, Any]) -> tuple[Ref, dict[str, Any]] | None:
    """What a review carries: the item and the words typed over it, each field of the
    type a person could have typed; None when the metadata is not a review's."""
    kind, item_id, typed = metadata.get("kind"), _item_id(metadata, "id"), metadata.get("typed")
    if kind not in ("objective", "key_result") or not item_id or not isinstance(typed, dict):
        return None
    owner = typed.get("owner")
    clean: dict[str, Any] = {"title": _text(typed.get("title")), "owner": _text(owner) or None}
    if kind == "objective":
        parent = typed.get("parent_id")
        clean["description"] = _text(typed.get("description"))
        clean["parent_id"] = parent if isinstance(parent, int) and parent > 0 else None
        return Ref("objective", item_id), clean
    kinds = {k.value for k in KRKind}
    clean["kind"] = typed.get("kind") if typed.get("kind") in kinds else KRKind.increase.value
    for name in ("start", "target", "current"):
        clean[name] = _number(typed.get(name))
    clean["unit"] = _text(typed.get("unit"))
    return Ref("key_result", item_id), clean


STALE_REVIEW = "This review no longer holds what you typed. Nothing was saved: edit it again."


def _save_problem(refused: Refused, what: str) -> str:
    """The sentence for an edit that could not be saved."""
    if isinstance(refused, NotFound):
        return f"This {what} no longer exists."
    if isinstance(refused, Problem):
        return refused.message
    return refusal_text(refused)


def _save_objective(
    services: Services, caller: Caller, objective_id: int, typed: dict[str, Any]
) -> Refused | None:
    try:
        okrs.save_objective(
            services,
            caller,
            objective_id,
            okrs.ObjectiveEdit(
                title=typed["title"],
                description=typed["description"],
                owner=typed.get("owner"),
                parent_id=typed.get("parent_id"),
            ),
        )
    except Refused as refused:
        return refused
    return None


def _save_key_result(
    services: Services, caller: Caller, key_result_id: int, draft: KeyResultDraft
) -> Refused | None:
    try:
        okrs.save_key_result(services, caller, key_result_id, draft)
    except Refused as refused:
        return refused
    return None


def _review(ack: Ack, subject: str, findings: list[Finding], metadata: dict[str, Any]) -> None:
    view = build_review_view(
        subject=subject, findings=findings, metadata=json.dumps(metadata, ensure_ascii=False)
    )
    ack(response_action="update", view=view)


@guarded("save an objective")
def handle_edit_objective(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: BoltContext
) -> None:
    """Save an edited objective (after a review when its new words were flagged)."""
    values = view["state"]["values"]
    errors: dict[str, str] = {}
    title, description = read_objective_words(values, errors)
    parent_raw = state_value(values, ids.BLOCK_OBJECTIVE_PARENT)
    typed = {
        "title": title,
        "description": description,
        "owner": state_value(values, ids.BLOCK_OBJECTIVE_OWNER),
        "parent_id": int(parent_raw) if parent_raw and parent_raw.isdigit() else None,
    }
    if errors:
        field_errors(ack, errors)
        return
    caller = caller_of(services, context, create=True)
    ref = Ref("objective", _item_id(view_metadata(view), "objective"))
    if findings := okrs.words_to_review(services, caller, ref, title):
        _review(ack, title, findings, {"kind": ref.kind, "id": ref.id, "typed": typed})
        return
    refused = _save_objective(services, caller, ref.id, typed)
    if refused:
        block = (
            ids.BLOCK_OBJECTIVE_PARENT
            if isinstance(refused, Problem)
            else ids.BLOCK_OBJECTIVE_TITLE
        )
        field_errors(ack, {block: _save_problem(refused, "objective")})
        return
    ack()


def _key_result_typed(draft: KeyResultDraft) -> dict[str, Any]:
    return {
        "title": draft.title,
        "owner": draft.owner,
        "kind": draft.kind.value,
        "start": draft.start,
        "target": draft.target,
        "current": draft.current,
        "unit": draft.unit,
    }


@guarded("save a key result")
def handle_edit_key_result(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: BoltContext
) -> None:
    """Save an edited key result (after a review when its new words were flagged)."""
    values = view["state"]["values"]
    errors: dict[str, str] = {}
    numbers = read_numbers(values, 0, errors)
    current = read_number(values, ids.kr_block(ids.BLOCK_KR_CURRENT, 0), errors)
    draft = KeyResultDraft(
        title=state_value(values, ids.kr_block(ids.BLOCK_KR_TITLE, 0)) or "",
        owner=state_value(values, ids.kr_block(ids.BLOCK_KR_OWNER, 0)),
        current=current,
        **numbers,
    )
    present = set(values)
    for field, problem in key_result_errors(draft).items():
        errors.setdefault(kr_field_block(field, 0, present), problem)
    if errors:
        field_errors(ack, errors)
        return
    caller = caller_of(services, context, create=True)
    ref = Ref("key_result", _item_id(view_metadata(view), "key_result"))
    if findings := okrs.words_to_review(services, caller, ref, draft.title):
        metadata = {"kind": ref.kind, "id": ref.id, "typed": _key_result_typed(draft)}
        _review(ack, draft.title, findings, metadata)
        return
    refused = _save_key_result(services, caller, ref.id, draft)
    if refused:
        problem = _save_problem(refused, "key result")
        field_errors(ack, {ids.kr_block(ids.BLOCK_KR_TITLE, 0): problem})
        return
    ack()


@guarded("save a reviewed edit")
def handle_edit_review(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: BoltContext
) -> None:
    """ "Save anyway" on the review of a flagged edit: warn, never block."""
    reviewed = _reviewed(view_metadata(view))
    if reviewed is None:
        logger.warning("A review's metadata was not a review's; nothing saved")
        ack(response_action="update", view=build_not_saved_view(STALE_REVIEW))
        return
    ref, typed = reviewed
    caller = caller_of(services, context, create=True)
    if ref.kind == "key_result":
        draft = KeyResultDraft(**{**typed, "kind": KRKind(typed["kind"])})
        refused = _save_key_result(services, caller, ref.id, draft)
        what = "key result"
    else:
        refused = _save_objective(services, caller, ref.id, typed)
        what = "objective"
    if refused:
        ack(response_action="update", view=build_not_saved_view(_save_problem(refused, what)))
        return
    ack()


@acked("go back to an edit")
def handle_review_edit(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """From the review of a flagged edit back to the edit form, with what was typed."""
    view = body.get("view") or {}
    reviewed = _reviewed(view_metadata(view))
    if reviewed is None or not view.get("id"):
        logger.warning("A review's metadata was not a review's; the form stays as it is")
        return
    ref, typed = reviewed
    try:
        form = okrs.edit_form(services, caller_of(services, context), ref, typed=typed)
    except Refused:
        return
    client.views_update(view_id=view["id"], hash=view.get("hash"), view=_edit_view(form))


def register(app: App) -> None:
    """Attach the edit and archive forms, menus and buttons."""
    app.action(ids.ACTION_LIST_MENU)(handle_list_menu)
    app.action(ids.ACTION_UNDO_ARCHIVE)(handle_undo_archive)
    app.action(ids.ACTION_REVIEW_EDIT)(handle_review_edit)
    app.view(ids.VIEW_EDIT_OBJECTIVE)(handle_edit_objective)
    app.view(ids.VIEW_EDIT_KEY_RESULT)(handle_edit_key_result)
    app.view(ids.VIEW_EDIT_REVIEW)(handle_edit_review)
