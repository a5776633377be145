"""Buttons and menus: the ⋯ menus in `/okr list`, Undo, Back, and the Home tab's buttons."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from app.services import Services
from app.slack import ids
from app.slack.listeners.common import (
    GENERIC_FAILURE,
    Ref,
    archive,
    caller_of,
    open_edit,
    open_new_objective,
    open_team,
    parse_ref,
    teams_for_new_objective,
)
from app.slack.views.help import build_notice
from app.slack.views.objective_modal import NewObjectiveForm, build_new_objective_view


def _reply(respond: Respond, payload: dict[str, Any]) -> None:
    respond(**payload, response_type="ephemeral", replace_original=False)


def _menu(kind: str):  # type: ignore[no-untyped-def]
    def handle_menu(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: Any,
        respond: Respond,
        services: Services,
        logger: Logger,
    ) -> None:
        """Edit or archive the objective or key result whose ⋯ menu was used."""
        ack()
        try:
            verb, _, raw_id = action["selected_option"]["value"].partition(":")
            ref = Ref(kind, int(raw_id))
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
        except Exception:
            logger.exception("Failed to handle the %s menu", kind)
            _reply(respond, build_notice(GENERIC_FAILURE))

    return handle_menu


def handle_undo_archive(
    ack: Ack,
    action: dict[str, Any],
    context: Any,
    respond: Respond,
    services: Services,
    logger: Logger,
) -> None:
    """Restore what was just archived."""
    ack()
    try:
        ref = parse_ref(action.get("value", ""))
        if ref is None:
            _reply(respond, build_notice("That button no longer knows what to restore."))
            return
        caller = caller_of(services, context, create=True)
        restored = archive(services=services, caller=caller, ref=ref, restore=True)
        respond(**restored, response_type="ephemeral", replace_original=True)
    except Exception:
        logger.exception("Failed to undo an archive")
        _reply(respond, build_notice(GENERIC_FAILURE))


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
    app.action(ids.ACTION_OBJECTIVE_MENU)(_menu("objective"))
    app.action(ids.ACTION_KEY_RESULT_MENU)(_menu("key_result"))
    app.action(ids.ACTION_UNDO_ARCHIVE)(handle_undo_archive)
    app.action(ids.ACTION_BACK_TO_TEXTS)(handle_back_to_texts)
    app.action(ids.ACTION_OPEN_NEW)(handle_open_new)
    app.action(ids.ACTION_OPEN_TEAM)(handle_open_team)
