"""Read a key result's wording to prefill its form: kind, start, target and unit.

The person can correct every field, so precision beats recall: when the text is unclear,
a field stays None rather than holding a guess. Never raises for any string.

How it works: numbers are found first, with their unit and multiplier ("$10k", "4h", "60%"),
and numbers that are names, dates or rates ("p95", "SOC 2", "by 2026", "per 1,000") are
dropped. Each kept number is replaced by a placeholder, and the phrases around the
placeholders ("from A to B", "to under B", "B or more") decide which number is which.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from app.domain.types import KRKind

# A key result is a sentence; beyond this it is not one, and the regexes stay cheap.
_MAX_TEXT = 2_000


@dataclass(frozen=True)
class ParsedTarget:
    """What could be read from a key result's text; None where unsure."""

    kind: KRKind | None
    start: float | None
    target: float | None
    unit: str  # "" when none


_NOTHING = ParsedTarget(kind=None, start=None, target=None, unit="")


# --- units -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    name: str  # as stored on the key result
    family: str  # only units of one family can be compared
    scale: int  # size relative to the family's smallest unit (durations in ms)


def _units(names: str, unit: _Unit) -> dict[str, _Unit]:
    return {spelling: unit for spelling in names.split()}


_MS, _SECOND, _MINUTE, _HOUR, _DAY, _WEEK = 1, 1_000, 60_000, 3_600_000, 86_400_000, 604_800_000

# Abbreviations keep their short form, spelled-out words their plural ("day" → "days").
_UNITS: dict[str, _Unit] = {
    **_units("% percent pct", _Unit("%", "%", 1)),
    "per cent": _Unit("%", "%", 1),
    **_units("pp", _Unit("pp", "pp", 1)),
    "percentage points": _Unit("pp", "pp", 1),
    "percentage point": _Unit("pp", "pp", 1),
    **_units("pts pt", _Unit("pts", "pts", 1)),
    **_units("points point", _Unit("points", "pts", 1)),
    **_units("x", _Unit("x", "x", 1)),
    **_units("$ usd dollars dollar", _Unit("$", "$", 1)),
    **_units("€ eur euros euro", _Unit("€", "€", 1)),
    **_units("£ gbp", _Unit("£", "£", 1)),
    **_units("ms msec msecs", _Unit("ms", "time", _MS)),
    **_units("milliseconds millisecond", _Unit("ms", "time", _MS)),
    **_units("s sec secs", _Unit("s", "time", _SECOND)),
    **_units("seconds second", _Unit("seconds", "time", _SECOND)),
    **_units("min mins", _Unit("min", "time", _MINUTE)),
    **_units("minutes minute", _Unit("minutes", "time", _MINUTE)),
    **_units("h hr hrs", _Unit("h", "time", _HOUR)),
    **_units("hours hour", _Unit("hours", "time", _HOUR)),
    **_units("d days day", _Unit("days", "time", _DAY)),
    **_units("wk wks weeks week", _Unit("weeks", "time", _WEEK)),
    # Months vary in length, so they are never converted to days.
    **_units("mo mos months month", _Unit("months", "months", 1)),
}
# "3 x faster", "5 d", "2 mo" are too ambiguous once a space separates them from the number.
_GLUED_ONLY_UNITS = frozenset({"x", "d", "mo", "mos", "pt"})
_PERIOD_UNITS = frozenset({"weeks", "months"})

_UNIT_RE = re.compile(
    r"(?P<space>\s)?(?P<unit>"
    + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
    + r")(?![a-z0-9])"
)
_MULTIPLIER_RE = re.compile(
    r"(?P<glued>k|mm|mn|m|bn|b)(?![a-z0-9])|\s(?P<word>thousand|million|billion)(?![a-z0-9])"
)
_MULTIPLIERS = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}


# Lower case "m"/"b" count as million/billion only after a currency symbol ("$2m").
_CASED_MULTIPLIERS = frozenset({"m", "b"})


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- numbers ---------------------------------------------------------------------------------

# A number must stand on its own: "p95", "v2", "1.2.3", "24/7", "10:30", "#1" are not values.
_NUMBER_RE = re.compile(
    r"(?<![\w.,/:#'’–—-])(?P<neg>-)?(?:(?P<currency>[$€£])\s?)?(?P<neg2>-)?"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?P<frac>\.[0-9]+)?"
)
# What may not follow a number: more digits after a separator, or letters glued to it.
_GLUED_AFTER_RE = re.compile(r"\w|[.,:][0-9]|[-–—/]\w")
_PREVIOUS_WORD_RE = re.compile(r"([\w.'’-]+)\W*$")
_NEXT_WORD_RE = re.compile(r"\W*([a-z]+)")

# Words that make the next number part of a name: "SOC 2", "sev 1", "phase 3", "top 10".
_NAME_WORDS = _word_set(
    "soc iso pci sev p priority level tier phase step stage version release v gen "
    "generation web series round wave type class category top rank no nr"
)
# "by 5%" is a change, not a target; "by 2026" is a date. "per 1,000" is a rate's base.
_SKIP_AFTER_WORDS = frozenset({"by", "per"})
_MONTHS = _word_set(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_YEAR_CONTEXT = _word_set(
    "in by of until till before after during since for end early late mid through fy "
    "q1 q2 q3 q4 h1 h2"
)
# "in 6 weeks", "over the next 2 quarters": a time window, not a value.
_WINDOW_WORDS = _word_set("in within over next during for after every first last past")
_PERIOD_WORDS = _word_set(
    "week weeks month months quarter quarters year years sprint sprints cycle cycles"
)


@dataclass(frozen=True)
class _Number:
    start: int
    end: int
    value: Decimal
    unit: _Unit | None
    plus: bool  # written "45+", i.e. "45 or more"


def _read_number(text: str, cased: str, match: re.Match[str]) -> _Number | None:
    """The number starting at `match`, with its multiplier and unit; None if not a value.

    `text` is lower case; `cased` is the same text as written, for "2M" versus "10m".
    """
    end = match.end()
    multiplier = 1
    found = _MULTIPLIER_RE.match(text, end)
    if found:
        glued = found["glued"]
        if glued in _CASED_MULTIPLIERS and not match["currency"] and cased[end].islower():
            return None  # "10m" may be minutes (or metres): unclear, so not a value
        multiplier = _MULTIPLIERS[glued or found["word"]]
        end = found.end()

    unit: _Unit | None = None
    currency = match["currency"]
    if currency:
        unit = _UNITS[currency]
    found = _UNIT_RE.match(text, end)
    if found:
        spelling = found["unit"]
        candidate = _UNITS[spelling]
        allowed = not found["space"] or spelling not in _GLUED_ONLY_UNITS
        if allowed and (unit is None or unit == candidate):
            unit = candidate
            end = found.end()

    plus = text.startswith("+", end)
    if plus:
        end += 1
    if _GLUED_AFTER_RE.match(text, end):
        return None

    digits = (match["int"] or "0").replace(",", "") + (match["frac"] or "")
    value = Decimal(digits) * multiplier
    if match["neg"] or match["neg2"]:
        value = -value
    if not value.is_finite() or abs(value) > Decimal("1e15"):
        return None
    return _Number(start=match.start(), end=end, value=value, unit=unit, plus=plus)


def _is_context_noise(text: str, number: _Number, match: re.Match[str]) -> bool:
    """True for numbers that name, date or frame something rather than measure it."""
    before = _PREVIOUS_WORD_RE.search(text, max(0, number.start - 40), number.start)
    previous = before[1].strip(".'’-") if before else ""
    if previous in _NAME_WORDS or previous in _SKIP_AFTER_WORDS:
        return True
    if previous == "of" and text[max(0, number.start - 8) : number.start].rstrip().endswith(
        "out of"
    ):
        return True  # "4.5 out of 5": the 5 is the scale

    plain_integer = (
        number.unit is None
        and not match["frac"]
        and "," not in match["int"]
        and number.end == match.end()
    )
    if plain_integer:
        value = int(number.value)
        if previous in _MONTHS and (1 <= value <= 31 or 1900 <= value <= 2100):
            return True  # "March 31", "Dec 2026"
        if previous in _YEAR_CONTEXT and 1900 <= value <= 2100:
            return True  # "in 2026", "Q4 2026"

    if previous in _WINDOW_WORDS:
        if number.unit is not None and number.unit.name in _PERIOD_UNITS:
            return True
        after = _NEXT_WORD_RE.match(text, number.end)
        if after and after[1] in _PERIOD_WORDS:
            return True
    return False


def _find_numbers(text: str, cased: str) -> list[_Number]:
    numbers: list[_Number] = []
    for match in _NUMBER_RE.finditer(text):
        number = _read_number(text, cased, match)
        if number is not None and not _is_context_noise(text, number, match):
            numbers.append(number)
    return numbers


# --- phrases ---------------------------------------------------------------------------------

_P = r"\x00(?P<{}>\d+)\x00"  # a placeholder for the number with that index

_ABOVE_WORDS = (
    r"at\s+least|no\s+less\s+than|no\s+fewer\s+than|not\s+less\s+than|"
    r"(?<!no\s)(?<!not\s)(?:more|greater|higher)\s+than|above|over|minimum(?:\s+of)?|min"
)
_BELOW_WORDS = (
    r"at\s+most|no\s+more\s+than|not\s+more\s+than|(?:less|fewer|lower)\s+than|"
    r"below|under|maximum(?:\s+of)?|max"
)
_ABOVE = rf"(?:\b(?:{_ABOVE_WORDS})\b|>=|(?<![-=])>)"
_BELOW = rf"(?:\b(?:{_BELOW_WORDS})\b|<=|<(?![-=]))"
_ABOVE_AFTER = r"(?:or|and)\s+(?:more|higher|above|greater|better|up)\b"
_BELOW_AFTER = r"(?:or|and)\s+(?:less|fewer|lower|below|under)\b"

_FROM_RE = re.compile(r"\bfrom\s*" + _P.format("idx"))
_TO_RE = re.compile(
    r"(?:" + _P.format("prev") + r"\s*)?\bto\s*"
    rf"(?:(?P<above>{_ABOVE})|(?P<below>{_BELOW}))?\s*" + _P.format("idx")
)
_ARROW_RE = re.compile(_P.format("a") + r"\s*(?:->|→|=>|⟶|➔)\s*" + _P.format("b"))
_ABOVE_RE = re.compile(
    rf"{_ABOVE}\s*" + _P.format("idx") + "|" + _P.format("idx2") + rf"\s*{_ABOVE_AFTER}"
)
_BELOW_RE = re.compile(
    rf"{_BELOW}\s*" + _P.format("idx") + "|" + _P.format("idx2") + rf"\s*{_BELOW_AFTER}"
)
_ANY_COMPARATOR_RE = re.compile(rf"{_ABOVE}|{_BELOW}|{_ABOVE_AFTER}|{_BELOW_AFTER}")

# --- verbs -----------------------------------------------------------------------------------

_INCREASE, _DECREASE, _REACH, _KEEP = "increase", "decrease", "reach", "keep"

_VERB_FORMS = {
    _INCREASE: (
        "raise raises raised raising increase increases increased increasing grow grows grew "
        "grown growing improve improves improved improving boost boosts boosted boosting "
        "lift lifts lifted lifting double doubles doubled doubling triple triples tripled "
        "tripling quadruple quadruples quadrupled quadrupling expand expands expanded "
        "expanding maximize maximizes maximized maximizing maximise maximises maximised "
        "maximising"
    ),
    _DECREASE: (
        "reduce reduces reduced reducing cut cuts cutting lower lowers lowered lowering "
        "decrease decreases decreased decreasing drop drops dropped dropping shrink shrinks "
        "shrank shrunk shrinking halve halves halved halving minimize minimizes minimized "
        "minimizing minimise minimises minimised minimising slash slashes slashed slashing "
        "trim trims trimmed trimming"
    ),
    # Reaching says "up to a number", but says nothing without one ("reach GA").
    _REACH: (
        "reach reaches reached reaching hit hits hitting achieve achieves achieved achieving "
        "attain attains attained attaining"
    ),
    _KEEP: (
        "keep keeps keeping kept maintain maintains maintained maintaining stay stays stayed "
        "staying hold holds holding held sustain sustains sustained sustaining remain remains "
        "remained remaining preserve preserves preserved preserving"
    ),
}
_VERBS = {form: group for group, forms in _VERB_FORMS.items() for form in forms.split()}
_FACTORS = {
    "doubl": Decimal(2),
    "tripl": Decimal(3),
    "quadrupl": Decimal(4),
    "halv": Decimal("0.5"),
}
# Hyphenated words are nouns or adjectives: "drop-off", "cut-over", "lift-off".
_WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")
# Shorter words are too often other words one letter away ("power" / "lower").
_MIN_TYPO_LENGTH = 6


@dataclass(frozen=True)
class _Verbs:
    direction: str | None  # _INCREASE or _DECREASE when the change verbs agree
    reach: bool
    keep: bool
    factor: Decimal | None  # "double" → 2, "halve" → 0.5


def _read_verbs(skeleton: str) -> _Verbs:
    # "lower than" is a comparison, not the verb "lower".
    words = _WORD_RE.findall(_ANY_COMPARATOR_RE.sub(" ", skeleton))
    groups = {_VERBS[word] for word in words if word in _VERBS}
    if not groups and words:
        typo = _correct_typo(words[0])
        if typo:
            words = [typo]
            groups = {_VERBS[typo]}
    directions = groups & {_INCREASE, _DECREASE}
    factors = {
        factor
        for word in words
        if word in _VERBS
        for stem, factor in _FACTORS.items()
        if word.startswith(stem)
    }
    return _Verbs(
        direction=directions.pop() if len(directions) == 1 else None,
        reach=_REACH in groups,
        keep=_KEEP in groups,
        factor=factors.pop() if len(factors) == 1 else None,
    )


def _correct_typo(word: str) -> str | None:
    """The one verb form `word` is a single typo away from ("incrase" → "increase")."""
    if len(word) < _MIN_TYPO_LENGTH:
        return None
    matches = {
        form for form in _VERBS if len(form) >= _MIN_TYPO_LENGTH and _within_one_edit(word, form)
    }
    groups = {_VERBS[form] for form in matches}
    return min(matches) if len(groups) == 1 else None


def _within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, change or swap."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) <= 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


# --- putting it together ---------------------------------------------------------------------


def _normalise(text: str) -> str:
    """The text in NFKC with single spaces; lower() of it keeps every index in place."""
    text = unicodedata.normalize("NFKC", text[: _MAX_TEXT * 2])[:_MAX_TEXT]
    # "İ" is the one character whose lower case is two characters long.
    text = text.replace("İ", "I").replace("≥", ">=").replace("≤", "<=").replace("−", "-")
    # Control characters would collide with the placeholders.
    return re.sub(r"[\s\x00-\x1f\x7f]+", " ", text).strip()


def _skeleton(text: str, numbers: list[_Number]) -> str:
    parts: list[str] = []
    position = 0
    for index, number in enumerate(numbers):
        parts.append(text[position : number.start])
        parts.append(f" \x00{index}\x00 ")
        position = number.end
    parts.append(text[position:])
    return "".join(parts)


def _unit_name(unit: _Unit | None) -> str:
    return unit.name if unit else ""


def _pair(start: _Number, target: _Number) -> tuple[float | None, float, str]:
    """Start and target in one unit; start is None when their units cannot be compared."""
    a, b = start.unit or target.unit, target.unit or start.unit
    if a is None or b is None:
        return float(start.value), float(target.value), ""
    if a.family != b.family:
        return None, float(target.value), b.name
    if a.scale == b.scale:
        return float(start.value), float(target.value), a.name
    smaller = min(a.scale, b.scale)
    unit = a if a.scale == smaller else b
    return (
        float(start.value * a.scale / smaller),
        float(target.value * b.scale / smaller),
        unit.name,
    )


def _kind_between(start: float | None, target: float, verbs: _Verbs) -> KRKind | None:
    # The numbers decide: "improve latency from 300 to 200 ms" is a decrease.
    if start is None or start == target:
        return KRKind(verbs.direction) if verbs.direction else None
    return KRKind.increase if target > start else KRKind.decrease


def _kind_with_bound(above: bool, verbs: _Verbs) -> KRKind:
    """Kind for "above/below X": held with keep (or no verb), otherwise moved past it."""
    if verbs.keep or not (verbs.direction or verbs.reach):
        return KRKind.stay_above if above else KRKind.stay_below
    # The comparison beats the verb: "improve latency to under 200 ms" is a decrease.
    return KRKind.increase if above else KRKind.decrease


def parse_key_result(text: str) -> ParsedTarget:
    """Best-effort kind, start, target and unit from a key result's wording.

    "Raise onboarding completion from 60% to 85%" → increase, 60, 85, "%".
    Fields it is unsure of are None (unit ""); it never raises.
    """
    cased = _normalise(text)
    if not cased:
        return _NOTHING
    text = cased.lower()
    numbers = _find_numbers(text, cased)
    skeleton = _skeleton(text, numbers)
    verbs = _read_verbs(skeleton)
    change_kind = KRKind(verbs.direction) if verbs.direction else None

    froms = [numbers[int(m["idx"])] for m in _FROM_RE.finditer(skeleton)]
    tos = list(_TO_RE.finditer(skeleton))
    arrows = list(_ARROW_RE.finditer(skeleton))
    if len(froms) > 1 or len(tos) > 1 or len(arrows) > 1:
        # Several key results in one sentence: which numbers belong together is a guess.
        return ParsedTarget(change_kind, None, None, "")

    if tos:
        return _parse_to(numbers, tos[0], froms[0] if froms else None, verbs)
    if arrows:
        first, second = numbers[int(arrows[0]["a"])], numbers[int(arrows[0]["b"])]
        start_value, target_value, unit = _pair(first, second)
        kind = _kind_between(start_value, target_value, verbs)
        return ParsedTarget(kind, start_value, target_value, unit)
    if froms:
        # "double signups from 200": the target follows; otherwise only the start is known.
        base = froms[0]
        scaled = float(base.value * verbs.factor) if verbs.factor else None
        return ParsedTarget(change_kind, float(base.value), scaled, _unit_name(base.unit))

    bounded = _parse_bounds(numbers, skeleton, verbs)
    if bounded is not None:
        return bounded
    if len(numbers) == 1:
        return _parse_one_number(numbers[0], verbs, change_kind)
    return ParsedTarget(change_kind, None, None, "")


def _parse_bounds(numbers: list[_Number], skeleton: str, verbs: _Verbs) -> ParsedTarget | None:
    """Sentences with "above/below X" (or "X+"); None when there is no such bound."""
    bounds: dict[int, bool] = {}  # number index → True for "above", False for "below"
    conflicting = False
    for above, pattern in ((True, _ABOVE_RE), (False, _BELOW_RE)):
        for found in pattern.finditer(skeleton):
            index = int(found["idx"] or found["idx2"])
            conflicting |= bounds.setdefault(index, above) != above
    for index, number in enumerate(numbers):
        if number.plus:
            conflicting |= not bounds.setdefault(index, True)
    if conflicting or len(bounds) > 1:
        return _NOTHING  # "NPS above 40 and churn below 2%": two key results in one
    if not bounds:
        return None
    ((index, above),) = bounds.items()
    target = numbers[index]
    kind = _kind_with_bound(above, verbs)
    return ParsedTarget(kind, None, float(target.value), _unit_name(target.unit))


def _parse_one_number(number: _Number, verbs: _Verbs, change_kind: KRKind | None) -> ParsedTarget:
    """Sentences with a single number and no from, to or bound."""
    value, unit = float(number.value), _unit_name(number.unit)
    if verbs.reach or not (verbs.direction or verbs.keep):
        # "Reach 1,200 customers", "Hire 3 SREs": a count to get up to.
        return ParsedTarget(KRKind.increase, None, value, unit)
    if not verbs.direction:
        # "Maintain 99.9% uptime": a level to hold, but above or below is unclear.
        return ParsedTarget(None, None, value, unit)
    # "Increase revenue 20%", "cut costs 3x": more likely a change than a target.
    return ParsedTarget(change_kind, None, None, "")


def _parse_to(
    numbers: list[_Number], to: re.Match[str], start: _Number | None, verbs: _Verbs
) -> ParsedTarget:
    """Sentences with "to [under|over] B", with or without "from A"."""
    target = numbers[int(to["idx"])]
    if start is None and to["prev"] is not None:
        # "grow teams 40 to 120" is a change; "onboard 5 to 10 customers" is a range.
        if not (verbs.direction or verbs.factor):
            return _NOTHING
        start = numbers[int(to["prev"])]
    if start is not None:
        start_value, target_value, unit = _pair(start, target)
        if start_value is not None:
            between = _kind_between(start_value, target_value, verbs)
            return ParsedTarget(between, start_value, target_value, unit)
    else:
        target_value, unit = float(target.value), _unit_name(target.unit)

    above, below = bool(to["above"]) or target.plus, bool(to["below"])
    kind: KRKind | None
    if above != below:
        if verbs.keep and not verbs.direction:
            kind = KRKind.stay_above if above else KRKind.stay_below  # "keep it to under 5"
        else:
            # "To under" is a move, and beats the verb: "improve latency to under 200 ms".
            kind = KRKind.increase if above else KRKind.decrease
    elif verbs.direction:
        kind = KRKind(verbs.direction)
    elif verbs.reach and not verbs.keep:
        kind = KRKind.increase
    else:
        kind = None  # "get NPS to 50", "keep churn to 2%": the direction is not said
    return ParsedTarget(kind, None, target_value, unit)


_FIELD_RE = re.compile(
    r"(?P<neg>-)?\s*(?P<currency>[$€£])?\s*(?P<neg2>-)?\s*"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?P<frac>\.[0-9]+)?"
)


def parse_number(text: str) -> float | None:
    """A number typed into a form field: "85%", "1,200", "1.5k", "2M", "$3.5", "-3".

    Units and currency symbols around the number are allowed and dropped; anything else
    ("", "abc", "1..2", "3 apples") gives None.
    """
    cased = _normalise(text)
    text = cased.lower()
    match = _FIELD_RE.match(text)
    if not match or not (match["int"] or match["frac"]):
        return None
    if match["neg"] and match["neg2"]:
        return None
    number = _read_number(text, cased, match)
    if number is None or text[number.end :].strip():
        return None
    return float(number.value)
