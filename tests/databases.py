"""Throwaway databases for the tests, on SQLite and on PostgreSQL.

The PostgreSQL server is the one `OKRBOT_TEST_POSTGRES_URL` names (an admin URL allowed to
create databases), or else a cluster started for the test session from the PostgreSQL
binaries on this machine (on PATH or in Debian's /usr/lib/postgresql/*/bin): loopback only,
trust auth, no fsync, deleted at the end. Each test gets its own database, copied from a
migrated template with `CREATE DATABASE ... TEMPLATE` and dropped after it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from app.db.engine import normalize_database_url

URL_VARIABLE = "OKRBOT_TEST_POSTGRES_URL"
SERVER_USER = "postgres"  # the account Debian's package creates; the server refuses root


def find_bin_dir() -> Path | None:
    """The directory holding `initdb` and `pg_ctl`, the newest version first."""
    on_path = shutil.which("pg_ctl")
    if on_path is not None:
        found = Path(on_path).resolve().parent
        if (found / "initdb").exists():
            return found
    candidates = [Path(p) for p in Path("/usr/lib/postgresql").glob("*/bin")]
    candidates.sort(key=lambda p: _version_key(p.parent.name), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CLUSTER_PREFIX = "okrbot-pg-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary directory, listening on 127.0.0.1 only.

    Its directory names the test process that started it, so a later run can stop a
    cluster whose test run was killed before it could (see `stop_orphans`).
    """

    def __init__(self, bin_dir: Path, root: Path | None = None) -> None:
        self.bin_dir = bin_dir
        self.root = root or Path(tempfile.mkdtemp(prefix=f"{CLUSTER_PREFIX}{os.getpid()}-"))
        self.data = self.root / "data"
        self.port = 0
        # The server refuses to run as root: then it runs as the `postgres` account.
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(SERVER_USER)
            except KeyError:
                shutil.rmtree(self.root, ignore_errors=True)
                raise RuntimeError(
                    f"running as root, and there is no {SERVER_USER!r} account to run the "
                    "PostgreSQL server as"
                ) from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as_user = ["runuser", "-u", SERVER_USER, "--"]

    @property
    def url(self) -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as_user, str(self.bin_dir / program), *args]
        result = subprocess.run(command, cwd=self.root, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", SERVER_USER, "-A", "trust",
                  "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        for attempt in range(3):  # another process may take the free port first
            self.port = _free_port()
            options = (
                f"-h 127.0.0.1 -p {self.port} -k {self.root} -c max_connections=200 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
                          "-o", options, "-w", "-t", "60", "start")  # fmt: skip
                return
            except RuntimeError:
                if attempt == 2:
                    log = (self.root / "server.log").read_text(errors="replace")
                    self.stop()
                    raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None

    @classmethod
    def stop_orphans(cls, bin_dir: Path) -> None:
        """Stop and delete the clusters of earlier test runs that were killed."""
        for root in Path(tempfile.gettempdir()).glob(f"{CLUSTER_PREFIX}*-*"):
            owner = root.name[len(CLUSTER_PREFIX) :].split("-", 1)[0]
            if owner.isdigit() and not _alive(int(owner)):
                cls(bin_dir, root).stop()

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):  # already gone: nothing to stop
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresDatabases:
    """Creates and drops databases on one server, all named with this run's prefix.

    Copying a template takes from tens of milliseconds to a few hundred on a busy machine,
    so `clone` hands out a copy made in the background while the previous test ran, and
    drops happen in the background too: one worker thread, in order.
    """

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.admin: Engine = create_engine(
            normalize_database_url(admin_url), isolation_level="AUTOCOMMIT", pool_size=2
        )
        self.prefix = f"okrbot_test_{os.getpid()}_{secrets.token_hex(3)}"
        self._numbers = itertools.count(1)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="okrbot-test-pg")
        self._spares: dict[str, Future[str]] = {}
        with self.admin.connect() as connection:
            version = connection.execute(text("SHOW server_version_num")).scalar_one()
        # Copying the template's files beats WAL-logging every page of it (15+ can choose).
        self._strategy = " STRATEGY FILE_COPY" if int(version) >= 150000 else ""

    def url(self, name: str) -> str:
        """The URL of database `name`, spelled `postgres://` as hosts hand URLs out: every
        test then checks that the app takes that spelling wherever it reads a URL."""
        url = make_url(self.admin_url).set(drivername="postgres", database=name)
        return url.render_as_string(hide_password=False)

    def create(self, *, template: str = "template0") -> str:
        """A new database copied from `template` (no session may be connected to it)."""
        name = f"{self.prefix}_{next(self._numbers)}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(
                f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template)}{self._strategy}"
            )
        return name

    def clone(self, template: str) -> str:
        """A fresh copy of `template`, and the next one started in the background."""
        spare = self._spares.pop(template, None)
        name = spare.result() if spare is not None else self.create(template=template)
        self._spares[template] = self._worker.submit(self.create, template=template)
        return name

    def drop(self, name: str) -> None:
        """Drop database `name` soon, ending any session still connected to it."""
        self._worker.submit(self._drop, name)

    def _drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")

    def close(self) -> None:
        """Drop every database this run made, and disconnect."""
        self._worker.shutdown(wait=True)
        with self.admin.connect() as connection:
            names = connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
                {"prefix": self.prefix.replace("_", r"\_") + r"\_%"},
            ).scalars()
            for name in list(names):
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
        self.admin.dispose()


class Databases:
    """Fresh databases for one test, on the test's backend; dropped afterwards."""

    def __init__(self, backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.backend = backend
        self._tmp_path = tmp_path
        self._request = request
        self._made: list[str] = []

    def migrated(self, name: str = "okrbot") -> str:
        """A database at the newest schema (copied from a template: migrating once is enough).

        `name` names the SQLite file; PostgreSQL databases are named by the run.
        """
        if self.backend == "sqlite":
            path = self._sqlite_path(name)
            shutil.copy(self._request.getfixturevalue("_sqlite_template"), path)
            return f"sqlite:///{path}"
        return self._postgres_database(self._request.getfixturevalue("_postgres_template"))

    def empty(self, name: str = "empty") -> str:
        """A database without any tables, not even Alembic's."""
        if self.backend == "sqlite":
            return f"sqlite:///{self._sqlite_path(name)}"
        return self._postgres_database(None)

    def _sqlite_path(self, name: str) -> Path:
        path = self._tmp_path / f"{name}.db"
        count = 1
        while path.exists():
            count += 1
            path = self._tmp_path / f"{name}-{count}.db"
        return path

    def _postgres_database(self, template: str | None) -> str:
        server: PostgresDatabases = self._request.getfixturevalue("_postgres")
        name = server.clone(template) if template is not None else server.create()
        self._made.append(name)
        return server.url(name)

    def drop_all(self) -> None:
        if self._made:
            server: PostgresDatabases = self._request.getfixturevalue("_postgres")
            for name in self._made:
                server.drop(name)
