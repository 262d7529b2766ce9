"""The domain model: what a tour manager brings (``Tour``) and its parts.

Every type is a frozen dataclass that checks itself at construction and raises
:class:`~touring.errors.FieldError` naming the offending field. Nothing here reads files:
``touring.io`` does, and adds the file and row to the field named here.

Coordinates are (lat, lon) in decimal degrees, WGS84. Dates are calendar dates in the
local time of the place they belong to; times of day are local wall-clock times.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from types import MappingProxyType
from typing import Iterator, Mapping

from touring.errors import FieldError


class VehicleKind(str, enum.Enum):
    CAR = "car"
    VAN = "van"
    BUS = "bus"
    NIGHTLINER = "nightliner"
    TRUCK = "truck"


class DriverHours(str, enum.Enum):
    """Which driver-hour regulation the transport runs obey."""

    EU = "eu"  # Regulation (EC) No 561/2006
    US = "us"  # FMCSA hours of service, property-carrying
    NONE = "none"


class Owner(str, enum.Enum):
    OWN = "own"
    RENTAL = "rental"


class RoomPreference(str, enum.Enum):
    SINGLE = "single"
    SHARED = "shared"


def _require(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise FieldError(field_name, message)


def _non_negative(value: float | int | None, field_name: str) -> None:
    if value is not None:
        _require(value >= 0, field_name, f"must not be negative, got {value:g}")


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of calendar days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        _require(self.end >= self.start, "end", f"{self.end} is before {self.start}")

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)

    def overlaps(self, other: DateRange) -> bool:
        return self.start <= other.end and other.start <= self.end

    def within(self, other: DateRange) -> bool:
        return other.start <= self.start and self.end <= other.end

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}..{self.end}"


def check_coordinates(lat: float, lon: float) -> None:
    """Raise FieldError on the first of lat, lon that is not a WGS84 coordinate."""
    _require(math.isfinite(lat) and -90 <= lat <= 90, "lat", f"{lat} is out of range (-90..90)")
    _require(math.isfinite(lon) and -180 <= lon <= 180, "lon", f"{lon} is out of range (-180..180)")


@dataclass(frozen=True)
class Place:
    """A point on the map with the IANA time zone its clocks follow."""

    id: str
    name: str
    lat: float
    lon: float
    timezone: str
    country: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.id), "id", "must not be empty")
        check_coordinates(self.lat, self.lon)
        _require(bool(self.timezone), "timezone", "must not be empty")

    @property
    def coordinates(self) -> tuple[float, float]:
        return (self.lat, self.lon)


@dataclass(frozen=True)
class Rules:
    """The tour's rules; defaults are the ones documented in data/README.md."""

    max_consecutive_show_days: int = 6
    days_off_per_week: int = 1
    max_drive_minutes_per_day: int = 540
    driver_hours: DriverHours = DriverHours.EU
    go_home_radius_minutes: int = 60
    nightliner_overnight_km: int = 600
    max_working_minutes_per_day: int = 600
    default_roles: tuple[str, ...] = ()
    hotel_budget_per_night: float | None = None  # per person, in the tour's currency; None: no cap
    mileage_rate: float = 0.43  # km allowance for crew driving their own car, currency per km

    def __post_init__(self) -> None:
        _require(1 <= self.max_consecutive_show_days <= 31, "max_consecutive_show_days",
                 f"must be between 1 and 31, got {self.max_consecutive_show_days}")
        _require(0 <= self.days_off_per_week <= 6, "days_off_per_week",
                 f"must be between 0 and 6, got {self.days_off_per_week}")
        _require(0 < self.max_drive_minutes_per_day <= 24 * 60, "max_drive_minutes_per_day",
                 f"must be between 1 and 1440, got {self.max_drive_minutes_per_day}")
        for name in ("go_home_radius_minutes", "nightliner_overnight_km"):
            _non_negative(getattr(self, name), name)
        _require(0 < self.max_working_minutes_per_day <= 24 * 60, "max_working_minutes_per_day",
                 f"must be between 1 and 1440, got {self.max_working_minutes_per_day}")
        _non_negative(self.hotel_budget_per_night, "hotel_budget_per_night")
        _non_negative(self.mileage_rate, "mileage_rate")


@dataclass(frozen=True)
class Weights:
    """Objective weights, in the tour's currency per unit."""

    km: float = 0.3
    drive_hour: float = 25.0
    cost: float = 1.0
    optional_fee: float = 1.0
    preferred_date_miss: float = 200.0
    extra_hotel: float = 100.0  # per night, for each hotel beyond the first
    hotel_change: float = 50.0  # per person moving hotel between two nights in one city
    # Replanning's stability term: dominant weights (above any travel or room saving on
    # the example tours), so a change is made only when nothing else works.
    replan_moved_show: float = 5000.0  # per booked show on another date
    replan_changed_hotel: float = 1000.0  # per booked person-night in another hotel
    replan_changed_vehicle: float = 1000.0  # gear unit or ride in another vehicle than booked (0: no penalty)

    def __post_init__(self) -> None:
        for name in ("km", "drive_hour", "cost", "optional_fee", "preferred_date_miss", "extra_hotel",
                     "hotel_change", "replan_moved_show", "replan_changed_hotel", "replan_changed_vehicle"):
            _non_negative(getattr(self, name), name)


DEFAULT_SPEEDS_KMH: Mapping[VehicleKind, float] = MappingProxyType({
    VehicleKind.CAR: 80.0,
    VehicleKind.VAN: 75.0,
    VehicleKind.BUS: 70.0,
    VehicleKind.NIGHTLINER: 70.0,
    VehicleKind.TRUCK: 65.0,
})


@dataclass(frozen=True)
class TravelSettings:
    """How the default travel model turns distance into road time.

    ``detour_factor`` stretches the geodesic distance to a road distance; ``speeds_kmh``
    is an average door-to-door road speed per vehicle kind (motorway and town together).
    """

    detour_factor: float = 1.2
    speeds_kmh: Mapping[VehicleKind, float] = field(default_factory=lambda: DEFAULT_SPEEDS_KMH)

    def __post_init__(self) -> None:
        _require(1.0 <= self.detour_factor <= 3.0, "detour_factor",
                 f"must be between 1.0 and 3.0, got {self.detour_factor}")
        for kind in VehicleKind:
            _require(kind in self.speeds_kmh, f"speeds_kmh.{kind.value}", "is missing")
            speed = self.speeds_kmh[kind]
            _require(5 <= speed <= 150, f"speeds_kmh.{kind.value}",
                     f"must be between 5 and 150 km/h, got {speed:g}")
        object.__setattr__(self, "speeds_kmh", MappingProxyType(dict(self.speeds_kmh)))

    def __hash__(self) -> int:
        return hash((self.detour_factor, tuple(sorted((k.value, v) for k, v in self.speeds_kmh.items()))))


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    place: Place
    availability: tuple[DateRange, ...]
    capacity: int | None = None
    fee: float = 0.0
    closed_weekdays: frozenset[int] = frozenset()  # 0 = Monday, as date.weekday()
    closed_on_holidays: bool = False
    load_in: time | None = None
    show_time: time | None = None
    curfew: time | None = None
    soundcheck: time | None = None
    doors: time | None = None
    load_out: time | None = None  # after the curfew; an earlier clock time is the next day
    setup_days: int = 0
    radius_km: float | None = None
    radius_days: int | None = None
    contact: str = ""
    address: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.id), "id", "must not be empty")
        _require(bool(self.availability), "availability", "must list at least one date or range")
        _non_negative(self.capacity, "capacity")
        _non_negative(self.fee, "fee")
        _non_negative(self.setup_days, "setup_days")
        _non_negative(self.radius_km, "radius_km")
        _non_negative(self.radius_days, "radius_days")
        _require((self.radius_km is None) == (self.radius_days is None), "radius_days",
                 "a radius clause needs both radius_km and radius_days")
        _require(all(0 <= d <= 6 for d in self.closed_weekdays), "closed_weekdays",
                 "weekdays are 0 (Monday) to 6 (Sunday)")

    def is_available(self, day: date) -> bool:
        """Whether the venue's windows include ``day`` and it is not a closed weekday."""
        return day.weekday() not in self.closed_weekdays and any(day in r for r in self.availability)


@dataclass(frozen=True)
class Show:
    id: str
    venue_id: str
    nights: int = 1
    required: bool = True
    fee: float | None = None  # None: the venue's fee
    preferred_dates: tuple[DateRange, ...] = ()
    fixed_date: date | None = None  # a confirmed first night
    roles: tuple[str, ...] = ()  # empty: the tour's default roles

    def __post_init__(self) -> None:
        _require(bool(self.id), "id", "must not be empty")
        _require(self.nights >= 1, "nights", f"must be at least 1, got {self.nights}")
        _non_negative(self.fee, "fee")


LICENCE_COVERS: Mapping[str, frozenset[str]] = MappingProxyType({
    "B": frozenset({"B"}),
    "BE": frozenset({"BE", "B"}),
    "C1": frozenset({"C1", "B"}),
    "C1E": frozenset({"C1E", "C1", "BE", "B"}),
    "C": frozenset({"C", "C1", "B"}),
    "CE": frozenset({"CE", "C", "C1E", "C1", "BE", "B"}),
    "D1": frozenset({"D1", "B"}),
    "D1E": frozenset({"D1E", "D1", "BE", "B"}),
    "D": frozenset({"D", "D1", "B"}),
    "DE": frozenset({"DE", "D", "D1E", "D1", "BE", "B"}),
})
"""EU licence categories (directive 2006/126/EC) and the ones each covers: C covers C1,
CE covers C, C1E, C1 and BE; D likewise over D1; every category covers B (it requires
it). An unknown class covers only itself."""


def licence_covers(held: frozenset[str] | set[str], needed: str) -> bool:
    """Whether a set of held licence classes allows driving a vehicle of class ``needed``."""
    needed = needed.upper()
    return any(needed in LICENCE_COVERS.get(h.upper(), frozenset({h.upper()})) for h in held)


@dataclass(frozen=True)
class CrewMember:
    id: str
    name: str
    roles: tuple[str, ...]
    home: Place
    nationality: str = ""
    availability: tuple[DateRange, ...] = ()  # empty: the whole season
    licences: frozenset[str] = frozenset()
    room: RoomPreference = RoomPreference.SINGLE
    share_with: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    own_car: bool = False  # drives their own car to work when starting from home

    def __post_init__(self) -> None:
        _require(bool(self.id), "id", "must not be empty")
        _require(bool(self.roles), "role", "must name at least one role")
        _require(not self.own_car or licence_covers(self.licences, "B"), "own_car",
                 "a crew member who drives their own car needs a licence that covers B")
        _require(self.id not in self.share_with, "share_with", "cannot share a room with oneself")
        _require(not self.share_with or self.room is RoomPreference.SHARED, "share_with",
                 "only a crew member whose room is 'shared' can name room-mates")

    @property
    def can_drive(self) -> bool:
        return bool(self.licences)

    def is_available(self, day: date) -> bool:
        return not self.availability or any(day in r for r in self.availability)


DEFAULT_LICENCE: Mapping[VehicleKind, str] = MappingProxyType({
    VehicleKind.CAR: "B",
    VehicleKind.VAN: "B",
    VehicleKind.BUS: "D",
    VehicleKind.NIGHTLINER: "D",
    VehicleKind.TRUCK: "C",
})


@dataclass(frozen=True)
class Vehicle:
    id: str
    name: str
    kind: VehicleKind
    seats: int
    depot: Place
    volume_m3: float = 0.0
    payload_kg: float = 0.0
    cost_per_km: float = 0.0
    cost_per_day: float = 0.0
    speed_kmh: float | None = None  # None: the tour's speed for this kind
    licence: str = ""  # "": the usual licence for the kind

    def __post_init__(self) -> None:
        _require(bool(self.id), "id", "must not be empty")
        _require(self.seats >= 1, "seats", f"must be at least 1 (the driver), got {self.seats}")
        for name in ("volume_m3", "payload_kg", "cost_per_km", "cost_per_day"):
            _non_negative(getattr(self, name), name)
        if self.speed_kmh is not None:
            _require(5 <= self.speed_kmh <= 150, "speed_kmh",
                     f"must be between 5 and 150 km/h, got {self.speed_kmh:g}")
        if not self.licence:
            object.__setattr__(self, "licence", DEFAULT_LICENCE[self.kind])


@dataclass(frozen=True)
class Equipment:
    id: str
    item: str
    quantity: int = 1
    volume_m3: float = 0.0  # per unit
    weight_kg: float = 0.0  # per unit
    owner: Owner = Owner.OWN
    value: float = 0.0  # per unit, for the carnet
    needed_at: tuple[str, ...] = ()  # show ids; empty: every show
    supplier: Place | None = None  # where rental gear is picked up and returned

    def __post_init__(self) -> None:
        _require(bool(self.id), "id", "must not be empty")
        _require(self.quantity >= 1, "quantity", f"must be at least 1, got {self.quantity}")
        for name in ("volume_m3", "weight_kg", "value"):
            _non_negative(getattr(self, name), name)
        _require(self.owner is Owner.OWN or self.supplier is not None, "supplier",
                 "rental equipment needs a supplier to pick it up from")

    @property
    def total_volume_m3(self) -> float:
        return self.quantity * self.volume_m3

    @property
    def total_weight_kg(self) -> float:
        return self.quantity * self.weight_kg


@dataclass(frozen=True)
class Hotel:
    id: str
    name: str
    place: Place
    singles: int = 0
    doubles: int = 0
    single_price: float = 0.0
    double_price: float = 0.0
    contact: str = ""
    address: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.id), "id", "must not be empty")
        for name in ("singles", "doubles", "single_price", "double_price"):
            _non_negative(getattr(self, name), name)


@dataclass(frozen=True)
class TravelOverride:
    """A leg whose time and distance the tour manager knows better than the model."""

    from_id: str
    to_id: str
    minutes: int
    km: float
    kind: VehicleKind | None = None  # None: every vehicle kind

    def __post_init__(self) -> None:
        _require(self.from_id != self.to_id, "to", "a leg needs two different places")
        _require(self.minutes >= 0, "minutes", f"must not be negative, got {self.minutes}")
        _non_negative(self.km, "km")


HOME_ID = "home"
OWN_CAR_PREFIX = "car:"
"""A run whose vehicle id is ``car:CREW_ID`` is that crew member's own car, not the fleet's."""


@dataclass(frozen=True)
class Tour:
    """Everything a tour manager brings: the whole input of every solver."""

    name: str
    season: DateRange
    home: Place
    venues: tuple[Venue, ...]
    shows: tuple[Show, ...]
    crew: tuple[CrewMember, ...] = ()
    vehicles: tuple[Vehicle, ...] = ()
    equipment: tuple[Equipment, ...] = ()
    hotels: tuple[Hotel, ...] = ()
    travel_overrides: tuple[TravelOverride, ...] = ()
    rules: Rules = Rules()
    weights: Weights = Weights()
    travel: TravelSettings = TravelSettings()
    currency: str = "EUR"

    def __post_init__(self) -> None:
        _require(bool(self.name), "name", "must not be empty")
        _require(self.home.id == HOME_ID, "home", f"the home base's place id must be '{HOME_ID}'")
        venue_ids = {v.id for v in self.venues}
        for show in self.shows:
            _require(show.venue_id in venue_ids, "shows", f"show '{show.id}' names unknown venue '{show.venue_id}'")

    @cached_property
    def venue_by_id(self) -> Mapping[str, Venue]:
        return MappingProxyType({v.id: v for v in self.venues})

    @cached_property
    def show_by_id(self) -> Mapping[str, Show]:
        return MappingProxyType({s.id: s for s in self.shows})

    @cached_property
    def crew_by_id(self) -> Mapping[str, CrewMember]:
        return MappingProxyType({c.id: c for c in self.crew})

    @cached_property
    def vehicle_by_id(self) -> Mapping[str, Vehicle]:
        return MappingProxyType({v.id: v for v in self.vehicles})

    @cached_property
    def places(self) -> Mapping[str, Place]:
        """Every place of the tour by id: home, venues, hotels, crew homes, depots, suppliers.

        Ids are unique across these (the loader checks it), so one travel matrix can
        hold them all.
        """
        found: dict[str, Place] = {self.home.id: self.home}
        located = [v.place for v in self.venues] + [h.place for h in self.hotels]
        located += [c.home for c in self.crew] + [v.depot for v in self.vehicles]
        located += [e.supplier for e in self.equipment if e.supplier is not None]
        for place in located:
            found.setdefault(place.id, place)
        return MappingProxyType(found)

    def show_fee(self, show: Show) -> float:
        return self.venue_by_id[show.venue_id].fee if show.fee is None else show.fee

    def show_roles(self, show: Show) -> tuple[str, ...]:
        return show.roles or self.rules.default_roles


# --- the output -----------------------------------------------------------------------

class DayKind(str, enum.Enum):
    HOME = "home"  # before the tour leaves or after it is back
    TRAVEL = "travel"  # on the road, no show
    SETUP = "setup"  # building the set at the next venue
    SHOW = "show"
    OFF = "off"  # away from home, no show, no set-up, no driving


@dataclass(frozen=True)
class TravelPart:
    """The part of one leg driven on one day (a long leg spans several days)."""

    from_id: str
    to_id: str
    km: float
    drive_minutes: int
    minutes: int  # driving plus crossings and check-in
    crossings: tuple[str, ...] = ()
    overnight: bool = False  # driven in the night after a show (nightliner)


@dataclass(frozen=True)
class PlanDay:
    day: date
    kind: DayKind
    place_id: str  # where the tour is at the end of the day
    show_id: str | None = None
    travel: tuple[TravelPart, ...] = ()

    @property
    def km(self) -> float:
        return sum(part.km for part in self.travel)

    @property
    def drive_minutes(self) -> int:
        return sum(part.drive_minutes for part in self.travel)


@dataclass(frozen=True)
class ShowBooking:
    show_id: str
    venue_id: str
    first_night: date
    nights: int
    setup_start: date
    fee: float
    fixed: bool = False


@dataclass(frozen=True)
class DroppedShow:
    show_id: str
    reason: str


class StayKind(str, enum.Enum):
    HOME = "home"
    HOTEL = "hotel"
    NIGHTLINER = "nightliner"  # asleep on board while the bus drives on
    UNBOOKED = "unbooked"


class RoomKind(str, enum.Enum):
    SINGLE = "single"
    DOUBLE = "double"  # shared with ``room_mate``, or used alone at the double price


@dataclass(frozen=True)
class Stay:
    """Where one crew member sleeps one night; ``price`` is their share of the room."""

    crew_id: str
    kind: StayKind
    hotel_id: str | None = None
    room: RoomKind | None = None
    room_mate: str | None = None
    price: float = 0.0


@dataclass(frozen=True)
class Night:
    day: date  # the night from this day to the next
    place_id: str  # where the tour is that night
    next_place_id: str  # where the next morning starts
    stays: tuple[Stay, ...]  # one per crew member on the road, in crew order

    def stay(self, crew_id: str) -> Stay | None:
        return next((s for s in self.stays if s.crew_id == crew_id), None)


@dataclass(frozen=True)
class ToBook:
    """Rooms the tour manager still has to find for one night near one place."""

    day: date
    place_id: str
    place_name: str
    singles: int
    doubles: int
    crew_ids: tuple[str, ...]
    reason: str

    @property
    def text(self) -> str:
        rooms = [f"{n} {kind}{'s' if n > 1 else ''}" for n, kind in ((self.singles, "single"),
                                                                    (self.doubles, "double")) if n]
        return f"book {' and '.join(rooms)} near {self.place_name} for {self.day.isoformat()}"


@dataclass(frozen=True)
class CrewShift:
    """One working day of a show: who fills each role place (``None``: nobody).

    ``start`` and ``end`` are local wall-clock times at the venue; ``roles`` keeps the
    show's order, a role listed twice appearing twice.
    """

    show_id: str
    day: date
    kind: DayKind  # show or set-up
    start: datetime
    end: datetime
    roles: tuple[tuple[str, str | None], ...]
    drivers: tuple[tuple[str, str | None], ...] = ()  # (fleet vehicle id, its driver on duty) on gear days

    def crew_for(self, role: str) -> tuple[str | None, ...]:
        return tuple(crew_id for r, crew_id in self.roles if r == role)

    @property
    def crew_ids(self) -> tuple[str, ...]:
        """Everyone on duty: the role places' crew, then drivers holding no role place."""
        return tuple(dict.fromkeys(crew_id for _, crew_id in self.roles + self.drivers if crew_id is not None))


@dataclass(frozen=True)
class UnfilledRole:
    """A role place nobody can take, and why, in words."""

    show_id: str
    day: date
    kind: DayKind
    role: str
    reason: str

    @property
    def text(self) -> str:
        when = f"{self.day.isoformat()}{' (set-up)' if self.kind is DayKind.SETUP else ''}"
        return f"no {self.role} for `{self.show_id}` on {when}: {self.reason}"


@dataclass(frozen=True)
class LoadLine:
    """Units of one item in one vehicle; ``volume_m3`` and ``weight_kg`` are their total."""

    equipment_id: str
    item: str
    units: int
    volume_m3: float
    weight_kg: float


@dataclass(frozen=True)
class VehicleLoad:
    """The manifest of one vehicle on one leg (only vehicles that carry something)."""

    leg: int
    day: date  # the leg's first day
    from_id: str
    to_id: str
    vehicle_id: str
    lines: tuple[LoadLine, ...]
    volume_m3: float
    weight_kg: float
    volume_limit_m3: float
    payload_limit_kg: float


@dataclass(frozen=True)
class LeftBehind:
    """Units of an item that fit in no vehicle on a leg, and why, in words."""

    leg: int
    day: date
    from_id: str
    to_id: str
    equipment_id: str
    units: int
    reason: str

    @property
    def text(self) -> str:
        return (f"{self.units} × `{self.equipment_id}` fit no vehicle from {self.from_id} to {self.to_id} "
                f"on {self.day.isoformat()}: {self.reason}")


@dataclass(frozen=True)
class EquipmentMove:
    """A rental pick-up or return: on which leg, from or to which supplier, for which show."""

    kind: str  # pickup or return
    leg: int
    day: date
    equipment_id: str
    item: str
    units: int
    supplier_id: str
    show_id: str  # the first show that needs it (pickup), the last one (return)

    @property
    def text(self) -> str:
        if self.kind == "pickup":
            return (f"pick up {self.units} × {self.item} at {self.supplier_id} on {self.day.isoformat()}, "
                    f"before `{self.show_id}`")
        return (f"return {self.units} × {self.item} to {self.supplier_id} on {self.day.isoformat()}, "
                f"after `{self.show_id}`")


@dataclass(frozen=True)
class RunStop:
    """One stop of a run: local times, who boards and alights, gear loaded and unloaded,
    and the load on board when leaving (seats, volume m3, weight kg)."""

    place_id: str
    arrival: datetime
    departure: datetime
    board: tuple[str, ...] = ()
    alight: tuple[str, ...] = ()
    load_gear: tuple[str, ...] = ()
    unload_gear: tuple[str, ...] = ()
    seats: int = 0
    volume_m3: float = 0.0
    weight_kg: float = 0.0


@dataclass(frozen=True)
class TransportRun:
    """One vehicle's day: its driver, stops from where it parked to where it parks."""

    day: date
    vehicle_id: str
    driver_id: str
    stops: tuple[RunStop, ...]
    km: float
    drive_minutes: int
    breaks: tuple[tuple[datetime, int], ...]  # (start, minutes)
    cost: float  # km cost plus the day's fixed cost, in the tour's currency
    co_driver_id: str | None = None  # a second driver taking turns at the wheel (multi-manning)
    co_driver_minutes: int = 0  # the co-driver's share of ``drive_minutes``

    @property
    def driving_by_driver(self) -> dict[str, int]:
        """Minutes at the wheel per driver of the run."""
        if self.co_driver_id is None:
            return {self.driver_id: self.drive_minutes}
        return {self.driver_id: self.drive_minutes - self.co_driver_minutes, self.co_driver_id: self.co_driver_minutes}

    @property
    def own_car(self) -> bool:
        """Whether the run is a crew member's own car (paid as mileage), not a fleet vehicle."""
        return self.vehicle_id.startswith(OWN_CAR_PREFIX)


@dataclass(frozen=True)
class UnservedRequest:
    """A person's or an item's move that no run makes, and why, in words."""

    day: date
    request_id: str
    subject: str  # crew id or equipment id
    from_id: str
    to_id: str
    reason: str

    @property
    def text(self) -> str:
        return (f"{self.subject} not carried from {self.from_id} to {self.to_id} on {self.day.isoformat()}: "
                f"{self.reason}")


@dataclass(frozen=True)
class OwnTravel:
    """A crew member's journey between home and the tour that no vehicle of the tour makes:
    the tour manager books a flight or a train for it."""

    day: date
    crew_id: str
    from_id: str
    to_id: str
    from_name: str
    to_name: str
    road_minutes: int  # the drive it would be, at the fleet's pace, crossings included
    reason: str  # why it is not driven: farther than a day's drive, or across the sea

    @property
    def text(self) -> str:
        return (f"{self.crew_id}: book a flight or train from {self.from_name} to {self.to_name} for "
                f"{self.day.isoformat()} ({self.reason})")


@dataclass(frozen=True)
class SolverReport:
    """How a solver ran: every result carries its status, objective, bound and time."""

    solver: str
    status: str  # optimal, feasible, infeasible or unknown
    objective: float | None
    best_bound: float | None
    gap: float | None
    wall_time_s: float
    time_limit_s: float
    seed: int
    workers: int


@dataclass(frozen=True)
class Plan:
    """The whole output: the tour dates day by day (more parts join as they are built)."""

    tour_name: str
    season: DateRange
    currency: str
    lead_kind: VehicleKind
    bookings: tuple[ShowBooking, ...]
    dropped: tuple[DroppedShow, ...]
    days: tuple[PlanDay, ...]
    schedule_report: SolverReport
    conflicts: tuple[str, ...] = ()  # why there is no plan, when there is none
    accommodation: tuple[Night, ...] = ()  # every night away, with everyone's bed
    to_book: tuple[ToBook, ...] = ()  # rooms no hotel in the data could give
    accommodation_report: SolverReport | None = None  # None: accommodation not planned
    crew_shifts: tuple[CrewShift, ...] = ()  # every show night and set-up day with its crew
    unfilled_roles: tuple[UnfilledRole, ...] = ()  # role places nobody can take, and why
    crew_report: SolverReport | None = None  # None: the rota not planned
    loads: tuple[VehicleLoad, ...] = ()  # a manifest per vehicle per leg
    left_behind: tuple[LeftBehind, ...] = ()  # equipment that fits in no vehicle on a leg
    equipment_moves: tuple[EquipmentMove, ...] = ()  # rental pick-ups and returns
    loading_report: SolverReport | None = None  # None: loading not planned
    runs: tuple[TransportRun, ...] = ()  # each vehicle's run, day by day
    unserved_transport: tuple[UnservedRequest, ...] = ()  # moves no run makes, and why
    transport_report: SolverReport | None = None  # None: transport not planned
    own_travel: tuple[OwnTravel, ...] = ()  # journeys home <-> tour the crew make on their own

    @property
    def found(self) -> bool:
        return self.schedule_report.status in ("optimal", "feasible")

    @property
    def km(self) -> float:
        return sum(day.km for day in self.days)

    @property
    def drive_minutes(self) -> int:
        return sum(day.drive_minutes for day in self.days)

    @property
    def fees(self) -> float:
        return sum(b.fee for b in self.bookings)

    @property
    def room_cost(self) -> float:
        return round(sum(s.price for night in self.accommodation for s in night.stays), 2)
