"""From a loaded tour to a :class:`~touring.model.Plan`: run the solvers in sequence and
lay their answers out day by day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any, Mapping

from solvers import crew, hotels, loading, transport
from solvers.schedule import ScheduleParams, ScheduleResult, lead_kind, overnight_allowance, solve
from solvers.travel import TravelMatrix, travel_matrix
from touring.io import LoadedTour
from touring.io.cache import JsonCache
from touring.model import (
    HOME_ID, DayKind, DroppedShow, Plan, PlanDay, ShowBooking, SolverReport, Tour, TransportRun, TravelPart,
    VehicleKind,
)


def make_plan(loaded: LoadedTour, params: ScheduleParams = ScheduleParams(),
              hotel_params: hotels.AccommodationParams = hotels.AccommodationParams(),
              crew_params: crew.CrewParams = crew.CrewParams(),
              loading_params: loading.LoadingParams = loading.LoadingParams(),
              transport_params: transport.TransportParams | None = None, *,
              hotel_options: Mapping[str, Any] | None = None,
              loading_options: Mapping[str, Any] | None = None) -> Plan:
    """Plan the tour dates of a loaded tour, then where the crew sleeps each night, who
    works which role, what goes in which vehicle and each vehicle's runs.

    Parameters
    ----------
    loaded
        The tour as :func:`touring.io.load_tour` returns it (its folder holds the cache).
    params
        The scheduler's time limit, seed, workers and progress callback.
    hotel_params
        The accommodation solver's time limit, seed, workers and hotel radius.
    crew_params, loading_params
        The rota's and the loading solver's time limit, seed and workers.
    transport_params
        The transport runs' time limit per day and reproducible mode; ``None`` (the
        default, while the runs model is young) plans no runs.
    hotel_options, loading_options
        Keywords passed on to :func:`solvers.hotels.solve` and
        :func:`solvers.loading.solve` (replanning: closed hotels, vehicles out, the booked plan).
    """
    tour = loaded.tour
    kind = lead_kind(tour)
    matrix = travel_matrix(tour, kind, cache=JsonCache.for_tour(loaded.root))
    result = solve(tour, matrix, params)
    report = SolverReport("cp-sat", result.status, result.objective, result.bound, result.gap,
                          round(result.wall_time_s, 3), params.time_limit_s, params.seed, params.workers)
    bookings = tuple(
        ShowBooking(b.show_id, b.venue_id, b.first_night, b.nights, b.setup_start,
                    tour.show_fee(tour.show_by_id[b.show_id]), tour.show_by_id[b.show_id].fixed_date is not None)
        for b in result.bookings)
    days = lay_out_days(tour, result, matrix) if result.found else ()
    plan = Plan(tour.name, tour.season, tour.currency, kind, bookings,
                tuple(DroppedShow(d.show_id, d.reason) for d in result.dropped), days, report, result.conflicts)
    if not plan.found:
        return plan
    # Loading first: the rota puts a licensed driver on duty for each vehicle it loads.
    if tour.equipment:
        plan = add_loading(tour, plan, loading_params, **(loading_options or {}))
    if tour.crew:
        # Crews drive home and to hotels by car, whatever the fleet's pace.
        cars = travel_matrix(tour, VehicleKind.CAR, cache=JsonCache.for_tour(loaded.root))
        plan = add_accommodation(tour, plan, cars, hotel_params, **(hotel_options or {}))
        plan = add_crew(tour, plan, crew_params)
    if transport_params is not None and tour.vehicles and (tour.crew or tour.equipment):
        plan = add_transport(tour, plan, matrix, transport_params)
    return plan


def add_accommodation(tour: Tour, plan: Plan, matrix: TravelMatrix,
                      params: hotels.AccommodationParams = hotels.AccommodationParams(), **options: Any) -> Plan:
    """The plan with every night's beds and the rooms still to book (:mod:`solvers.hotels`;
    ``options`` are its keywords)."""
    found = hotels.solve(tour, plan, matrix, params, **options)
    report = SolverReport("cp-sat", found.status, found.objective, found.bound, found.gap,
                          round(found.wall_time_s, 3), params.time_limit_s, params.seed, params.search_workers)
    return replace(plan, accommodation=found.nights, to_book=found.to_book, accommodation_report=report)


def add_crew(tour: Tour, plan: Plan, params: crew.CrewParams = crew.CrewParams()) -> Plan:
    """The plan with who works which role each show night and set-up day (:mod:`solvers.crew`)."""
    found = crew.solve(tour, plan, params)
    report = SolverReport("cp-sat", found.status, found.objective, found.bound, found.gap,
                          round(found.wall_time_s, 3), params.time_limit_s, params.seed, params.search_workers)
    return replace(plan, crew_shifts=found.shifts, unfilled_roles=found.unfilled, crew_report=report)


def add_loading(tour: Tour, plan: Plan, params: loading.LoadingParams = loading.LoadingParams(),
                **options: Any) -> Plan:
    """The plan with a manifest per vehicle per leg and the rental moves (:mod:`solvers.loading`;
    ``options`` are its keywords)."""
    found = loading.solve(tour, plan, params, **options)
    report = SolverReport("cp-sat", found.status, found.objective, found.bound, found.gap,
                          round(found.wall_time_s, 3), params.time_limit_s, params.seed, params.search_workers)
    return replace(plan, loads=found.loads, left_behind=found.left_behind, equipment_moves=found.moves,
                   loading_report=report)


def add_transport(tour: Tour, plan: Plan, matrix: TravelMatrix,
                  params: transport.TransportParams = transport.TransportParams(),
                  previous_runs: tuple[TransportRun, ...] = ()) -> Plan:
    """The plan with each vehicle's runs and the moves no run makes (:mod:`solvers.transport`).

    ``matrix`` is the fleet's slowest kind's, so every vehicle can keep the times;
    ``previous_runs`` (a replan's plan in force) seed each day's search.
    """
    found = transport.solve(tour, plan, params, matrix, previous_runs=previous_runs)
    # The core's objective is in 1/1000 cent; the report is in the tour's currency.
    objective = transport.objective_in_money(found.objective) if found.objective is not None else None
    report = SolverReport("routing", found.status, objective, None, None, round(found.wall_time_s, 3),
                          params.time_limit_s, params.seed, 1)
    return replace(plan, runs=found.runs, unserved_transport=found.unserved, transport_report=report,
                   own_travel=found.own_travel)


def lay_out_days(tour: Tour, result: ScheduleResult, matrix: TravelMatrix) -> tuple[PlanDay, ...]:
    """Every day of the season: where the tour is, what it does, what it drives.

    Each leg is driven as early as it can be: the night after the show where a
    nightliner allows, then full travel days of at most the daily limit, and the rest on
    the morning of the arrival day. Days left between arriving and the next show are off.
    """
    per_day = tour.rules.max_drive_minutes_per_day
    overnight = overnight_allowance(tour)
    parts: dict[date, list[TravelPart]] = {}
    kinds: dict[date, tuple[DayKind, str | None]] = {}
    location: dict[date, str] = {}

    stops = [(HOME_ID, None, result.departure - timedelta(days=1), None)]
    for b in result.bookings:
        last_night = b.first_night + timedelta(days=b.nights - 1)
        stops.append((b.venue_id, b, b.setup_start, last_night))
        for k in range((b.first_night - b.setup_start).days):
            kinds[b.setup_start + timedelta(days=k)] = (DayKind.SETUP, b.show_id)
        for k in range(b.nights):
            kinds[b.first_night + timedelta(days=k)] = (DayKind.SHOW, b.show_id)
    stops.append((HOME_ID, None, result.return_home, None))

    for (origin, booking, _, last_night), (destination, _, arrival, _) in zip(stops, stops[1:]):
        leg = matrix.leg(origin, destination) if origin != destination else None
        leaving = last_night if last_night is not None else stops[0][2]
        remaining = leg.minutes if leg else 0
        day = leaving
        first_part = True
        if leg and booking is not None and overnight:
            chunk = min(remaining, overnight)
            if chunk:
                parts.setdefault(day, []).append(_part(leg, origin, destination, chunk, True, first_part))
                remaining -= chunk
                first_part = False
        day += timedelta(days=1)
        while leg and remaining > 0 and day <= arrival:
            chunk = remaining if day == arrival else min(remaining, per_day)
            parts.setdefault(day, []).append(_part(leg, origin, destination, chunk, False, first_part))
            remaining -= chunk
            first_part = False
            day += timedelta(days=1)
        # Where the tour is: at the origin until the leg ends, then at the destination.
        arrived = day - timedelta(days=1) if leg else leaving
        cursor = leaving + timedelta(days=1)
        while cursor <= arrival:
            location[cursor] = destination if cursor >= arrived else origin
            cursor += timedelta(days=1)

    days = []
    last_day = max(tour.season.end, result.return_home)
    for offset in range((last_day - tour.season.start).days + 1):
        day = tour.season.start + timedelta(days=offset)
        if result.departure <= day <= result.return_home:
            kind, show_id = kinds.get(day, (DayKind.TRAVEL if day in parts else DayKind.OFF, None))
            if day == result.return_home and kind is DayKind.OFF:
                kind = DayKind.HOME
        else:
            kind, show_id = DayKind.HOME, None
        place = location.get(day, HOME_ID)
        if kind in (DayKind.SHOW, DayKind.SETUP):
            place = tour.show_by_id[show_id].venue_id
        days.append(PlanDay(day, kind, place, show_id, tuple(parts.get(day, ()))))
    return tuple(days)


def _part(leg, origin: str, destination: str, minutes: int, overnight: bool, first: bool) -> TravelPart:
    """The share of a leg that ``minutes`` of its time cover (crossings go with the first part)."""
    share = minutes / leg.minutes if leg.minutes else 1.0
    return TravelPart(origin, destination, round(leg.km * share, 1), round(leg.drive_minutes * share), minutes,
                      leg.crossings if first else (), overnight)
