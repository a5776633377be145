"""Where one gunicorn worker's time goes on `/okr list` and `/okr help`: a cProfile run.

    .venv/bin/python tests/benchmarks/profile_request.py [--requests 2000] [--top 25] [--smoke]

In one process, like a gunicorn worker: `build_runtime` on a copy of the seeded database
(`seed.py`), its Web API pointed at a `SlackStandIn`, and list answers of several messages
posted to a local `ResponseSink`, as in `bench_http.py`. The WSGI callable is called
directly with signed environs of random seeded users (no HTTP server, no sockets on the
way in), first unprofiled to time it, then under cProfile; the top entries by cumulative
time, then by own time, are printed per scenario. Last, the steps of `/okr list`'s hot path
(`app.store.listing`) are timed one by one (the two queries every request runs, and what a
rebuild adds: its query, building the blocks, serializing the answer), and each of its
queries is run again with `sqlite3` alone, with SQLite's query plan, to separate the
database's time from the driver's and the app's.

`--smoke` (20 requests, top 5) is what the suite runs so the script keeps working
(`tests/test_benchmarks_smoke.py`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import (
    BOT_TOKEN,
    EVENTS_PATH,
    SIGNING_SECRET,
    ResponseSink,
    slash_command_body,
)
from loadgen import slack_signature
from seed import DB_TWEAKS, SeedInfo, seeded_copy

from app.cli import secrets_of
from app.logs import configure_logging
from app.runtime import Runtime, build_runtime
from app.settings import Settings
from app.slack.views.okr_list import BuiltList, build_okr_list_messages
from app.store import listing
from app.tryout.standin import SlackStandIn


def signed_environs(seed: SeedInfo, sink: ResponseSink, text: str) -> list[dict[str, Any]]:
    """One WSGI environ per seeded user, signed now (valid for five minutes)."""
    timestamp = str(int(time.time()))
    environs = []
    for user in seed.users:
        body = slash_command_body(
            user_id=user.slack_user_id,
            text=text,
            response_url=sink.url_for(user.team_name, user.slack_user_id),
        )
        environs.append(
            {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": EVENTS_PATH,
                "QUERY_STRING": "",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "80",
                "CONTENT_TYPE": "application/x-www-form-urlencoded",
                "CONTENT_LENGTH": str(len(body.encode())),
                "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp,
                "HTTP_X_SLACK_SIGNATURE": slack_signature(SIGNING_SECRET, timestamp, body),
                "wsgi.url_scheme": "http",
                "_body": body.encode(),
            }
        )
    return environs


def call(app: Callable[..., Any], environ: dict[str, Any]) -> tuple[str, bytes]:
    """Call the WSGI app once; (status, body)."""
    request = dict(environ)
    request["wsgi.input"] = io.BytesIO(request.pop("_body"))
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status.append(line)

    body = b"".join(app(request, start_response))
    return status[0], body


def time_calls(app: Callable[..., Any], environs: list[dict[str, Any]], count: int) -> float:
    """Mean wall ms per request over `count` random requests (checked to be 200)."""
    rng = random.Random(7)
    started = time.perf_counter()
    for _ in range(count):
        status, _body = call(app, rng.choice(environs))
        if not status.startswith("200"):
            raise RuntimeError(f"unexpected {status}")
    return 1000 * (time.perf_counter() - started) / count


def profile_calls(
    app: Callable[..., Any], environs: list[dict[str, Any]], count: int, top: int
) -> str:
    """cProfile `count` random requests; the top entries by cumulative time."""
    rng = random.Random(11)
    chosen = [rng.choice(environs) for _ in range(count)]
    profiler = cProfile.Profile()
    profiler.enable()
    for environ in chosen:
        call(app, environ)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    out.write("  ... and by own time (excluding callees):\n")
    stats.sort_stats("tottime").print_stats(max(10, top // 2))
    return out.getvalue()


def time_list_steps(runtime: Runtime, seed: SeedInfo, sink: ResponseSink, count: int) -> None:
    """Time the steps of `/okr list`'s hot path (app.store.listing) separately, outside Bolt."""
    services = runtime.services
    engine = runtime.db.engine
    rng = random.Random(3)
    users = [rng.choice(seed.users) for _ in range(count)]
    cycle_label = seed.cycle_labels[0]

    def per_call(step: Callable[[Any], Any]) -> float:
        started = time.perf_counter()
        for user in users:
            step(user)
        return 1000 * (time.perf_counter() - started) / count

    with listing.reading(engine) as reader:
        cycle = listing.cycle_id(reader, workspace_id=1, label=cycle_label)
        assert cycle is not None
        teams = {
            user.slack_user_id: listing.teams_with_revision(
                reader, workspace_id=1, user_id=user.slack_user_id, label=cycle_label
            )[0].team
            for user in users
        }
        okrs = {
            team.id: listing.team_okrs(
                reader,
                workspace_id=1,
                team_id=team.id,
                team_name=team.name,
                cycle_id=cycle,
                cycle_label=cycle_label,
            )
            for team in teams.values()
        }
    built = {team_id: build_okr_list_messages(value) for team_id, value in okrs.items()}

    def check(user: Any) -> Any:
        with listing.reading(engine) as reader:
            return listing.teams_with_revision(
                reader, workspace_id=1, user_id=user.slack_user_id, label=cycle_label
            )

    def load(user: Any) -> Any:
        team = teams[user.slack_user_id]
        with listing.reading(engine) as reader:
            return listing.team_okrs(
                reader,
                workspace_id=1,
                team_id=team.id,
                team_name=team.name,
                cycle_id=cycle,
                cycle_label=cycle_label,
            )

    explain_queries(
        seed,
        [
            (
                listing._TEAMS_WITH_REVISION,
                {"workspace_id": 1, "user_id": users[0].slack_user_id, "label": cycle_label},
            ),
            (
                listing._TEAM_OKRS,
                {"workspace_id": 1, "team_id": teams[users[0].slack_user_id].id, "cycle_id": cycle},
            ),
        ],
        engine.dialect,
    )
    caller_ms = per_call(
        lambda user: services.caller(
            team_id="T0001", enterprise_id=None, user_id=user.slack_user_id
        )
    )
    check_ms = per_call(check)
    load_ms = per_call(load)
    team_of = {user.slack_user_id: teams[user.slack_user_id].id for user in users}
    build_ms = per_call(lambda user: build_okr_list_messages(okrs[team_of[user.slack_user_id]]))
    serialize_ms = per_call(lambda user: BuiltList(built[team_of[user.slack_user_id]]))
    first = next(iter(built.values()))
    pages, blocks = len(first), sum(len(page["blocks"]) for page in first)
    print(f"\n/okr list step by step, mean of {count} calls (no Bolt, no HTTP in):")
    print(f"  services.caller (not on the list's path; for scale)      {caller_ms:7.3f} ms")
    print(f"  every request: teams_with_revision (1 query)             {check_ms:7.3f} ms")
    print(f"  a rebuild: listing.team_okrs (1 query)                   {load_ms:7.3f} ms")
    print(
        f"  a rebuild: build_okr_list_messages ({pages} msg, {blocks} blocks)  {build_ms:7.3f} ms"
    )
    print(f"  a rebuild: BuiltList (serialize the answer once)         {serialize_ms:7.3f} ms")
    sink.take()


def explain_queries(
    seed: SeedInfo, statements: list[tuple[Any, dict[str, Any]]], dialect: Any
) -> None:
    """Each SELECT of the list's hot path: its time in SQLite alone, and SQLite's query plan."""
    print("\n/okr list's queries, run again with sqlite3 alone (mean of 200), and their plans:")
    raw = sqlite3.connect(seed.path)
    try:
        for statement, params in statements:
            sql, positions = statement.compiled(dialect)
            parameters = tuple(params[name] for name in positions) if positions else params
            plan = [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, parameters)]
            started = time.perf_counter()
            for _ in range(200):
                raw.execute(sql, parameters).fetchall()
            ms = 1000 * (time.perf_counter() - started) / 200
            # The outermost FROM (a subquery in the select list may name a table first).
            found = re.search(r"^\s*FROM\s+(\w+)", sql, re.MULTILINE)
            table = found.group(1) if found else "?"
            print(f"  {ms:6.3f} ms  FROM {table:<16} {' / '.join(plan)}")
    finally:
        raw.close()


def main(argv: list[str] | None = None) -> int:
    """Profile the request path of one worker."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="profiled calls per scenario")
    parser.add_argument("--top", type=int, default=25, help="entries to print")
    parser.add_argument(
        "--db-tweak",
        choices=sorted(DB_TWEAKS),
        default="none",
        help="what-if: change the profiled copy of the database (see seed.py)",
    )
    parser.add_argument("--smoke", action="store_true", help="20 requests: does it still run?")
    args = parser.parse_args(argv)
    if args.smoke:
        args.requests, args.top = 20, 5
    requests = args.requests
    with (
        tempfile.TemporaryDirectory(prefix="okrprofile-") as workdir,
        SlackStandIn(bot_token=BOT_TOKEN, team_id="T0001") as standin,
    ):
        sink = ResponseSink().start()
        try:
            seed = seeded_copy(Path(workdir), tweak=args.db_tweak)
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                slack_bot_token=BOT_TOKEN,
                slack_signing_secret=SIGNING_SECRET,
                database_url=seed.url,
                slack_api_url=standin.api_url,
                log_level="INFO",
            )
            # As app.wsgi does in each gunicorn worker.
            configure_logging(settings.log_level, secrets=secrets_of(settings))
            runtime = build_runtime(settings)
            for text in ("list", "help"):
                environs = signed_environs(seed, sink, text)
                # Warm: auth.test, first connections.
                time_calls(runtime.wsgi, environs, min(requests, 50))
                # The list is cached per team while unchanged: time first sight and repeats.
                some = environs[:200]
                cold = time_calls(runtime.wsgi, environs[200:], min(requests, 500))
                time_calls(runtime.wsgi, some, min(requests, 1000))
                warm = time_calls(runtime.wsgi, some, min(requests, 2000))
                posted = sink.take()
                print(
                    f"\n=== /okr {text}: {cold:.2f} ms per request on first sight, "
                    f"{warm:.2f} ms repeated (cache warm), unprofiled, one thread ==="
                )
                if text == "list":
                    print(f"    ({posted.ok} response-URL posts, {posted.bad} wrong)")
                print(profile_calls(runtime.wsgi, environs, requests, args.top))
                sink.take()
            time_list_steps(runtime, seed, sink, min(requests, 500))
            runtime.db.dispose()
        finally:
            sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
