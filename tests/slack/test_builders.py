"""Pure Block Kit builders: data in, dicts out, always within Slack's limits."""

from __future__ import annotations

import dataclasses
import json

from app.domain.okrs import KeyResultSnapshot, ObjectiveSnapshot, TeamOKRs
from app.domain.types import KRKind
from app.slack import ids
from app.slack.limits import message_errors, view_errors
from app.slack.views.help import build_help_message, build_usage_message
from app.slack.views.home import HomeTeam, build_home_view
from app.slack.views.objective_modal import (
    NewObjectiveForm,
    build_edit_key_result_view,
    build_new_numbers_view,
    build_new_objective_view,
    prefilled_key_result,
)
from app.slack.views.okr_list import BuiltList, build_okr_list_messages, key_result_numbers
from app.slack.views.team_modal import build_team_pick_view, build_team_settings_view
from app.store.directory import TeamSettings


def _kr(kr_id: int, **overrides) -> KeyResultSnapshot:
    values = dict(
        id=kr_id,
        title=f"Raise metric {kr_id} from 10% to 20%",
        owner="U1",
        kind=KRKind.increase,
        start=10.0,
        target=20.0,
        current=15.0,
        unit="%",
    )
    values.update(overrides)
    return KeyResultSnapshot(**values)


def _team(objectives: int, krs: int = 4, title_length: int = 20) -> TeamOKRs:
    return TeamOKRs(
        team_id=1,
        team_name="Growth",
        cycle_label="2026-Q4",
        objectives=[
            ObjectiveSnapshot(
                id=o,
                title=("O" * title_length)[:150],
                description="Why " * 100,
                owner="U1",
                parent_title=None,
                key_results=tuple(_kr(o * 10 + k, title="K" * 200) for k in range(krs)),
            )
            for o in range(1, objectives + 1)
        ],
    )


def test_help_and_usage_are_within_limits() -> None:
    for payload in (build_help_message(), build_usage_message("Nope", "/okr list [team]")):
        assert message_errors(text=payload["text"], blocks=payload["blocks"]) == []


def test_list_of_a_small_team_is_one_message() -> None:
    messages = build_okr_list_messages(_team(2))
    assert len(messages) == 1
    assert message_errors(text=messages[0]["text"], blocks=messages[0]["blocks"]) == []


def test_a_built_list_keeps_its_messages_and_the_answer_as_json() -> None:
    small = build_okr_list_messages(_team(2))
    built = BuiltList(small)
    assert built.messages == small and built.messages is not built.messages  # fresh copies
    assert built.ack_body is not None
    assert json.loads(built.ack_body) == {"response_type": "ephemeral", **small[0]}
    large = build_okr_list_messages(_team(30, title_length=150))
    assert BuiltList(large).messages == large and BuiltList(large).ack_body is None


def test_a_large_team_splits_between_objectives_within_limits() -> None:
    messages = build_okr_list_messages(_team(30, title_length=150))
    assert len(messages) >= 2
    seen = []
    for message in messages:
        assert message_errors(text=message["text"], blocks=message["blocks"]) == []
        seen += [
            b["block_id"]
            for b in message["blocks"]
            if b.get("block_id", "").startswith(ids.BLOCK_LIST_OBJECTIVE)
        ]
    assert seen == [f"{ids.BLOCK_LIST_OBJECTIVE}{o}" for o in range(1, 31)]
    assert messages[0]["text"].endswith(f"(1/{len(messages)})")


def test_numbers_read_start_current_target_and_words_for_bounds() -> None:
    assert key_result_numbers(_kr(1)) == "10% → 15% → 20%"
    assert key_result_numbers(_kr(1, start=None)) == "15% → 20%"
    assert key_result_numbers(_kr(1, current=None)) == "10% → 20%"
    assert (
        key_result_numbers(_kr(1, kind=KRKind.stay_below, target=2.0, current=1.5))
        == "now 1.5% · stay at or below 2%"
    )
    assert key_result_numbers(_kr(1, kind=KRKind.milestone, current=1.0)) == "done"


def test_a_key_result_with_no_value_is_never_shown_as_progress() -> None:
    team = TeamOKRs(
        1,
        "Growth",
        "2026-Q4",
        [ObjectiveSnapshot(1, "O", "", None, None, (_kr(1, start=None, current=None),))],
    )
    text = json.dumps(build_okr_list_messages(team)[0]["blocks"])
    assert "not updated yet" in text


def test_new_objective_modal_is_within_limits_for_one_and_many_teams() -> None:
    form = NewObjectiveForm(team_id=1)
    for teams in ([(1, "Growth")], [(i, f"Team {i}") for i in range(1, 101)]):
        view = build_new_objective_view(form=form, teams=teams, caller="U1")
        assert view_errors(view) == []
        assert view["callback_id"] == ids.VIEW_NEW_OBJECTIVE


def test_numbers_modal_prefills_and_carries_the_words() -> None:
    form = NewObjectiveForm(
        team_id=1,
        title="T" * 150,
        description="d" * 500,
        owner="U1",
        key_results=[("K" * 190 + " from 4h to 30min", "U2")] * 4,
    )
    view = build_new_numbers_view(form=form, team_name="Growth")
    assert view_errors(view) == []
    assert NewObjectiveForm.decode(view["private_metadata"]) == form
    draft = prefilled_key_result("Reduce build time from 4h to 30min", None)
    assert (draft.kind, draft.start, draft.target, draft.unit) == (
        KRKind.decrease,
        240,
        30,
        "min",
    )


def test_edit_and_team_modals_are_within_limits() -> None:
    views = [
        build_edit_key_result_view(key_result_id=123456, draft=prefilled_key_result("x", "U1")),
        build_team_pick_view(teams=[(i, f"Team {i}") for i in range(99)], current=3),
        build_team_settings_view(team_id=None, settings=TeamSettings(name="")),
        build_team_settings_view(team_id=4, settings=TeamSettings(name="G", digest_channel="C1")),
    ]
    for view in views:
        assert view_errors(view) == [], view["callback_id"]


def test_home_view_fits_even_for_many_teams() -> None:
    teams = [
        HomeTeam(okrs=dataclasses.replace(_team(12), team_id=number), period="2026-W47")
        for number in range(1, 6)
    ]
    view = build_home_view(user_id="U1", teams=teams)
    assert view_errors(view) == []
    assert view["type"] == "home"
