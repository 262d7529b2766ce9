"""Festival shuttles as a pickup-and-delivery problem with time windows.

Each transfer is one :class:`solvers.vrp.Request` pair: board at its origin, alight at
its destination, on one vehicle. The steps:

1. travel: road minutes and metres between the festival's places
   (:func:`solvers.travel.compute_matrix`, geodesic x detour at the fleet's slowest speed,
   so every vehicle can keep the times);
2. units (:mod:`solvers.units`): time in seconds after midnight of the festival day,
   distance in metres, seats in people, luggage in litres (a party's luggage rounds up,
   a hold rounds down), cost in thousandths of a cent (cents per km x metres);
3. windows: boarding may start in ``[earliest pickup, latest arrival - alighting is not
   counted - boarding - direct drive]``, alighting must start by the latest arrival;
4. every transfer is optional with a large penalty, so one that cannot be served is
   dropped with a reason instead of making the day infeasible;
5. solve with the routing core, move every stop as early as its route's order allows
   (the core leaves vehicles as late as possible; artists would rather not wait), and
   cut each vehicle's route into runs (a run ends when the vehicle is empty).

Reasons for unserved transfers are checked here first, in the festival's terms (seats,
luggage, the clock); only what remains is left to the solver's own wording.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import timedelta

from solvers import vrp
from solvers.travel import GeodesicRoad, TravelMatrix, compute_matrix
from solvers.units import METRES_PER_KM, litres_down, litres_up, minutes_to_seconds, money_to_cents
from touring.model import DEFAULT_SPEEDS_KMH, VehicleKind
from touring.shuttle import (
    Festival, Run, Served, ShuttleKind, ShuttlePlan, ShuttleStop, Transfer, Unserved, VehicleRuns,
)

SEATS = "seats"
LUGGAGE = "luggage_l"
# Cost unit: cents per km times metres, i.e. 1/1000 cent. Fixed costs and penalties
# are scaled to it so that the objective adds like with like.
_COST_SCALE = METRES_PER_KM
# Vehicles may leave the depot from midnight and be back by 06:00 the next day.
_SHIFT_END = 30 * 3600

_KIND_SPEED = {ShuttleKind.CAR: VehicleKind.CAR, ShuttleKind.VAN: VehicleKind.VAN, ShuttleKind.BUS: VehicleKind.BUS}


@dataclass(frozen=True)
class ShuttleParams:
    """Search settings, passed to :class:`solvers.vrp.SolveParams`.

    ``solution_limit`` set: reproducible mode (stop after that many improving
    solutions; ``time_limit`` is only a safety net). OR-Tools routing has no random
    seed; ``seed`` is handed to the core for engines that have one.
    """

    time_limit: float = 30.0
    solution_limit: int | None = None
    seed: int = 0
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    log_search: bool = False

    def core(self) -> vrp.SolveParams:
        return vrp.SolveParams(time_limit=self.time_limit, solution_limit=self.solution_limit, engine="ortools",
                               first_solution=self.first_solution, metaheuristic=self.metaheuristic,
                               seed=self.seed, log_search=self.log_search)


def travel_table(festival: Festival) -> TravelMatrix:
    """Road legs between every pair of the festival's places (minutes, metres)."""
    kinds = {_KIND_SPEED[v.kind] for v in festival.fleet} or {VehicleKind.VAN}
    slowest = min(kinds, key=lambda k: DEFAULT_SPEEDS_KMH[k])
    speed = festival.settings.speed_kmh or DEFAULT_SPEEDS_KMH[slowest]
    places = {p.id: (p.lat, p.lon) for p in festival.places}
    return compute_matrix(slowest, places, speed, GeodesicRoad(festival.settings.detour_factor))


def _seconds(festival: Festival, moment) -> int:
    day_start = festival.at(0)
    return int((moment - day_start).total_seconds())


def _service_seconds(festival: Festival, transfer: Transfer) -> int:
    return int(festival.settings.service(transfer.party).total_seconds())


# --------------------------------------------------------------------------- #
# Rules that make a transfer impossible on its own, in the festival's terms
# --------------------------------------------------------------------------- #


def _capacity_reason(festival: Festival, t: Transfer) -> str | None:
    fleet = festival.fleet
    if any(t.party <= v.seats and litres_up(t.luggage_m3) <= litres_down(v.luggage_m3) for v in fleet):
        return None
    most_seats = max(v.seats for v in fleet)
    most_hold = max(v.luggage_m3 for v in fleet)
    if t.party > most_seats:
        return f"seats: a party of {t.party} does not fit the largest vehicle ({most_seats} seats)"
    if litres_up(t.luggage_m3) > litres_down(most_hold):
        return f"luggage: {t.luggage_m3:g} m3 does not fit the largest hold ({most_hold:g} m3)"
    return (f"seats and luggage: no vehicle takes {t.party} people and {t.luggage_m3:g} m3 at once")


def _time_reason(festival: Festival, matrix: TravelMatrix, t: Transfer) -> str | None:
    service = festival.settings.service(t.party)
    drive = timedelta(minutes=matrix.leg(t.origin, t.destination).minutes)
    arrival = t.earliest_pickup + service + drive
    if arrival <= t.latest_arrival:
        return None
    return (f"time: boarding {service.seconds // 60} min from the earliest pickup {t.earliest_pickup:%H:%M} "
            f"plus the direct drive of {drive.seconds // 60} min reaches {t.destination} at {arrival:%H:%M}, "
            f"after the latest arrival {t.latest_arrival:%H:%M}")


def unservable_reason(festival: Festival, matrix: TravelMatrix, transfer: Transfer) -> str | None:
    """Why no vehicle could serve ``transfer`` even alone; ``None`` if one could."""
    return _capacity_reason(festival, transfer) or _time_reason(festival, matrix, transfer)


# --------------------------------------------------------------------------- #
# Build
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Built:
    problem: vrp.Problem
    matrix: TravelMatrix
    reasons: dict[str, str]  # transfer id -> reason found before solving


def build_problem(festival: Festival, matrix: TravelMatrix | None = None) -> _Built:
    """The routing-core problem of a festival day (public for the benchmark's baseline)."""
    matrix = matrix or travel_table(festival)
    location = {place_id: i for i, place_id in enumerate(matrix.ids)}
    travel = [[minutes_to_seconds(m) for m in row] for row in matrix.minutes]

    reasons = {}
    requests = []
    penalty = money_to_cents(festival.settings.unserved_penalty) * _COST_SCALE
    for t in festival.transfers:
        reason = unservable_reason(festival, matrix, t)
        if reason is not None:
            # Kept out of the model: the reason above says more than the core's.
            reasons[t.id] = reason
            continue
        service = _service_seconds(festival, t)
        earliest = _seconds(festival, t.earliest_pickup)
        latest = _seconds(festival, t.latest_arrival)
        direct = travel[location[t.origin]][location[t.destination]]
        requests.append(vrp.Request(
            id=t.id,
            pickup=vrp.Stop(location[t.origin], vrp.TimeWindow(earliest, latest - direct - service), service),
            delivery=vrp.Stop(location[t.destination], vrp.TimeWindow(earliest + service + direct, latest), service),
            demand={SEATS: t.party, LUGGAGE: litres_up(t.luggage_m3)},
            penalty=penalty,
        ))

    vehicles = [
        vrp.VehicleSpec(
            id=vid, start=location[vtype.depot], end=location[vtype.depot],
            capacities={SEATS: vtype.seats, LUGGAGE: litres_down(vtype.luggage_m3)},
            cost_per_distance=money_to_cents(vtype.cost_per_km),
            fixed_cost=money_to_cents(vtype.fixed_cost) * _COST_SCALE,
            shift=vrp.TimeWindow(0, _SHIFT_END),
        )
        for vid, vtype in festival.vehicles()
    ]
    problem = vrp.Problem(distance=matrix.metres, travel_time=travel, requests=requests, vehicles=vehicles)
    return _Built(problem, matrix, reasons)


# --------------------------------------------------------------------------- #
# Extract
# --------------------------------------------------------------------------- #


def _left_shift(problem: vrp.Problem, route: vrp.Route) -> list[tuple[vrp.StopVisit, int, int, int]] | None:
    """Each stop as early as the route's order allows: (visit, arrival, start, departure).

    The core leaves every vehicle as late as it can, so a landed artist would wait at
    the airport until the latest pickup. With the order fixed, starting each stop at
    max(arrival, window start) never starts one later than the solver's schedule did,
    so every window still holds; the vehicle leaves its depot just in time for the
    first stop. ``None`` (keep the solver's times) if a window would break anyway.
    """
    requests = {r.id: r for r in problem.requests}
    tt = problem.travel_time
    visits = [v for v in route.stops if v.request is not None]
    shifted = []
    location, departure = route.stops[0].location, None
    for visit in visits:
        r = requests[visit.request]
        stop = r.pickup if visit.kind == "pickup" else r.delivery
        drive = tt[location][visit.location]
        arrival = max(drive, stop.window.start) if departure is None else departure + drive
        start = max(arrival, stop.window.start)
        if start > stop.window.end:
            return None
        departure = start + stop.service
        shifted.append((visit, arrival, start, departure))
        location = visit.location
    return shifted


def _runs(festival: Festival, problem: vrp.Problem, route: vrp.Route,
          matrix: TravelMatrix) -> tuple[VehicleRuns, list[Served]]:
    transfers = {t.id: t for t in festival.transfers}
    schedule = _left_shift(problem, route) or [
        (v, v.arrival, v.start, v.departure) for v in route.stops if v.request is not None]
    runs: list[Run] = []
    served: dict[str, list] = {}
    current: list[ShuttleStop] = []
    on_board = 0
    for visit, arrival, start, departure in schedule:
        t = transfers[visit.request]
        board = visit.kind == "pickup"
        stop = ShuttleStop(matrix.ids[visit.location], festival.at(arrival), festival.at(start),
                           festival.at(departure), t.id, "board" if board else "alight", t.who, t.party)
        current.append(stop)
        served.setdefault(t.id, []).append(stop)
        on_board += t.party if board else -t.party
        if on_board == 0:
            runs.append(Run(tuple(current)))
            current = []
    if current:  # never with pairs; kept so a core change cannot lose stops silently
        runs.append(Run(tuple(current)))
    tt = problem.travel_time
    depot = route.stops[0].location
    first, last = schedule[0], schedule[-1]
    leaves = first[1] - tt[depot][first[0].location]
    returns = last[3] + tt[last[0].location][route.stops[-1].location]
    vtype = dict(festival.vehicles())[route.vehicle]
    vehicle = VehicleRuns(route.vehicle, vtype.id, vtype.depot, festival.at(leaves), festival.at(returns),
                          route.distance / METRES_PER_KM, tuple(runs))
    return vehicle, [Served(tid, route.vehicle, stops[0].start, stops[-1].start) for tid, stops in served.items()]


def _solver_reason(festival: Festival, t: Transfer) -> str:
    return (f"no vehicle was free to take it between {t.earliest_pickup:%H:%M} and {t.latest_arrival:%H:%M} "
            f"on the routes found (fleet busy, or serving it would cost more than the penalty)")


def solve(festival: Festival, params: ShuttleParams = ShuttleParams()) -> ShuttlePlan:
    """Plan the shuttles of a festival day.

    Parameters
    ----------
    festival : Festival
    params : ShuttleParams

    Returns
    -------
    ShuttlePlan
        Vehicles with their runs, served transfers with their times, unserved ones with
        a reason, km, status, objective and wall time. No solution is a status.
    """
    started = _time.perf_counter()
    built = build_problem(festival)
    if not built.problem.requests:
        result = None
    else:
        result = vrp.solve(built.problem, params.core())
    vehicles, served = [], []
    unserved = dict(built.reasons)
    if result is not None:
        by_id = {t.id: t for t in festival.transfers}
        for route in result.routes:
            vehicle, done = _runs(festival, built.problem, route, built.matrix)
            vehicles.append(vehicle)
            served += done
        for rid, reason in result.dropped.items():
            if rid in unserved:
                continue
            unserved[rid] = (_solver_reason(festival, by_id[rid]) if reason.startswith("dropped by the solver")
                             else reason)
        status, objective, hit = result.status, result.objective, result.hit_time_limit
    else:
        status, objective, hit = "optimal", 0, False
    order = {t.id: k for k, t in enumerate(festival.transfers)}
    served.sort(key=lambda s: order[s.transfer])
    return ShuttlePlan(
        festival=festival.name,
        status=status,
        vehicles=tuple(vehicles),
        served=tuple(served),
        unserved=tuple(Unserved(tid, unserved[tid]) for tid in sorted(unserved, key=order.__getitem__)),
        km=sum(v.km for v in vehicles),
        objective=objective,
        wall_time=_time.perf_counter() - started,
        hit_time_limit=hit,
    )
