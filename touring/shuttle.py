"""Festival shuttles: the domain of ``touring shuttle``.

A festival moves artists between airports, stations, hotels and the site on one day.
The input is a :class:`Festival` (places, a fleet, transfers); the output is a
:class:`ShuttlePlan` (per vehicle its runs, each transfer served or unserved with a
reason). These are frozen value types that validate themselves and never read files
(reading lives in :mod:`touring.io.shuttle`, solving in :mod:`solvers.shuttle`).

Times are naive local datetimes on the festival's clock (``Festival.timezone``);
coordinates are (lat, lon) in WGS84 decimal degrees.

:func:`check_plan` re-checks a plan against the festival with nothing but the plan's
own times and the festival's windows, seats and luggage: it shares no code with the
solver, so the tests and the benchmark can trust a plan it accepts.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable

from touring.errors import FieldError

__all__ = [
    "Festival", "PlaceKind", "ShuttleKind", "ShuttlePlace", "ShuttleSettings", "Transfer",
    "VehicleType", "Fleet", "ShuttleStop", "Run", "VehicleRuns", "Piece", "Served", "Unserved",
    "ShuttlePlan", "check_plan",
]


def _require(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise FieldError(field_name, message)


def _text(value: object, field_name: str) -> None:
    _require(isinstance(value, str) and value.strip() != "", field_name, "must be non-empty text")


class PlaceKind(str, enum.Enum):
    AIRPORT = "airport"
    STATION = "station"
    HOTEL = "hotel"
    SITE = "site"


class ShuttleKind(str, enum.Enum):
    """Shuttle vehicle kinds; each drives at the tour speed of its ``VehicleKind``."""

    CAR = "car"
    VAN = "van"
    BUS = "bus"  # minibus or coach


@dataclass(frozen=True)
class ShuttlePlace:
    """A pickup or drop-off point; ``lat``, ``lon`` in WGS84 decimal degrees."""

    id: str
    name: str
    kind: PlaceKind
    lat: float
    lon: float

    def __post_init__(self) -> None:
        _text(self.id, "id")
        _text(self.name, "name")
        _require(isinstance(self.kind, PlaceKind), "kind", f"must be a PlaceKind, got {self.kind!r}")
        _require(math.isfinite(self.lat) and -90 <= self.lat <= 90, "lat", f"{self.lat} is out of range (-90..90)")
        _require(math.isfinite(self.lon) and -180 <= self.lon <= 180, "lon",
                 f"{self.lon} is out of range (-180..180)")


@dataclass(frozen=True)
class VehicleType:
    """``count`` identical vehicles (one row of fleet.csv).

    ``seats`` are passenger seats, the driver's not counted; ``luggage_m3`` is the hold.
    """

    id: str
    kind: ShuttleKind
    seats: int
    luggage_m3: float
    depot: str
    cost_per_km: float = 0.0
    fixed_cost: float = 0.0
    count: int = 1

    def __post_init__(self) -> None:
        _text(self.id, "id")
        _require(isinstance(self.kind, ShuttleKind), "kind", f"must be a ShuttleKind, got {self.kind!r}")
        _require(isinstance(self.seats, int) and self.seats >= 1, "seats", f"must be at least 1, got {self.seats}")
        _require(self.luggage_m3 >= 0, "luggage_m3", f"must be >= 0, got {self.luggage_m3}")
        _text(self.depot, "depot")
        _require(self.cost_per_km >= 0, "cost_per_km", f"must be >= 0, got {self.cost_per_km}")
        _require(self.fixed_cost >= 0, "fixed_cost", f"must be >= 0, got {self.fixed_cost}")
        _require(isinstance(self.count, int) and self.count >= 1, "count", f"must be at least 1, got {self.count}")

    def vehicle_ids(self) -> tuple[str, ...]:
        """One id per vehicle: the type id, or ``ID-1 .. ID-n`` when ``count > 1``."""
        if self.count == 1:
            return (self.id,)
        return tuple(f"{self.id}-{k}" for k in range(1, self.count + 1))


Fleet = tuple[VehicleType, ...]


@dataclass(frozen=True)
class Transfer:
    """Move ``party`` people (and their luggage) from ``origin`` to ``destination``.

    They are ready from ``earliest_pickup`` and must arrive by ``latest_arrival``
    (local times on the festival date). ``split_ok``: whether the party may ride in
    several vehicles when no free vehicle takes it whole; ``None`` means yes for a
    party of two or more. One person is never split.
    """

    id: str
    who: str
    origin: str
    destination: str
    earliest_pickup: datetime
    latest_arrival: datetime
    party: int = 1
    luggage_m3: float = 0.0
    split_ok: bool | None = None

    def __post_init__(self) -> None:
        _text(self.id, "id")
        _text(self.who, "who")
        _text(self.origin, "from")
        _text(self.destination, "to")
        _require(self.origin != self.destination, "to", f"is the same place as 'from' ({self.origin})")
        _require(self.latest_arrival > self.earliest_pickup, "latest_arrival",
                 f"{self.latest_arrival:%H:%M} is not after earliest_pickup {self.earliest_pickup:%H:%M}")
        _require(isinstance(self.party, int) and self.party >= 1, "party", f"must be at least 1, got {self.party}")
        _require(self.luggage_m3 >= 0, "luggage_m3", f"must be >= 0, got {self.luggage_m3}")
        _require(not (self.split_ok and self.party == 1), "split_ok", "a party of 1 cannot be split")

    @property
    def splittable(self) -> bool:
        """Whether the party may ride in several vehicles."""
        return self.party >= 2 and self.split_ok is not False


@dataclass(frozen=True)
class ShuttleSettings:
    """How long boarding takes, how fast the roads are, what a missed transfer costs.

    Boarding (and alighting) takes ``service_minutes + per_passenger_minutes * party``
    at each end. ``speed_kmh`` ``None`` means the default speed of the fleet's slowest
    kind; road distance is the geodesic distance times ``detour_factor``. A party that
    may split rides in at most ``max_pieces`` vehicles (1: never split), and each piece
    beyond the first costs ``extra_piece_cost``.
    """

    service_minutes: int = 5
    per_passenger_minutes: int = 1
    detour_factor: float = 1.3
    speed_kmh: float | None = None
    unserved_penalty: float = 10_000.0  # currency per transfer left unserved
    max_pieces: int = 3
    extra_piece_cost: float = 100.0  # currency per vehicle beyond the first for one party

    def __post_init__(self) -> None:
        _require(self.service_minutes >= 0, "service.minutes", f"must be >= 0, got {self.service_minutes}")
        _require(self.per_passenger_minutes >= 0, "service.per_passenger_minutes",
                 f"must be >= 0, got {self.per_passenger_minutes}")
        _require(1.0 <= self.detour_factor <= 3.0, "travel.detour_factor",
                 f"must be between 1.0 and 3.0, got {self.detour_factor}")
        _require(self.speed_kmh is None or 5 <= self.speed_kmh <= 150, "travel.speed_kmh",
                 f"must be between 5 and 150, got {self.speed_kmh}")
        _require(self.unserved_penalty > 0, "unserved_penalty", f"must be > 0, got {self.unserved_penalty}")
        _require(isinstance(self.max_pieces, int) and 1 <= self.max_pieces <= 4, "split.max_pieces",
                 f"must be a whole number from 1 to 4, got {self.max_pieces}")
        _require(self.extra_piece_cost >= 0, "split.extra_piece_cost", f"must be >= 0, got {self.extra_piece_cost}")

    def service(self, party: int) -> timedelta:
        """Boarding or alighting time of a party."""
        return timedelta(minutes=self.service_minutes + self.per_passenger_minutes * party)


@dataclass(frozen=True)
class Festival:
    """The whole input of a shuttle day."""

    name: str
    day: date
    site: str
    timezone: str
    places: tuple[ShuttlePlace, ...]
    fleet: Fleet
    transfers: tuple[Transfer, ...]
    settings: ShuttleSettings = field(default_factory=ShuttleSettings)

    def __post_init__(self) -> None:
        object.__setattr__(self, "places", tuple(self.places))
        object.__setattr__(self, "fleet", tuple(self.fleet))
        object.__setattr__(self, "transfers", tuple(self.transfers))
        _text(self.name, "name")
        for what, items in (("places", self.places), ("fleet", self.fleet), ("transfers", self.transfers)):
            ids = [item.id for item in items]
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            _require(not repeated, what, f"ids repeat: {', '.join(repeated)}")
        place_ids = {p.id for p in self.places}
        _require(self.site in place_ids, "site", f"'{self.site}' is not a place")
        for v in self.fleet:
            _require(v.depot in place_ids, f"fleet[{v.id}].depot", f"'{v.depot}' is not a place")
        vehicle_ids = [vid for v in self.fleet for vid in v.vehicle_ids()]
        _require(len(set(vehicle_ids)) == len(vehicle_ids), "fleet", "expanded vehicle ids repeat")
        for t in self.transfers:
            for name, place in (("from", t.origin), ("to", t.destination)):
                _require(place in place_ids, f"transfers[{t.id}].{name}", f"'{place}' is not a place")

    def place(self, place_id: str) -> ShuttlePlace:
        return next(p for p in self.places if p.id == place_id)

    def vehicles(self) -> tuple[tuple[str, VehicleType], ...]:
        """Every vehicle as (vehicle id, its type), ``count`` expanded."""
        return tuple((vid, v) for v in self.fleet for vid in v.vehicle_ids())

    def at(self, seconds: int) -> datetime:
        """Local datetime ``seconds`` after midnight of the festival day."""
        return datetime.combine(self.day, datetime.min.time()) + timedelta(seconds=seconds)


# --------------------------------------------------------------------------- #
# The plan
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ShuttleStop:
    """One stop: ``who`` (transfer ``transfer``, ``party`` people) boards or alights.

    The vehicle arrives at ``arrival``, doors open at ``start`` (after waiting for the
    party) and it leaves at ``departure``. ``piece`` is 0 for a whole party; for a
    party split over several vehicles it numbers the piece (1, 2, ...) and ``party``
    counts that piece's people only.
    """

    place: str
    arrival: datetime
    start: datetime
    departure: datetime
    transfer: str
    action: str  # "board" or "alight"
    who: str
    party: int
    piece: int = 0


@dataclass(frozen=True)
class Run:
    """Stops between the vehicle leaving empty and being empty again."""

    stops: tuple[ShuttleStop, ...]

    @property
    def transfers(self) -> tuple[str, ...]:
        return tuple(s.transfer for s in self.stops if s.action == "board")


@dataclass(frozen=True)
class Piece:
    """Part ``number`` of a split party: ``party`` people and ``luggage_m3`` in ``vehicle``."""

    number: int
    vehicle: str
    party: int
    luggage_m3: float
    pickup: datetime
    arrival: datetime


@dataclass(frozen=True)
class VehicleRuns:
    vehicle: str
    type: str
    depot: str
    leaves: datetime
    returns: datetime
    km: float
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Served:
    """A transfer served on ``vehicle``; a split one lists its ``pieces``.

    For a split transfer ``vehicle`` is the first piece's, ``pickup`` the earliest of
    the pieces' and ``arrival`` the latest, so :meth:`on_time` covers every piece.
    """

    transfer: str
    vehicle: str
    pickup: datetime  # doors open at the origin
    arrival: datetime  # doors open at the destination
    pieces: tuple[Piece, ...] = ()

    def on_time(self, transfer: Transfer) -> bool:
        return transfer.earliest_pickup <= self.pickup and self.arrival <= transfer.latest_arrival

    def describe(self, transfer: Transfer) -> str:
        """Where the party rides: ``"party of 6: 4 in van-3, 2 in car-11"`` when split."""
        if not self.pieces:
            return f"party of {transfer.party} in {self.vehicle}"
        return f"party of {transfer.party}: " + ", ".join(f"{p.party} in {p.vehicle}" for p in self.pieces)


@dataclass(frozen=True)
class Unserved:
    transfer: str
    reason: str


@dataclass(frozen=True)
class ShuttlePlan:
    """The whole output. ``status`` is the solver's: optimal, feasible, infeasible, timed_out."""

    festival: str
    status: str
    vehicles: tuple[VehicleRuns, ...]
    served: tuple[Served, ...]
    unserved: tuple[Unserved, ...]
    km: float
    objective: int | None
    wall_time: float
    hit_time_limit: bool = False


# --------------------------------------------------------------------------- #
# Independent check
# --------------------------------------------------------------------------- #


def check_plan(festival: Festival, plan: ShuttlePlan,
               travel_minutes: Callable[[str, str], int] | None = None) -> list[str]:
    """Every way ``plan`` breaks the festival's rules; empty when it keeps them all.

    Checks: each transfer is served or unserved exactly once; a served transfer boards at
    its origin no earlier than its earliest pickup and alights at its destination, on the
    same vehicle, no later than its latest arrival; the people and luggage on board never
    exceed the vehicle's seats and hold; stop times run forward with at least the boarding
    time at each stop and, when ``travel_minutes(a, b)`` is given, at least that drive
    between consecutive places. A split transfer may split (two or more people, not
    refused in transfers.csv), has at most ``max_pieces`` pieces, each in its own vehicle
    and each keeping all of the above, and its pieces carry the whole party and its
    luggage.
    """
    problems: list[str] = []
    transfers = {t.id: t for t in festival.transfers}
    types = dict(festival.vehicles())
    settings = festival.settings
    pieces = {s.transfer: {p.number: p for p in s.pieces} for s in plan.served if s.pieces}

    seen: dict[str, int] = {}
    for item in (*plan.served, *plan.unserved):
        seen[item.transfer] = seen.get(item.transfer, 0) + 1
    for tid in transfers:
        if seen.get(tid, 0) != 1:
            problems.append(f"transfer {tid} appears {seen.get(tid, 0)} times among served and unserved")
    for tid in seen:
        if tid not in transfers:
            problems.append(f"unknown transfer {tid} in the plan")

    def load(t: Transfer, number: int) -> tuple[int, float]:
        """People and luggage of a whole party (0) or of one of its pieces."""
        if number == 0:
            return t.party, t.luggage_m3
        piece = pieces.get(t.id, {}).get(number)
        return (piece.party, piece.luggage_m3) if piece is not None else (0, 0.0)

    boarded: dict[tuple[str, int], tuple[str, ShuttleStop]] = {}
    alighted: dict[tuple[str, int], tuple[str, ShuttleStop]] = {}
    for vr in plan.vehicles:
        vtype = types.get(vr.vehicle)
        if vtype is None:
            problems.append(f"unknown vehicle {vr.vehicle}")
            continue
        on_board: dict[tuple[str, int], tuple[int, float]] = {}
        previous_place, previous_departure = vtype.depot, vr.leaves
        for run in vr.runs:
            for stop in run.stops:
                t = transfers.get(stop.transfer)
                if t is None:
                    continue
                key = (t.id, stop.piece)
                label = f"{vr.vehicle} {stop.action} {t.id}" + (f" piece {stop.piece}" if stop.piece else "") \
                    + f" at {stop.place}"
                if stop.piece and stop.piece not in pieces.get(t.id, {}):
                    problems.append(f"{label}: no such piece among the transfer's served pieces")
                people, luggage_m3 = load(t, stop.piece)
                if stop.party != people:
                    problems.append(f"{label}: {stop.party} people at the stop, {people} in the party or piece")
                if not (stop.arrival <= stop.start <= stop.departure):
                    problems.append(f"{label}: times out of order")
                if stop.departure - stop.start < settings.service(people):
                    problems.append(f"{label}: less than the boarding time {settings.service(people)}")
                if stop.arrival < previous_departure:
                    problems.append(f"{label}: arrives before leaving the previous stop")
                if travel_minutes is not None:
                    need = timedelta(minutes=travel_minutes(previous_place, stop.place))
                    if stop.arrival - previous_departure < need:
                        problems.append(f"{label}: {previous_place} to {stop.place} needs {need}")
                if stop.action == "board":
                    if stop.place != t.origin:
                        problems.append(f"{label}: boards away from its origin {t.origin}")
                    if stop.start < t.earliest_pickup:
                        problems.append(f"{label}: picked up at {stop.start:%H:%M}, "
                                        f"before the earliest pickup {t.earliest_pickup:%H:%M}")
                    if key in boarded:
                        problems.append(f"{label}: boards twice")
                    boarded[key] = (vr.vehicle, stop)
                    on_board[key] = (people, luggage_m3)
                elif stop.action == "alight":
                    if stop.place != t.destination:
                        problems.append(f"{label}: alights away from its destination {t.destination}")
                    if stop.start > t.latest_arrival:
                        problems.append(f"{label}: arrives at {stop.start:%H:%M}, "
                                        f"after the latest arrival {t.latest_arrival:%H:%M}")
                    if key not in on_board:
                        problems.append(f"{label}: alights without having boarded this vehicle")
                    on_board.pop(key, None)
                    alighted[key] = (vr.vehicle, stop)
                else:
                    problems.append(f"{label}: unknown action")
                seats = sum(p for p, _ in on_board.values())
                luggage = sum(m3 for _, m3 in on_board.values())
                if seats > vtype.seats:
                    problems.append(f"{label}: {seats} people on board, {vtype.seats} seats")
                if luggage > vtype.luggage_m3 + 1e-9:
                    problems.append(f"{label}: {luggage:g} m3 of luggage on board, hold {vtype.luggage_m3:g} m3")
                previous_place, previous_departure = stop.place, stop.departure
            if on_board:
                problems.append(f"{vr.vehicle}: a run ends with {', '.join(sorted(k for k, _ in on_board))} on board")
        if on_board:
            problems.append(f"{vr.vehicle}: returns with {', '.join(sorted(k for k, _ in on_board))} on board")

    for s in plan.served:
        t = transfers.get(s.transfer)
        if t is None:
            continue
        if not s.on_time(t):
            problems.append(f"served transfer {s.transfer} is not on time")
        if s.pieces:
            problems += _check_pieces(settings, t, s, boarded, alighted)
            continue
        if (s.transfer, 0) not in boarded or (s.transfer, 0) not in alighted:
            problems.append(f"served transfer {s.transfer} has no boarding or no alighting stop")
            continue
        (v1, b), (v2, a) = boarded[s.transfer, 0], alighted[s.transfer, 0]
        if not (v1 == v2 == s.vehicle):
            problems.append(f"served transfer {s.transfer} changes vehicle ({v1}, {v2}, {s.vehicle})")
        if (s.pickup, s.arrival) != (b.start, a.start):
            problems.append(f"served transfer {s.transfer}: times differ from its stops")
    for u in plan.unserved:
        if any(key[0] == u.transfer for key in boarded):
            problems.append(f"unserved transfer {u.transfer} boards a vehicle")
        if not u.reason.strip():
            problems.append(f"unserved transfer {u.transfer} has no reason")
    return problems


def _check_pieces(settings: ShuttleSettings, t: Transfer, s: Served,
                  boarded: dict, alighted: dict) -> list[str]:
    """The rules of a split transfer, from its pieces and their stops alone."""
    problems = []
    label = f"served transfer {t.id} in {len(s.pieces)} pieces"
    if not t.splittable:
        problems.append(f"{label}: the party may not split (party of {t.party}, split_ok {t.split_ok})")
    if not 2 <= len(s.pieces) <= settings.max_pieces:
        problems.append(f"{label}: a split has 2 to {settings.max_pieces} pieces")
    if sorted(p.number for p in s.pieces) != list(range(1, len(s.pieces) + 1)):
        problems.append(f"{label}: pieces are not numbered 1 to {len(s.pieces)}")
    if len({p.vehicle for p in s.pieces}) != len(s.pieces):
        problems.append(f"{label}: two pieces share a vehicle")
    if sum(p.party for p in s.pieces) != t.party or any(p.party < 1 for p in s.pieces):
        problems.append(f"{label}: the pieces carry {sum(p.party for p in s.pieces)} people of {t.party}")
    if sum(p.luggage_m3 for p in s.pieces) < t.luggage_m3 - 1e-9:
        problems.append(f"{label}: the pieces carry {sum(p.luggage_m3 for p in s.pieces):g} m3 of luggage "
                        f"of {t.luggage_m3:g}")
    if s.vehicle != s.pieces[0].vehicle or s.pickup != min(p.pickup for p in s.pieces) \
            or s.arrival != max(p.arrival for p in s.pieces):
        problems.append(f"{label}: vehicle or times differ from its pieces")
    if (t.id, 0) in boarded:
        problems.append(f"{label}: the whole party boards too")
    for p in s.pieces:
        key = (t.id, p.number)
        if key not in boarded or key not in alighted:
            problems.append(f"{label}: piece {p.number} has no boarding or no alighting stop")
            continue
        (v1, b), (v2, a) = boarded[key], alighted[key]
        if not (v1 == v2 == p.vehicle):
            problems.append(f"{label}: piece {p.number} changes vehicle ({v1}, {v2}, {p.vehicle})")
        if (p.pickup, p.arrival) != (b.start, a.start):
            problems.append(f"{label}: piece {p.number}: times differ from its stops")
        if not (t.earliest_pickup <= p.pickup and p.arrival <= t.latest_arrival):
            problems.append(f"{label}: piece {p.number} is not on time")
    return problems
