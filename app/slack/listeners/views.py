"""Modal submissions: validate per field, answer `response_action: errors` or save.

Nothing is written unless every field is valid; an error keeps the modal open with
everything the person typed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from logging import Logger
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import Ack, App
from slack_sdk import WebClient

from app.db.models import KeyResult
from app.domain.coach import (
    KeyResultInput,
    ObjectiveInput,
    Severity,
    Thresholds,
    check_key_result,
    check_objective,
    check_team,
)
from app.domain.cycles import current_quarter
from app.domain.okrs import (
    DESCRIPTION_MAX,
    MAX_KEY_RESULTS,
    MIN_KEY_RESULTS,
    OBJECTIVE_TITLE_MAX,
    TEAM_NAME_MAX,
    KeyResultDraft,
    ObjectiveDraft,
    key_result_errors,
    objective_errors,
    title_errors,
)
from app.domain.parse import parse_number
from app.domain.types import Confidence, KRKind
from app.services import Caller, Services
from app.slack import ids
from app.slack.forms import state_value
from app.slack.limits import PRIVATE_METADATA_MAX
from app.slack.listeners.checkin_ops import refresh_prompts, resolve_scope, summary_of
from app.slack.listeners.common import (
    GENERIC_FAILURE,
    Ref,
    admin_ids,
    caller_of,
    denied_message,
    has_acked,
    load_item,
    may_change,
    user_timezone,
)
from app.slack.views.checkin import NOTE_MAX
from app.slack.views.coach import build_not_saved_view, build_review_view
from app.slack.views.objective_modal import (
    DraftReview,
    NewObjectiveForm,
    build_new_numbers_view,
    build_saved_view,
)
from app.slack.views.team_modal import (
    COUNT_MAX,
    build_team_done_view,
    build_team_settings_view,
)
from app.store.checkins import CheckInEntry, record_check_ins
from app.store.closing import is_closed
from app.store.directory import (
    TeamSettings,
    create_team,
    ensure_member,
    find_team,
    get_team,
    is_team_admin,
    join_team,
    settings_of,
    team_admins,
    update_team,
)
from app.store.okrs import (
    create_objective,
    ensure_cycle,
    find_cycle,
    get_objective,
    objectives_of,
    update_key_result,
    update_objective,
)

Handler = Callable[..., None]
CONFIDENCE_VALUES = frozenset(c.value for c in Confidence)
NUMBER_HINT = "Enter a number, like 85, 1.5k or 40%."


def _first_input_block(view: dict[str, Any]) -> str | None:
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            return block.get("block_id")
    return None


def guarded(what: str) -> Callable[[Handler], Handler]:
    """Turn an unexpected failure into a logged error and a message on the modal.

    The modal stays open with what the person typed; nothing half-written remains because
    every save is one transaction.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapper(ack: Ack, view: dict[str, Any], logger: Logger, **kwargs: Any) -> None:
            try:
                handler(ack=ack, view=view, logger=logger, **kwargs)
            except Exception:
                logger.exception("Failed to %s", what)
                if has_acked(ack):
                    return
                block_id = _first_input_block(view)
                if block_id:
                    ack(response_action="errors", errors={block_id: GENERIC_FAILURE})
                else:
                    ack()

        return wrapper

    return decorate


def _errors(ack: Ack, errors: dict[str, str]) -> None:
    ack(response_action="errors", errors=errors)


def _read_number(values: dict, block_id: str, errors: dict[str, str]) -> float | None:
    text = state_value(values, block_id)
    if text is None:
        return None
    number = parse_number(text)
    if number is None:
        errors[block_id] = NUMBER_HINT
    return number


def _read_kind(values: dict, block_id: str, errors: dict[str, str]) -> KRKind:
    raw = state_value(values, block_id)
    try:
        return KRKind(raw or KRKind.increase.value)
    except ValueError:
        errors[block_id] = "Choose a kind from the list."
        return KRKind.increase


def _read_numbers(values: dict, index: int, errors: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": _read_kind(values, ids.kr_block(ids.BLOCK_KR_KIND, index), errors),
        "start": _read_number(values, ids.kr_block(ids.BLOCK_KR_START, index), errors),
        "target": _read_number(values, ids.kr_block(ids.BLOCK_KR_TARGET, index), errors),
        "unit": state_value(values, ids.kr_block(ids.BLOCK_KR_UNIT, index)) or "",
    }


_FIELD_BLOCKS = {
    "title": ids.BLOCK_KR_TITLE,
    "kind": ids.BLOCK_KR_KIND,
    "start": ids.BLOCK_KR_START,
    "target": ids.BLOCK_KR_TARGET,
    "current": ids.BLOCK_KR_CURRENT,
    "unit": ids.BLOCK_KR_UNIT,
}


def _kr_field_block(field: str, index: int, present: set[str]) -> str:
    """The block to show a key result field's error on (falling back to one that exists)."""
    block_id = ids.kr_block(_FIELD_BLOCKS.get(field, ids.BLOCK_KR_KIND), index)
    return block_id if block_id in present else ids.kr_block(ids.BLOCK_KR_KIND, index)


def _read_objective_words(values: dict, errors: dict[str, str]) -> tuple[str, str]:
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


# --- /okr new, step one: the words -------------------------------------------------------


@guarded("read a new objective's words")
def handle_new_objective_texts(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: Any
) -> None:
    """Validate the words, then move on to the numbers (prefilled from the words)."""
    values = view["state"]["values"]
    errors: dict[str, str] = {}
    title, description = _read_objective_words(values, errors)
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
    with services.db.read() as session:
        team = (
            get_team(session, workspace_id=caller.workspace_id, team_id=form.team_id)
            if form.team_id
            else None
        )
        team_name = team.name if team else ""
    if team is None:
        errors[ids.BLOCK_OBJECTIVE_TITLE] = "That team no longer exists; run `/okr team` first."
    form.title, form.description, form.owner, form.key_results = (
        title.strip(),
        description.strip(),
        owner,
        key_results,
    )
    if not errors and len(form.encode()) > PRIVATE_METADATA_MAX:
        errors[ids.BLOCK_OBJECTIVE_DESCRIPTION] = "Too much text to carry over; shorten this."
    if errors:
        _errors(ack, errors)
        return
    with services.db.read() as session:
        review = _review_new_objective(session, caller, form, services.now())
    ack(
        response_action="update",
        view=build_new_numbers_view(form=form, team_name=team_name, review=review),
    )


def _review_new_objective(
    session: Any, caller: Caller, form: NewObjectiveForm, now: dt.datetime
) -> DraftReview:
    """The coach's findings on the new objective, seen with the team's other objectives."""
    team = get_team(session, workspace_id=caller.workspace_id, team_id=form.team_id or 0)
    if team is None:
        return DraftReview()
    span = current_quarter(team.timezone, now)
    cycle = find_cycle(session, workspace_id=caller.workspace_id, label=span.label)
    existing = (
        objectives_of(
            session, workspace_id=caller.workspace_id, team_id=team.id or 0, cycle_id=cycle.id
        )
        if cycle and cycle.id
        else []
    )
    new = ObjectiveInput(
        title=form.title,
        owner=form.owner,
        key_results=tuple(KeyResultInput(title=t, owner=o) for t, o in form.key_results),
    )
    report = check_team(
        [*(ObjectiveInput(title=o.title, owner=str(o.owner_id)) for o in existing), new],
        Thresholds(
            max_objectives=team.max_objectives,
            min_key_results=team.min_key_results,
            max_key_results=team.max_key_results,
        ),
    )
    return DraftReview(
        team=report.team, objective=report.objectives[-1], key_results=report.key_results[-1]
    )


# --- /okr new, step two: the numbers -----------------------------------------------------


@guarded("save a new objective")
def handle_new_objective_numbers(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: Any
) -> None:
    """Validate the numbers and save the objective with its key results."""
    values = view["state"]["values"]
    form = NewObjectiveForm.decode(view.get("private_metadata", ""))
    errors: dict[str, str] = {}
    drafts = [
        KeyResultDraft(title=title, owner=owner, **_read_numbers(values, index, errors))
        for index, (title, owner) in enumerate(form.key_results)
    ]
    draft = ObjectiveDraft(
        title=form.title, owner=form.owner, description=form.description, key_results=drafts
    )
    present = set(values)
    for key, problem in objective_errors(draft).items():
        parts = key.split(".")
        if len(parts) == 3:
            errors.setdefault(_kr_field_block(parts[2], int(parts[1]), present), problem)
        else:
            errors.setdefault(ids.kr_block(ids.BLOCK_KR_KIND, 0), problem)
    if errors:
        _errors(ack, errors)
        return
    caller = caller_of(services, context, create=True)
    with services.db.write() as session:
        team = get_team(session, workspace_id=caller.workspace_id, team_id=form.team_id or 0)
        if team is None:
            _errors(ack, {ids.kr_block(ids.BLOCK_KR_KIND, 0): "That team no longer exists."})
            return
        span = current_quarter(team.timezone, services.now())
        cycle = ensure_cycle(session, workspace_id=caller.workspace_id, span=span)
        objective = create_objective(
            session, workspace_id=caller.workspace_id, team=team, cycle=cycle, draft=draft
        )
        team_name = team.name
    ack(
        response_action="update",
        view=build_saved_view(draft=draft, objective_id=objective.id or 0, team_name=team_name),
    )


# --- editing -----------------------------------------------------------------------------


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(view.get("private_metadata") or "{}"))


def _parent_problem(session: Any, caller: Caller, objective_id: int, parent_id: int) -> str | None:
    seen = {objective_id}
    current: int | None = parent_id
    while current is not None:
        if current in seen:
            return "That would make the objective support itself."
        seen.add(current)
        parent = get_objective(session, workspace_id=caller.workspace_id, objective_id=current)
        if parent is None:
            return "That objective no longer exists."
        current = parent.parent_id
    return None


def _save_objective(
    services: Services, caller: Caller, objective_id: int, typed: dict
) -> str | None:
    """Save an objective's new words; returns why it could not be saved, or None."""
    ref = Ref("objective", objective_id)
    with services.db.write() as session:
        found = load_item(session, caller, ref, for_update=True)
        if found is None:
            return "This objective no longer exists."
        _, objective = found
        if not may_change(session, caller, objective, objective):
            return denied_message(session, caller.workspace_id, ref, objective.owner_id)
        parent_id = typed.get("parent_id")
        if parent_id is not None and (
            problem := _parent_problem(session, caller, objective_id, parent_id)
        ):
            return problem
        update_objective(
            session,
            objective=objective,
            title=typed["title"],
            description=typed["description"],
            owner=typed.get("owner"),
            parent_id=parent_id,
        )
    return None


def _save_key_result(
    services: Services, caller: Caller, key_result_id: int, draft: KeyResultDraft
) -> str | None:
    """Save a key result's new values; returns why it could not be saved, or None."""
    ref = Ref("key_result", key_result_id)
    with services.db.write() as session:
        found = load_item(session, caller, ref, for_update=True)
        if found is None:
            return "This key result no longer exists."
        kr, objective = found
        if not isinstance(kr, KeyResult):
            return "This key result no longer exists."
        if not may_change(session, caller, kr, objective):
            return denied_message(session, caller.workspace_id, ref, kr.owner_id)
        update_key_result(session, kr=kr, draft=draft)
    return None


def _stored_title(services: Services, caller: Caller, ref: Ref) -> str | None:
    with services.db.read() as session:
        found = load_item(session, caller, ref)
        return found[0].title if found else None


def _review_if_flagged(
    ack: Ack, ref: Ref, new_title: str, old_title: str | None, metadata: dict[str, Any]
) -> bool:
    """When the words changed and the coach flags the new ones, show the review; True if so."""
    if old_title is not None and " ".join(new_title.split()) == old_title:
        return False
    check = check_key_result if ref.kind == "key_result" else check_objective
    findings = [f for f in check(new_title) if f.severity == Severity.warning]
    if not findings:
        return False
    view = build_review_view(
        subject=new_title, findings=findings, metadata=json.dumps(metadata, ensure_ascii=False)
    )
    ack(response_action="update", view=view)
    return True


@guarded("save an objective")
def handle_edit_objective(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: Any
) -> None:
    """Save an edited objective (after a review when its new words were flagged)."""
    values = view["state"]["values"]
    errors: dict[str, str] = {}
    title, description = _read_objective_words(values, errors)
    parent_raw = state_value(values, ids.BLOCK_OBJECTIVE_PARENT)
    typed = {
        "title": title,
        "description": description,
        "owner": state_value(values, ids.BLOCK_OBJECTIVE_OWNER),
        "parent_id": int(parent_raw) if parent_raw and parent_raw.isdigit() else None,
    }
    if errors:
        _errors(ack, errors)
        return
    caller = caller_of(services, context, create=True)
    ref = Ref("objective", int(_metadata(view).get("objective", 0)))
    metadata = {"kind": ref.kind, "id": ref.id, "typed": typed}
    if _review_if_flagged(ack, ref, title, _stored_title(services, caller, ref), metadata):
        return
    problem = _save_objective(services, caller, ref.id, typed)
    if problem:
        block = ids.BLOCK_OBJECTIVE_PARENT if "support" in problem else ids.BLOCK_OBJECTIVE_TITLE
        _errors(ack, {block: problem})
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
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: Any
) -> None:
    """Save an edited key result (after a review when its new words were flagged)."""
    values = view["state"]["values"]
    errors: dict[str, str] = {}
    numbers = _read_numbers(values, 0, errors)
    current = _read_number(values, ids.kr_block(ids.BLOCK_KR_CURRENT, 0), errors)
    draft = KeyResultDraft(
        title=state_value(values, ids.kr_block(ids.BLOCK_KR_TITLE, 0)) or "",
        owner=state_value(values, ids.kr_block(ids.BLOCK_KR_OWNER, 0)),
        current=current,
        **numbers,
    )
    present = set(values)
    for field, problem in key_result_errors(draft).items():
        errors.setdefault(_kr_field_block(field, 0, present), problem)
    if errors:
        _errors(ack, errors)
        return
    caller = caller_of(services, context, create=True)
    ref = Ref("key_result", int(_metadata(view).get("key_result", 0)))
    metadata = {"kind": ref.kind, "id": ref.id, "typed": _key_result_typed(draft)}
    if _review_if_flagged(ack, ref, draft.title, _stored_title(services, caller, ref), metadata):
        return
    failure = _save_key_result(services, caller, ref.id, draft)
    if failure:
        _errors(ack, {ids.kr_block(ids.BLOCK_KR_TITLE, 0): failure})
        return
    ack()


@guarded("save a reviewed edit")
def handle_edit_review(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: Any
) -> None:
    """ "Save anyway" on the review of a flagged edit: warn, never block."""
    metadata = _metadata(view)
    caller = caller_of(services, context, create=True)
    typed = metadata["typed"]
    if metadata["kind"] == "key_result":
        draft = KeyResultDraft(**{**typed, "kind": KRKind(typed["kind"])})
        problem = _save_key_result(services, caller, int(metadata["id"]), draft)
    else:
        problem = _save_objective(services, caller, int(metadata["id"]), typed)
    if problem:
        ack(response_action="update", view=build_not_saved_view(problem))
        return
    ack()


# --- /okr team ---------------------------------------------------------------------------


@guarded("choose a team")
def handle_team_pick(
    ack: Ack,
    view: dict[str, Any],
    logger: Logger,
    services: Services,
    context: Any,
    client: WebClient,
) -> None:
    """Join the chosen team, or go on to its settings (admins) or to a new team's."""
    choice = state_value(view["state"]["values"], ids.BLOCK_TEAM_CHOICE)
    caller = caller_of(services, context, create=True)
    if choice == ids.NEW_TEAM_VALUE or not choice:
        timezone = user_timezone(client, caller.slack_user_id) or "UTC"
        settings = TeamSettings(name="", timezone=timezone)
        ack(
            response_action="update", view=build_team_settings_view(team_id=None, settings=settings)
        )
        return
    with services.db.write() as session:
        team = get_team(session, workspace_id=caller.workspace_id, team_id=int(choice))
        if team is None:
            _errors(ack, {ids.BLOCK_TEAM_CHOICE: "That team no longer exists."})
            return
        member = ensure_member(
            session, workspace_id=caller.workspace_id, slack_user_id=caller.slack_user_id
        )
        assert member.id is not None and team.id is not None
        admins = team_admins(session, team=team)
        if not admins or is_team_admin(session, team_id=team.id, member_id=member.id):
            view_out = build_team_settings_view(team_id=team.id, settings=settings_of(team))
        else:
            join_team(session, team=team, member=member)
            view_out = build_team_done_view(
                settings=settings_of(team),
                admins=[a.slack_user_id for a in admins],
                joined=True,
            )
    ack(response_action="update", view=view_out)


def _read_team_settings(values: dict, errors: dict[str, str]) -> TeamSettings:
    name = state_value(values, ids.BLOCK_TEAM_NAME) or ""
    if problem := title_errors(name, limit=TEAM_NAME_MAX, what="team"):
        errors[ids.BLOCK_TEAM_NAME] = problem.replace("Give the team a title.", "Name the team.")
    channel = state_value(values, ids.BLOCK_TEAM_CHANNEL)
    if not channel:
        errors[ids.BLOCK_TEAM_CHANNEL] = "Choose the channel the weekly digest goes to."
    timezone = state_value(values, ids.BLOCK_TEAM_TIMEZONE) or ""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a directory
        errors[ids.BLOCK_TEAM_TIMEZONE] = (
            f"“{timezone}” is not a time zone I know. Use a name like Europe/Berlin."
        )

    def weekday(block_id: str, default: int) -> int:
        raw = state_value(values, block_id)
        if raw is None:
            return default
        if raw.isdigit() and 0 <= int(raw) <= 6:
            return int(raw)
        errors[block_id] = "Choose a day from the list."
        return default

    def clock_time(block_id: str, default: dt.time) -> dt.time:
        raw = state_value(values, block_id)
        if raw is None:
            return default
        try:
            return dt.time.fromisoformat(raw)
        except ValueError:
            errors[block_id] = "Choose a time like 10:00."
            return default

    def count(block_id: str, default: int) -> int:
        raw = state_value(values, block_id)
        if raw is None:
            return default
        if raw.isdigit() and 1 <= int(raw) <= COUNT_MAX:
            return int(raw)
        errors[block_id] = "Choose a number from the list."
        return default

    fewest = count(ids.BLOCK_TEAM_MIN_KEY_RESULTS, 2)
    most = count(ids.BLOCK_TEAM_MAX_KEY_RESULTS, 4)
    if fewest > most:
        errors[ids.BLOCK_TEAM_MAX_KEY_RESULTS] = f"Choose at least {fewest}, the fewest above."
    return TeamSettings(
        name=" ".join(name.split()),
        digest_channel=channel,
        timezone=timezone,
        checkin_weekday=weekday(ids.BLOCK_TEAM_CHECKIN_DAY, 4),
        checkin_time=clock_time(ids.BLOCK_TEAM_CHECKIN_TIME, dt.time(10, 0)),
        digest_weekday=weekday(ids.BLOCK_TEAM_DIGEST_DAY, 4),
        digest_time=clock_time(ids.BLOCK_TEAM_DIGEST_TIME, dt.time(16, 0)),
        max_objectives=count(ids.BLOCK_TEAM_MAX_OBJECTIVES, 3),
        min_key_results=fewest,
        max_key_results=most,
    )


@guarded("save a team")
def handle_team_settings(
    ack: Ack, view: dict[str, Any], logger: Logger, services: Services, context: Any
) -> None:
    """Create a team (the creator becomes its admin) or save an existing team's settings."""
    errors: dict[str, str] = {}
    settings = _read_team_settings(view["state"]["values"], errors)
    if errors:
        _errors(ack, errors)
        return
    team_id = json.loads(view.get("private_metadata") or "{}").get("team")
    caller = caller_of(services, context, create=True)
    with services.db.write() as session:
        member = ensure_member(
            session, workspace_id=caller.workspace_id, slack_user_id=caller.slack_user_id
        )
        assert member.id is not None
        clash = find_team(session, workspace_id=caller.workspace_id, name=settings.name)
        if clash is not None and clash.id != team_id:
            _errors(ack, {ids.BLOCK_TEAM_NAME: f"There is already a team called {clash.name}."})
            return
        if team_id is None:
            team = create_team(session, workspace_id=caller.workspace_id, settings=settings)
            join_team(session, team=team, member=member, admin=True)
            created = True
        else:
            found = get_team(session, workspace_id=caller.workspace_id, team_id=int(team_id))
            if found is None:
                _errors(ack, {ids.BLOCK_TEAM_NAME: "That team no longer exists."})
                return
            team = found
            assert team.id is not None
            if team_admins(session, team=team) and not is_team_admin(
                session, team_id=team.id, member_id=member.id
            ):
                _errors(ack, {ids.BLOCK_TEAM_NAME: "Only the team's admins can change it."})
                return
            # A team nobody administers is adopted by the first person to set it up.
            update_team(session, team=team, settings=settings)
            join_team(session, team=team, member=member, admin=True)
            created = False
        admins = admin_ids(session, team)
    ack(
        response_action="update",
        view=build_team_done_view(settings=settings, admins=admins, joined=False, created=created),
    )


# --- the weekly check-in ----------------------------------------------------------------


@guarded("record a check-in")
def handle_checkin_submission(
    ack: Ack,
    view: dict[str, Any],
    logger: Logger,
    services: Services,
    context: Any,
    client: WebClient,
) -> None:
    """Record the week's values, confidences and notes; the prompt updates in place."""
    values = view["state"]["values"]
    metadata = _metadata(view)
    caller = caller_of(services, context, create=True)
    errors: dict[str, str] = {}
    entries: list[CheckInEntry] = []
    for block_id in values:
        if not block_id.startswith(ids.BLOCK_CHECKIN_VALUE):
            continue
        kr_id = int(block_id[len(ids.BLOCK_CHECKIN_VALUE) :])
        value = _read_number(values, block_id, errors)
        confidence_block = f"{ids.BLOCK_CHECKIN_CONFIDENCE}{kr_id}"
        confidence_raw = state_value(values, confidence_block)
        known = confidence_raw in CONFIDENCE_VALUES
        if not known:
            errors[confidence_block] = "Choose on track, at risk or off track."
        note_block = f"{ids.BLOCK_CHECKIN_NOTE}{kr_id}"
        note = state_value(values, note_block) or ""
        if len(note) > NOTE_MAX:
            errors[note_block] = f"Keep the note to {NOTE_MAX} characters (this is {len(note)})."
        entries.append(
            CheckInEntry(
                key_result_id=kr_id,
                value=value,
                confidence=Confidence(confidence_raw) if known and confidence_raw else None,
                note=note,
            )
        )
    if errors:
        _errors(ack, errors)
        return
    # Checked in a read, so the write (one writer at a time) holds its lock only to write;
    # whether the cycle is closed, only there, under the lock.
    with services.db.read() as session:
        scope = resolve_scope(
            session,
            services,
            caller,
            team_id=int(metadata.get("team") or 0),
            period=str(metadata.get("period") or "") or None,
            skip_closed=False,
        )
        if isinstance(scope, str):
            _errors(ack, {f"{ids.BLOCK_CHECKIN_VALUE}{entries[0].key_result_id}": scope})
            return
    mine = {line.key_result.id for line in scope.lines}
    foreign = [e for e in entries if e.key_result_id not in mine]
    if foreign:
        block = f"{ids.BLOCK_CHECKIN_VALUE}{foreign[0].key_result_id}"
        _errors(ack, {block: "This key result is no longer yours to check in."})
        return
    # Upserts and blind updates only: check-ins write side by side (closing a cycle,
    # an exclusive writer, still waits for them and they for it).
    with services.db.write(shared=True) as session:
        if is_closed(session, team_id=scope.team.id or 0, cycle_id=scope.cycle_id):
            # Closed since the modal opened.
            block = f"{ids.BLOCK_CHECKIN_VALUE}{entries[0].key_result_id}"
            _errors(ack, {block: "This cycle was just closed; its scores are final."})
            return
        record_check_ins(
            session,
            workspace_id=caller.workspace_id,
            author_id=caller.member_id,
            period=scope.period,
            entries=entries,
        )
    ack()
    refresh_prompts(
        services=services,
        client=client,
        scope=scope,
        summary=summary_of(entries),
        also=(metadata.get("channel"), metadata.get("ts")),
        caller=caller if metadata.get("home") else None,
    )


def register(app: App) -> None:
    """Attach the view submission listeners."""
    app.view(ids.VIEW_NEW_OBJECTIVE)(handle_new_objective_texts)
    app.view(ids.VIEW_NEW_NUMBERS)(handle_new_objective_numbers)
    app.view(ids.VIEW_EDIT_OBJECTIVE)(handle_edit_objective)
    app.view(ids.VIEW_EDIT_KEY_RESULT)(handle_edit_key_result)
    app.view(ids.VIEW_EDIT_REVIEW)(handle_edit_review)
    app.view(ids.VIEW_CHECKIN)(handle_checkin_submission)
    app.view(ids.VIEW_TEAM_PICK)(handle_team_pick)
    app.view(ids.VIEW_TEAM_SETTINGS)(handle_team_settings)
