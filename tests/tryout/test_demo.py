"""`okrbot demo` drives the real app through the stand-in and prints what Slack shows."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.db.engine import create_db_engine
from app.db.models import KeyResult, Objective
from app.tryout.demo import run_demo
from tests.databases import Databases

# The demo serves the real app and the stand-in over HTTP: not in the fast loop.
pytestmark = pytest.mark.e2e


def test_demo_shows_help_a_modal_made_objective_and_the_list(databases: Databases) -> None:
    out = io.StringIO()
    url = databases.empty("demo")
    run_demo(out=out, database_url=url)
    text = out.getvalue()
    assert "/okr new" in text and "/okr list [team]" in text  # the help
    assert "╭─ New objective" in text and "╭─ Set the numbers" in text  # the modal steps
    assert "⚠ Enter a number" in text  # a field error, shown on its field
    assert "Saved O1 · Make onboarding effortless for new teams" in text
    assert re.search(r"Growth · \d{4}-Q[1-4]", text)  # the list, in the current quarter
    assert "60% → 60% → 85%" in text
    assert "Only its owner (@alice) or a team admin can change O1." in text
    # It really went through the app into the database.
    engine = create_db_engine(url)
    with Session(engine) as session:
        assert session.exec(select(Objective)).one().title.startswith("Make onboarding")
        assert len(session.exec(select(KeyResult)).all()) == 3
    engine.dispose()
    rendered = text.split("people", 1)[1]  # after the header with URLs and paths
    assert max(len(line) for line in rendered.splitlines()) <= 80


def test_demo_command_needs_no_configuration(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "demo"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Saved O1" in result.stdout
    assert "Traceback" not in result.stderr
    assert list(tmp_path.glob("*.db")) == []  # the default database is temporary
