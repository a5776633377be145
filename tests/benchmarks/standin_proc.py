"""The Slack stand-in in a process of its own, for load benchmarks (`bench_scale.py`).

Under load the app calls the Web API for most requests (a check-in refreshes the person's
Home tab with `views.publish`), and with `process_before_response` the app answers Slack
only after those calls return: a stand-in sharing a GIL with the load generator or the
benchmark's bookkeeping would slow the very thing being measured. In its own process its
CPU can also be read from `/proc` and reported.

Protocol, one JSON line each way:

* stdin, first line: `{"bot_token": "...", "team_id": "T0001", "users": [[id, tz], ...]}`
  (the users `views.publish` may name); once serving, stdout answers
  `{"api_url": "http://127.0.0.1:PORT/api/", "pid": N}`;
* then each `stats` line on stdin is answered with the calls since the previous `stats`:
  `{"methods": {"views.publish": {"calls": n, "errors": n, "error_samples": [...],
  "p50_ms": x, "p99_ms": x, "max_ms": x}, ...}}` (the time the stand-in took to handle
  each call, from its parsed request to its reply, lock waits included);
* `stop` (or the end of stdin) stops it.

Unlike the tests' stand-in, it keeps no log of the calls (a minute of check-ins would
hold every Home tab ever published several times over), only counts and timings; the
state Slack keeps (Home tabs, messages) is kept as usual.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from app.tryout.standin import SlackStandIn


class CountingStandIn(SlackStandIn):
    """A stand-in that counts and times calls instead of recording them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tally_lock = threading.Lock()
        self._durations: dict[str, list[float]] = defaultdict(list)
        self._errors: dict[str, int] = defaultdict(int)
        self._samples: dict[str, list[str]] = defaultdict(list)
        self._local = threading.local()

    def _handle(self, method_name: str, path: str, headers: Mapping[str, str], raw: bytes) -> Any:
        started = time.perf_counter()
        self._local.method = None
        reply = super()._handle(method_name, path, headers, raw)
        elapsed = time.perf_counter() - started
        method = self._local.method or path
        body = reply.body if isinstance(reply.body, dict) else {}
        failed = reply.status != 200 or body.get("ok") is False
        with self._tally_lock:
            self._durations[method].append(elapsed)
            if failed:
                self._errors[method] += 1
                if len(self._samples[method]) < 3:
                    self._samples[method].append(f"{reply.status} {body.get('error', '')}")
        return reply

    def _record(self, method: str, args: dict[str, Any], reply: Any, **kwargs: Any) -> None:
        self._local.method = method

    def take_stats(self) -> dict[str, Any]:
        """Counts and timings per method since the last call."""
        with self._tally_lock:
            durations, self._durations = self._durations, defaultdict(list)
            errors, self._errors = self._errors, defaultdict(int)
            samples, self._samples = self._samples, defaultdict(list)
        methods = {}
        for method, values in sorted(durations.items()):
            ordered = sorted(values)

            def pick(p: float, ordered: list[float] = ordered) -> float:
                rank = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
                return round(ordered[rank] * 1000, 3)

            methods[method] = {
                "calls": len(ordered),
                "errors": errors.get(method, 0),
                "error_samples": samples.get(method, []),
                "p50_ms": pick(50),
                "p99_ms": pick(99),
                "max_ms": round(ordered[-1] * 1000, 3),
            }
        return {"methods": methods}


def main() -> int:
    """Serve until told to stop."""
    config = json.loads(sys.stdin.readline())
    standin = CountingStandIn(bot_token=config["bot_token"], team_id=config["team_id"])
    for user_id, timezone in config.get("users", []):
        standin.add_user(user_id, name=user_id.lower(), tz=timezone)
    standin.start()
    print(json.dumps({"api_url": standin.api_url, "pid": os.getpid()}), flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                print(json.dumps(standin.take_stats()), flush=True)
            elif command == "stop":
                break
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
