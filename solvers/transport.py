"""Transport runs: who and what each vehicle of the fleet carries, day by day (routing core).

For every day of a plan on which people or gear move, one :class:`solvers.vrp.Problem`
is built and solved; the fleet's positions and the drivers' hours carry over to the
next day. The steps of one day:

1. **requests** (pickup-and-delivery pairs, every one optional with a large penalty):

   - on a show or set-up day each crew member on duty (the rota's shift if the plan has
     one, else everyone available, called at the venue's load-in or the set-up start) is
     taken from where they slept to the venue, arriving by their call time, and back
     after the curfew (the shift's end) to where they sleep that night;
   - on a travel day everyone available goes from last night's bed to tonight's;
   - where someone sleeps comes from ``plan.accommodation`` (home, hotel, the
     nightliner's next place, or the tour's place when unbooked); without it, the tour's
     place of that night (the crew member's own home when the tour is at its base);
   - gear: on the day the tour arrives at a venue, every equipment item needed at that
     venue's show (``Equipment.needed_at``) goes, all its units together, from the
     previous venue (or the tour's home base, where the gear is kept) to the venue,
     unloaded by the call time.

2. **service times** (defaults): a person boards or alights in
   :data:`BOARDING_S` (2 min); an item loads and unloads in :data:`GEAR_BASE_S` (10 min)
   plus :data:`GEAR_PER_M3_S` (3 min) per m3 of its total volume.

3. **vehicles**: the whole fleet, each starting where it parked last night (its depot on
   the first day: multi-depot) and parking where its driver sleeps that night (the
   tour's place of the night when the driver's bed is there; its depot when the tour is
   at its base). Capacities are three separate dimensions: seats (minus
   the driver's), volume in litres and payload in grams (:mod:`solvers.units`: an
   item's size rounds up, a limit down). Cost: ``cost_per_km`` per km and
   ``cost_per_day`` when the vehicle is used.

4. **drivers**: one per vehicle per day, pre-assigned before solving: the crew rota's
   ``driver:VEHICLE_ID`` place when it names one (on gear arrival days), else greedily. Vehicles
   needing the rarest licence choose first; each takes, among that day's party, the
   holder of a covering licence (:func:`licence_covers`) with the fewest driving
   seconds so far (crew order breaks ties). A vehicle nobody can drive is left out, and
   requests only it could carry are reported with that reason. The driver's seat is
   taken off the vehicle's seats; the driver's own move is a request pinned to their
   vehicle (a capacity ``driver@VEHICLE`` only that vehicle has), so the vehicle leaves
   where it parked, collects its driver where they slept and takes them where they go.
   A vehicle whose run would carry nobody but its driver stays parked and frees the
   driver, who rides as a passenger, and the day is solved again (when no vehicle
   carries anyone else, the first one still takes its driver).

5. **driver hours** (``rules.driver_hours``), on the vehicle through the core:
   ``eu``: 9 h driving a day and a 45 min break after at most 4 h 30 (EU 561/2006
   art. 6 and 7); ``us``: 11 h driving a day and a 30 min break after at most 8 h
   (FMCSA 395.3); ``none``: no rule. The core measures the span between breaks on
   elapsed route time, so it is stricter than the regulations, never looser. Each day
   is first solved without break intervals; when every route's own waits (a wait at a
   venue of at least the break) already keep the rule by that measure, that solution
   stands, else the day is solved again with the rule in the model
   (:func:`_solve_day`). The US 14 h on-duty window is *not* modelled (the core has no
   route-span limit yet).

Times are seconds after local midnight of the day at the tour's place of that night;
a day's run is taken to stay in one time zone. Unserved requests carry a reason in the
tour's terms when one is found before solving (seats, volume, weight, licence, the
clock), else the core's.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Mapping, Sequence

from solvers import vrp
from solvers.crew import DEFAULT_CURFEW, DEFAULT_LOAD_IN, SETUP_START
from solvers.travel import TravelMatrix, travel_matrix
from solvers.units import (
    METRES_PER_KM, grams_down, grams_up, litres_down, litres_up, minutes_to_seconds, money_to_cents,
)
from touring.model import (
    DEFAULT_SPEEDS_KMH, HOME_ID, LICENCE_COVERS, OWN_CAR_PREFIX, CrewMember, DayKind, DriverHours, Equipment, Night, Plan, PlanDay, RunStop,
    StayKind, Tour, TransportRun, UnservedRequest, Vehicle, VehicleKind, licence_covers,
)

SEATS = "seats"
VOLUME = "volume_l"
PAYLOAD = "payload_g"
DIMENSIONS = (SEATS, VOLUME, PAYLOAD)

BOARDING_S = 120
"""Seconds for one person to board or alight."""
GEAR_BASE_S = 600
GEAR_PER_M3_S = 180
"""Loading (and unloading) one item takes 10 min plus 3 min per m3 of its total volume."""
EARLIEST_BEFORE_CALL_S = 3 * 3600
"""Nobody (and no gear) is picked up more than the direct drive plus 3 h before the call."""
TRAVEL_DAY_START = time(8, 0)
"""On a travel day nobody is picked up before 08:00."""
CAR_SEATS = 4
CAR_VOLUME_M3 = 0.4
CAR_PAYLOAD_KG = 300.0
"""A crew member's own car: 4 seats with the driver's, a boot of about 400 litres and
300 kg of payload (a common family car); no fixed cost, ``rules.mileage_rate`` per km."""
_DAY_END_S = 32 * 3600  # runs may last until 08:00 the next morning (late curfews)
# Cost unit: cents per km times metres, i.e. 1/1000 cent; fixed costs and penalties are
# scaled to it so that the objective adds like with like.
_COST_SCALE = METRES_PER_KM
_PENALTY = 10**7 * _COST_SCALE  # 100 000 in the tour's currency: serve whatever can be served

def _rarity(licence: str) -> int:
    """How many classes cover ``licence``: fewer means rarer holders, who choose first."""
    return sum(licence.upper() in covered for covered in LICENCE_COVERS.values()) or 1


# --------------------------------------------------------------------------- #
# Parameters and result
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class TransportParams:
    """Search settings per day, passed to :class:`solvers.vrp.SolveParams`.

    ``solution_limit`` set (the default) with greedy descent: the reproducible mode of
    the core, the same runs on any machine; ``time_limit_s`` (per day) is then only a
    safety net. ``solution_limit=None`` searches with guided local search until the
    time limit.
    """

    time_limit_s: float = 2.0
    solution_limit: int | None = 200
    seed: int = 0

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError(f"time_limit_s must be positive, got {self.time_limit_s:g}")

    def core(self) -> vrp.SolveParams:
        reproducible = self.solution_limit is not None
        return vrp.SolveParams(time_limit=self.time_limit_s, solution_limit=self.solution_limit, engine="ortools",
                               metaheuristic="GREEDY_DESCENT" if reproducible else "GUIDED_LOCAL_SEARCH",
                               seed=self.seed)


@dataclass(frozen=True)
class TransportResult:
    """The runs of a plan, unserved requests with reasons, and totals.

    ``status`` is ``optimal`` or ``feasible`` (every day solved; unserved requests are
    part of a solution), or ``timed_out`` when a day found nothing in its limit.
    ``objective`` is the sum of the days' objectives in 1/1000 cent (penalties included).
    """

    status: str
    runs: tuple[TransportRun, ...] = ()
    unserved: tuple[UnservedRequest, ...] = ()
    driving_minutes: tuple[tuple[str, int], ...] = ()  # per driver, crew order
    vehicle_km: tuple[tuple[str, float], ...] = ()  # per vehicle used, fleet order
    cost: float = 0.0
    objective: int | None = None
    wall_time_s: float = 0.0
    hit_time_limit: bool = False

    @property
    def found(self) -> bool:
        return self.status in ("optimal", "feasible")


# --------------------------------------------------------------------------- #
# The day's requests, in the tour's terms
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Move:
    id: str
    subject: str  # crew or equipment id
    is_gear: bool
    origin: str
    destination: str
    earliest: int  # seconds, pickup may start
    latest: int  # seconds, delivery must start by
    service: int
    seats: int = 0
    litres: int = 0
    grams: int = 0


def _bed(tour: Tour, member: CrewMember, night: Night | None, place_id: str) -> str:
    """Where ``member`` sleeps: from the night's stay, else the tour's place."""
    stay = night.stay(member.id) if night is not None else None
    if stay is None:
        return member.home.id if place_id == HOME_ID else place_id
    if stay.kind is StayKind.HOME:
        return member.home.id
    if stay.kind is StayKind.HOTEL and stay.hotel_id is not None:
        return next(h.place.id for h in tour.hotels if h.id == stay.hotel_id)
    if stay.kind is StayKind.NIGHTLINER:
        return night.next_place_id
    return night.place_id


def _seconds(day: date, moment: datetime) -> int:
    return int((moment - datetime.combine(day, time())).total_seconds())


def _duty(tour: Tour, plan: Plan, pday: PlanDay) -> dict[str, tuple[int, int]]:
    """Crew on duty at the venue: crew id -> (call, end) in seconds of the day."""
    shifts = [s for s in plan.crew_shifts if s.day == pday.day]
    if plan.crew_report is not None or shifts:
        return {cid: (_seconds(pday.day, s.start), _seconds(pday.day, s.end)) for s in shifts for cid in s.crew_ids}
    venue = tour.venue_by_id[tour.show_by_id[pday.show_id].venue_id]
    if pday.kind is DayKind.SETUP:
        call, end = SETUP_START, time(18, 0)
    else:
        call, end = venue.load_in or DEFAULT_LOAD_IN, venue.curfew or DEFAULT_CURFEW
    call_s = call.hour * 3600 + call.minute * 60
    end_s = end.hour * 3600 + end.minute * 60 + (24 * 3600 if end <= call else 0)
    return {c.id: (call_s, end_s) for c in tour.crew if c.is_available(pday.day)}


def _gear_service(item: Equipment) -> int:
    return GEAR_BASE_S + int(round(GEAR_PER_M3_S * item.total_volume_m3))


def _earliest(latest: int, service: int, direct: int) -> int:
    return max(0, latest - service - direct - EARLIEST_BEFORE_CALL_S)


def _moves(tour: Tour, plan: Plan, k: int, matrix: TravelMatrix) -> list[_Move]:
    def drive(a: str, b: str) -> int:
        return minutes_to_seconds(matrix.minutes[matrix.index(a)][matrix.index(b)])

    pday = plan.days[k]
    before = plan.days[k - 1].place_id if k > 0 else HOME_ID
    nights = {n.day: n for n in plan.accommodation}
    last_night, tonight = nights.get(pday.day - timedelta(days=1)), nights.get(pday.day)
    moves: list[_Move] = []
    crew = tour.crew_by_id
    if pday.kind in (DayKind.SHOW, DayKind.SETUP) and pday.show_id is not None:
        venue = tour.show_by_id[pday.show_id].venue_id
        duty = _duty(tour, plan, pday)
        for cid in (c.id for c in tour.crew if c.id in duty):
            call, end = duty[cid]
            slept = _bed(tour, crew[cid], last_night, before)
            sleeps = _bed(tour, crew[cid], tonight, pday.place_id)
            if slept != venue:
                latest = call - BOARDING_S
                moves.append(_Move(f"crew:{cid}:out", cid, False, slept, venue,
                                   _earliest(latest, BOARDING_S, drive(slept, venue)), latest, BOARDING_S, seats=1))
            if sleeps != venue:
                moves.append(_Move(f"crew:{cid}:back", cid, False, venue, sleeps, end, _DAY_END_S,
                                   BOARDING_S, seats=1))
        if before != venue:
            origin = before if before in tour.venue_by_id else HOME_ID
            first_call = min((c for c, _ in duty.values()), default=_default_call(tour, pday))
            for item in tour.equipment:
                if item.needed_at and pday.show_id not in item.needed_at:
                    continue
                service = _gear_service(item)
                latest = first_call - service
                moves.append(_Move(f"gear:{item.id}", item.id, True, origin, venue,
                                   _earliest(latest, service, drive(origin, venue)), latest, service,
                                   litres=litres_up(item.total_volume_m3), grams=grams_up(item.total_weight_kg)))
    elif pday.travel or pday.place_id != before:
        start = TRAVEL_DAY_START.hour * 3600
        for member in tour.crew:
            if not member.is_available(pday.day):
                continue
            slept = _bed(tour, member, last_night, before)
            sleeps = _bed(tour, member, tonight, pday.place_id)
            if slept != sleeps:
                moves.append(_Move(f"crew:{member.id}:move", member.id, False, slept, sleeps, start, _DAY_END_S,
                                   BOARDING_S, seats=1))
    return moves


def _default_call(tour: Tour, pday: PlanDay) -> int:
    venue = tour.venue_by_id[tour.show_by_id[pday.show_id].venue_id]
    call = SETUP_START if pday.kind is DayKind.SETUP else venue.load_in or DEFAULT_LOAD_IN
    return call.hour * 3600 + call.minute * 60


# --------------------------------------------------------------------------- #
# Drivers and their rules
# --------------------------------------------------------------------------- #


def own_car(member: CrewMember, rate: float) -> Vehicle:
    """The crew member's own car as a vehicle of the day's routing problem (``car:ID``)."""
    return Vehicle(f"{OWN_CAR_PREFIX}{member.id}", f"car of {member.name}", VehicleKind.CAR, CAR_SEATS, member.home,
                   volume_m3=CAR_VOLUME_M3, payload_kg=CAR_PAYLOAD_KG, cost_per_km=rate, licence="B")


def _cars_today(tour: Tour, moves: list[_Move], parked: Mapping[str, str],
                drivers: Mapping[str, str]) -> dict[str, str]:
    """Car id -> owner for the owners who start today where their car is parked (at home,
    or where they took it yesterday) and do not drive a fleet vehicle."""
    busy = set(drivers.values())
    cars: dict[str, str] = {}
    for m in moves:
        member = tour.crew_by_id.get(m.subject) if not m.is_gear else None
        if member is None or not member.own_car or member.id in busy:
            continue
        car = f"{OWN_CAR_PREFIX}{member.id}"
        if car not in cars and m.origin == parked[car] and not m.id.endswith(":back"):
            cars[car] = member.id
    return cars


def _rota_drivers(plan: Plan, pday: PlanDay) -> dict[str, str]:
    """Vehicle id -> the driver the crew rota put on duty for it that day."""
    return {vehicle: cid for shift in plan.crew_shifts if shift.day == pday.day for vehicle, cid in shift.drivers
            if cid is not None}


def _assign_drivers(tour: Tour, party: list[str], fleet: list[Vehicle], driven: Mapping[str, int],
                    rota: Mapping[str, str] = {}) -> dict[str, str]:
    """Vehicle id -> driver id: the rota's driver where it names one; else rarest licence
    first, then crew without an own car (who would otherwise need a lift), fewest driving
    seconds so far."""
    order = {c.id: k for k, c in enumerate(tour.crew)}
    drivers = {vid: cid for vid, cid in rota.items() if any(v.id == vid for v in fleet)}
    free = set(party) - set(drivers.values())
    for vehicle in sorted(fleet, key=lambda v: (_rarity(v.licence), v.id)):
        if vehicle.id in drivers:
            continue
        able = [cid for cid in free if licence_covers(tour.crew_by_id[cid].licences, vehicle.licence)]
        if able:
            chosen = min(able, key=lambda cid: (tour.crew_by_id[cid].own_car, driven.get(cid, 0), order[cid]))
            drivers[vehicle.id] = chosen
            free.discard(chosen)
    return drivers


def _hours_rule(tour: Tour) -> tuple[int | None, vrp.BreakRule | None]:
    """Daily driving limit and break rule in seconds for ``rules.driver_hours``."""
    hours = tour.rules.driver_hours
    if hours is DriverHours.EU:
        return 9 * 3600, vrp.BreakRule(270 * 60, 45 * 60)
    if hours is DriverHours.US:
        return 11 * 3600, vrp.BreakRule(8 * 3600, 30 * 60)
    return None, None


# --------------------------------------------------------------------------- #
# Reasons found before solving
# --------------------------------------------------------------------------- #


def _fits(move: _Move, v: Vehicle) -> bool:
    return (move.seats <= v.seats - 1 and move.litres <= litres_down(v.volume_m3)
            and move.grams <= grams_down(v.payload_kg))


def _capacity_reason(move: _Move, fleet: list[Vehicle], drivers: Mapping[str, str]) -> str | None:
    driven = [v for v in fleet if v.id in drivers]
    if any(_fits(move, v) for v in driven):
        return None
    undriven = [v for v in fleet if v.id not in drivers and _fits(move, v)]
    if undriven:
        names = ", ".join(f"{v.id} (licence {v.licence})" for v in undriven)
        return f"licence: only {names} could carry it, and nobody on the road today may drive it"
    if not driven:
        return "licence: no vehicle has a licensed driver on the road today"
    if move.seats and move.seats > max(v.seats - 1 for v in driven):
        return "seats: no driven vehicle has a free seat besides the driver's"
    if move.litres > max(litres_down(v.volume_m3) for v in driven):
        return (f"volume: {move.litres / 1000:g} m3 is more than the largest driven vehicle holds "
                f"({max(v.volume_m3 for v in driven):g} m3)")
    if move.grams > max(grams_down(v.payload_kg) for v in driven):
        return (f"weight: {move.grams / 1000:g} kg is more than the largest driven payload "
                f"({max(v.payload_kg for v in driven):g} kg)")
    return "capacity: no driven vehicle takes its volume and weight at once"


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _time_reason(move: _Move, direct: int) -> str | None:
    ready = move.earliest + move.service + direct
    if ready <= move.latest:
        return None
    return (f"time: loading/boarding from {_clock(move.earliest)} plus the direct drive of {direct // 60} min "
            f"arrives at {_clock(ready)}, after the latest {_clock(move.latest)}")


# --------------------------------------------------------------------------- #
# Build, solve and extract one day
# --------------------------------------------------------------------------- #


@dataclass
class _Day:
    pday: PlanDay
    moves: list[_Move]
    ids: list[str]  # matrix location -> place id
    problem: vrp.Problem | None
    reasons: dict[str, str]
    drivers: dict[str, str]
    vehicles: dict[str, Vehicle]


def _parks(pday: PlanDay, vehicle: Vehicle, driver: str | None, moves: list[_Move]) -> str:
    """Where a vehicle parks tonight: where its driver sleeps (the driver takes it home or
    to the hotel), else the tour's place of the night (its depot at the home base)."""
    beds = [m.destination for m in moves if not m.is_gear and m.subject == driver and not m.id.endswith(":out")]
    if beds:
        return beds[-1]
    return vehicle.depot.id if pday.place_id == HOME_ID else pday.place_id


def _build_day(tour: Tour, matrix: TravelMatrix, pday: PlanDay, moves: list[_Move], fleet: list[Vehicle],
               parked: Mapping[str, str], drivers: dict[str, str]) -> _Day:
    drive_rule, break_rule = _hours_rule(tour)
    driving = {cid: vid for vid, cid in drivers.items()}
    ends = {v.id: _parks(pday, v, drivers.get(v.id), moves) for v in fleet}
    ids = sorted({parked[v.id] for v in fleet} | set(ends.values())
                 | {p for m in moves for p in (m.origin, m.destination)})
    loc = {p: i for i, p in enumerate(ids)}
    rows = [matrix.index(p) for p in ids]
    travel = [[minutes_to_seconds(matrix.minutes[a][b]) for b in rows] for a in rows]
    metres = [[matrix.metres[a][b] for b in rows] for a in rows]

    reasons: dict[str, str] = {}
    requests = []
    for m in moves:
        direct = travel[loc[m.origin]][loc[m.destination]]
        pinned = None if m.is_gear else driving.get(m.subject)
        reason = (None if pinned else _capacity_reason(m, fleet, drivers)) or _time_reason(m, direct)
        if reason is not None:
            reasons[m.id] = reason
            continue
        requests.append(vrp.Request(
            id=m.id,
            pickup=vrp.Stop(loc[m.origin], vrp.TimeWindow(m.earliest, m.latest - direct - m.service), m.service),
            delivery=vrp.Stop(loc[m.destination], vrp.TimeWindow(m.earliest + m.service + direct, m.latest),
                              m.service),
            # A driver's own move takes no passenger seat and only their vehicle has
            # room for it on their own dimension: it is pinned to that vehicle.
            demand={_pin(pinned): 1} if pinned else {SEATS: m.seats, VOLUME: m.litres, PAYLOAD: m.grams},
            penalty=_PENALTY,
        ))
    vehicles = [
        vrp.VehicleSpec(
            id=v.id, start=loc[parked[v.id]], end=loc[ends[v.id]],
            capacities={SEATS: v.seats - 1, VOLUME: litres_down(v.volume_m3), PAYLOAD: grams_down(v.payload_kg),
                        _pin(v.id): 1},
            cost_per_distance=money_to_cents(v.cost_per_km),
            fixed_cost=money_to_cents(v.cost_per_day) * _COST_SCALE,
            shift=vrp.TimeWindow(0, _DAY_END_S), max_driving=drive_rule, break_rule=break_rule,
        )
        for v in fleet if v.id in drivers
    ]
    problem = (vrp.Problem(distance=metres, travel_time=travel, requests=requests, vehicles=vehicles)
               if vehicles and requests else None)
    return _Day(pday, moves, ids, problem, reasons, drivers, {v.id: v for v in fleet})


def _pin(vehicle_id: str) -> str:
    return f"driver@{vehicle_id}"


def _idle(d: _Day, result: vrp.RoutingResult) -> set[str]:
    """Driven vehicles whose run carries nobody and nothing but their own driver."""
    busy = set()
    for route in result.routes:
        own = {m.id for m in d.moves if not m.is_gear and m.subject == d.drivers[route.vehicle]}
        if set(route.requests) - own:
            busy.add(route.vehicle)
    return set(d.drivers) - busy


def _keeps_breaks(route: vrp.Route, rule: vrp.BreakRule) -> list[tuple[int, int]] | None:
    """The waits that serve as breaks if ``route``'s own schedule keeps ``rule``, else ``None``.

    Measured like the core: elapsed route time between waits of at least the break
    duration (route start and end count as breaks) must not exceed ``rule.max_driving``.
    """
    breaks = []
    since = route.stops[0].departure
    for stop in route.stops[1:]:
        if stop.start - stop.arrival >= rule.break_duration:
            if stop.arrival - since > rule.max_driving:
                return None
            breaks.append((stop.arrival, rule.break_duration))
            since = stop.start
    return breaks if route.stops[-1].arrival - since <= rule.max_driving else None


def _seed(d: _Day, previous: Sequence[TransportRun]) -> dict[str, list[str]] | None:
    """Initial routes from earlier runs of the day: vehicle id -> request ids in visit order.

    Each stop's alighting and unloading come before its boarding and loading; a run whose
    vehicle or requests are not in today's problem is left out. The core checks the seed
    against every rule and ignores it when it does not fit.
    """
    if d.problem is None or not previous:
        return None
    vehicles = {v.id for v in d.problem.vehicles}
    requests = {r.id for r in d.problem.requests}
    moves = [m for m in d.moves if m.id in requests]
    routes: dict[str, list[str]] = {}
    taken: set[str] = set()
    for run in previous:
        if run.day != d.pday.day or run.vehicle_id not in vehicles:
            continue
        route: list[str] = []
        aboard: set[str] = set()
        for stop in run.stops:
            for subject in stop.alight + stop.unload_gear:
                m = next((m for m in moves if m.id in aboard and m.subject == subject
                          and m.destination == stop.place_id), None)
                if m is not None:
                    route.append(m.id)
                    aboard.discard(m.id)
            for subject in stop.board + stop.load_gear:
                m = next((m for m in moves if m.id not in taken and m.subject == subject
                          and m.origin == stop.place_id), None)
                if m is not None:
                    route.append(m.id)
                    aboard.add(m.id)
                    taken.add(m.id)
        if aboard:  # a move picked up but not delivered cannot seed a pair
            route = [rid for rid in route if rid not in aboard]
        if route:
            routes[run.vehicle_id] = route
    return routes or None


def _solve_day(problem: vrp.Problem, params: TransportParams,
               initial: Mapping[str, Sequence[str]] | None = None) -> vrp.RoutingResult:
    """Solve without break intervals first and keep that solution when every route's own
    waits already keep the break rule; otherwise solve with the rule in the model.

    Most show days have a long wait at the venue, which is itself the break: the plain
    solve is fast there, while OR-Tools' break-interval search is slow and sometimes
    finds no insertion at all on such days. The check uses the core's own measure, so a
    solution kept is never looser than the core's.
    """
    rules = {v.id: v.break_rule for v in problem.vehicles if v.break_rule is not None}
    if not rules:
        return vrp.solve(problem, params.core(), initial)
    free = replace(problem, vehicles=[replace(v, break_rule=None) for v in problem.vehicles])
    plain = vrp.solve(free, params.core(), initial)
    routes = []
    for route in plain.routes:
        rule = rules.get(route.vehicle)
        breaks = _keeps_breaks(route, rule) if rule is not None else []
        if breaks is None:
            break
        routes.append(replace(route, breaks=tuple(breaks)))
    else:
        if plain.feasible:
            return replace(plain, routes=tuple(routes))
    return vrp.solve(problem, params.core(), initial)


def _at(day: date, seconds: int) -> datetime:
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def _run(tour: Tour, d: _Day, route: vrp.Route) -> TransportRun:
    moves = {m.id: m for m in d.moves}
    stops = []
    for s in route.stops:
        m = moves.get(s.request) if s.request else None
        up = m is not None and s.kind == "pickup"
        down = m is not None and s.kind == "delivery"
        person = m is not None and not m.is_gear
        stops.append(RunStop(
            d.ids[s.location], _at(d.pday.day, s.arrival), _at(d.pday.day, s.departure),
            board=(m.subject,) if up and person else (), alight=(m.subject,) if down and person else (),
            load_gear=(m.subject,) if up and not person else (),
            unload_gear=(m.subject,) if down and not person else (),
            seats=s.load.get(SEATS, 0), volume_m3=s.load.get(VOLUME, 0) / 1000,
            weight_kg=s.load.get(PAYLOAD, 0) / 1000,
        ))
    # The core may leave the parking place early and wait at the first stop: report the
    # departure as late as the first stop allows (unless a break comes before it).
    if len(stops) > 1 and not any(b < route.stops[1].start for b, _ in route.breaks):
        leave = route.stops[1].start - d.problem.travel_time[route.stops[0].location][route.stops[1].location]
        if leave > route.stops[0].departure:
            first = _at(d.pday.day, leave)
            stops[0] = replace(stops[0], arrival=first, departure=first)
            stops[1] = replace(stops[1], arrival=_at(d.pday.day, route.stops[1].start))
    # Consecutive stops at one place (several boarding at a hotel) read as one stop.
    merged: list[RunStop] = []
    for s in stops:
        if merged and merged[-1].place_id == s.place_id:
            last = merged[-1]
            merged[-1] = RunStop(last.place_id, last.arrival, s.departure, last.board + s.board,
                                 last.alight + s.alight, last.load_gear + s.load_gear,
                                 last.unload_gear + s.unload_gear, s.seats, s.volume_m3, s.weight_kg)
        else:
            merged.append(s)
    vehicle = d.vehicles[route.vehicle]
    km = route.distance / METRES_PER_KM
    return TransportRun(d.pday.day, route.vehicle, d.drivers[route.vehicle], tuple(merged), round(km, 3),
                        round(route.driving / 60), tuple((_at(d.pday.day, s), dur // 60) for s, dur in route.breaks),
                        round(km * vehicle.cost_per_km + vehicle.cost_per_day, 2))


def _solver_reason(reason: str) -> str:
    if reason.startswith("dropped by the solver"):
        return ("no run could take it on the routes found: seats, volume, weight, the clock or the "
                "driving-time rules leave no room")
    return reason


def _settle(tour: Tour, matrix: TravelMatrix, pday: PlanDay, moves: list[_Move], fleet: list[Vehicle],
            cars: Mapping[str, Vehicle], parked: Mapping[str, str], drivers: dict[str, str],
            params: TransportParams, previous: Sequence[TransportRun] = ()
            ) -> tuple[_Day, vrp.RoutingResult | None, dict[str, str]]:
    """Solve the day with these fleet drivers (plus the own cars of the other owners),
    parking every fleet vehicle that would carry only its driver; returns the day, its
    result and the fleet drivers kept."""
    while True:
        owners = _cars_today(tour, moves, parked, drivers)
        d = _build_day(tour, matrix, pday, moves, fleet + [cars[c] for c in owners], parked, drivers | owners)
        result = _solve_day(d.problem, params, _seed(d, previous)) if d.problem is not None else None
        # Own cars always take their owner; only fleet vehicles may stay parked.
        idle = (_idle(d, result) if result is not None else set()) & set(drivers)
        if idle and len(idle) == len(drivers) and not owners:
            # Nobody needs a lift and nobody has a car: the first vehicle still takes its driver.
            idle -= {next(iter(drivers), None)}
        if not idle:
            return d, result, drivers
        # An idle vehicle stays parked and frees its driver, who rides as a passenger or
        # takes their own car.
        drivers = {vid: cid for vid, cid in drivers.items() if vid not in idle}


def _transport_matrix(tour: Tour) -> TravelMatrix:
    """The fleet's slowest kind sets the pace, so every vehicle can keep the times."""
    kind = min((v.kind for v in tour.vehicles), key=lambda k: tour.travel.speeds_kmh.get(k, DEFAULT_SPEEDS_KMH[k]))
    return travel_matrix(tour, kind)


def solve(tour: Tour, plan: Plan, params: TransportParams = TransportParams(),
          matrix: TravelMatrix | None = None, previous_runs: Sequence[TransportRun] = ()) -> TransportResult:
    """Plan the fleet's runs for every day of ``plan`` on which people or gear move.

    Parameters
    ----------
    tour : Tour
    plan : Plan
        Its days, and when present its accommodation and crew rota.
    params : TransportParams
        Per-day search settings; the default is reproducible.
    matrix : TravelMatrix, optional
        Travel times and distances over the tour's places; by default the geodesic
        matrix at the pace of the fleet's slowest kind.
    previous_runs : sequence of TransportRun, optional
        Runs of an earlier plan (replanning): each day's search starts from that day's
        runs where their vehicles and moves still exist and they keep every rule.

    Returns
    -------
    TransportResult
        Runs per day and vehicle, unserved requests with reasons, driving minutes per
        driver, km per vehicle, cost, status, objective and wall time.
    """
    started = _time.perf_counter()
    if not tour.vehicles:
        return TransportResult("optimal", wall_time_s=_time.perf_counter() - started)
    matrix = matrix or _transport_matrix(tour)
    fleet = list(tour.vehicles)
    parked = {v.id: v.depot.id for v in fleet}
    cars = {f"{OWN_CAR_PREFIX}{c.id}": own_car(c, tour.rules.mileage_rate) for c in tour.crew if c.own_car}
    parked |= {car.id: car.depot.id for car in cars.values()}
    driven: dict[str, int] = {}
    runs: list[TransportRun] = []
    unserved: list[UnservedRequest] = []
    objective, statuses, hit = 0, set(), False
    for k, pday in enumerate(plan.days):
        moves = _moves(tour, plan, k, matrix)
        if not moves:
            continue
        party = list(dict.fromkeys(m.subject for m in moves if not m.is_gear))
        today = [r for r in previous_runs if r.day == pday.day]
        if today:
            # Replanning: the earlier runs' fleet drivers, so the seed finds its vehicles.
            fleet_ids = {v.id for v in fleet}
            drivers = _rota_drivers(plan, pday) | {r.vehicle_id: r.driver_id for r in today
                                                   if r.vehicle_id in fleet_ids and r.driver_id in party}
        else:
            drivers = _assign_drivers(tour, party, fleet, driven, _rota_drivers(plan, pday))
        d, result, drivers = _settle(tour, matrix, pday, moves, fleet, cars, parked, drivers, params, today)
        # A fleet vehicle carrying only people may cost more than the crew's own cars:
        # try the day without such vehicles and keep whichever is cheaper.
        spare = {r.vehicle for r in result.routes if r.vehicle in drivers
                 and not any(s.request and s.request.startswith("gear:") for s in r.stops)} if result else set()
        if spare and cars:
            trial = _settle(tour, matrix, pday, moves, fleet, cars, parked,
                            {vid: cid for vid, cid in drivers.items() if vid not in spare}, params, today)
            if trial[1] is not None and trial[1].objective is not None and result.objective is not None \
                    and trial[1].objective < result.objective:
                d, result, drivers = trial
        reasons = dict(d.reasons)
        if result is not None:
            statuses.add(result.status)
            objective += result.objective or 0
            hit = hit or result.hit_time_limit
            for rid, reason in result.dropped.items():
                reasons.setdefault(rid, _solver_reason(reason))
            for route in result.routes:
                run = _run(tour, d, route)
                runs.append(run)
                parked[route.vehicle] = d.ids[route.stops[-1].location]
                driven[run.driver_id] = driven.get(run.driver_id, 0) + route.driving
        for m in moves:
            if m.id in reasons:
                unserved.append(UnservedRequest(pday.day, m.id, m.subject, m.origin, m.destination, reasons[m.id]))
    status = "timed_out" if "timed_out" in statuses else "feasible" if statuses - {"optimal"} else "optimal"
    km: dict[str, float] = {}
    for run in runs:
        km[run.vehicle_id] = km.get(run.vehicle_id, 0.0) + run.km
    return TransportResult(
        status=status,
        runs=tuple(runs),
        unserved=tuple(unserved),
        driving_minutes=tuple((c.id, round(driven[c.id] / 60)) for c in tour.crew if c.id in driven),
        vehicle_km=tuple((v.id, round(km[v.id], 3)) for v in fleet + list(cars.values()) if v.id in km),
        cost=round(sum(r.cost for r in runs), 2),
        objective=objective,
        wall_time_s=_time.perf_counter() - started,
        hit_time_limit=hit,
    )
