"""The options of searched selects (`block_suggestion`): teams and parent objectives.

A select whose choices outgrow Slack's 100 options is an external select (see
`app.slack.views.choices`); as the person types, Slack asks this listener for the options
matching the typed text. Every input element shares one action id, so the block id says
which select is asking.
"""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_bolt import Ack, App, BoltContext

from app.domain.refs import Ref
from app.slack import ids
from app.slack.listeners.support import caller_of
from app.slack.views.choices import matching_options
from app.slack.views.objective_modal import NO_PARENT_CHOICE, parent_choices, team_choices
from app.slack.views.team_modal import NEW_TEAM_CHOICE, team_pick_choices
from app.usecases import okrs, teams
from app.usecases.errors import Refused
from app.usecases.services import Services


def _objective_of(view: dict[str, Any]) -> int | None:
    """The objective an edit form is about, from its metadata (None when unreadable)."""
    try:
        found = json.loads(view.get("private_metadata") or "{}").get("objective")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def _parent_options(
    services: Services, context: BoltContext, view: dict[str, Any], query: str
) -> list[dict[str, Any]]:
    objective_id = _objective_of(view)
    if objective_id is None:
        return []
    try:
        form = okrs.edit_form(
            services, caller_of(services, context), Ref("objective", objective_id)
        )
    except Refused:
        return []  # gone, or no longer the caller's to change: nothing to offer
    if not isinstance(form, okrs.ObjectiveEditForm):
        return []
    return matching_options(parent_choices(form.parents), query, pinned=[NO_PARENT_CHOICE])


def handle_options(
    ack: Ack, body: dict[str, Any], context: BoltContext, services: Services, logger: Logger
) -> None:
    """Answer a searched select with the options matching what was typed."""
    block_id = body.get("block_id")
    query = str(body.get("value") or "")
    options: list[dict[str, Any]] = []
    try:
        if block_id == ids.BLOCK_TEAM_CHOICE:
            choices = teams.team_choices(services, caller_of(services, context)).teams
            options = matching_options(team_pick_choices(choices), query, pinned=[NEW_TEAM_CHOICE])
        elif block_id == ids.BLOCK_OBJECTIVE_TEAM:
            choices = teams.team_choices(services, caller_of(services, context)).teams
            options = matching_options(team_choices(choices), query)
        elif block_id == ids.BLOCK_OBJECTIVE_PARENT:
            options = _parent_options(services, context, body.get("view") or {}, query)
    except Exception:
        # An empty menu says "no matches"; Slack shows nothing better for a failed load.
        logger.exception("Failed to load the options of %s", block_id)
        options = []
    ack(options=options)


def register(app: App) -> None:
    """Attach the options loader of every searched select (they share one action id)."""
    app.options(ids.ACTION_INPUT)(handle_options)
