"""Accommodation: who sleeps where each night of a plan (CP-SAT).

The nights and what is decided before any solving:

- A night belongs to each day of the plan whose kind is show, set-up, travel or off and
  whose place (where the tour is at the end of the day) is not the home base. The next
  morning starts at the first leg's origin when the next day drives, else at the next
  day's place (the night's own place after the plan's last day).
- A night whose day ends with an overnight leg is spent on board the nightliner.
- A night on the road (:func:`en_route`: the day drives part of a leg that goes on the
  next day) is spent aboard the nightliner, parked where its driver rests, when the
  fleet has one; else in rooms still to book where the day's drive ends (no hotel of
  the data lies there). On a leg from the home base, crew whose home is no drive from
  it (:func:`solvers.travel.too_far_to_drive`) sleep at home and join at the
  destination on their own.
- Go-home rule: a crew member on the road that night (``CrewMember.is_available``)
  sleeps at home when home is within ``rules.go_home_radius_minutes`` of the night's
  place *and* of the next morning's start. It is a rule of the tour, not a choice.
- Everyone else needs a bed. A hotel can take them when it lies within
  ``params.hotel_radius_minutes`` (30 by default: a short drive after the curtain) of the
  night's place and the room fits ``rules.hotel_budget_per_night`` per person.

The model, one boolean per person, night and option:

- ``single``: a single room; ``alone``: a double used as a single, at the double price;
  ``share``: a double shared by two people who list each other in ``share_with`` (one
  boolean per mutual pair, so sharing without consent cannot be expressed);
  ``unbooked``: no bed found, a penalised option that keeps the model always feasible.
- Exactly one option per person and night; per hotel and night, singles taken <= singles,
  doubles taken (alone or shared) <= doubles.
- ``used[night, hotel]`` when anyone sleeps there; ``extra[night]`` >= hotels used - 1.
- ``moved[person, night]`` when a person sleeps in a hotel on two nights in a row, in a
  different one the second night although the first night's hotel was an option then too
  (the same city, or close enough to count as one).
- Replanning (all optional, :func:`solve`'s keywords): ``closed`` (hotel, night) pairs
  take nobody that night (a booking fell through); the stays of ``previous`` nights are
  CP-SAT hints; a ``booked`` (person, night) keeps its hotel whenever that hotel is still
  an option for them that night (a hard rule, or with ``allow_moving`` a
  ``changed[person, night]`` literal costing ``weights.replan_changed_hotel``). When it is
  no option (closed, out of reach of the night's new place, over budget) or the person
  needs no bed any more, the booking is forced to change and nothing constrains it. Should
  the bookings no longer fit the rooms in the data at all, they are kept as far as they
  fit, as with ``allow_moving``.
- The objective, in cents: room prices times ``weights.cost``; for each hotel used on a
  night the van's drive from the night's place to the hotel and from the hotel to the next
  morning's start (``weights.km`` and ``weights.drive_hour``: the party drives together,
  so it counts once per hotel, not per person); ``weights.extra_hotel`` per extra hotel
  per night; ``weights.hotel_change`` per person moving; ``weights.replan_changed_hotel``
  per booked stay changed (replanning with moves allowed); and per unbooked person-night a
  penalty dearer than any booking (:data:`UNBOOKED_PENALTY` on top of the dearest option).

Unbooked people become "still to book" lines per night and place, e.g. "book 2 singles and
1 double near De Singel for 2026-03-11", with the reason no hotel in the data fits.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Collection, Mapping, Sequence

from ortools.sat.python import cp_model

from solvers.cpsat import STATUS, Budget, CpSatParams, figures

from solvers.travel import TravelMatrix, too_far_to_drive
from solvers.units import MINUTES_PER_HOUR, money_to_cents
from touring.model import (
    HOME_ID, CrewMember, DayKind, Hotel, Night, Plan, RoomKind, RoomPreference, Stay, StayKind, ToBook, Tour,
    VehicleKind,
)

HOTEL_RADIUS_MINUTES = 30
"""A hotel serves a night when it is at most this many minutes from the night's place."""
UNBOOKED_PENALTY = 1000.0
"""Per unbooked person and night, in the tour's currency, on top of the dearest booking."""

NIGHT_KINDS = frozenset({DayKind.SHOW, DayKind.SETUP, DayKind.TRAVEL, DayKind.OFF})


@dataclass(frozen=True)
class AccommodationParams(CpSatParams):
    """How to solve: time limit in seconds, seed, CP-SAT workers and the hotel radius.

    ``deterministic`` solves with one CP-SAT worker and reads the time limit as
    deterministic time too, so the same seed gives the same rooms on any machine;
    ``workers`` then counts only when ``deterministic`` is off. (Unlike the scheduler,
    no interleaved search: it runs each full-problem worker for a fixed chunk of one
    deterministic second, or-tools issue #5199, some ten times what these models need
    -- measured 15 s against 0.3 s on the Flemish example with a 60-minute go-home radius.)
    """

    hotel_radius_minutes: int = HOTEL_RADIUS_MINUTES

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.hotel_radius_minutes < 0:
            raise ValueError(f"hotel_radius_minutes must not be negative, got {self.hotel_radius_minutes}")


@dataclass(frozen=True)
class AccommodationResult:
    """Every night of the plan with everyone's bed, and what is still to book.

    ``status`` is ``optimal``, ``feasible`` or ``unknown`` (nothing found in the time
    limit; the model itself is always feasible). Money is in the tour's currency:
    ``objective`` and ``bound`` as the model weighs it, ``room_cost`` the plain sum of the
    rooms booked. ``gap`` is relative to the objective.
    """

    status: str
    nights: tuple[Night, ...] = ()
    to_book: tuple[ToBook, ...] = ()
    room_cost: float = 0.0
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    wall_time_s: float = 0.0

    @property
    def found(self) -> bool:
        return self.status in ("optimal", "feasible")


# --- the nights, before any solving -------------------------------------------------

@dataclass(frozen=True)
class _Night:
    index: int
    day: date
    place_id: str
    next_place_id: str
    on_board: bool
    home: tuple[str, ...]  # crew ids who sleep at home
    beds: tuple[str, ...]  # crew ids who need a bed
    hotels: tuple[Hotel, ...]  # hotels within the radius
    closed: tuple[str, ...] = ()  # hotels within the radius that take nobody this night
    en_route: tuple[str, str] | None = None  # the leg the tour is driving that night (:func:`en_route`)


def _next_start(plan: Plan, position: int) -> str:
    day = plan.days[position]
    if position + 1 >= len(plan.days):
        return day.place_id
    following = plan.days[position + 1]
    if following.travel and not following.travel[0].overnight:
        return following.travel[0].from_id
    return following.place_id


def can_go_home(tour: Tour, member: CrewMember, place_id: str, next_place_id: str, matrix: TravelMatrix) -> bool:
    """The go-home rule: home within the radius of tonight's place and tomorrow's start."""
    radius = tour.rules.go_home_radius_minutes
    home = member.home.id
    return (matrix.leg(place_id, home).minutes <= radius
            and matrix.leg(home, next_place_id).minutes <= radius)


def en_route(plan: Plan, position: int) -> tuple[str, str] | None:
    """The leg (origin, destination) the tour is still driving at the end of day
    ``position``: a daytime part of it that day and another the next day (a leg longer
    than a day's drive). That night the tour is somewhere on the road, not at the day's
    place (which stays the leg's origin until the day it arrives)."""
    if position + 1 >= len(plan.days):
        return None
    going_on = {(p.from_id, p.to_id) for p in plan.days[position + 1].travel if not p.overnight}
    return next(((p.from_id, p.to_id) for p in plan.days[position].travel
                 if not p.overnight and (p.from_id, p.to_id) in going_on), None)


def _nights(tour: Tour, plan: Plan, matrix: TravelMatrix, params: AccommodationParams,
            closed: Collection[tuple[str, date]] = frozenset()) -> list[_Night]:
    nightliner = any(v.kind is VehicleKind.NIGHTLINER for v in tour.vehicles)
    nights = []
    for position, day in enumerate(plan.days):
        leg = en_route(plan, position)
        if day.kind not in NIGHT_KINDS or (day.place_id == HOME_ID and leg is None):
            continue
        next_place = _next_start(plan, position)
        on_road = [m for m in tour.crew if m.is_available(day.day)]
        if leg is not None and not any(part.overnight for part in day.travel):
            # On the road between two places: no hotel of the data lies there. Those whose
            # home is no drive from the home base join at the destination on their own
            # (a flight or a train) and sleep at home until then; the rest sleep aboard
            # the nightliner where its driver rests, or in rooms to book on the way.
            flying = tuple(m.id for m in on_road if leg[0] == HOME_ID and too_far_to_drive(
                matrix, tour.rules.max_drive_minutes_per_day, m.home.id, HOME_ID) is not None)
            beds = () if nightliner else tuple(m.id for m in on_road if m.id not in flying)
            nights.append(_Night(len(nights), day.day, day.place_id, next_place, nightliner, flying, beds, (),
                                 en_route=leg))
            continue
        on_board = any(part.overnight for part in day.travel)
        home = () if on_board else tuple(m.id for m in on_road
                                         if can_go_home(tour, m, day.place_id, next_place, matrix))
        beds = () if on_board else tuple(m.id for m in on_road if m.id not in home)
        near = tuple(h for h in tour.hotels
                     if matrix.leg(day.place_id, h.place.id).minutes <= params.hotel_radius_minutes)
        shut = tuple(h.id for h in near if (h.id, day.day) in closed)
        nights.append(_Night(len(nights), day.day, day.place_id, next_place, on_board, home, beds,
                             tuple(h for h in near if h.id not in shut), shut))
    return nights


def mutual_pairs(tour: Tour) -> list[tuple[str, str]]:
    """Pairs who may share a double: both 'shared', each naming the other in share_with."""
    pairs = []
    for i, a in enumerate(tour.crew):
        for b in tour.crew[i + 1:]:
            if (a.room is RoomPreference.SHARED and b.room is RoomPreference.SHARED
                    and b.id in a.share_with and a.id in b.share_with):
                pairs.append((a.id, b.id))
    return pairs


def _within_budget(tour: Tour, price: float, people: int) -> bool:
    """The budget cap is per person and night: a shared double costs each half."""
    cap = tour.rules.hotel_budget_per_night
    return cap is None or money_to_cents(price) <= people * money_to_cents(cap)


# --- the CP-SAT model ---------------------------------------------------------------

@dataclass
class _Model:
    model: cp_model.CpModel
    single: dict[tuple[str, int, str], cp_model.IntVar]  # (crew, night, hotel)
    alone: dict[tuple[str, int, str], cp_model.IntVar]  # (crew, night, hotel)
    share: dict[tuple[str, str, int, str], cp_model.IntVar]  # (crew a, crew b, night, hotel)
    unbooked: dict[tuple[str, int], cp_model.IntVar]  # (crew, night)
    at: dict[tuple[str, int], dict[str, list[cp_model.IntVar]]]  # (crew, night) -> hotel -> literals


def _hotel_travel_cents(tour: Tour, night: _Night, hotel: Hotel, matrix: TravelMatrix) -> int:
    """The evening drive to the hotel and the morning drive on, for the party's van."""
    evening = matrix.leg(night.place_id, hotel.place.id)
    morning = matrix.leg(hotel.place.id, night.next_place_id)
    weights = tour.weights
    return money_to_cents((evening.km + morning.km) * weights.km
                          + (evening.drive_minutes + morning.drive_minutes) / MINUTES_PER_HOUR * weights.drive_hour)


def _unbooked_cents(tour: Tour, nights: list[_Night], matrix: TravelMatrix) -> int:
    """Dearer than any booking one person can cause, so a bed is always taken when one fits."""
    weights = tour.weights
    dearest_room = max((max(h.single_price, h.double_price) for h in tour.hotels), default=0.0) * weights.cost
    dearest_drive = max((_hotel_travel_cents(tour, n, h, matrix) for n in nights for h in n.hotels), default=0)
    return (money_to_cents(UNBOOKED_PENALTY + dearest_room + weights.extra_hotel + 2 * weights.hotel_change)
            + dearest_drive)


def _build(tour: Tour, nights: list[_Night], matrix: TravelMatrix, unbooked_cost: int,
           booked: Mapping[tuple[str, date], str] | None = None, allow_moving: bool = False) -> _Model:
    model = cp_model.CpModel()
    weights = tour.weights
    pairs = mutual_pairs(tour)
    single: dict[tuple[str, int, str], cp_model.IntVar] = {}
    alone: dict[tuple[str, int, str], cp_model.IntVar] = {}
    share: dict[tuple[str, str, int, str], cp_model.IntVar] = {}
    unbooked: dict[tuple[str, int], cp_model.IntVar] = {}
    at: dict[tuple[str, int], dict[str, list[cp_model.IntVar]]] = {}
    terms = []

    for night in nights:
        n, day = night.index, night.day
        beds = set(night.beds)
        # Step 1: options per person: single, double alone, shared double, unbooked.
        options: dict[str, list[cp_model.IntVar]] = {c: [] for c in night.beds}
        singles_at: dict[str, list[cp_model.IntVar]] = {h.id: [] for h in night.hotels}
        doubles_at: dict[str, list[cp_model.IntVar]] = {h.id: [] for h in night.hotels}
        for crew_id in night.beds:
            at[crew_id, n] = {h.id: [] for h in night.hotels}
        for hotel in night.hotels:
            h = hotel.id
            for crew_id in night.beds:
                if hotel.singles and _within_budget(tour, hotel.single_price, 1):
                    lit = single[crew_id, n, h] = model.new_bool_var(f"single[{crew_id},{day},{h}]")
                    singles_at[h].append(lit)
                    options[crew_id].append(lit)
                    at[crew_id, n][h].append(lit)
                    terms.append(money_to_cents(hotel.single_price * weights.cost) * lit)
                if hotel.doubles and _within_budget(tour, hotel.double_price, 1):
                    lit = alone[crew_id, n, h] = model.new_bool_var(f"alone[{crew_id},{day},{h}]")
                    doubles_at[h].append(lit)
                    options[crew_id].append(lit)
                    at[crew_id, n][h].append(lit)
                    terms.append(money_to_cents(hotel.double_price * weights.cost) * lit)
            if hotel.doubles and _within_budget(tour, hotel.double_price, 2):
                for a, b in pairs:
                    if a in beds and b in beds:
                        lit = share[a, b, n, h] = model.new_bool_var(f"share[{a}+{b},{day},{h}]")
                        doubles_at[h].append(lit)
                        for crew_id in (a, b):
                            options[crew_id].append(lit)
                            at[crew_id, n][h].append(lit)
                        terms.append(money_to_cents(hotel.double_price * weights.cost) * lit)
        for crew_id in night.beds:
            lit = unbooked[crew_id, n] = model.new_bool_var(f"unbooked[{crew_id},{day}]")
            terms.append(unbooked_cost * lit)
            # Step 2: exactly one bed (or none found) per person and night.
            model.add_exactly_one(options[crew_id] + [lit])

        # Step 3: room counts per hotel and night.
        used = []
        for hotel in night.hotels:
            h = hotel.id
            if singles_at[h]:
                model.add(sum(singles_at[h]) <= hotel.singles)
            if doubles_at[h]:
                model.add(sum(doubles_at[h]) <= hotel.doubles)
            guests = singles_at[h] + doubles_at[h]
            if not guests:
                continue
            # Step 4: hotels used, their drives and the extras beyond the first.
            in_use = model.new_bool_var(f"used[{day},{h}]")
            for lit in guests:
                model.add_implication(lit, in_use)
            used.append(in_use)
            terms.append(_hotel_travel_cents(tour, night, hotel, matrix) * in_use)
        if len(used) > 1 and weights.extra_hotel:
            extra = model.new_int_var(0, len(used) - 1, f"extra_hotels[{day}]")
            model.add(extra >= sum(used) - 1)
            terms.append(money_to_cents(weights.extra_hotel) * extra)

    # Step 5: moving hotel between two nights in a row when staying was an option.
    if weights.hotel_change:
        by_day = {night.day: night for night in nights}
        for night in nights:
            following = by_day.get(night.day + timedelta(days=1))
            if following is None:
                continue
            for crew_id in night.beds:
                today, tomorrow = at.get((crew_id, night.index)), at.get((crew_id, following.index))
                if not today or not tomorrow:
                    continue
                both = [h for h in today if today[h] and tomorrow.get(h)]
                if not both:
                    continue
                moved = model.new_bool_var(f"moved[{crew_id},{night.day}]")
                anywhere = sum(lit for lits in tomorrow.values() for lit in lits)
                for h in both:
                    model.add(moved >= sum(today[h]) + anywhere - sum(tomorrow[h]) - 1)
                terms.append(money_to_cents(weights.hotel_change) * moved)

    # Step 6: booked stays are kept where the hotel is still an option.
    if booked:
        _add_booked(model, tour, nights, at, booked, allow_moving, terms)

    model.minimize(sum(terms))
    return _Model(model, single, alone, share, unbooked, at)


def _add_booked(model: cp_model.CpModel, tour: Tour, nights: list[_Night],
                at: dict[tuple[str, int], dict[str, list[cp_model.IntVar]]],
                booked: Mapping[tuple[str, date], str], allow_moving: bool, terms: list) -> None:
    """Each booked (person, night) sleeps in its hotel, or pays for the change when moves are allowed.

    A booking whose hotel is no option any more (closed that night, out of the night's
    radius, over the budget) or whose person needs no bed is forced: it is left free.
    """
    penalty = money_to_cents(tour.weights.replan_changed_hotel)
    for night in nights:
        for crew_id in night.beds:
            hotel_id = booked.get((crew_id, night.day))
            lits = at.get((crew_id, night.index), {}).get(hotel_id or "")
            if not lits:
                continue
            if not allow_moving:
                model.add(sum(lits) == 1)
                continue
            changed = model.new_bool_var(f"changed[{crew_id},{night.day}]")
            model.add(sum(lits) + changed == 1)
            terms.append(penalty * changed)


def _add_hints(built: _Model, nights: list[_Night], previous: Sequence[Night]) -> None:
    """The previous plan's rooms as CP-SAT hints: the search starts from what was booked."""
    by_day = {night.day: night.index for night in nights}
    hinted: set[int] = set()  # a shared double is both room-mates' stay: hint it once
    for old in previous:
        n = by_day.get(old.day)
        if n is None:
            continue
        for stay in old.stays:
            if stay.kind is StayKind.UNBOOKED:
                lit = built.unbooked.get((stay.crew_id, n))
            elif stay.kind is not StayKind.HOTEL:
                continue
            elif stay.room_mate is not None:
                lit = built.share.get((stay.crew_id, stay.room_mate, n, stay.hotel_id))
                if lit is None:
                    lit = built.share.get((stay.room_mate, stay.crew_id, n, stay.hotel_id))
            elif stay.room is RoomKind.DOUBLE:
                lit = built.alone.get((stay.crew_id, n, stay.hotel_id))
            else:
                lit = built.single.get((stay.crew_id, n, stay.hotel_id))
            if lit is not None and lit.index not in hinted:
                hinted.add(lit.index)
                built.model.add_hint(lit, 1)


# --- solving and reading the answer ---------------------------------------------------

def _rooms_taken(nights: list[_Night], built: _Model, solver: cp_model.CpSolver) -> dict[int, dict[str, Stay]]:
    """The hotel stays CP-SAT chose, by night index and crew id (the one place reading literals)."""
    hotels = {h.id: h for h in {h for night in nights for h in night.hotels}}
    chosen: dict[int, dict[str, Stay]] = {night.index: {} for night in nights}
    for (crew_id, n, h), lit in built.single.items():
        if solver.boolean_value(lit):
            chosen[n][crew_id] = Stay(crew_id, StayKind.HOTEL, h, RoomKind.SINGLE, None, hotels[h].single_price)
    for (crew_id, n, h), lit in built.alone.items():
        if solver.boolean_value(lit):
            chosen[n][crew_id] = Stay(crew_id, StayKind.HOTEL, h, RoomKind.DOUBLE, None, hotels[h].double_price)
    for (a, b, n, h), lit in built.share.items():
        if solver.boolean_value(lit):
            half = hotels[h].double_price / 2
            chosen[n][a] = Stay(a, StayKind.HOTEL, h, RoomKind.DOUBLE, b, half)
            chosen[n][b] = Stay(b, StayKind.HOTEL, h, RoomKind.DOUBLE, a, half)
    return chosen


def _stays(tour: Tour, night: _Night, chosen: dict[str, Stay]) -> tuple[Stay, ...]:
    """One stay per crew member on the road, in crew order."""
    stays = []
    for member in tour.crew:
        if member.id in night.home:
            stays.append(Stay(member.id, StayKind.HOME))
        elif member.id in night.beds:
            stays.append(chosen.get(member.id, Stay(member.id, StayKind.UNBOOKED)))
        elif night.on_board and member.is_available(night.day):
            stays.append(Stay(member.id, StayKind.NIGHTLINER))
    return tuple(stays)


def _unbooked_reason(tour: Tour, night: _Night, params: AccommodationParams) -> str:
    radius = params.hotel_radius_minutes
    if night.en_route is not None:
        return "the tour is on the road that night, where the day's drive ends: no hotel of the data lies there"
    if not night.hotels and night.closed:
        return f"the only hotels within {radius} min take nobody that night ({', '.join(night.closed)})"
    if not night.hotels:
        return f"no hotel in the data lies within {radius} min"
    cap = tour.rules.hotel_budget_per_night
    affordable = [h for h in night.hotels
                  if (h.singles and _within_budget(tour, h.single_price, 1))
                  or (h.doubles and _within_budget(tour, h.double_price, 2))]
    if not affordable:
        return f"every hotel within {radius} min costs more than the budget of {cap:g} {tour.currency} per person"
    if len(affordable) < len(night.hotels):
        return f"the hotels within {radius} min that fit the budget are full"
    return f"the hotels within {radius} min are full"


def _to_book(tour: Tour, night: _Night, stays: tuple[Stay, ...], params: AccommodationParams) -> ToBook | None:
    """Rooms for the unbooked: a double for each pair who agreed to share, else singles."""
    waiting = [s.crew_id for s in stays if s.kind is StayKind.UNBOOKED]
    if not waiting:
        return None
    pairs = set(mutual_pairs(tour))
    singles = doubles = 0
    paired: set[str] = set()
    for crew_id in waiting:
        if crew_id in paired:
            continue
        mate = next((o for o in waiting if o not in paired and ((crew_id, o) in pairs or (o, crew_id) in pairs)),
                    None)
        if mate is not None:
            doubles += 1
            paired |= {crew_id, mate}
        else:
            singles += 1
            paired.add(crew_id)
    name = tour.places[night.place_id].name
    if night.en_route is not None:
        origin, destination = (tour.places[p].name for p in night.en_route)
        name = f"the end of the day's drive from {origin} to {destination}"
    return ToBook(night.day, night.place_id, name, singles, doubles, tuple(waiting),
                  _unbooked_reason(tour, night, params))


def solve(tour: Tour, plan: Plan, matrix: TravelMatrix,
          params: AccommodationParams = AccommodationParams(), *,
          closed: Collection[tuple[str, date]] = frozenset(), previous: Sequence[Night] = (),
          booked: Mapping[tuple[str, date], str] | None = None, allow_moving: bool = False) -> AccommodationResult:
    """Choose where every crew member sleeps on every night of a plan.

    Parameters
    ----------
    tour
        The tour; its crew (homes, availability, room preferences), hotels, rules
        (go-home radius, hotel budget) and weights are used.
    plan
        The tour dates laid out day by day (:func:`touring.planning.make_plan`).
    matrix
        Travel between every place of the tour, crew homes and hotels included (a car
        matrix suits: crews drive home and to hotels by car).
    params
        Time limit, seed, workers, determinism and the hotel radius. The time limit covers
        the whole stage: when booked stays no longer fit the rooms and a second solve lets
        them change, that solve gets what the first one left (none left: ``unknown``).
    closed
        (hotel id, night) pairs: the hotel takes nobody that night (a lost booking).
    previous
        The nights of the plan in force: their stays are hints for the search.
    booked
        (crew id, night) -> hotel id of the stays that are booked: each is kept when that
        hotel is still an option for the person that night.
    allow_moving
        Let a booked stay change at ``weights.replan_changed_hotel`` each instead of
        keeping it as a rule.

    Returns
    -------
    AccommodationResult
        Every night with one stay per crew member on the road, the rooms still to book,
        and the solver's status, objective, bound, gap and wall time.
    """
    started = clock.monotonic()
    nights = _nights(tour, plan, matrix, params, closed)
    built = _build(tour, nights, matrix, _unbooked_cents(tour, nights, matrix), booked, allow_moving)
    _add_hints(built, nights, previous)
    # The fallback below shares the time limit with the first solve: one limit for the stage.
    budget = Budget(params)
    solver = budget.solver()
    status = STATUS[solver.solve(built.model)]
    budget.spend(solver)
    if status == "infeasible" and booked and not allow_moving:
        # Bookings that no longer fit the rooms in the data (hotels.csv changed since):
        # keep as many as fit, each change paying its weight, rather than house nobody.
        status = "unknown"  # unless the time left finds a plan
        if budget.left():
            built = _build(tour, nights, matrix, _unbooked_cents(tour, nights, matrix), booked, True)
            _add_hints(built, nights, previous)
            solver = budget.solver()
            status = STATUS[solver.solve(built.model)]
    if status not in ("optimal", "feasible"):
        return AccommodationResult("unknown", wall_time_s=clock.monotonic() - started)
    objective, bound, gap = figures(solver, status, divisor=100)
    taken = _rooms_taken(nights, built, solver)
    result_nights, to_book = [], []
    for night in nights:
        stays = _stays(tour, night, taken[night.index])
        result_nights.append(Night(night.day, night.place_id, night.next_place_id, stays))
        line = _to_book(tour, night, stays, params)
        if line is not None:
            to_book.append(line)
    room_cost = round(sum(s.price for n in result_nights for s in n.stays), 2)
    return AccommodationResult(status, tuple(result_nights), tuple(to_book), room_cost, objective, bound, gap,
                               clock.monotonic() - started)
