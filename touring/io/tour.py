"""Loading a tour: a folder of ``tour.toml`` and CSV files, or one .xlsx workbook.

The loader reports every problem at once and builds nothing partially: either a whole
:class:`~touring.model.Tour` comes back, or :class:`~touring.errors.TourDataError`
lists each problem with its file, row and column.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from touring.calendar import closed_reason
from touring.errors import DataError, FieldError, TourDataError
from touring.io import schema
from touring.io.files import Row, Table, read_csv, read_workbook
from touring.model import (
    HOME_ID, CrewMember, DateRange, Equipment, Hotel, Place, Rules, Show, Tour,
    TravelOverride, TravelSettings, Vehicle, VehicleKind, Venue, Weights, check_coordinates,
)
from touring.places import Geocoder, country_code, resolve_city, timezone_at

SETTINGS_FILE = "tour.toml"
SETTINGS_SHEET = "tour"


@dataclass(frozen=True)
class LoadedTour:
    tour: Tour
    warnings: tuple[DataError, ...]
    root: Path  # the folder that holds the tour's files (and its cache)


@dataclass
class _Problems:
    errors: list[DataError] = field(default_factory=list)
    warnings: list[DataError] = field(default_factory=list)

    def error(self, source: str, row: int | None, column: str | None, message: str, setting: bool = False) -> None:
        self.errors.append(DataError(source, row, column, message, setting=setting))

    def warn(self, source: str, row: int | None, column: str | None, message: str, setting: bool = False) -> None:
        self.warnings.append(DataError(source, row, column, message, setting=setting))


@dataclass(frozen=True)
class _Setting:
    key: str
    value: Any
    row: int | None


@dataclass(frozen=True)
class _Sources:
    settings_source: str
    settings: tuple[_Setting, ...] | None  # None: unreadable, already reported
    tables: dict[str, Table | None]
    root: Path


def _flatten(table: dict, prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _read_sources(path: Path, problems: _Problems) -> _Sources | None:
    if path.is_file() and path.suffix.lower() == ".xlsx":
        try:
            sheets = read_workbook(path)
        except DataError as error:
            problems.errors.append(error)
            return None
        settings_table = sheets.get(SETTINGS_SHEET)
        settings: list[_Setting] = []
        source = f"{path.name}, sheet {SETTINGS_SHEET}"
        if settings_table is None:
            problems.error(path.name, None, None, f"has no sheet '{SETTINGS_SHEET}' (key and value columns)")
        else:
            source = settings_table.source
            for row in settings_table.rows:
                key = row.values.get("key", "")
                if key:
                    settings.append(_Setting(key, row.values.get("value", ""), row.number))
        tables = {spec.name: sheets.get(spec.name) for spec in schema.TABLES}
        return _Sources(source, tuple(settings), tables, path.parent)
    if not path.is_dir():
        problems.error(str(path), None, None, "is neither a tour folder nor an .xlsx workbook")
        return None
    settings_path = path / SETTINGS_FILE
    settings = None
    try:
        document = tomllib.loads(settings_path.read_text(encoding="utf-8"))
        settings = tuple(_Setting(key, value, None) for key, value in _flatten(document))
    except FileNotFoundError:
        problems.error(SETTINGS_FILE, None, None, f"is missing from {path}")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        problems.error(SETTINGS_FILE, None, None, f"is not valid TOML: {error}")
    tables: dict[str, Table | None] = {}
    for spec in schema.TABLES:
        file = path / spec.file
        try:
            tables[spec.name] = read_csv(file) if file.exists() else None
        except DataError as error:
            problems.errors.append(error)
            tables[spec.name] = None
    return _Sources(SETTINGS_FILE, settings, tables, path)


# --- settings ---

def _parse_settings(sources: _Sources, problems: _Problems) -> dict[str, Any]:
    known = {s.key: s for s in schema.SETTINGS}
    values: dict[str, Any] = {}
    if sources.settings is None:
        return values
    for setting in sources.settings:
        spec = known.get(setting.key)
        if spec is None:
            problems.warn(sources.settings_source, setting.row, setting.key, "unknown setting, ignored", True)
            continue
        try:
            values[setting.key] = spec.parse(setting.value)
        except ValueError as error:
            problems.error(sources.settings_source, setting.row, setting.key, str(error), True)
    for spec in schema.SETTINGS:
        if spec.required and spec.key not in values and not any(s.key == spec.key for s in sources.settings):
            problems.error(sources.settings_source, None, spec.key, "is required", True)
    return values


def _section(values: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {key[len(prefix):]: value for key, value in values.items()
            if key.startswith(prefix) and "." not in key[len(prefix):]}


def _build_settings(values: dict[str, Any], source: str, problems: _Problems):
    built: dict[str, Any] = {}
    for name, factory, prefix in (("rules", Rules, "rules."), ("weights", Weights, "weights.")):
        try:
            built[name] = factory(**_section(values, prefix))
        except FieldError as error:
            problems.error(source, None, prefix + error.field, error.message, True)
    speeds = {VehicleKind(kind): speed for kind, speed in _section(values, "travel.speeds_kmh.").items()}
    try:
        defaults = TravelSettings()
        built["travel"] = TravelSettings(
            detour_factor=values.get("travel.detour_factor", defaults.detour_factor),
            speeds_kmh={**defaults.speeds_kmh, **speeds})
    except FieldError as error:
        problems.error(source, None, "travel." + error.field, error.message, True)
    start, end = values.get("season_start"), values.get("season_end")
    if start and end:
        if end < start:
            problems.error(source, None, "season_end", f"{end} is before season_start {start}", True)
        else:
            built["season"] = DateRange(start, end)
    return built


# --- places ---

class _PlaceMaker:
    """Turns city/country or lat/lon cells into a Place, reporting on the right column."""

    def __init__(self, problems: _Problems, geocoder: Geocoder | None):
        self.problems = problems
        self.geocoder = geocoder

    def make(self, source: str, row: int | None, place_id: str, name: str, values: dict[str, Any],
             city_key: str = "city", country_key: str = "country", default_country: str = "",
             field_prefix: str = "") -> Place | None:
        """The place the cells describe, or None after reporting why there is none.

        ``field_prefix`` names settings such as ``home.lat`` in tour.toml.
        """
        def report(column: str, message: str) -> None:
            self.problems.error(source, row, field_prefix + column, message, setting=bool(field_prefix))

        lat, lon = values.get("lat"), values.get("lon")
        city, country = values.get(city_key) or "", values.get(country_key) or default_country
        code = ""
        if country:
            try:
                code = country_code(country)
            except FieldError as error:
                report(country_key, error.message)
                return None
        if (lat is None) != (lon is None):
            report("lon" if lon is None else "lat", "lat and lon go together; give both or neither")
            return None
        if lat is None:
            if not city:
                report(city_key, "give a city (with its country) or lat and lon")
                return None
            if not code:
                report(country_key, f"is needed to find the city '{city}'")
                return None
            try:
                match = resolve_city(city, code, self.geocoder)
            except FieldError as error:
                report(city_key, error.message)
                return None
            lat, lon = match.lat, match.lon
        try:
            check_coordinates(lat, lon)
            return Place(place_id, name or city, lat, lon, timezone_at(lat, lon), code)
        except FieldError as error:
            report(error.field, error.message)
            return None


# --- tables ---

def _unique_ids(table: Table, rows: list[tuple[Row, dict]], problems: _Problems,
                taken: dict[str, str] | None = None, key: str = "id") -> list[tuple[Row, dict]]:
    """Drops rows whose id repeats one seen before (in this table or in ``taken``)."""
    seen: dict[str, str] = dict(taken or {})
    kept = []
    for row, values in rows:
        ident = values[key]
        if ident in seen:
            problems.error(table.source, row.number, key, f"duplicate id '{ident}' (already {seen[ident]})")
            continue
        seen[ident] = f"used in {table.source} row {row.number}"
        kept.append((row, values))
    return kept


def _build(problems: _Problems, source: str, row: int, factory, **kwargs):
    try:
        return factory(**kwargs)
    except FieldError as error:
        problems.error(source, row, error.field, error.message)
        return None


def _check_ranges(ranges: Iterable[DateRange], season: DateRange | None, source: str, row: int,
                  column: str, problems: _Problems) -> None:
    if season is None:
        return
    for date_range in ranges:
        if not date_range.overlaps(season):
            problems.error(source, row, column, f"{date_range} is outside the season {season}")
        elif not date_range.within(season):
            problems.warn(source, row, column, f"{date_range} reaches beyond the season {season}; "
                                               "only the days inside it count")


def load_tour(path: str | Path, geocoder: Geocoder | None = None) -> LoadedTour:
    """Load and check a whole tour.

    Parameters
    ----------
    path
        A tour folder (``tour.toml``, ``venues.csv``, ...) or an ``.xlsx`` workbook whose
        sheets carry the same names (settings on a sheet ``tour`` with key and value columns).
    geocoder
        An online geocoder for city names the offline data does not know; ``None`` (the
        default) keeps everything offline.

    Raises
    ------
    TourDataError
        With every problem found, each naming its file, row and column.
    """
    path = Path(path)
    problems = _Problems()
    sources = _read_sources(path, problems)
    if sources is None:
        raise TourDataError(problems.errors, problems.warnings)
    places = _PlaceMaker(problems, geocoder)
    values = _parse_settings(sources, problems)
    settings = _build_settings(values, sources.settings_source, problems)
    season: DateRange | None = settings.get("season")

    home_values = _section(values, "home.")
    home = None
    if sources.settings is not None:
        home = places.make(sources.settings_source, None, HOME_ID, home_values.get("name", ""), home_values,
                           field_prefix="home.")
    home_country = home.country if home else ""
    if not home_country and home_values.get("country"):
        try:  # so depots and suppliers still resolve when only the home city is wrong
            home_country = country_code(home_values["country"])
        except FieldError:
            pass

    tables = sources.tables
    for spec in schema.TABLES:
        if spec.required and tables.get(spec.name) is None and not any(
                e.file.startswith(spec.name) for e in problems.errors):
            where = "sheet" if path.suffix.lower() == ".xlsx" else "file"
            problems.error(spec.file if where == "file" else f"{path.name}", None, None,
                           "is missing" if where == "file" else f"has no sheet '{spec.name}'")

    def rows_of(spec: schema.TableSpec) -> tuple[Table | None, list[tuple[Row, dict]]]:
        table = tables.get(spec.name)
        if table is None:
            return None, []
        return table, spec.parse_rows(table, problems.error, lambda source, column: problems.warn(
            source, None, column, "unknown column, ignored"))

    # Venues and hotels share one id space with 'home', so one matrix can hold every place.
    place_ids: dict[str, str] = {HOME_ID: "the home base"}
    venues: list[Venue] = []
    venue_table, venue_rows = rows_of(schema.VENUES)
    for row, v in _unique_ids(venue_table, venue_rows, problems, place_ids) if venue_table else []:
        place_ids[v["id"]] = f"a venue in {venue_table.source} row {row.number}"
        place = places.make(venue_table.source, row.number, v["id"], v["name"], v)
        _check_ranges(v["availability"], season, venue_table.source, row.number, "availability", problems)
        if place is None:
            continue
        venue = _build(problems, venue_table.source, row.number, Venue,
                       place=place, **{k: v[k] for k in v if k not in ("city", "country", "lat", "lon")})
        if venue:
            venues.append(venue)
    venue_by_id = {v.id: v for v in venues}
    venue_seen = set(place_ids) - {HOME_ID}

    hotels: list[Hotel] = []
    hotel_table, hotel_rows = rows_of(schema.HOTELS)
    for row, h in _unique_ids(hotel_table, hotel_rows, problems, place_ids) if hotel_table else []:
        place_ids[h["id"]] = f"a hotel in {hotel_table.source} row {row.number}"
        place = places.make(hotel_table.source, row.number, h["id"], h["name"], h)
        if place is None:
            continue
        hotel = _build(problems, hotel_table.source, row.number, Hotel,
                       place=place, **{k: h[k] for k in h if k not in ("city", "country", "lat", "lon")})
        if hotel:
            hotels.append(hotel)

    shows: list[Show] = []
    show_table, show_rows = rows_of(schema.SHOWS)
    if show_table is None:
        shows = [Show(id=v.id, venue_id=v.id) for v in venues]
    else:
        for row, s in show_rows:
            s["id"] = s["id"] or s["venue"]
        for row, s in _unique_ids(show_table, show_rows, problems):
            if s["venue"] not in venue_seen:
                problems.error(show_table.source, row.number, "venue", f"unknown venue '{s['venue']}'")
                continue
            _check_ranges(s["preferred_dates"], season, show_table.source, row.number, "preferred_dates", problems)
            venue = venue_by_id.get(s["venue"])
            fixed = s["fixed_date"]
            if fixed and season and fixed not in season:
                problems.error(show_table.source, row.number, "fixed_date", f"{fixed} is outside the season {season}")
            elif fixed and venue and closed_reason(venue, fixed):
                problems.error(show_table.source, row.number, "fixed_date",
                               f"{fixed} cannot be a show day: {closed_reason(venue, fixed)}")
            show = _build(problems, show_table.source, row.number, Show, venue_id=s.pop("venue"), **s)
            if show:
                shows.append(show)
        played = {s.venue_id for s in shows}
        for venue in venues:
            if venue.id not in played:
                problems.warn(show_table.source, None, "venue", f"venue '{venue.id}' has no show")

    crew: list[CrewMember] = []
    crew_table, crew_rows = rows_of(schema.CREW)
    crew_rows = _unique_ids(crew_table, crew_rows, problems) if crew_table else []
    crew_ids = {c["id"] for _, c in crew_rows}
    share_lists = {c["id"]: set(c["share_with"]) for _, c in crew_rows}
    for row, c in crew_rows:
        for mate in c["share_with"]:
            if mate not in crew_ids:
                problems.error(crew_table.source, row.number, "share_with", f"unknown crew member '{mate}'")
            elif c["id"] not in share_lists.get(mate, ()):
                problems.warn(crew_table.source, row.number, "share_with",
                              f"'{mate}' does not list '{c['id']}': rooms are shared only by mutual consent")
        _check_ranges(c["availability"], season, crew_table.source, row.number, "availability", problems)
        nationality = ""
        if c["nationality"]:
            try:
                nationality = country_code(c["nationality"])
            except FieldError as error:
                problems.error(crew_table.source, row.number, "nationality", error.message)
        home_place = places.make(crew_table.source, row.number, f"home:{c['id']}", f"home of {c['name']}", c,
                                 city_key="home_city", country_key="home_country")
        if home_place is None:
            continue
        member = _build(problems, crew_table.source, row.number, CrewMember,
                        id=c["id"], name=c["name"], roles=c["role"], home=home_place, nationality=nationality,
                        availability=c["availability"], licences=c["licences"], room=c["room"],
                        share_with=c["share_with"], phone=c["phone"], email=c["email"],
                        own_car=c["own_car"])
        if member:
            crew.append(member)

    known_places = {HOME_ID: home} | {v.id: v.place for v in venues} | {h.id: h.place for h in hotels}

    vehicles: list[Vehicle] = []
    vehicle_table, vehicle_rows = rows_of(schema.VEHICLES)
    for row, v in _unique_ids(vehicle_table, vehicle_rows, problems) if vehicle_table else []:
        depot = known_places.get(v["depot"])
        if depot is None and v["depot"] in place_ids:
            continue  # the place it names was reported already
        if depot is None:
            depot = places.make(vehicle_table.source, row.number, f"depot:{v['id']}", v["depot"],
                                v,
                                city_key="depot", country_key="depot_country", default_country=home_country)
            if depot is None:
                continue
        vehicle = _build(problems, vehicle_table.source, row.number, Vehicle,
                         depot=depot, name=v["name"] or v["id"], licence=v["licence"] or "",
                         **{k: v[k] for k in v if k not in ("depot", "depot_country", "name", "licence")})
        if vehicle:
            vehicles.append(vehicle)

    show_ids = {s.id for s in shows}
    equipment: list[Equipment] = []
    equipment_table, equipment_rows = rows_of(schema.EQUIPMENT)
    for row, e in _unique_ids(equipment_table, equipment_rows, problems) if equipment_table else []:
        unknown = [s for s in e["needed_at"] if s not in show_ids]
        if unknown:
            problems.error(equipment_table.source, row.number, "needed_at", f"unknown show '{unknown[0]}'")
            continue
        supplier = None
        if e["supplier"]:
            supplier = places.make(equipment_table.source, row.number, f"supplier:{e['id']}", e["supplier"],
                                   e,
                                   city_key="supplier", country_key="supplier_country",
                                   default_country=home_country)
            if supplier is None:
                continue
        item = _build(problems, equipment_table.source, row.number, Equipment, supplier=supplier,
                      **{k: e[k] for k in e if k not in ("supplier", "supplier_country")})
        if item:
            equipment.append(item)

    overrides: list[TravelOverride] = []
    travel_table, travel_rows = rows_of(schema.TRAVEL)
    all_place_ids = set(place_ids) | {f"home:{c}" for c in crew_ids} | {f"depot:{v.id}" for v in vehicles} \
        | {f"supplier:{e.id}" for e in equipment if e.supplier is not None}
    for row, t in travel_rows:
        bad = [column for column in ("from", "to") if t[column] not in all_place_ids]
        for column in bad:
            problems.error(travel_table.source, row.number, column, f"unknown place '{t[column]}'")
        mode = t["mode"].lower()
        kind = None
        if mode not in ("", "all"):
            try:
                kind = VehicleKind(mode)
            except ValueError:
                problems.error(travel_table.source, row.number, "mode",
                               f"'{t['mode']}' is not all, {', '.join(k.value for k in VehicleKind)}")
                continue
        if bad:
            continue
        override = _build(problems, travel_table.source, row.number, TravelOverride,
                          from_id=t["from"], to_id=t["to"], minutes=t["minutes"], km=t["km"], kind=kind)
        if override:
            overrides.append(override)

    roles_held = {role for member in crew for role in member.roles}
    rules = settings.get("rules")
    needed = {role for show in shows for role in (show.roles or (rules.default_roles if rules else ()))}
    if crew and needed - roles_held:
        problems.warn(crew_table.source if crew_table else "crew.csv", None, "role",
                      f"no crew member has the role(s) {', '.join(sorted(needed - roles_held))} that shows need")

    if problems.errors:
        raise TourDataError(_in_file_order(problems.errors), _in_file_order(problems.warnings))
    tour = Tour(name=values["name"], season=season, home=home, venues=tuple(venues), shows=tuple(shows),
                crew=tuple(crew), vehicles=tuple(vehicles), equipment=tuple(equipment), hotels=tuple(hotels),
                travel_overrides=tuple(overrides), rules=settings["rules"], weights=settings["weights"],
                travel=settings["travel"], currency=values.get("currency", "EUR"))
    return LoadedTour(tour, tuple(_in_file_order(problems.warnings)), sources.root)


def _in_file_order(problems: list[DataError]) -> list[DataError]:
    """Problems grouped by file (in the order files were read), then by row."""
    first_seen: dict[str, int] = {}
    for problem in problems:
        first_seen.setdefault(problem.file, len(first_seen))
    return sorted(problems, key=lambda p: (first_seen[p.file], p.row or 0))
