"""What the coach flags, and what wins over what; see `app.domain.coach` for why."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from app.domain.coach.findings import Code, Finding, ObjectiveInput, TeamReport, Thresholds
from app.domain.coach.messages import (
    EXAMPLE_OUTCOME,
    VANITY_SUGGESTIONS,
    counted_finding,
    finding,
    kr_count_finding,
    milestone_finding,
    owner_finding,
    quote,
    task_suggestion,
    task_verb_finding,
)
from app.domain.coach.reading import (
    Lead,
    Reading,
    counted_output,
    increased_output,
    metric_near_number,
    milestone_in,
    object_words,
    outcome_clause,
    read,
    verb_of,
)
from app.domain.coach.words import (
    ALNUM_RE,
    CAPABILITY_RE,
    DEPLOY_COUNT_RE,
    DEPLOY_FREQUENCY_RE,
    DEPLOY_PAIRED_RE,
    DEPLOYS,
    DONE_RE,
    EVENT_NOUNS,
    EVERYONE_DOES_RE,
    INCREASE_VERBS,
    METRIC_RE,
    MILESTONE_VERBS,
    NOMINAL_RE,
    OBJECTIVE_NUMBER_WORDS_RE,
    OUTCOME_VERBS,
    QUALITY_RATE_RE,
    QUALITY_WORDS,
    RATE_RE,
    TASK_VERBS,
    VANITY_GATE_RE,
    VANITY_RES,
    WITHIN_TIME_RE,
    WORD_RE,
    WORK_ITEMS_RE,
)


def _task_finding(reading: Reading) -> Finding | None:
    """The task_like finding, or None; see the package docstring for what wins over what."""
    lead = reading.lead
    if lead is None:
        return None
    if lead.verb in OUTCOME_VERBS:
        return _task_after_outcome_verb(reading, lead)
    if lead.verb in TASK_VERBS:
        return _task_after_task_verb(reading, lead)
    return _task_in_noun_phrase(reading, lead)


def _task_after_task_verb(reading: Reading, lead: Lead) -> Finding | None:
    """A task verb makes a task, unless a measured outcome comes with it."""
    text, verb = reading.text, lead.verb
    if verb == "deploy" and DEPLOY_FREQUENCY_RE.match(text, lead.start):
        return None  # "Deploy daily with…": a DORA rate, judged as a vanity metric instead
    if metric_near_number(reading, lead.end) or outcome_clause(reading, lead.end):
        return None
    if QUALITY_RATE_RE.search(text, lead.end):
        return None  # "Resolve 90% of tickets within 24 hours": a service level
    return task_verb_finding(reading.shown[lead.start : lead.end], verb)


def _task_in_noun_phrase(reading: Reading, lead: Lead) -> Finding | None:
    """No verb at the start: a noun phrase. Look for a deliverable, done or counted."""
    text, shown = reading.text, reading.shown
    if outcome_clause(reading, lead.start):
        return None
    if metric_near_number(reading, lead.start):
        return None
    nominal = NOMINAL_RE.match(text, lead.start)
    if nominal:
        return finding(
            Code.task_like,
            f"Names a piece of work (“{shown[nominal.start() : nominal.end()]}”), not a result "
            "to reach.",
            task_suggestion(None),
        )
    if not reading.measured and CAPABILITY_RE.match(text, lead.start):
        return finding(
            Code.task_like,
            f"Describes a feature (“{quote(shown[lead.start :])}”): it says what will exist, "
            "not what will change.",
            "Ask how many people should use it and what it should change for them, e.g. "
            "“40% of weekly active teams export a report each month”.",
        )
    output = counted_output(reading, lead.start)
    if output:
        return counted_finding(output)
    done = DONE_RE.search(text, lead.start)
    if done and not WITHIN_TIME_RE.search(text):
        return finding(
            Code.task_like,
            f"Reads as work done (“{shown[done.start() : done.end()]}”): it says the work is "
            "finished, not what changed.",
            task_suggestion(None),
        )
    if reading.measured:
        return None
    return _unmeasured_deliverable(reading, lead)


def _unmeasured_deliverable(reading: Reading, lead: Lead) -> Finding | None:
    """An unmeasured noun phrase naming a milestone or a deliverable, or None."""
    milestone = milestone_in(reading, lead.start)
    if milestone:
        return milestone_finding(milestone)
    words = WORD_RE.findall(reading.text, lead.start)
    # A deliverable's name is a few ordinary words ("Dark mode", "Slack integration").
    short = 0 < len(words) <= 4 and max(map(len, words)) <= 30
    short = short and not set(words) & QUALITY_WORDS
    if short and not METRIC_RE.search(reading.text) and not any(verb_of(w) for w in words):
        return finding(
            Code.task_like,
            f"Names a deliverable (“{quote(reading.shown[lead.start :])}”), not a result to reach.",
            task_suggestion(None),
        )
    return None


def _task_after_outcome_verb(reading: Reading, lead: Lead) -> Finding | None:
    """Outcome verbs make a task only with output, events, tickets or a milestone as object."""
    text, verb = reading.text, lead.verb
    if verb == "hold" and set(object_words(text, lead.end)) & EVENT_NOUNS:
        return task_verb_finding(reading.shown[lead.start : lead.end], verb)
    closes_items = verb in ("close", "resolve") and "%" not in text
    if closes_items and WORK_ITEMS_RE.search(text, lead.end, lead.end + 40):
        return task_verb_finding(reading.shown[lead.start : lead.end], verb)
    if verb in INCREASE_VERBS:
        output = increased_output(reading, lead.end)
        if output:
            return counted_finding(output)
    if verb in ("make", "get", "have", "do"):
        output = counted_output(reading, lead.end)
        if output:
            return counted_finding(output)
    if reading.measured:
        return None
    if verb in MILESTONE_VERBS:
        milestone = milestone_in(reading, lead.end)
        if milestone:
            return milestone_finding(milestone)
    if verb in ("have", "get", "ensure", "make") and EVERYONE_DOES_RE.match(text, lead.start):
        return task_verb_finding(reading.shown[lead.start : lead.end], None)
    return None


def _no_measure_finding(reading: Reading) -> Finding:
    lead = reading.lead
    if lead is not None and lead.verb in OUTCOME_VERBS:
        verb = reading.shown[lead.start : lead.end].capitalize()
        message = (
            f"Says “{verb}” but not how much: there is no number, threshold or target to "
            "check at the end of the cycle."
        )
    else:
        message = (
            f"“{quote(reading.shown)}” has no number, threshold or target to check at the "
            "end of the cycle."
        )
    return finding(
        Code.no_measure,
        message,
        f"Name the metric, where it is now and where it should get to, e.g. {EXAMPLE_OUTCOME}.",
    )


def _vanity_finding(reading: Reading) -> Finding | None:
    text = reading.text
    deploys = None
    if "deploy" in text or "release frequency" in text:
        deploys = DEPLOY_COUNT_RE.search(text)
        if deploys is None and reading.lead is not None and reading.lead.verb == "deploy":
            deploys = DEPLOY_FREQUENCY_RE.match(text, reading.lead.start)
    if deploys and not DEPLOY_PAIRED_RE.search(text):
        term = reading.shown[deploys.start() : deploys.end()]
        return finding(
            Code.vanity_metric,
            f"Counts “{quote(term)}” alone: deploying more often says little unless failures "
            "stay rare too.",
            VANITY_SUGGESTIONS[DEPLOYS],
        )
    if not VANITY_GATE_RE.search(text):
        return None
    for keywords, pattern, family in VANITY_RES:
        if not any(keyword in text for keyword in keywords):
            continue
        found = pattern.search(text)
        if found is None:
            continue
        if RATE_RE.search(text):
            return None  # "visit-to-signup conversion", "share of page views that…": a ratio
        if found:
            term = reading.shown[found.start() : found.end()]
            return finding(
                Code.vanity_metric,
                f"Targets “{quote(term)}”, a number that grows by itself or is easy to game "
                "without anything getting better for users.",
                VANITY_SUGGESTIONS[family],
            )
    return None


def _check_key_result(text: str) -> list[Finding]:
    """Findings on a key result's wording: task_like, no_measure, vanity_metric, in that order.

    A task gets `task_like` without `no_measure` (one "so what?" is enough). Blank text
    (or only emoji and punctuation) gets none: the form asks for a title. Never raises.
    """
    reading = read(text)
    if not ALNUM_RE.search(reading.text):
        return []  # blank, or only emoji and punctuation: nothing to read
    findings: list[Finding] = []
    task = _task_finding(reading)
    if task is not None:
        findings.append(task)
    elif not reading.measured:
        findings.append(_no_measure_finding(reading))
    vanity = _vanity_finding(reading)
    if vanity is not None:
        findings.append(vanity)
    return findings


def _check_objective(text: str) -> list[Finding]:
    """Findings on an objective's wording: objective_is_metric when it is a number to hit.

    Dates, ranks and names ("by Q3", "#1", "SOC 2") are not numbers here. Never raises.
    """
    reading = read(text)
    trigger: str | None = None
    if reading.numbers:
        value = reading.numbers[0]
        trigger = reading.shown[value.start : value.end]
    else:
        found = OBJECTIVE_NUMBER_WORDS_RE.search(reading.text)
        if found:
            trigger = reading.shown[found.start() : found.end()]
    if trigger is None:
        return []
    return [
        finding(
            Code.objective_is_metric,
            f"Is a number to hit (“{quote(trigger)}”): an objective names the change you "
            "want, and its key results carry the numbers.",
            f"Move “{quote(reading.shown)}” into a key result, and write the objective as "
            "the direction it serves, e.g. “Make onboarding effortless for new teams”.",
        )
    ]


_DEFAULT_THRESHOLDS = Thresholds()


def check_team(
    objectives: Sequence[ObjectiveInput], thresholds: Thresholds = _DEFAULT_THRESHOLDS
) -> TeamReport:
    """All findings for a team's objectives in one cycle, shaped like `objectives`.

    `team` holds too_many_objectives; each objective gets objective_is_metric, kr_count and
    no_owner; each key result gets check_key_result's findings and no_owner.
    """
    team: tuple[Finding, ...] = ()
    if len(objectives) > thresholds.max_objectives:
        team = (
            finding(
                Code.too_many_objectives,
                f"{len(objectives)} objectives this cycle is more than "
                f"{thresholds.max_objectives}: with everything a priority, nothing is.",
                f"Keep the {thresholds.max_objectives} that matter most this cycle and park "
                "the others for the next one.",
            ),
        )
    per_objective: list[tuple[Finding, ...]] = []
    per_key_result: list[tuple[tuple[Finding, ...], ...]] = []
    for objective in objectives:
        findings = list(check_objective(objective.title))
        count = kr_count_finding(objective.title, len(objective.key_results), thresholds)
        if count is not None:
            findings.append(count)
        if not (objective.owner or "").strip():
            findings.append(owner_finding("objective", objective.title))
        per_objective.append(tuple(findings))
        krs: list[tuple[Finding, ...]] = []
        for kr in objective.key_results:
            kr_findings = check_key_result(kr.title)
            if not (kr.owner or "").strip():
                kr_findings.append(owner_finding("key result", kr.title))
            krs.append(tuple(kr_findings))
        per_key_result.append(tuple(krs))
    return TeamReport(team=team, objectives=tuple(per_objective), key_results=tuple(per_key_result))


# Lists and digests re-check the same titles again and again; the checks are pure, so
# remember recent answers (findings are frozen; each caller gets its own list).
@functools.lru_cache(maxsize=8192)
def _cached_key_result(text: str) -> tuple[Finding, ...]:
    return tuple(_check_key_result(text))


@functools.lru_cache(maxsize=2048)
def _cached_objective(text: str) -> tuple[Finding, ...]:
    return tuple(_check_objective(text))


def check_key_result(text: str) -> list[Finding]:
    """Findings on a key result's wording: task_like, no_measure, vanity_metric, in that order.

    Never raises; blank text has no findings. See `_check_key_result` for the rules.
    """
    return list(_cached_key_result(text))


def check_objective(text: str) -> list[Finding]:
    """Findings on an objective's wording: objective_is_metric when it is a number to hit."""
    return list(_cached_objective(text))
