"""The coach's vocabulary: word sets and regular expressions, built once at import.

All lower case; `reading` and `rules` apply them, `messages` words the advice.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- verbs that start a key result ------------------------------------------------------------

# Work to do: the sentence names an activity or a deliverable.
TASK_VERBS = _words(
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
TASK_PARTICLES = {
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
OUTCOME_VERBS = _words(
    "increase raise grow reduce cut lower decrease improve boost lift double triple quadruple "
    "halve drop shrink shorten slash trim minimize minimise maximize maximise keep maintain "
    "stay sustain remain preserve achieve reach hit attain bring get drive generate win save "
    "expand accelerate speed enhance strengthen simplify streamline eliminate prevent avoid "
    "ensure scale optimize optimise earn become secure protect deepen widen halt stop close "
    "resolve answer convert retain recover restore hold make have be pass"
)
# Outcome verbs that count something up: with the team's own output as object, still a task.
INCREASE_VERBS = _words(
    "increase raise grow double triple quadruple boost lift expand scale maximize maximise"
)
# Outcome verbs that can aim at a milestone: "Achieve SOC 2 certification".
MILESTONE_VERBS = _words("achieve reach hit attain get become secure earn pass")
# "Successfully launch", "fully migrate": an adverb before the verb does not change it.
ADVERBS = _words(
    "successfully fully finally completely quickly officially publicly formally jointly "
    "significantly substantially dramatically drastically meaningfully continuously also first"
)
# Bullets, numbering, "KR1:", "Q3:", "We will", "By June,": framing, not content.
PREFIX_RE = re.compile(
    r"(?:\s|[-–—•*·>▪◦●○■□✓✔☐☑]|\[[^\]]{0,12}\]|\(?\b(?:kr|o|okr)\s*\d{0,2}\s*[:.)\-–—]\s*"
    r"|\b(?:kr|o)\d{1,2}\b|\(?\d{1,2}\s*[.):]\s+|\b[qh][1-4]\s*[:\-–—]\s*"
    r"|\b(?:by|in|before|until|during|for|over|this|next|within)\b[^,]{1,40},\s*"
    r"|\b(?:we|i|the team|our team|team)\s+(?:will|shall|want to|need to|must|should|plan to"
    r"|are going to|aim to)\s+|\b(?:we'll|we’ll|let's|let’s)\s+|\bto\s+(?=[a-z]))*"
)
LEAD_RE = re.compile(r"([a-z]+(?:[-'’][a-z]+)*)(?:\s+([a-z]+))?")
KNOWN_WORDS = TASK_VERBS | OUTCOME_VERBS | ADVERBS
SUFFIXES = (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""), ("d", ""))
IRREGULAR = {
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

# --- what the sentence contains ---------------------------------------------------------------

# Tokens holding a digit; whether each is a value is decided in `_numbers`.
# Anchored at a token's start: unanchored, the scan restarts inside every token.
DIGIT_TOKEN_RE = re.compile(
    r"(?<![^\s()\[\]{},;!?\"“”‘’])[^\s()\[\]{},;!?\"“”‘’]*\d[^\s()\[\]{},;!?\"“”‘’]*"
)
VALUE_RE = re.compile(
    r"[<>≤≥~=+]*[$€£]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[a-z%+]{0,4})?[.:]?"
    r"|[<>≤≥~=+]*[$€£]?\d+(?:\.\d+)?(?:k|m|mm|bn|b|x|%|pp|pts?|ms|s|sec|h|hrs?|d|min|mins|\+)*"
    r"(?:/(?:\d+(?:\.\d+)?|day|week|month|sprint|hour|quarter|year|mo|wk))?[.:]?"
)
# Words that make the next number part of a name or a date: "SOC 2", "phase 3", "Python 3.12".
NAME_WORDS = _words(
    "soc iso pci sev p phase v version release tier level step gen generation series round "
    "wave type class top no nr python postgres postgresql kubernetes k8s node java ios android "
    "windows macos react angular vue rails django php ruby go net mysql redis kafka spark "
    "elasticsearch terraform hipaa gdpr fy q1 q2 q3 q4 h1 h2 chapter part section rule article "
    "web"
)
DATE_WORDS = _words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
NUMBER_WORDS_RE = re.compile(
    r"\b(?:zero|half|halve[ds]?|halving|twice|double[ds]?|doubling|triple[ds]?|tripling"
    r"|quadruple[ds]?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
    r"|twenty|thirty|forty|fifty|hundred|thousand|million|billion|one in|under one|below one"
    r"|within one|percent|per cent)\b"
)
FREQUENCY_RE = re.compile(
    r"\b(?:from|to)\s+(?:daily|weekly|monthly|hourly|quarterly|real[- ]time|on[- ]demand"
    r"|same[- ]day|next[- ]day|once a (?:day|week)|several times a day|multiple times a day)\b"
)
ANY_DIGIT_RE = re.compile(r"\d")
ALNUM_RE = re.compile(r"[a-z0-9]")
# A rank is a measure for a key result ("Be top 3 on G2"), though not a value to parse.
RANK_RE = re.compile(r"#\d|\btop \d|\bnumber one\b|\bno\. ?1\b")
YEAR_RE = re.compile(r"(?:19|20)\d\d")

# Metrics that show a result for users or the business.
METRIC_RE = re.compile(
    r"\b(?:uptime|availability|latency|response times?|load times?|resolution times?"
    r"|first[- ]response|lead times?|cycle times?|time to \w+|mttr|mttd|rates?|ratio"
    r"|conversions?|retention|churn|nps|enps|csat|ces|satisfaction|scores?|ratings?|revenue"
    r"|arr|mrr|acv|tcv|contract value|bookings|pipeline|margins?|profit|savings|costs?|spend"
    r"|roi|ltv|cac|sla|slo|slos|error budget|adoption|activation|gmv|aov|order value|nrr"
    r"|deflect\w*|paying|paid (?:customers|accounts|users|teams|subscribers|plans?)"
    r"|sales|renewals?|coverage|accuracy|downtime|incidents?)\b"
)
# "Launch X, raising adoption from 20% to 35%": an outcome clause after the work.
CLAUSE_RE = re.compile(
    r"(?:,\s*|\b(?:so that|so|and|to|that|which|while|thereby|in order to|resulting in"
    r"|leading to)\s+)(?:increas|rais|reduc|cut|lift|lower|grow|boost|decreas|improv|doubl"
    r"|tripl|halv|driv|generat|deflect|get|reach|hit|achiev|bring|keep|shorten|drop|sav|win"
    r"|add|captur|convert|retain)\w*\b"
    r"|\b(?:so that|resulting in|leading to|generating|worth)\b"
)
# What a team produces: more of it is output, not an outcome.
OUTPUT_NOUNS = _words(
    "posts post articles blogs videos webinars workshops sessions trainings courses talks "
    "podcasts episodes newsletters emails campaigns studies whitepapers ebooks tutorials guides "
    "templates pages docs reports dashboards features releases integrations endpoints apis "
    "experiments tests cases prototypes mockups designs interviews calls meetings events meetups "
    "hackathons demos hires headcount team people engineers slides lessons blogposts stories "
    "sprints screens components connectors plugins"
)
EVENT_NOUNS = _words(
    "workshops workshop meetings meeting sessions session all-hands 1:1s one-on-ones retros "
    "retrospectives events event webinars webinar hackathons hackathon offsites offsite demos "
    "demo calls interviews town townhall townhalls trainings training meetups meetup reviews "
    "review lunch-and-learns standups kickoff kickoffs summit conference"
)
WORK_ITEMS_RE = re.compile(r"\b(?:tickets?|issues|bugs|tasks|stories|jira|backlog items|prs)\b")
MILESTONE_RE = re.compile(
    r"\b(?:certification|certified|certificate|accreditation|accredited|attestation"
    r"|sign-?off|feature parity|parity|general availability|ga|go-live|compliance|compliant"
    r"|approval|approved|audit|beta|readiness|launch|soc ?2|iso ?27001|iso ?9001|type ii"
    r"|hipaa|pci(?: dss)?|gdpr|fedramp|cyber essentials)\b"
)
# "Billing migration completed", "10 posts published", "wizard live in production".
DONE_RE = re.compile(
    r"\b(?:launched|shipped|released|published|hired|migrated|completed|done|finished"
    r"|delivered|implemented|deployed|rolled[- ]out|live|available|in place|trained|signed off"
    r"|approved|finalized|finalised|built|created|written|set up|upgraded|deprecated"
    r"|decommissioned|adopted|integrated|onboarded|went live|in production)\b"
)
WITHIN_TIME_RE = re.compile(r"\bwithin \d+\s*(?:minutes?|mins?|hours?|h|days?|weeks?|business)")
# "95% of payroll runs without manual correction": a share done well is a quality rate.
QUALITY_RATE_RE = re.compile(
    r"\d%\s+of\s+[^,;]{1,60}?\b(?:without|within|in under|in less than|on the first"
    r"|first time|on time|error-free)\b"
)
NOMINAL_RE = re.compile(
    r"(?:launch|relaunch|completion|implementation|roll-?out|migration|release|delivery"
    r"|creation|development|publication|introduction|redesign|set-?up|go-live|integration"
    r"|deployment|construction|build-?out|rebuild|rewrite|refactor(?:ing)?|upgrade"
    r"|replacement|hiring|translation|locali[sz]ation|automation|rebrand(?:ing)?)\s+of\b"
)
CAPABILITY_RE = re.compile(
    r"(?:(?:our|all|the|every|each|new)\s+)?(?:\w+\s+)?(?:users|customers|admins"
    r"|administrators|members|teams|managers|employees|developers|buyers|merchants"
    r"|partners|clients|everyone|anyone|people|engineers|agents)"
    r"\s+(?:can|could|are able to|will be able to|now can)\b"
)
EVERYONE_DOES_RE = re.compile(
    r"(?:have|get|make sure|ensure)\s+(?:all|every|each|everyone)\b.{0,80}?"
    r"\b(?:complete|completes|completed|finish|attend|take|takes|taken|trained|training)\b"
)
# Comparatives and qualities: "Better docs" lacks a measure; it does not name a deliverable.
QUALITY_WORDS = _words(
    "better faster more less fewer higher lower improved happier easier quicker cheaper "
    "stronger great best happy smooth smoother simpler seamless reliable stable secure "
    "growth quality reliability performance speed experience happiness engagement awareness "
    "morale wellbeing well-being security stability efficiency productivity visibility "
    "satisfaction trust culture focus alignment"
)
STOP_WORDS = _words(
    "of on in for per from to by with that who which we our at into across using used via "
    "and or as than while without a an the"
)
# "blog posts published from 4 to 10": a participle ends the object, but may also open it
# ("the number of published case studies").
PARTICIPLES = _words(
    "published shipped delivered sent run written built created held made offered completed "
    "launched released hosted closed merged"
)
SKIP_WORDS = _words("the a an our my their your its total overall new more")
WORD_RE = re.compile(r"[a-z0-9:]+(?:[-'’][a-z0-9]+)*")
COUNT_WORDS = _words("number count amount volume of")
COUNT_RE = re.compile(r"\s*(?<![\w.,])\d[\d,]*\+?\s+((?:[a-z][\w'-]*\s+){0,2}[a-z][\w'-]*)")

# --- vanity metrics ---------------------------------------------------------------------------

USERS, DOWNLOADS, ATTENTION, EFFORT, DEPLOYS = (
    "users",
    "downloads",
    "attention",
    "effort",
    "deploys",
)
# Each family's regex runs only when one of its words is in the text: most texts hold none.
VANITY_RES: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    (
        ("user", "sign", "registration", "account", "member"),
        re.compile(
            r"\b(?:registered|total|cumulative|all[- ]time)\s+(?:number\s+of\s+)?(?:users|signups"
            r"|sign-ups|registrations|accounts|members)\b|\buser base\b|\baccounts created\b"
            r"|(?<![\w.,])\d[\d,.]*\s*(?:k|m|million|thousand)?\s+(?:users|signups|sign-ups"
            r"|registrations)\b|\bmillion (?:users|signups)\b"
        ),
        USERS,
    ),
    (("download", "install"), re.compile(r"\b(?:downloads|installs)\b"), DOWNLOADS),
    (
        ("view", "visit", "impression", "follower", "like", "traffic"),
        re.compile(
            r"\bpage ?views\b|\bpageviews\b|\bviews\b|\bvisits\b|\bvisitors\b|\bimpressions\b"
            r"|\bfollowers\b|\blikes\b|\b(?:web|website|site|organic|blog|social)\s+traffic\b"
        ),
        ATTENTION,
    ),
    (
        ("point", "velocity", "lines of", "commit", "pull request", "prs", "ticket"),
        re.compile(
            r"\bstory points\b|\bpoints per sprint\b|(?<!sales )(?<!pipeline )(?<!deal )"
            r"\bvelocity\b|\blines of (?:\w+ )?code\b|\bcommits\b|\bpull requests\b"
            r"|\bprs merged\b|\btickets? (?:closed|resolved|completed|done)\b"
            r"|\b(?:clos|resolv|complet)\w*\s+\d[\d,]*\s+(?:\w+\s+){0,2}tickets\b"
        ),
        EFFORT,
    ),
)
VANITY_GATE_RE = re.compile(
    "|".join(re.escape(keyword) for keywords, _, _ in VANITY_RES for keyword in keywords)
)
RATE_RE = re.compile(
    r"\b(?:rate|ratio|conversion|convert\w*|retention|share of|percentage of|proportion of"
    r"|per (?:1,000|1000|100|thousand)|who|that (?:end|pass|convert|click|become)|active"
    r"|click-through|ctr)\b|%\s*of\b|\w-to-\w"
)
DEPLOY_COUNT_RE = re.compile(
    r"\b(?:deployment|deploy|release) frequency\b"
    r"|\b(?:number|count|frequency) of (?:\w+ )?(?:deploys|deployments|releases to production)\b"
    r"|(?<![\w.,])\d[\d,]*\s+(?:\w+\s+)?(?:deploys|deployments)\b"
    r"|\b(?:deploys|deployments) (?:per|a|from|each|every)\b"
    r"|^deploy\w*\s+(?:to production\s+)?(?:\d|daily|hourly|weekly|on demand|multiple"
    r"|several|continuously)"
)
DEPLOY_PAIRED_RE = re.compile(
    r"\b(?:change failure|failure rate|failed (?:changes|deploys|deployments)|rollbacks?"
    r"|incidents?|mttr|time to restore|lead time|hotfix(?:es)?|defects?|error rate|stability"
    r"|outages?)\b"
)
DEPLOY_FREQUENCY_RE = re.compile(
    r"deploy\w*\s+(?:to production\s+)?(?:\d|daily|hourly|weekly|on demand|multiple|several"
    r"|continuously|every)"
)

# --- verbs by the advice they get -------------------------------------------------------------

PEOPLE_VERBS = _words("hire recruit onboard train mentor teach educate")
CONTENT_VERBS = _words(
    "publish write post produce record blog tweet send translate localize localise document"
)
EVENT_VERBS = _words(
    "host organize organise attend hold run conduct facilitate present exhibit sponsor"
)
INTERNAL_VERBS = _words(
    "migrate upgrade refactor replace move switch rewrite rearchitect re-architect port "
    "containerize consolidate standardize standardise decommission deprecate sunset retire "
    "remove delete automate install configure clean"
)
RESEARCH_VERBS = _words("research investigate explore evaluate assess interview survey test pilot")

# --- objectives -------------------------------------------------------------------------------

OBJECTIVE_NUMBER_WORDS_RE = re.compile(
    r"\b(?:twice as|half|halve[ds]?|halving|zero|double[ds]?|doubling|triple[ds]?|tripling"
    r"|quadruple[ds]?)\b(?! down)"
)
