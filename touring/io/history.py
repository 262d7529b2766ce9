"""The tour's history: every plan version and the events that produced it, in a database.

By default the database is the SQLite file ``TOUR/.touring/history.sqlite``; a SQLAlchemy
URL (``--db`` on the command line, or the ``TOURING_DB`` environment variable) points it
elsewhere, e.g. ``postgresql+psycopg://user@host/touring``, so that a team shares it.
Versions are numbered from 1 per tour and never overwritten. Each write is one
transaction: a failure part-way (an exception, a full disk, a killed process) leaves the
history as it was, and the next version number is not used up.

Several tours may share one database: rows are keyed by the tour's *key*, the name of
its folder (``data/flemish-theatre`` is ``flemish-theatre``), which stays the same
across checkouts on different machines. Two tours in one database need different folder
names; renaming a folder starts a new history (the old rows stay under the old key).

The layout uses only portable types (INTEGER, FLOAT, VARCHAR, TEXT; dates as ISO text, JSON as
TEXT) and no backend-specific feature, so the same tables serve SQLite and PostgreSQL::

    versions(tour VARCHAR(255), number INTEGER, created_at TEXT, based_on INTEGER NULL,
             today TEXT NULL, plan_json TEXT, shows INTEGER, km FLOAT, fees FLOAT,
             objective FLOAT NULL, status TEXT,
             PRIMARY KEY(tour, number), FOREIGN KEY(tour, based_on) -> versions)
    events(tour VARCHAR(255), version INTEGER, position INTEGER, kind TEXT, data_json TEXT,
           text TEXT, PRIMARY KEY(tour, version, position), FOREIGN KEY(tour, version) -> versions)

Files written by touring before this layout (the same tables without ``tour``) are
migrated when first opened, in one transaction, under the opening tour's key.

A new version's number is ``MAX(number) + 1`` for its tour, read and used inside the
write transaction, and the primary key ``(tour, number)`` makes a duplicate impossible.
On SQLite the transaction starts with ``BEGIN IMMEDIATE``, which takes the database's
write lock before the read, so writers queue and each reads the number its predecessor
committed. On PostgreSQL the transaction is SERIALIZABLE: two writers that read the same
maximum cannot both commit; the loser gets a serialization failure (SQLSTATE 40001),
is rolled back whole and retried. A row lock would not do: with ``SELECT ... FOR UPDATE``
on the latest version the second writer waits, then gets that same row back (the first
writer added a row, it did not change that one), takes the same number and fails on the
key; and before a tour's first version there is no row to lock.

This module also reads events from their text form (``--cancel SHOW`` and the like, or an
events CSV with columns ``kind,value``) and back, as every file read lives in touring.io.
"""

from __future__ import annotations

import csv
import json
import random
import time
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, TypeVar

import sqlalchemy as sa

from solvers.replan import AddShow, CancelShow, ChangeWindows, CrewUnavailable, Event, HotelLost, VehicleOut
from solvers.replan import CrewJoins, VehicleHired
from touring.errors import DataError
from touring.model import DateRange, Plan, Tour

HISTORY_FILE = Path(".touring") / "history.sqlite"
DB_ENV = "TOURING_DB"
"""The environment variable read for a database URL when no ``--db`` is given."""

_metadata = sa.MetaData()
# VARCHAR(255) rather than TEXT for the key: some backends (MySQL) cannot index unbounded text,
# and no folder name is longer (file systems stop at 255 bytes).
_versions = sa.Table(
    "versions", _metadata,
    sa.Column("tour", sa.String(255), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("based_on", sa.Integer, nullable=True),
    sa.Column("today", sa.Text, nullable=True),
    sa.Column("plan_json", sa.Text, nullable=False),
    sa.Column("shows", sa.Integer, nullable=False),
    sa.Column("km", sa.Float, nullable=False),
    sa.Column("fees", sa.Float, nullable=False),
    sa.Column("objective", sa.Float, nullable=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(["tour", "based_on"], ["versions.tour", "versions.number"]),
)
_events = sa.Table(
    "events", _metadata,
    sa.Column("tour", sa.String(255), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("data_json", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(["tour", "version"], ["versions.tour", "versions.number"]),
)
# The columns the first layout (stdlib sqlite3, one tour per file) had, in both tables.
_LEGACY_VERSION_COLUMNS = ("number", "created_at", "based_on", "today", "plan_json", "shows", "km", "fees",
                           "objective", "status")
_LEGACY_EVENT_COLUMNS = ("version", "position", "kind", "data_json", "text")


@dataclass(frozen=True)
class Version:
    """One stored plan version with its figures and the events that produced it."""

    number: int
    created_at: str
    based_on: int | None
    today: date | None
    shows: int
    km: float
    fees: float
    objective: float | None
    status: str
    events: tuple[Event, ...]


# --- events in text ----------------------------------------------------------------------

_KINDS: dict[str, type] = {"cancel": CancelShow, "window": ChangeWindows, "add-show": AddShow,
                           "unavailable": CrewUnavailable, "vehicle-out": VehicleOut, "hotel-lost": HotelLost,
                           "join": CrewJoins, "hire": VehicleHired}
_NAMES = {cls: name for name, cls in _KINDS.items()}


def _range(text: str) -> DateRange:
    first, _, last = text.strip().partition("..")
    start = date.fromisoformat(first.strip())
    return DateRange(start, date.fromisoformat(last.strip()) if last.strip() else start)


def parse_event(kind: str, value: str) -> Event:
    """An event from its command-line form, e.g. ``parse_event("unavailable", "anna:2026-03-10..2026-03-12")``.

    Raises
    ------
    ValueError
        With a message naming what is wrong.
    """
    value = value.strip()
    try:
        if kind == "cancel":
            if not value:
                raise ValueError("a show id is needed")
            return CancelShow(value)
        key, sep, rest = value.partition(":")
        if not sep or not key or not rest:
            raise ValueError("expected ID:VALUE")
        if kind == "window":
            return ChangeWindows(key, tuple(_range(r) for r in rest.split(";") if r.strip()))
        if kind == "add-show":
            return AddShow(key, float(rest))
        if kind == "unavailable":
            return CrewUnavailable(key, _range(rest))
        if kind in ("vehicle-out", "join", "hire"):
            first, _, last = rest.partition("..")
            return _KINDS[kind](key, date.fromisoformat(first.strip()),
                                date.fromisoformat(last.strip()) if last.strip() else None)
        if kind == "hotel-lost":
            return HotelLost(key, date.fromisoformat(rest))
    except ValueError as error:
        raise ValueError(f"{kind} {value!r}: {error}") from None
    raise ValueError(f"unknown event kind {kind!r}; expected one of {', '.join(_KINDS)}")


def read_events_csv(path: str | Path) -> tuple[Event, ...]:
    """Events from a CSV file with columns ``kind,value`` (kinds as the CLI options, e.g. ``cancel``)."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    events = []
    for number, row in enumerate(rows, start=2):
        try:
            events.append(parse_event((row.get("kind") or "").strip(), row.get("value") or ""))
        except ValueError as error:
            raise DataError(path.name, number, "value", str(error)) from None
    return tuple(events)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def event_to_json(event: Event) -> tuple[str, str]:
    """(kind, JSON data) of an event, as stored."""
    return _NAMES[type(event)], json.dumps(_jsonable(asdict(event)), sort_keys=True)


def event_from_json(kind: str, data: str) -> Event:
    cls = _KINDS[kind]
    raw = json.loads(data)

    def field_value(name: str, value: Any) -> Any:
        if name in ("period",):
            return DateRange(date.fromisoformat(value["start"]), date.fromisoformat(value["end"]))
        if name == "windows":
            return tuple(DateRange(date.fromisoformat(w["start"]), date.fromisoformat(w["end"])) for w in value)
        if name in ("start", "end", "day") and value is not None:
            return date.fromisoformat(value)
        return value

    return cls(**{f.name: field_value(f.name, raw[f.name]) for f in fields(cls)})


# --- the database --------------------------------------------------------------------

_T = TypeVar("_T")

# A write that lost a serialization race on PostgreSQL is retried whole, this many times in
# all, after a short random pause so that the same writers do not collide again.
_ATTEMPTS = 8
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected


class HistoryError(Exception):
    """The history database cannot be opened, read or written; the message names it."""


def tour_key(tour_root: str | Path) -> str:
    """The key under which a tour's versions are stored: the name of its folder."""
    return Path(tour_root).resolve().name


def _sqlstate(error: sa.exc.DBAPIError) -> str | None:
    # psycopg 3 says sqlstate, psycopg2 pgcode; sqlite3 has neither.
    return getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)


def _reason(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _take_over_sqlite_transactions(engine: sa.Engine) -> None:
    """Let SQLAlchemy emit BEGIN itself, so DDL is transactional and a write can BEGIN IMMEDIATE.

    The stdlib driver otherwise opens a transaction only at the first INSERT, so the read of
    MAX(number) would run before the write lock is taken: two writers would read the same
    number and one of them fail with "database is locked".
    """
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, record) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get("touring_begin", "BEGIN"))


class History:
    """The plan versions of one tour. Use as a context manager or call :meth:`close`.

    Parameters
    ----------
    tour_root
        The tour's folder; its name is the tour's key in the database.
    url
        A SQLAlchemy database URL, e.g. ``postgresql+psycopg://user@host/touring``; by
        default the SQLite file ``TOUR/.touring/history.sqlite``, created when missing.

    Raises
    ------
    HistoryError
        When the URL cannot be parsed, its driver is missing or the database cannot be reached.
    """

    def __init__(self, tour_root: str | Path, url: str | sa.URL | None = None):
        self.tour = tour_key(tour_root)
        if url is None:
            path = Path(tour_root) / HISTORY_FILE
            path.parent.mkdir(parents=True, exist_ok=True)
            self.url = sa.URL.create("sqlite", database=str(path))
        else:
            try:
                self.url = sa.make_url(url)
            except sa.exc.ArgumentError:
                # Not echoed: a URL that does not parse may still hold a password.
                raise HistoryError("the history database URL does not parse; expected e.g. "
                                   "postgresql+psycopg://user@host/touring") from None
        try:
            # A writer waits up to 30 s for another's write lock on SQLite.
            self._engine = sa.create_engine(self.url, connect_args={"timeout": 30} if self._is_sqlite() else {})
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as error:
            raise HistoryError(f"cannot open the history database {self.describe()}: {_reason(error)}") from None
        if self._is_sqlite():
            _take_over_sqlite_transactions(self._engine)
        try:
            self._ensure_schema()
        except BaseException:
            self._engine.dispose()
            raise

    def _is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def describe(self) -> str:
        """The database URL with any password hidden, for messages."""
        return self.url.render_as_string(hide_password=True)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._engine.dispose()

    # --- transactions ---

    def _failed(self, error: sa.exc.SQLAlchemyError) -> HistoryError:
        return HistoryError(f"history database {self.describe()}: {_reason(error)}")

    def _read(self, work: Callable[[sa.Connection], _T]) -> _T:
        try:
            with self._engine.connect() as connection:
                return work(connection)
        except sa.exc.SQLAlchemyError as error:
            raise self._failed(error) from error

    def _write(self, work: Callable[[sa.Connection], _T]) -> _T:
        """Run ``work`` in one write transaction: all of it is committed or none of it."""
        attempt = 1
        while True:
            try:
                with self._engine.connect() as connection:
                    if self._is_sqlite():
                        connection.execution_options(touring_begin="BEGIN IMMEDIATE")
                    else:
                        connection.execution_options(isolation_level="SERIALIZABLE")
                    with connection.begin():
                        return work(connection)
            except sa.exc.DBAPIError as error:
                if attempt >= _ATTEMPTS or _sqlstate(error) not in _RETRY_SQLSTATES:
                    raise self._failed(error) from error
            except sa.exc.SQLAlchemyError as error:
                raise self._failed(error) from error
            time.sleep(random.uniform(0.0, 0.02 * attempt))
            attempt += 1

    # --- the layout ---

    @staticmethod
    def _layout(connection: sa.Connection) -> str:
        """``"current"``, ``"missing"`` (a new database) or ``"legacy"`` (the first, one-tour layout)."""
        inspector = sa.inspect(connection)
        tables = set(inspector.get_table_names())
        if not {"versions", "events"} & tables:
            return "missing"
        if "tour" not in {c["name"] for c in inspector.get_columns("versions")}:
            return "legacy"
        return "current" if {"versions", "events"} <= tables else "missing"

    def _ensure_schema(self) -> None:
        if self._read(self._layout) == "current":
            return  # opening for reading takes no write lock

        def upgrade(connection: sa.Connection) -> None:
            layout = self._layout(connection)  # again, under the lock: another writer may have done it
            if layout == "legacy":
                self._migrate_legacy(connection)
            elif layout == "missing":
                _metadata.create_all(connection)

        try:
            self._write(upgrade)
        except HistoryError:
            # Two first writers on PostgreSQL may race to CREATE TABLE; the loser finds the tables made.
            if self._read(self._layout) != "current":
                raise

    def _migrate_legacy(self, connection: sa.Connection) -> None:
        """Move the rows of the first layout under this tour's key, in the caller's transaction.

        The rows are read into memory and the old tables dropped before the new ones are made,
        so that no name (table, index, constraint) is ever held twice; histories are small.
        """
        old_versions = [dict(row._mapping) for row in connection.execute(sa.text(
            f"SELECT {', '.join(_LEGACY_VERSION_COLUMNS)} FROM versions ORDER BY number"))]
        old_events = [dict(row._mapping) for row in connection.execute(sa.text(
            f"SELECT {', '.join(_LEGACY_EVENT_COLUMNS)} FROM events ORDER BY version, position"))]
        connection.execute(sa.text("DROP TABLE events"))
        connection.execute(sa.text("DROP TABLE versions"))
        _metadata.create_all(connection)
        if old_versions:
            connection.execute(_versions.insert(), [{"tour": self.tour, **row} for row in old_versions])
        if old_events:
            connection.execute(_events.insert(), [{"tour": self.tour, **row} for row in old_events])

    # --- versions ---

    def add(self, plan: Plan, tour: Tour, events: tuple[Event, ...] = (), based_on: int | None = None,
            today: date | None = None, to_json: Callable[[Plan, Tour], dict] | None = None) -> int:
        """Store a plan as the next version, with its events, in one transaction; returns its number.

        ``to_json`` defaults to :func:`touring.io.plan.plan_to_json`. The plan is serialised
        before the transaction opens, so the write lock is held only for the inserts (a
        failure in serialising writes nothing).

        Raises
        ------
        HistoryError
            When the database refuses the write (full, unreachable, ``based_on`` unknown);
            the history is then as it was.
        """
        if to_json is None:
            from touring.io.plan import plan_to_json as to_json
        objective = plan.schedule_report.objective if plan.schedule_report else None
        key = self.tour
        # Serialising needs no lock: done first, so other writers wait only for the inserts.
        text = json.dumps(to_json(plan, tour), ensure_ascii=False)

        def write(connection: sa.Connection) -> int:
            number = connection.execute(
                sa.select(sa.func.coalesce(sa.func.max(_versions.c.number), 0) + 1)
                .where(_versions.c.tour == key)).scalar_one()
            connection.execute(_versions.insert().values(
                tour=key, number=number, created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                based_on=based_on, today=today.isoformat() if today else None, plan_json=text,
                shows=len(plan.bookings), km=round(plan.km, 1), fees=round(plan.fees, 2), objective=objective,
                status=plan.schedule_report.status))
            if events:
                connection.execute(_events.insert(), [
                    {"tour": key, "version": number, "position": position, "kind": kind, "data_json": data,
                     "text": str(event)}
                    for position, event in enumerate(events) for kind, data in [event_to_json(event)]])
            return number

        return self._write(write)

    def versions(self) -> tuple[Version, ...]:
        """Every version of this tour, oldest first, with its events."""
        v, e = _versions.c, _events.c

        def read(connection: sa.Connection) -> tuple[list, list]:
            return (connection.execute(sa.select(v.number, v.created_at, v.based_on, v.today, v.shows, v.km, v.fees,
                                                 v.objective, v.status)
                                       .where(v.tour == self.tour).order_by(v.number)).all(),
                    connection.execute(sa.select(e.version, e.kind, e.data_json)
                                       .where(e.tour == self.tour).order_by(e.version, e.position)).all())

        rows, event_rows = self._read(read)
        events: dict[int, list[Event]] = {}
        for number, kind, data in event_rows:
            events.setdefault(number, []).append(event_from_json(kind, data))
        return tuple(Version(n, created, based, date.fromisoformat(today) if today else None, shows, km, fees,
                             objective, status, tuple(events.get(n, ())))
                     for n, created, based, today, shows, km, fees, objective, status in rows)

    def latest(self) -> int | None:
        """The number of this tour's newest version, or None when it has none."""
        return self._read(lambda connection: connection.execute(
            sa.select(sa.func.max(_versions.c.number)).where(_versions.c.tour == self.tour)).scalar())

    def plan_json(self, number: int) -> dict:
        """The stored plan document of a version.

        Raises
        ------
        KeyError
            When there is no such version.
        """
        text = self._read(lambda connection: connection.execute(
            sa.select(_versions.c.plan_json)
            .where(_versions.c.tour == self.tour, _versions.c.number == number)).scalar())
        if text is None:
            raise KeyError(number)
        return json.loads(text)

    def plan(self, number: int) -> Plan:
        """A stored version read back as a :class:`Plan` (through :func:`touring.io.plan.read_plan`)."""
        import tempfile

        from touring.io.plan import read_plan
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"plan-{number:04d}.json"
            path.write_text(json.dumps(self.plan_json(number)), encoding="utf-8")
            return read_plan(path)
