"""Reading a key result's wording to prefill its form."""

import random
import string

import pytest

from app.domain.parse import ParsedTarget, parse_key_result, parse_number
from app.domain.types import KRKind

inc, dec = KRKind.increase, KRKind.decrease
above, below = KRKind.stay_above, KRKind.stay_below

# text → (kind, start, target, unit)
KEY_RESULTS: list[tuple[str, tuple[KRKind | None, float | None, float | None, str]]] = [
    # the brief's examples
    ("Raise onboarding completion from 60% to 85%", (inc, 60, 85, "%")),
    ("Cut time to first value from 3 days to 1 day", (dec, 3, 1, "days")),
    ("Reduce p95 latency to under 200 ms", (dec, None, 200, "ms")),
    ("Reduce build time from 4h to 30min", (dec, 240, 30, "min")),
    ("Keep NPS of 45 or more", (above, None, 45, "")),
    ("NPS of 45 or more", (above, None, 45, "")),
    ("Keep churn below 2%", (below, None, 2, "%")),
    ("below 2% churn", (below, None, 2, "%")),
    ("Grow weekly active teams from 40 to 120", (inc, 40, 120, "")),
    ("Increase MRR from $10k to $25k", (inc, 10_000, 25_000, "$")),
    ("Reach 1,200 paying customers", (inc, None, 1200, "")),
    ("Hire 3 SREs", (inc, None, 3, "")),
    ("Launch the onboarding wizard", (None, None, None, "")),
    ("double signups", (inc, None, None, "")),
    # case, spacing, no verb
    ("   RAISE   completion FROM 60 %  TO 85 % ", (inc, 60, 85, "%")),
    ("from 40 to 120 weekly active teams", (inc, 40, 120, "")),
    ("from 5% to 3% monthly churn", (dec, 5, 3, "%")),
    ("", (None, None, None, "")),
    ("   ", (None, None, None, "")),
    # the numbers decide the direction, "to under" beats a vague verb
    ("Improve latency from 300ms to 200ms", (dec, 300, 200, "ms")),
    ("Improve p95 latency to under 200ms", (dec, None, 200, "ms")),
    ("Improve net promoter score from -10 to 20", (inc, -10, 20, "")),
    ("Grow active users to over 10k", (inc, None, 10_000, "")),
    ("Drop churn below 2%", (dec, None, 2, "%")),
    ("Reduce support tickets to fewer than 50 per week", (dec, None, 50, "")),
    # thresholds
    ("Maintain uptime of at least 99.9%", (above, None, 99.9, "%")),
    ("Keep error rate at most 0.5%", (below, None, 0.5, "%")),
    ("Keep p95 latency ≤ 300 ms", (below, None, 300, "ms")),
    ("Keep CSAT ≥ 4.5", (above, None, 4.5, "")),
    ("Keep cost per seat under €12", (below, None, 12, "€")),
    ("Keep churn lower than 2%", (below, None, 2, "%")),
    ("Keep weekly deploys at 10 or more", (above, None, 10, "")),
    ("Keep latency to under 200ms", (below, None, 200, "ms")),
    ("NPS 45+", (above, None, 45, "")),
    # units and multipliers
    ("Cut response time from 2 hours to 30 minutes", (dec, 120, 30, "minutes")),
    ("Cut deploy time from 2 min to 45s", (dec, 120, 45, "s")),
    ("Reduce MTTR from 4 hours to 45 minutes", (dec, 240, 45, "minutes")),
    ("Cut build time from 20 minutes to under 10", (dec, 20, 10, "minutes")),
    ("Grow ARR from $1.2M to $2M", (inc, 1_200_000, 2_000_000, "$")),
    ("Grow ARR from $1.2m to $2m", (inc, 1_200_000, 2_000_000, "$")),
    ("Reduce cloud spend from €40k to €30k", (dec, 40_000, 30_000, "€")),
    ("Lower cost per ticket from $12 to $8", (dec, 12, 8, "$")),
    ("Raise margin from 20 percent to 25 percent", (inc, 20, 25, "%")),
    ("Increase test coverage from 60 to 80%", (inc, 60, 80, "%")),
    ("Increase NPS from 30 to 45 points", (inc, 30, 45, "points")),
    ("Grow revenue to 1.5 million dollars", (inc, None, 1_500_000, "$")),
    ("Raise CSAT from 4.1 to 4.5", (inc, 4.1, 4.5, "")),
    # other shapes of "from A to B"
    ("Reduce churn to 2% (down from 5%)", (dec, 5, 2, "%")),
    ("Grow weekly active teams 40 → 120", (inc, 40, 120, "")),
    ("NPS 30 -> 45", (inc, 30, 45, "")),
    ("Increase weekly active teams 40 to 120", (inc, 40, 120, "")),
    ("Double weekly signups from 200", (inc, 200, 400, "")),
    ("Halve onboarding time from 10 days", (dec, 10, 5, "days")),
    ("Reduce onboarding drop-off from 40% to 20%", (dec, 40, 20, "%")),
    # numbers that are names, dates, windows or scales
    ("Reach 1,200 paying customers by Q4 2026", (inc, None, 1200, "")),
    ("Reduce sev 1 incidents from 6 to 2 per quarter", (dec, 6, 2, "")),
    ("Reduce incidents to 3 by 2026-03-31", (dec, None, 3, "")),
    ("Reduce churn to 2% by 2026", (dec, None, 2, "%")),
    ("Cut cost per 1,000 requests from $4 to $2", (dec, 4, 2, "$")),
    ("Raise CSAT to 4.5 out of 5", (inc, None, 4.5, "")),
    ("Hire 3 SREs in 2 quarters", (inc, None, 3, "")),
    ("Achieve SOC 2 compliance", (None, None, None, "")),
    ("Deliver 24/7 support", (None, None, None, "")),
    ("Ship 3rd party integrations", (None, None, None, "")),
    ("Ship v2 by March 31", (None, None, None, "")),
    ("Release 2.0 of the app", (None, None, None, "")),
    ("Reduce churn over 6 months", (dec, None, None, "")),
    # unclear, so left empty
    ("Increase conversion by 5%", (inc, None, None, "")),
    ("Grow revenue 3x", (inc, None, None, "")),
    ("Onboard 5 to 10 new customers", (None, None, None, "")),
    ("Keep NPS above 40 and churn below 2%", (None, None, None, "")),
    ("Reduce churn from 5% to 3% and grow NPS from 30 to 40", (None, None, None, "")),
    ("Reduce build time from 10m to 5m", (dec, None, None, "")),
    ("Get NPS to 50", (None, None, 50, "")),
    ("Maintain 99.9% uptime", (None, None, 99.9, "%")),
    ("Reach GA for the public API", (None, None, None, "")),
    # typos in the verb
    ("Incrase signups to 500", (inc, None, 500, "")),
    ("Reduse churn", (dec, None, None, "")),
    ("Power the new billing page", (None, None, None, "")),
]


@pytest.mark.parametrize(("text", "expected"), KEY_RESULTS, ids=[t for t, _ in KEY_RESULTS])
def test_parse_key_result_reads_kind_start_target_and_unit(
    text: str, expected: tuple[KRKind | None, float | None, float | None, str]
) -> None:
    kind, start, target, unit = expected
    assert parse_key_result(text) == ParsedTarget(kind=kind, start=start, target=target, unit=unit)


def test_parse_key_result_returns_plain_floats() -> None:
    parsed = parse_key_result("Increase MRR from $10k to $25k")
    assert type(parsed.start) is float
    assert type(parsed.target) is float


def test_parse_key_result_result_is_immutable() -> None:
    parsed = parse_key_result("Hire 3 SREs")
    with pytest.raises(AttributeError):
        parsed.target = 4  # type: ignore[misc]


# Also timed by tests/benchmarks/bench_parse.py.
HUGE_AND_ODD = {
    "letters": "x" * 1_000_000,
    "digits": "1" * 1_000_000,
    "repeated-from-to": "from 1 to " * 100_000,
    "commas": "1," * 500_000,
    "dashes": "-" * 100_000 + "5",
    "nul-bytes": "\x00 1 \x00 to \x00 2 \x00",
    "unicode": "Keep ≥≤→−–—İ½①٣ 5 ",
}


@pytest.mark.parametrize("text", list(HUGE_AND_ODD.values()), ids=list(HUGE_AND_ODD))
def test_parse_key_result_handles_huge_and_odd_input(text: str) -> None:
    assert isinstance(parse_key_result(text), ParsedTarget)


def test_parse_key_result_never_raises_on_random_text() -> None:
    rng = random.Random(20260101)
    alphabet = string.printable + "€£≥≤→−–½"
    words = [
        "from", "to", "under", "over", "at", "least", "or", "more", "keep", "reduce", "grow",
        "double", "by", "q4", "2026", "p95", "$10k", "4h", "30min", "%", "-", "+", "->", "per",
    ]  # fmt: skip
    for _ in range(2_000):
        if rng.random() < 0.5:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        else:
            pool = [*words, str(rng.randint(-50, 3000))]
            text = " ".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        parsed = parse_key_result(text)
        assert parsed.unit is not None
        assert parse_number(text) is None or isinstance(parse_number(text), float)


NUMBERS: list[tuple[str, float | None]] = [
    ("85", 85),
    ("85%", 85),
    ("85 %", 85),
    ("1,200", 1200),
    ("1.5k", 1500),
    ("2M", 2_000_000),
    ("$2m", 2_000_000),
    ("$3.5", 3.5),
    (" 40 ", 40),
    ("-3", -3),
    ("-$3", -3),
    ("$-3", -3),
    (".5", 0.5),
    ("1.1k", 1100),
    ("12€", 12),
    ("200 ms", 200),
    ("1.5 million", 1_500_000),
    ("45+", 45),
    ("", None),
    ("   ", None),
    ("abc", None),
    ("1..2", None),
    ("1.2.3", None),
    ("1,20", None),
    ("--3", None),
    ("3 apples", None),
    ("1e3", None),
    ("2m", None),
    ("9" * 30, None),
]


@pytest.mark.parametrize(("text", "expected"), NUMBERS, ids=[repr(t) for t, _ in NUMBERS])
def test_parse_number_reads_form_field_values(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected
