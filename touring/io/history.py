"""The tour's history: every plan version and the events that produced it, in SQLite.

The database is ``TOUR/.touring/history.sqlite`` (stdlib :mod:`sqlite3`). Versions are
numbered from 1 and never overwritten. Each write is one transaction: a failure part-way
leaves the history as it was.

The layout uses only portable types (INTEGER, REAL, TEXT; dates as ISO text; JSON as TEXT)
and no SQLite-only features besides the rowid key, so that SQLAlchemy with a ``--db`` URL
could later point it at PostgreSQL (``id`` becomes ``SERIAL``/identity there)::

    versions(number INTEGER PRIMARY KEY, created_at TEXT, based_on INTEGER NULL,
             today TEXT NULL, plan_json TEXT, shows INTEGER, km REAL, fees REAL,
             objective REAL NULL, status TEXT)
    events(version INTEGER REFERENCES versions(number), position INTEGER,
           kind TEXT, data_json TEXT, text TEXT, PRIMARY KEY(version, position))

This module also reads events from their text form (``--cancel SHOW`` and the like, or an
events CSV with columns ``kind,value``) and back, as every file read lives in touring.io.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

from solvers.replan import AddShow, CancelShow, ChangeWindows, CrewUnavailable, Event, HotelLost, VehicleOut
from solvers.replan import CrewJoins, VehicleHired
from touring.errors import DataError
from touring.model import DateRange, Plan, Tour

HISTORY_FILE = Path(".touring") / "history.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    number INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    based_on INTEGER NULL REFERENCES versions(number),
    today TEXT NULL,
    plan_json TEXT NOT NULL,
    shows INTEGER NOT NULL,
    km REAL NOT NULL,
    fees REAL NOT NULL,
    objective REAL NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    version INTEGER NOT NULL REFERENCES versions(number),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data_json TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (version, position)
);
"""


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
        if kind == "vehicle-out":
            first, _, last = rest.partition("..")
            return VehicleOut(key, date.fromisoformat(first.strip()),
                              date.fromisoformat(last.strip()) if last.strip() else None)
        if kind == "hotel-lost":
            return HotelLost(key, date.fromisoformat(rest))
        if kind in ("join", "hire"):
            first, _, last = rest.partition("..")
            return _KINDS[kind](key, date.fromisoformat(first.strip()),
                                date.fromisoformat(last.strip()) if last.strip() else None)
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

class History:
    """The plan versions of one tour. Use as a context manager or call :meth:`close`."""

    def __init__(self, tour_root: str | Path):
        self.path = Path(tour_root) / HISTORY_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)  # transactions are explicit
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.executescript(_SCHEMA)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def add(self, plan: Plan, tour: Tour, events: tuple[Event, ...] = (), based_on: int | None = None,
            today: date | None = None, to_json: Callable[[Plan, Tour], dict] | None = None) -> int:
        """Store a plan as the next version, with its events, in one transaction; returns its number.

        ``to_json`` defaults to :func:`touring.io.plan.plan_to_json`.
        """
        if to_json is None:
            from touring.io.plan import plan_to_json as to_json
        db = self._db
        db.execute("BEGIN IMMEDIATE")  # the number is taken and used under one write lock
        try:
            number = db.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM versions").fetchone()[0]
            objective = plan.schedule_report.objective if plan.schedule_report else None
            db.execute("INSERT INTO versions (number, created_at, based_on, today, plan_json, shows, km, fees, "
                       "objective, status) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
                       (number, datetime.now(timezone.utc).isoformat(timespec="seconds"), based_on,
                        today.isoformat() if today else None, len(plan.bookings), round(plan.km, 1),
                        round(plan.fees, 2), objective, plan.schedule_report.status))
            for position, event in enumerate(events):
                kind, data = event_to_json(event)
                db.execute("INSERT INTO events (version, position, kind, data_json, text) VALUES (?, ?, ?, ?, ?)",
                           (number, position, kind, data, str(event)))
            text = json.dumps(to_json(plan, tour), ensure_ascii=False)
            db.execute("UPDATE versions SET plan_json = ? WHERE number = ?", (text, number))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return number

    def versions(self) -> tuple[Version, ...]:
        rows = self._db.execute("SELECT number, created_at, based_on, today, shows, km, fees, objective, status "
                                "FROM versions ORDER BY number").fetchall()
        return tuple(Version(n, created, based, date.fromisoformat(today) if today else None, shows, km, fees,
                             objective, status, self._events(n))
                     for n, created, based, today, shows, km, fees, objective, status in rows)

    def _events(self, number: int) -> tuple[Event, ...]:
        rows = self._db.execute("SELECT kind, data_json FROM events WHERE version = ? ORDER BY position",
                                (number,)).fetchall()
        return tuple(event_from_json(kind, data) for kind, data in rows)

    def latest(self) -> int | None:
        return self._db.execute("SELECT MAX(number) FROM versions").fetchone()[0]

    def plan_json(self, number: int) -> dict:
        """The stored plan document of a version.

        Raises
        ------
        KeyError
            When there is no such version.
        """
        row = self._db.execute("SELECT plan_json FROM versions WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise KeyError(number)
        return json.loads(row[0])

    def plan(self, number: int) -> Plan:
        """A stored version read back as a :class:`Plan` (through :func:`touring.io.plan.read_plan`)."""
        import tempfile

        from touring.io.plan import read_plan
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"plan-{number:04d}.json"
            path.write_text(json.dumps(self.plan_json(number)), encoding="utf-8")
            return read_plan(path)
