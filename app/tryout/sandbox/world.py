"""The running sandbox: the Slack stand-in, the real app over HTTP, the scheduler's ticks,
all on one virtual clock.

Nothing of the bot is faked. Slash commands, clicks and modal submissions reach the app as
signed HTTP requests from `SlackDriver`; the app answers through a real `WebClient` talking
to the stand-in's Web API; prompts and reminders come from the real `Dispatcher`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr
from slack_sdk import WebClient
from sqlmodel import select

from app.clock.dispatch import Dispatcher, rules_of
from app.db import Database
from app.db.models import Team
from app.domain.schedule import local_instant, zone_of
from app.runtime import Runtime, build_runtime
from app.server import LocalServer
from app.settings import Settings
from app.slack.app_factory import create_web_client
from app.slack.outbound import SlackMessenger
from app.tryout.sandbox.clock import VirtualClock
from app.tryout.sandbox.seed import TEAM_ZONE, add_people, is_empty, seed_database
from app.tryout.standin import SlackDriver, SlackStandIn

# Something the sandbox runs at every checkpoint of an `:advance`, given the instant.
TickJob = Callable[[dt.datetime], object]


def build_tick_jobs(db: Database, client: WebClient) -> list[TickJob]:
    """The scheduled work `okrbot clock` does, one callable per job, in order.

    This is the hook for scheduled features: the weekly digest job (not written yet) joins
    this list, e.g. `jobs.append(DigestJob(db=db, client=client).tick)`, and `:advance`
    then posts digests at their slots like the prompts and reminders below.
    """
    return [Dispatcher(db=db, messenger=SlackMessenger(client)).tick]


def checkpoints(teams: list[Team], start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The instants in (`start`, `end`] at which to tick, ending with `end`.

    Every occurrence of each team's weekly rules (prompt, reminder, digest), so each slot
    fires exactly at its time and a long jump still delivers things in order; a tick per
    slot rather than per minute keeps `:advance 4w` quick.
    """
    found: set[dt.datetime] = {end}
    for team in teams:
        for rule in rules_of(team).values():
            zone = zone_of(rule.timezone)
            day = start.astimezone(zone).date() - dt.timedelta(days=1)
            last = end.astimezone(zone).date() + dt.timedelta(days=1)
            while day <= last:
                if day.weekday() == rule.weekday:
                    moment = local_instant(day, rule.time, rule.timezone)
                    if start < moment <= end:
                        found.add(moment)
                day += dt.timedelta(days=1)
    return sorted(found)


class SandboxWorld:
    """The stand-in, the app and the clock, started together and reset together."""

    def __init__(
        self, *, scratch: Path, database_url: str | None = None, start: dt.datetime
    ) -> None:
        self.scratch = scratch
        self.given_database_url = database_url
        self.start = start
        self.timezone = TEAM_ZONE
        self.generation = 0
        self.clock = VirtualClock(start)
        self.seeded_weeks: list[str] = []
        self.kept_data = False
        self._standin: SlackStandIn | None = None
        self._runtime: Runtime | None = None
        self._server: LocalServer | None = None
        self._driver: SlackDriver | None = None
        self.tick_jobs: list[TickJob] = []
        self.database_url = ""

    # ------------------------------------------------------------------ lifecycle

    def open(self) -> None:
        """Start the stand-in and the app on a fresh clock; seed an empty database."""
        self.generation += 1
        self.clock = VirtualClock(self.start)
        self.database_url = self.given_database_url or (
            f"sqlite:///{self.scratch / f'sandbox-{self.generation}.db'}"
        )
        signing_secret = secrets.token_hex(16)
        # The stand-in stamps messages with the virtual time; the driver signs requests with
        # the real time, because Bolt checks signatures against the wall clock.
        standin = SlackStandIn(
            bot_token=f"xoxb-sandbox-{secrets.token_hex(8)}", clock=self.clock.timestamp
        )
        add_people(standin)
        standin.start()
        self._standin = standin
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=SecretStr(standin.bot_token),
            slack_signing_secret=SecretStr(signing_secret),
            database_url=self.database_url,
            slack_api_url=standin.api_url,
            log_level="WARNING",
        )
        runtime = build_runtime(settings, clock=self.clock)
        self._runtime = runtime
        self.kept_data = not is_empty(runtime.db)
        self.seeded_weeks = (
            []
            if self.kept_data
            else seed_database(runtime.db, workspace=standin.team_id, now=self.clock())
        )
        self._server = LocalServer(runtime.wsgi).start()
        self._driver = SlackDriver(
            app_url=f"{self._server.url}/slack/events",
            signing_secret=signing_secret,
            standin=standin,
        )
        client = create_web_client(token=standin.bot_token, base_url=standin.api_url)
        self.tick_jobs = build_tick_jobs(runtime.db, client)
        # What is due at the start goes out now, as a scheduler starting up would send it.
        self.run_ticks()

    def close(self) -> None:
        """Stop everything this world started."""
        if self._server is not None:
            self._server.stop()
        if self._runtime is not None:
            self._runtime.db.dispose()
        if self._standin is not None:
            self._standin.stop()
        self._server = self._runtime = self._standin = self._driver = None

    def reset(self) -> None:
        """A fresh database, stand-in and clock, seeded again.

        A database given with `--database-url` is only wiped when it is a SQLite file.
        """
        given = self.given_database_url
        path = sqlite_path(given) if given is not None else None
        if given is not None and path is None:
            # Checked before anything stops, so a refused reset leaves the sandbox running.
            raise ValueError("`:reset` only wipes SQLite databases; this is not one")
        self.close()
        if path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        self.open()

    # ------------------------------------------------------------------ parts

    @property
    def standin(self) -> SlackStandIn:
        """The running stand-in."""
        assert self._standin is not None, "the sandbox is not open"
        return self._standin

    @property
    def slack(self) -> SlackDriver:
        """The driver playing Slack towards the app."""
        assert self._driver is not None, "the sandbox is not open"
        return self._driver

    @property
    def db(self) -> Database:
        """The app's database."""
        assert self._runtime is not None, "the sandbox is not open"
        return self._runtime.db

    @property
    def app_url(self) -> str:
        """Where the app receives Slack's requests."""
        assert self._server is not None, "the sandbox is not open"
        return f"{self._server.url}/slack/events"

    # ------------------------------------------------------------------ time

    def run_ticks(self) -> list[object]:
        """Run every tick job once at the current instant; returns their reports."""
        now = self.clock()
        return [job(now) for job in self.tick_jobs]

    def advance_to(self, target: dt.datetime) -> int:
        """Move the clock to `target`, ticking at every checkpoint on the way.

        Returns how many checkpoints were ticked.
        """
        with self.db.read() as session:
            teams = list(session.exec(select(Team)).all())
        stops = checkpoints(teams, self.clock(), target)
        for stop in stops:
            self.clock.set(stop)
            self.run_ticks()
        return len(stops)


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///path` URL (None for other databases or in-memory SQLite)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url[len(prefix) :] in ("", ":memory:"):
        return None
    return Path(url[len(prefix) :])
