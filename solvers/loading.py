"""Loading: which equipment goes in which vehicle on each leg of a plan (CP-SAT).

The legs and loads, decided before any solving:

- A leg is one drive from a stop to the next, as the plan's days lay it out; a leg spread
  over several days (``TravelPart`` on each) is one load, dated by its first day.
- What rides on a leg. Own equipment travels with the tour from the first leg out to the
  last leg home when any booked show needs it (``Equipment.needed_at``, empty: every
  show); it cannot be left by the road in between, so it rides on legs to shows that do
  not need it too. Rental equipment is picked up on the leg to the first booked show
  that needs it and returned on the leg leaving the last one, riding on every leg in
  between; a pick-up and a return line record each (the detour to the supplier is
  routing, not loading).
- Sizes are whole litres and grams: an item's size rounds *up* and a vehicle's limit
  rounds *down*, so a load the model accepts never exceeds ``volume_m3`` or
  ``payload_kg``.

The model, over all legs at once:

- ``x[leg, item, vehicle]``: whole units of an item in a vehicle (the units of one item may
  split across vehicles); ``left[leg, item]``: units no vehicle takes, penalised, so the
  model is never infeasible and nothing is dropped silently. Units add up to the quantity.
- Per leg and vehicle, volume and weight at most the limits, and only when ``used``.
- ``moved[leg, item, vehicle]`` counts units of an item in a vehicle that did not hold
  them on the item's previous leg.
- Objective, lexicographic by weights: ``left`` units first (weight above everything
  else together), then vehicles used summed over legs (weight one more than the most
  units that could move), then units moved.
- Replanning (optional keywords of :func:`solve`): ``unavailable`` (vehicle, day) pairs
  keep a vehicle out of every leg whose gear it would hold that day (out of service, or
  not hired yet): from the leg's load-out day (:func:`load_out_day`, the gear goes in
  after the curfew and stays aboard overnight) to its arrival day (:func:`arrival_day`,
  unloaded by the first call at the next venue), its travel days and the days between;
  ``previous`` manifests (the plan in force) are CP-SAT hints and, on a leg driven the
  same day between the same places, ``changed[leg, item, vehicle]`` counts units in a
  vehicle beyond what it held then. Changed units come right after ``left`` units in the
  lexicographic order (gear stays in its booked vehicle unless that costs a unit left
  behind), before vehicles used; ``weights.replan_changed_vehicle`` set to 0 turns them
  off (the booked manifests are then only hints). Any other value ranks them there: the
  loading objective has no currency to weigh them against.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Collection, Mapping, Protocol, Sequence

from ortools.sat.python import cp_model

from solvers.cpsat import STATUS, CpSatParams, figures, make_solver

from solvers.units import grams_down, grams_up, litres_down, litres_up
from touring.model import (
    HOME_ID, DayKind, Equipment, EquipmentMove, LeftBehind, LoadLine, Owner, Plan, Tour, Vehicle, VehicleLoad,
)



@dataclass(frozen=True)
class LoadingParams(CpSatParams):
    """How to solve: time limit in seconds, seed and CP-SAT workers.

    ``deterministic`` solves with one CP-SAT worker and reads the time limit as
    deterministic time too, so the same seed gives the same loads on any machine;
    ``workers`` then counts only when ``deterministic`` is off.
    """



@dataclass(frozen=True)
class LoadLeg:
    index: int
    from_id: str
    to_id: str
    first_day: date
    last_day: date
    next_show_id: str | None  # None: the drive home
    equipment_ids: tuple[str, ...]  # what rides on it, in equipment order

    @property
    def day(self) -> date:
        """The leg's first day, as a :class:`VehicleLoad` of it is dated."""
        return self.first_day


@dataclass(frozen=True)
class LoadingResult:
    """Every leg's loads vehicle by vehicle, what fits nowhere and the rental moves.

    ``status`` is ``optimal``, ``feasible`` or ``unknown`` (nothing found in the time
    limit; the model itself is always feasible). ``objective`` and ``bound`` are in the
    model's weighted units; ``vehicles_used`` sums the vehicles carrying gear over legs,
    ``units_moved`` the units loaded into another vehicle than on their previous leg.
    """

    status: str
    legs: tuple[LoadLeg, ...] = ()
    loads: tuple[VehicleLoad, ...] = ()
    left_behind: tuple[LeftBehind, ...] = ()
    moves: tuple[EquipmentMove, ...] = ()
    vehicles_used: int = 0
    units_moved: int = 0
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    wall_time_s: float = 0.0

    @property
    def found(self) -> bool:
        return self.status in ("optimal", "feasible")

    def load(self, leg: int, vehicle_id: str) -> VehicleLoad | None:
        return next((x for x in self.loads if x.leg == leg and x.vehicle_id == vehicle_id), None)


# --- the legs and what rides on them, before any solving ------------------------------

def _show_order(plan: Plan) -> list[str]:
    order: list[str] = []
    for day in plan.days:
        if day.show_id is not None and day.show_id not in order:
            order.append(day.show_id)
    return order


def _raw_legs(plan: Plan) -> list[tuple[str, str, date, date]]:
    """(from, to, first day, last day): consecutive parts of one leg make one load."""
    legs: list[tuple[str, str, date, date]] = []
    for day in plan.days:
        for part in day.travel:
            if legs and (legs[-1][0], legs[-1][1]) == (part.from_id, part.to_id):
                legs[-1] = (part.from_id, part.to_id, legs[-1][2], day.day)
            else:
                legs.append((part.from_id, part.to_id, day.day, day.day))
    return legs


def _next_show(plan: Plan, last_day: date) -> str | None:
    return next((d.show_id for d in plan.days if d.day >= last_day and d.show_id is not None), None)


class Leg(Protocol):
    """A leg of the tour, or one vehicle's load of it (:class:`LoadLeg`, :class:`VehicleLoad`)."""

    @property
    def from_id(self) -> str: ...

    @property
    def to_id(self) -> str: ...

    @property
    def day(self) -> date: ...  # the leg's first day


def arrival_day(plan: Plan, leg: Leg) -> date | None:
    """The day a leg's gear must be at its venue: the first show or set-up day there on or
    after the leg starts; the leg's first day for the drive home."""
    if leg.to_id == HOME_ID:
        return leg.day
    return next((d.day for d in plan.days if d.day >= leg.day and d.place_id == leg.to_id
                 and d.kind in (DayKind.SHOW, DayKind.SETUP)), None)


def load_out_day(plan: Plan, leg: Leg) -> date | None:
    """The day a leg's gear is loaded at its venue after the curfew and stays in the vehicle
    overnight: the last show or set-up day there before the leg starts (``None`` from the
    home base, where it is loaded on the day it leaves)."""
    if leg.from_id == HOME_ID:
        return None
    return max((d.day for d in plan.days if d.day <= leg.day and d.place_id == leg.from_id
                and d.kind in (DayKind.SHOW, DayKind.SETUP)), default=None)


def fleet_days(tour: Tour, plan: Plan) -> dict[date, tuple[str, ...]]:
    """Day -> the fleet vehicles that move gear that day (``plan.loads``): loaded at a
    venue after the curfew, or delivered to the next venue."""
    needed: dict[date, set[str]] = {}
    for load in plan.loads:
        if load.vehicle_id not in tour.vehicle_by_id:
            continue
        for day in (load_out_day(plan, load), arrival_day(plan, load)):
            if day is not None:
                needed.setdefault(day, set()).add(load.vehicle_id)
    return {day: tuple(v.id for v in tour.vehicles if v.id in ids) for day, ids in needed.items()}


def _needed(tour: Tour, item: Equipment, shows: list[str]) -> list[int]:
    """Positions in the tour order of the booked shows that need the item."""
    return [k for k, show_id in enumerate(shows) if not item.needed_at or show_id in item.needed_at]


def _legs(tour: Tour, plan: Plan) -> tuple[list[LoadLeg], list[EquipmentMove]]:
    shows = _show_order(plan)
    raw = _raw_legs(plan)
    # A leg's position: the index of the show it drives to (len(shows) for the drive home).
    positions = []
    for _, _, _, last in raw:
        show_id = _next_show(plan, last)
        positions.append(shows.index(show_id) if show_id is not None else len(shows))
    on_board: list[list[str]] = [[] for _ in raw]
    moves: list[EquipmentMove] = []
    for item in tour.equipment:
        needed = _needed(tour, item, shows)
        if not needed or not raw:
            continue
        if item.owner is Owner.OWN:
            riding = list(range(len(raw)))
        else:
            first, last = needed[0], needed[-1]
            riding = [k for k, pos in enumerate(positions) if first <= pos <= last]
            back = next((k for k, pos in enumerate(positions) if pos > last), None)
            if back is not None:
                riding.append(back)
            if riding:
                supplier = item.supplier.id if item.supplier else ""
                moves.append(EquipmentMove("pickup", riding[0], raw[riding[0]][2], item.id, item.item,
                                           item.quantity, supplier, shows[first]))
                if back is not None:
                    moves.append(EquipmentMove("return", back, raw[back][2], item.id, item.item, item.quantity,
                                               supplier, shows[last]))
        for k in riding:
            on_board[k].append(item.id)
    legs = [LoadLeg(k, f, t, first, last, shows[pos] if pos < len(shows) else None, tuple(on_board[k]))
            for k, ((f, t, first, last), pos) in enumerate(zip(raw, positions))]
    moves.sort(key=lambda m: (m.leg, m.kind != "return", m.equipment_id))
    return legs, moves


def _fits(item: Equipment, vehicle: Vehicle) -> bool:
    """Whether one unit of the item fits in the empty vehicle."""
    return (litres_up(item.volume_m3) <= litres_down(vehicle.volume_m3)
            and grams_up(item.weight_kg) <= grams_down(vehicle.payload_kg))


# --- the CP-SAT model ---------------------------------------------------------------

@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[int, str, str], cp_model.IntVar]  # (leg, item, vehicle) -> units
    left: dict[tuple[int, str], cp_model.IntVar]  # (leg, item) -> units
    used: dict[tuple[int, str], cp_model.IntVar]  # (leg, vehicle)
    moved: dict[tuple[int, str, str], cp_model.IntVar]  # (leg, item, vehicle) -> units


def _held_days(plan: Plan, leg: LoadLeg) -> list[date]:
    """Every day the leg's gear is in its vehicle: from the load-out (else the first
    travel day) to the arrival (else the last travel day)."""
    first = min(leg.first_day, load_out_day(plan, leg) or leg.first_day)
    last = max(leg.last_day, arrival_day(plan, leg) or leg.last_day)
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _out(tour: Tour, plan: Plan, leg: LoadLeg,
         unavailable: Collection[tuple[str, date]]) -> dict[str, tuple[date, ...]]:
    """Vehicle id -> the days it is out while it would hold the leg's gear: a vehicle out
    on the load-out day cannot be loaded after the curfew, one out before the arrival
    cannot deliver."""
    if not unavailable:
        return {}
    days = _held_days(plan, leg)
    out = {v.id: tuple(d for d in days if (v.id, d) in unavailable) for v in tour.vehicles}
    return {vid: when for vid, when in out.items() if when}


def _add_units(model: cp_model.CpModel, tour: Tour, leg: LoadLeg, x: dict, left: dict,
               fleet: list[Vehicle]) -> None:
    """Every unit of every item on board goes in one vehicle of the leg's fleet or is left."""
    items = {e.id: e for e in tour.equipment}
    for item_id in leg.equipment_ids:
        item = items[item_id]
        held = []
        for vehicle in fleet:
            if _fits(item, vehicle):
                held.append(x.setdefault((leg.index, item_id, vehicle.id), model.new_int_var(
                    0, item.quantity, f"x[{leg.index}:{leg.from_id}>{leg.to_id},{item_id},{vehicle.id}]")))
        out = left[leg.index, item_id] = model.new_int_var(0, item.quantity, f"left[{leg.index},{item_id}]")
        model.add(sum(held) + out == item.quantity)


def _add_capacity(model: cp_model.CpModel, tour: Tour, leg: LoadLeg, x: dict, used: dict) -> None:
    """Volume and payload per vehicle, in whole litres and grams, only when the vehicle is used."""
    items = {e.id: e for e in tour.equipment}
    for vehicle in tour.vehicles:
        inside = [(items[i], x[leg.index, i, vehicle.id]) for i in leg.equipment_ids
                  if (leg.index, i, vehicle.id) in x]
        if not inside:
            continue
        on = used[leg.index, vehicle.id] = model.new_bool_var(f"used[{leg.index},{vehicle.id}]")
        model.add(sum(litres_up(e.volume_m3) * units for e, units in inside)
                  <= litres_down(vehicle.volume_m3) * on)
        model.add(sum(grams_up(e.weight_kg) * units for e, units in inside)
                  <= grams_down(vehicle.payload_kg) * on)
        for e, units in inside:  # items of no size or weight still make the vehicle used
            model.add(units <= e.quantity * on)


def _add_bound_cuts(model: cp_model.CpModel, tour: Tour, leg: LoadLeg, left: dict, used: dict) -> None:
    """Implied constraints that give the LP its bound: what is not left behind needs at
    least one vehicle, and vehicles whose room adds up to its volume and weight."""
    items = {e.id: e for e in tour.equipment}
    on = [(vehicle, used[leg.index, vehicle.id]) for vehicle in tour.vehicles if (leg.index, vehicle.id) in used]
    if not on:
        return
    units_left = [(items[i], left[leg.index, i]) for i in leg.equipment_ids]
    model.add(sum(flag for _, flag in on) + sum(units for _, units in units_left) >= 1)
    model.add(sum(litres_down(v.volume_m3) * flag for v, flag in on)
              + sum(litres_up(e.volume_m3) * units for e, units in units_left)
              >= sum(litres_up(e.volume_m3) * e.quantity for e, _ in units_left))
    model.add(sum(grams_down(v.payload_kg) * flag for v, flag in on)
              + sum(grams_up(e.weight_kg) * units for e, units in units_left)
              >= sum(grams_up(e.weight_kg) * e.quantity for e, _ in units_left))


def _add_moves(model: cp_model.CpModel, tour: Tour, legs: list[LoadLeg], x: dict, moved: dict) -> None:
    """Units in a vehicle that did not hold them on the item's previous leg."""
    items = {e.id: e for e in tour.equipment}
    previous: dict[str, int] = {}
    for leg in legs:
        for item_id in leg.equipment_ids:
            before = previous.get(item_id)
            previous[item_id] = leg.index
            if before is None:
                continue
            for vehicle in tour.vehicles:
                now = x.get((leg.index, item_id, vehicle.id))
                if now is None:
                    continue
                then = x.get((before, item_id, vehicle.id), 0)
                extra = moved[leg.index, item_id, vehicle.id] = model.new_int_var(
                    0, items[item_id].quantity, f"moved[{leg.index},{item_id},{vehicle.id}]")
                model.add(extra >= now - then)


def _booked_units(legs: list[LoadLeg], previous: Sequence[VehicleLoad]) -> dict[tuple[int, str, str], int]:
    """(leg, item, vehicle) -> units the plan in force had there, on legs driven the same way the same day."""
    index = {(leg.first_day, leg.from_id, leg.to_id): leg.index for leg in legs}
    units: dict[tuple[int, str, str], int] = {}
    for load in previous:
        k = index.get((load.day, load.from_id, load.to_id))
        if k is not None:
            for line in load.lines:
                units[k, line.equipment_id, load.vehicle_id] = units.get((k, line.equipment_id, load.vehicle_id), 0) \
                    + line.units
    return units


def _add_changes(model: cp_model.CpModel, tour: Tour, legs: list[LoadLeg], x: dict,
                 booked: dict[tuple[int, str, str], int]) -> list[cp_model.IntVar]:
    """Units in a vehicle beyond what the plan in force had in it, on legs it knew."""
    known = {k for k, _, _ in booked}
    items = {e.id: e for e in tour.equipment}
    changed = []
    for (k, item_id, vehicle_id), now in x.items():
        if k not in known:
            continue
        model.add_hint(now, booked.get((k, item_id, vehicle_id), 0))
        if not tour.weights.replan_changed_vehicle:
            continue  # a zero weight: the booked loads are only a hint
        extra = model.new_int_var(0, items[item_id].quantity, f"changed[{k},{item_id},{vehicle_id}]")
        model.add(extra >= now - booked.get((k, item_id, vehicle_id), 0))
        changed.append(extra)
    return changed


def _build(tour: Tour, legs: list[LoadLeg], fleets: dict[int, list[Vehicle]] | None = None,
           booked: dict[tuple[int, str, str], int] | None = None) -> tuple[_Model, int, int]:
    model = cp_model.CpModel()
    x: dict[tuple[int, str, str], cp_model.IntVar] = {}
    left: dict[tuple[int, str], cp_model.IntVar] = {}
    used: dict[tuple[int, str], cp_model.IntVar] = {}
    moved: dict[tuple[int, str, str], cp_model.IntVar] = {}
    for leg in legs:
        # Step 1: units per vehicle free on the leg's days (the whole fleet by default), or left.
        _add_units(model, tour, leg, x, left, list(tour.vehicles) if fleets is None else fleets[leg.index])
        # Step 2: the vehicles' limits.
        _add_capacity(model, tour, leg, x, used)
        _add_bound_cuts(model, tour, leg, left, used)
    # Step 3: units changing vehicle between an item's legs.
    _add_moves(model, tour, legs, x, moved)
    # Step 4: when replanning, units out of their booked vehicle.
    changed = _add_changes(model, tour, legs, x, booked) if booked else []
    # Step 5: lexicographic weights: nothing left, then nothing changed, fewest vehicles, fewest moves.
    items = {e.id: e for e in tour.equipment}
    most_moved = sum(items[i].quantity for (_, i, _) in moved)
    vehicle_weight = most_moved + 1
    change_weight = vehicle_weight * len(used) + most_moved + 1
    most_changed = sum(items[i].quantity for (_, i, _) in x) if changed else 0
    left_weight = change_weight * most_changed + vehicle_weight * len(used) + most_moved + 1
    model.minimize(left_weight * sum(left.values()) + change_weight * sum(changed)
                   + vehicle_weight * sum(used.values()) + sum(moved.values()))
    return _Model(model, x, left, used, moved), left_weight, vehicle_weight


# --- solving and reading the answer ---------------------------------------------------

def _size(m3: float, kg: float) -> str:
    return f"{m3:g} m3 and {kg:g} kg"


def _left_reason(tour: Tour, leg: LoadLeg, item: Equipment, out: Mapping[str, tuple[date, ...]] | None = None) -> str:
    if out:
        reason = _left_reason(replace(tour, vehicles=tuple(v for v in tour.vehicles if v.id not in out)), leg, item)
        days = "; ".join(f"{vid} on {', '.join(d.isoformat() for d in when)}" for vid, when in out.items())
        return f"{reason} (not available while it would hold the gear: {days})"
    if not tour.vehicles:
        return "the tour has no vehicles"
    if not any(_fits(item, v) for v in tour.vehicles):
        limits = "; ".join(f"{v.id} takes {_size(v.volume_m3, v.payload_kg)}" for v in tour.vehicles)
        return f"one unit is {_size(item.volume_m3, item.weight_kg)}, more than any vehicle ({limits})"
    items = {e.id: e for e in tour.equipment}
    m3 = sum(items[i].total_volume_m3 for i in leg.equipment_ids)
    kg = sum(items[i].total_weight_kg for i in leg.equipment_ids)
    room = _size(round(sum(v.volume_m3 for v in tour.vehicles), 3), round(sum(v.payload_kg for v in tour.vehicles), 3))
    return f"the fleet is full: the leg carries {_size(round(m3, 3), round(kg, 3))} against {room} in " \
           f"{len(tour.vehicles)} vehicle(s)"


def solve(tour: Tour, plan: Plan, params: LoadingParams = LoadingParams(), *,
          unavailable: Collection[tuple[str, date]] = frozenset(),
          previous: Sequence[VehicleLoad] = ()) -> LoadingResult:
    """Pack the equipment each leg of a plan carries into the fleet's vehicles.

    Parameters
    ----------
    tour
        The tour; its equipment (sizes, quantities, owner, ``needed_at``, supplier) and
        vehicles (``volume_m3``, ``payload_kg``) are used.
    plan
        The tour dates laid out day by day (:func:`touring.planning.make_plan`).
    params
        Time limit, seed, workers and determinism.
    unavailable
        (vehicle id, day) pairs: the vehicle carries nothing on a leg driven that day.
    previous
        The manifests of the plan in force: kept where they can be (replanning).

    Returns
    -------
    LoadingResult
        The legs, a manifest per vehicle per leg, the units that fit nowhere with the
        reason, the rental pick-ups and returns, and the solver's status, objective,
        bound, gap and wall time.
    """
    started = clock.monotonic()
    legs, moves = _legs(tour, plan)
    out = {leg.index: _out(tour, plan, leg, unavailable) for leg in legs}
    fleets = {k: [v for v in tour.vehicles if v.id not in gone] for k, gone in out.items()}
    built, _, _ = _build(tour, legs, fleets, _booked_units(legs, previous))
    solver = make_solver(params)
    status = STATUS[solver.solve(built.model)]
    if status not in ("optimal", "feasible"):
        return LoadingResult("unknown", tuple(legs), moves=tuple(moves), wall_time_s=clock.monotonic() - started)
    objective, bound, gap = figures(solver, status)
    items = {e.id: e for e in tour.equipment}
    loads, left = [], []
    for leg in legs:
        for vehicle in tour.vehicles:
            lines = []
            for item_id in leg.equipment_ids:
                var = built.x.get((leg.index, item_id, vehicle.id))
                units = solver.value(var) if var is not None else 0
                if units:
                    e = items[item_id]
                    lines.append(LoadLine(item_id, e.item, units, round(units * e.volume_m3, 3),
                                          round(units * e.weight_kg, 3)))
            if lines:
                loads.append(VehicleLoad(leg.index, leg.first_day, leg.from_id, leg.to_id, vehicle.id, tuple(lines),
                                         round(sum(line.volume_m3 for line in lines), 3),
                                         round(sum(line.weight_kg for line in lines), 3),
                                         vehicle.volume_m3, vehicle.payload_kg))
        for item_id in leg.equipment_ids:
            units = solver.value(built.left[leg.index, item_id])
            if units:
                left.append(LeftBehind(leg.index, leg.first_day, leg.from_id, leg.to_id, item_id, units,
                                       _left_reason(tour, leg, items[item_id], out[leg.index])))
    vehicles_used = sum(solver.boolean_value(lit) for lit in built.used.values())
    units_moved = sum(solver.value(var) for var in built.moved.values())
    return LoadingResult(status, tuple(legs), tuple(loads), tuple(left), tuple(moves), vehicles_used, units_moved,
                         objective, bound, gap, clock.monotonic() - started)
