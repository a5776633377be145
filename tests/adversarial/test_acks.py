"""Slack wants every request answered within 3 seconds, whatever its Web API is doing.

With Slack slow to answer (a `429 Retry-After: 4` on the call a listener makes), the
check-in form, the one-click answer, and the Home tab are still answered at once;
the Slack call happens after, and still happens. (Opening a modal cannot wait that long in
any case: its trigger expires 3 seconds after the click.)
"""

from __future__ import annotations

import pytest

from app.slack import ids
from app.tryout.standin import SlackDriver
from app.usecases.services import settle
from tests.conftest import ALICE, SIGNING_SECRET
from tests.e2e.helpers import create_objective, create_team
from tests.e2e.test_checkin import FRIDAY_SLOT, _prompts

pytestmark = pytest.mark.e2e

SLOW = 4  # seconds Slack asks the client to wait before trying again
ANSWERED_WITHIN = 2.5  # seconds: inside Slack's 3-second window, well under SLOW


@pytest.fixture
def impatient(slack: SlackDriver) -> SlackDriver:
    """A driver that gives up on an answer after ANSWERED_WITHIN seconds and does not wait
    for the app's after-ack work."""
    return SlackDriver(
        app_url=slack.app_url,
        signing_secret=SIGNING_SECRET,
        standin=slack.standin,
        timeout=ANSWERED_WITHIN,
        settle=False,
    )


@pytest.fixture
def growth(slack: SlackDriver) -> None:
    create_team(slack, user_id=ALICE)
    create_objective(slack, user_id=ALICE)


def test_a_one_click_answer_is_acked_while_slack_is_slow(
    growth, slack, impatient, dispatcher
) -> None:
    dispatcher.tick(FRIDAY_SLOT)
    (prompt,) = _prompts(slack, ALICE)
    slack.standin.fail_next("chat.update", status=429, retry_after=SLOW)
    answer = impatient.click(user_id=ALICE, action_id=ids.ACTION_CHECKIN_NO_CHANGE, message=prompt)
    assert answer.status == 200
    assert settle()
    (updated,) = _prompts(slack, ALICE)
    assert updated["edited"] and "recorded" in updated["text"]


def test_a_check_in_form_is_acked_and_closed_while_slack_is_slow(
    growth, slack, impatient, dispatcher
) -> None:
    dispatcher.tick(FRIDAY_SLOT)
    (prompt,) = _prompts(slack, ALICE)
    slack.click(user_id=ALICE, action_id=ids.ACTION_CHECKIN_UPDATE, message=prompt)
    slack.standin.fail_next("chat.update", status=429, retry_after=SLOW)
    values = {f"{ids.BLOCK_CHECKIN_CONFIDENCE}{kr}": "on_track" for kr in (1, 2)}
    answer = impatient.submit_view(user_id=ALICE, values=values)
    assert answer.status == 200 and answer.json() is None  # the modal closes
    assert settle()
    (updated,) = _prompts(slack, ALICE)
    assert updated["edited"] and "recorded" in updated["text"]


def test_the_home_tab_event_is_acked_while_slack_is_slow(growth, slack, impatient) -> None:
    slack.standin.fail_next("views.publish", status=429, retry_after=SLOW)
    answer = impatient.send_event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    assert answer.status == 200
    assert settle()
    assert slack.standin.home_view(ALICE) is not None
