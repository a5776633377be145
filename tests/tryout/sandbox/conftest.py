"""Running the sandbox in-process from a script, on a fixed start time."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from app.tryout.sandbox import run_sandbox

# Thursday 19 November 2026, 15:00 in Europe/Berlin: week 47 of 2026-Q4.
START = dt.datetime(2026, 11, 19, 14, 0, tzinfo=dt.UTC)
FIRST_WEEK = Path(__file__).with_name("first_week.txt")

RunScript = Callable[..., tuple[int, str]]


@pytest.fixture
def run_script() -> RunScript:
    """Run script lines through the sandbox; returns (exit status, transcript)."""

    def run(lines: list[str], **options: object) -> tuple[int, str]:
        out = io.StringIO()
        status = run_sandbox(out=out, script=lines, start=START, **options)  # type: ignore[arg-type]
        return status, out.getvalue()

    return run
