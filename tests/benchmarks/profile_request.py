"""Where one gunicorn worker's time goes on `/okr list` and `/okr help`: a cProfile run.

    .venv/bin/python tests/benchmarks/profile_request.py [--requests 2000] [--top 25]

In one process, like a gunicorn worker: `build_runtime` on a copy of the seeded database
(`seed.py`), its Web API pointed at a `SlackStandIn`, and list answers of several messages
posted to a local `ResponseSink`, as in `bench_http.py`. The WSGI callable is called
directly with signed environs of random seeded users (no HTTP server, no sockets on the
way in), first unprofiled to time it, then under cProfile; the top entries by cumulative
time, then by own time, are printed per scenario. Last, the main steps of `/okr list` are
timed one by one (resolve the caller, load the team's OKRs, build the blocks, post to the
response URL), and each SQL query of `/okr list` is run again with `sqlite3` alone, with
SQLite's query plan, to separate the database's time from SQLAlchemy's.
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
from sqlalchemy import event

from app.cli import secrets_of
from app.domain.cycles import quarter_of
from app.logs import configure_logging
from app.runtime import Runtime, build_runtime
from app.settings import Settings
from app.slack.views.okr_list import build_okr_list_messages
from app.standin import SlackStandIn
from app.store.directory import find_team, teams_of_member
from app.store.okrs import find_cycle, team_okrs, today_in


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
    """Time the steps of `/okr list` separately, outside Bolt."""
    from slack_sdk.webhook import WebhookClient

    services = runtime.services
    rng = random.Random(3)
    users = [rng.choice(seed.users) for _ in range(count)]

    def per_call(step: Callable[[Any], Any]) -> float:
        started = time.perf_counter()
        for user in users:
            step(user)
        return 1000 * (time.perf_counter() - started) / count

    def caller(user: Any) -> Any:
        return services.caller(team_id="T0001", enterprise_id=None, user_id=user.slack_user_id)

    def load(user: Any) -> Any:
        who = caller(user)
        with services.db.read() as session:
            team = teams_of_member(session, workspace_id=who.workspace_id, member_id=who.member_id)
            span = quarter_of(today_in(team[0].timezone, services.now()))
            cycle = find_cycle(session, workspace_id=who.workspace_id, label=span.label)
            assert cycle is not None
            return team_okrs(session, workspace_id=who.workspace_id, team=team[0], cycle=cycle)

    okrs = {user.team_name: None for user in users}
    with services.db.read() as session:
        for name in okrs:
            team = find_team(session, workspace_id=1, name=name)
            cycle = find_cycle(session, workspace_id=1, label=seed.cycle_labels[0])
            assert team is not None and cycle is not None
            okrs[name] = team_okrs(session, workspace_id=1, team=team, cycle=cycle)
    messages = {name: build_okr_list_messages(value) for name, value in okrs.items()}  # type: ignore[arg-type]

    def post(user: Any) -> None:
        client = WebhookClient(sink.url_for(user.team_name, user.slack_user_id))
        for payload in messages[user.team_name]:
            client.send_dict({**payload, "response_type": "ephemeral", "replace_original": False})

    explain_queries(runtime, seed, lambda: load(users[0]))
    caller_ms = per_call(caller)
    load_ms = per_call(load)
    build_ms = per_call(lambda user: build_okr_list_messages(okrs[user.team_name]))  # type: ignore[arg-type]
    post_ms = per_call(post)
    pages = len(next(iter(messages.values())))
    blocks = sum(len(page["blocks"]) for page in next(iter(messages.values())))
    print(f"\n/okr list step by step, mean of {count} calls (no Bolt, no HTTP in):")
    print(f"  resolve the caller (services.caller)                 {caller_ms:7.2f} ms")
    print(f"  caller + teams + cycle + team_okrs (5-6 queries)     {load_ms:7.2f} ms")
    print(f"  build_okr_list_messages ({pages} messages, {blocks} blocks)       {build_ms:7.2f} ms")
    print(f"  post those {pages} messages to the response URL          {post_ms:7.2f} ms")
    sink.take()


def explain_queries(runtime: Runtime, seed: SeedInfo, work: Callable[[], Any]) -> None:
    """Each SELECT `work` runs: its time in SQLite alone, and SQLite's query plan."""
    captured: list[tuple[str, Any]] = []

    def capture(connection: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        captured.append((statement, parameters))

    event.listen(runtime.db.engine, "before_cursor_execute", capture)
    try:
        work()
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", capture)
    print("\n/okr list's queries, run again with sqlite3 alone (mean of 200), and their plans:")
    raw = sqlite3.connect(seed.path)
    try:
        for statement, parameters in captured:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
            started = time.perf_counter()
            for _ in range(200):
                raw.execute(statement, parameters).fetchall()
            ms = 1000 * (time.perf_counter() - started) / 200
            found = re.search(r"\bFROM\s+(\w+)", statement)
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
    args = parser.parse_args(argv)
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
                time_calls(runtime.wsgi, environs, 50)  # warm: auth.test, first connections
                # The list is cached per team while unchanged: time first sight and repeats.
                some = environs[:200]
                cold = time_calls(runtime.wsgi, environs[200:], min(args.requests, 500))
                time_calls(runtime.wsgi, some, 1000)
                warm = time_calls(runtime.wsgi, some, 2000)
                posted = sink.take()
                print(
                    f"\n=== /okr {text}: {cold:.2f} ms per request on first sight, "
                    f"{warm:.2f} ms repeated (cache warm), unprofiled, one thread ==="
                )
                if text == "list":
                    print(f"    ({posted.ok} response-URL posts, {posted.bad} wrong)")
                print(profile_calls(runtime.wsgi, environs, args.requests, args.top))
                sink.take()
            time_list_steps(runtime, seed, sink, min(args.requests, 500))
            runtime.db.dispose()
        finally:
            sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
