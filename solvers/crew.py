"""Crew rota: who works which role on each show night and set-up day of a plan (CP-SAT).

The shifts, decided before any solving:

- A show day of the plan is one shift at its venue, from load-in (``venue.load_in``,
  14:00 when not given) to curfew (``venue.curfew``, 23:00 when not given; a curfew at or
  before the load-in ends on the next day). It needs every role of
  ``tour.show_roles(show)``, a role listed twice needing two people.
- A set-up day is a 09:00–18:00 shift for the show's *technical* roles only: actors and
  musicians do not build the set. A role is technical when ``params.setup_roles`` holds it
  or, by default, when its name contains one of :data:`TECHNICAL_WORDS` ("technician",
  "backline tech", "FOH engineer", "lighting designer", "stage manager"...).
- Times are local wall-clock times at the venue; rest is measured on the real clock (UTC),
  so a time-zone change or a DST night between two shifts counts as it is.

The model, one boolean per crew member and role place of a shift:

- ``x[person, shift, place]`` exists only when the person holds the role and is available
  on the shift's day (``CrewMember.is_available``) and the shift is no longer than
  ``rules.max_working_minutes_per_day`` (a longer shift can be worked by nobody: the roles
  are reported unfilled with that reason; splitting a shift is not modelled).
- Each place is filled by at most one person or left ``unfilled`` (so the model is never
  infeasible); each person holds at most one place per shift (``works[person, shift]``).
- Rest (EU working-time directive, 2003/88/EC art. 3): when the end of one shift and the
  start of another leave less than :data:`MIN_REST_MINUTES` (11 h) between them, or the
  two overlap, nobody works both.
- Objective, lexicographic: fill every place that can be filled; then keep each leg's
  vehicle in one driver's hands (below); then make ``most``, the most shifts anyone
  works, as small as possible; then the fewest shifts where someone drives and also
  works a role on stage (:data:`PERFORMER_WORDS`: an actor, a musician would spend the
  day at the wheel and the evening on stage); then give the driver places to those whose
  licence covers the fewest fleet vehicles that have no driver place at all, and use
  as few (vehicle, driver) pairs over the season as possible (below); then the sum over
  roles of the most shifts any holder of that role works, which evens the work out inside
  a role whose people are not the busiest overall (the actors when the only technician
  works every shift); among rotas equal on all that, the fewest shifts where a driver
  also works a role.
- It is solved in these eight stages (:func:`solvers.cpsat.solve_in_stages`), each fixing
  its optimum for the next, with every clause in the LP (``linearization_level`` 2). One
  solve of the weighted sum never closed on the festival tour: presolve folds each big
  ``unfilled`` weight into the crew literals of its place and turns the small "one person
  per place" groups into clauses that the default LP leaves out, so its relaxation seated
  several people on a place and its bound stayed far below zero. The objective, bound and
  gap reported are those of the weighted sum: each stage weighs one more than all the
  later stages can sum to (without driver places, S shifts and R roles: per unfilled
  place ``(R * S + 1) * S + R * S + 1``; ``R * S + 1`` per shift of ``most``; 1 per role
  maximum); the last stage weighs nothing.

Drivers: on the days a leg's gear moves (loaded at the venue after the last show there,
:func:`solvers.loading.load_out_day`, and delivered by the first call at the next,
:func:`solvers.loading.arrival_day`),
each fleet vehicle the loading plan (``plan.loads``) uses on that leg needs a driver on
duty: one more place in that day's shift, role ``driver:VEHICLE_ID`` (reported
in ``CrewShift.drivers``, and as that role when unfilled), which any
available crew member whose licence covers the vehicle's (``licence_covers``) may take.
A driver may also hold one of the show's roles that day (they drive in the morning and
work at the venue), but not two driver places. The shift's times and rest stay those of
the venue; the driving itself is the transport runs' business (:mod:`solvers.transport`),
which honours the rota's drivers, so a vehicle keeps its driver:

- over a leg: where its load-out day and arrival day both have a driver place for the
  vehicle, ``handover[leg]`` is true when the two are held by different people (the one
  who loads it after the curfew is the one there to drive it next morning, or on its
  long leg); second in the order, so it gives way only where keeping it would leave a
  place unfilled. On legs back to back (each show day an arrival and a load-out) this
  keeps the whole run in one pair of hands.
- over the season: ``drives[vehicle, person]`` is true when they drive it on any day;
  their number is kept down, so one person drives a vehicle whenever they can.
- before that, each driver place counts the fleet vehicles with no driver place all
  season that its holder's licence covers: such a vehicle carries no gear, so has no
  place in the rota, and may still carry the crew (a nightliner) and need its one
  licensed driver. Counted per place rather than by giving such vehicles places of their
  own: which days a vehicle carries only people is the transport runs' choice, not known
  here.

An unfilled place is reported with its show, day and role and why each crew member could
not take it, e.g. "no technician for `ab-brussels` on 2026-03-10: tom is unavailable, ann
lacks the role".
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

from solvers.cpsat import CpSatParams, Stage, solve_in_stages
from solvers.loading import arrival_day, fleet_days, load_out_day

from solvers.units import MINUTES_PER_HOUR, SECONDS_PER_MINUTE
from touring.model import (
    CrewMember, CrewShift, DayKind, Plan, Tour, UnfilledRole, licence_covers,
)

DEFAULT_LOAD_IN = time(14, 0)
"""A venue without a load-in time is taken to load in at 14:00 (as the scheduler does)."""
DEFAULT_CURFEW = time(23, 0)
"""A venue without a curfew is taken to close at 23:00."""
SETUP_START = time(9, 0)
SETUP_END = time(18, 0)
"""A set-up day is one 09:00–18:00 shift for the technical roles."""
MIN_REST_MINUTES = 11 * MINUTES_PER_HOUR
"""Daily rest between two shifts of one person (EU directive 2003/88/EC, article 3)."""
TECHNICAL_WORDS = ("tech", "engineer", "lighting", "sound", "rigg", "stage", "carpent", "crew", "backline")
"""A role whose name contains one of these (any case) works set-up days."""
PERFORMER_WORDS = ("actor", "actress", "musician", "singer", "dancer", "performer", "player")
"""A role whose name contains one of these (any case) is on stage: such a person drives on a
show day only when nobody else can."""
DRIVER_PREFIX = "driver:"
"""The role of the driver of a fleet vehicle is ``driver:VEHICLE_ID``."""


def driver_role(vehicle_id: str) -> str:
    return f"{DRIVER_PREFIX}{vehicle_id}"


def driven_vehicle(role: str) -> str | None:
    """The vehicle a ``driver:VEHICLE_ID`` role drives, else ``None``."""
    return role[len(DRIVER_PREFIX):] if role.startswith(DRIVER_PREFIX) else None


@dataclass(frozen=True)
class CrewParams(CpSatParams):
    """How to solve: time limit in seconds (the four stages together), seed, CP-SAT
    workers and the set-up roles.

    ``deterministic`` solves with one CP-SAT worker and reads the time limit as
    deterministic time too, so the same seed gives the same rota on any machine;
    ``workers`` then counts only when ``deterministic`` is off. ``setup_roles`` names the
    roles that work set-up days; ``None`` takes every role whose name contains one of
    :data:`TECHNICAL_WORDS`.
    """

    setup_roles: frozenset[str] | None = None

    def is_setup_role(self, role: str) -> bool:
        if self.setup_roles is not None:
            return role in self.setup_roles
        return any(word in role.lower() for word in TECHNICAL_WORDS)


@dataclass(frozen=True)
class CrewResult:
    """The rota of a plan: every shift with its crew, and the role places left unfilled.

    ``status`` is ``optimal``, ``feasible`` or ``unknown`` (nothing found in the time
    limit; the model itself is always feasible). ``shifts_worked`` counts shifts per crew
    member in crew order; ``objective`` and ``bound`` are in the model's units
    (see the module docstring for the weights);
    ``gap`` is relative to the objective.
    """

    status: str
    shifts: tuple[CrewShift, ...] = ()
    unfilled: tuple[UnfilledRole, ...] = ()
    shifts_worked: tuple[tuple[str, int], ...] = ()
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    wall_time_s: float = 0.0

    @property
    def found(self) -> bool:
        return self.status in ("optimal", "feasible")

    @property
    def most_shifts(self) -> int:
        return max((n for _, n in self.shifts_worked), default=0)


# --- the shifts, before any solving -------------------------------------------------

@dataclass(frozen=True)
class _Shift:
    index: int
    show_id: str
    day: date
    kind: DayKind
    start: datetime  # local, naive
    end: datetime  # local, naive
    start_utc: int  # minutes since the epoch
    end_utc: int
    roles: tuple[str, ...]

    @property
    def minutes(self) -> int:
        return self.end_utc - self.start_utc


def _utc_minutes(local: datetime, zone: str) -> int:
    aware = local.replace(tzinfo=ZoneInfo(zone))
    return int(aware.astimezone(timezone.utc).timestamp()) // SECONDS_PER_MINUTE


def _shifts(tour: Tour, plan: Plan, params: CrewParams) -> list[_Shift]:
    shifts = []
    wheels = fleet_days(tour, plan)
    for day in plan.days:
        if day.kind not in (DayKind.SHOW, DayKind.SETUP) or day.show_id is None:
            continue
        show = tour.show_by_id[day.show_id]
        venue = tour.venue_by_id[show.venue_id]
        roles = tour.show_roles(show)
        if day.kind is DayKind.SHOW:
            begin, finish = venue.load_in or DEFAULT_LOAD_IN, venue.curfew or DEFAULT_CURFEW
        else:
            begin, finish = SETUP_START, SETUP_END
            roles = tuple(r for r in roles if params.is_setup_role(r))
        roles += tuple(driver_role(v) for v in wheels.get(day.day, ()))
        if not roles:
            continue
        start = datetime.combine(day.day, begin)
        end = datetime.combine(day.day + timedelta(days=1 if finish <= begin else 0), finish)
        zone = venue.place.timezone
        shifts.append(_Shift(len(shifts), show.id, day.day, day.kind, start, end, _utc_minutes(start, zone),
                             _utc_minutes(end, zone), roles))
    return shifts


def _too_close(a: _Shift, b: _Shift) -> bool:
    """Whether one person cannot work both: they overlap or leave under 11 h of rest."""
    first, second = (a, b) if a.start_utc <= b.start_utc else (b, a)
    return second.start_utc < first.end_utc + MIN_REST_MINUTES


def _rest_conflicts(shifts: list[_Shift]) -> list[tuple[int, int]]:
    ordered = sorted(shifts, key=lambda s: (s.start_utc, s.index))
    pairs = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.start_utc >= a.end_utc + MIN_REST_MINUTES:
                break  # sorted by start: no later shift is closer
            pairs.append((a.index, b.index))
    return pairs


def _holds(tour: Tour, member: CrewMember, role: str) -> bool:
    """Whether the member holds the role: a show role by name, a driver place by licence."""
    vehicle = driven_vehicle(role)
    if vehicle is not None:
        return licence_covers(member.licences, tour.vehicle_by_id[vehicle].licence)
    return role in member.roles


def _can_hold(tour: Tour, member: CrewMember, shift: _Shift, role: str, max_minutes: int) -> bool:
    return _holds(tour, member, role) and member.is_available(shift.day) and shift.minutes <= max_minutes


# --- the CP-SAT model ---------------------------------------------------------------

@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[str, int, int], cp_model.IntVar]  # (crew, shift, place)
    unfilled: dict[tuple[int, int], cp_model.IntVar]  # (shift, place)
    works: dict[tuple[str, int], cp_model.IntVar]  # (crew, shift)
    most: cp_model.IntVar
    most_in_role: list[cp_model.IntVar]
    performer_drives: list[cp_model.IntVar]  # someone both drives and works a role on stage
    driver_doubles: list[cp_model.IntVar]  # someone both drives and works any role
    handovers: list[cp_model.IntVar]  # a leg's vehicle loaded by one driver, driven on by another
    kept_from: list[tuple[int, cp_model.IntVar]]  # (placeless vehicles the driver could drive, driver literal)
    pairs: list[cp_model.IntVar]  # (vehicle, driver) pairs used over the season


def _add_places(model: cp_model.CpModel, tour: Tour, shifts: list[_Shift], max_minutes: int,
                x: dict, unfilled: dict) -> None:
    """Each role place: at most one person, or unfilled."""
    for shift in shifts:
        for place, role in enumerate(shift.roles):
            takers = []
            for member in tour.crew:
                if _can_hold(tour, member, shift, role, max_minutes):
                    lit = x[member.id, shift.index, place] = model.new_bool_var(
                        f"x[{member.id},{shift.show_id},{shift.day},{shift.kind.value},{role}#{place}]")
                    takers.append(lit)
            lit = unfilled[shift.index, place] = model.new_bool_var(
                f"unfilled[{shift.show_id},{shift.day},{shift.kind.value},{role}#{place}]")
            model.add_exactly_one(takers + [lit])
        # Places of one role are alike: fill them in order (a gap is always the last place).
        for place, role in enumerate(shift.roles):
            later = next((p for p in range(place + 1, len(shift.roles)) if shift.roles[p] == role), None)
            if later is not None:
                model.add_implication(unfilled[shift.index, place], unfilled[shift.index, later])


def _add_one_place_per_shift(model: cp_model.CpModel, tour: Tour, shifts: list[_Shift], x: dict,
                             works: dict) -> None:
    """No one holds two show roles or two driver places at once; ``works`` says who works
    the shift."""
    for shift in shifts:
        for member in tour.crew:
            keys = [(member.id, shift.index, place) for place in range(len(shift.roles))
                    if (member.id, shift.index, place) in x]
            if keys:
                roles = [x[key] for key in keys if driven_vehicle(shift.roles[key[2]]) is None]
                wheels = [x[key] for key in keys if driven_vehicle(shift.roles[key[2]]) is not None]
                model.add(sum(roles) <= 1)
                model.add(sum(wheels) <= 1)
                lit = works[member.id, shift.index] = model.new_bool_var(
                    f"works[{member.id},{shift.show_id},{shift.day},{shift.kind.value}]")
                model.add_max_equality(lit, [x[key] for key in keys])


def _add_rest(model: cp_model.CpModel, tour: Tour, shifts: list[_Shift], works: dict) -> None:
    """At least 11 h between the end of one shift and the start of the next one worked."""
    for a, b in _rest_conflicts(shifts):
        for member in tour.crew:
            if (member.id, a) in works and (member.id, b) in works:
                model.add_at_most_one(works[member.id, a], works[member.id, b])


def _on_stage(role: str) -> bool:
    return driven_vehicle(role) is None and any(word in role.lower() for word in PERFORMER_WORDS)


def _drivers_doubling(model: cp_model.CpModel, tour: Tour, shifts: list[_Shift],
                      x: dict) -> tuple[list[cp_model.IntVar], list[cp_model.IntVar]]:
    """Per person and shift, literals true when they hold a driver place and also a role
    place: (on stage, :data:`PERFORMER_WORDS`; any role)."""
    on_stage, any_role = [], []
    for shift in shifts:
        for member in tour.crew:
            places = [(p, r) for p, r in enumerate(shift.roles) if (member.id, shift.index, p) in x]
            drives = [x[member.id, shift.index, p] for p, r in places if driven_vehicle(r) is not None]
            if not drives:
                continue
            for found, test, name in ((on_stage, _on_stage, "performer_drives"),
                                      (any_role, lambda r: driven_vehicle(r) is None, "driver_doubles")):
                works = [x[member.id, shift.index, p] for p, r in places if test(r)]
                if works:
                    both = model.new_bool_var(f"{name}[{member.id},{shift.show_id},{shift.day}]")
                    model.add(both >= sum(drives) + sum(works) - 1)  # each sum is at most 1
                    found.append(both)
    return on_stage, any_role


def _driver_places(shifts: list[_Shift], x: dict) -> dict[tuple[int, str], int]:
    """(shift, vehicle) -> the place of that vehicle's driver in the shift."""
    return {(shift.index, vehicle): place for shift in shifts for place, role in enumerate(shift.roles)
            if (vehicle := driven_vehicle(role)) is not None}


def _linked_legs(plan: Plan, shifts: list[_Shift], places: dict[tuple[int, str], int]) -> list[tuple[str, int, int]]:
    """(vehicle, load-out shift, arrival shift) of every leg whose vehicle has a driver
    place on both days: whoever loads it after the curfew drives it on."""
    by_day = {shift.day: shift.index for shift in shifts}
    linked = []
    for load in plan.loads:
        out, arrive = by_day.get(load_out_day(plan, load)), by_day.get(arrival_day(plan, load))
        if out is None or arrive is None or out == arrive:
            continue
        if (out, load.vehicle_id) in places and (arrive, load.vehicle_id) in places:
            linked.append((load.vehicle_id, out, arrive))
    return sorted(set(linked), key=lambda leg: (leg[1], leg[2], leg[0]))


def _add_handovers(model: cp_model.CpModel, tour: Tour, shifts: list[_Shift], x: dict,
                   places: dict[tuple[int, str], int], legs: list[tuple[str, int, int]]) -> list[cp_model.IntVar]:
    """Per linked leg, a literal true when its load-out driver does not drive it on the
    arrival day (a place left unfilled counts as no handover: the first stage rules it)."""
    handovers = []
    for vehicle, out, arrive in legs:
        shift = shifts[out]
        lit = model.new_bool_var(f"handover[{vehicle},{shift.show_id},{shift.day}>{shifts[arrive].day}]")
        for member in tour.crew:
            loads = x.get((member.id, out, places[out, vehicle]))
            if loads is not None:
                model.add(lit >= loads - x.get((member.id, arrive, places[arrive, vehicle]), 0))
        handovers.append(lit)
    return handovers


def _kept_from(tour: Tour, shifts: list[_Shift], x: dict,
               places: dict[tuple[int, str], int]) -> list[tuple[int, cp_model.IntVar]]:
    """Per driver literal, how many fleet vehicles with no driver place all season the
    person could drive instead. Such a vehicle carries no gear (a nightliner) but may carry
    the crew; its driver is the transport runs' choice among those the rota leaves free.
    A vehicle that has driver places on some days is not counted on its other days: it
    moves with its gear, and may be out of service (a replan) rather than idle."""
    placed = {vehicle for _, vehicle in places}
    idle = [v for v in tour.vehicles if v.id not in placed]
    kept = []
    for (s, vehicle), place in places.items():
        for member in tour.crew:
            lit = x.get((member.id, s, place))
            if lit is not None:
                kept.append((sum(licence_covers(member.licences, v.licence) for v in idle), lit))
    return kept


def _add_pairs(model: cp_model.CpModel, tour: Tour, shifts: list[_Shift], x: dict,
               places: dict[tuple[int, str], int]) -> list[cp_model.IntVar]:
    """Per vehicle and crew member who may drive it, a literal true when they drive it on
    any day of the season."""
    pairs = []
    for vehicle in tour.vehicles:
        for member in tour.crew:
            lits = [x[key] for s in range(len(shifts)) if (s, vehicle.id) in places
                    and (key := (member.id, s, places[s, vehicle.id])) in x]
            if lits:
                pair = model.new_bool_var(f"drives[{vehicle.id},{member.id}]")
                for lit in lits:
                    model.add_implication(lit, pair)
                pairs.append(pair)
    return pairs


def _build(tour: Tour, plan: Plan, shifts: list[_Shift]) -> _Model:
    model = cp_model.CpModel()
    max_minutes = tour.rules.max_working_minutes_per_day
    x: dict[tuple[str, int, int], cp_model.IntVar] = {}
    unfilled: dict[tuple[int, int], cp_model.IntVar] = {}
    works: dict[tuple[str, int], cp_model.IntVar] = {}
    # Step 1: who may take each role place (role held, available, shift not too long).
    _add_places(model, tour, shifts, max_minutes, x, unfilled)
    # Step 2: one place per person and shift.
    _add_one_place_per_shift(model, tour, shifts, x, works)
    # Step 3: daily rest between shifts.
    _add_rest(model, tour, shifts, works)
    # Step 4: the most shifts anyone works, overall and among the holders of each role.
    most = model.new_int_var(0, len(shifts), "most_shifts")
    worked: dict[str, list[cp_model.IntVar]] = {m.id: [] for m in tour.crew}
    for (crew_id, _), lit in works.items():
        worked[crew_id].append(lit)
    for member in tour.crew:
        if worked[member.id]:
            model.add(most >= sum(worked[member.id]))
    most_in_role = []
    for role in sorted({r for shift in shifts for r in shift.roles}):
        holders = [m.id for m in tour.crew if _holds(tour, m, role) and worked[m.id]]
        if not holders:
            continue
        busiest = model.new_int_var(0, len(shifts), f"most_shifts[{role}]")
        for crew_id in holders:
            model.add(busiest >= sum(worked[crew_id]))
        model.add(busiest <= most)
        most_in_role.append(busiest)
        # Redundant, for the bound: the holders of a role share its filled places, so one
        # of them works at least their average (without it CP-SAT proves the spread by
        # search, seconds on a crew of seven).
        places = [lit for (crew_id, s, place), lit in x.items() if shifts[s].roles[place] == role]
        model.add(len(holders) * busiest >= sum(places))
    # Step 5: who would both drive and go on stage (the last tie-break).
    performer_drives, driver_doubles = _drivers_doubling(model, tour, shifts, x)
    # Step 6: a vehicle keeps its driver: over each leg, over the season, and the
    # drivers with the rarest licences take the driver places.
    places = _driver_places(shifts, x)
    handovers = _add_handovers(model, tour, shifts, x, places, _linked_legs(plan, shifts, places))
    return _Model(model, x, unfilled, works, most, most_in_role, performer_drives, driver_doubles, handovers,
                  _kept_from(tour, shifts, x, places), _add_pairs(model, tour, shifts, x, places))


def _stages(built: _Model, shifts: list[_Shift]) -> list[Stage]:
    """Fill every place first; keep each leg's vehicle in one driver's hands; spread the
    work overall; spare the performers the driving; give the driver places to those who
    could drive nothing else that is left without a driver, then keep each vehicle with as
    few drivers as the season allows; spread the work inside each role; spare a driver
    the role places others can take."""
    roles = len({r for shift in shifts for r in shift.roles})
    # (name, expression, its largest value): each weight exceeds all the later stages
    # can sum to, so the weighted total is the lexicographic order.
    levels = [
        ("unfilled places", sum(built.unfilled.values()), len(built.unfilled)),
        # Right after the places: the person who loads a vehicle after the curfew is the one
        # there to drive it next morning (a long leg's driver goes with it). It is as good as
        # hard: it only gives way where keeping it would leave a place unfilled (rest, leave).
        ("leg handovers", sum(built.handovers), len(built.handovers)),
        ("most shifts", built.most, len(shifts)),
        # A performer drives only when nobody else can: they would spend the day at the
        # wheel and the evening on stage. Above the licences kept free below: a real cost
        # to the show before a vehicle that may not need them that day.
        ("performers at the wheel", sum(built.performer_drives), len(built.performer_drives)),
        # Below "most shifts": a driver is the busiest person only when gear moves on more
        # days than anyone else works; then the work is shared, and legs stay whole
        # (above). Above "most shifts per role": evening out the work among the holders of
        # a driver role is what swapped a vehicle between its licensed drivers day by day.
        # First the rarest licences drive (the semi's C-only driver rather than the one
        # whose D the nightliner needs), then as few drivers per vehicle as the season allows.
        ("drivers kept from other vehicles", sum(n * lit for n, lit in built.kept_from if n),
         sum(n for n, _ in built.kept_from)),
        ("drivers per vehicle", sum(built.pairs), len(built.pairs)),
        ("most shifts per role", sum(built.most_in_role), roles * len(shifts)),
    ]
    weights, below = [], 0
    for _, _, largest in reversed(levels):
        weights.append(below + 1)
        below += (below + 1) * largest
    stages = [Stage(name, expression, weight) for (name, expression, _), weight in zip(levels, reversed(weights))]
    # Among rotas equal so far, a driver also works a role only when nobody else can: the
    # load-out after the curfew and the drive eat into the rest the next morning's run
    # needs. Weight 0: a preference, no part of the objective reported.
    return stages + [Stage("drivers doubling", sum(built.driver_doubles), 0)]


# --- solving and reading the answer ---------------------------------------------------

def _hours(minutes: int) -> str:
    return f"{minutes // MINUTES_PER_HOUR}h{minutes % MINUTES_PER_HOUR:02d}"


def _names(ids: list[str]) -> str:
    return ", ".join(ids)


def _reason(tour: Tour, shift: _Shift, place: int, shifts: list[_Shift], chosen: dict[int, dict[int, str]]) -> str:
    """Why nobody fills this place, person by person, from the rota CP-SAT chose."""
    role = shift.roles[place]
    max_minutes = tour.rules.max_working_minutes_per_day
    if shift.minutes > max_minutes:
        return (f"the shift {shift.start:%H:%M}–{shift.end:%H:%M} lasts {_hours(shift.minutes)}, over the "
                f"{_hours(max_minutes)} a day the rules allow")
    holders = [m for m in tour.crew if _holds(tour, m, role)]
    others = [m.id for m in tour.crew if not _holds(tour, m, role)]
    clauses = []
    for member in holders:
        here = [shift.roles[p] for p, crew_id in chosen[shift.index].items() if crew_id == member.id
                and (driven_vehicle(shift.roles[p]) is None) == (driven_vehicle(role) is None)]
        if not member.is_available(shift.day):
            clauses.append(f"{member.id} is unavailable")
        elif here:
            clauses.append(f"{member.id} works as {here[0]}" if here[0] != role
                           else f"{member.id} takes the other {role} place")
        else:
            busy = [shifts[s] for s, taken in chosen.items() if s != shift.index and member.id in taken.values()
                    and _too_close(shift, shifts[s])]
            if busy:
                other = busy[0]
                when = f"{other.day.isoformat()}{' (set-up)' if other.kind is DayKind.SETUP else ''}"
                clauses.append(f"{member.id} works `{other.show_id}` on {when} "
                               f"{other.start:%H:%M}–{other.end:%H:%M}, which leaves under "
                               f"{_hours(MIN_REST_MINUTES)} rest")
            else:
                clauses.append(f"{member.id} is free but the solver stopped before using them")
    vehicle = driven_vehicle(role)
    lacking = f"licence {tour.vehicle_by_id[vehicle].licence}" if vehicle is not None else "the role"
    if not holders:
        clauses.append(f"nobody in the crew holds {lacking}")
    elif others:
        clauses.append(f"{_names(others)} {'lacks' if len(others) == 1 else 'lack'} {lacking}")
    return ", ".join(clauses)


def solve(tour: Tour, plan: Plan, params: CrewParams = CrewParams()) -> CrewResult:
    """Choose who works which role on every show night and set-up day of a plan.

    Parameters
    ----------
    tour
        The tour; its shows' roles, venues' load-in and curfew, crew (roles and
        availability) and ``rules.max_working_minutes_per_day`` are used.
    plan
        The tour dates laid out day by day (:func:`touring.planning.make_plan`).
    params
        Time limit, seed, workers, determinism and the roles that work set-up days.

    Returns
    -------
    CrewResult
        Every shift with one crew id (or ``None``) per role place, the unfilled places
        with their reasons, the shifts each person works, and the solver's status,
        objective, bound, gap and wall time.
    """
    started = clock.monotonic()
    shifts = _shifts(tour, plan, params)
    built = _build(tour, plan, shifts)
    # Level 2 puts presolve's pairwise "not both on one place" clauses in the LP too: without
    # them the LP may seat two people on one place, and the per-role bounds come out loose.
    staged = solve_in_stages(built.model, _stages(built, shifts), params, linearization_level=2)
    if staged.solver is None:
        return CrewResult("unknown", wall_time_s=clock.monotonic() - started)
    solver, status = staged.solver, staged.status
    objective, bound, gap = staged.objective, staged.bound, staged.gap
    # The one place reading literals: shift -> place -> crew id.
    chosen: dict[int, dict[int, str]] = {shift.index: {} for shift in shifts}
    for (crew_id, s, place), lit in built.x.items():
        if solver.boolean_value(lit):
            chosen[s][place] = crew_id
    result_shifts, unfilled = [], []
    for shift in shifts:
        taken = chosen[shift.index]
        places = [(role, taken.get(place)) for place, role in enumerate(shift.roles)]
        result_shifts.append(CrewShift(shift.show_id, shift.day, shift.kind, shift.start, shift.end,
                                       tuple((r, c) for r, c in places if driven_vehicle(r) is None),
                                       tuple((driven_vehicle(r), c) for r, c in places if driven_vehicle(r))))
        for place, role in enumerate(shift.roles):
            if place not in taken:
                unfilled.append(UnfilledRole(shift.show_id, shift.day, shift.kind, role,
                                             _reason(tour, shift, place, shifts, chosen)))
    worked = tuple((m.id, sum(m.id in taken.values() for taken in chosen.values())) for m in tour.crew)
    return CrewResult(status, tuple(result_shifts), tuple(unfilled), worked, objective, bound, gap,
                      clock.monotonic() - started)
