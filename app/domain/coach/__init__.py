"""The quality coach: notices key results that read like tasks, lack a measure or count
vanity numbers, objectives that are metrics, and team-level shape problems.

It warns and never blocks, so precision beats recall: a wrong flag on a good outcome teaches
people to ignore the coach. Every rule looks for a positive sign of trouble, and a measured
outcome in the same sentence wins over a task verb.

How a key result is read (lower case, bullets and "KR1:", "We will", "By June," skipped):

* The first word decides most: a task verb ("launch", "migrate", "hire", "set up", typos
  one edit away like "lanch") makes it task-like, unless an outcome metric sits right next
  to a number ("Deliver 99.9% uptime") or a measured outcome clause follows ("…, raising
  adoption from 20% to 35%", "generating $200k ARR"). An outcome verb ("reduce", "keep",
  "achieve") makes it an outcome, unless its object is the team's own output ("Increase the
  number of blog posts"), a milestone ("Achieve SOC 2 certification"), events ("Hold 12
  workshops") or tickets ("Close 200 tickets").
* Without a verb, a noun phrase is task-like when it names work ("Launch of…"), a feature
  ("Users can…"), counted output ("10 posts"), work done ("…migrated", "…live") or, short
  and unmeasured, a deliverable ("SSO", "Dark mode").
* A measure is a number that is not a name, version or date ("SOC 2", "v2", "2026",
  "June 30"), a number word ("zero", "double", "three"), a rank ("top 3", "#1"), or a
  frequency change ("from weekly to daily").

Decisions worth knowing:

* A task without a number ("Launch the wizard") gets `task_like` only, not `no_measure`
  as well: one finding that asks "so what?" reads better in Slack than two.
* "Launch in 3 new markets generating $200k ARR" is not flagged: its success is judged by
  the ARR. "Increase the number of blog posts from 4 to 10" is `task_like`: the team's own
  output, counted, is still output; counts of people reached ("paying customers", "teams
  using the API") are outcomes.
* Milestones and migrations ("Achieve SOC 2 certification", "Migrate 100% of customers to
  the new billing system") are `task_like`: done or not, they don't show what changed.
* Deployments counted alone are a `vanity_metric` (DORA deploy frequency means little
  without stability); paired with change failure rate, rollbacks, incidents, time to
  restore or lead time they are not flagged. Other vanity numbers are not flagged when the
  sentence makes them a rate ("visit-to-signup conversion", "share of page views that…").
* `no_owner` is `info`, not `warning`: a team may own a key result together, and the
  coach should not nag about it as loudly as about the wording.

Everything is regular expressions and word sets over the first `_MAX_CHARS` characters of a
text (see `reading`), built once at import; checks never raise.

The package: `findings` (what the coach says, as data), `words` (its vocabulary: word sets
and regular expressions), `messages` (the wording of each finding), `reading` (a text's
lead verb, numbers and measure) and `rules` (what is flagged, and what wins over what).
"""

from app.domain.coach.findings import (
    Code,
    Finding,
    KeyResultInput,
    ObjectiveInput,
    Severity,
    TeamReport,
    Thresholds,
)
from app.domain.coach.rules import check_key_result, check_objective, check_team

__all__ = [
    "Code",
    "Finding",
    "KeyResultInput",
    "ObjectiveInput",
    "Severity",
    "TeamReport",
    "Thresholds",
    "check_key_result",
    "check_objective",
    "check_team",
]
