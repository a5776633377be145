"""Long answers within a response URL's five uses (issue #14, item 15), over signed HTTP.

`/okr list` and `/okr digest` send an answer longer than one message through the slash
command's `response_url`, which Slack (and the stand-in) allows five times within thirty
minutes: a sixth page was refused and lost without a word. Now more than five messages
are packed into as few as fit, and what still does not fit is named on the fifth answer
with the command that shows it (`--from N`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from app.slack import ids
from app.transfer.validation import validate_documents
from app.tryout.standin import SlackDriver
from app.tryout.standin.responses import RESPONSE_URL_MAX_USES
from app.usecases.transfer import import_documents
from tests.conftest import ALICE
from tests.e2e.helpers import all_text

TODAY = dt.date(2026, 11, 20)


def objective(n: int) -> dict[str, Any]:
    return {
        "title": f"Objective number {n} makes customers happier",
        "owner": ALICE,
        "key_results": [
            {"title": f"Raise weekly signups from {n} to {n + 10}", "owner": ALICE},
            {"title": f"Cut churn from {n + 20}% to {n + 5}%", "owner": ALICE},
        ],
    }


def seed(db: Any, teams: dict[str, int]) -> None:
    """Teams (name → how many objectives), Alice the admin of each."""
    documents = [
        {
            "workspace": "T0001",
            "team": name,
            "channel": "C0GROWTH1",
            "admins": [ALICE],
            "objectives": [objective(n) for n in range(1, count + 1)],
        }
        for name, count in teams.items()
    ]
    import_documents(db, validate_documents(documents), today=TODAY)


def answers(slack: SlackDriver, text: str) -> list[dict[str, Any]]:
    """What Alice sees after `/okr <text>`: the ack's message and every response URL post."""
    slack.standin.clear_calls()
    before = len(slack.standin.ephemerals(ALICE))
    response = slack.slash_command(user_id=ALICE, text=text)
    assert response.status == 200, response.body
    posts = slack.standin.calls_to("response_url")
    assert len(posts) <= RESPONSE_URL_MAX_USES
    assert all(p.status == 200 for p in posts), [(p.status, p.response) for p in posts]
    return slack.standin.ephemerals(ALICE)[before:]


def refs(messages: list[dict[str, Any]]) -> list[str]:
    text = "\n".join(all_text(m["blocks"] or []) for m in messages)
    return re.findall(r"\*(O\d+) ·", text)


def test_a_list_of_many_teams_is_packed_and_shown_whole(slack: SlackDriver, db) -> None:
    names = [f"Team {letter}" for letter in "ABCDEFGH"]
    seed(db, dict.fromkeys(names, 1))
    shown = answers(slack, "list")
    text = "\n".join(all_text(m["blocks"]) for m in shown)
    assert [name for name in names if f"{name} · 2026-Q4" in text] == names
    assert len(shown) < len(names)  # packed: fewer messages than teams


def test_a_list_past_five_pages_names_the_rest_and_from_shows_it(slack: SlackDriver, db) -> None:
    seed(db, {"Growth": 150})
    first = answers(slack, "list Growth")
    assert len(first) == RESPONSE_URL_MAX_USES
    note = first[-1]["blocks"][-1]
    assert note["type"] == "context"
    said = note["elements"][0]["text"]
    match = re.search(r"(\d+) more pages? not shown.*`/okr list Growth --from (\d+)`", said)
    assert match, said
    hidden, start = int(match.group(1)), int(match.group(2))
    assert start == RESPONSE_URL_MAX_USES + 1

    rest = answers(slack, f"list Growth --from {start}")
    assert len(rest) == hidden
    seen = refs(first) + refs(rest)
    assert seen == [f"O{n}" for n in range(1, 151)]  # every objective once, in order


def test_a_digest_preview_past_five_pages_names_the_rest(slack: SlackDriver, db) -> None:
    seed(db, {"Growth": 150})
    first = answers(slack, "digest Growth")
    assert len(first) == RESPONSE_URL_MAX_USES
    said = all_text(first[-1]["blocks"][-1:])
    match = re.search(r"`/okr digest Growth --from (\d+)`", said)
    assert match, said
    rest = answers(slack, f"digest Growth --from {match.group(1)}")
    assert rest and "not shown" not in all_text(rest[-1]["blocks"])
    text = "\n".join(all_text(m["blocks"]) for m in first + rest)
    assert all(f"Objective number {n} makes" in text for n in range(1, 151))


def test_from_past_the_end_or_not_a_number_says_so(slack: SlackDriver, db) -> None:
    seed(db, {"Growth": 150})
    past = answers(slack, "list Growth --from 99")
    assert "has only" in past[-1]["text"] and "/okr list Growth" in past[-1]["text"]
    wrong = answers(slack, "list Growth --from soon")
    assert "needs a page number" in all_text(wrong[-1]["blocks"])
    assert ids.OKR_COMMAND in all_text(wrong[-1]["blocks"])
