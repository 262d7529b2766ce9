"""Reading a festival shuttle folder and writing its plan.

A festival folder holds ``festival.toml``, ``places.csv``, ``fleet.csv`` and
``transfers.csv`` (see :data:`SETTINGS` and :data:`TABLES` for every column). Loading
reports every problem at once, each a :class:`~touring.errors.DataError` naming file,
row and column, and builds nothing partially.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from touring.errors import DataError, FieldError
from touring.io.files import Table, read_csv, write_text_atomic
from touring.io.schema import (
    Column, TableSpec, enum_parser, parse_bool, parse_date, parse_float, parse_id, parse_int, parse_text, parse_time,
)
from touring.places import timezone_at
from touring.shuttle import (
    Festival, PlaceKind, ShuttleKind, ShuttlePlace, ShuttlePlan, ShuttleSettings, Transfer, VehicleType,
)

SETTINGS_FILE = "festival.toml"

PLACES = TableSpec("places", "Airports, stations, hotels and the festival site.", (
    Column("id", parse_id, "unique place id", required=True),
    Column("name", parse_text, "name shown in the plan", required=True),
    Column("kind", enum_parser(PlaceKind), "airport, station, hotel or site", required=True),
    Column("lat", parse_float, "latitude", "decimal degrees, WGS84", required=True),
    Column("lon", parse_float, "longitude", "decimal degrees, WGS84", required=True),
))

FLEET = TableSpec("fleet", "The shuttle fleet; one row per vehicle type.", (
    Column("id", parse_id, "unique id; with count > 1 vehicles are ID-1 .. ID-n", required=True),
    Column("kind", enum_parser(ShuttleKind), "car, van or bus", required=True),
    Column("seats", parse_int, "passenger seats, driver not counted", "people", required=True),
    Column("luggage_m3", parse_float, "luggage hold", "m3", required=True),
    Column("depot", parse_id, "place id where it starts and ends the day", required=True),
    Column("cost_per_km", parse_float, "running cost", "currency/km", default=0.0),
    Column("fixed_cost", parse_float, "cost of using it for the day (driver, hire)", "currency", default=0.0),
    Column("count", parse_int, "identical vehicles of this type", "vehicles", default=1),
))

TRANSFERS = TableSpec("transfers", "The transfers of the day.", (
    Column("id", parse_id, "unique transfer id", required=True),
    Column("who", parse_text, "artist or party name", required=True),
    Column("from", parse_id, "place id of the pickup", required=True),
    Column("to", parse_id, "place id of the drop-off", required=True),
    Column("earliest_pickup", parse_time, "ready to board from", "HH:MM local", required=True),
    Column("latest_arrival", parse_time, "must arrive by", "HH:MM local", required=True),
    Column("party", parse_int, "people travelling", "people", default=1),
    Column("luggage_m3", parse_float, "luggage and instruments", "m3", default=0.0),
    Column("split_ok", parse_bool, "whether the party may ride in several vehicles when no free vehicle takes "
           "it whole (yes or no; never for one person)", default=None,
           default_doc="yes for a party of 2 or more"),
))

TABLES = (PLACES, FLEET, TRANSFERS)

# festival.toml: key -> (parser, required)
SETTINGS: dict[str, tuple[Any, bool]] = {
    "name": (parse_text, True),
    "date": (parse_date, True),
    "site": (parse_id, True),
    "service.minutes": (parse_int, False),
    "service.per_passenger_minutes": (parse_int, False),
    "travel.detour_factor": (parse_float, False),
    "travel.speed_kmh": (parse_float, False),
    "unserved_penalty": (parse_float, False),
    "split.max_pieces": (parse_int, False),
    "split.extra_piece_cost": (parse_float, False),
}
_SETTING_FIELDS = {
    "service.minutes": "service_minutes", "service.per_passenger_minutes": "per_passenger_minutes",
    "travel.detour_factor": "detour_factor", "travel.speed_kmh": "speed_kmh",
    "unserved_penalty": "unserved_penalty", "split.max_pieces": "max_pieces",
    "split.extra_piece_cost": "extra_piece_cost",
}


class FestivalDataError(Exception):
    """Every problem found while loading a festival; raised instead of a partial one."""

    def __init__(self, errors: list[DataError]):
        self.errors = list(errors)
        count = len(self.errors)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the festival:"]
        lines += [f"  {error}" for error in self.errors]
        super().__init__("\n".join(lines))


def _flatten(table: dict, prefix: str = "") -> list[tuple[str, Any]]:
    items = []
    for key, value in table.items():
        if isinstance(value, dict):
            items += _flatten(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def _read_settings(root: Path, errors: list[DataError]) -> dict[str, Any] | None:
    path = root / SETTINGS_FILE
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        errors.append(DataError(SETTINGS_FILE, None, None, f"is missing from {root}"))
        return None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        errors.append(DataError(SETTINGS_FILE, None, None, f"is not valid TOML: {error}"))
        return None
    values: dict[str, Any] = {}
    for key, raw in _flatten(document):
        if key not in SETTINGS:
            errors.append(DataError(SETTINGS_FILE, None, key, f"unknown setting (known: {', '.join(SETTINGS)})",
                                    setting=True))
            continue
        try:
            values[key] = SETTINGS[key][0](raw)
        except ValueError as error:
            errors.append(DataError(SETTINGS_FILE, None, key, str(error), setting=True))
    for key, (_, required) in SETTINGS.items():
        if required and key not in values and key not in dict(_flatten(document)):
            errors.append(DataError(SETTINGS_FILE, None, key, "is required", setting=True))
    return values


def _read_table(root: Path, spec: TableSpec, errors: list[DataError]) -> Table | None:
    path = root / spec.file
    if not path.exists():
        errors.append(DataError(spec.file, None, None, f"is missing from {root}"))
        return None
    try:
        return read_csv(path)
    except DataError as error:
        errors.append(error)
        return None


def _parse_rows(spec: TableSpec, table: Table | None, errors: list[DataError]) -> list[tuple[int, dict[str, Any]]]:
    """Parsed rows (row number, column -> value); rows with a bad cell are left out."""
    if table is None:
        return []
    known = ", ".join(c.name for c in spec.columns)
    rows = spec.parse_rows(
        table, lambda source, row, column, message: errors.append(DataError(source, row, column, message)),
        lambda source, column: errors.append(DataError(source, None, column, f"unknown column (known: {known})")))
    return [(row.number, values) for row, values in rows]


def _unique(source: str, rows: list[tuple[int, dict]], errors: list[DataError]) -> list[tuple[int, dict]]:
    first: dict[str, int] = {}
    kept = []
    for number, values in rows:
        if values["id"] in first:
            errors.append(DataError(source, number, "id", f"repeats id '{values['id']}' of row {first[values['id']]}"))
            continue
        first[values["id"]] = number
        kept.append((number, values))
    return kept


def _build(source: str, number: int, errors: list[DataError], make, column_of: dict[str, str] | None = None):
    """Construct a domain value; its FieldError becomes a DataError on the right column."""
    try:
        return make()
    except FieldError as error:
        column = (column_of or {}).get(error.field, error.field)
        errors.append(DataError(source, number, column, error.message))
        return None


def load_festival(root: Path, *, with_transfers: bool = True) -> Festival:
    """Load a festival folder.

    Parameters
    ----------
    root : Path
        Folder with festival.toml, places.csv, fleet.csv and transfers.csv.
    with_transfers : bool
        ``False`` skips transfers.csv (the generator loads places and fleet before
        the transfers exist).

    Returns
    -------
    Festival
        The time zone is that of the site's coordinates.

    Raises
    ------
    FestivalDataError
        Listing every problem with its file, row and column.
    """
    errors: list[DataError] = []
    if not root.is_dir():
        raise FestivalDataError([DataError(str(root), None, None, "is not a festival folder")])
    settings = _read_settings(root, errors)
    tables = {spec.name: _read_table(root, spec, errors) for spec in TABLES
              if with_transfers or spec is not TRANSFERS}
    tables.setdefault("transfers", None)

    places: dict[str, ShuttlePlace] = {}
    for number, v in _unique(PLACES.file, _parse_rows(PLACES, tables["places"], errors), errors):
        place = _build(PLACES.file, number, errors, lambda v=v: ShuttlePlace(v["id"], v["name"], v["kind"],
                                                                             v["lat"], v["lon"]))
        if place is not None:
            places[place.id] = place
    places_ok = tables["places"] is not None

    fleet = []
    for number, v in _unique(FLEET.file, _parse_rows(FLEET, tables["fleet"], errors), errors):
        if places_ok and v["depot"] not in places:
            errors.append(DataError(FLEET.file, number, "depot", f"'{v['depot']}' is not a place in places.csv"))
            continue
        vehicle = _build(FLEET.file, number, errors, lambda v=v: VehicleType(
            v["id"], v["kind"], v["seats"], v["luggage_m3"], v["depot"], v["cost_per_km"], v["fixed_cost"],
            v["count"]))
        if vehicle is not None:
            fleet.append(vehicle)

    day: date | None = (settings or {}).get("date")
    transfers = []
    for number, v in _unique(TRANSFERS.file, _parse_rows(TRANSFERS, tables["transfers"], errors), errors):
        bad = False
        for column in ("from", "to"):
            if places_ok and v[column] not in places:
                errors.append(DataError(TRANSFERS.file, number, column, f"'{v[column]}' is not a place in places.csv"))
                bad = True
        if bad or day is None:
            continue
        transfer = _build(TRANSFERS.file, number, errors, lambda v=v: Transfer(
            v["id"], v["who"], v["from"], v["to"], datetime.combine(day, v["earliest_pickup"]),
            datetime.combine(day, v["latest_arrival"]), v["party"], v["luggage_m3"], v["split_ok"]),
            {"from": "from", "to": "to"})
        if transfer is not None:
            transfers.append(transfer)

    festival_settings = ShuttleSettings()
    timezone = "UTC"
    if settings is not None:
        site = settings.get("site")
        if site is not None and places_ok:
            if site not in places:
                errors.append(DataError(SETTINGS_FILE, None, "site", f"'{site}' is not a place in places.csv",
                                        setting=True))
            elif places[site].kind is not PlaceKind.SITE:
                errors.append(DataError(SETTINGS_FILE, None, "site",
                                        f"'{site}' is a {places[site].kind.value}, not a site", setting=True))
            else:
                timezone = timezone_at(places[site].lat, places[site].lon)
        given = {_SETTING_FIELDS[k]: value for k, value in settings.items() if k in _SETTING_FIELDS}
        try:
            festival_settings = ShuttleSettings(**given)
        except FieldError as error:
            errors.append(DataError(SETTINGS_FILE, None, error.field, error.message, setting=True))
    if errors:
        raise FestivalDataError(errors)
    assert settings is not None
    try:
        return Festival(settings["name"], settings["date"], settings["site"], timezone, tuple(places.values()),
                        tuple(fleet), tuple(transfers), festival_settings)
    except FieldError as error:
        raise FestivalDataError([DataError(SETTINGS_FILE, None, error.field, error.message)]) from None


# --------------------------------------------------------------------------- #
# Writing the plan
# --------------------------------------------------------------------------- #


def _local(moment: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=ZoneInfo(zone)).isoformat(timespec="minutes")


def plan_to_json(festival: Festival, plan: ShuttlePlan) -> dict:
    """The plan as plain JSON data; times are ISO 8601 with the site's UTC offset."""
    zone = festival.timezone
    transfers = {t.id: t for t in festival.transfers}
    return {
        "festival": festival.name,
        "date": festival.day.isoformat(),
        "timezone": zone,
        "status": plan.status,
        "objective": plan.objective,
        "wall_time_s": round(plan.wall_time, 3),
        "hit_time_limit": plan.hit_time_limit,
        "km": round(plan.km, 1),
        "vehicles_used": len(plan.vehicles),
        "served": len(plan.served),
        "unserved": len(plan.unserved),
        "vehicles": [
            {
                "vehicle": v.vehicle, "type": v.type, "depot": v.depot,
                "leaves": _local(v.leaves, zone), "returns": _local(v.returns, zone), "km": round(v.km, 1),
                "runs": [
                    [
                        {"place": s.place, "arrival": _local(s.arrival, zone), "start": _local(s.start, zone),
                         "departure": _local(s.departure, zone), "action": s.action, "transfer": s.transfer,
                         "who": s.who, "party": s.party, **({"piece": s.piece} if s.piece else {})}
                        for s in run.stops
                    ]
                    for run in v.runs
                ],
            }
            for v in plan.vehicles
        ],
        "transfers": [
            {"transfer": s.transfer, "who": transfers[s.transfer].who, "vehicle": s.vehicle,
             "pickup": _local(s.pickup, zone), "arrival": _local(s.arrival, zone),
             "on_time": s.on_time(transfers[s.transfer]),
             **({"pieces": [{"piece": p.number, "vehicle": p.vehicle, "party": p.party,
                             "luggage_m3": round(p.luggage_m3, 3), "pickup": _local(p.pickup, zone),
                             "arrival": _local(p.arrival, zone)} for p in s.pieces],
                 "split": s.describe(transfers[s.transfer])} if s.pieces else {})}
            for s in plan.served
        ],
        "unserved_transfers": [
            {"transfer": u.transfer, "who": transfers[u.transfer].who, "reason": u.reason} for u in plan.unserved
        ],
    }


def write_plan(path: Path, festival: Festival, plan: ShuttlePlan) -> None:
    """Write ``plan`` as JSON to ``path`` atomically."""
    write_text_atomic(path, json.dumps(plan_to_json(festival, plan), indent=2, ensure_ascii=False) + "\n")
