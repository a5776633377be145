"""Import files the transfer tests share."""

from __future__ import annotations

import textwrap
from pathlib import Path

SAMPLE = """\
workspace: T0001
team: Growth
channel: C0123456        # digest channel
timezone: Europe/Berlin
admins: [U0ADMIN1]
objectives:
  - title: Make onboarding effortless for new teams
    owner: U0OWNER1
    key_results:
      - title: Raise onboarding completion from 60% to 85%
        owner: U0OWNER1
      - title: Cut time to first value from 3 days to 1 day
        owner: U0OWNER2
        kind: decrease
        start: 3
        target: 1
        unit: days
"""


RICH = """\
- workspace: T0001
  enterprise: E0001
  team: Growth
  channel: C0123456
  timezone: Europe/Berlin
  admins: [U0ADMIN1]
  members: [U0MEMBER1, W0MEMBER2]
  checkin: {day: monday, time: 09:30}
  digest: {day: Thu, time: "17:00"}
  cycle: 2026-Q4
  objectives:
    - title: Make onboarding effortless for new teams
      owner: U0OWNER1
      description: New teams should see value in their first week.
      key_results:
        - title: Raise onboarding completion from 60% to 85%
          owner: U0OWNER1
          current: 70.5
        - title: Cut time to first value from 3 days to 1 day
          owner: U0OWNER2
        - title: Keep weekly churn below 2%
          kind: stay_below
          target: 2
          unit: "%"
          current: 1.5
    - title: Ship the self-serve plan
      key_results:
        - title: Launch the pricing page
          kind: milestone
          current: 1
        - title: Reach 1,200 paying customers
          owner: U0OWNER2
- workspace: T0001
  enterprise: E0001
  team: Growth
  channel: C0123456
  timezone: Europe/Berlin
  admins: [U0ADMIN1]
  members: [U0MEMBER1, W0MEMBER2]
  checkin: {day: monday, time: 09:30}
  digest: {day: Thu, time: "17:00"}
  cycle: 2027-Q1
  objectives:
    - title: Grow revenue from teams
      key_results:
        - title: Grow revenue from $10k to $25k
        - title: Lower support tickets per team from 12 to 8
- workspace: T0001
  enterprise: E0001
  team: Platform
  admins: [U0ADMIN2]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    """A file in tmp_path with that text."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
