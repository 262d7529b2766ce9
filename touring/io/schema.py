"""The input format, in one place: every file, column and setting with its parser,
default, unit and meaning.

The loader parses with these specs, and ``python -m touring.io.schema`` prints the
reference tables that data/README.md carries (a test keeps the two in step).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Callable

from touring.io.files import Row, Table
from touring.model import (
    DEFAULT_SPEEDS_KMH, DateRange, DriverHours, Owner, RoomPreference, Rules, TravelSettings, VehicleKind, Weights,
)

Parser = Callable[[Any], Any]
Report = Callable[[str, "int | None", "str | None", str], None]  # (source, row, column, message)


# --- value parsers: each takes the cell text (or a TOML value) and raises ValueError ---

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def parse_text(value: Any) -> str:
    return str(value).strip()


def parse_id(value: Any) -> str:
    text = str(value).strip()
    if not _ID.match(text):
        raise ValueError(f"'{text}' is not a valid id (letters, digits, '-', '_' and '.', "
                         "starting with a letter or digit)")
    return text


_PLACE_ID = re.compile(r"^(?:(?:home|depot|supplier):)?[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def parse_place_id(value: Any) -> str:
    """A place id: a plain id, or ``home:CREW_ID``, ``depot:VEHICLE_ID``, ``supplier:ITEM_ID``."""
    text = str(value).strip()
    if not _PLACE_ID.match(text):
        raise ValueError(f"'{text}' is not a place id (home, a venue or hotel id, home:CREW_ID, "
                         "depot:VEHICLE_ID or supplier:ITEM_ID)")
    return text


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a whole number")
    if isinstance(value, int):
        return value
    text = str(value).strip().replace("_", "")
    try:
        number = float(text.replace(",", ".")) if re.fullmatch(r"-?\d+[.,]0*", text) else int(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a whole number") from None
    return int(number)


def parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace("_", "").replace(" ", "")
        # A lone comma is a decimal comma (Belgian and Dutch spreadsheets write 12,5).
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"'{value}' is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"'{value}' is not a finite number")
    return number


_TRUE = {"yes", "y", "true", "1", "x", "ja", "oui"}
_FALSE = {"no", "n", "false", "0", "nee", "non", ""}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"'{value}' is not yes or no")


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date (write YYYY-MM-DD, e.g. 2026-03-02)") from None


def _split_list(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[;,|]", str(value)) if part.strip()]


def parse_date_ranges(value: Any) -> tuple[DateRange, ...]:
    ranges = []
    for part in _split_list(value):
        start_text, separator, end_text = part.partition("..")
        start = parse_date(start_text)
        end = parse_date(end_text) if separator else start
        if end < start:
            raise ValueError(f"'{part}' ends before it starts")
        ranges.append(DateRange(start, end))
    return tuple(sorted(ranges, key=lambda r: r.start))


_WEEKDAYS = {}
for _index, _names in enumerate((
        ("mon", "monday", "mo", "ma", "maandag"), ("tue", "tuesday", "tu", "di", "dinsdag"),
        ("wed", "wednesday", "we", "wo", "woensdag"), ("thu", "thursday", "th", "do", "donderdag"),
        ("fri", "friday", "fr", "vr", "vrijdag"), ("sat", "saturday", "sa", "za", "zaterdag"),
        ("sun", "sunday", "su", "zo", "zondag"))):
    for _name in _names:
        _WEEKDAYS[_name] = _index


def parse_weekdays(value: Any) -> frozenset[int]:
    days = set()
    for part in _split_list(value):
        if part.lower() not in _WEEKDAYS:
            raise ValueError(f"'{part}' is not a weekday (write mon, tue, wed, thu, fri, sat, sun)")
        days.add(_WEEKDAYS[part.lower()])
    return frozenset(days)


def parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    text = str(value).strip().replace(".", ":").replace("h", ":")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::00)?", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"'{value}' is not a time of day (write HH:MM, e.g. 20:15)")
    return time(int(match[1]), int(match[2]))


def parse_id_list(value: Any) -> tuple[str, ...]:
    return tuple(parse_id(part) for part in _split_list(value))


def parse_text_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(_split_list(value))


_LICENCES = {"AM", "A1", "A2", "A", "B", "BE", "B96", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE"}


def parse_licences(value: Any) -> frozenset[str]:
    licences = set()
    for part in _split_list(value):
        if part.upper() not in _LICENCES:
            raise ValueError(f"'{part}' is not a European driving licence class "
                             f"({', '.join(sorted(_LICENCES))})")
        licences.add(part.upper())
    return frozenset(licences)


def parse_licence(value: Any) -> str:
    licences = parse_licences(value)
    if len(licences) != 1:
        raise ValueError(f"'{value}' must be one licence class")
    return next(iter(licences))


def enum_parser(enum_type: type) -> Parser:
    def parse(value: Any):
        text = str(value).strip().lower()
        try:
            return enum_type(text)
        except ValueError:
            raise ValueError(f"'{value}' is not one of {', '.join(e.value for e in enum_type)}") from None

    parse.__name__ = f"parse_{enum_type.__name__.lower()}"
    return parse


def parse_needed_at(value: Any) -> tuple[str, ...]:
    text = str(value).strip().lower()
    return () if text in ("", "all") else parse_id_list(value)


# --- the files and their columns ---

@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    doc: str
    unit: str = ""
    required: bool = False
    default: Any = None
    default_doc: str = ""  # how the default reads in the docs when it is not a plain value


@dataclass(frozen=True)
class TableSpec:
    name: str  # file stem and sheet name
    doc: str
    columns: tuple[Column, ...]
    required: bool = True

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def parse_rows(self, table: Table, error: Report, unknown_column: Callable[[str, str], None]
                   ) -> list[tuple[Row, dict[str, Any]]]:
        """Each row's cells parsed by their columns; a row with a bad cell is left out.

        ``error(source, row, column, message)`` hears every problem, so all of them are
        reported at once; ``unknown_column(source, column)`` decides what a column this
        file does not define is (a warning for a tour, an error for a festival).
        """
        known = {c.name for c in self.columns}
        for name in table.columns:
            if name and name not in known:
                unknown_column(table.source, name)
        missing = [c.name for c in self.columns if c.required and c.name not in table.columns]
        for name in missing:
            error(table.source, None, name, "required column is missing")
        if missing:
            return []
        parsed_rows = []
        for row in table.rows:
            parsed: dict[str, Any] = {}
            ok = True
            for column in self.columns:
                text = row.values.get(column.name, "")
                if text == "":
                    if column.required:
                        error(table.source, row.number, column.name, "is required")
                        ok = False
                    parsed[column.name] = column.default
                    continue
                try:
                    parsed[column.name] = column.parse(text)
                except ValueError as problem:
                    error(table.source, row.number, column.name, str(problem))
                    ok = False
            if ok:
                parsed_rows.append((row, parsed))
        return parsed_rows


def _place_columns(what: str, prefix: str = "") -> tuple[Column, ...]:
    return (
        Column(f"{prefix}city", parse_text, f"city or town of {what}; resolved offline when lat/lon are empty"),
        Column(f"{prefix}country", parse_text, f"country of {what}: ISO code (BE) or English name"),
        Column("lat", parse_float, f"latitude of {what}", "decimal degrees, WGS84",
               default_doc="from city"),
        Column("lon", parse_float, f"longitude of {what}", "decimal degrees, WGS84",
               default_doc="from city"),
    )


VENUES = TableSpec("venues", "The places that can host a show, with the dates they offer.", (
    Column("id", parse_id, "unique id, used by shows.csv and travel.csv", required=True),
    Column("name", parse_text, "venue name", required=True),
    *_place_columns("the venue"),
    Column("address", parse_text, "street address, for day sheets", default=""),
    Column("capacity", parse_int, "seats or standing capacity", "people"),
    Column("fee", parse_float, "guaranteed fee for a show here", "currency", default=0.0),
    Column("availability", parse_date_ranges,
           "dates the venue can host: ranges and days separated by ';', e.g. "
           "`2026-03-02..2026-03-14; 2026-04-01`", "dates", required=True),
    Column("closed_weekdays", parse_weekdays, "weekdays with no show, e.g. `mon; tue`",
           default=frozenset(), default_doc="none"),
    Column("closed_on_holidays", parse_bool, "no show on the public holidays of the venue's country",
           "yes/no", default=False),
    Column("load_in", parse_time, "load-in time on a show day", "HH:MM local"),
    Column("show_time", parse_time, "curtain or stage time", "HH:MM local"),
    Column("curfew", parse_time, "time the stage must be silent", "HH:MM local"),
    Column("soundcheck", parse_time, "sound check, for the day sheets", "HH:MM local"),
    Column("doors", parse_time, "doors open to the audience, for the day sheets", "HH:MM local"),
    Column("load_out", parse_time, "load-out done by; an earlier clock time than the curfew is the next day",
           "HH:MM local"),
    Column("setup_days", parse_int, "days before the first night the venue needs for set-up", "days", default=0),
    Column("radius_km", parse_float, "radius clause: no other show within this distance ...", "km"),
    Column("radius_days", parse_int, "... within this many days before or after a show here", "days"),
    Column("contact", parse_text, "who to call at the venue", default=""),
))

SHOWS = TableSpec("shows", "The shows to place; optional file: without it, one required show per venue.", (
    Column("id", parse_id, "unique show id", default_doc="the venue id"),
    Column("venue", parse_id, "venue id from venues.csv", required=True),
    Column("nights", parse_int, "consecutive nights at the venue", "nights", default=1),
    Column("required", parse_bool, "must be played (yes) or played only when worth it (no)", "yes/no", default=True),
    Column("fee", parse_float, "fee for this show", "currency", default_doc="the venue's fee"),
    Column("preferred_dates", parse_date_ranges, "dates the show would rather have", "dates",
           default=(), default_doc="none"),
    Column("fixed_date", parse_date, "confirmed first night; the scheduler keeps it", "date"),
    Column("roles", parse_text_list, "roles this show needs, e.g. `actor; technician`",
           default=(), default_doc="the tour's default_roles"),
), required=False)

CREW = TableSpec("crew", "The people who travel.", (
    Column("id", parse_id, "unique id", required=True),
    Column("name", parse_text, "full name", required=True),
    Column("role", parse_text_list, "role or roles, e.g. `actor` or `technician; driver`", required=True),
    *_place_columns("the crew member's home", prefix="home_"),
    Column("nationality", parse_text, "nationality, ISO code or English name (for visas)", default=""),
    Column("availability", parse_date_ranges, "dates the person can work", "dates",
           default=(), default_doc="the whole season"),
    Column("licences", parse_licences, "driving licence classes, e.g. `B; C`; empty: does not drive",
           default=frozenset(), default_doc="none"),
    Column("room", enum_parser(RoomPreference), "`single` or `shared`", default=RoomPreference.SINGLE),
    Column("share_with", parse_id_list, "crew ids this person agreed to share a room with", default=()),
    Column("phone", parse_text, "mobile number", default=""),
    Column("email", parse_text, "e-mail address", default=""),
    Column("own_car", parse_bool, "`yes` when the person drives their own car to work on days they start "
           "from home (it may take colleagues; paid at rules.mileage_rate)", default=False, default_doc="no"),
))

VEHICLES = TableSpec("vehicles", "The fleet.", (
    Column("id", parse_id, "unique id", required=True),
    Column("name", parse_text, "what the crew calls it", default_doc="the id"),
    Column("kind", enum_parser(VehicleKind), "car, van, bus, nightliner or truck", required=True),
    Column("seats", parse_int, "seats including the driver's", "people", required=True),
    Column("volume_m3", parse_float, "cargo volume", "m3", default=0.0),
    Column("payload_kg", parse_float, "cargo payload", "kg", default=0.0),
    Column("cost_per_km", parse_float, "running cost (fuel, wear)", "currency/km", default=0.0),
    Column("cost_per_day", parse_float, "hire or fixed cost per day used", "currency/day", default=0.0),
    Column("depot", parse_text, "where it starts: `home`, a venue or hotel id, or a city "
           "(with depot_country)", default="home"),
    Column("depot_country", parse_text, "country of a depot given as a city", default_doc="home's country"),
    Column("speed_kmh", parse_float, "average road speed, overriding the tour's speed for the kind", "km/h"),
    Column("licence", parse_licence, "licence class a driver needs",
           default_doc="B for car and van, C for truck, D for bus and nightliner"),
))

EQUIPMENT = TableSpec("equipment", "Gear that travels with the tour.", (
    Column("id", parse_id, "unique id", required=True),
    Column("item", parse_text, "description", required=True),
    Column("quantity", parse_int, "number of units", "units", default=1),
    Column("volume_m3", parse_float, "volume of one unit", "m3", default=0.0),
    Column("weight_kg", parse_float, "weight of one unit", "kg", default=0.0),
    Column("owner", enum_parser(Owner), "`own` or `rental`", default=Owner.OWN),
    Column("value", parse_float, "value of one unit (ATA carnet)", "currency", default=0.0),
    Column("needed_at", parse_needed_at, "`all`, or show ids that need it", default=(), default_doc="all"),
    Column("supplier", parse_text, "rental only: city of the rental company", default=""),
    Column("supplier_country", parse_text, "country of the supplier", default_doc="home's country"),
), required=False)

HOTELS = TableSpec("hotels", "Hotels the tour may book; optional.", (
    Column("id", parse_id, "unique id", required=True),
    Column("name", parse_text, "hotel name", required=True),
    *_place_columns("the hotel"),
    Column("address", parse_text, "street address", default=""),
    Column("singles", parse_int, "single rooms available per night", "rooms", default=0),
    Column("doubles", parse_int, "double (twin) rooms available per night", "rooms", default=0),
    Column("single_price", parse_float, "price of a single room per night", "currency", default=0.0),
    Column("double_price", parse_float, "price of a double room per night", "currency", default=0.0),
    Column("contact", parse_text, "phone or e-mail", default=""),
), required=False)

TRAVEL = TableSpec("travel", "Legs the tour manager knows better than the model; optional. "
                   "A leg applies both ways unless the reverse leg is given too.", (
    Column("from", parse_place_id, "place id: `home`, a venue or hotel id, `home:CREW_ID` (a crew "
           "member's home), `depot:VEHICLE_ID` or `supplier:ITEM_ID`", required=True),
    Column("to", parse_place_id, "place id, as `from`", required=True),
    Column("minutes", parse_int, "door-to-door time", "minutes", required=True),
    Column("km", parse_float, "distance", "km", required=True),
    Column("mode", parse_text, "vehicle kind it applies to, or `all`", default="all"),
), required=False)

TABLES: tuple[TableSpec, ...] = (VENUES, SHOWS, CREW, VEHICLES, EQUIPMENT, HOTELS, TRAVEL)


# --- tour.toml ---

@dataclass(frozen=True)
class Setting:
    key: str  # dotted path in tour.toml
    parse: Parser
    doc: str
    unit: str = ""
    required: bool = False
    default_doc: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting("name", parse_text, "name of the tour", required=True),
    Setting("season_start", parse_date, "first day of the season", "date", required=True),
    Setting("season_end", parse_date, "last day of the season", "date", required=True),
    Setting("currency", parse_text, "currency of fees and costs (ISO 4217)", default_doc="EUR"),
    Setting("home.name", parse_text, "what the home base is called", default_doc="the city"),
    Setting("home.city", parse_text, "city of the home base (or give lat and lon)"),
    Setting("home.country", parse_text, "country of the home base"),
    Setting("home.lat", parse_float, "latitude of the home base", "decimal degrees"),
    Setting("home.lon", parse_float, "longitude of the home base", "decimal degrees"),
    Setting("rules.max_consecutive_show_days", parse_int, "most show days in a row", "days"),
    Setting("rules.days_off_per_week", parse_int, "days without a show in any 7 days", "days"),
    Setting("rules.max_drive_minutes_per_day", parse_int, "most driving in one day", "minutes"),
    Setting("rules.driver_hours", enum_parser(DriverHours), "driver-hour regime: `eu`, `us` or `none`"),
    Setting("rules.go_home_radius_minutes", parse_int,
            "crew sleep at home when home is this close to the night's venue", "minutes"),
    Setting("rules.nightliner_overnight_km", parse_int,
            "a nightliner may drive this far overnight after a show", "km"),
    Setting("rules.max_working_minutes_per_day", parse_int, "most working time per person per day",
            "minutes"),
    Setting("rules.default_roles", parse_text_list, "roles every show needs unless shows.csv says otherwise"),
    Setting("rules.hotel_budget_per_night", parse_float, "most a hotel night may cost per person", "currency"),
    Setting("rules.mileage_rate", parse_float, "km allowance paid for a crew member's own car (an estimate of "
            "its running cost)", "currency/km"),
    Setting("weights.km", parse_float, "cost of one km travelled", "currency/km"),
    Setting("weights.drive_hour", parse_float, "cost of one hour of driving", "currency/h"),
    Setting("weights.cost", parse_float, "weight of vehicle and hotel costs", "factor"),
    Setting("weights.optional_fee", parse_float, "weight of an optional show's fee", "factor"),
    Setting("weights.preferred_date_miss", parse_float, "penalty for a show off its preferred dates",
            "currency"),
    Setting("weights.extra_hotel", parse_float, "penalty per night for each hotel beyond the first", "currency"),
    Setting("weights.hotel_change", parse_float, "penalty per person changing hotel between two nights in one "
            "city", "currency"),
    Setting("weights.replan_moved_show", parse_float, "replanning: penalty per booked show moved to another date "
            "(with --allow-moving)", "currency"),
    Setting("weights.replan_changed_hotel", parse_float, "replanning: penalty per booked person-night moved to "
            "another hotel (with --allow-moving)", "currency"),
    Setting("weights.replan_changed_vehicle", parse_float, "replanning: gear units loaded in another vehicle than "
            "booked on a leg (loading ranks them right after gear left behind whatever the value, 0 lets it re-pack "
            "freely), and per person or load on a day's runs in another vehicle than before (routing cost)",
            "currency"),
    Setting("travel.detour_factor", parse_float, "road distance over straight-line distance", "factor"),
    *(Setting(f"travel.speeds_kmh.{kind.value}", parse_float, f"average road speed of a {kind.value}",
              "km/h", default_doc=f"{speed:g}")
      for kind, speed in DEFAULT_SPEEDS_KMH.items()),
)


def _model_default(key: str) -> str:
    """The default a setting takes from the model, so the docs cannot drift from it."""
    section, _, name = key.partition(".")
    owner = {"rules": Rules(), "weights": Weights(), "travel": TravelSettings()}.get(section)
    if owner is None or not hasattr(owner, name):
        return ""
    value = getattr(owner, name)
    if value is None:
        return "none"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return "; ".join(value) or "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def reference_markdown() -> str:
    """The format reference as Markdown tables, for data/README.md."""
    lines = ["### tour.toml", "", "| key | unit | default | meaning |", "|---|---|---|---|"]
    for setting in SETTINGS:
        default = "required" if setting.required else (
            setting.default_doc or _model_default(setting.key) or "none")
        lines.append(f"| `{setting.key}` | {setting.unit} | {default} | {setting.doc} |")
    for table in TABLES:
        optional = "" if table.required else " (optional)"
        lines += ["", f"### {table.file}{optional}", "", table.doc, "",
                  "| column | unit | default | meaning |", "|---|---|---|---|"]
        for column in table.columns:
            if column.required:
                default = "required"
            elif column.default_doc:
                default = column.default_doc
            elif column.default in (None, "", (), frozenset()):
                default = "empty"
            else:
                value = column.default.value if hasattr(column.default, "value") else column.default
                default = f"{value:g}" if isinstance(value, float) else str(value).lower()
            lines.append(f"| `{column.name}` | {column.unit} | {default} | {column.doc} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(reference_markdown(), end="")
