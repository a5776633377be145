"""The digest's Block Kit: within limits for large teams, team-first, never naming who was quiet."""

from __future__ import annotations

import datetime as dt
import json

from app.domain.checkins import WeekReport
from app.domain.cycles import quarter_span
from app.domain.digest import build_digest
from app.domain.okrs import KeyResultSnapshot, ObjectiveSnapshot
from app.domain.types import Confidence, KRKind
from app.slack.limits import message_errors
from app.slack.views.digest import build_digest_messages, points


def _team(objectives: int, krs: int, title: str = "Raise activation from 10% to 60%"):
    objective_list = []
    histories = {}
    for o in range(1, objectives + 1):
        snapshots = []
        for k in range(krs):
            kr_id = o * 10 + k
            snapshots.append(
                KeyResultSnapshot(kr_id, title, f"U{k}", KRKind.increase, 10, 60, 30, "%")
            )
            histories[kr_id] = [
                WeekReport(f"2026-W{w}", 10 + 2 * (w - 40), Confidence.on_track)
                for w in range(40, 48)
            ]
        objective_list.append(
            ObjectiveSnapshot(o, ("Objective " * 20)[:150], "", "U0", None, tuple(snapshots))
        )
    return build_digest(
        team_name="Growth",
        cycle=quarter_span(2026, 4),
        today=dt.date(2026, 11, 20),
        objectives=objective_list,
        histories=histories,
    )


def test_points_read_as_percentage_points() -> None:
    assert (points(0.06), points(-0.02), points(0.001), points(None)) == (
        "▲ 6 pts",
        "▼ 2 pts",
        "±0",
        "",
    )


def test_a_large_team_splits_into_messages_within_block_kit_limits() -> None:
    long_title = (
        "Raise the weekly activation rate of newly onboarded teams " * 3 + "from 10% to 60%"
    )
    messages = build_digest_messages(_team(12, 4, title=long_title[:200]))
    assert len(messages) >= 1
    for message in messages:
        assert message_errors(text=message["text"], blocks=message["blocks"]) == []
        assert "weekly digest, week 8 of 13" in message["text"]
    everything = json.dumps([m["blocks"] for m in messages])
    assert everything.count("KR") >= 48


def test_owners_appear_only_for_key_results_at_risk_or_off_track() -> None:
    kr_ok = KeyResultSnapshot(
        1, "Raise activation from 10% to 60%", "U0QUIET", KRKind.increase, 10, 60, 30, "%"
    )
    kr_risk = KeyResultSnapshot(
        2, "Cut churn from 5% to 2%", "U0RISK", KRKind.decrease, 5, 2, 4, "%"
    )
    digest = build_digest(
        team_name="Growth",
        cycle=quarter_span(2026, 4),
        today=dt.date(2026, 11, 20),
        objectives=[ObjectiveSnapshot(1, "Retain teams", "", "U0", None, (kr_ok, kr_risk))],
        histories={2: [WeekReport("2026-W47", 4, Confidence.at_risk)]},
    )
    text = json.dumps(build_digest_messages(digest))
    assert "U0RISK" in text  # ownership of what is at risk
    assert "U0QUIET" not in text  # KR1 was not updated: its owner is never named
    assert "not updated this week" in text
