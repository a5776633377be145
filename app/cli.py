"""The `okrbot` command (also `python -m app`).

Every failure ends with a non-zero exit and one line saying why; never a traceback.
Exit status 2 means the command line or the configuration is wrong.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from app import __version__
from app.clock import CRASH_POINTS
from app.settings import MissingSettingError, Settings

logger = logging.getLogger("okrbot")


class CommandError(Exception):
    """A failure to report in one line, with an exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage dump.
        raise CommandError(f"{message} (see `{self.prog} --help`)", status=2)


def _settings() -> Settings:
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as invalid:
        first = invalid.errors()[0]
        name = str(first["loc"][0]).upper() if first.get("loc") else "a setting"
        raise CommandError(f"invalid setting {name}: {first['msg']}", status=2) from None


def secrets_of(settings: Settings) -> list[str]:
    """The configured secrets, for scrubbing logs."""
    return settings.secrets()


def _logging(settings: Settings) -> None:
    from app.logs import configure_logging

    configure_logging(
        settings.log_level,
        secrets=secrets_of(settings),
        json_lines=settings.log_format == "json",
    )


def _database(settings: Settings):  # type: ignore[no-untyped-def]
    from app.db import Database
    from app.db.migrate import ensure_schema

    db = Database(settings.database_url)
    ensure_schema(db.engine)
    return db


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve Slack's requests over HTTP, or over Socket Mode when SLACK_APP_TOKEN is set."""
    from app.server import LocalServer, Starting

    settings = _settings()
    settings.require_slack()
    _logging(settings)
    # Listen first: /healthz answers while the app is still being imported and built.
    starting = Starting()
    server = LocalServer(starting, host=args.host, port=args.port).start()
    try:
        from app.runtime import build_runtime

        runtime = build_runtime(settings)
        starting.ready(runtime.wsgi)
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            assert settings.slack_app_token is not None
            handler = SocketModeHandler(runtime.bolt, settings.slack_app_token.get_secret_value())
            handler.connect()  # type: ignore[no-untyped-call]
            logger.info("Connected over Socket Mode; health checks on %s/healthz", server.url)
        else:
            logger.info("Serving Slack requests on %s/slack/events", server.url)
        server.thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the scripted walk-through against the local Slack stand-in."""
    from app.tryout.demo import run_demo

    run_demo(out=sys.stdout, database_url=args.database_url)
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Try the bot in the terminal: the real app and the local Slack stand-in, interactively."""
    from app.tryout.sandbox import parse_start, run_sandbox

    try:
        start = parse_start(args.start) if args.start else None
    except ValueError:
        raise CommandError(
            f"--start {args.start!r} is not an ISO-8601 time like 2026-11-19T15:00", status=2
        ) from None
    if args.script is None:
        return run_sandbox(out=sys.stdout, database_url=args.database_url, start=start)
    try:
        with open(args.script, encoding="utf-8") as script:
            lines = script.read().splitlines()
    except OSError as failure:
        raise CommandError(f"cannot read {args.script}: {failure.strerror}", status=2) from None
    return run_sandbox(out=sys.stdout, script=lines, database_url=args.database_url, start=start)


def cmd_db(args: argparse.Namespace) -> int:
    """`okrbot db upgrade` / `okrbot db current`."""
    from app.db.engine import create_db_engine
    from app.db.migrate import current_revision, head_revision, upgrade

    settings = _settings()
    _logging(settings)
    engine = create_db_engine(settings.database_url)
    try:
        if args.db_command == "upgrade":
            upgrade(engine)
        current = current_revision(engine)
        head = head_revision(engine)
    finally:
        engine.dispose()
    state = "up to date" if current == head else f"behind (code is at {head})"
    print(f"database at revision {current or 'none'}: {state}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import teams and OKRs from a YAML or JSON file."""
    from app.transfer.files import load_documents
    from app.transfer.schema import ImportFileError
    from app.usecases.transfer import import_documents

    settings = _settings()
    _logging(settings)
    path = Path(args.file)
    try:
        documents = load_documents(path)
    except ImportFileError as bad:
        for line in bad.errors:
            print(f"okrbot: {path}: {line}", file=sys.stderr)
        raise CommandError(
            f"{path}: not imported ({len(bad.errors)} problems); nothing was written"
        ) from None
    db = _database(settings)
    try:
        report = import_documents(db, documents, today=dt.datetime.now(dt.UTC))
    except ImportFileError as bad:
        for line in bad.errors:
            print(f"okrbot: {path}: {line}", file=sys.stderr)
        raise CommandError(f"{path}: not imported; nothing was written") from None
    finally:
        db.dispose()
    print(f"imported {path}: {report}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export teams and OKRs as JSON, YAML or CSV."""
    from app.transfer.files import dump_documents
    from app.usecases.transfer import export_documents

    settings = _settings()
    _logging(settings)
    db = _database(settings)
    try:
        documents = export_documents(db, workspace=args.workspace, team=args.team, cycle=args.cycle)
    finally:
        db.dispose()
    text = dump_documents(documents, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _parse_now(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--now {text!r} is not an ISO-8601 time like 2026-11-20T09:00:00+00:00", status=2
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def cmd_tick(args: argparse.Namespace) -> int:
    """Run everything that is due once, then exit."""
    from app.runtime import build_dispatcher

    settings = _settings()
    _logging(settings)
    now = _parse_now(args.now)
    dispatcher = build_dispatcher(settings, crash_at=args.crash_at)
    try:
        report = dispatcher.tick(now)
    finally:
        dispatcher.db.dispose()
    print(f"tick at {now.isoformat()}: {report}")
    return 0


def cmd_clock(args: argparse.Namespace) -> int:
    """Tick forever: the one scheduler process."""
    from app.clock.runner import run_clock
    from app.runtime import build_dispatcher

    settings = _settings()
    _logging(settings)
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
    if args.simulate_from is not None:
        # For tests: a clock that starts at a given instant and runs `speed` times faster.
        origin, started = _parse_now(args.simulate_from), time.monotonic()

        def simulated() -> dt.datetime:
            return origin + dt.timedelta(seconds=(time.monotonic() - started) * args.speed)

        now = simulated
    run_clock(build_dispatcher(settings), interval_seconds=settings.clock_interval_seconds, now=now)
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    """Run the quality coach over texts; exits 0 whatever it finds."""
    import json

    from app.domain.coach import check_key_result, check_objective

    check = check_objective if args.kind == "objective" else check_key_result
    if args.texts:
        texts = list(args.texts)
    else:
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        texts = stream.read().splitlines()
    for text in texts:
        findings = check(text)
        if args.json:
            record = {
                "text": text,
                "kind": args.kind,
                "findings": [finding.as_dict() for finding in findings],
            }
            print(json.dumps(record, ensure_ascii=False))
            continue
        print(f"{'⚠' if findings else '✓'} {text}")
        for finding in findings:
            print(f"    {finding.code}: {finding.message}")
            print(f"    → {finding.suggestion}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per job."""
    parser = _Parser(
        prog="okrbot",
        description="okrbot: team OKR check-ins in Slack.",
        epilog="Configuration comes from the environment or a .env file; see README.md.",
    )
    parser.add_argument("--version", action="version", version=f"okrbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    serve = commands.add_parser("serve", help="serve Slack's requests (HTTP or Socket Mode)")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=3000, help="port to listen on (default 3000)")
    serve.set_defaults(handler=cmd_serve)

    demo = commands.add_parser(
        "demo", help="a scripted walk-through against the local Slack stand-in (no Slack needed)"
    )
    demo.add_argument(
        "--database-url",
        default=None,
        help="keep the demo's data here (default: a temporary SQLite file)",
    )
    demo.set_defaults(handler=cmd_demo)

    sandbox = commands.add_parser(
        "sandbox",
        help="try the bot in your terminal: type /okr commands as alice, bob or carol",
        description="The real app and a local Slack stand-in on loopback, with a seeded demo "
        "team and a virtual clock. Type /okr commands; :help lists the sandbox's own.",
    )
    sandbox.add_argument(
        "--script", metavar="FILE", help="run the lines of FILE instead of reading the terminal"
    )
    sandbox.add_argument(
        "--database-url",
        default=None,
        help="keep the sandbox's data here (default: a temporary SQLite file)",
    )
    sandbox.add_argument(
        "--start",
        metavar="TIME",
        help="start the clock at this ISO-8601 time, read in Europe/Berlin without an offset "
        "(default: the coming Thursday 15:00)",
    )
    sandbox.set_defaults(handler=cmd_sandbox)

    db = commands.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="migrate the database to the newest schema")
    db_commands.add_parser("current", help="show the database's schema revision")
    db.set_defaults(handler=cmd_db)

    importer = commands.add_parser("import", help="import teams and OKRs from YAML or JSON")
    importer.add_argument("file", help="a .yml/.yaml or .json file")
    importer.set_defaults(handler=cmd_import)

    exporter = commands.add_parser("export", help="export teams and OKRs")
    exporter.add_argument("--format", choices=["json", "csv", "yaml"], default="json")
    exporter.add_argument("--output", "-o", help="write to this file (default: standard output)")
    exporter.add_argument("--workspace", help="only this Slack workspace id (T…)")
    exporter.add_argument("--team", help="only this team")
    exporter.add_argument("--cycle", help="only this cycle, e.g. 2026-Q4")
    exporter.set_defaults(handler=cmd_export)
    tick = commands.add_parser(
        "tick", help="send what is due now (check-in prompts, reminders) once, then exit"
    )
    tick.add_argument("--now", help="pretend it is this ISO-8601 time (default: now)")
    tick.add_argument("--crash-at", choices=CRASH_POINTS, help=argparse.SUPPRESS)
    tick.set_defaults(handler=cmd_tick)

    clock = commands.add_parser("clock", help="the scheduler: tick every CLOCK_INTERVAL_SECONDS")
    clock.add_argument("--simulate-from", help=argparse.SUPPRESS)
    clock.add_argument("--speed", type=float, default=1.0, help=argparse.SUPPRESS)
    clock.set_defaults(handler=cmd_clock)

    lint = commands.add_parser(
        "lint",
        help="check key results (or objectives) with the quality coach",
        description="Check texts with the quality coach. With no TEXT, reads one per line "
        "from standard input. Exits 0 whatever it finds.",
    )
    lint.add_argument("texts", nargs="*", metavar="TEXT", help="texts to check")
    lint.add_argument("--json", action="store_true", help="one JSON object per input")
    lint.add_argument("--kind", choices=["kr", "objective"], default="kr", help="default: kr")
    lint.set_defaults(handler=cmd_lint)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return 0
        return int(args.handler(args))
    except CommandError as failure:
        print(f"okrbot: {failure}", file=sys.stderr)
        return failure.status
    except MissingSettingError as missing:
        print(f"okrbot: {missing}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`okrbot demo | head`): not an error worth a message.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except Exception as failure:  # the last line of defence: one line, no traceback
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(failure, SQLAlchemyError):
            reason = str(getattr(failure, "orig", None) or failure).splitlines()[0]
            print(f"okrbot: database error: {reason}", file=sys.stderr)
        else:
            print(f"okrbot: {type(failure).__name__}: {failure}".splitlines()[0], file=sys.stderr)
        logger.debug("Failure details", exc_info=True)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
