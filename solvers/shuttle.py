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
5. solve with the routing core (a first plan built vehicle group by vehicle group, so
   the parties only minibuses hold get them first; other first-solution strategies
   when it leaves transfers out; then guided local search from the best), move every stop
   as early as its route's order allows (the core leaves vehicles as late as possible;
   artists would rather not wait), and cut each vehicle's route into runs (a run ends
   when the vehicle is empty);
6. split parties: a party of two or more that the plan leaves out (or that no vehicle
   takes whole) may ride in pieces, each a pair of its own with its share of seats and
   luggage, on different vehicles, all or none (:func:`piece_sizes`,
   :func:`_search_with_splits`, :class:`solvers.vrp.Split`).

Reasons for unserved transfers are checked here first, in the festival's terms (seats,
luggage, the clock); a transfer the solver drops in a window that :func:`fleet_load`
proves overloaded says so; only what remains is left to the solver's own wording.
"""

from __future__ import annotations

import dataclasses
import time as _time
from dataclasses import dataclass
from datetime import datetime, timedelta

from solvers import vrp
from solvers.travel import GeodesicRoad, TravelMatrix, compute_matrix
from solvers.units import METRES_PER_KM, litres_down, litres_up, minutes_to_seconds, money_to_cents
from touring.model import DEFAULT_SPEEDS_KMH, VehicleKind
from touring.shuttle import (
    Festival, Piece, Run, Served, ShuttleKind, ShuttlePlan, ShuttleStop, Transfer, Unserved, VehicleRuns,
)

SEATS = "seats"
LUGGAGE = "luggage_l"
# Cost unit: cents per km times metres, i.e. 1/1000 cent. Fixed costs and penalties
# are scaled to it so that the objective adds like with like.
_COST_SCALE = METRES_PER_KM
# Vehicles may leave the depot from midnight and be back by 06:00 the next day.
_SHIFT_END = 30 * 3600
# Seconds kept for the last insertion of pieces and for reading the routes back into the
# model with the pieces tied (building and closing a 500-transfer model takes most of a
# second).
_READ_RESERVE = 2.0

_KIND_SPEED = {ShuttleKind.CAR: VehicleKind.CAR, ShuttleKind.VAN: VehicleKind.VAN, ShuttleKind.BUS: VehicleKind.BUS}


@dataclass(frozen=True)
class ShuttleParams:
    """Search settings, passed to :class:`solvers.vrp.SolveParams`.

    ``time_limit`` covers the whole :func:`solve` (building the model and every search
    phase). ``solution_limit`` set: reproducible mode (stop after that many improving
    solutions; ``time_limit`` is only a safety net). OR-Tools routing has no random
    seed; ``seed`` is handed to the core for engines that have one.
    The first plan is built group by group when some transfers fit only a few
    vehicles (those planned alone first, for at most ``scarce_share`` of the time; 0
    turns this off); if it leaves a transfer out, ``first_solution`` over the whole
    fleet and then ``fallback_first_solution`` (``None``: none) build others, and the
    one serving most is improved by ``metaheuristic`` (see :func:`_search`). When they
    leave out parties that may split, the fallback plan is built with their pieces
    offered and the pieces join the search (see :func:`_search_with_splits`).
    """

    time_limit: float = 30.0
    solution_limit: int | None = None
    seed: int = 0
    # Local cheapest insertion puts each transfer, in turn, where it costs least: on the
    # 500-transfer example it serves every transfer in a few seconds, where parallel
    # cheapest insertion needs 20 s and leaves one out. On a day the fleet cannot fully
    # serve, parallel insertion has served more (bench/README.md): it is the fallback.
    first_solution: str = "LOCAL_CHEAPEST_INSERTION"
    fallback_first_solution: str | None = "PARALLEL_CHEAPEST_INSERTION"
    scarce_share: float = 0.15
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    log_search: bool = False

    def core(self) -> vrp.SolveParams:
        return vrp.SolveParams(time_limit=self.time_limit, solution_limit=self.solution_limit, engine="ortools",
                               first_solution=self.first_solution, metaheuristic=self.metaheuristic,
                               seed=self.seed, log_search=self.log_search)


def _better(a: vrp.RoutingResult, b: vrp.RoutingResult) -> bool:
    """Whether ``a`` serves more than ``b``, or as many at a lower cost."""
    if a.objective is None:
        return False
    return b.objective is None or (len(a.dropped), a.objective) < (len(b.dropped), b.objective)


def _scarce_vehicles(problem: vrp.Problem) -> frozenset[str] | None:
    """The smallest set of vehicles that some request can ride alone; ``None`` if all."""
    groups = set()
    for r in problem.requests:
        fits = frozenset(v.id for v in problem.vehicles
                         if all(q <= v.capacities.get(d, 0) for d, q in r.demand.items()))
        if fits and len(fits) < len(problem.vehicles):
            groups.add(fits)
    return min(groups, key=lambda g: (len(g), sorted(g))) if groups else None


def _part(problem: vrp.Problem, requests, vehicles) -> vrp.Problem:
    return vrp.Problem(problem.distance, problem.travel_time, list(requests), list(vehicles))


def _decomposed(problem: vrp.Problem, params: ShuttleParams, scarce: frozenset[str],
                until: float) -> vrp.RoutingResult:
    """A first plan built vehicle group by vehicle group, then joined.

    Cheapest insertion over the whole fleet lets common transfers fill the scarce
    vehicles (the minibuses) before the parties that only they can take come up. So:
    (a) the transfers only the scarce vehicles hold are planned on those alone, with
    the metaheuristic (a small problem, searched well); (b) every other transfer is
    placed on the other vehicles by the first-solution strategy; (c) what (b) could not
    place is added to the scarce vehicles' routes of (a), again with the metaheuristic;
    (d) the routes of (a-c) are one warm start of the whole day, read as its first plan.
    """
    def left() -> float:
        return max(until - _time.perf_counter(), 0.1)

    def hold(vehicle: vrp.VehicleSpec, r: vrp.Request) -> bool:
        return all(q <= vehicle.capacities.get(d, 0) for d, q in r.demand.items())

    few = [v for v in problem.vehicles if v.id in scarce]
    rest = [v for v in problem.vehicles if v.id not in scarce]
    only_few = [r for r in problem.requests if not any(hold(v, r) for v in rest)]
    others = [r for r in problem.requests if any(hold(v, r) for v in rest)]
    share = params.scarce_share * params.time_limit
    improve = dataclasses.replace(params.core(), time_limit=min(share, left()))
    first = dataclasses.replace(params.core(), time_limit=left(), solution_limit=1)
    planned = vrp.solve(_part(problem, only_few, few), improve)  # (a)
    placed = vrp.solve(_part(problem, others, rest), first)  # (b)
    hit = planned.hit_time_limit or placed.hit_time_limit
    routes = {route.vehicle: route.requests for route in placed.routes}
    unplaced = [r for r in others if r.id in placed.dropped]
    if unplaced:  # (c)
        served = {rid for route in planned.routes for rid in route.requests}
        again = [r for r in only_few if r.id in served] + unplaced
        improve = dataclasses.replace(improve, time_limit=min(share / 2, left()))
        planned = vrp.solve(_part(problem, again, few), improve,
                            initial_routes={route.vehicle: route.requests for route in planned.routes})
        hit = hit or planned.hit_time_limit
    routes.update({route.vehicle: route.requests for route in planned.routes})
    read = dataclasses.replace(params.core(), time_limit=left(), solution_limit=1)
    joined = vrp.solve(problem, read, initial_routes=routes)  # (d)
    # A part stopped by the clock makes the whole plan depend on the machine's speed.
    return dataclasses.replace(joined, hit_time_limit=hit or joined.hit_time_limit)


def _search(problem: vrp.Problem, params: ShuttleParams) -> vrp.RoutingResult:
    """First plans until one serves every transfer, then improvement.

    The first plans, in order, stopping at one that leaves no transfer out: built
    group by group (:func:`_decomposed`, when some transfers fit only a few vehicles);
    the first-solution strategy over the whole fleet; the fallback strategy. The plan
    serving most is improved with the metaheuristic, warm-started from its routes, for
    the rest of the time.
    """
    until = _time.perf_counter() + params.time_limit
    best, hit = _first_plans(problem, params, until)
    return _improve(problem, params, best, hit, until)


def _first_plans(problem: vrp.Problem, params: ShuttleParams, until: float) -> tuple[vrp.RoutingResult, bool]:
    """The first plan serving most (see :func:`_search`), and whether the clock cut a step."""
    def remaining() -> float:
        return until - _time.perf_counter()

    def first(strategy: str) -> vrp.RoutingResult:
        core = dataclasses.replace(params.core(), time_limit=max(remaining(), 0.1), solution_limit=1,
                                   first_solution=strategy)
        return vrp.solve(problem, core)

    best, hit = None, False
    scarce = _scarce_vehicles(problem) if params.scarce_share > 0 else None
    if scarce is not None:
        best = _decomposed(problem, params, scarce, until)
        hit = best.hit_time_limit
    for strategy in (params.first_solution, params.fallback_first_solution):
        if strategy is None or (best is not None and best.objective is not None and not best.dropped) \
                or (best is not None and remaining() <= 0.1):
            continue
        other = first(strategy)
        hit = hit or other.hit_time_limit
        if best is None or _better(other, best):
            best = other
    return best, hit


def _improve(problem: vrp.Problem, params: ShuttleParams, best: vrp.RoutingResult, hit: bool,
             until: float) -> vrp.RoutingResult:
    """``best`` improved by the metaheuristic until ``until``, warm-started from its routes."""
    def remaining() -> float:
        return until - _time.perf_counter()

    if params.solution_limit == 1 or remaining() <= 0.1 or not best.routes:
        return dataclasses.replace(best, hit_time_limit=hit or remaining() <= 0.1)
    warm = {route.vehicle: route.requests for route in best.routes}
    improved = vrp.solve(problem, dataclasses.replace(params.core(), time_limit=remaining()), initial_routes=warm)
    hit = hit or improved.hit_time_limit
    return dataclasses.replace(improved if not _better(best, improved) else best, hit_time_limit=hit)


# --------------------------------------------------------------------------- #
# Split parties: pieces inserted into the plan, then improved with the rest
# --------------------------------------------------------------------------- #


def _route_ok(problem: vrp.Problem, vehicle: vrp.VehicleSpec, sequence: list[str],
              requests: dict[str, vrp.Request]) -> bool:
    """Whether ``vehicle`` can drive ``sequence`` (request ids, a pair's twice) on time
    and within its capacities: the core's rules, each stop started as early as it can."""
    tt = problem.travel_time
    clock, location = vehicle.shift.start, vehicle.start
    load: dict[str, int] = {}
    aboard: set[str] = set()
    for rid in sequence:
        r = requests[rid]
        boarding = rid not in aboard
        stop = r.pickup if boarding else r.delivery
        clock = max(clock + tt[location][stop.location], stop.window.start)
        if clock > stop.window.end:
            return False
        clock += stop.service
        location = stop.location
        for dim, q in r.demand.items():
            load[dim] = load.get(dim, 0) + (q if boarding else -q)
            if load[dim] > vehicle.capacities.get(dim, 0):
                return False
        (aboard.add if boarding else aboard.discard)(rid)
    return clock + tt[location][vehicle.end] <= vehicle.shift.end


def _cheapest_insertion(problem: vrp.Problem, routes: dict[str, list[str]], piece: vrp.Request,
                        requests: dict[str, vrp.Request], avoid: set[str]) -> tuple[int, str, list[str]] | None:
    """The cheapest place for one piece: (added cost, vehicle, new route), or ``None``.

    A position is skipped when the stop it would come before must start before the
    piece's window opens (it could not follow the piece); the scan ends at a position
    after a stop that starts after the window closes, as every later one is after it
    too.
    """
    dist = problem.distance
    best = None
    for vehicle in problem.vehicles:
        if vehicle.id in avoid or any(q > vehicle.capacities.get(d, 0) for d, q in piece.demand.items()):
            continue
        route = routes.get(vehicle.id, [])
        seen: set[str] = set()
        stops = []  # the stop at each position of the route
        for rid in route:
            stops.append(requests[rid].delivery if rid in seen else requests[rid].pickup)
            seen.add(rid)
        locations = [vehicle.start] + [s.location for s in stops] + [vehicle.end]

        def added(k: int, location: int) -> int:  # detour of visiting location between k-1 and k
            a, b = locations[k], locations[k + 1]
            return dist[a][location] + dist[location][b] - dist[a][b]

        for i in range(len(route) + 1):
            if i < len(route) and stops[i].window.end < piece.pickup.window.start:
                continue
            if i > 0 and stops[i - 1].window.start > piece.pickup.window.end:
                break
            with_pickup = route[:i] + [piece.id] + route[i:]
            if not _route_ok(problem, vehicle, with_pickup[:i + 1], requests):
                continue
            for j in range(i + 1, len(with_pickup) + 1):
                if j < len(with_pickup) and stops[j - 1].window.end < piece.delivery.window.start:
                    continue
                if j > i + 1 and stops[j - 2].window.start > piece.delivery.window.end:
                    break
                sequence = with_pickup[:j] + [piece.id] + with_pickup[j:]
                if not _route_ok(problem, vehicle, sequence, requests):
                    continue
                locs = locations[:i + 1] + [piece.pickup.location] + locations[i + 1:]
                cost_pickup = added(i, piece.pickup.location)
                a, b = locs[j], locs[j + 1]
                detour = dist[a][piece.delivery.location] + dist[piece.delivery.location][b] - dist[a][b]
                cost = (cost_pickup + detour) * vehicle.cost_per_distance + (0 if route else vehicle.fixed_cost)
                if best is None or cost < best[0]:
                    best = (cost, vehicle.id, sequence)
    return best


def _insert_pieces(problem: vrp.Problem, routes: dict[str, list[str]], offers: list[_Offer],
                   known: list[vrp.Request] = ()) -> tuple[dict[str, list[str]], list[str]]:
    """Routes with the pieces of as many offered transfers as fit, and those transfers.

    Transfer by transfer (earliest deadline first), each piece, largest first, goes
    where it costs least on a vehicle no other piece of its party uses; a transfer
    whose pieces do not all fit is left out whole (its pieces are all or none).
    ``known`` are other pieces the routes may hold.
    """
    requests = {r.id: r for r in problem.requests}
    requests.update({p.id: p for p in known})
    requests.update({p.id: p for offer in offers for p in offer.requests})
    routes = {vid: list(seq) for vid, seq in routes.items()}
    placed = []
    for offer in sorted(offers, key=lambda o: (o.requests[0].delivery.window.end, o.transfer)):
        trial, used = dict(routes), set()
        for piece in offer.requests:
            found = _cheapest_insertion(problem, trial, piece, requests, used)
            if found is None:
                break
            _, vid, sequence = found
            trial[vid] = sequence
            used.add(vid)
        else:
            routes = trial
            placed.append(offer.transfer)
    return routes, placed


def _whole_splits(result: vrp.RoutingResult, offers: list[_Offer]) -> dict[str, list[str]]:
    """The routes of a relaxed search, keeping only complete splits.

    A party's pieces stay when all of them ride, each in its own vehicle, and the whole
    party does not; otherwise they leave the routes (removing a pair keeps a route on
    time: the vehicle only drives a shorter way).
    """
    vehicle_of = {rid: route.vehicle for route in result.routes for rid in route.requests}
    kept = {offer.transfer for offer in offers
            if offer.transfer not in vehicle_of and all(p.id in vehicle_of for p in offer.requests)
            and len({vehicle_of[p.id] for p in offer.requests}) == len(offer.requests)}
    return {route.vehicle: [rid for rid in route.requests
                            if not _transfer_of(rid)[1] or _transfer_of(rid)[0] in kept]
            for route in result.routes}


def _served_transfers(result: vrp.RoutingResult) -> set[str]:
    return {_transfer_of(rid)[0] for route in result.routes for rid in route.requests}


def _search_with_splits(built: _Built, params: ShuttleParams) -> tuple[vrp.RoutingResult | None, set[str]]:
    """The plan, splitting parties that it would otherwise leave out.

    1. The first plans without splits (:func:`_first_plans`) but the fallback. When
       they serve every party that may split, the rest is :func:`_search`'s (the
       fallback if they leave someone out, then the improvement).
    2. Else the parties left out that may split are offered as pieces. The plan:
       whole sets of pieces inserted where they fit the first plan's routes as they
       are (:func:`_insert_pieces`), or the fallback strategy's plan built with the
       pieces offered, whichever serves more.
    3. The routing core improves it for the time left with the pieces relaxed (each
       droppable on its own, :class:`solvers.vrp.Split`): OR-Tools' moves insert one
       pair at a time and could never add a tied split.
    4. Only complete splits stay (:func:`_whole_splits`), whole sets of pieces are
       inserted where the removed ones made room, and the routing core reads the routes
       back with the pieces tied (all or none, each on its own vehicle).

    Returns the result and the transfers offered as pieces.
    """
    until = _time.perf_counter() + params.time_limit
    problem, offers = built.problem, built.offers

    def remaining() -> float:
        return until - _time.perf_counter()

    def first(on: vrp.Problem, strategy: str) -> vrp.RoutingResult:
        return vrp.solve(on, dataclasses.replace(params.core(), time_limit=max(remaining() - _READ_RESERVE, 0.1),
                                                 solution_limit=1, first_solution=strategy))

    fallback = params.fallback_first_solution
    quick = dataclasses.replace(params, fallback_first_solution=None)
    best, hit = _first_plans(problem, quick, until) if problem.requests else (None, False)
    served = _served_transfers(best) if best is not None else set()
    candidates = [offer for tid, offer in offers.items() if tid not in served]
    if not candidates:
        if best is not None and best.dropped and fallback is not None and remaining() > 0.1:
            other = first(problem, fallback)
            hit = hit or other.hit_time_limit
            best = other if _better(other, best) else best
        return (_improve(problem, params, best, hit, until) if best is not None else None), set()
    tried = {offer.transfer for offer in candidates}
    routes = {route.vehicle: route.requests for route in best.routes} if best is not None else {}
    routes, placed = _insert_pieces(problem, routes, candidates)
    pieces = [p for offer in candidates for p in offer.requests]
    relaxed = dataclasses.replace(
        problem, requests=list(problem.requests) + pieces,
        splits=[dataclasses.replace(offer.split, all_or_none=False) for offer in candidates])
    if fallback is not None and remaining() > _READ_RESERVE + 0.1:
        fresh = first(relaxed, fallback)
        hit = hit or fresh.hit_time_limit
        if fresh.objective is not None:
            afresh = _whole_splits(fresh, candidates)
            if len({_transfer_of(rid)[0] for seq in afresh.values() for rid in seq}) > len(served) + len(placed):
                routes = afresh
    if params.solution_limit != 1 and remaining() > _READ_RESERVE + 0.1:
        core = dataclasses.replace(params.core(), time_limit=remaining() - _READ_RESERVE)
        searched = vrp.solve(relaxed, core, initial_routes={vid: seq for vid, seq in routes.items() if seq})
        hit = hit or searched.hit_time_limit
        if searched.objective is not None:
            routes = _whole_splits(searched, candidates)
            # Pieces left in part made room: whole sets may fit now.
            on_board = {_transfer_of(rid)[0] for seq in routes.values() for rid in seq}
            routes, _ = _insert_pieces(problem, routes, [o for o in candidates if o.transfer not in on_board], pieces)
    tied = dataclasses.replace(problem, requests=list(problem.requests) + pieces,
                               splits=[offer.split for offer in candidates])
    read = dataclasses.replace(params.core(), time_limit=max(remaining(), 0.1), solution_limit=1)
    result = vrp.solve(tied, read, initial_routes={vid: seq for vid, seq in routes.items() if seq})
    if best is not None and len(_served_transfers(result)) < len(served):
        # The routes were not read back: keep the first plan without splits.
        return dataclasses.replace(best, hit_time_limit=hit or result.hit_time_limit), tried
    return dataclasses.replace(result, hit_time_limit=hit or result.hit_time_limit), tried


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
# A lower bound on the fleet time a window's transfers need
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class WindowLoad:
    """The busiest window of one group of vehicle types, by a lower bound.

    ``transfers`` are those that only ``types`` (``vehicles`` vehicles in all) can take
    and whose whole window lies in ``[start, end]``. They need at least ``need``
    seconds of those vehicles' time there (see :func:`fleet_load`); the vehicles have
    ``have``. When ``need > have``, at least ``at_least_unserved`` of them cannot be
    served by any plan.
    """

    types: tuple[str, ...]
    vehicles: int
    start: datetime
    end: datetime
    transfers: tuple[str, ...]
    need: int
    have: int
    at_least_unserved: int

    @property
    def ratio(self) -> float:
        """Need over have: above 1, the window is overloaded whatever the plan."""
        return self.need / self.have if self.have else float("inf")

    def describe(self) -> str:
        """The bound in words, for an unserved transfer's reason."""
        vehicles = f"{self.vehicles} vehicle{'s' if self.vehicles != 1 else ''} ({', '.join(self.types)})"
        return (f"fleet too small: {len(self.transfers)} transfers with windows inside {self.start:%H:%M}-"
                f"{self.end:%H:%M} need at least {self.need // 60} min of the {vehicles} that can take them "
                f"(boarding, and their seats and luggage over the direct drive), which "
                f"{'have' if self.vehicles != 1 else 'has'} {self.have // 60} min there: at least "
                f"{self.at_least_unserved} of them cannot be served")


def _fits(festival: Festival, t: Transfer) -> frozenset[str]:
    return frozenset(v.id for v in festival.fleet
                     if t.party <= v.seats and litres_up(t.luggage_m3) <= litres_down(v.luggage_m3))


def fleet_load(festival: Festival, matrix: TravelMatrix | None = None) -> list[WindowLoad]:
    """Per group of vehicle types, the window whose transfers load it most.

    A transfer that only the types of a group ``F`` can take must be served by the
    vehicles of ``F`` within its own window. For the transfers whose windows lie in
    ``[a, b]`` those vehicles spend, inside ``[a, b]``, at least the boarding time of
    each (a vehicle serves one stop at a time) plus the driving that carries them: a
    party of ``p`` with ``l`` litres is on board for at least the direct drive ``d``
    (less a minute, for rounding; legs keep the triangle inequality), so the driving
    is at least ``max(sum p*d / most seats, sum l*d / largest hold)``. Empty driving
    is not counted, so the bound is optimistic: a window over it cannot be served by
    any plan; one under it may still be too busy.

    Parameters
    ----------
    festival : Festival
    matrix : TravelMatrix, optional
        Road legs; :func:`travel_table` when omitted.

    Returns
    -------
    list of WindowLoad
        One per group that some transfer needs (largest ratio first); transfers that no
        vehicle takes alone (see :func:`unservable_reason`) are left out.
    """
    matrix = matrix or travel_table(festival)
    types = {v.id: v for v in festival.fleet}
    fits = {t.id: _fits(festival, t) for t in festival.transfers
            if unservable_reason(festival, matrix, t) is None}
    items = []
    for t in festival.transfers:
        if t.id in fits:
            drive = max(0, minutes_to_seconds(matrix.leg(t.origin, t.destination).minutes - 1))
            items.append((_seconds(festival, t.earliest_pickup), _seconds(festival, t.latest_arrival),
                          _service_seconds(festival, t), t.party * drive, litres_up(t.luggage_m3) * drive, t))
    loads = []
    for group in sorted(set(fits.values()), key=lambda g: (len(g), sorted(g))):
        members = [item for item in items if fits[item[5].id] <= group]
        vehicles = sum(types[k].count for k in group)
        seats = max(types[k].seats for k in group)
        hold = max(litres_down(types[k].luggage_m3) for k in group) or 1
        best = None
        for a in sorted({m[0] for m in members}):
            inside = sorted((m for m in members if m[0] >= a), key=lambda m: m[1])
            boarding = carried_seats = carried_luggage = 0
            for k, m in enumerate(inside):
                boarding, carried_seats, carried_luggage = boarding + m[2], carried_seats + m[3], \
                    carried_luggage + m[4]
                if k + 1 < len(inside) and inside[k + 1][1] == m[1]:
                    continue  # same end: take the window with all of them
                need = boarding + max(-(-carried_seats // seats), -(-carried_luggage // hold))
                have = vehicles * (m[1] - a)
                if best is None or need * best[3] > best[2] * have:
                    best = (a, m[1], need, have, inside[:k + 1])
        a, b, need, have, inside = best
        loads.append(WindowLoad(
            tuple(sorted(group)), vehicles, festival.at(a), festival.at(b), tuple(m[5].id for m in inside),
            need, have, _at_least_unserved(inside, need, have, seats, hold)))
    loads.sort(key=lambda w: -w.ratio)
    return loads


def _at_least_unserved(inside: list, need: int, have: int, seats: int, hold: int) -> int:
    # Leaving a transfer out frees at most its boarding plus its own share of the
    # driving; leaving out the largest first gives the fewest that must go.
    frees = sorted((m[2] + max(-(-m[3] // seats), -(-m[4] // hold)) for m in inside), reverse=True)
    count = 0
    for freed in frees:
        if need <= have:
            break
        need -= freed
        count += 1
    return count


# --------------------------------------------------------------------------- #
# Build
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Offer:
    """How a transfer may split: its pieces as requests of their own, tied by ``split``.

    ``sizes`` are (people, luggage m3) per piece, largest first; ``unfit`` is the reason
    no vehicle takes the party whole (then only the pieces are offered), else ``None``.
    """

    transfer: str
    sizes: tuple[tuple[int, float], ...]
    requests: tuple[vrp.Request, ...]
    split: vrp.Split
    unfit: str | None = None


@dataclass(frozen=True)
class _Built:
    problem: vrp.Problem
    matrix: TravelMatrix
    reasons: dict[str, str]  # transfer id -> reason found before solving
    offers: dict[str, _Offer] = dataclasses.field(default_factory=dict)  # transfer id -> how it may split


def piece_sizes(festival: Festival, t: Transfer) -> tuple[tuple[int, float], ...]:
    """The pieces a party would ride in when split: (people, luggage m3), largest first.

    Never more pieces than needed: the fewest (2 up to ``max_pieces``) that each fit a
    vehicle type the whole party does not fit (a party of ten that only a minibus takes
    splits into two vans' worth, a van party into car-sized pieces), else the fewest
    that fit any vehicle. People split as evenly as they can, luggage in proportion.
    Empty when the party may not split (one person, ``split_ok`` no, ``max_pieces`` 1)
    or no such pieces fit the fleet (each piece rides in its own vehicle).
    """
    if not t.splittable:
        return ()

    def fits(people: int, m3: float, v) -> bool:
        return people <= v.seats and litres_up(m3) <= litres_down(v.luggage_m3)

    def pieces(k: int) -> tuple[tuple[int, float], ...]:
        people = [t.party // k + (1 if i < t.party % k else 0) for i in range(k)]
        return tuple((p, t.luggage_m3 * p / t.party) for p in people)

    counts = range(2, min(festival.settings.max_pieces, t.party, len(festival.vehicles())) + 1)
    smaller = [v for v in festival.fleet if not fits(t.party, t.luggage_m3, v)]
    for group in (smaller, festival.fleet):
        for k in counts:
            if all(any(fits(p, m3, v) for v in group) for p, m3 in pieces(k)):
                return pieces(k)
    return ()


def _sizes_text(sizes) -> str:
    return " + ".join(str(people) for people, _ in sizes)


def build_problem(festival: Festival, matrix: TravelMatrix | None = None) -> _Built:
    """The routing-core problem of a festival day (public for the benchmark's baseline)."""
    matrix = matrix or travel_table(festival)
    location = {place_id: i for i, place_id in enumerate(matrix.ids)}
    travel = [[minutes_to_seconds(m) for m in row] for row in matrix.minutes]

    reasons = {}
    requests = []
    offers = {}
    penalty = money_to_cents(festival.settings.unserved_penalty) * _COST_SCALE
    piece_cost = money_to_cents(festival.settings.extra_piece_cost) * _COST_SCALE

    def request(rid: str, t: Transfer, people: int, m3: float) -> vrp.Request:
        service = int(festival.settings.service(people).total_seconds())
        earliest = _seconds(festival, t.earliest_pickup)
        latest = _seconds(festival, t.latest_arrival)
        direct = travel[location[t.origin]][location[t.destination]]
        return vrp.Request(
            id=rid,
            pickup=vrp.Stop(location[t.origin], vrp.TimeWindow(earliest, latest - direct - service), service),
            delivery=vrp.Stop(location[t.destination], vrp.TimeWindow(earliest + service + direct, latest), service),
            demand={SEATS: people, LUGGAGE: litres_up(m3)},
            penalty=penalty,
        )

    for t in festival.transfers:
        unfit = _capacity_reason(festival, t)
        late = _time_reason(festival, matrix, t)
        sizes = piece_sizes(festival, t) if late is None else ()
        if late is not None or (unfit is not None and not sizes):
            # Kept out of the model: the reason says more than the core's.
            reasons[t.id] = unfit or late
            continue
        if unfit is None:
            requests.append(request(t.id, t, t.party, t.luggage_m3))
        if sizes:
            pieces = tuple(request(_piece_id(t.id, k), t, people, m3) for k, (people, m3) in enumerate(sizes, 1))
            offers[t.id] = _Offer(t.id, sizes, pieces, vrp.Split(t.id, tuple(p.id for p in pieces), penalty,
                                                                  piece_cost * (len(pieces) - 1)), unfit)

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
    return _Built(problem, matrix, reasons, offers)


def _piece_id(transfer_id: str, number: int) -> str:
    # '#' cannot occur in a transfer id (touring.io.schema.parse_id).
    return f"{transfer_id}#{number}"


def _transfer_of(request_id: str) -> tuple[str, int]:
    """(transfer id, piece number; 0 for a whole party) of a request id."""
    transfer, _, number = request_id.partition("#")
    return transfer, int(number) if number else 0


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


def _runs(festival: Festival, problem: vrp.Problem, route: vrp.Route, matrix: TravelMatrix,
          offers: dict[str, _Offer]) -> tuple[VehicleRuns, list[tuple[str, int, str, ShuttleStop, ShuttleStop]]]:
    """A vehicle's runs, and per party or piece it carries (transfer, piece, vehicle, board, alight)."""
    transfers = {t.id: t for t in festival.transfers}
    schedule = _left_shift(problem, route) or [
        (v, v.arrival, v.start, v.departure) for v in route.stops if v.request is not None]
    runs: list[Run] = []
    served: dict[tuple[str, int], list[ShuttleStop]] = {}
    current: list[ShuttleStop] = []
    on_board = 0
    for visit, arrival, start, departure in schedule:
        tid, number = _transfer_of(visit.request)
        t = transfers[tid]
        people = offers[tid].sizes[number - 1][0] if number else t.party
        board = visit.kind == "pickup"
        stop = ShuttleStop(matrix.ids[visit.location], festival.at(arrival), festival.at(start),
                           festival.at(departure), t.id, "board" if board else "alight", t.who, people, number)
        current.append(stop)
        served.setdefault((tid, number), []).append(stop)
        on_board += people if board else -people
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
    return vehicle, [(tid, number, route.vehicle, stops[0], stops[-1]) for (tid, number), stops in served.items()]


def _served(carried: list, offers: dict[str, _Offer]) -> list[Served]:
    """One :class:`Served` per transfer; a split one with its pieces, largest first."""
    by_transfer: dict[str, list] = {}
    for tid, number, vehicle, board, alight in carried:
        by_transfer.setdefault(tid, []).append((number, vehicle, board, alight))
    served = []
    for tid, items in by_transfer.items():
        items.sort(key=lambda item: item[0])
        if items[0][0] == 0:
            _, vehicle, board, alight = items[0]
            served.append(Served(tid, vehicle, board.start, alight.start))
            continue
        sizes = offers[tid].sizes
        pieces = tuple(Piece(number, vehicle, sizes[number - 1][0], sizes[number - 1][1], board.start, alight.start)
                       for number, vehicle, board, alight in items)
        served.append(Served(tid, pieces[0].vehicle, min(p.pickup for p in pieces), max(p.arrival for p in pieces),
                             pieces))
    return served


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
    offers = built.offers
    if not built.problem.requests and not offers:
        result, tried = None, set()
    else:
        # The time limit covers building the model too: "within 60 s" is the whole call.
        budget = max(params.time_limit - (_time.perf_counter() - started), 0.1)
        result, tried = _search_with_splits(built, dataclasses.replace(params, time_limit=budget))
    vehicles, served = [], []
    unserved = dict(built.reasons)
    by_id = {t.id: t for t in festival.transfers}
    if result is not None:
        # The bound counts whole parties on the window's vehicle types; pieces on those
        # types only need more time (a boarding each), but pieces that fit other types
        # may leave the window's vehicles: then the bound proves nothing.
        types = dict(festival.vehicles())

        def escapes(tid: str, window: WindowLoad) -> bool:
            return tid in offers and any(
                people <= v.seats and litres_up(m3) <= litres_down(v.luggage_m3)
                for people, m3 in offers[tid].sizes for v in types.values() if v.id not in window.types)

        overloaded = {tid: w for w in fleet_load(festival, built.matrix)
                      if w.at_least_unserved and not any(escapes(tid, w) for tid in w.transfers)
                      for tid in w.transfers} if result.dropped else {}
        every = dataclasses.replace(built.problem, requests=list(built.problem.requests)
                                    + [p for offer in offers.values() for p in offer.requests])
        carried = []
        for route in result.routes:
            vehicle, done = _runs(festival, every, route, built.matrix, offers)
            vehicles.append(vehicle)
            carried += done
        served = _served(carried, offers)
        for rid, reason in result.dropped.items():
            if rid in unserved:
                continue
            if rid in overloaded:
                unserved[rid] = overloaded[rid].describe()
            elif rid in offers and offers[rid].unfit:
                unserved[rid] = offers[rid].unfit
            elif reason.startswith("dropped by the solver"):
                unserved[rid] = _solver_reason(festival, by_id[rid])
            else:
                unserved[rid] = reason
        status, objective, hit = result.status, result.objective, result.hit_time_limit
    else:
        status, objective, hit = "optimal", 0, False
    done = {s.transfer for s in served}
    for tid in offers.keys() - done:
        if tid not in unserved:
            unserved[tid] = offers[tid].unfit or _solver_reason(festival, by_id[tid])
        if tid in tried:
            sizes = offers[tid].sizes
            unserved[tid] += (f"; split as {_sizes_text(sizes)}, no {len(sizes)} vehicles were free to take "
                              f"the pieces at once")
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
