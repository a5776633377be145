"""What the coach says: the wording of each finding and its suggestion."""

from __future__ import annotations

from app.domain.coach.findings import Code, Finding, Severity, Thresholds
from app.domain.coach.words import (
    ATTENTION,
    CONTENT_VERBS,
    DEPLOYS,
    DOWNLOADS,
    EFFORT,
    EVENT_VERBS,
    INTERNAL_VERBS,
    PEOPLE_VERBS,
    RESEARCH_VERBS,
    USERS,
)

QUOTE_MAX = 60
EXAMPLE_OUTCOME = "“Raise onboarding completion from 60% to 85%”"
VANITY_SUGGESTIONS = {
    USERS: (
        "Count people who get value rather than everyone who ever signed up, e.g. "
        "“Grow weekly active teams from 40 to 120” or the activation rate."
    ),
    DOWNLOADS: (
        "Measure what happens after the install, e.g. “Raise 7-day retention of new "
        "installs from 20% to 30%” or the activation rate."
    ),
    ATTENTION: (
        "Measure what the attention leads to, e.g. “Raise visit-to-trial conversion from "
        "2% to 3%” or trials started from this channel."
    ),
    EFFORT: (
        "Measure what the work changes for users instead, e.g. lead time for changes, "
        "customer-reported bugs, or time to resolve a customer's issue."
    ),
    DEPLOYS: (
        "Pair it with stability, e.g. “Deploy daily with a change failure rate under 15%”, "
        "or track lead time for changes."
    ),
}


def quote(text: str) -> str:
    """Text for a “quote”: one line, at most `QUOTE_MAX` characters."""
    text = " ".join(text.split())
    if len(text) > QUOTE_MAX:
        text = text[: QUOTE_MAX - 1].rstrip() + "…"
    return text


def task_suggestion(verb: str | None) -> str:
    if verb in PEOPLE_VERBS:
        return (
            "Ask “so what?”: what will the new people change? Measure that, e.g. "
            "“Cut on-call pages per engineer from 12 to 4 a month”."
        )
    if verb in CONTENT_VERBS:
        return (
            "Ask “so what?”: who should read it, and what should they then do? Measure that, "
            "e.g. “Grow trials started from the blog from 40 to 100 a month”."
        )
    if verb in EVENT_VERBS:
        return (
            "Ask “so what?”: what should people do differently afterwards? Measure that, e.g. "
            "“Raise feature adoption among attendees from 20% to 40%”."
        )
    if verb in INTERNAL_VERBS:
        return (
            "Ask “so what?”: what gets better for users or the team once it is done? E.g. "
            "“Cut p95 latency from 800 ms to 300 ms” or “Cut monthly hosting cost by 20%”."
        )
    if verb in RESEARCH_VERBS:
        return (
            "Ask “so what?”: which decision or change should it lead to? Measure that "
            "change, e.g. “Cut trial drop-off at setup from 40% to 25%”."
        )
    return (
        "Ask “so what?”: what changes for users or the business once it is done? E.g. "
        f"{EXAMPLE_OUTCOME}."
    )


def finding(code: Code, message: str, suggestion: str) -> Finding:
    severity = Severity.info if code == Code.no_owner else Severity.warning
    return Finding(code=code, severity=severity, message=message, suggestion=suggestion)


def task_verb_finding(verb_as_written: str, verb: str | None) -> Finding:
    return finding(
        Code.task_like,
        f"Starts with “{quote(verb_as_written).capitalize()}”: it describes work to do, "
        "not a result to reach.",
        task_suggestion(verb),
    )


def counted_finding(noun: str) -> Finding:
    return finding(
        Code.task_like,
        f"Counts “{noun}”, which the team produces itself: more of them is output, not an outcome.",
        "Ask what they should change for users or the business, and count that instead, "
        "e.g. “Grow trials started from the blog from 40 to 100 a month”.",
    )


def milestone_finding(word: str) -> Finding:
    return finding(
        Code.task_like,
        f"Aims at a milestone (“{word}”): done or not done, it does not show what changed.",
        "Ask what the milestone unlocks and measure that, e.g. “Cut security review time "
        "in enterprise deals from 30 to 10 days”.",
    )


def owner_finding(what: str, title: str) -> Finding:
    return finding(
        Code.no_owner,
        f"The {what} “{quote(title)}” has no owner, so nobody is asked for its weekly update.",
        "Name one person who reports progress at the check-in; the whole team still owns "
        "the result.",
    )


def kr_count_finding(title: str, count: int, thresholds: Thresholds) -> Finding | None:
    low, high = thresholds.min_key_results, thresholds.max_key_results
    if count < low:
        return finding(
            Code.kr_count,
            f"“{quote(title)}” has {count} key result{'s' if count != 1 else ''}, fewer than "
            f"{low}: one number rarely shows whether an objective was reached.",
            "Add a key result that checks the first from another side, e.g. quality next "
            "to speed, or retention next to growth.",
        )
    if count > high:
        return finding(
            Code.kr_count,
            f"“{quote(title)}” has {count} key results, more than {high}: focus spreads thin "
            "and the weekly check-in gets long.",
            f"Keep the {high} that best show the objective was reached; the rest can be "
            "tasks or health metrics you watch.",
        )
    return None
