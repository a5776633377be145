"""The hot path of `/okr list`: a few plain queries that tell whether a cached list is
still right, and one that reads a team's OKRs when it is not.

A team's list changes only when one of its objectives or key results changes (every
write sets `updated_at`, and `now` only moves forward), when one is added, when the team
itself changes, or when its cycle is closed. `list_revision` reads exactly those facts in
one statement, so a list built once can be reused by any request, in any process, for as
long as they hold.

These statements run straight on a pooled DBAPI cursor (`reading`), not through a
SQLAlchemy `Connection`: for queries this small, the `Connection`'s own work per statement
(its transaction's BEGIN and ROLLBACK, building a result object) costs several times the
query. Each statement is compiled once per dialect, so the SQL stays portable. The
connection is in autocommit mode (SQLite's always is, see `app.db.engine`; PostgreSQL's is
put in it while reading): every statement reads the latest committed data. That is all the
cache needs: a list is always built after its revision was read, so a change landing in
between makes the cached list newer than its revision, never older, and the next request
(seeing another revision) builds it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import Dialect

from app.domain.okrs import KeyResultSnapshot, ObjectiveSnapshot, TeamOKRs
from app.domain.types import KRKind


class _Statement:
    """A fixed SQL text with `:name` parameters, compiled once for each dialect it runs on."""

    def __init__(self, sql: str) -> None:
        self._clause = text(sql)
        self._compiled: dict[str, tuple[str, Sequence[str] | None]] = {}

    def compiled(self, dialect: Dialect) -> tuple[str, Sequence[str] | None]:
        """The SQL in the driver's parameter style, and the parameter order if positional."""
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._clause.compile(dialect=dialect)
            positions = compiled.positiontup
            found = (compiled.string, tuple(positions) if positions is not None else None)
            self._compiled[dialect.name] = found
        return found


@dataclass(frozen=True)
class Reader:
    """A DBAPI cursor on a pooled connection, and its engine's dialect."""

    cursor: Any
    dialect: Dialect

    def rows(self, statement: _Statement, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run `statement` with `params`; all its rows."""
        sql, positions = statement.compiled(self.dialect)
        self.cursor.execute(
            sql, tuple(params[name] for name in positions) if positions is not None else params
        )
        return list(self.cursor.fetchall())


@contextmanager
def reading(engine: Engine) -> Iterator[Reader]:
    """A `Reader` on a connection from `engine`'s pool, handed back (rolled back) after.

    On PostgreSQL the connection runs in autocommit mode meanwhile, as SQLite's does: no
    BEGIN and ROLLBACK round trips, and, as no transaction is left to roll back, psycopg
    keeps the statements it prepared on that connection (a ROLLBACK discards them), so
    after a few requests these queries are no longer planned again on every run.
    """
    connection = engine.raw_connection()
    driver = connection.driver_connection
    autocommit = (
        engine.dialect.name == "postgresql" and getattr(driver, "autocommit", True) is False
    )
    try:
        if autocommit:
            driver.autocommit = True  # type: ignore[union-attr]
        cursor = connection.cursor()
        try:
            yield Reader(cursor, engine.dialect)
        finally:
            cursor.close()
    finally:
        if autocommit:
            try:
                driver.autocommit = False  # type: ignore[union-attr]
            except Exception:
                # Never hand the pool a connection left in autocommit mode.
                connection.invalidate()
        connection.close()


@contextmanager
def reading_lazily(engine: Engine) -> Iterator[Callable[[], Reader]]:
    """Like `reading`, but the connection is taken from the pool only if the function it
    yields is called (and then once): for a request that may find all it needs cached."""
    with ExitStack() as stack:
        opened: list[Reader] = []

        def reader() -> Reader:
            if not opened:
                opened.append(stack.enter_context(reading(engine)))
            return opened[0]

        yield reader


# The caller's teams, each with its list's revision (as `_REVISION` reads it) in the cycle
# labelled `:label`: what most requests need, in one statement. The cycle columns are NULL
# when the workspace has no such cycle yet.
_TEAMS_WITH_REVISION = _Statement(
    """
    SELECT t.id, t.name, t.timezone, t.updated_at, c.id,
        (SELECT count(*) FROM cycle_close AS cc WHERE cc.team_id = t.id AND cc.cycle_id = c.id),
        count(DISTINCT o.id), max(o.updated_at), count(k.id), max(k.updated_at)
    FROM member AS m
    JOIN team_membership AS tm ON tm.member_id = m.id
    JOIN team AS t ON t.id = tm.team_id
    LEFT JOIN cycle AS c ON c.workspace_id = :workspace_id AND c.label = :label
    LEFT JOIN objective AS o
        ON o.workspace_id = :workspace_id AND o.team_id = t.id AND o.cycle_id = c.id
    LEFT JOIN key_result AS k ON k.objective_id = o.id AND k.workspace_id = o.workspace_id
    WHERE m.workspace_id = :workspace_id AND m.slack_user_id = :user_id
    GROUP BY t.id, t.name, t.timezone, t.updated_at, t.name_key, c.id
    ORDER BY t.name_key
    """
)

_CYCLE_ID = _Statement("SELECT id FROM cycle WHERE workspace_id = :workspace_id AND label = :label")

_REVISION = _Statement(
    """
    SELECT
        (SELECT count(*) FROM cycle_close WHERE team_id = :team_id AND cycle_id = :cycle_id),
        count(DISTINCT o.id), max(o.updated_at), count(k.id), max(k.updated_at)
    FROM objective AS o
    LEFT JOIN key_result AS k ON k.objective_id = o.id AND k.workspace_id = o.workspace_id
    WHERE o.workspace_id = :workspace_id AND o.team_id = :team_id AND o.cycle_id = :cycle_id
    """
)

# A team's active objectives in a cycle, each with its active key results (one row per key
# result, or one row with NULL key result columns for an objective without any), in the
# order the list shows them: what `app.store.okrs.team_okrs` reads in two ORM statements.
_TEAM_OKRS = _Statement(
    """
    SELECT o.id, o.title, o.description, om.slack_user_id, p.title,
        k.id, k.title, km.slack_user_id, k.kind, k.start_value, k.target_value,
        k.current_value, k.unit
    FROM objective AS o
    LEFT JOIN member AS om ON om.id = o.owner_id
    LEFT JOIN objective AS p ON p.id = o.parent_id AND p.workspace_id = :workspace_id
    LEFT JOIN key_result AS k
        ON k.objective_id = o.id AND k.workspace_id = :workspace_id AND k.status = 'active'
    LEFT JOIN member AS km ON km.id = k.owner_id
    WHERE o.workspace_id = :workspace_id AND o.team_id = :team_id
        AND o.cycle_id = :cycle_id AND o.status = 'active'
    ORDER BY o.position, o.id, k.position, k.id
    """
)

_KINDS = {kind.value: kind for kind in KRKind}


@dataclass(frozen=True)
class TeamRow:
    """What the list needs to know of a team before deciding whether to rebuild."""

    id: int
    name: str
    timezone: str
    updated_at: Any


@dataclass(frozen=True)
class TeamRevision:
    """A team of the caller, and its list's revision in one cycle (None: no such cycle)."""

    team: TeamRow
    cycle_id: int | None
    revision: tuple[Any, ...] | None


def teams_with_revision(
    reader: Reader, *, workspace_id: int, user_id: str, label: str
) -> list[TeamRevision]:
    """The teams a Slack user belongs to, each with its list's revision in the cycle
    `label` (as `list_revision` reads it), in one query."""
    rows = reader.rows(
        _TEAMS_WITH_REVISION, {"workspace_id": workspace_id, "user_id": user_id, "label": label}
    )
    return [
        TeamRevision(
            TeamRow(*row[:4]),
            None if row[4] is None else int(row[4]),
            None if row[4] is None else tuple(row[5:]),
        )
        for row in rows
    ]


def cycle_id(reader: Reader, *, workspace_id: int, label: str) -> int | None:
    """The id of the workspace's cycle with this label, if it exists."""
    rows = reader.rows(_CYCLE_ID, {"workspace_id": workspace_id, "label": label})
    return int(rows[0][0]) if rows else None


def list_revision(
    reader: Reader, *, workspace_id: int, team_id: int, cycle_id: int
) -> tuple[Any, ...]:
    """A value that changes whenever the team's list for the cycle would change.

    Its first figure counts the team's closings of the cycle (0 while it is open).
    """
    params = {"workspace_id": workspace_id, "team_id": team_id, "cycle_id": cycle_id}
    return tuple(reader.rows(_REVISION, params)[0])


def team_okrs(
    reader: Reader,
    *,
    workspace_id: int,
    team_id: int,
    team_name: str,
    cycle_id: int,
    cycle_label: str,
) -> TeamOKRs:
    """What `app.store.okrs.team_okrs` returns, from one query and without ORM objects."""
    rows = reader.rows(
        _TEAM_OKRS, {"workspace_id": workspace_id, "team_id": team_id, "cycle_id": cycle_id}
    )
    heads: list[tuple[Any, ...]] = []
    key_results: dict[int, list[KeyResultSnapshot]] = {}
    for row in rows:
        krs = key_results.get(row[0])
        if krs is None:
            krs = key_results[row[0]] = []
            heads.append(row[:5])
        if row[5] is not None:
            krs.append(
                KeyResultSnapshot(
                    id=row[5],
                    title=row[6],
                    owner=row[7],
                    kind=_KINDS.get(row[8]) or KRKind(row[8]),
                    start=row[9],
                    target=row[10],
                    current=row[11],
                    unit=row[12],
                )
            )
    objectives = [
        ObjectiveSnapshot(
            id=objective_id,
            title=title,
            description=description,
            owner=owner,
            parent_title=parent_title,
            key_results=tuple(key_results[objective_id]),
        )
        for objective_id, title, description, owner, parent_title in heads
    ]
    return TeamOKRs(
        team_id=team_id, team_name=team_name, cycle_label=cycle_label, objectives=objectives
    )
