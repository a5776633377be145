"""`okrbot sandbox`: try the bot in a terminal, with no Slack workspace, tokens or network.

It starts the local Slack stand-in and the real app on loopback, talking over HTTP with
signed requests exactly as in production, on a fresh SQLite file (a temporary one unless
`--database-url` names one to keep). The database is seeded with a demo workspace: the
team *Growth* (Europe/Berlin, digest channel #growth), @alice (team admin), @bob and @carol,
two objectives with three key results each for the current quarter (two of them task-like,
so the quality coach's ⚠ shows in `/okr list`), and check-ins for the quarter's past weeks.

Time is virtual. The sandbox clock starts on the coming Thursday at 15:00 in the team's
zone (or at `--start`), so the Friday 10:00 check-in is the next thing to happen.
`:advance` moves the clock forward and runs the scheduler's tick jobs at every prompt,
reminder and digest slot on the way, then at the target time.

You type as one user at a time (`alice> `): `/okr …` commands, a button's number to click
it, and the sandbox's own `:commands` (`:help` lists them). When a modal opens, it is
rendered and filled field by field; the app's validation errors are shown on their fields
and asked for again.

Script format (`okrbot sandbox --script FILE`)
----------------------------------------------
A script is what a person would type, one line per Enter, run without a terminal; the
transcript echoes each line after its prompt, then what the sandbox showed.

* At the command prompt: `/okr …`, a button number, or a `:command`. Blank lines are
  skipped; lines starting with `#` are comments, copied into the transcript.
* While a modal is open, each following line answers the next field in order (the order
  the modal shows them). An empty line keeps the shown value; `:clear` empties a field;
  `:submit` sends the form without asking the remaining fields; `:cancel` closes it.
  Options are picked by number or label, people by name (`bob`), channels as `#growth`.
  After the fields comes the question whether to submit: an empty line submits, a number
  clicks that button of the modal, `:edit` asks all fields again, `:cancel` closes.
  When the app rejects some fields, only those are asked again, then the question.
  Comments are not allowed inside a modal: every line there is an answer.
* The script ends at its last line (or `:quit`). The exit status is 1 when any line was
  not understood (an unknown command, a missing button, an option that does not exist).

See `tests/tryout/sandbox/first_week.txt` for an example.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from app.domain.schedule import zone_of
from app.tryout.sandbox.clock import default_start
from app.tryout.sandbox.seed import TEAM_ZONE
from app.tryout.sandbox.terminal import (
    AppLog,
    LineSource,
    SandboxShell,
    ScriptSource,
    TerminalSource,
)
from app.tryout.sandbox.world import SandboxWorld, TickJob, build_tick_jobs

__all__ = ["SandboxWorld", "TickJob", "build_tick_jobs", "parse_start", "run_sandbox"]


def parse_start(text: str) -> dt.datetime:
    """`--start`: an ISO-8601 time; without an offset it is read in the team's zone."""
    moment = dt.datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=zone_of(TEAM_ZONE))


def run_sandbox(
    *,
    out: TextIO,
    script: Iterable[str] | None = None,
    database_url: str | None = None,
    start: dt.datetime | None = None,
) -> int:
    """Run the sandbox until `:quit` or the end of input; returns the exit status.

    Lines come from `script` when given, else from the terminal (with readline) when
    standard input is one, else from standard input read as a script.
    """
    source: LineSource
    if script is not None:
        source = ScriptSource(script)
    elif sys.stdin.isatty():
        source = TerminalSource()
    else:
        source = ScriptSource(sys.stdin)
    log = AppLog()
    root = logging.getLogger()
    root.addHandler(log)
    try:
        with tempfile.TemporaryDirectory(prefix="okrbot-sandbox-") as scratch:
            world = SandboxWorld(
                scratch=Path(scratch),
                database_url=database_url,
                start=start or default_start(dt.datetime.now(dt.UTC), TEAM_ZONE),
            )
            world.open()
            try:
                return SandboxShell(world, source, out, log=log).run()
            finally:
                world.close()
    finally:
        root.removeHandler(log)
