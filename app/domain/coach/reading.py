"""Reading a text as the coach does: bounded, lower case, its lead verb, its numbers."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from app.domain.coach.words import (
    ADVERBS,
    ANY_DIGIT_RE,
    CLAUSE_RE,
    COUNT_RE,
    COUNT_WORDS,
    DATE_WORDS,
    DIGIT_TOKEN_RE,
    FREQUENCY_RE,
    IRREGULAR,
    KNOWN_WORDS,
    LEAD_RE,
    METRIC_RE,
    MILESTONE_RE,
    NAME_WORDS,
    NUMBER_WORDS_RE,
    OUTCOME_VERBS,
    OUTPUT_NOUNS,
    PARTICIPLES,
    PREFIX_RE,
    RANK_RE,
    SKIP_WORDS,
    STOP_WORDS,
    SUFFIXES,
    TASK_PARTICLES,
    TASK_VERBS,
    VALUE_RE,
    WORD_RE,
    YEAR_RE,
)

# Longer texts are not sentences any more; the start decides, and the regexes stay cheap.
_MAX_CHARS = 1_000


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _typo_index() -> dict[str, frozenset[str]]:
    # Symmetric deletions: a word one edit from a verb shares a one-deletion form with it.
    index: dict[str, set[str]] = {}
    for verb in TASK_VERBS | OUTCOME_VERBS:
        if len(verb) < 5:
            continue  # "hire"/"hold"/"host" are one edit from too many other words
        for form in {verb} | _deletions(verb):
            index.setdefault(form, set()).add(verb)
    return {form: frozenset(verbs) for form, verbs in index.items()}


_TYPO_INDEX = _typo_index()


def _correct_typo(word: str) -> str | None:
    """The one verb `word` is a typo of ("lanch" → "launch"), or None when unsure."""
    if len(word) < 4 or len(word) > 16 or word in KNOWN_WORDS:
        return None
    verbs: set[str] = set()
    for form in {word} | _deletions(word):
        verbs.update(_TYPO_INDEX.get(form, ()))
    verbs = {v for v in verbs if abs(len(v) - len(word)) <= 1}
    if len(verbs) == 1:
        return verbs.pop()
    # "Increse" is one edit from "increase" and "increases": one family is still one verb.
    families = {v in TASK_VERBS for v in verbs}
    if verbs and len(families) == 1:
        return min(verbs, key=len)
    return None


def verb_of(word: str) -> str | None:
    """The base form of a known verb ("launched" → "launch"); None when it is no verb."""
    if word in KNOWN_WORDS:
        return word
    if word in IRREGULAR:
        return IRREGULAR[word]
    for suffix, replacement in SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)] + replacement
            if base in KNOWN_WORDS:
                return base
            # "shipped" → "ship", "cutting" → "cut"
            doubled = suffix in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2]
            if doubled and base[:-1] in KNOWN_WORDS:
                return base[:-1]
    return None


@dataclass(frozen=True)
class _Value:
    start: int
    end: int


def _numbers(text: str) -> list[_Value]:
    """Numbers in `text` that measure something: not names, versions, years or days."""
    values: list[_Value] = []
    if not ANY_DIGIT_RE.search(text):
        return values
    for match in DIGIT_TOKEN_RE.finditer(text):
        token = match.group()
        stripped = token.rstrip(".:'’")
        if not VALUE_RE.fullmatch(stripped) or stripped in ("24/7", "1:1", "1:1s"):
            continue
        if YEAR_RE.fullmatch(stripped):
            continue  # "2025 hiring plan", "by 2026"
        before = text[max(0, match.start() - 20) : match.start()].split()
        previous = before[-1].strip("#.,:;'’(") if before else ""
        if previous in NAME_WORDS or previous.startswith("#") or token.startswith("#"):
            continue
        if previous in DATE_WORDS and stripped.isdigit() and int(stripped) <= 31:
            continue  # "June 30"
        values.append(_Value(match.start(), match.end()))
    return values


def _has_measure(text: str, numbers: list[_Value]) -> bool:
    if numbers:
        return True
    return bool(
        NUMBER_WORDS_RE.search(text)
        or (("from " in text or "to " in text) and FREQUENCY_RE.search(text))
        or (
            ("#" in text or "top " in text or "number one" in text or "no." in text)
            and RANK_RE.search(text)
        )
    )


@dataclass(frozen=True)
class Lead:
    verb: str | None  # the base verb ("launch" for "lanch"), None when it is no known verb
    start: int
    end: int  # end of the verb and its particle ("set up")


@dataclass(frozen=True)
class Reading:
    shown: str  # the text as written, on one line and bounded
    text: str  # its lower case, with the same indices
    numbers: list[_Value]
    measured: bool
    lead: Lead | None


# Control characters would end up inside Slack messages; they are never content.
_CONTROL = {code: " " for code in (*range(32), *range(127, 160))}


def read(text: str) -> Reading:
    shown = " ".join(text[:_MAX_CHARS].translate(_CONTROL).split())
    lower = shown.lower()
    if len(lower) != len(shown):
        shown = lower  # a few characters change length in lower case ("İ"): quote lower case
    numbers = _numbers(lower)
    return Reading(
        shown=shown,
        text=lower,
        numbers=numbers,
        measured=_has_measure(lower, numbers),
        lead=_read_lead(lower),
    )


@functools.lru_cache(maxsize=4096)
def _lead_verb(word: str) -> str | None:
    # Cached: leads repeat a lot, and a typo lookup builds a word's deletions.
    return verb_of(word) or _correct_typo(word)


def _read_lead(text: str) -> Lead | None:
    prefix = PREFIX_RE.match(text)
    start = prefix.end() if prefix else 0
    match = LEAD_RE.match(text, start)
    if not match:
        return Lead(verb=None, start=start, end=start)  # "100% of services migrated"
    word, following = match.group(1), match.group(2)
    if word in ADVERBS and following:
        match = LEAD_RE.match(text, match.start(2))
        if not match:
            return None
        word, following = match.group(1), match.group(2)
    verb = _lead_verb(word)
    end = match.end(1)
    if verb in TASK_PARTICLES:
        if following == TASK_PARTICLES[verb]:
            end = match.end(2)
        elif verb not in OUTCOME_VERBS:
            verb = None  # "set" or "roll" alone is no task: "Set a new record for…"
    return Lead(verb=verb, start=match.start(1), end=end)


def object_words(text: str, start: int) -> list[str]:
    """The words naming what a verb acts on: "the number of blog posts published" → blog posts."""
    words: list[str] = []
    for word in WORD_RE.findall(text, start):
        if not words and (word in SKIP_WORDS or word in COUNT_WORDS or word[0].isdigit()):
            continue  # "the number of", "4 quarterly reviews": the object comes after
        if word in PARTICIPLES and not words:
            continue
        if word in STOP_WORDS or word in PARTICIPLES or word[0].isdigit() or len(words) == 4:
            break
        words.append(word)
    return words


def counted_output(reading: Reading, start: int) -> str | None:
    """The output counted right at `start` ("10 posts", "60 sales calls"), as written."""
    match = COUNT_RE.match(reading.text, start)
    if not match:
        return None
    words = match.group(1).split()
    for index, word in enumerate(words):
        if word in OUTPUT_NOUNS:
            end = match.start(1) + len(" ".join(words[: index + 1]))
            return reading.shown[match.start(1) : end]
    return None


def increased_output(reading: Reading, start: int) -> str | None:
    """The team's output an increase verb acts on ("the number of blog posts"), or None."""
    head = object_words(reading.text, start)
    for index, word in enumerate(head):
        if word in OUTPUT_NOUNS:
            if word == "team" and index != len(head) - 1:
                return None  # "team velocity", "team members using X"
            return " ".join(head[: index + 1])
    return None


# "Deliver 99.9% uptime", "$3M in qualified pipeline": a few words apart at most; further
# apart ("Run 5 interviews to understand churn"), the number counts something else.
_NEAR = 25


def metric_near_number(reading: Reading, start: int) -> bool:
    """An outcome metric close to a number after `start`: "Deliver 99.9% uptime"."""
    after = [value for value in reading.numbers if value.start >= start]
    if not after:
        return False
    for match in METRIC_RE.finditer(reading.text, start):
        for value in after:
            if value.start - match.end() <= _NEAR and match.start() - value.end <= _NEAR:
                return True
    return False


def outcome_clause(reading: Reading, start: int) -> bool:
    """A measured outcome clause after the work: "…, raising adoption from 20% to 35%"."""
    for match in CLAUSE_RE.finditer(reading.text, start):
        if any(value.start >= match.end() for value in reading.numbers):
            return True
    return False


def milestone_in(reading: Reading, start: int) -> str | None:
    """The milestone named after `start`, as written: "SOC 2 Type II certification"."""
    first = last = MILESTONE_RE.search(reading.text, start)
    if first is None:
        return None
    # Adjacent milestone words make one name: "SOC 2" + "Type II" + "certification".
    while last is not None:
        following = MILESTONE_RE.search(reading.text, last.end(), last.end() + 20)
        if following is None or following.start() - last.end() > 3:
            break
        last = following
    return reading.shown[first.start() : last.end() if last else first.end()]
