"""Tests of the routing core (solvers/vrp.py) and the Solomon benchmark helpers.

Every rule has a case where it holds and one where it binds; all solves are real
and tiny (well under a second each).
"""

from __future__ import annotations

import dataclasses
import math
import random
import sys
from pathlib import Path

import pytest

# The repository is not installed in the test environment: import from the checkout.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import solomon  # noqa: E402
from solvers import pyvrp_engine  # noqa: E402
from solvers.vrp import (  # noqa: E402
    BreakRule,
    Problem,
    Request,
    SolveParams,
    Split,
    Stop,
    TimeWindow,
    VehicleSpec,
    prefer_vehicles,
    solve,
)

DATA = ROOT / "tests" / "data"
FAST = SolveParams(time_limit=2.0, solution_limit=50, engine="ortools")
# Break intervals make each guided-local-search step slow on tiny instances;
# greedy descent stops at the first local optimum, which is enough there.
DESCENT = SolveParams(time_limit=5.0, engine="ortools", metaheuristic="GREEDY_DESCENT")


def euclid(points: list[tuple[float, float]]) -> list[list[int]]:
    return [[round(math.dist(a, b)) for b in points] for a in points]


def make_problem(points, requests, vehicles, travel=None) -> Problem:
    m = euclid(points)
    return Problem(m, travel or m, requests, vehicles)


def route_of(result, request_id: str):
    return next(r for r in result.routes if request_id in r.requests)


# --------------------------------------------------------------------------- #
# Validation of value types
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "build, field",
    [
        (lambda: TimeWindow(10, 5), "TimeWindow.end"),
        (lambda: Stop(-1), "Stop.location"),
        (lambda: Stop(1, service=-3), "Stop.service"),
        (lambda: Request("", Stop(1)), "Request.id"),
        (lambda: Request("r", Stop(1), demand={"seats": -1}), "Request.demand"),
        (lambda: Request("r", Stop(1), penalty=-5), "Request.penalty"),
        (lambda: VehicleSpec("v", 0, 0, {"seats": 1.5}), "VehicleSpec.capacities"),
        (lambda: VehicleSpec("v", 0, 0, fixed_cost=-1), "VehicleSpec.fixed_cost"),
        (lambda: BreakRule(0, 45), "BreakRule.max_driving"),
        (lambda: Problem([[0, 1]], [[0]], [], [VehicleSpec("v", 0, 0)]), "Problem.distance"),
        (lambda: Problem([[0]], [[0]], [Request("r", Stop(3))], [VehicleSpec("v", 0, 0)]),
         "Problem.requests"),
        (lambda: Problem([[0]], [[0]], [], []), "Problem.vehicles"),
        (lambda: Problem([[0, 1], [1, 0]], [[0, 1], [1, 0]],
                         [Request("r", Stop(1)), Request("r", Stop(1))], [VehicleSpec("v", 0, 0)]),
         "Problem.requests"),
        (lambda: SolveParams(engine="gurobi"), "SolveParams.engine"),
        (lambda: SolveParams(first_solution="MAGIC"), "SolveParams.first_solution"),
    ],
)
def test_invalid_values_raise_naming_the_field(build, field):
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        build()


# --------------------------------------------------------------------------- #
# Capacity: seats, volume, weight
# --------------------------------------------------------------------------- #

CAPS = {"seats": 8, "volume_dm3": 6000, "payload_kg": 1000}


@pytest.mark.parametrize("dimension, each", [("seats", 5), ("volume_dm3", 3500), ("payload_kg", 600)])
def test_capacity_splits_the_run_when_it_binds(dimension, each):
    # Two neighbouring requests; together they exceed one dimension only.
    small = {d: 1 for d in CAPS}
    requests = [Request(f"r{i}", Stop(i), demand={**small, dimension: each}) for i in (1, 2)]
    vans = [VehicleSpec(f"van{k}", 0, 0, CAPS) for k in range(2)]
    result = solve(make_problem([(0, 0), (10, 0), (11, 0)], requests, vans), FAST)
    assert result.feasible
    assert len(result.routes) == 2
    for route in result.routes:
        assert all(s.load[dimension] <= CAPS[dimension] for s in route.stops)


@pytest.mark.parametrize("dimension, each", [("seats", 4), ("volume_dm3", 3000), ("payload_kg", 500)])
def test_capacity_holds_one_run_serves_both(dimension, each):
    small = {d: 1 for d in CAPS}
    requests = [Request(f"r{i}", Stop(i), demand={**small, dimension: each}) for i in (1, 2)]
    vans = [VehicleSpec(f"van{k}", 0, 0, CAPS) for k in range(2)]
    result = solve(make_problem([(0, 0), (10, 0), (11, 0)], requests, vans), FAST)
    assert len(result.routes) == 1
    # Single visits are delivered from the depot: full at the start, empty at the end.
    stops = result.routes[0].stops
    assert stops[0].load[dimension] == 2 * each
    assert stops[-1].load[dimension] == 0


# --------------------------------------------------------------------------- #
# Driving rules: 45 min break after 4 h 30, 9 h a day
# --------------------------------------------------------------------------- #

EU_BREAK = BreakRule(max_driving=270, break_duration=45)
DAY = TimeWindow(0, 24 * 60)


def test_break_is_inserted_when_driving_exceeds_four_and_a_half_hours():
    # Depot, a stop 200 min out, another 200 min further: 400 min before the 2nd stop.
    points = [(0, 0), (200, 0), (400, 0)]
    requests = [Request("a", Stop(1)), Request("b", Stop(2))]
    truck = VehicleSpec("truck", 0, 0, shift=DAY, break_rule=EU_BREAK)
    result = solve(make_problem(points, requests, [truck]), DESCENT)
    assert result.feasible
    route = result.routes[0]
    by_id = {s.request: s for s in route.stops}
    assert route.breaks, "a break is required"
    assert all(duration >= 45 for _, duration in route.breaks)
    # The break falls between leaving the depot and reaching b.
    assert by_id["b"].start >= 400 + 45
    first_break = route.breaks[0][0]
    assert first_break <= 270


def test_no_break_delay_when_driving_stays_under_the_limit():
    points = [(0, 0), (100, 0)]
    truck = VehicleSpec("truck", 0, 0, shift=DAY, break_rule=EU_BREAK)
    result = solve(make_problem(points, [Request("a", Stop(1))], [truck]), DESCENT)
    route = result.routes[0]
    assert route.stops[1].start == 100
    assert route.stops[-1].start == 200


def test_break_rule_without_room_for_the_break_drops_the_request():
    # 400 min to b needs a break; the window closes before it can be taken.
    points = [(0, 0), (200, 0), (400, 0)]
    requests = [Request("b", Stop(2, TimeWindow(0, 420)), penalty=1000)]
    truck = VehicleSpec("truck", 0, 0, shift=DAY, break_rule=EU_BREAK)
    result = solve(make_problem(points, requests, [truck]), DESCENT)
    assert "b" in result.dropped


def test_daily_driving_limit_splits_work_between_drivers():
    # Each request alone is 2 x 250 = 500 min of driving; both on one route is 700.
    points = [(0, 0), (250, 0), (0, 250)]
    requests = [Request("east", Stop(1)), Request("north", Stop(2))]
    trucks = [VehicleSpec(f"t{k}", 0, 0, shift=DAY, max_driving=540) for k in range(2)]
    result = solve(make_problem(points, requests, trucks), FAST)
    assert result.feasible
    assert len(result.routes) == 2
    assert all(r.driving <= 540 for r in result.routes)


def test_daily_driving_limit_holds_one_route():
    points = [(0, 0), (100, 0), (100, 50)]
    requests = [Request("east", Stop(1)), Request("north", Stop(2))]
    trucks = [VehicleSpec(f"t{k}", 0, 0, shift=DAY, max_driving=540) for k in range(2)]
    result = solve(make_problem(points, requests, trucks), FAST)
    assert len(result.routes) == 1


def test_span_limit_splits_a_day_too_long_for_one_duty_window():
    # Two jobs far apart in time: one route would be on duty from 100 to 900.
    points = [(0, 0), (50, 0), (0, 50)]
    requests = [Request("morning", Stop(1, TimeWindow(100, 100))),
                Request("evening", Stop(2, TimeWindow(900, 900)))]
    cars = [VehicleSpec(f"c{k}", 0, 0, shift=DAY, max_span=600) for k in range(2)]
    result = solve(make_problem(points, requests, cars), FAST)
    assert result.feasible and not result.dropped
    assert len(result.routes) == 2
    assert all(r.stops[-1].arrival - r.stops[0].departure <= 600 for r in result.routes)


def test_span_limit_holds_one_route_serves_both():
    points = [(0, 0), (50, 0), (0, 50)]
    requests = [Request("morning", Stop(1, TimeWindow(100, 100))),
                Request("noon", Stop(2, TimeWindow(300, 300)))]
    cars = [VehicleSpec(f"c{k}", 0, 0, shift=DAY, max_span=600, fixed_cost=1000) for k in range(2)]
    result = solve(make_problem(points, requests, cars), FAST)
    assert len(result.routes) == 1


def test_request_longer_than_the_span_alone_is_dropped_with_time_reason():
    points = [(0, 0), (500, 0)]
    cars = [VehicleSpec("c", 0, 0, shift=DAY, max_span=600)]
    result = solve(make_problem(points, [Request("far", Stop(1))], cars), FAST)
    assert result.dropped["far"].startswith("time:")


def _two_depots_one_customer():
    # The customer sits next to depot B: vehicle "b" is far cheaper.
    points = [(0, 0), (100, 0), (98, 0)]
    vehicles = [VehicleSpec("a", 0, 0, shift=DAY), VehicleSpec("b", 1, 1, shift=DAY)]
    return make_problem(points, [Request("c", Stop(2), penalty=10**6)], vehicles)


def test_a_vehicle_change_penalty_keeps_the_request_on_its_vehicle():
    kept = prefer_vehicles(_two_depots_one_customer(), {"a": ["c"]}, penalty=10**5)
    result = solve(kept, FAST)
    assert route_of(result, "c").vehicle == "a"


def test_a_small_vehicle_change_penalty_lets_the_cheaper_vehicle_win():
    cheap = prefer_vehicles(_two_depots_one_customer(), {"a": ["c"]}, penalty=10)
    result = solve(cheap, FAST)
    assert route_of(result, "c").vehicle == "b"
    # The change is paid in the objective: the arc cost (2 + 2) plus the penalty.
    assert result.objective == 4 + 10


# --------------------------------------------------------------------------- #
# Pickup and delivery, time windows, depots
# --------------------------------------------------------------------------- #


def test_pickup_and_delivery_same_vehicle_pickup_first():
    # The delivery (hotel, 2) is closer to the depot than the pickup (venue, 1):
    # a route ignoring the pair would visit it first.
    points = [(0, 0), (50, 0), (10, 0), (30, 30)]
    requests = [
        Request("crew", Stop(1), delivery=Stop(2), demand={"seats": 6}),
        Request("extra", Stop(3), demand={"seats": 1}),
    ]
    vans = [VehicleSpec(f"van{k}", 0, 0, {"seats": 8}) for k in range(2)]
    result = solve(make_problem(points, requests, vans), FAST)
    route = route_of(result, "crew")
    kinds = [(s.request, s.kind) for s in route.stops if s.request == "crew"]
    assert kinds == [("crew", "pickup"), ("crew", "delivery")]
    pick = next(s for s in route.stops if s.kind == "pickup")
    drop = next(s for s in route.stops if s.kind == "delivery")
    assert pick.start <= drop.start
    assert pick.load["seats"] - drop.load["seats"] == 6


def test_pairs_never_overload_seats_on_board():
    # Two crews of 5 from the hotel (1) to two venues (2, 3); vans seat 8, so the
    # crews cannot ride together: two runs, or one run that drops the first
    # crew before picking up the second.
    points = [(0, 0), (10, 0), (20, 0), (21, 0)]
    requests = [Request(f"crew{k}", Stop(1), delivery=Stop(2 + k), demand={"seats": 5}) for k in (0, 1)]
    vans = [VehicleSpec(f"van{k}", 0, 0, {"seats": 8}) for k in range(2)]
    result = solve(make_problem(points, requests, vans), FAST)
    assert result.feasible
    for route in result.routes:
        assert max(s.load["seats"] for s in route.stops) <= 8
    roomy = [VehicleSpec(f"van{k}", 0, 0, {"seats": 10}) for k in range(2)]
    together = solve(make_problem(points, requests, roomy), FAST)
    assert len(together.routes) == 1
    assert max(s.load["seats"] for s in together.routes[0].stops) == 10


def test_pair_larger_than_any_vehicle_is_dropped_with_capacity_reason():
    points = [(0, 0), (50, 0), (10, 0)]
    requests = [Request("band", Stop(1), delivery=Stop(2), demand={"seats": 12}, penalty=10_000)]
    result = solve(make_problem(points, requests, [VehicleSpec("van", 0, 0, {"seats": 8})]), FAST)
    assert result.feasible
    assert result.routes == ()
    assert result.dropped["band"].startswith("capacity")
    assert "seats 12 > largest capacity 8" in result.dropped["band"]


def test_unreachable_window_is_dropped_with_time_reason():
    points = [(0, 0), (100, 0), (5, 0)]
    requests = [
        Request("late", Stop(1, TimeWindow(0, 50)), penalty=10_000),
        Request("ok", Stop(2, TimeWindow(0, 50))),
    ]
    result = solve(make_problem(points, requests, [VehicleSpec("van", 0, 0)]), FAST)
    assert result.feasible
    assert result.dropped["late"].startswith("time")
    assert route_of(result, "ok")


def test_mandatory_unservable_request_makes_the_result_infeasible():
    points = [(0, 0), (100, 0)]
    requests = [Request("late", Stop(1, TimeWindow(0, 50)))]
    result = solve(make_problem(points, requests, [VehicleSpec("van", 0, 0)]), FAST)
    assert result.status == "infeasible"
    assert not result.feasible
    assert "late" in result.dropped


def test_optional_request_not_worth_its_penalty_is_dropped_by_the_solver():
    points = [(0, 0), (100, 0)]
    result = solve(make_problem(points, [Request("far", Stop(1), penalty=10)], [VehicleSpec("v", 0, 0)]),
                   FAST)
    assert result.dropped["far"].startswith("dropped by the solver")
    assert result.objective == 10


def test_time_windows_bound_the_start_of_service():
    points = [(0, 0), (10, 0)]
    requests = [Request("a", Stop(1, TimeWindow(30, 40), service=100))]
    result = solve(make_problem(points, requests, [VehicleSpec("v", 0, 0, shift=TimeWindow(0, 200))]), FAST)
    stop = result.routes[0].stops[1]
    assert stop.arrival <= stop.start
    assert 30 <= stop.start <= 40
    assert stop.departure == stop.start + 100 > 40  # service may end after the window


def test_waiting_for_a_window_delays_the_next_stop():
    # b opens at 100 although the van reaches it at 20: it waits.
    points = [(0, 0), (10, 0), (20, 0)]
    requests = [Request("a", Stop(1, TimeWindow(0, 15))), Request("b", Stop(2, TimeWindow(100, 120)))]
    result = solve(make_problem(points, requests, [VehicleSpec("v", 0, 0)]), FAST)
    stops = {s.request: s for s in result.routes[0].stops}
    assert stops["a"].start <= 15
    assert stops["b"].start == 100


def test_vehicle_starts_and_ends_at_different_depots():
    points = [(0, 0), (50, 0), (100, 0)]
    result = solve(make_problem(points, [Request("a", Stop(1))], [VehicleSpec("v", 0, 2)]), FAST)
    route = result.routes[0]
    assert [s.location for s in route.stops] == [0, 1, 2]
    assert route.distance == 100


def test_cost_per_distance_and_fixed_cost_choose_the_vehicle():
    points = [(0, 0), (50, 0)]
    vans = [
        VehicleSpec("cheap_km", 0, 0, cost_per_distance=1, fixed_cost=500),
        VehicleSpec("cheap_fixed", 0, 0, cost_per_distance=3, fixed_cost=0),
    ]
    result = solve(make_problem(points, [Request("a", Stop(1))], vans), FAST)
    assert result.routes[0].vehicle == "cheap_fixed"
    assert result.objective == 300


# --------------------------------------------------------------------------- #
# Determinism and engines
# --------------------------------------------------------------------------- #


def random_problem(n: int = 30, seed: int = 7) -> Problem:
    rng = random.Random(seed)
    points = [(50, 50)] + [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(n)]
    requests = []
    for i in range(1, n + 1):
        ready = rng.randint(0, 600)
        requests.append(Request(f"c{i}", Stop(i, TimeWindow(ready, ready + 120), 10),
                                demand={"seats": rng.randint(1, 4)}))
    vans = [VehicleSpec(f"v{k}", 0, 0, {"seats": 15}, shift=TimeWindow(0, 1000)) for k in range(12)]
    return make_problem(points, requests, vans)


def signature(result):
    return result.objective, [(r.vehicle, r.requests) for r in result.routes]


def test_reproducible_mode_gives_the_same_result_twice():
    problem = random_problem()
    params = SolveParams(time_limit=30, solution_limit=100, engine="ortools")
    first, second = solve(problem, params), solve(problem, params)
    assert not first.hit_time_limit
    assert signature(first) == signature(second)


@pytest.mark.skipif(not pyvrp_engine.available(), reason="pyvrp not installed")
def test_pyvrp_engine_is_checked_by_ortools_and_reproducible():
    problem = random_problem()
    params = SolveParams(time_limit=30, solution_limit=50, iterations=300, engine="pyvrp", seed=3)
    first, second = solve(problem, params), solve(problem, params)
    assert first.engine == "pyvrp+ortools"
    assert first.feasible
    assert signature(first) == signature(second)
    plain = solve(problem, SolveParams(time_limit=30, solution_limit=50, engine="ortools"))
    assert first.objective <= plain.objective


@pytest.mark.skipif(not pyvrp_engine.available(), reason="pyvrp not installed")
def test_pyvrp_routes_go_to_the_right_vehicles_of_a_mixed_fleet():
    # Three people to a far hotel, one minibus (8 seats) and two cars (4 seats) from
    # two depots: a route given to the wrong vehicle would be rejected by OR-Tools.
    points = [(0, 0), (100, 0), (90, 5), (95, 0), (98, 3), (5, 5)]
    requests = [Request(f"p{i}", Stop(i), demand={"seats": 2}) for i in range(1, 5)]
    fleet = [
        VehicleSpec("car1", 0, 0, {"seats": 4}, fixed_cost=10),
        VehicleSpec("bus", 5, 5, {"seats": 8}, fixed_cost=10),
        VehicleSpec("car2", 0, 0, {"seats": 4}, fixed_cost=10),
    ]
    result = solve(make_problem(points, requests, fleet),
                   SolveParams(time_limit=10, solution_limit=5, iterations=200, engine="pyvrp"))
    assert result.engine == "pyvrp+ortools"
    assert [r.vehicle for r in result.routes] == ["bus"]


def test_auto_engine_leaves_rules_pyvrp_lacks_to_ortools():
    points = [(0, 0), (50, 0), (10, 0)]
    requests = [Request("crew", Stop(1), delivery=Stop(2))]
    result = solve(make_problem(points, requests, [VehicleSpec("van", 0, 0)]),
                   SolveParams(time_limit=2, solution_limit=20, engine="auto"))
    assert result.engine == "ortools"
    assert result.feasible


@pytest.mark.skipif(not pyvrp_engine.available(), reason="pyvrp not installed")
def test_auto_engine_leaves_allowed_vehicles_and_the_change_penalty_to_ortools():
    # Two single visits, two vans at the depot: PyVRP models it as it is...
    points = [(0, 0), (50, 0), (0, 50)]
    fleet = [VehicleSpec("van1", 0, 0, fixed_cost=1000), VehicleSpec("van2", 0, 0, fixed_cost=1000)]
    plain = [Request("a", Stop(1)), Request("b", Stop(2))]
    params = SolveParams(time_limit=5, solution_limit=20, iterations=100, engine="auto")
    assert solve(make_problem(points, plain, fleet), params).engine == "pyvrp+ortools"
    # ... and so when the allowed vehicles are the whole fleet, or a kept vehicle costs nothing to change.
    every = [dataclasses.replace(r, vehicles=("van1", "van2")) for r in plain]
    assert pyvrp_engine.can_model(make_problem(points, every, fleet), every)
    free = [dataclasses.replace(r, keep_vehicle="van2") for r in plain]
    assert pyvrp_engine.can_model(make_problem(points, free, fleet), free)
    # A request only van2 may serve, or one that costs a change off van2: not PyVRP's.
    allowed = [dataclasses.replace(plain[0], vehicles=("van2",)), plain[1]]
    assert not pyvrp_engine.can_model(make_problem(points, allowed, fleet), allowed)
    result = solve(make_problem(points, allowed, fleet), params)
    assert result.engine == "ortools" and route_of(result, "a").vehicle == "van2"
    kept = [dataclasses.replace(r, keep_vehicle="van2", change_penalty=10**6) for r in plain]
    result = solve(make_problem(points, kept, fleet), params)
    assert result.engine == "ortools" and {r.vehicle for r in result.routes} == {"van2"}
    with pytest.raises(ValueError, match="cannot model"):
        solve(make_problem(points, kept, fleet), dataclasses.replace(params, engine="pyvrp"))
    # Nor a vehicle that must go to one request first (its driver).
    led = [dataclasses.replace(fleet[0], first="a"), fleet[1]]
    assert not pyvrp_engine.can_model(make_problem(points, plain, led), plain)


# --------------------------------------------------------------------------- #
# Solomon reader and independent checker
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="session")
def c101_25():
    return solomon.read_instance(DATA / "solomon_c101_25.txt")


@pytest.fixture(scope="session")
def c101_25_routes(c101_25):
    result = solve(solomon.to_problem(c101_25), SolveParams(time_limit=2, solution_limit=5, engine="ortools"))
    return [[int(r) for r in route.requests] for route in result.routes]


def test_solomon_reader(c101_25):
    assert (c101_25.vehicles, c101_25.capacity) == (25, 200)
    assert len(c101_25.nodes) == 26
    depot, first, last = c101_25.nodes[0], c101_25.nodes[1], c101_25.nodes[-1]
    assert (depot.x, depot.y, depot.due) == (40, 50, 1236)
    assert (first.number, first.demand, first.ready, first.due, first.service) == (1, 10, 912, 967, 90)
    assert last.number == 25
    # floor(10 * sqrt(5^2 + 18^2)) = floor(186.8...) = 186
    assert solomon.arc_tenths(depot, first) == 186


def test_solomon_solution_passes_the_independent_checker(c101_25):
    problem = solomon.to_problem(c101_25)
    result = solve(problem, SolveParams(time_limit=5, solution_limit=20, iterations=500, seed=1))
    routes = [[int(r) for r in route.requests] for route in result.routes]
    tenths = solomon.check_solution(c101_25, routes)
    assert tenths == result.distance
    # Known optimum of C101 with 25 customers, truncated distances: 191.3.
    assert tenths <= 1913 * 1.02


def broken(routes, how):
    routes = [list(r) for r in routes]
    if how == "missing":
        routes[0].pop()
    elif how == "repeated":
        routes[1].append(routes[0][0])
    elif how == "capacity":
        routes = [[c for r in routes for c in r]]
    elif how == "window":
        routes[0].reverse()
    return routes


@pytest.mark.parametrize("how, rule", [("missing", "coverage"), ("repeated", "coverage"),
                                       ("capacity", "capacity"), ("window", "time window")])
def test_solomon_checker_rejects_broken_solutions(c101_25, c101_25_routes, how, rule):
    routes = c101_25_routes
    solomon.check_solution(c101_25, routes)
    with pytest.raises(solomon.InfeasibleSolution, match=rule):
        solomon.check_solution(c101_25, broken(routes, how))


def test_solomon_checker_rejects_late_return(c101_25):
    # Customer 24 (window [65, 144], service 90) cannot be back by 150.
    early_close = dataclasses.replace(c101_25.nodes[0], due=150)
    inst = dataclasses.replace(c101_25, nodes=(early_close,) + c101_25.nodes[1:])
    routes = [[24]] + [[c] for c in range(1, 26) if c != 24]
    with pytest.raises(solomon.InfeasibleSolution, match="return: route 0"):
        solomon.check_solution(inst, routes)


def test_initial_routes_seed_the_search_and_bad_seeds_are_ignored():
    problem = random_problem(n=12)
    params = SolveParams(time_limit=5, solution_limit=5, engine="ortools")
    plain = solve(problem, params)
    seed = {r.vehicle: r.requests for r in plain.routes}
    seeded = solve(problem, params, initial_routes=seed)
    assert seeded.objective <= plain.objective
    unknown = solve(problem, params, initial_routes={"no-such-van": ["c1"]})
    assert unknown.feasible
    # Everything on one van breaks its 15 seats: the seed is rejected, not trusted.
    overloaded = solve(problem, params, initial_routes={"v0": [f"c{i}" for i in range(1, 13)]})
    assert overloaded.feasible
    assert all(max(s.load["seats"] for s in r.stops) <= 15 for r in overloaded.routes)


# --------------------------------------------------------------------------- #
# Splits: a request served whole, or as all of its pieces on different vehicles
# --------------------------------------------------------------------------- #


def split_problem(piece_vehicles: tuple[str, ...] = (), all_or_none: bool = True, cost: int = 0) -> Problem:
    # A party of 4 from 1 to 2; two vehicles of 3 seats: only pieces of 2 + 2 fit.
    points = [(0, 0), (10, 0), (20, 0)]
    pair = dict(pickup=Stop(1, service=1), delivery=Stop(2, service=1))
    requests = [Request("whole", demand={"seats": 4}, penalty=10_000, **pair)]
    requests += [Request(f"piece{k}", demand={"seats": 2}, penalty=10_000, vehicles=piece_vehicles, **pair)
                 for k in (1, 2)]
    vehicles = [VehicleSpec(v, 0, 0, {"seats": 3}) for v in ("a", "b")]
    return dataclasses.replace(make_problem(points, requests, vehicles),
                               splits=[Split("whole", ("piece1", "piece2"), 10_000, cost, all_or_none)])


def test_split_pieces_ride_in_different_vehicles() -> None:
    result = solve(split_problem(cost=7), FAST)
    assert result.dropped == {}
    assert sorted(r.requests for r in result.routes) == [["piece1", "piece1"], ["piece2", "piece2"]]
    # 2 x 40 distance units, and the price of the split once.
    assert result.objective == 80 + 7


def test_split_pieces_are_all_or_none() -> None:
    # Both pieces may only ride in vehicle a, and never together: neither rides, and
    # the whole is dropped with the reason (its own, as it fits no vehicle).
    result = solve(split_problem(piece_vehicles=("a",)), FAST)
    assert result.routes == ()
    assert list(result.dropped) == ["whole"] and result.dropped["whole"].startswith("capacity: seats 4 > ")
    assert result.objective == 10_000


def test_relaxed_split_leaves_pieces_independent() -> None:
    # Relaxed, nothing ties the pieces: both ride in vehicle a, one after the other,
    # which a tied split forbids (the caller keeps complete sets on distinct vehicles).
    result = solve(split_problem(piece_vehicles=("a",), all_or_none=False), FAST)
    [route] = result.routes
    assert route.vehicle == "a" and sorted(route.requests) == ["piece1", "piece1", "piece2", "piece2"]
    assert result.dropped == {}


def test_split_validation_names_the_problem() -> None:
    problem = split_problem()
    with pytest.raises(ValueError, match="unknown piece 'piece3'"):
        dataclasses.replace(problem, splits=[Split("whole", ("piece1", "piece3"), 1)])
    with pytest.raises(ValueError, match="at least two distinct pieces"):
        Split("whole", ("piece1",), 1)
    with pytest.raises(ValueError, match="'piece1' is in more than one split"):
        dataclasses.replace(problem, splits=[Split("whole", ("piece1", "piece2"), 1),
                                             Split("other", ("piece1", "x"), 1)])
