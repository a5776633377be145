"""The quality coach: what it flags, what it leaves alone, and that it never gets in the way."""

from __future__ import annotations

import json
import random

import pytest

from app.domain.coach import (
    Code,
    Finding,
    KeyResultInput,
    ObjectiveInput,
    Severity,
    TeamReport,
    Thresholds,
    check_key_result,
    check_objective,
    check_team,
)
from tests.coach.dataset import load_key_results

TASK, NO_MEASURE, VANITY = Code.task_like, Code.no_measure, Code.vanity_metric


def codes(text: str) -> list[Code]:
    return [finding.code for finding in check_key_result(text)]


def only(text: str, code: Code) -> Finding:
    (finding,) = [f for f in check_key_result(text) if f.code == code]
    return finding


# --- task_like --------------------------------------------------------------------------------

TASKS = [
    "Launch the new onboarding wizard",
    "Migrate billing to Stripe",
    "Hire 3 SREs",
    "Run 5 customer interviews",
    "Publish 10 posts",
    "Complete the SOC 2 audit",
    "Implement SSO",
    "Roll out the design system to all teams",
    "Build a dashboard for support metrics",
    "Write docs for the public API",
    "Set up an on-call rotation",
    "Create a brand style guide",
    "Ship dark mode",
    "Deliver the Q3 roadmap",
    "Finish the Postgres upgrade",
    "Organize the company offsite",
    "Attend KubeCon",
    "Redesign the pricing page",
    "Refactor the notification service",
    "Hold 12 workshops with customers",
]


@pytest.mark.parametrize("text", TASKS)
def test_work_to_do_is_task_like(text: str) -> None:
    assert codes(text)[0] == TASK


OUTCOMES = [
    "Reduce p95 latency to under 200 ms",
    "Grow weekly active teams from 40 to 120",
    "Increase trial-to-paid conversion from 8% to 12%",
    "Keep churn below 2%",
    "Cut time to first value from 3 days to 1 day",
    "Raise NPS from 30 to 45",
    "Achieve 99.9% uptime",
    "95% of new teams complete onboarding in their first week",
    "Hold customer acquisition cost below $200",
    "Deliver 99.9% uptime for the checkout service",
    "Close $1.2M in new annual contract value",
    "Resolve 90% of support tickets within 24 hours",
    "Increase the number of paying customers from 800 to 1,100",
]


@pytest.mark.parametrize("text", OUTCOMES)
def test_outcomes_are_left_alone_even_when_they_start_with_a_verb(text: str) -> None:
    assert codes(text) == []


def test_a_task_with_a_number_in_it_is_still_task_like() -> None:
    for text in ("Publish 10 posts", "Hold 12 workshops", "Hire 5 account executives"):
        assert codes(text) == [TASK]


def test_a_launch_with_a_measured_outcome_clause_is_judged_by_the_outcome() -> None:
    assert codes("Launch in 3 new markets generating $200k ARR") == []
    assert codes("Launch self-serve checkout to lift trial conversion from 8% to 12%") == []


def test_a_purpose_without_a_number_does_not_rescue_a_task() -> None:
    assert codes("Launch the onboarding wizard to improve onboarding") == [TASK]
    assert codes("Run 5 customer interviews to understand churn") == [TASK]


def test_an_output_count_dressed_as_an_increase_is_task_like() -> None:
    text = "Increase the number of blog posts published from 4 to 10 a month"
    assert codes(text) == [TASK]
    assert "“blog posts”" in only(text, TASK).message


def test_a_count_of_people_reached_is_an_outcome_not_output() -> None:
    assert codes("Increase the number of teams using the API weekly from 40 to 100") == []


def test_migrating_every_customer_is_still_task_like() -> None:
    assert codes("Migrate 100% of customers to the new billing system") == [TASK]
    assert codes("100% of services migrated to Kubernetes") == [TASK]


def test_a_milestone_dressed_as_a_result_is_task_like() -> None:
    assert codes("Achieve SOC 2 Type II certification") == [TASK]
    message = only("Achieve SOC 2 Type II certification", TASK).message
    assert "(“SOC 2 Type II certification”)" in message
    assert codes("New onboarding wizard live in production by March") == [TASK]


def test_a_level_to_reach_is_not_a_milestone() -> None:
    assert codes("Achieve 99.9% uptime") == []
    assert codes("Reach 1,200 paying customers") == []


def test_a_deliverable_named_without_a_verb_is_task_like_but_a_bare_metric_is_not() -> None:
    assert codes("SSO") == [TASK]
    assert codes("NPS 45") == []
    assert codes("Churn < 2%") == []


def test_lower_case_capitals_and_typos_are_read_the_same() -> None:
    for text in ("lanch the wizard", "impliment sso", "LAUNCH THE WIZARD", "migrte billing"):
        assert codes(text) == [TASK], text
    assert codes("reduse churn from 5% to 3%") == []
    assert codes("incrase trial to paid conversion to 12%") == []


def test_bullets_numbering_and_we_will_are_skipped() -> None:
    assert codes("KR1: Launch the new onboarding wizard") == [TASK]
    assert codes("- Publish 5 blog posts") == [TASK]
    assert codes("We will reduce p95 latency to under 200 ms") == []
    assert codes("By June, migrate billing to Stripe") == [TASK]


def test_very_long_texts_are_read_by_their_start() -> None:
    outcome = (
        "Working closely with design, data and support over the whole quarter, and building "
        "on the feedback from the spring research round, reduce the median time a new team "
        "needs to create its first shared dashboard from 3 days to under 4 hours"
    )
    task = "Launch the redesigned onboarding wizard, " + "including a guided tour, " * 40
    assert codes(outcome) == []
    assert codes(task) == [TASK]


def test_the_task_message_quotes_the_verb_and_the_suggestion_asks_so_what() -> None:
    finding = only("Launch the new onboarding wizard", TASK)
    assert finding.message == (
        "Starts with “Launch”: it describes work to do, not a result to reach."
    )
    assert finding.suggestion.startswith("Ask “so what?”")
    assert "“Raise onboarding completion from 60% to 85%”" in finding.suggestion


def test_the_suggestion_fits_the_kind_of_work() -> None:
    assert "new people" in only("Hire 3 SREs", TASK).suggestion
    assert "read it" in only("Publish 10 posts", TASK).suggestion


# --- no_measure -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Improve onboarding", "Make the app faster", "Better docs", "Reduce churn"]
)
def test_a_direction_without_a_number_has_no_measure(text: str) -> None:
    assert codes(text) == [NO_MEASURE]


def test_improve_onboarding_has_no_measure_but_is_not_a_task() -> None:
    finding = only("Improve onboarding", NO_MEASURE)
    assert TASK not in codes("Improve onboarding")
    assert "“Improve”" in finding.message


def test_reducing_open_bugs_without_a_target_has_no_measure() -> None:
    assert codes("Reduce the number of open bugs") == [NO_MEASURE]
    assert codes("Reduce open bugs from 120 to 40") == []


def test_a_task_without_a_number_gets_task_like_only() -> None:
    # One "so what?" is enough in Slack: no_measure would repeat it.
    assert codes("Launch the wizard") == [TASK]


@pytest.mark.parametrize(
    "text",
    [
        "Double weekly active users of the mobile app",
        "Keep the backlog of unanswered tickets older than 48 hours at zero",
        "Three quarters of weekly active accounts use saved views",
        "Raise onboarding satisfaction from 6/10 to 9/10",
        "Reduce critical production alerts by 75%",
        "Become the #1 rated app in our category",
    ],
)
def test_numbers_in_words_scores_changes_and_ranks_are_measures(text: str) -> None:
    assert NO_MEASURE not in codes(text)


def test_names_dates_and_versions_are_not_measures() -> None:
    assert codes("Improve onboarding by Q3 2026") == [NO_MEASURE]
    assert codes("Strengthen our SOC 2 posture") == [NO_MEASURE]


def test_a_measureless_text_is_quoted_when_it_has_no_verb() -> None:
    assert "“Better docs”" in only("Better docs", NO_MEASURE).message


# --- vanity_metric ----------------------------------------------------------------------------

VANITY_TEXTS = [
    ("Grow total registered users to 1 million", "registered users"),
    ("Reach 100,000 app downloads", "downloads"),
    ("Increase page views by 50%", "page views"),
    ("Grow website visits from 40k to 60k per month", "visits"),
    ("Reach 2 million impressions on the launch campaign", "impressions"),
    ("Get 10k followers on LinkedIn", "followers"),
    ("Get 5,000 likes on the launch post", "likes"),
    ("Increase velocity from 30 to 45 story points per sprint", "velocity"),
    ("Increase tickets closed per agent from 40 to 60 a week", "tickets closed"),
    ("Increase lines of code shipped per developer by 25%", "lines of code"),
    ("Increase commits per engineer per week from 10 to 15", "commits"),
    ("Increase the number of deployments per week from 5 to 25", "number of deployments"),
]


@pytest.mark.parametrize(("text", "term"), VANITY_TEXTS)
def test_numbers_that_grow_by_themselves_are_vanity_metrics(text: str, term: str) -> None:
    finding = only(text, VANITY)
    assert f"“{term}" in finding.message
    assert TASK not in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "Increase weekly active users from 12k to 18k",
        "Raise download-to-activation rate from 20% to 35%",
        "Increase the visit-to-signup conversion rate from 2% to 3.5%",
        "Increase sales velocity by 15%",
        "Grow organic signups per week from 300 to 500",
        "Deploy to production daily with a change failure rate under 15%",
        "Increase deploys from 2 to 10 a week while keeping rollbacks under 5%",
    ],
)
def test_rates_active_counts_and_paired_deploys_are_not_vanity(text: str) -> None:
    assert VANITY not in codes(text)


def test_deployments_counted_alone_are_vanity_and_the_suggestion_pairs_them() -> None:
    for text in ("Deploy 20 times a day", "Increase deployment frequency from weekly to daily"):
        assert codes(text) == [VANITY], text
    assert "change failure rate" in only("Deploy 20 times a day", VANITY).suggestion


def test_the_vanity_suggestion_names_an_active_or_rate_alternative() -> None:
    assert "weekly active" in only("Grow total registered users to 1M", VANITY).suggestion
    assert "conversion" in only("Increase page views by 50%", VANITY).suggestion


def test_findings_come_in_order_and_each_at_most_once() -> None:
    assert codes("Close 200 tickets") == [TASK, VANITY]
    assert codes("Increase page views") == [NO_MEASURE, VANITY]
    for text in TASKS + OUTCOMES + [text for text, _ in VANITY_TEXTS]:
        found = codes(text)
        assert len(found) == len(set(found))
        assert found == sorted(found, key=[TASK, NO_MEASURE, VANITY].index)


# --- objective_is_metric ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("Increase MAU by 15%", "15%"),
        ("Reach $1M ARR", "$1M"),
        ("NPS 50", "50"),
        ("Double weekly active teams", "Double"),
        ("Zero data breaches", "Zero"),
    ],
)
def test_an_objective_that_is_a_number_is_flagged(text: str, trigger: str) -> None:
    (finding,) = check_objective(text)
    assert finding.code == Code.objective_is_metric
    assert f"(“{trigger}”)" in finding.message
    assert f"“{text}”" in finding.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "Make onboarding effortless for new teams",
        "Ship a delightful mobile app by Q3",
        "Make Slack the #1 place teams check in",
        "Pass SOC 2 with flying colors",
        "Get ready for the 2025 holiday peak",
        "Double down on enterprise",
        "",
    ],
)
def test_a_qualitative_objective_with_a_date_rank_or_name_is_not_a_metric(text: str) -> None:
    assert check_objective(text) == []


# --- the team ---------------------------------------------------------------------------------

GOOD_KRS = (
    KeyResultInput("Raise NPS from 30 to 45", owner="U1"),
    KeyResultInput("Keep churn below 2%", owner="U2"),
)


def objective(title: str = "Make onboarding effortless", krs: int = 2) -> ObjectiveInput:
    key_results = tuple(
        KeyResultInput(f"Raise completion from {10 + i}% to {50 + i}%", owner="U1")
        for i in range(krs)
    )
    return ObjectiveInput(title, owner="U0", key_results=key_results)


def test_a_focused_team_gets_no_findings() -> None:
    report = check_team([objective(), objective("Make support a reason to stay")])
    assert report == TeamReport(team=(), objectives=((), ()), key_results=(((), ()), ((), ())))


def test_more_objectives_than_the_threshold_is_too_many() -> None:
    assert check_team([objective()] * 3).team == ()
    (finding,) = check_team([objective()] * 4).team
    assert finding.code == Code.too_many_objectives
    assert finding.severity == Severity.warning
    assert "4 objectives" in finding.message
    (finding,) = check_team([objective()] * 2, Thresholds(max_objectives=1)).team
    assert "more than 1" in finding.message


def test_too_few_or_too_many_key_results_under_one_objective() -> None:
    report = check_team([objective(krs=1), objective(krs=5), objective(krs=4)])
    few, many, right = report.objectives
    assert [f.code for f in few] == [Code.kr_count]
    assert "fewer than 2" in few[0].message
    assert [f.code for f in many] == [Code.kr_count]
    assert "more than 4" in many[0].message
    assert right == ()


def test_custom_thresholds_move_the_key_result_limits() -> None:
    thresholds = Thresholds(max_objectives=5, min_key_results=1, max_key_results=2)
    report = check_team([objective(krs=1), objective(krs=3), objective(krs=0)], thresholds)
    assert [[f.code for f in findings] for findings in report.objectives] == [
        [],
        [Code.kr_count],
        [Code.kr_count],
    ]


def test_missing_owners_are_information_not_warnings() -> None:
    kr = KeyResultInput("Launch the new onboarding wizard", owner=None)
    report = check_team(
        [ObjectiveInput("Increase MAU by 15%", owner="  ", key_results=(kr, *GOOD_KRS))]
    )
    objective_codes = [f.code for f in report.objectives[0]]
    assert objective_codes == [Code.objective_is_metric, Code.no_owner]
    first_kr = report.key_results[0][0]
    assert [f.code for f in first_kr] == [TASK, Code.no_owner]
    assert first_kr[1].severity == Severity.info
    assert "“Launch the new onboarding wizard”" in first_kr[1].message
    assert report.key_results[0][1:] == ((), ())


def test_the_report_has_the_shape_of_the_input() -> None:
    report = check_team([objective(krs=3), objective(krs=0), objective(krs=2)])
    assert [len(krs) for krs in report.key_results] == [3, 0, 2]
    assert len(report.objectives) == 3
    assert check_team([]) == TeamReport(team=(), objectives=(), key_results=())


# --- every finding ----------------------------------------------------------------------------


def every_finding() -> list[Finding]:
    findings = [f for text in TASKS + [t for t, _ in VANITY_TEXTS] for f in check_key_result(text)]
    findings += check_key_result("Improve onboarding") + check_objective("NPS 50")
    report = check_team(
        [ObjectiveInput("Be great", key_results=(KeyResultInput("Better docs"),))] * 4
    )
    findings += list(report.team) + [f for fs in report.objectives for f in fs]
    findings += [f for per_objective in report.key_results for fs in per_objective for f in fs]
    return findings


def test_every_code_can_be_produced() -> None:
    assert {f.code for f in every_finding()} == set(Code)


def test_messages_are_one_sentence_and_suggestions_are_never_empty() -> None:
    for finding in every_finding():
        assert finding.message.endswith("."), finding
        assert ". " not in finding.message.replace("e.g. ", ""), finding
        assert "\n" not in finding.message
        assert finding.suggestion.strip(), finding


def test_severities_are_warnings_except_for_owners() -> None:
    for finding in every_finding():
        expected = Severity.info if finding.code == Code.no_owner else Severity.warning
        assert finding.severity == expected


def test_as_dict_gives_plain_strings_for_json() -> None:
    finding = only("Launch the new onboarding wizard", TASK)
    as_dict = finding.as_dict()
    assert set(as_dict) == {"code", "severity", "message", "suggestion"}
    assert as_dict["code"] == "task_like"
    assert as_dict["severity"] == "warning"
    assert all(type(value) is str for value in as_dict.values())
    assert json.loads(json.dumps(as_dict)) == as_dict


# --- robustness -------------------------------------------------------------------------------

ODD = [
    "",
    " ",
    "\t\n",
    "\x00" * 100,
    "🚀📈" * 50,
    "İstanbul launch",
    "launch " * 2000,
    "1" * 10_000,
    "1 " * 5_000,
    "5% of " * 2_000,
    "a-" * 5_000,
    "“”‘’\"'[](){}" * 300,
    "Launch\x07 the\x1b[31m wizard",
    "#1 #2 #3",
    "$$$ 10,,,000 ..%%",
    "v2 p95 q3 soc 2 iso 27001",
]


@pytest.mark.parametrize("text", ODD)
def test_odd_input_never_raises(text: str) -> None:
    # How long these take is printed by tests/benchmarks/bench_coach.py.
    findings = check_key_result(text) + check_objective(text)
    check_team([ObjectiveInput(text, key_results=(KeyResultInput(text),))])
    for finding in findings:
        assert len(finding.message) < 400
        assert not any(ord(char) < 32 for char in finding.message)


def test_blank_or_symbol_only_text_gets_no_findings() -> None:
    for text in ("", "   ", "🚀📈", "\x00\x01", "— • —"):
        assert check_key_result(text) == []


def test_random_strings_never_raise() -> None:
    rng = random.Random(7)
    alphabet = "aeioulnchstrdpy 0123456789%$€,.-/:#()<>→\t\n\x00🚀İ“”'"
    for _ in range(3_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        for finding in check_key_result(text) + check_objective(text):
            assert finding.message and finding.suggestion


# --- the labelled set -------------------------------------------------------------------------


def test_the_held_out_key_results_still_meet_the_task_like_targets() -> None:
    # A floor against regressions; tests/benchmarks/bench_coach.py prints the full report.
    cases = load_key_results("heldout")
    flagged = [(case.task_like, TASK in codes(case.text)) for case in cases]
    tp = sum(expected and got for expected, got in flagged)
    fp = sum(got and not expected for expected, got in flagged)
    fn = sum(expected and not got for expected, got in flagged)
    assert tp / (tp + fp) >= 0.92
    assert tp / (tp + fn) >= 0.88
