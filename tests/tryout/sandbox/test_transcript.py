"""The sandbox driven by scripts: a first week end to end, hints, reset, kept data, the CLI."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, select

from app.cli import main
from app.db.models import CheckIn, KeyResult
from tests.tryout.sandbox.conftest import FIRST_WEEK, RunScript

# The sandbox serves the real app and the stand-in over HTTP: not in the fast loop.
pytestmark = pytest.mark.e2e


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _after(lines: list[str], start: str) -> list[str]:
    """The lines following the first one that starts with `start`."""
    index = next(i for i, line in enumerate(lines) if line.startswith(start))
    return lines[index + 1 :]


def test_a_first_week_new_objective_check_ins_and_the_next_weeks_reminder(
    run_script: RunScript, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'week.db'}"
    status, text = run_script(FIRST_WEEK.read_text().splitlines(), database_url=url)
    lines = _lines(text)
    assert status == 0, text
    assert "  ? " not in text  # every line of the script was understood
    assert "  clock     Thursday 19 November 2026, 15:00 (Europe/Berlin)" in lines
    assert "  history   check-ins for 7 past weeks" in lines

    # /okr new: the words, then the numbers step with the coach's flag and "Save anyway".
    assert "  Objective*: Get new teams to their first check-in in week one" in lines
    assert "  Owner of key result 2 [alice]: carol" in lines
    review = _after(lines, "╭─ Review and numbers")
    assert any("Key result 2: Launch the weekly check-in email · @carol" in x for x in review)
    assert any("Starts with “Launch”: it describes work to do" in x for x in review)
    assert review[
        review.index("  Save anyway? (Enter submits · :edit · :cancel · a number clicks): ") - 1
    ].startswith("  Key result 2: Launch the we…")
    assert "  (you click Done; the modal closes)" in lines
    assert any("Saved O3 · Get new teams to their first check-in in week" in x for x in lines)

    # /okr list marks the task-like key results, the new one included.
    listing = _after(lines, "alice> /okr list")
    kr8 = next(i for i, x in enumerate(listing) if x.startswith("KR8 Launch the weekly"))
    assert ":warning: _reads like a task_" in listing[kr8 + 1]
    assert " ".join(listing[: kr8 + 2]).count(":warning: _reads like a task_") == 3

    # Friday 10:00: the prompt arrives as a DM with its three buttons.
    friday = _after(lines, "alice> :advance friday 10:00")
    assert friday[0] == "  ⏩ Friday 20 November 2026, 10:00 (Europe/Berlin), +19h"
    assert friday[1].startswith("── okrbot · direct message · Fri 20 Nov 10:00 ──")
    assert friday[2] == (
        "Time for Growth's weekly check-in (week 47). How did your 2 key results move?"
    )
    assert "[1] Update  [2] No change this week  [3] Skip, I'm away" in friday
    assert "  (new direct messages: @bob 1, @carol 1; :as switches)" in friday

    # Update by number: the modal, a typo caught on its field, asked again, recorded.
    modal = _after(lines, "alice> 1")
    assert modal[0].startswith("╭─ Check-in · week 47 ")
    assert "  KR1 Raise onboarding comple… · Value now [73]: seventy" in modal
    assert "  KR6 Raise newsletter subscr… · Confidence* [🟢 On track]: 2" in modal
    retry = _after(modal, "  Record? (Enter submits · :edit · :cancel): ")
    assert retry[0].startswith("╭─ Check-in · week 47 ")
    assert "│   ⚠ Enter a number, like 85, 1.5k or 40%." in "\n".join(retry)
    asked_again = [x for x in retry if x.startswith("  KR")]
    assert asked_again[0] == "  KR1 Raise onboarding comple… · Value now [seventy]: 76"
    done = _after(retry, "  Record? (Enter submits · :edit · :cancel): ")
    assert done[0] == "  (the modal closed)"
    assert done[1].startswith("── okrbot · direct message (updated) · Fri 20 Nov 10:00 ──")
    assert "2 key results recorded" in " ".join(done[2:4])

    # Bob answers with one click, Carol skips; each prompt is updated in place.
    assert "  You are @bob (Bob Diaz) now." in lines
    assert "How did your 3 key results move?" in " ".join(_after(lines, "alice> :as bob")[:4])
    bob = _after(lines, "bob> 2")
    assert bob[0].startswith("── okrbot · direct message (updated) · Fri 20 Nov 10:00 ──")
    carol = _after(lines, "carol> 3")
    assert "skipped, you're away" in " ".join(carol[1:3])

    # Everyone answered: no reminder on Monday. The next week's prompt goes unanswered,
    # so the Monday after brings its one reminder.
    monday = _after(lines, "alice> :advance monday 10:00")
    assert monday[0] == "  ⏩ Monday 23 November 2026, 10:00 (Europe/Berlin), +3d"
    week = _after(lines, "alice> :advance 1w")
    assert week[0] == "  ⏩ Monday 30 November 2026, 10:00 (Europe/Berlin), +1w"
    headers = [x for x in monday[: len(monday) - len(week)] if x.startswith("── okrbot")]
    assert headers == []
    dms = [x for x in week if x.startswith("── okrbot · direct message")]
    assert [re.sub(" ─+$", "", x) for x in dms] == [
        "── okrbot · direct message · Fri 27 Nov 10:00",
        "── okrbot · direct message · Mon 30 Nov 10:00",
    ]
    assert any(x.startswith("A gentle reminder: your Growth check-in for week 48") for x in week)

    # The Home tab shows the check-in just made.
    home = _after(lines, "alice> :home")
    assert home[0].startswith("╭─ Home ")
    assert any("_last check-in week 47: 76% · 🟢 On track_" in x for x in home)

    # It all went through the app into the database.
    with Session(create_engine(url)) as session:
        kr1 = session.exec(select(KeyResult).where(KeyResult.id == 1)).one()
        row = session.exec(
            select(CheckIn).where(CheckIn.key_result_id == 1, CheckIn.iso_week == "2026-W47")
        ).one()
    assert (kr1.current_value, row.value, row.note) == (76, 76, "Landing page copy is live")
    # Readable in an 80-column terminal (the banner's URLs aside).
    assert max(len(line) for line in _after(lines, "Type /okr help")) <= 80


def test_input_the_sandbox_does_not_understand_gets_a_one_line_hint(
    run_script: RunScript,
) -> None:
    script = ["hello", ":foo", "/todo list", "7", ":as dave", ":advance yesterday", ":log"]
    status, text = run_script(script)
    assert status == 1
    hints = [line for line in text.splitlines() if line.startswith("  ? ")]
    assert hints == [
        "  ? type /okr … as in Slack, a button's number, or :help",
        "  ? unknown command :foo; :help lists the sandbox's commands",
        "  ? only /okr is installed in this workspace, not /todo",
        "  ? there is nothing to click yet; buttons show as [1], [2], …",
        "  ? who? try one of: alice, bob, carol",
        "  ? can't read 'yesterday' as a time; try `friday 10:00`, `tomorrow 9:00`,",
    ]
    assert "(the script had 6 lines the sandbox did not accept)" in text
    assert "Traceback" not in text


def test_menus_are_clicked_by_number_then_option_and_modals_can_be_cancelled(
    run_script: RunScript,
) -> None:
    script = ["/okr list", ":click 1 archive o1", "1", "/okr edit KR4", ":cancel", ":help"]
    status, text = run_script(script)
    assert status == 0, text
    lines = text.splitlines()
    archived = _after(lines, "alice> :click 1 archive o1")
    assert archived[1].startswith(":file_cabinet: Archived O1")
    assert archived[3] == "[1] Undo"
    undone = _after(lines, "alice> 1")
    assert undone[0].startswith("── okrbot · only visible to you (updated)")
    edit = _after(lines, "alice> /okr edit KR4")
    assert edit[0].startswith("╭─ ")
    assert "  (the modal closed)" in edit
    assert "  :advance friday 10:00  move the clock on, delivering what falls due on the" in lines


def test_reset_and_a_kept_database(run_script: RunScript, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    status, first = run_script(["/okr archive O2", ":reset", "/okr list"], database_url=url)
    assert status == 0, first
    after_reset = _after(first.splitlines(), "alice> :reset")
    assert after_reset[0] == "  Started again: a fresh database, seeded; you are @alice."
    assert any(x.startswith("O2 · Turn the blog") for x in after_reset)
    status, second = run_script(["/okr archive O1"], database_url=url)
    assert status == 0 and "  data      kept from the last run" in second
    status, third = run_script(["/okr list"], database_url=url)
    listed = _after(third.splitlines(), "alice> /okr list")
    assert not any(x.startswith("O1 ·") for x in listed)  # archived last time, still
    assert sum(x.startswith("O2 ·") for x in listed) == 1  # not seeded twice


def test_the_cli_runs_a_script_with_no_configuration(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "app", "sandbox", "--start", "2026-11-19T15:00"]
    result = subprocess.run(
        [*command, "--script", str(FIRST_WEEK)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "alice> :advance friday 10:00" in result.stdout
    assert result.stderr == ""
    assert list(tmp_path.glob("*.db")) == []  # the default database is temporary


def test_piped_input_is_read_as_a_script(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("/okr help\n:now\n"))
    assert main(["sandbox", "--start", "2026-11-19T15:00"]) == 0
    out = capsys.readouterr().out
    assert "alice> /okr help" in out and "`/okr new`" in out
    assert "alice> :now\n  Thursday 19 November 2026, 15:00 (Europe/Berlin)\n" in out


def test_the_cli_refuses_a_bad_start_or_a_missing_script_in_one_line(capsys) -> None:
    assert main(["sandbox", "--start", "soon"]) == 2
    assert capsys.readouterr().err == (
        "okrbot: --start 'soon' is not an ISO-8601 time like 2026-11-19T15:00\n"
    )
    assert main(["sandbox", "--script", "nope.txt"]) == 2
    assert capsys.readouterr().err == ("okrbot: cannot read nope.txt: No such file or directory\n")
