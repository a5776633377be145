"""The weekly digest in the team channel, its preview and manual post, and the Home tab."""

from __future__ import annotations

import datetime as dt

import pytest

from app.slack import ids
from app.tryout.standin import SlackDriver
from tests.conftest import ALICE, BOB, GROWTH_CHANNEL
from tests.e2e.helpers import all_text, create_objective, create_team

# Growth is in Europe/Berlin: Friday 20 Nov 2026 16:00 local is 15:00 UTC.
FRIDAY_PROMPT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
FRIDAY_DIGEST = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def growth(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE, owners=(ALICE, BOB))


def _channel(slack: SlackDriver) -> list[dict]:
    return [m for m in slack.standin.messages(GROWTH_CHANNEL) if not m.get("thread_ts")]


def test_the_digest_goes_to_the_channel_once_at_the_local_digest_time(
    growth, slack, dispatcher
) -> None:
    dispatcher.tick(FRIDAY_PROMPT)
    (prompt,) = slack.standin.messages(slack.standin.dm_channel(ALICE))
    slack.click(user_id=ALICE, action_id=ids.ACTION_CHECKIN_NO_CHANGE, message=prompt)
    assert dispatcher.tick(FRIDAY_DIGEST - dt.timedelta(minutes=1)).sent == 0
    assert dispatcher.tick(FRIDAY_DIGEST).sent == 1
    assert dispatcher.tick(FRIDAY_DIGEST + dt.timedelta(hours=1)).sent == 0
    (digest,) = _channel(slack)
    text = all_text(digest["blocks"])
    assert "Growth · week 8 of 13" in text
    assert "1 of 2* key results updated" in text
    assert "not updated this week" in text
    # Bob did not check in: the digest never names him.
    assert BOB not in text and "bob" not in text.lower()
    uploads = slack.standin.uploads(GROWTH_CHANNEL)
    assert len(uploads) == 1 and uploads[0]["thread_ts"] == digest["ts"]
    assert uploads[0]["bytes"].startswith(b"\x89PNG")


def test_digest_preview_is_private_and_posting_now_is_for_admins(growth, slack) -> None:
    preview = slack.slash_command(user_id=BOB, text="digest").json()
    assert preview["response_type"] == "ephemeral"
    assert "Growth · week" in all_text(preview["blocks"])
    assert _channel(slack) == []
    refused = slack.slash_command(user_id=BOB, text="digest post").json()
    assert "Only Growth's admins" in refused["text"]
    assert _channel(slack) == []
    posted = slack.slash_command(user_id=ALICE, text="digest post").json()
    assert "Posting" in posted["text"]
    assert len(_channel(slack)) == 1 and len(slack.standin.uploads(GROWTH_CHANNEL)) == 1


def test_home_shows_my_key_results_and_refreshes_after_a_check_in(
    growth, slack, dispatcher
) -> None:
    slack.send_event({"type": "app_home_opened", "user": BOB, "tab": "home"})
    home = slack.standin.home_view(BOB)
    text = all_text(home["blocks"])
    assert "Cut time to first value" in text and "no check-in yet" in text
    assert "Raise onboarding completion" not in text.split("Growth")[0]  # Alice's, under teams
    dispatcher.tick(FRIDAY_PROMPT)
    (prompt,) = slack.standin.messages(slack.standin.dm_channel(BOB))
    publishes = len(slack.standin.calls_to("views.publish"))
    slack.click(user_id=BOB, action_id=ids.ACTION_CHECKIN_NO_CHANGE, message=prompt)
    # Answered in the DM: the Home tab is rebuilt when Bob next opens it, not before.
    assert len(slack.standin.calls_to("views.publish")) == publishes
    slack.send_event({"type": "app_home_opened", "user": BOB, "tab": "home"})
    refreshed = all_text(slack.standin.home_view(BOB)["blocks"])
    assert "last check-in week 47" in refreshed
    # The Home tab's own button opens the check-in, and answering there refreshes it.
    slack.click(user_id=BOB, action_id=ids.ACTION_CHECKIN_UPDATE, view=slack.standin.home_view(BOB))
    assert slack.standin.top_view(BOB)["callback_id"] == ids.VIEW_CHECKIN
    (confidence,) = [
        block["block_id"]
        for block in slack.standin.top_view(BOB)["blocks"]
        if block.get("block_id", "").startswith(ids.BLOCK_CHECKIN_CONFIDENCE)
    ]
    assert slack.submit_view(user_id=BOB, values={confidence: "on_track"}).status == 200
    assert len(slack.standin.calls_to("views.publish")) == publishes + 2
