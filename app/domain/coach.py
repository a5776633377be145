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

Everything is regular expressions and word sets over the first `_MAX_CHARS` characters,
built once at import; checks never raise.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    """What a finding is about."""

    task_like = "task_like"
    no_measure = "no_measure"
    vanity_metric = "vanity_metric"
    objective_is_metric = "objective_is_metric"
    too_many_objectives = "too_many_objectives"
    kr_count = "kr_count"
    no_owner = "no_owner"


class Severity(StrEnum):
    """How loudly a finding is shown; neither blocks saving."""

    warning = "warning"
    info = "info"


@dataclass(frozen=True)
class Finding:
    """One piece of advice: why (one sentence quoting the trigger) and what to try."""

    code: Code
    severity: Severity
    message: str
    suggestion: str

    def as_dict(self) -> dict[str, str]:
        """The finding as plain strings, for JSON."""
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class Thresholds:
    """A team's limits on how many objectives and key results keep it focused."""

    max_objectives: int = 3
    min_key_results: int = 2
    max_key_results: int = 4


@dataclass(frozen=True)
class KeyResultInput:
    """A key result to check: its title and owner (a Slack user id, or None)."""

    title: str
    owner: str | None = None


@dataclass(frozen=True)
class ObjectiveInput:
    """An objective to check, with its key results."""

    title: str
    owner: str | None = None
    key_results: tuple[KeyResultInput, ...] = ()


@dataclass(frozen=True)
class TeamReport:
    """Findings for a team's objectives in one cycle, shaped like the input."""

    team: tuple[Finding, ...]
    objectives: tuple[tuple[Finding, ...], ...]
    key_results: tuple[tuple[tuple[Finding, ...], ...], ...]


# Longer texts are not sentences any more; the start decides, and the regexes stay cheap.
_MAX_CHARS = 1_000
_QUOTE_MAX = 60


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- verbs that start a key result ------------------------------------------------------------

# Work to do: the sentence names an activity or a deliverable.
_TASK_VERBS = _words(
    "launch relaunch ship release build rebuild create implement migrate publish hire recruit "
    "run host organize organise attend complete finish finalize finalise deliver write rewrite "
    "redesign refactor design develop introduce add integrate document conduct prepare train "
    "review update upgrade replace move switch adopt automate define draft plan research "
    "investigate explore evaluate assess audit test pilot prototype interview survey send post "
    "produce record translate localize localise install configure enable open fix merge "
    "deprecate sunset decommission retire remove delete establish perform negotiate map "
    "consolidate standardize standardise onboard obtain start begin execute revamp refresh "
    "overhaul rebrand rearchitect re-architect port containerize instrument track monitor "
    "measure schedule arrange facilitate present submit file code blog tweet announce "
    "sponsor exhibit coordinate mentor teach educate setup rollout kickoff set roll kick clean "
    "spin stand go wrap sign deploy"
)
# Two-word task verbs; the particle is what makes "set" or "roll" a task.
_TASK_PARTICLES = {
    "set": "up",
    "roll": "out",
    "kick": "off",
    "clean": "up",
    "spin": "up",
    "stand": "up",
    "go": "live",
    "wrap": "up",
    "sign": "off",
}
# A change or level to reach: outcome wording, never a task by its verb alone.
_OUTCOME_VERBS = _words(
    "increase raise grow reduce cut lower decrease improve boost lift double triple quadruple "
    "halve drop shrink shorten slash trim minimize minimise maximize maximise keep maintain "
    "stay sustain remain preserve achieve reach hit attain bring get drive generate win save "
    "expand accelerate speed enhance strengthen simplify streamline eliminate prevent avoid "
    "ensure scale optimize optimise earn become secure protect deepen widen halt stop close "
    "resolve answer convert retain recover restore hold make have be pass"
)
# Outcome verbs that count something up: with the team's own output as object, still a task.
_INCREASE_VERBS = _words(
    "increase raise grow double triple quadruple boost lift expand scale maximize maximise"
)
# Outcome verbs that can aim at a milestone: "Achieve SOC 2 certification".
_MILESTONE_VERBS = _words("achieve reach hit attain get become secure earn pass")
# "Successfully launch", "fully migrate": an adverb before the verb does not change it.
_ADVERBS = _words(
    "successfully fully finally completely quickly officially publicly formally jointly "
    "significantly substantially dramatically drastically meaningfully continuously also first"
)
# Bullets, numbering, "KR1:", "Q3:", "We will", "By June,": framing, not content.
_PREFIX_RE = re.compile(
    r"(?:\s|[-–—•*·>▪◦●○■□✓✔☐☑]|\[[^\]]{0,12}\]|\(?\b(?:kr|o|okr)\s*\d{0,2}\s*[:.)\-–—]\s*"
    r"|\b(?:kr|o)\d{1,2}\b|\(?\d{1,2}\s*[.):]\s+|\b[qh][1-4]\s*[:\-–—]\s*"
    r"|\b(?:by|in|before|until|during|for|over|this|next|within)\b[^,]{1,40},\s*"
    r"|\b(?:we|i|the team|our team|team)\s+(?:will|shall|want to|need to|must|should|plan to"
    r"|are going to|aim to)\s+|\b(?:we'll|we’ll|let's|let’s)\s+|\bto\s+(?=[a-z]))*"
)
_LEAD_RE = re.compile(r"([a-z]+(?:[-'’][a-z]+)*)(?:\s+([a-z]+))?")


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _typo_index() -> dict[str, frozenset[str]]:
    # Symmetric deletions: a word one edit from a verb shares a one-deletion form with it.
    index: dict[str, set[str]] = {}
    for verb in _TASK_VERBS | _OUTCOME_VERBS:
        if len(verb) < 5:
            continue  # "hire"/"hold"/"host" are one edit from too many other words
        for form in {verb} | _deletions(verb):
            index.setdefault(form, set()).add(verb)
    return {form: frozenset(verbs) for form, verbs in index.items()}


_TYPO_INDEX = _typo_index()
_KNOWN_WORDS = _TASK_VERBS | _OUTCOME_VERBS | _ADVERBS


def _correct_typo(word: str) -> str | None:
    """The one verb `word` is a typo of ("lanch" → "launch"), or None when unsure."""
    if len(word) < 4 or len(word) > 16 or word in _KNOWN_WORDS:
        return None
    verbs: set[str] = set()
    for form in {word} | _deletions(word):
        verbs.update(_TYPO_INDEX.get(form, ()))
    verbs = {v for v in verbs if abs(len(v) - len(word)) <= 1}
    if len(verbs) == 1:
        return verbs.pop()
    # "Increse" is one edit from "increase" and "increases": one family is still one verb.
    families = {v in _TASK_VERBS for v in verbs}
    if verbs and len(families) == 1:
        return min(verbs, key=len)
    return None


_SUFFIXES = (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""), ("d", ""))
_IRREGULAR = {
    "built": "build",
    "rebuilt": "rebuild",
    "wrote": "write",
    "written": "write",
    "ran": "run",
    "held": "hold",
    "made": "make",
    "sent": "send",
    "got": "get",
    "kept": "keep",
    "grew": "grow",
    "brought": "bring",
    "won": "win",
    "hiring": "hire",
}


def _verb_of(word: str) -> str | None:
    """The base form of a known verb ("launched" → "launch"); None when it is no verb."""
    if word in _KNOWN_WORDS:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)] + replacement
            if base in _KNOWN_WORDS:
                return base
            # "shipped" → "ship", "cutting" → "cut"
            doubled = suffix in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2]
            if doubled and base[:-1] in _KNOWN_WORDS:
                return base[:-1]
    return None


# --- what the sentence contains ----------------------------------------------------------------

# Tokens holding a digit; whether each is a value is decided in `_numbers`.
# Anchored at a token's start: unanchored, the scan restarts inside every token.
_DIGIT_TOKEN_RE = re.compile(
    r"(?<![^\s()\[\]{},;!?\"“”‘’])[^\s()\[\]{},;!?\"“”‘’]*\d[^\s()\[\]{},;!?\"“”‘’]*"
)
_VALUE_RE = re.compile(
    r"[<>≤≥~=+]*[$€£]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[a-z%+]{0,4})?[.:]?"
    r"|[<>≤≥~=+]*[$€£]?\d+(?:\.\d+)?(?:k|m|mm|bn|b|x|%|pp|pts?|ms|s|sec|h|hrs?|d|min|mins|\+)*"
    r"(?:/(?:\d+(?:\.\d+)?|day|week|month|sprint|hour|quarter|year|mo|wk))?[.:]?"
)
# Words that make the next number part of a name or a date: "SOC 2", "phase 3", "Python 3.12".
_NAME_WORDS = _words(
    "soc iso pci sev p phase v version release tier level step gen generation series round "
    "wave type class top no nr python postgres postgresql kubernetes k8s node java ios android "
    "windows macos react angular vue rails django php ruby go net mysql redis kafka spark "
    "elasticsearch terraform hipaa gdpr fy q1 q2 q3 q4 h1 h2 chapter part section rule article "
    "web"
)
_DATE_WORDS = _words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_NUMBER_WORDS_RE = re.compile(
    r"\b(?:zero|half|halve[ds]?|halving|twice|double[ds]?|doubling|triple[ds]?|tripling"
    r"|quadruple[ds]?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
    r"|twenty|thirty|forty|fifty|hundred|thousand|million|billion|one in|under one|below one"
    r"|within one|percent|per cent)\b"
)
_FREQUENCY_RE = re.compile(
    r"\b(?:from|to)\s+(?:daily|weekly|monthly|hourly|quarterly|real[- ]time|on[- ]demand"
    r"|same[- ]day|next[- ]day|once a (?:day|week)|several times a day|multiple times a day)\b"
)
_ANY_DIGIT_RE = re.compile(r"\d")
_ALNUM_RE = re.compile(r"[a-z0-9]")
# A rank is a measure for a key result ("Be top 3 on G2"), though not a value to parse.
_RANK_RE = re.compile(r"#\d|\btop \d|\bnumber one\b|\bno\. ?1\b")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class _Value:
    start: int
    end: int


def _numbers(text: str) -> list[_Value]:
    """Numbers in `text` that measure something: not names, versions, years or days."""
    values: list[_Value] = []
    if not _ANY_DIGIT_RE.search(text):
        return values
    for match in _DIGIT_TOKEN_RE.finditer(text):
        token = match.group()
        stripped = token.rstrip(".:'’")
        if not _VALUE_RE.fullmatch(stripped) or stripped in ("24/7", "1:1", "1:1s"):
            continue
        if _YEAR_RE.fullmatch(stripped):
            continue  # "2025 hiring plan", "by 2026"
        before = text[max(0, match.start() - 20) : match.start()].split()
        previous = before[-1].strip("#.,:;'’(") if before else ""
        if previous in _NAME_WORDS or previous.startswith("#") or token.startswith("#"):
            continue
        if previous in _DATE_WORDS and stripped.isdigit() and int(stripped) <= 31:
            continue  # "June 30"
        values.append(_Value(match.start(), match.end()))
    return values


def _has_measure(text: str, numbers: list[_Value]) -> bool:
    if numbers:
        return True
    return bool(
        _NUMBER_WORDS_RE.search(text)
        or (("from " in text or "to " in text) and _FREQUENCY_RE.search(text))
        or (
            ("#" in text or "top " in text or "number one" in text or "no." in text)
            and _RANK_RE.search(text)
        )
    )


# Metrics that show a result for users or the business.
_METRIC_RE = re.compile(
    r"\b(?:uptime|availability|latency|response times?|load times?|resolution times?"
    r"|first[- ]response|lead times?|cycle times?|time to \w+|mttr|mttd|rates?|ratio"
    r"|conversions?|retention|churn|nps|enps|csat|ces|satisfaction|scores?|ratings?|revenue"
    r"|arr|mrr|acv|tcv|contract value|bookings|pipeline|margins?|profit|savings|costs?|spend"
    r"|roi|ltv|cac|sla|slo|slos|error budget|adoption|activation|gmv|aov|order value|nrr"
    r"|deflect\w*|paying|paid (?:customers|accounts|users|teams|subscribers|plans?)"
    r"|sales|renewals?|coverage|accuracy|downtime|incidents?)\b"
)
# "Launch X, raising adoption from 20% to 35%": an outcome clause after the work.
_CLAUSE_RE = re.compile(
    r"(?:,\s*|\b(?:so that|so|and|to|that|which|while|thereby|in order to|resulting in"
    r"|leading to)\s+)(?:increas|rais|reduc|cut|lift|lower|grow|boost|decreas|improv|doubl"
    r"|tripl|halv|driv|generat|deflect|get|reach|hit|achiev|bring|keep|shorten|drop|sav|win"
    r"|add|captur|convert|retain)\w*\b"
    r"|\b(?:so that|resulting in|leading to|generating|worth)\b"
)
# What a team produces: more of it is output, not an outcome.
_OUTPUT_NOUNS = _words(
    "posts post articles blogs videos webinars workshops sessions trainings courses talks "
    "podcasts episodes newsletters emails campaigns studies whitepapers ebooks tutorials guides "
    "templates pages docs reports dashboards features releases integrations endpoints apis "
    "experiments tests cases prototypes mockups designs interviews calls meetings events meetups "
    "hackathons demos hires headcount team people engineers slides lessons blogposts stories "
    "sprints screens components connectors plugins"
)
_EVENT_NOUNS = _words(
    "workshops workshop meetings meeting sessions session all-hands 1:1s one-on-ones retros "
    "retrospectives events event webinars webinar hackathons hackathon offsites offsite demos "
    "demo calls interviews town townhall townhalls trainings training meetups meetup reviews "
    "review lunch-and-learns standups kickoff kickoffs summit conference"
)
_WORK_ITEMS_RE = re.compile(r"\b(?:tickets?|issues|bugs|tasks|stories|jira|backlog items|prs)\b")
_MILESTONE_RE = re.compile(
    r"\b(?:certification|certified|certificate|accreditation|accredited|attestation"
    r"|sign-?off|feature parity|parity|general availability|ga|go-live|compliance|compliant"
    r"|approval|approved|audit|beta|readiness|launch|soc ?2|iso ?27001|iso ?9001|type ii"
    r"|hipaa|pci(?: dss)?|gdpr|fedramp|cyber essentials)\b"
)
# "Billing migration completed", "10 posts published", "wizard live in production".
_DONE_RE = re.compile(
    r"\b(?:launched|shipped|released|published|hired|migrated|completed|done|finished"
    r"|delivered|implemented|deployed|rolled[- ]out|live|available|in place|trained|signed off"
    r"|approved|finalized|finalised|built|created|written|set up|upgraded|deprecated"
    r"|decommissioned|adopted|integrated|onboarded|went live|in production)\b"
)
_WITHIN_TIME_RE = re.compile(r"\bwithin \d+\s*(?:minutes?|mins?|hours?|h|days?|weeks?|business)")
# "95% of payroll runs without manual correction": a share done well is a quality rate.
_QUALITY_RATE_RE = re.compile(
    r"\d%\s+of\s+[^,;]{1,60}?\b(?:without|within|in under|in less than|on the first"
    r"|first time|on time|error-free)\b"
)
_NOMINAL_RE = re.compile(
    r"(?:launch|relaunch|completion|implementation|roll-?out|migration|release|delivery"
    r"|creation|development|publication|introduction|redesign|set-?up|go-live|integration"
    r"|deployment|construction|build-?out|rebuild|rewrite|refactor(?:ing)?|upgrade"
    r"|replacement|hiring|translation|locali[sz]ation|automation|rebrand(?:ing)?)\s+of\b"
)
_CAPABILITY_RE = re.compile(
    r"(?:(?:our|all|the|every|each|new)\s+)?(?:\w+\s+)?(?:users|customers|admins"
    r"|administrators|members|teams|managers|employees|developers|buyers|merchants"
    r"|partners|clients|everyone|anyone|people|engineers|agents)"
    r"\s+(?:can|could|are able to|will be able to|now can)\b"
)
_EVERYONE_DOES_RE = re.compile(
    r"(?:have|get|make sure|ensure)\s+(?:all|every|each|everyone)\b.{0,80}?"
    r"\b(?:complete|completes|completed|finish|attend|take|takes|taken|trained|training)\b"
)
# Comparatives and qualities: "Better docs" lacks a measure; it does not name a deliverable.
_QUALITY_WORDS = _words(
    "better faster more less fewer higher lower improved happier easier quicker cheaper "
    "stronger great best happy smooth smoother simpler seamless reliable stable secure "
    "growth quality reliability performance speed experience happiness engagement awareness "
    "morale wellbeing well-being security stability efficiency productivity visibility "
    "satisfaction trust culture focus alignment"
)
_STOP_WORDS = _words(
    "of on in for per from to by with that who which we our at into across using used via "
    "and or as than while without a an the"
)
# "blog posts published from 4 to 10": a participle ends the object, but may also open it
# ("the number of published case studies").
_PARTICIPLES = _words(
    "published shipped delivered sent run written built created held made offered completed "
    "launched released hosted closed merged"
)
_SKIP_WORDS = _words("the a an our my their your its total overall new more")
_WORD_RE = re.compile(r"[a-z0-9:]+(?:[-'’][a-z0-9]+)*")

# --- vanity metrics ---------------------------------------------------------------------------

_USERS, _DOWNLOADS, _ATTENTION, _EFFORT, _DEPLOYS = (
    "users",
    "downloads",
    "attention",
    "effort",
    "deploys",
)
# Each family's regex runs only when one of its words is in the text: most texts hold none.
_VANITY_RES: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    (
        ("user", "sign", "registration", "account", "member"),
        re.compile(
            r"\b(?:registered|total|cumulative|all[- ]time)\s+(?:number\s+of\s+)?(?:users|signups"
            r"|sign-ups|registrations|accounts|members)\b|\buser base\b|\baccounts created\b"
            r"|(?<![\w.,])\d[\d,.]*\s*(?:k|m|million|thousand)?\s+(?:users|signups|sign-ups"
            r"|registrations)\b|\bmillion (?:users|signups)\b"
        ),
        _USERS,
    ),
    (("download", "install"), re.compile(r"\b(?:downloads|installs)\b"), _DOWNLOADS),
    (
        ("view", "visit", "impression", "follower", "like", "traffic"),
        re.compile(
            r"\bpage ?views\b|\bpageviews\b|\bviews\b|\bvisits\b|\bvisitors\b|\bimpressions\b"
            r"|\bfollowers\b|\blikes\b|\b(?:web|website|site|organic|blog|social)\s+traffic\b"
        ),
        _ATTENTION,
    ),
    (
        ("point", "velocity", "lines of", "commit", "pull request", "prs", "ticket"),
        re.compile(
            r"\bstory points\b|\bpoints per sprint\b|(?<!sales )(?<!pipeline )(?<!deal )"
            r"\bvelocity\b|\blines of (?:\w+ )?code\b|\bcommits\b|\bpull requests\b"
            r"|\bprs merged\b|\btickets? (?:closed|resolved|completed|done)\b"
            r"|\b(?:clos|resolv|complet)\w*\s+\d[\d,]*\s+(?:\w+\s+){0,2}tickets\b"
        ),
        _EFFORT,
    ),
)
_VANITY_GATE_RE = re.compile(
    "|".join(re.escape(keyword) for keywords, _, _ in _VANITY_RES for keyword in keywords)
)
_RATE_RE = re.compile(
    r"\b(?:rate|ratio|conversion|convert\w*|retention|share of|percentage of|proportion of"
    r"|per (?:1,000|1000|100|thousand)|who|that (?:end|pass|convert|click|become)|active"
    r"|click-through|ctr)\b|%\s*of\b|\w-to-\w"
)
_DEPLOY_COUNT_RE = re.compile(
    r"\b(?:deployment|deploy|release) frequency\b"
    r"|\b(?:number|count|frequency) of (?:\w+ )?(?:deploys|deployments|releases to production)\b"
    r"|(?<![\w.,])\d[\d,]*\s+(?:\w+\s+)?(?:deploys|deployments)\b"
    r"|\b(?:deploys|deployments) (?:per|a|from|each|every)\b"
    r"|^deploy\w*\s+(?:to production\s+)?(?:\d|daily|hourly|weekly|on demand|multiple"
    r"|several|continuously)"
)
_DEPLOY_PAIRED_RE = re.compile(
    r"\b(?:change failure|failure rate|failed (?:changes|deploys|deployments)|rollbacks?"
    r"|incidents?|mttr|time to restore|lead time|hotfix(?:es)?|defects?|error rate|stability"
    r"|outages?)\b"
)
_DEPLOY_FREQUENCY_RE = re.compile(
    r"deploy\w*\s+(?:to production\s+)?(?:\d|daily|hourly|weekly|on demand|multiple|several"
    r"|continuously|every)"
)

# --- messages ---------------------------------------------------------------------------------

_EXAMPLE_OUTCOME = "“Raise onboarding completion from 60% to 85%”"
_VANITY_SUGGESTIONS = {
    _USERS: (
        "Count people who get value rather than everyone who ever signed up, e.g. "
        "“Grow weekly active teams from 40 to 120” or the activation rate."
    ),
    _DOWNLOADS: (
        "Measure what happens after the install, e.g. “Raise 7-day retention of new "
        "installs from 20% to 30%” or the activation rate."
    ),
    _ATTENTION: (
        "Measure what the attention leads to, e.g. “Raise visit-to-trial conversion from "
        "2% to 3%” or trials started from this channel."
    ),
    _EFFORT: (
        "Measure what the work changes for users instead, e.g. lead time for changes, "
        "customer-reported bugs, or time to resolve a customer's issue."
    ),
    _DEPLOYS: (
        "Pair it with stability, e.g. “Deploy daily with a change failure rate under 15%”, "
        "or track lead time for changes."
    ),
}
_PEOPLE_VERBS = _words("hire recruit onboard train mentor teach educate")
_CONTENT_VERBS = _words(
    "publish write post produce record blog tweet send translate localize localise document"
)
_EVENT_VERBS = _words(
    "host organize organise attend hold run conduct facilitate present exhibit sponsor"
)
_INTERNAL_VERBS = _words(
    "migrate upgrade refactor replace move switch rewrite rearchitect re-architect port "
    "containerize consolidate standardize standardise decommission deprecate sunset retire "
    "remove delete automate install configure clean"
)
_RESEARCH_VERBS = _words("research investigate explore evaluate assess interview survey test pilot")


def _quote(text: str) -> str:
    """Text for a “quote”: one line, at most `_QUOTE_MAX` characters."""
    text = " ".join(text.split())
    if len(text) > _QUOTE_MAX:
        text = text[: _QUOTE_MAX - 1].rstrip() + "…"
    return text


def _task_suggestion(verb: str | None) -> str:
    if verb in _PEOPLE_VERBS:
        return (
            "Ask “so what?”: what will the new people change? Measure that, e.g. "
            "“Cut on-call pages per engineer from 12 to 4 a month”."
        )
    if verb in _CONTENT_VERBS:
        return (
            "Ask “so what?”: who should read it, and what should they then do? Measure that, "
            "e.g. “Grow trials started from the blog from 40 to 100 a month”."
        )
    if verb in _EVENT_VERBS:
        return (
            "Ask “so what?”: what should people do differently afterwards? Measure that, e.g. "
            "“Raise feature adoption among attendees from 20% to 40%”."
        )
    if verb in _INTERNAL_VERBS:
        return (
            "Ask “so what?”: what gets better for users or the team once it is done? E.g. "
            "“Cut p95 latency from 800 ms to 300 ms” or “Cut monthly hosting cost by 20%”."
        )
    if verb in _RESEARCH_VERBS:
        return (
            "Ask “so what?”: which decision or change should it lead to? Measure that "
            "change, e.g. “Cut trial drop-off at setup from 40% to 25%”."
        )
    return (
        "Ask “so what?”: what changes for users or the business once it is done? E.g. "
        f"{_EXAMPLE_OUTCOME}."
    )


def _finding(code: Code, message: str, suggestion: str) -> Finding:
    severity = Severity.info if code == Code.no_owner else Severity.warning
    return Finding(code=code, severity=severity, message=message, suggestion=suggestion)


# --- reading a key result ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Lead:
    verb: str | None  # the base verb ("launch" for "lanch"), None when it is no known verb
    start: int
    end: int  # end of the verb and its particle ("set up")


@dataclass(frozen=True)
class _Reading:
    shown: str  # the text as written, on one line and bounded
    text: str  # its lower case, with the same indices
    numbers: list[_Value]
    measured: bool
    lead: _Lead | None


# Control characters would end up inside Slack messages; they are never content.
_CONTROL = {code: " " for code in (*range(32), *range(127, 160))}


def _read(text: str) -> _Reading:
    shown = " ".join(text[:_MAX_CHARS].translate(_CONTROL).split())
    lower = shown.lower()
    if len(lower) != len(shown):
        shown = lower  # a few characters change length in lower case ("İ"): quote lower case
    numbers = _numbers(lower)
    return _Reading(
        shown=shown,
        text=lower,
        numbers=numbers,
        measured=_has_measure(lower, numbers),
        lead=_read_lead(lower),
    )


@functools.lru_cache(maxsize=4096)
def _lead_verb(word: str) -> str | None:
    # Cached: leads repeat a lot, and a typo lookup builds a word's deletions.
    return _verb_of(word) or _correct_typo(word)


def _read_lead(text: str) -> _Lead | None:
    prefix = _PREFIX_RE.match(text)
    start = prefix.end() if prefix else 0
    match = _LEAD_RE.match(text, start)
    if not match:
        return _Lead(verb=None, start=start, end=start)  # "100% of services migrated"
    word, following = match.group(1), match.group(2)
    if word in _ADVERBS and following:
        match = _LEAD_RE.match(text, match.start(2))
        if not match:
            return None
        word, following = match.group(1), match.group(2)
    verb = _lead_verb(word)
    end = match.end(1)
    if verb in _TASK_PARTICLES:
        if following == _TASK_PARTICLES[verb]:
            end = match.end(2)
        elif verb not in _OUTCOME_VERBS:
            verb = None  # "set" or "roll" alone is no task: "Set a new record for…"
    return _Lead(verb=verb, start=match.start(1), end=end)


def _object_words(text: str, start: int) -> list[str]:
    """The words naming what a verb acts on: "the number of blog posts published" → blog posts."""
    words: list[str] = []
    for word in _WORD_RE.findall(text, start):
        if not words and (word in _SKIP_WORDS or word in _COUNT_WORDS or word[0].isdigit()):
            continue  # "the number of", "4 quarterly reviews": the object comes after
        if word in _PARTICIPLES and not words:
            continue
        if word in _STOP_WORDS or word in _PARTICIPLES or word[0].isdigit() or len(words) == 4:
            break
        words.append(word)
    return words


_COUNT_WORDS = _words("number count amount volume of")
_COUNT_RE = re.compile(r"\s*(?<![\w.,])\d[\d,]*\+?\s+((?:[a-z][\w'-]*\s+){0,2}[a-z][\w'-]*)")


def _counted_output(reading: _Reading, start: int) -> str | None:
    """The output counted right at `start` ("10 posts", "60 sales calls"), as written."""
    match = _COUNT_RE.match(reading.text, start)
    if not match:
        return None
    words = match.group(1).split()
    for index, word in enumerate(words):
        if word in _OUTPUT_NOUNS:
            end = match.start(1) + len(" ".join(words[: index + 1]))
            return reading.shown[match.start(1) : end]
    return None


def _increased_output(reading: _Reading, start: int) -> str | None:
    """The team's output an increase verb acts on ("the number of blog posts"), or None."""
    head = _object_words(reading.text, start)
    for index, word in enumerate(head):
        if word in _OUTPUT_NOUNS:
            if word == "team" and index != len(head) - 1:
                return None  # "team velocity", "team members using X"
            return " ".join(head[: index + 1])
    return None


# "Deliver 99.9% uptime", "$3M in qualified pipeline": a few words apart at most; further
# apart ("Run 5 interviews to understand churn"), the number counts something else.
_NEAR = 25


def _metric_near_number(reading: _Reading, start: int) -> bool:
    """An outcome metric close to a number after `start`: "Deliver 99.9% uptime"."""
    after = [value for value in reading.numbers if value.start >= start]
    if not after:
        return False
    for match in _METRIC_RE.finditer(reading.text, start):
        for value in after:
            if value.start - match.end() <= _NEAR and match.start() - value.end <= _NEAR:
                return True
    return False


def _outcome_clause(reading: _Reading, start: int) -> bool:
    """A measured outcome clause after the work: "…, raising adoption from 20% to 35%"."""
    for match in _CLAUSE_RE.finditer(reading.text, start):
        if any(value.start >= match.end() for value in reading.numbers):
            return True
    return False


def _task_finding(reading: _Reading) -> Finding | None:
    """The task_like finding, or None; see the module docstring for what wins over what."""
    lead = reading.lead
    if lead is None:
        return None
    text, shown, verb = reading.text, reading.shown, lead.verb

    if verb in _OUTCOME_VERBS:
        return _task_after_outcome_verb(reading, lead)
    if verb in _TASK_VERBS:
        if verb == "deploy" and _DEPLOY_FREQUENCY_RE.match(text, lead.start):
            return None  # "Deploy daily with…": a DORA rate, judged as a vanity metric instead
        if _metric_near_number(reading, lead.end) or _outcome_clause(reading, lead.end):
            return None
        if _QUALITY_RATE_RE.search(text, lead.end):
            return None  # "Resolve 90% of tickets within 24 hours": a service level
        return _task_verb_finding(shown[lead.start : lead.end], verb)

    # No verb at the start: a noun phrase. Look for a deliverable, done or counted.
    if _outcome_clause(reading, lead.start):
        return None
    if _metric_near_number(reading, lead.start):
        return None
    nominal = _NOMINAL_RE.match(text, lead.start)
    if nominal:
        return _finding(
            Code.task_like,
            f"Names a piece of work (“{shown[nominal.start() : nominal.end()]}”), not a result "
            "to reach.",
            _task_suggestion(None),
        )
    if not reading.measured and _CAPABILITY_RE.match(text, lead.start):
        return _finding(
            Code.task_like,
            f"Describes a feature (“{_quote(shown[lead.start :])}”): it says what will exist, "
            "not what will change.",
            "Ask how many people should use it and what it should change for them, e.g. "
            "“40% of weekly active teams export a report each month”.",
        )
    output = _counted_output(reading, lead.start)
    if output:
        return _counted_finding(output)
    done = _DONE_RE.search(text, lead.start)
    if done and not _WITHIN_TIME_RE.search(text):
        return _finding(
            Code.task_like,
            f"Reads as work done (“{shown[done.start() : done.end()]}”): it says the work is "
            "finished, not what changed.",
            _task_suggestion(None),
        )
    if reading.measured:
        return None
    milestone = _milestone(reading, lead.start)
    if milestone:
        return _milestone_finding(milestone)
    words = _WORD_RE.findall(text, lead.start)
    # A deliverable's name is a few ordinary words ("Dark mode", "Slack integration").
    short = 0 < len(words) <= 4 and max(map(len, words)) <= 30
    short = short and not set(words) & _QUALITY_WORDS
    if short and not _METRIC_RE.search(text) and not any(_verb_of(word) for word in words):
        return _finding(
            Code.task_like,
            f"Names a deliverable (“{_quote(shown[lead.start :])}”), not a result to reach.",
            _task_suggestion(None),
        )
    return None


def _task_after_outcome_verb(reading: _Reading, lead: _Lead) -> Finding | None:
    """Outcome verbs make a task only with output, events, tickets or a milestone as object."""
    text, verb = reading.text, lead.verb
    if verb == "hold" and set(_object_words(text, lead.end)) & _EVENT_NOUNS:
        return _task_verb_finding(reading.shown[lead.start : lead.end], verb)
    closes_items = verb in ("close", "resolve") and "%" not in text
    if closes_items and _WORK_ITEMS_RE.search(text, lead.end, lead.end + 40):
        return _task_verb_finding(reading.shown[lead.start : lead.end], verb)
    if verb in _INCREASE_VERBS:
        output = _increased_output(reading, lead.end)
        if output:
            return _counted_finding(output)
    if verb in ("make", "get", "have", "do"):
        output = _counted_output(reading, lead.end)
        if output:
            return _counted_finding(output)
    if reading.measured:
        return None
    if verb in _MILESTONE_VERBS:
        milestone = _milestone(reading, lead.end)
        if milestone:
            return _milestone_finding(milestone)
    if verb in ("have", "get", "ensure", "make") and _EVERYONE_DOES_RE.match(text, lead.start):
        return _task_verb_finding(reading.shown[lead.start : lead.end], None)
    return None


def _task_verb_finding(verb_as_written: str, verb: str | None) -> Finding:
    return _finding(
        Code.task_like,
        f"Starts with “{_quote(verb_as_written).capitalize()}”: it describes work to do, "
        "not a result to reach.",
        _task_suggestion(verb),
    )


def _counted_finding(noun: str) -> Finding:
    return _finding(
        Code.task_like,
        f"Counts “{noun}”, which the team produces itself: more of them is output, not an outcome.",
        "Ask what they should change for users or the business, and count that instead, "
        "e.g. “Grow trials started from the blog from 40 to 100 a month”.",
    )


def _milestone(reading: _Reading, start: int) -> str | None:
    """The milestone named after `start`, as written: "SOC 2 Type II certification"."""
    first = last = _MILESTONE_RE.search(reading.text, start)
    if first is None:
        return None
    # Adjacent milestone words make one name: "SOC 2" + "Type II" + "certification".
    while last is not None:
        following = _MILESTONE_RE.search(reading.text, last.end(), last.end() + 20)
        if following is None or following.start() - last.end() > 3:
            break
        last = following
    return reading.shown[first.start() : last.end() if last else first.end()]


def _milestone_finding(word: str) -> Finding:
    return _finding(
        Code.task_like,
        f"Aims at a milestone (“{word}”): done or not done, it does not show what changed.",
        "Ask what the milestone unlocks and measure that, e.g. “Cut security review time "
        "in enterprise deals from 30 to 10 days”.",
    )


def _no_measure_finding(reading: _Reading) -> Finding:
    lead = reading.lead
    if lead is not None and lead.verb in _OUTCOME_VERBS:
        verb = reading.shown[lead.start : lead.end].capitalize()
        message = (
            f"Says “{verb}” but not how much: there is no number, threshold or target to "
            "check at the end of the cycle."
        )
    else:
        message = (
            f"“{_quote(reading.shown)}” has no number, threshold or target to check at the "
            "end of the cycle."
        )
    return _finding(
        Code.no_measure,
        message,
        f"Name the metric, where it is now and where it should get to, e.g. {_EXAMPLE_OUTCOME}.",
    )


def _vanity_finding(reading: _Reading) -> Finding | None:
    text = reading.text
    deploys = None
    if "deploy" in text or "release frequency" in text:
        deploys = _DEPLOY_COUNT_RE.search(text)
        if deploys is None and reading.lead is not None and reading.lead.verb == "deploy":
            deploys = _DEPLOY_FREQUENCY_RE.match(text, reading.lead.start)
    if deploys and not _DEPLOY_PAIRED_RE.search(text):
        term = reading.shown[deploys.start() : deploys.end()]
        return _finding(
            Code.vanity_metric,
            f"Counts “{_quote(term)}” alone: deploying more often says little unless failures "
            "stay rare too.",
            _VANITY_SUGGESTIONS[_DEPLOYS],
        )
    if not _VANITY_GATE_RE.search(text):
        return None
    for keywords, pattern, family in _VANITY_RES:
        if not any(keyword in text for keyword in keywords):
            continue
        found = pattern.search(text)
        if found is None:
            continue
        if _RATE_RE.search(text):
            return None  # "visit-to-signup conversion", "share of page views that…": a ratio
        if found:
            term = reading.shown[found.start() : found.end()]
            return _finding(
                Code.vanity_metric,
                f"Targets “{_quote(term)}”, a number that grows by itself or is easy to game "
                "without anything getting better for users.",
                _VANITY_SUGGESTIONS[family],
            )
    return None


def _check_key_result(text: str) -> list[Finding]:
    """Findings on a key result's wording: task_like, no_measure, vanity_metric, in that order.

    A task gets `task_like` without `no_measure` (one "so what?" is enough). Blank text
    (or only emoji and punctuation) gets none: the form asks for a title. Never raises.
    """
    reading = _read(text)
    if not _ALNUM_RE.search(reading.text):
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


# --- objectives and teams ---------------------------------------------------------------------

_OBJECTIVE_NUMBER_WORDS_RE = re.compile(
    r"\b(?:twice as|half|halve[ds]?|halving|zero|double[ds]?|doubling|triple[ds]?|tripling"
    r"|quadruple[ds]?)\b(?! down)"
)


def _check_objective(text: str) -> list[Finding]:
    """Findings on an objective's wording: objective_is_metric when it is a number to hit.

    Dates, ranks and names ("by Q3", "#1", "SOC 2") are not numbers here. Never raises.
    """
    reading = _read(text)
    trigger: str | None = None
    if reading.numbers:
        value = reading.numbers[0]
        trigger = reading.shown[value.start : value.end]
    else:
        found = _OBJECTIVE_NUMBER_WORDS_RE.search(reading.text)
        if found:
            trigger = reading.shown[found.start() : found.end()]
    if trigger is None:
        return []
    return [
        _finding(
            Code.objective_is_metric,
            f"Is a number to hit (“{_quote(trigger)}”): an objective names the change you "
            "want, and its key results carry the numbers.",
            f"Move “{_quote(reading.shown)}” into a key result, and write the objective as "
            "the direction it serves, e.g. “Make onboarding effortless for new teams”.",
        )
    ]


def _owner_finding(what: str, title: str) -> Finding:
    return _finding(
        Code.no_owner,
        f"The {what} “{_quote(title)}” has no owner, so nobody is asked for its weekly update.",
        "Name one person who reports progress at the check-in; the whole team still owns "
        "the result.",
    )


def _kr_count_finding(title: str, count: int, thresholds: Thresholds) -> Finding | None:
    low, high = thresholds.min_key_results, thresholds.max_key_results
    if count < low:
        return _finding(
            Code.kr_count,
            f"“{_quote(title)}” has {count} key result{'s' if count != 1 else ''}, fewer than "
            f"{low}: one number rarely shows whether an objective was reached.",
            "Add a key result that checks the first from another side, e.g. quality next "
            "to speed, or retention next to growth.",
        )
    if count > high:
        return _finding(
            Code.kr_count,
            f"“{_quote(title)}” has {count} key results, more than {high}: focus spreads thin "
            "and the weekly check-in gets long.",
            f"Keep the {high} that best show the objective was reached; the rest can be "
            "tasks or health metrics you watch.",
        )
    return None


def check_team(
    objectives: Sequence[ObjectiveInput], thresholds: Thresholds = Thresholds()
) -> TeamReport:
    """All findings for a team's objectives in one cycle, shaped like `objectives`.

    `team` holds too_many_objectives; each objective gets objective_is_metric, kr_count and
    no_owner; each key result gets check_key_result's findings and no_owner.
    """
    team: tuple[Finding, ...] = ()
    if len(objectives) > thresholds.max_objectives:
        team = (
            _finding(
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
        count = _kr_count_finding(objective.title, len(objective.key_results), thresholds)
        if count is not None:
            findings.append(count)
        if not (objective.owner or "").strip():
            findings.append(_owner_finding("objective", objective.title))
        per_objective.append(tuple(findings))
        krs: list[tuple[Finding, ...]] = []
        for kr in objective.key_results:
            kr_findings = check_key_result(kr.title)
            if not (kr.owner or "").strip():
                kr_findings.append(_owner_finding("key result", kr.title))
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
