"""Buttons and menus: the ⋯ menus in `/okr list`, Undo, Back, and the Home tab's buttons."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from app.services import Services
from app.slack import ids
from app.slack.forms import numbers_typed
from app.slack.listeners.checkin_ops import (
    open_checkin,
    record_quick_answer,
    refresh_prompts,
    summary_of,
)
from app.slack.listeners.common import (
    GENERIC_FAILURE,
    Ref,
    archive,
    build_edit_view,
    caller_of,
    denied_message,
    load_item,
    may_change,
    open_edit,
    open_new_objective,
    open_team,
    parse_ref,
    teams_for_new_objective,
)
from app.slack.views.closing import closing_message_for, parse_carry_value
from app.slack.views.help import build_notice
from app.slack.views.objective_modal import NewObjectiveForm, build_new_objective_view
from app.store.closing import carry_over, closing_report, key_result_scope


def _reply(respond: Respond, payload: dict[str, Any]) -> None:
    respond(**payload, response_type="ephemeral", replace_original=False)


def acked(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Ack at once, then run the handler; an unexpected failure is logged and the person
    gets a private "that didn't work" instead of silence.

    The handler still declares `ack`, `respond` and `logger`: Bolt injects arguments by
    the handler's own signature.
    """

    def decorate(handler: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(handler)
        def wrapper(**kwargs: Any) -> None:
            kwargs["ack"]()
            try:
                handler(**kwargs)
            except Exception:
                kwargs["logger"].exception("Failed to %s", what)
                _reply(kwargs["respond"], build_notice(GENERIC_FAILURE))

        return wrapper

    return decorate


@acked("handle the list menu")
def handle_list_menu(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: Any,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """Edit or archive what was picked in a list's "Edit or archive…" menu."""
    verb, _, target = action["selected_option"]["value"].partition(":")
    ref = parse_ref(target if target.startswith("kr") else f"o{target}")
    if ref is None:
        _reply(respond, build_notice("That menu no longer knows what to change."))
        return
    caller = caller_of(services, context, create=True)
    if verb == ids.MENU_EDIT:
        problem = open_edit(
            services=services,
            caller=caller,
            ref=ref,
            client=client,
            trigger_id=body["trigger_id"],
        )
        if problem:
            _reply(respond, build_notice(problem))
    elif verb == ids.MENU_ARCHIVE:
        _reply(respond, archive(services=services, caller=caller, ref=ref))


@acked("undo an archive")
def handle_undo_archive(
    ack: Ack,
    action: dict[str, Any],
    context: Any,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """Restore what was just archived."""
    ref = parse_ref(action.get("value", ""))
    if ref is None:
        _reply(respond, build_notice("That button no longer knows what to restore."))
        return
    caller = caller_of(services, context, create=True)
    restored = archive(services=services, caller=caller, ref=ref, restore=True)
    respond(**restored, response_type="ephemeral", replace_original=True)


def handle_back_to_texts(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: Any,
    services: Services,
    logger: Logger,
) -> None:
    """From the numbers step back to the words, with everything kept."""
    ack()
    view = body["view"]
    form = NewObjectiveForm.decode(view.get("private_metadata", ""))
    # Keep what was typed in the numbers step, so coming back finds it again.
    values = view.get("state", {}).get("values", {})
    for index, (title, _) in enumerate(form.key_results):
        typed = numbers_typed(values, index)
        if typed is not None:
            form.numbers[title] = typed
    caller = caller_of(services, context)
    with services.db.read() as session:
        teams, _ = teams_for_new_objective(session, caller)
    client.views_update(
        view_id=view["id"],
        hash=view.get("hash"),
        view=build_new_objective_view(
            form=form,
            teams=[(t.id or 0, t.name) for t in teams],
            caller=caller.slack_user_id,
        ),
    )


def handle_review_edit(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: Any,
    services: Services,
) -> None:
    """From the review of a flagged edit back to the edit form, with what was typed."""
    ack()
    view = body["view"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    ref = Ref(metadata["kind"], int(metadata["id"]))
    caller = caller_of(services, context)
    with services.db.read() as session:
        found = load_item(session, caller, ref)
        if found is None:
            return
        edit_view = build_edit_view(session, caller, ref, *found, typed=metadata["typed"])
    client.views_update(view_id=view["id"], hash=view.get("hash"), view=edit_view)


def _button_scope(action: dict[str, Any]) -> tuple[int, str]:
    data = json.loads(action.get("value") or "{}")
    return int(data["team"]), str(data["period"])


def _message_of(body: dict[str, Any]) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    return container.get("channel_id"), container.get("message_ts")


def _from_home(body: dict[str, Any]) -> bool:
    """True when the clicked button is on the person's Home tab."""
    return (body.get("view") or {}).get("type") == "home"


@acked("open the check-in")
def handle_checkin_update(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: Any,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """The prompt's "Update" button: the check-in modal, prefilled."""
    team_id, period = _button_scope(action)
    channel, message_ts = _message_of(body)
    problem = open_checkin(
        services=services,
        caller=caller_of(services, context, create=True),
        client=client,
        trigger_id=body["trigger_id"],
        team_id=team_id,
        period=period,
        channel=channel,
        message_ts=message_ts,
        from_home=_from_home(body),
    )
    if problem:
        _reply(respond, build_notice(problem))


def _quick_answer(skip: bool):  # type: ignore[no-untyped-def]
    @acked("record a one-click check-in")
    def handle_quick_answer(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: Any,
        respond: Respond,
        services: Services,
        logger: Logger,
    ) -> None:
        """One click: "No change this week" or "Skip, I'm away"."""
        team_id, period = _button_scope(action)
        result = record_quick_answer(
            services=services,
            caller=caller_of(services, context, create=True),
            team_id=team_id,
            period=period,
            skip=skip,
        )
        if isinstance(result, str):
            _reply(respond, build_notice(result))
            return
        scope, entries = result
        refresh_prompts(
            services=services,
            client=client,
            scope=scope,
            summary=summary_of(entries),
            also=_message_of(body),
            caller=caller_of(services, context) if _from_home(body) else None,
        )

    return handle_quick_answer


@acked("carry a key result over")
def handle_carry_over(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: Any,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """Carry one unfinished key result of a closed cycle into the next one."""
    kr_id = parse_carry_value(action.get("value"))
    caller = caller_of(services, context, create=True)
    if kr_id is None:
        _reply(respond, build_notice("That button no longer knows what to carry."))
        return
    with services.db.write() as session:
        scope = key_result_scope(session, workspace_id=caller.workspace_id, key_result_id=kr_id)
        found = load_item(session, caller, Ref("key_result", kr_id))
        if scope is None or found is None:
            _reply(respond, build_notice(f"There is no KR{kr_id} to carry."))
            return
        team, cycle = scope
        if not may_change(session, caller, *found):
            _reply(
                respond,
                build_notice(
                    denied_message(
                        session,
                        caller.workspace_id,
                        Ref("key_result", kr_id),
                        found[0].owner_id,
                    )
                ),
            )
            return
        carry_over(
            session,
            workspace_id=caller.workspace_id,
            team=team,
            from_cycle=cycle,
            key_result_ids=[kr_id],
            now=services.now(),
        )
        report = closing_report(session, workspace_id=caller.workspace_id, team=team, cycle=cycle)
    page = closing_message_for(report, kr_id) if report else None
    channel, ts = _message_of(body)
    if page and channel and ts:
        client.chat_update(channel=channel, ts=ts, **page)


def handle_open_new(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: Any,
    services: Services,
) -> None:
    """The Home tab's "New objective" button."""
    ack()
    caller = caller_of(services, context, create=True)
    reply = open_new_objective(
        services=services, caller=caller, client=client, trigger_id=body["trigger_id"]
    )
    if reply:
        open_team(services=services, caller=caller, client=client, trigger_id=body["trigger_id"])


def handle_open_team(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: Any,
    services: Services,
) -> None:
    """The "Team settings" / "Create a team" buttons."""
    ack()
    caller = caller_of(services, context, create=True)
    open_team(services=services, caller=caller, client=client, trigger_id=body["trigger_id"])


def register(app: App) -> None:
    """Attach the action listeners."""
    app.action(ids.ACTION_LIST_MENU)(handle_list_menu)
    app.action(ids.ACTION_UNDO_ARCHIVE)(handle_undo_archive)
    app.action(ids.ACTION_BACK_TO_TEXTS)(handle_back_to_texts)
    app.action(ids.ACTION_REVIEW_EDIT)(handle_review_edit)
    app.action(ids.ACTION_CHECKIN_UPDATE)(handle_checkin_update)
    app.action(ids.ACTION_CHECKIN_NO_CHANGE)(_quick_answer(skip=False))
    app.action(ids.ACTION_CHECKIN_SKIP)(_quick_answer(skip=True))
    app.action(ids.ACTION_CARRY_OVER)(handle_carry_over)
    app.action(ids.ACTION_OPEN_NEW)(handle_open_new)
    app.action(ids.ACTION_OPEN_TEAM)(handle_open_team)
