"""How fast the key result parser reads huge and odd wording.

    .venv/bin/python tests/benchmarks/bench_parse.py [--rounds 5] [--smoke]

`parse_key_result` on each of the inputs `tests/domain/test_parse.py` checks it survives
(`HUGE_AND_ODD`: up to a million characters of letters, digits, repeated "from 1 to",
commas, dashes, NUL bytes and odd Unicode), best of `--rounds`, pinned to one CPU, next to
a baseline in the same run: `str.lower()` + `split()` of the part of the text the parser
reads (its first `_MAX_TEXT` characters), what any reading of it costs at least. The
budget is 1 s per input, the most a person's paste may cost the form that prefills from
it; exit 1 when an input misses it.

`--smoke` runs one round and judges nothing: the suite runs it so the script keeps working
(`tests/test_benchmarks_smoke.py`).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run as a script: make `tests.domain` importable

from app.domain.parse import _MAX_TEXT, parse_key_result  # noqa: E402
from tests.domain.test_parse import HUGE_AND_ODD  # noqa: E402

BUDGET_MS = 1000.0


def pin_to_one_cpu() -> str:
    """Pin this process to one CPU where the OS allows it; say which."""
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here)"


def best_ms(run: Callable[[str], object], text: str, rounds: int) -> float:
    """The fastest of `rounds` calls of `run(text)`, in milliseconds of wall time."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        run(text)
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def _baseline(text: str) -> object:
    return text[:_MAX_TEXT].lower().split()


def main(argv: Sequence[str] | None = None) -> int:
    """Time every input against its baseline; exit 1 when one misses the budget."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed calls per input (best)")
    parser.add_argument("--smoke", action="store_true", help="one round, no verdict")
    args = parser.parse_args(argv)
    rounds = 1 if args.smoke else max(1, args.rounds)

    print(
        f"parse_key_result: Python {platform.python_version()} on {platform.machine()}, "
        f"{pin_to_one_cpu()}, best of {rounds}"
    )
    print(f"{'input':<18} {'chars':>10} {'parse':>10} {'baseline':>10} {'ratio':>7}")
    missed = []
    for name, text in HUGE_AND_ODD.items():
        parse_key_result(text[:100])  # warm up: lazily compiled patterns
        parsed = best_ms(parse_key_result, text, rounds)
        baseline = best_ms(_baseline, text, rounds)
        ratio = parsed / baseline if baseline > 0 else float("inf")
        print(f"{name:<18} {len(text):>10,} {parsed:>8.3f}ms {baseline:>8.3f}ms {ratio:>6.1f}x")
        if parsed > BUDGET_MS:
            missed.append(name)
    if args.smoke:
        print(f"budget {BUDGET_MS:.0f} ms per input: not judged (--smoke)")
        return 0
    print(
        f"budget {BUDGET_MS:.0f} ms per input: "
        + (f"MISSED by {', '.join(missed)}" if missed else "met")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
