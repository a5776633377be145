"""How long the digest's progress chart takes to render.

    .venv/bin/python tests/benchmarks/bench_chart.py [--renders 50] [--objectives 12]
                                                     [--weeks 13] [--width 800 --height 450]
                                                     [--smoke]

Renders the chart of a team with ``--objectives`` objectives over a ``--weeks``-week cycle,
every week filled in (the most drawing a cycle ever needs), ``--renders`` times, pinned to
one CPU, and prints the median, p95 and worst time per chart. In the same run, interleaved
with the chart so a busy machine slows both alike, it times two baselines:

* ``blank PNG``: Pillow encoding a blank white image of the chart's size: the cost of
  producing any PNG of that size at all;
* ``blank 2x + reduce``: the same, drawn at twice the size and reduced first, as the chart
  is for anti-aliasing: the floor of this design before a single line is drawn.

The first render runs before the timed ones and is reported apart: it loads the built-in
font at each size. The target is a median and a p95 at or under 150 ms per chart; exit 1
when it is missed. `--smoke` renders twice and judges nothing (the suite runs it so the
script keeps working: `tests/test_benchmarks_smoke.py`).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run as a script: make `app` importable

import PIL  # noqa: E402
from PIL import Image  # noqa: E402

from app.charts import ChartSpec, Series, render_progress_chart  # noqa: E402

TARGET_MS = 150.0
TITLES = (
    "Grow weekly active teams from 120 to 400",
    "Cut onboarding time to the first check-in below two days",
    "Make the weekly digest the place leads look for progress",
    "Raise the check-in response rate to 85% in every team",
    "Reduce churn of paying workspaces by a third",
    "Ship the Jira and Linear integrations to all paid plans",
    "Hire two senior engineers and onboard them fully",
    "Raise automated test coverage of the app to 85%",
    "Document every public API with runnable examples",
    "Launch self-serve billing for teams under 50 people",
    "Run a partner pilot with three agencies and publish results",
    "Migrate production to Postgres 16 without downtime",
)


def team_spec(objectives: int, weeks: int) -> ChartSpec:
    """A full cycle for a team: varied paces, a few missed weeks, one overshoot."""
    series = []
    for index in range(objectives):
        pace = 0.55 + 0.09 * (index % 7)
        points: list[float | None] = [
            round(pace * (week + 1) / weeks + 0.04 * math.sin(index + week), 3)
            for week in range(weeks)
        ]
        if index % 4 == 1:
            points[weeks // 2] = None  # a week without a check-in
        title = TITLES[index % len(TITLES)]
        series.append(Series(title if index < len(TITLES) else f"{title} ({index})", points))
    return ChartSpec(f"Growth · 2026-Q4 · week {weeks} of {weeks}", weeks, weeks, series)


def blank_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def blank_reduced_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width * 2, height * 2), "white").reduce(2).save(buffer, format="PNG")
    return buffer.getvalue()


def pin_to_one_cpu() -> str:
    """Pin this process to one CPU where the OS allows it; say which."""
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here)"


def p95(samples: Sequence[float]) -> float:
    """The 95th percentile by nearest rank: a time that 95% of the renders beat or matched."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timed_ms(run: Callable[[], bytes]) -> tuple[float, int]:
    start = time.perf_counter()
    size = len(run())
    return (time.perf_counter() - start) * 1000, size


def main(argv: Sequence[str] | None = None) -> int:
    """Time the chart against its baselines; exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--renders", type=int, default=50, help="timed renders of each kind")
    parser.add_argument("--objectives", type=int, default=12, help="objectives in the team")
    parser.add_argument("--weeks", type=int, default=13, help="weeks in the cycle")
    parser.add_argument("--width", type=int, default=800)
    parser.add_argument("--height", type=int, default=450)
    parser.add_argument("--smoke", action="store_true", help="two renders, no verdict")
    args = parser.parse_args(argv)
    if args.smoke:
        args.renders = 2

    pinned = pin_to_one_cpu()
    spec = team_spec(args.objectives, args.weeks)
    width, height = args.width, args.height
    print(
        f"Python {platform.python_version()}, Pillow {PIL.__version__}, {pinned}; "
        f"{args.objectives} objectives × {args.weeks} weeks at {width}×{height}, "
        f"{args.renders} renders each"
    )

    kinds: dict[str, Callable[[], bytes]] = {
        "chart": lambda: render_progress_chart(spec, width=width, height=height),
        "blank PNG": lambda: blank_png(width, height),
        "blank 2x + reduce": lambda: blank_reduced_png(width, height),
    }
    first_ms, _ = timed_ms(kinds["chart"])
    for run in kinds.values():  # warm up: allocator, zlib, caches
        run()
    samples: dict[str, list[float]] = {name: [] for name in kinds}
    sizes: dict[str, int] = {}
    for _ in range(args.renders):
        for name, run in kinds.items():  # interleaved: noise hits every kind alike
            elapsed, sizes[name] = timed_ms(run)
            samples[name].append(elapsed)

    print(f"first render (loads the font): {first_ms:.1f} ms")
    print(f"{'':20} {'median':>9} {'p95':>9} {'max':>9} {'PNG size':>10}")
    for name, times in samples.items():
        print(
            f"{name:20} {statistics.median(times):7.1f}ms {p95(times):7.1f}ms "
            f"{max(times):7.1f}ms {sizes[name] / 1024:8.1f}KB"
        )
    chart_median, chart_p95 = statistics.median(samples["chart"]), p95(samples["chart"])
    baseline = statistics.median(samples["blank PNG"])
    floor = statistics.median(samples["blank 2x + reduce"])
    print(
        f"chart median = {chart_median / baseline:.1f}× the blank PNG, "
        f"{chart_median - floor:.1f} ms above the 2x floor (the drawing itself)"
    )
    if args.smoke:
        print(f"target: median and p95 <= {TARGET_MS:.0f} ms per chart: not judged (--smoke)")
        return 0
    met = chart_median <= TARGET_MS and chart_p95 <= TARGET_MS
    verdict = "met" if met else "MISSED"
    print(f"target: median and p95 <= {TARGET_MS:.0f} ms per chart: {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
