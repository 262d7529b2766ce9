"""Transport runs: who and what each vehicle of the fleet carries, day by day (routing core).

For every day of a plan on which people or gear move, one :class:`solvers.vrp.Problem`
is built and solved; the fleet's positions and the drivers' hours carry over to the
next day. The steps of one day:

1. **requests** (pickup-and-delivery pairs, every one optional with a large penalty):

   - on a show or set-up day each crew member on duty (the rota's shift if the plan has
     one, else everyone available, called at the venue's load-in or the set-up start) is
     taken from where they slept to the venue, arriving by their call time, and back
     after the curfew (the shift's end) to where they sleep that night; the others
     available travel with the tour too (from last night's bed to tonight's, by way of
     the venue when tonight's bed is aboard the nightliner); a bed aboard the nightliner,
     which drives through the night, is due by the next morning's first call, any other
     by 08:00;
   - on a travel day everyone available goes from last night's bed to tonight's;
   - where someone sleeps comes from ``plan.accommodation`` (home, hotel, the
     nightliner's next place, or the tour's place when unbooked); without it, the tour's
     place of that night, or where the schedule drives to through the night when that
     leg ends by the morning (:func:`_night_place`; the crew member's own home when the
     tour is at its base);
   - a move between a crew member's home and the tour that crosses the sea, or whose
     drive at the fleet's pace is longer than one day's driving
     (``rules.max_drive_minutes_per_day``), is no request: that person travels on their
     own (flight or train) and the result lists it as an own-travel line to book
     (:func:`_own_travel`);
   - gear, from the loading plan's manifests (``plan.loads``) when the plan has them:
     each vehicle's lines of a leg, pinned to that vehicle (:func:`_hauls`). At a venue
     they are loaded after the curfew (``load_out``, else the curfew) of the last show
     or set-up day there, stay aboard where the vehicle parks overnight (its room is
     reduced by them on the days between) and are unloaded by the first call at the
     next venue; on a leg the schedule drives through one night only, one run loads them
     after the curfew and unloads them there by the next morning's call (the vehicle
     parks there); gear aboard a vehicle already parked at its venue is unloaded by the
     crew, one item after the other, done by the first call, with no drive and no driver
     (:func:`_unload_parked`: after a night at the wheel the driver may be resting), and
     a load-out into a vehicle standing at the venue that nobody drives that day is
     loaded by the crew the same way;
     from the home base they are loaded on the day itself; the drive home goes right
     after the last show and is home by :data:`HOME_BY_S` the next day. Rental lines are loaded at their supplier on their
     pick-up leg and set down there on their return leg (``plan.equipment_moves``).
     Without manifests, on the day the tour arrives at a venue every item needed there
     (``Equipment.needed_at``) goes, all its units together, from the previous venue (or
     the home base) to the venue, in any vehicle, unloaded by the call time.

2. **service times** (defaults): a person boards or alights in
   :data:`BOARDING_S` (2 min); an item loads and unloads in :data:`GEAR_BASE_S` (10 min)
   plus :data:`GEAR_PER_M3_S` (3 min) per m3 of its total volume.

3. **vehicles**: the whole fleet, each starting where it parked last night (its depot on
   the first day: multi-depot) and parking where its driver sleeps that night (the
   tour's place of the night when the driver's bed is there; its depot when the tour is
   at its base). Capacities are three separate dimensions: seats (minus
   the driver's), volume in litres and payload in grams (:mod:`solvers.units`: an
   item's size rounds up, a limit down). Cost: ``cost_per_km`` per km and
   ``cost_per_day`` when the vehicle is used. Own cars (``CrewMember.own_car``): an
   owner who starts the day where their car is parked (at home, or where they took it)
   and drives no fleet vehicle drives it, ``car:CREW_ID``: :data:`CAR_SEATS` seats,
   :data:`CAR_VOLUME_M3`, :data:`CAR_PAYLOAD_KG`, ``rules.mileage_rate`` per km, no
   fixed cost; it takes colleagues along and parks where its owner sleeps. A fleet
   vehicle that carries only people is kept only when the day costs less with it than
   without it.

4. **drivers**: one per vehicle per day, pre-assigned before solving: the crew rota's
   ``driver:VEHICLE_ID`` place when it names one (on the days gear moves), else
   greedily: vehicles needing the rarest licence choose first; each takes, among that
   day's party, the holder of a covering licence (:func:`licence_covers`), crew without
   an own car first, then the fewest driving seconds so far (crew order breaks ties). A
   vehicle nobody can drive is left out, and requests only it could carry are reported
   with that reason. The driver's seat is taken off the vehicle's seats; the driver's
   own moves are pinned to their vehicle (``vrp.Request.vehicles``). A driver who slept
   where the vehicle is parked is aboard from the start; one who slept elsewhere drives
   their own car there when it is at hand (the car stays there, the vehicle leaves once
   they can be there: :func:`_reaches`), else the vehicle leaves where it parked and
   collects them before anyone or anything else (``vrp.VehicleSpec.first``), from at
   most :data:`FETCH_LIMIT_S` away (a lift in another vehicle is not modelled). A fleet
   vehicle whose driver is farther, or goes nowhere today and is elsewhere, or whose
   driver's own move is not served, stays parked: what only it could carry is reported
   with that reason (:func:`_stranded`, :func:`_driverless`).
   A vehicle whose run would carry nobody but its driver stays parked and frees the
   driver, who rides as a passenger, and the day is solved again (when no vehicle
   carries anyone else, the first one still takes its driver).

5. **driver hours** (``rules.driver_hours``), on the vehicle through the core. Within a
   day: ``eu`` a 45 min break after at most 4 h 30 of driving (EU 561/2006 art. 7);
   ``us`` a 30 min break after at most 8 h (FMCSA 395.3). Across days, from each
   driver's earlier runs (:mod:`solvers.driver_hours`, :func:`duty_limits`): ``eu`` 9 h
   of driving a day, 10 h at most twice per ISO week, at most what is left of 56 h a
   week and 90 h over two weeks, 11 h of daily rest after the last run (9 h at most
   three times between weekly rests), and a weekly rest of 45 h that starts at the
   latest at the end of six 24 h periods from the end of the last one (art. 8(6); a gap
   of 45 h between runs is one; the reduced 24 h weekly rest is not modelled); ``us``
   11 h of driving within a 14 h run (``VehicleSpec.max_span``), 10 h off duty after
   the last run, and no driving after 70 h on duty (a run's span) in 8 days until 34 h
   off duty restart the count (395.3(b), (c)). A run that ends after midnight keeps its
   vehicle busy into the next day, and its driver resting (:func:`_bounds`); moves that
   cannot wait so long are reported with that reason (the daily or weekly rest, the
   restart). A run that only loads or unloads where the vehicle stands (a load-out)
   drives nothing and is no duty at the wheel: the stage crew loads, and the driver's
   rest goes on. Own cars (private driving, outside these regulations) keep only the daily
   limit, but their driving counts towards their owner's driving time in a fleet
   vehicle (the day's, the week's, two weeks'): a driver who takes their car to their
   vehicle has that drive off the vehicle's day (the car may drive no more than the
   direct way). ``none``: no rule. Each day is first solved without break intervals;
   when every route's own waits (a wait at a venue of at least the break) already keep
   the rule, measured on driving time as the regulation does
   (:func:`_keeps_breaks`), that solution stands, else the day is solved again with
   the rule in the model (:func:`_solve_day`), where the core measures the span
   between breaks on elapsed route time: stricter than the regulation, never looser.

6. **long legs** (:func:`_long_legs`): a leg the schedule spreads over several days
   (its travel days, which it leaves free) is not a request of one day's problem. On the
   leg's first daytime part every fleet vehicle parked at its start (its depot for the
   home base) sets off with the gear the loading plan gives it for that leg (already
   after the curfew when the schedule starts the leg in the night after a show,
   ``rules.nightliner_overnight_km``: the nightliner with the crew asleep aboard, the
   trucks after their load-out), driven by the rota's driver for it on the day of
   arrival (else a licensed crew member), within their hours day after day
   (:func:`drive_days`: the daily limit and breaks, the daily rest between days). The
   crew with the tour ride along as seats allow (:func:`_with_the_tour`: aboard the
   nightliner, or on the road to rooms still to book), in the vehicles with the most
   seats first. When one driver would arrive later than :data:`LEG_MARGIN_S` before the
   first call at the venue, whoever arrives first drives: another licensed driver alone
   (the rota's may have few hours left), or two taking turns (multi-manning,
   :func:`solvers.driver_hours.drive_two`: breaks taken aboard, 9 h of daily rest within
   30 h), the rota's driver among them when that is as early. It is one run over the days, its nights' rests among its breaks;
   the driver and riders go with it (their own moves go) until the tour is there too, the gear
   stays aboard and is delivered on the venue's day from where the vehicle stands. A
   vehicle more than a day's drive from where it is next needed (it arrived late, or
   could not move) follows the same way (:func:`_lagging`), with the gear it still holds
   (:func:`_adopt`); moves due while it is away give that as their reason
   (``long leg: ...``) instead of a driver reason repeated day after day, and the next
   days start from where the vehicle and gear really are. Not modelled: how the driver
   gets to the vehicle when it sets off from its depot, where they sleep on the way
   (the accommodation plan does not know the stops), and a ferry's time, which is
   added at the end of the drive as time off the wheel.

Times are seconds after local midnight of the day at the tour's place of that night;
a day's run is taken to stay in one time zone. Unserved requests carry a reason in the
tour's terms when one is found before solving (seats, volume, weight, licence, the
clock), else the core's.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Callable, Mapping, Sequence

from solvers import vrp
from solvers.crew import DEFAULT_CURFEW, DEFAULT_LOAD_IN, SETUP_START
from solvers.driver_hours import (
    HOUR_S, TRAVEL_DAY_START, Duty, DutyLimits, drive_days, drive_two, duty_limits, hours_rule,
)
from solvers.loading import arrival_day, load_out_day
from solvers.travel import Leg, TravelMatrix, too_far_to_drive, travel_matrix
from solvers.units import (
    CENTS_PER_UNIT, METRES_PER_KM, grams_down, grams_up, litres_down, litres_up, minutes_to_seconds, money_to_cents,
)
from touring.model import (
    DEFAULT_SPEEDS_KMH, HOME_ID, LICENCE_COVERS, OWN_CAR_PREFIX, CrewMember, DayKind, Equipment, Night, OwnTravel, Plan,
    PlanDay, RunStop,
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
CAR_SEATS = 4
CAR_VOLUME_M3 = 0.4
CAR_PAYLOAD_KG = 300.0
"""A crew member's own car: 4 seats with the driver's, a boot of about 400 litres and
300 kg of payload (a common family car); no fixed cost, ``rules.mileage_rate`` per km."""
_DAY_END_S = 32 * 3600  # runs may last until 08:00 the next morning (late curfews)
_DAY_S = 24 * 3600
HOME_BY_S = 18 * 3600
"""Gear driven home after the last show is home by 18:00 the next day."""
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
    time limit. ``vehicle_change_cost`` (the tour's currency; replanning) is what moving a
    person or a load to another vehicle than the previous plan's runs gave it costs.
    """

    time_limit_s: float = 2.0
    solution_limit: int | None = 200
    seed: int = 0
    vehicle_change_cost: float = 0.0

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError(f"time_limit_s must be positive, got {self.time_limit_s:g}")
        if self.vehicle_change_cost < 0:
            raise ValueError(f"vehicle_change_cost must not be negative, got {self.vehicle_change_cost:g}")

    def change_penalty(self) -> int:
        """:attr:`vehicle_change_cost` in the routing objective's unit (1/1000 cent)."""
        return money_to_cents(self.vehicle_change_cost) * _COST_SCALE

    def core(self) -> vrp.SolveParams:
        reproducible = self.solution_limit is not None
        return vrp.SolveParams(time_limit=self.time_limit_s, solution_limit=self.solution_limit, engine="ortools",
                               metaheuristic="GREEDY_DESCENT" if reproducible else "GUIDED_LOCAL_SEARCH",
                               seed=self.seed)


def objective_in_money(objective: int) -> float:
    """A routing objective (1/1000 cent: cents per km times metres) in the tour's currency."""
    return objective / (CENTS_PER_UNIT * _COST_SCALE)


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
    own_travel: tuple[OwnTravel, ...] = ()  # crew journeys home <-> tour too far to drive
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
    items: tuple[str, ...] = ()  # a manifest's equipment ids (gear from plan.loads)
    vehicle: str | None = None  # the only vehicle that may carry it (the loading plan's)
    aboard: bool = False  # loaded before the run starts: only delivered
    stays: bool = False  # loaded after the curfew and kept aboard where the vehicle parks
    avoid: str | None = None  # the fleet vehicle a driver reaches with this move (in their car)
    parks_there: bool = False  # driven through the night: its vehicle parks where it is unloaded

    @property
    def gear(self) -> tuple[str, ...]:
        return self.items or ((self.subject,) if self.is_gear else ())


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


def _road_s(matrix: TravelMatrix, origin: str, destination: str) -> int:
    """Door-to-door seconds from ``origin`` to ``destination`` at the fleet's pace."""
    return minutes_to_seconds(matrix.leg(origin, destination).minutes)


def _night_drives(plan: Plan, k: int) -> set[tuple[str, str]]:
    """The legs (origin, destination) the schedule drives through the night after day ``k``
    and that end by the morning (one that goes on the next day is a long leg, see
    :func:`_long_legs`)."""
    going_on = {(p.from_id, p.to_id) for p in plan.days[k + 1].travel} if k + 1 < len(plan.days) else set()
    return {(p.from_id, p.to_id) for p in plan.days[k].travel if p.overnight} - going_on


def _night_place(plan: Plan, k: int) -> str:
    """Where the tour spends night ``k`` when the plan has no accommodation: the day's
    place, or where a night drive (:func:`_night_drives`) takes it; the home base before
    the first day."""
    if k < 0:
        return HOME_ID
    return next((destination for _, destination in sorted(_night_drives(plan, k))), plan.days[k].place_id)


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


def _working(pday: PlanDay) -> bool:
    """A show or set-up day: the crew has a call at a venue."""
    return pday.show_id is not None and pday.kind in (DayKind.SHOW, DayKind.SETUP)


def _first_call(tour: Tour, plan: Plan, pday: PlanDay) -> int:
    """The first call of a show or set-up day, in seconds of the day: the rota's earliest
    shift start, else the venue's load-in or the set-up start."""
    return min((call for call, _ in _duty(tour, plan, pday).values()), default=_default_call(tour, pday))


def _next_call(tour: Tour, plan: Plan, k: int) -> int:
    """By when, in seconds of day ``k``, the nightliner that drives through the night after
    it must be at the next place: the next day's first call there, else noon."""
    following = plan.days[k + 1] if k + 1 < len(plan.days) else None
    if following is None or not _working(following):
        return _DAY_S + 12 * 3600
    return _DAY_S + _first_call(tour, plan, following) - BOARDING_S


def _gear_service(item: Equipment) -> int:
    return GEAR_BASE_S + int(round(GEAR_PER_M3_S * item.total_volume_m3))


def _earliest(latest: int, service: int, direct: int) -> int:
    return max(0, latest - service - direct - EARLIEST_BEFORE_CALL_S)


def _moves(tour: Tour, plan: Plan, k: int, matrix: TravelMatrix) -> list[_Move]:
    pday = plan.days[k]
    before = plan.days[k - 1].place_id if k > 0 else HOME_ID
    nights = {n.day: n for n in plan.accommodation}
    last_night, tonight = nights.get(pday.day - timedelta(days=1)), nights.get(pday.day)
    moves: list[_Move] = []
    crew = tour.crew_by_id
    last_place, tonight_place = _night_place(plan, k - 1), _night_place(plan, k)

    def aboard_tonight(cid: str) -> bool:
        stay = tonight.stay(cid) if tonight is not None else None
        return stay is not None and stay.kind is StayKind.NIGHTLINER

    def bedtime(cid: str) -> int:
        """By when a move to tonight's bed is due: a bed aboard the nightliner, which drives
        through the night, by the next morning's call; any other by 08:00."""
        return _next_call(tour, plan, k) if aboard_tonight(cid) else _DAY_END_S
    if pday.kind in (DayKind.SHOW, DayKind.SETUP) and pday.show_id is not None:
        venue = tour.show_by_id[pday.show_id].venue_id
        duty = _duty(tour, plan, pday)
        for cid in (c.id for c in tour.crew if c.id in duty):
            call, end = duty[cid]
            slept = _bed(tour, crew[cid], last_night, last_place)
            sleeps = _bed(tour, crew[cid], tonight, tonight_place)
            if slept != venue:
                latest = call - BOARDING_S
                moves.append(_Move(f"crew:{cid}:out", cid, False, slept, venue,
                                   _earliest(latest, BOARDING_S, _road_s(matrix, slept, venue)), latest, BOARDING_S, seats=1))
            if sleeps != venue:
                moves.append(_Move(f"crew:{cid}:back", cid, False, venue, sleeps, end,
                                   bedtime(cid), BOARDING_S, seats=1))
        # Those off duty that day travel with the tour too, from last night's bed to tonight's;
        # to a bed aboard the nightliner by way of the venue, where it leaves after the curfew.
        curfew = max((end for _, end in duty.values()), default=DEFAULT_CURFEW.hour * 3600)
        for member in tour.crew:
            if member.id in duty or not member.is_available(pday.day):
                continue
            slept = _bed(tour, member, last_night, last_place)
            sleeps = _bed(tour, member, tonight, tonight_place)
            if slept == sleeps:
                continue
            if aboard_tonight(member.id):
                if slept != venue:
                    moves.append(_Move(f"crew:{member.id}:out", member.id, False, slept, venue,
                                       TRAVEL_DAY_START.hour * 3600, curfew - BOARDING_S, BOARDING_S, seats=1))
                if sleeps != venue:
                    moves.append(_Move(f"crew:{member.id}:back", member.id, False, venue, sleeps, curfew,
                                       bedtime(member.id), BOARDING_S, seats=1))
                continue
            moves.append(_Move(f"crew:{member.id}:move", member.id, False, slept, sleeps,
                               TRAVEL_DAY_START.hour * 3600, bedtime(member.id), BOARDING_S, seats=1))
        if before != venue and not plan.loads:
            origin = before if before in tour.venue_by_id else HOME_ID
            first_call = _first_call(tour, plan, pday)
            for item in tour.equipment:
                if item.needed_at and pday.show_id not in item.needed_at:
                    continue
                service = _gear_service(item)
                latest = first_call - service
                moves.append(_Move(f"gear:{item.id}", item.id, True, origin, venue,
                                   _earliest(latest, service, _road_s(matrix, origin, venue)), latest, service,
                                   litres=litres_up(item.total_volume_m3), grams=grams_up(item.total_weight_kg)))
    elif pday.travel or pday.place_id != before:
        start = TRAVEL_DAY_START.hour * 3600
        for member in tour.crew:
            if not member.is_available(pday.day):
                continue
            slept = _bed(tour, member, last_night, last_place)
            sleeps = _bed(tour, member, tonight, tonight_place)
            if slept != sleeps:
                moves.append(_Move(f"crew:{member.id}:move", member.id, False, slept, sleeps, start, _DAY_END_S,
                                   BOARDING_S, seats=1))
    return moves


def _own_travel(tour: Tour, matrix: TravelMatrix, day: date, moves: list[_Move]
                ) -> tuple[list[_Move], list[OwnTravel]]:
    """Split off the crew's moves between their home and the tour that are too far to drive
    (:func:`solvers.travel.too_far_to_drive`): those people travel on their own, by flight or train, and no vehicle
    of the tour fetches them or takes them home."""
    kept, own = [], []
    for m in moves:
        member = tour.crew_by_id.get(m.subject) if not m.is_gear else None
        home = member.home.id if member is not None else None
        if home is None or (m.origin == home) == (m.destination == home):
            kept.append(m)
            continue
        other = m.destination if m.origin == home else m.origin
        far = too_far_to_drive(matrix, tour.rules.max_drive_minutes_per_day, home, other)
        if far is None:
            kept.append(m)
            continue
        places = tour.places
        own.append(OwnTravel(day, m.subject, m.origin, m.destination, places[m.origin].name,
                             places[m.destination].name, far[0], far[1]))
    return kept, own


@dataclass(frozen=True)
class _Haul:
    """One vehicle's share of a leg's gear (``plan.loads``) between two places."""

    key: str
    vehicle: str
    items: tuple[str, ...]
    origin: str  # the previous venue, the home base, or the supplier of rental gear picked up
    destination: str  # the next venue, the home base, or the supplier of rental gear returned
    load_out: date | None  # loaded that night after the curfew, kept aboard; None: loaded on ``day``
    day: date  # delivered that day
    litres: int
    grams: int
    service: int


def _hauls(tour: Tour, plan: Plan) -> list[_Haul]:
    """The loading plan's manifests as moves: each vehicle's lines of a leg, grouped by where
    they are loaded and unloaded (rental gear at its supplier on its pick-up and return legs)."""
    items = {e.id: e for e in tour.equipment}
    rental = {(m.leg, m.equipment_id, m.kind): m.supplier_id for m in plan.equipment_moves}
    hauls = []
    for load in plan.loads:
        groups: dict[tuple[str, str], list] = {}
        for line in load.lines:
            origin = rental.get((load.leg, line.equipment_id, "pickup"), load.from_id)
            destination = rental.get((load.leg, line.equipment_id, "return"), load.to_id)
            groups.setdefault((origin, destination), []).append(line)
        out, arrive = load_out_day(plan, load), arrival_day(plan, load)
        for (origin, destination), lines in groups.items():
            load_out = out if origin == load.from_id else None
            day = arrive
            if load.to_id == HOME_ID and load_out is not None:
                day = load_out  # the drive home right after the last show
            if day is None:
                continue
            ids = tuple(line.equipment_id for line in lines)
            hauls.append(_Haul(
                f"{load.leg}:{load.vehicle_id}:{origin}>{destination}", load.vehicle_id, ids, origin, destination, load_out, day,
                sum(litres_up(items[i].volume_m3) * line.units for i, line in zip(ids, lines)),
                sum(grams_up(items[i].weight_kg) * line.units for i, line in zip(ids, lines)),
                GEAR_BASE_S + int(round(GEAR_PER_M3_S * sum(line.volume_m3 for line in lines)))))
    return hauls


def _after_curfew(tour: Tour, venue_id: str) -> int:
    """Seconds of the day when gear may be loaded at a venue: its load-out, else its curfew."""
    venue = tour.venue_by_id.get(venue_id)
    at = (venue.load_out or venue.curfew) if venue is not None else None
    at = at or DEFAULT_CURFEW
    seconds = at.hour * 3600 + at.minute * 60
    return seconds + 24 * 3600 if seconds < 12 * 3600 else seconds


def _haul_moves(tour: Tour, plan: Plan, k: int, matrix: TravelMatrix, hauls: list[_Haul],
                aboard: set[str], away: Mapping[str, str] = {}) -> list[_Move]:
    """The day's gear moves from the manifests: loaded after the curfew and kept aboard, or
    delivered (from aboard, or loaded on the way) by the first call at the next venue.
    Gear still in a vehicle away on a long leg is not loaded again after the curfew: it
    stays aboard for the next leg (:func:`_adopt`). Gear for the next day's venue on a leg
    the schedule drives through the night is loaded after the curfew and unloaded there
    by the next morning's call in one run (the truck follows the nightliner)."""
    pday = plan.days[k]
    moves = []
    held = {(h.vehicle, i) for h in hauls if h.key in aboard and h.vehicle in away for i in h.items}
    tonight = _night_drives(plan, k)
    for h in hauls:
        if h.load_out == pday.day and h.day != pday.day and all((h.vehicle, i) in held for i in h.items):
            continue
        gear = dict(subject=h.items[0], is_gear=True, service=h.service, litres=h.litres, grams=h.grams,
                    items=h.items, vehicle=h.vehicle)
        if h.load_out == pday.day and h.day == pday.day + timedelta(days=1) and h.key not in aboard \
                and (h.origin, h.destination) in tonight and h.destination in tour.venue_by_id:
            moves.append(_Move(f"gear:{h.key}", origin=h.origin, destination=h.destination,
                               earliest=_after_curfew(tour, h.origin),
                               latest=_next_call(tour, plan, k) + BOARDING_S - h.service, parks_there=True, **gear))
        elif h.load_out == pday.day and h.day != pday.day and h.key not in aboard:
            moves.append(_Move(f"gear:{h.key}:out", origin=h.origin, destination=h.origin,
                               earliest=_after_curfew(tour, h.origin), latest=_DAY_END_S, stays=True, **gear))
        elif h.day == pday.day:
            if h.destination in tour.venue_by_id and pday.show_id is not None and h.destination == pday.place_id:
                latest = _first_call(tour, plan, pday) - h.service
            elif h.destination == HOME_ID and h.load_out == pday.day:
                latest = _DAY_S + HOME_BY_S  # the drive home after the last show goes on into the next day
            else:
                latest = _DAY_END_S  # the home base or a supplier: any time that day
            if h.key in aboard:
                moves.append(_Move(f"gear:{h.key}", origin=h.destination, destination=h.destination,
                                   earliest=0, latest=latest, aboard=True, **gear))
            else:
                earliest = _after_curfew(tour, h.origin) if h.load_out == pday.day else \
                    _earliest(latest, h.service, _road_s(matrix, h.origin, h.destination))
                moves.append(_Move(f"gear:{h.key}", origin=h.origin, destination=h.destination,
                                   earliest=earliest, latest=latest, **gear))
    return moves


def _slept(tour: Tour, plan: Plan, k: int) -> dict[str, str]:
    """Where each crew member slept the night before day ``k`` (as :func:`_moves` has it)."""
    last_night = next((n for n in plan.accommodation if n.day == plan.days[k].day - timedelta(days=1)), None)
    return {c.id: _bed(tour, c, last_night, _night_place(plan, k - 1)) for c in tour.crew}


FETCH_LIMIT_S = 30 * 60
"""A fleet vehicle may drive empty to collect its driver (who has no car at hand) from at
most this far; farther, it would cross the country driverless, so it stays parked."""


def _stranded(tour: Tour, matrix: TravelMatrix, moves: list[_Move], drivers: Mapping[str, str],
              fleet_ids: set[str], parked: Mapping[str, str], slept: Mapping[str, str]) -> dict[str, str]:
    """Fleet vehicle -> why it cannot move today: its driver goes nowhere today and is not
    where it is parked, or starts farther than :data:`FETCH_LIMIT_S` from it without
    their own car there (the vehicle would drive without them)."""
    stranded = {}
    for vid, cid in drivers.items():
        if vid not in fleet_ids:
            continue
        own = [m for m in moves if not m.is_gear and m.subject == cid and not m.id.endswith(":back")]
        if not own:
            if slept.get(cid) != parked[vid]:
                stranded[vid] = (f"driver: {cid}, on duty to drive {vid}, stays at {slept.get(cid, '?')} today "
                                 f"while {vid} is parked at {parked[vid]}")
            continue
        if not _reachable(matrix, parked, cid, own[0].origin, vid):
            minutes = matrix.leg(own[0].origin, parked[vid]).minutes
            stranded[vid] = (f"driver: {cid}, on duty to drive {vid}, starts at {own[0].origin}, {minutes} min "
                             f"from {vid} parked at {parked[vid]}")
    return stranded


def _reachable(matrix: TravelMatrix, parked: Mapping[str, str], cid: str, start: str, vid: str) -> bool:
    """Whether a driver who starts the day at ``start`` gets to fleet vehicle ``vid``: it is
    parked there, their own car is there (they drive it over, see :func:`_reaches`), or
    the vehicle can fetch them from at most :data:`FETCH_LIMIT_S` away."""
    return start == parked[vid] or parked.get(f"{OWN_CAR_PREFIX}{cid}") == start \
        or _road_s(matrix, start, parked[vid]) <= FETCH_LIMIT_S


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


LIFT_SLACK_S = 30 * 60
"""A driver who slept away from their vehicle has this long, beyond the direct drive, to
reach it (in their own car, or with a lift); the vehicle leaves once they can be there."""


def _reaches(tour: Tour, matrix: TravelMatrix, moves: list[_Move], fleet_ids: set[str],
             parked: Mapping[str, str], drivers: Mapping[str, str]
             ) -> tuple[list[_Move], dict[str, str], dict[str, int]]:
    """How each fleet driver who slept away from their vehicle gets to it: a move from
    their bed to where it is parked, in their own car when that is at their bed (the car
    stays there). A driver without a car at hand is still fetched by the vehicle itself
    (lifts by another vehicle are not modelled). Returns those moves, the cars they take
    (car id -> owner) and each such vehicle's earliest departure."""
    reach, cars, starts = [], {}, {}
    for vid, cid in drivers.items():
        if vid not in fleet_ids:
            continue
        first = next((m for m in moves if not m.is_gear and m.subject == cid and not m.id.endswith(":back")), None)
        if first is None or first.origin == parked[vid]:
            continue
        direct = _road_s(matrix, first.origin, parked[vid])
        car = f"{OWN_CAR_PREFIX}{cid}"
        own = tour.crew_by_id[cid].own_car and parked.get(car) == first.origin
        if not own:
            continue  # no car at hand: the vehicle still fetches its driver (a lift is not modelled)
        cars[car] = cid
        starts[vid] = first.earliest + 2 * BOARDING_S + direct + LIFT_SLACK_S
        reach.append(_Move(f"crew:{cid}:reach", cid, False, first.origin, parked[vid], first.earliest, starts[vid],
                           BOARDING_S, vehicle=car, avoid=vid))
    return reach, cars, starts


def _rota_drivers(plan: Plan, pday: PlanDay) -> dict[str, str]:
    """Vehicle id -> the driver the crew rota put on duty for it that day."""
    return {vehicle: cid for shift in plan.crew_shifts if shift.day == pday.day for vehicle, cid in shift.drivers
            if cid is not None}


def _assign_drivers(tour: Tour, party: list[str], fleet: list[Vehicle], driven: Mapping[str, int],
                    rota: Mapping[str, str] | None = None,
                    out_of_reach: Callable[[str, str], bool] | None = None) -> dict[str, str]:
    """Vehicle id -> driver id: the rota's driver where it names one; else rarest licence
    first, then crew without an own car (who would otherwise need a lift), fewest driving
    seconds so far, among those who can get to the vehicle (``out_of_reach(vehicle,
    crew)`` false: a vehicle nobody can reach gets no driver, which leaves its licensed
    crew to the next)."""
    rota = rota or {}
    order = {c.id: k for k, c in enumerate(tour.crew)}
    drivers = {vid: cid for vid, cid in rota.items() if any(v.id == vid for v in fleet)}
    free = set(party) - set(drivers.values())
    for vehicle in sorted(fleet, key=lambda v: (_rarity(v.licence), v.id)):
        if vehicle.id in drivers:
            continue
        able = [cid for cid in free if licence_covers(tour.crew_by_id[cid].licences, vehicle.licence)
                and not (out_of_reach and out_of_reach(vehicle.id, cid))]
        if able:
            chosen = min(able, key=lambda cid: (tour.crew_by_id[cid].own_car, driven.get(cid, 0), order[cid]))
            drivers[vehicle.id] = chosen
            free.discard(chosen)
    return drivers


@dataclass(frozen=True)
class _Bounds:
    """A vehicle's limits on a day: its driver's driving, when it may leave and why."""

    max_driving: int | None
    leave: int  # seconds of the day
    max_span: int | None
    why: str  # what holds it back until ``leave``, for reasons
    until: int | None = None  # parked by then (seconds of the day; a weekly rest is due); None: free


def _bounds(tour: Tour, pday: PlanDay, drivers: Mapping[str, str], fleet_ids: set[str],
            duties: Mapping[str, Sequence[Duty]], free: Mapping[str, datetime],
            reach: Sequence[_Move] = ()) -> dict[str, _Bounds]:
    """Per driven vehicle: a run ending after midnight keeps the vehicle busy into the day,
    and a fleet vehicle's driver keeps the regime's limits (:func:`duty_limits`), less the
    driving of their own car to reach it (``reach``, :func:`_reaches`): that car may drive
    no more than the direct drive, which comes off the vehicle's driving."""
    midnight = datetime.combine(pday.day, time())
    daily, _ = hours_rule(tour)
    # The reach window is the direct drive plus the boardings and the slack (_reaches).
    reaching = {m.subject: m.latest - m.earliest - 2 * BOARDING_S - LIFT_SLACK_S for m in reach}
    cars = {m.vehicle: m.subject for m in reach}
    bounds = {}
    for vid, cid in drivers.items():
        leave, why = 0, ""
        if vid in free and free[vid] > midnight:
            leave, why = _seconds(pday.day, free[vid]), f"{vid} is on its previous run until {free[vid]:%H:%M}"
        limits = duty_limits(tour.rules.driver_hours, duties.get(cid, ()), pday.day) if vid in fleet_ids \
            else DutyLimits(daily, None, None)
        max_driving = limits.max_driving_s
        if vid in fleet_ids and cid in reaching and max_driving is not None:
            max_driving = max(0, max_driving - reaching[cid])
        elif vid in cars and max_driving is not None:
            max_driving = min(max_driving, reaching[cars[vid]])
        if limits.rested_at is not None and limits.rested_at > midnight + timedelta(seconds=leave):
            leave = _seconds(pday.day, limits.rested_at)
            why = f"{cid} {limits.why}" if limits.why else \
                f"{cid} rests until {limits.rested_at:%H:%M} (daily rest after the last run)"
        until = None
        if limits.drive_until is not None:
            until = _seconds(pday.day, limits.drive_until)
            if until <= leave:  # a weekly rest is due before it could leave
                leave, why = _DAY_END_S, f"{cid} is due a weekly rest of 45 h by {limits.drive_until:%Y-%m-%d %H:%M}"
        leave = min(leave, _DAY_END_S)
        bounds[vid] = _Bounds(max_driving, leave, limits.max_span_s, why, None if until is None else max(leave, until))
    return bounds


# --------------------------------------------------------------------------- #
# Long legs: a drive longer than a day, over several days
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Transit:
    """A fleet vehicle on a long leg: where it goes, who drives, when it arrives, and why it
    is away in the meantime (for reasons)."""

    vehicle: str
    driver: str
    origin: str
    destination: str
    arrival: datetime
    why: str
    riders: tuple[str, ...] = ()  # crew riding along (see :func:`_with_the_tour`)

    @property
    def aboard(self) -> tuple[str, ...]:
        return (self.driver,) + self.riders


def _leg_starts(plan: Plan, k: int, overnight: bool = False) -> list[tuple[str, str]]:
    """The legs (origin, destination) that span several days of the plan and whose first
    daytime part is driven on day ``k``; with ``overnight``, those whose first part is
    the one driven in the night after day ``k``'s show (a nightliner's, crew asleep aboard)."""
    def legs(j: int, night: bool) -> set[tuple[str, str]]:
        return {(p.from_id, p.to_id) for p in plan.days[j].travel if night or not p.overnight} \
            if 0 <= j < len(plan.days) else set()

    def spans(leg: tuple[str, str]) -> bool:
        return sum(leg in {(p.from_id, p.to_id) for p in d.travel} for d in plan.days) > 1

    if overnight:
        tonight = {(p.from_id, p.to_id) for p in plan.days[k].travel if p.overnight}
        return [leg for leg in sorted(tonight - legs(k - 1, True)) if spans(leg)]
    return [leg for leg in sorted(legs(k, False) - legs(k - 1, False)) if spans(leg)]


LEG_MARGIN_S = HOUR_S
"""A long leg is on time when it arrives an hour before the first call at its venue
(unloading, boarding, the way in)."""


def _needed_by(tour: Tour, plan: Plan, there: PlanDay, destination: str) -> datetime | None:
    """When a long leg must be at ``destination`` for the tour: :data:`LEG_MARGIN_S` before
    the first call there on the day it arrives, when that is a show or set-up day."""
    if there.place_id != destination or not _working(there):
        return None
    return datetime.combine(there.day, time()) + timedelta(seconds=_first_call(tour, plan, there) - LEG_MARGIN_S)


def _lagging(tour: Tour, plan: Plan, k: int, matrix: TravelMatrix, fleet: list[Vehicle],
             parked: Mapping[str, str], transit: Mapping[str, _Transit], hauls: list[_Haul], aboard: set[str],
             done: set[str]) -> dict[str, str]:
    """Fleet vehicle -> where it must go today because it is more than a day's drive from
    where it is next needed (it could not follow the tour on an earlier day): the next
    venue of the gear it holds, else where its next gear is loaded, else (a vehicle
    without gear to come) the tour's place today. It goes once, not asked again day
    after day."""
    pday = plan.days[k]
    day_s = tour.rules.max_drive_minutes_per_day
    found = {}
    for v in fleet:
        if v.id in transit and transit[v.id].arrival > datetime.combine(pday.day, TRAVEL_DAY_START):
            continue  # still on its way this morning
        pending = sorted((h for h in hauls if h.vehicle == v.id and h.key not in done and h.day >= pday.day
                          and (h.origin in tour.venue_by_id or h.origin == HOME_ID)), key=lambda h: h.day)
        if pending:
            h = pending[0]
            target = h.destination if h.key in aboard else h.origin
        elif pday.place_id != HOME_ID and not any(h.vehicle == v.id and h.key not in done for h in hauls):
            target = pday.place_id
        else:
            continue
        if target == HOME_ID:
            target = v.depot.id
        if target != parked[v.id] and matrix.leg(parked[v.id], target).drive_minutes > day_s:
            found[v.id] = target
    return found


def _adopt(hauls: list[_Haul], aboard: set[str], done: set[str], legged: set[str], day: date) -> None:
    """Gear whose delivery failed is still in its vehicle: for a vehicle that has driven a
    long leg (:func:`_long_legs`), which may arrive after its gear's day, the next leg with
    the same items starts with them aboard, rather than from a venue they never reached
    (the failed delivery, already reported, is not tracked further). Other vehicles load
    each leg where the loading plan says, as before."""
    seen: set[str] = set()
    for h in sorted(hauls, key=lambda h: h.day):
        if h.vehicle in seen or h.key in done or h.day < day:
            continue
        seen.add(h.vehicle)  # only the vehicle's next leg
        if h.key in aboard or h.vehicle not in legged:
            continue
        stale = [g for g in hauls if g.key in aboard and g.vehicle == h.vehicle and g.day < day]
        if stale and set(h.items) <= {i for g in stale for i in g.items}:
            aboard.add(h.key)
            aboard.difference_update(g.key for g in stale if set(g.items) & set(h.items))


@dataclass(frozen=True)
class _LegDrive:
    """How one vehicle drives a long leg: its driver, the leg, the hauls it carries (and
    loads at the start), when it sets off, leaves after loading and arrives, its breaks
    and rests, and each driver's stretches at the wheel."""

    driver: str
    leg: Leg
    carried: list[_Haul]
    loading: list[_Haul]
    start: datetime
    leave: datetime
    arrival: datetime
    breaks: list[tuple[datetime, int]]
    shifts: dict[str, list[Duty]]


def _with_the_tour(tour: Tour, plan: Plan, k: int, origin: str, matrix: TravelMatrix) -> list[str]:
    """Crew who set off with the tour on a leg longer than a day that starts on day ``k``
    (after its curfew when the nightliner leaves overnight): from the accommodation,
    those whose stay that night is aboard the nightliner or still to book on the road
    (:func:`solvers.hotels.en_route`); without one, everyone available, except, from the
    home base, those whose home is no drive from it (they join at the destination on
    their own). Everyone must be available on day ``k``."""
    day = plan.days[k].day
    available = [c for c in tour.crew if c.is_available(day)]
    night = next((n for n in plan.accommodation if n.day == day), None)
    if night is not None:
        return [c.id for c in available if (stay := night.stay(c.id)) is not None
                and stay.kind in (StayKind.NIGHTLINER, StayKind.UNBOOKED)]
    limit = tour.rules.max_drive_minutes_per_day
    return [c.id for c in available
            if origin != HOME_ID or too_far_to_drive(matrix, limit, c.home.id, HOME_ID) is None]


def _long_legs(tour: Tour, plan: Plan, k: int, matrix: TravelMatrix, fleet: list[Vehicle],
               parked: Mapping[str, str], transit: Mapping[str, _Transit], hauls: list[_Haul], aboard: set[str],
               done: set[str],
               driven: Mapping[str, int], duties: Mapping[str, Sequence[Duty]], free: Mapping[str, datetime],
               overnight: bool = False) -> list[tuple[_Transit, TransportRun, list[Duty], list[str]]]:
    """The fleet vehicles that set off today on a leg longer than a day (:func:`_leg_starts`):
    every vehicle parked at the leg's start goes, with the gear the loading plan gives it
    for that leg (loaded now at the home base, or already aboard), driven by the rota's
    driver for it on the day of arrival (else a licensed crew member available, fewest
    driving hours first) within their hours (:func:`drive_days`). With ``overnight``, the
    vehicles set off after day ``k``'s curfew on the legs the schedule starts in that
    night (their drivers' rest and limits still hold). The crew with the tour
    (:func:`_with_the_tour`) ride along, as seats allow, in the vehicles with the most
    seats first; whoever will drive a vehicle still at the origin (its driver on the
    rota, else the one :func:`_assign_drivers` would pick) stays with it. Returns for
    each: the transit, its run (one run over the days, the nights' rests among its
    breaks), the driver's stretches and the hauls it carries."""
    pday = plan.days[k]
    _, rule = hours_rule(tour)
    found = []

    def sets_off(origin: str) -> datetime:
        if overnight:
            return datetime.combine(pday.day, time()) + timedelta(seconds=_after_curfew(tour, origin))
        return datetime.combine(pday.day, TRAVEL_DAY_START)

    def busy(vid: str, at: datetime) -> bool:  # still on a long leg then
        return vid in transit and transit[vid].arrival > at

    taken: set[str] = {cid for t in transit.values() if busy(t.vehicle, sets_off(t.destination)) for cid in t.aboard}
    legs = [(origin, destination, [v for v in fleet if not busy(v.id, sets_off(origin))
                                   and parked[v.id] in (origin, v.depot.id if origin == HOME_ID else None)])
            for origin, destination in _leg_starts(plan, k, overnight)]
    leaving = {v.id for _, _, going in legs for v in going}
    lagging = {} if overnight else _lagging(tour, plan, k, matrix, fleet, parked, transit, hauls, aboard, done)
    for vid, destination in lagging.items():
        if vid not in leaving:
            legs.append((parked[vid], destination, [tour.vehicle_by_id[vid]]))
    for origin, destination, going in legs:
        if not going:
            continue
        there = next((d for d in plan.days[k:] if d.place_id == destination), plan.days[-1])
        available = [c.id for c in tour.crew if c.id not in taken
                     and c.is_available(pday.day) and c.is_available(there.day)]
        rota = _rota_drivers(plan, there) | _rota_drivers(plan, pday)
        drivers = _assign_drivers(tour, available, going,
                                  driven, {v: c for v, c in rota.items() if c in available})
        # Whoever will drive a vehicle left at the origin stays with it.
        staying = [v for v in fleet if v not in going and parked[v.id] == parked[going[0].id]
                   and not busy(v.id, sets_off(origin))]
        free_crew = [c for c in available if c not in drivers.values()]
        keepers = _assign_drivers(tour, free_crew, staying, driven,
                                  {v: c for v, c in rota.items() if c in free_crew})
        pool = [c for c in free_crew if c not in keepers.values()]
        with_tour = _with_the_tour(tour, plan, k, origin, matrix)
        deadline = _needed_by(tour, plan, there, destination)
        drives: dict[str, _LegDrive] = {}
        for vehicle in going:
            cid = drivers.get(vehicle.id)
            if cid is None:
                continue
            leg = matrix.leg(parked[vehicle.id], destination)  # from its depot at the home base
            carried = [h for h in hauls if h.vehicle == vehicle.id and h.destination == destination
                       and h.day >= pday.day and (h.key in aboard or (h.origin == origin and h.load_out is None))]
            loading = [h for h in carried if h.key not in aboard]
            start = sets_off(origin)
            if vehicle.id in free and free[vehicle.id] > start:
                start = free[vehicle.id]
            leave = start + timedelta(seconds=sum(h.service for h in loading))
            breaks_rule = None if vehicle.id.startswith(OWN_CAR_PREFIX) else rule
            driving_s = minutes_to_seconds(leg.drive_minutes)
            arrival, breaks, stretches = drive_days(tour.rules.driver_hours, duties.get(cid, ()), leave, driving_s,
                                                    breaks_rule)
            shifts = {cid: stretches}
            # One driver too late for the tour: a second licensed one aboard takes turns.
            able = [c for c in pool if c in with_tour and licence_covers(tour.crew_by_id[c].licences, vehicle.licence)]
            if deadline is not None and arrival > deadline and able and not vehicle.id.startswith(OWN_CAR_PREFIX):
                # Whoever arrives first: another driver alone (the rota's may have few hours
                # left), or two taking turns, the rota's driver among them when as early.
                hours = tour.rules.driver_hours
                ranked = [cid] + sorted(able, key=lambda c: (driven.get(c, 0), pool.index(c)))
                tried = [(arrival, breaks, shifts)]
                for a in ranked[1:]:
                    one = drive_days(hours, duties.get(a, ()), leave, driving_s, breaks_rule)
                    tried.append((one[0], one[1], {a: one[2]}))
                for i, a in enumerate(ranked):
                    for b in ranked[i + 1:]:
                        two = drive_two(hours, (duties.get(a, ()), duties.get(b, ())), leave, driving_s, breaks_rule)
                        tried.append((two[0], two[1], {a: two[2][0], b: two[2][1]}))
                arrival, breaks, shifts = min(tried, key=lambda t: (max(t[0], deadline), len(t[2]), tried.index(t)))
                if cid not in shifts:
                    pool.append(cid)
                pool = [c for c in pool if c not in shifts]
                cid = drivers[vehicle.id] = next(iter(shifts))
            # A crossing (ferry, tunnel) is time away from the wheel: taken as a wait at the end.
            arrival += timedelta(seconds=minutes_to_seconds(leg.minutes - leg.drive_minutes))
            drives[vehicle.id] = _LegDrive(cid, leg, carried, loading, start, leave, arrival, breaks, shifts)
        riders = [c for c in with_tour if c in pool]
        for vehicle in sorted(going, key=lambda v: -v.seats):
            if vehicle.id not in drives:
                continue
            drive = drives[vehicle.id]
            cid, leg, carried, loading = drive.driver, drive.leg, drive.carried, drive.loading
            start, leave, arrival, breaks, shifts = drive.start, drive.leave, drive.arrival, drive.breaks, drive.shifts
            second = next((c for c in shifts if c != cid), None)
            room = vehicle.seats - 1 - (second is not None)
            riding, riders = ((second,) if second else ()) + tuple(riders[:room]), riders[room:]
            taken.add(cid)
            taken.update(riding)
            litres = sum(h.litres for h in carried)
            grams = sum(h.grams for h in carried)
            km = leg.metres / METRES_PER_KM
            days = (arrival.date() - pday.day).days + 1
            stops = (RunStop(parked[vehicle.id], start, leave, board=(cid,) + riding,
                             load_gear=tuple(i for h in loading for i in h.items), seats=len(riding),
                             volume_m3=litres / 1000, weight_kg=grams / 1000),
                     RunStop(destination, arrival, arrival, alight=riding, volume_m3=litres / 1000,
                             weight_kg=grams / 1000))
            minutes = {c: round(sum(x.driving_s for x in shift) / 60) for c, shift in shifts.items()}
            run = TransportRun(pday.day, vehicle.id, cid, stops, round(km, 3), sum(minutes.values()), tuple(breaks),
                               round(km * vehicle.cost_per_km + vehicle.cost_per_day * days, 2),
                               second, minutes.get(second, 0) if second else 0)
            pair = f"{cid} and {second}" if second else cid
            why = (f"long leg: {vehicle.id} is on its long leg from {origin} to {destination} with {pair}, "
                   f"arriving {arrival:%Y-%m-%d %H:%M}")
            found.append((_Transit(vehicle.id, cid, origin, destination, arrival, why, riding), run, shifts,
                          [h.key for h in carried]))
    return found


def _in_transit(moves: list[_Move], transit: Mapping[str, _Transit], day: date, working: bool = False
                ) -> tuple[list[_Move], list[tuple[_Move, str]]]:
    """The day's moves with the crew aboard a long leg (its driver and riders) where their
    vehicle is: on the days of the leg they ride in it (their own moves go), from the
    day it arrives until the tour is there too they start there. Returns the moves kept,
    and the moves of those it brings too late for them (with the reason): on the day it
    arrives, after their deadline; on a ``working`` day (a show or set-up) before it
    arrives, every move."""
    away = {cid: t for t in transit.values() if t.arrival.date() > day for cid in t.aboard}
    there = {cid: t for t in transit.values() if t.arrival.date() <= day for cid in t.aboard}
    kept, late = [], []
    for m in moves:
        if not m.is_gear and m.subject in away:
            if working:
                late.append((m, away[m.subject].why))
            continue
        if not m.is_gear and m.subject in there and not m.id.endswith(":back"):
            t = there[m.subject]
            if t.arrival.date() == day and m.latest < _seconds(day, t.arrival):
                late.append((m, f"{t.why}, after the latest {_clock(m.latest)}"))
                continue
            m = replace(m, origin=t.destination)
            if m.origin == m.destination:
                continue
        kept.append(m)
    return kept, late


# --------------------------------------------------------------------------- #
# Reasons found before solving
# --------------------------------------------------------------------------- #


def _fits(move: _Move, v: Vehicle) -> bool:
    return (move.seats <= v.seats - 1 and move.litres <= litres_down(v.volume_m3)
            and move.grams <= grams_down(v.payload_kg))


def _capacity_reason(move: _Move, fleet: list[Vehicle], drivers: Mapping[str, str],
                     stranded: Mapping[str, str] = {}) -> str | None:
    driven = [v for v in fleet if v.id in drivers]
    if any(_fits(move, v) for v in driven):
        return None
    undriven = [v for v in fleet if v.id not in drivers and _fits(move, v)]
    if undriven and all(v.id in stranded for v in undriven):
        return stranded[undriven[0].id]  # their drivers cannot come along today
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
    """A time of the day's problem as a reader says it: "08:30", or "01:30 the next day"."""
    days, rest = divmod(seconds, _DAY_S)
    clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return clock if days == 0 else f"{clock} the next day" if days == 1 else f"{clock}, {days} days on"


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
    reach = [m.destination for m in moves if m.vehicle == vehicle.id and m.id.endswith(":reach")]
    if reach:
        return reach[0]  # a car its owner left where they took over a fleet vehicle
    there = [m.destination for m in moves if m.vehicle == vehicle.id and m.parks_there]
    if there:
        return there[0]  # at the next venue after the night's drive
    beds = [m.destination for m in moves if not m.is_gear and m.subject == driver
            and not m.id.endswith((":out", ":reach"))]
    if beds:
        return beds[-1]
    return vehicle.depot.id if pday.place_id == HOME_ID else pday.place_id


def _build_day(tour: Tour, matrix: TravelMatrix, pday: PlanDay, moves: list[_Move], fleet: list[Vehicle],
               parked: Mapping[str, str], drivers: dict[str, str],
               held: Mapping[str, tuple[int, int]] = {}, starts: Mapping[str, int] = {},
               bounds: Mapping[str, _Bounds] = {}, stranded: Mapping[str, str] = {}) -> _Day:
    """The day's routing problem; ``held`` is the litres and grams of gear each vehicle
    keeps aboard all day (for a later day), off its room; ``starts`` the earliest
    departure of vehicles whose driver must first reach them (:func:`_reaches`);
    ``stranded`` why a fleet vehicle left out cannot move."""
    drive_rule, break_rule = hours_rule(tour)
    reach_cars = {m.vehicle for m in moves if m.id.endswith(":reach") and m.vehicle}
    driving = {cid: vid for vid, cid in drivers.items() if vid not in reach_cars}
    reached = {m.subject for m in moves if m.id.endswith(":reach")}
    ends = {v.id: _parks(pday, v, drivers.get(v.id), moves) for v in fleet}
    driven = {v.id for v in fleet if v.id in drivers}

    def where(m: _Move) -> tuple[str, str]:
        """Where a move is loaded and unloaded today: gear kept aboard is loaded where the
        vehicle parked and stays where it parks tonight."""
        origin = parked.get(m.vehicle, m.origin) if m.aboard else m.origin
        if not m.is_gear and m.subject in reached and m.avoid is None and not m.id.endswith(":back") \
                and m.subject in driving:
            origin = parked[driving[m.subject]]  # they reached their vehicle first
        destination = ends.get(m.vehicle, m.destination) if m.stays else m.destination
        return origin, destination

    ids = sorted({parked[v.id] for v in fleet} | set(ends.values()) | {p for m in moves for p in where(m)})
    # A nightliner driving through the night may arrive after 08:00, by the next call.
    day_end = max([_DAY_END_S] + [m.latest for m in moves])
    loc = {p: i for i, p in enumerate(ids)}
    rows = [matrix.index(p) for p in ids]
    travel = [[minutes_to_seconds(matrix.minutes[a][b]) for b in rows] for a in rows]
    metres = [[matrix.metres[a][b] for b in rows] for a in rows]

    reasons: dict[str, str] = {}
    requests = []
    # Each vehicle's driver's first move of the day: collected before anything else.
    first_moves: dict[str, str] = {}
    for m in moves:
        if not m.is_gear and m.subject in driving and not m.id.endswith((":back", ":reach")):
            first_moves.setdefault(driving[m.subject], m.id)
    pairs: set[str] = set()  # requests built as pickup-and-delivery pairs so far
    leave = {vid: max(starts.get(vid, 0), b.leave) for vid, b in bounds.items()} | \
        {vid: t for vid, t in starts.items() if vid not in bounds}
    for m in moves:
        origin, destination = where(m)
        direct = travel[loc[origin]][loc[destination]]
        pinned = m.vehicle if m.is_gear or m.avoid else driving.get(m.subject)
        if not m.is_gear and pinned is not None and not pinned.startswith(OWN_CAR_PREFIX) \
                and not m.id.endswith((":back", ":reach")):
            # A fleet driver's day starts when their vehicle's work needs it, not at most
            # 3 h before their call like a passenger's (rest and duty limits still hold).
            m = replace(m, earliest=0)
        if m.vehicle is not None and m.vehicle not in driven:
            vehicle = next((v for v in fleet if v.id == m.vehicle), None)
            licence = f" (licence {vehicle.licence})" if vehicle is not None else ""
            reasons[m.id] = stranded.get(m.vehicle) or \
                f"licence: the loading plan puts it in {m.vehicle}{licence}, which nobody on duty drives today"
            continue
        # The clock first: a move nobody can make in time needs no vehicle.
        reason = _time_reason(m, direct) or (None if pinned else _capacity_reason(m, fleet, drivers, stranded))
        held_back = bounds.get(pinned) if pinned else None
        if reason is None and held_back is not None and held_back.why and m.latest < held_back.leave + direct:
            reason = f"rest: {held_back.why}, too late to arrive by {_clock(m.latest)}"
        out = reasons.get(m.id[:-len(":back")] + ":out") if m.id.endswith(":back") else None
        if reason is None and out is not None:
            reason = f"not taken there in the morning: {out}"
        if reason is not None:
            reasons[m.id] = reason
            continue
        # A driver's own move takes no passenger seat; gear follows the loading plan:
        # either is pinned to its vehicle. A driver already where their vehicle is
        # parked, and gear already aboard, are only set down.
        demand = {VOLUME: m.litres, PAYLOAD: m.grams} if m.is_gear else {} if pinned else {SEATS: m.seats}
        from_start = m.aboard or (not m.is_gear and pinned is not None and origin == parked.get(pinned)
                                  and not m.id.endswith(":back"))
        # Gear kept aboard overnight is not unloaded where the vehicle parks.
        drop = vrp.Stop(loc[destination], vrp.TimeWindow(m.earliest + (0 if m.aboard else m.service + direct),
                                                         m.latest), 0 if m.stays else m.service)
        if from_start and not m.is_gear:
            # A driver aboard from the start: the vehicle leaves no earlier than they would.
            leave[pinned] = max(leave.get(pinned, 0), m.earliest)
        if from_start:
            requests.append(vrp.Request(id=m.id, pickup=drop, demand=demand, penalty=_PENALTY,
                                        vehicles=(pinned,)))
            continue
        allowed = (pinned,) if pinned else ()
        requests.append(vrp.Request(
            id=m.id,
            pickup=vrp.Stop(loc[origin], vrp.TimeWindow(m.earliest, m.latest - direct - m.service), m.service),
            delivery=drop, demand=demand, penalty=_PENALTY, vehicles=allowed,
        ))
        pairs.add(m.id)
    vehicles = [
        vrp.VehicleSpec(
            id=v.id, start=loc[parked[v.id]], end=loc[ends[v.id]],
            capacities={SEATS: v.seats - 1, VOLUME: litres_down(v.volume_m3) - held.get(v.id, (0, 0))[0],
                        PAYLOAD: grams_down(v.payload_kg) - held.get(v.id, (0, 0))[1]},
            cost_per_distance=money_to_cents(v.cost_per_km),
            fixed_cost=money_to_cents(v.cost_per_day) * _COST_SCALE,
            shift=vrp.TimeWindow(leave.get(v.id, 0), day_end if bounds.get(v.id) is None or bounds[v.id].until is None
                                 else min(day_end, bounds[v.id].until)),
            break_rule=None if v.id.startswith(OWN_CAR_PREFIX) else break_rule,
            max_driving=bounds[v.id].max_driving if v.id in bounds else drive_rule,
            max_span=bounds[v.id].max_span if v.id in bounds else None,
            first=first_moves.get(v.id) if first_moves.get(v.id) in pairs else None,
            # A load-out is done right after the curfew, not at the end of its window.
            finish_early=any((m.stays or m.parks_there) and m.vehicle == v.id for m in moves),
        )
        for v in fleet if v.id in drivers
    ]
    problem = (vrp.Problem(distance=metres, travel_time=travel, requests=requests, vehicles=vehicles)
               if vehicles and requests else None)
    return _Day(pday, moves, ids, problem, reasons, drivers, {v.id: v for v in fleet})


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

    Measured as EU 561/2006 art. 7 does: the *driving* time (the legs between stops;
    loading and boarding are other work, not driving) between waits of at least the
    break duration (route start and end count as breaks) must not exceed
    ``rule.max_driving``.
    """
    breaks = []
    driving = 0
    for before, stop in zip(route.stops, route.stops[1:]):
        driving += stop.arrival - before.departure
        if driving > rule.max_driving:
            return None
        if stop.start - stop.arrival >= rule.break_duration:
            breaks.append((stop.arrival, rule.break_duration))
            driving = 0
    return breaks


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
    singles = {r.id for r in d.problem.requests if r.delivery is None}
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
                m = next((m for m in moves if m.subject == subject and m.destination == stop.place_id
                          and (m.id in aboard or (m.id in singles and m.id not in taken))), None)
                if m is not None:
                    route.append(m.id)
                    aboard.discard(m.id)
                    taken.add(m.id)
            for subject in stop.board + stop.load_gear:
                m = next((m for m in moves if m.id not in taken and m.subject == subject
                          and m.origin == stop.place_id), None)
                if m is not None and m.id not in singles:  # a single visit is only set down
                    route.append(m.id)
                    aboard.add(m.id)
                    taken.add(m.id)
        if aboard:  # a move picked up but not delivered cannot seed a pair
            route = [rid for rid in route if rid not in aboard]
        if route:
            routes[run.vehicle_id] = route
    return routes or None


BREAK_EARLIER_TRIES = 4
"""How many earlier departures, one break apart, :func:`_with_breaks` tries."""


def _with_breaks(route: vrp.Route, problem: vrp.Problem, rule: vrp.BreakRule) -> vrp.Route | None:
    """The route rescheduled with the breaks the rule needs taken on the road, or ``None``.

    A break is taken as soon as the driving since the last one reaches
    ``rule.max_driving``, in the middle of a leg if need be (a lay-by); a wait of at least
    the break duration counts as one. The stops keep their order; the departure is tried
    as found, then up to :data:`BREAK_EARLIER_TRIES` breaks earlier, and every time
    window and the vehicle's shift must still hold.
    """
    spec = next(v for v in problem.vehicles if v.id == route.vehicle)
    windows: dict[tuple[str, str], vrp.TimeWindow] = {}
    for r in problem.requests:
        windows[r.id, "pickup" if r.delivery is not None else "visit"] = r.pickup.window
        if r.delivery is not None:
            windows[r.id, "delivery"] = r.delivery.window
    stops = route.stops
    for k in range(BREAK_EARLIER_TRIES + 1):
        leave = stops[0].departure - k * rule.break_duration
        if leave < spec.shift.start:
            return None
        now, driving, breaks = leave, 0, []
        new = [replace(stops[0], arrival=leave, start=leave, departure=leave)]
        for before, stop in zip(stops, stops[1:]):
            leg = problem.travel_time[before.location][stop.location]
            while driving + leg > rule.max_driving:
                part = rule.max_driving - driving
                now += part
                leg -= part
                breaks.append((now, rule.break_duration))
                now += rule.break_duration
                driving = 0
            now += leg
            driving += leg
            window = windows.get((stop.request, stop.kind), spec.shift) if stop.request else spec.shift
            start = max(now, window.start)
            if start > window.end:
                break
            if start - now >= rule.break_duration:
                breaks.append((now, rule.break_duration))
                driving = 0
            service = stop.departure - stop.start
            new.append(replace(stop, arrival=now, start=start, departure=start + service))
            now = start + service
        else:
            return replace(route, stops=tuple(new), breaks=tuple(breaks))
    return None


def _solve_day(problem: vrp.Problem, params: TransportParams,
               initial: Mapping[str, Sequence[str]] | None = None) -> vrp.RoutingResult:
    """Solve without break intervals first and keep that solution when every route's own
    waits already keep the break rule; otherwise solve with the rule in the model.

    Most show days have a long wait at the venue, which is itself the break; on a long
    drive the route is rescheduled with breaks taken on the road (:func:`_with_breaks`).
    The plain solve is fast, while OR-Tools' break-interval search is slow and often
    finds no insertion at all on such days. The check measures driving time, as EU
    561/2006 does: loading and boarding are other work, not driving.
    """
    if initial and params.vehicle_change_cost:
        # Replanning: the stability term keeps people and loads in the vehicles they had.
        problem = vrp.prefer_vehicles(problem, initial, params.change_penalty())
    rules = {v.id: v.break_rule for v in problem.vehicles if v.break_rule is not None}
    if not rules:
        return vrp.solve(problem, params.core(), initial)
    free = replace(problem, vehicles=[replace(v, break_rule=None) for v in problem.vehicles])
    # Plain first; then with every deadline moved earlier by one, two, three breaks,
    # which leaves the rescheduling room to take them.
    pause = max(r.break_duration for r in rules.values())
    for slack in (0, pause, 2 * pause, 3 * pause):
        plain = vrp.solve(_earlier_deadlines(free, slack), params.core(), initial)
        routes = []
        for route in plain.routes:
            rule = rules.get(route.vehicle)
            breaks = _keeps_breaks(route, rule) if rule is not None else []
            if breaks is not None:
                routes.append(replace(route, breaks=tuple(breaks)))
                continue
            rescheduled = _with_breaks(route, problem, rule)
            if rescheduled is None:
                break
            routes.append(rescheduled)
        else:
            if plain.feasible:
                return replace(plain, routes=tuple(routes))
    return vrp.solve(problem, params.core(), initial)


def _earlier_deadlines(problem: vrp.Problem, slack: int) -> vrp.Problem:
    """The problem with every stop's latest start ``slack`` earlier (never before its
    earliest), so that a solution leaves that much time for breaks."""
    if not slack:
        return problem

    def tight(stop: vrp.Stop | None) -> vrp.Stop | None:
        if stop is None:
            return None
        window = vrp.TimeWindow(stop.window.start, max(stop.window.start, stop.window.end - slack))
        return replace(stop, window=window)

    return replace(problem, requests=[replace(r, pickup=tight(r.pickup), delivery=tight(r.delivery))
                                      for r in problem.requests])


def _at(day: date, seconds: int) -> datetime:
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def _run(tour: Tour, d: _Day, route: vrp.Route) -> TransportRun:
    moves = {m.id: m for m in d.moves}
    stops = []
    # Who and what is aboard from the start: a driver boarding where the vehicle parked,
    # gear loaded on an earlier day.
    first = [moves[s.request] for s in route.stops if s.kind == "visit" and s.request in moves]
    kept_l = kept_g = 0  # gear set down where the vehicle parks is still aboard
    for k, s in enumerate(route.stops):
        m = moves.get(s.request) if s.request else None
        if m is not None and m.stays and s.kind == "delivery":
            kept_l, kept_g = kept_l + m.litres, kept_g + m.grams
        up = m is not None and s.kind == "pickup"
        down = m is not None and s.kind in ("delivery", "visit") and not m.stays
        person = m is not None and not m.is_gear
        board = (m.subject,) if up and person else ()
        if k == 0:
            board = tuple(f.subject for f in first if not f.is_gear)
            if not any(m.subject == d.drivers[route.vehicle] and not m.is_gear for m in moves.values()):
                board = (d.drivers[route.vehicle],) + board  # a driver with no move of their own
        stops.append(RunStop(
            d.ids[s.location], _at(d.pday.day, s.arrival), _at(d.pday.day, s.departure),
            board=board, alight=(m.subject,) if down and person else (),
            load_gear=m.gear if up and not person else (),
            unload_gear=m.gear if down and not person else (),
            seats=s.load.get(SEATS, 0), volume_m3=(s.load.get(VOLUME, 0) + kept_l) / 1000,
            weight_kg=(s.load.get(PAYLOAD, 0) + kept_g) / 1000,
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


def _unload_parked(day: date, unloads: list[_Move], free: Mapping[str, datetime]
                   ) -> list[tuple[TransportRun | None, list[tuple[_Move, str]]]]:
    """Gear aboard a fleet vehicle already parked at its venue is unloaded there by the crew,
    one item after the other, to be done by the first call: no drive and no driver (after
    a night at the wheel the driver may be resting). Per vehicle: a run of that one stop,
    driver ``""``, or, when the vehicle arrived too late to finish by then, its moves with
    the reason."""
    found = []
    for vid in dict.fromkeys(m.vehicle for m in unloads):
        mine = [m for m in unloads if m.vehicle == vid]
        call = min(m.latest + m.service for m in mine)
        work = sum(m.service for m in mine)
        arrived = _seconds(day, free[vid]) if vid in free else 0
        begin = max(arrived, call - work)
        if begin + work > call:
            why = (f"time: {vid} arrives at {_clock(arrived)}; unloading takes {work // 60} min, "
                   f"done after the call at {_clock(call)}")
            found.append((None, [(m, why) for m in mine]))
            continue
        stop = RunStop(mine[0].destination, _at(day, begin), _at(day, begin + work),
                       unload_gear=tuple(i for m in mine for i in m.gear))
        found.append((TransportRun(day, vid, "", (stop,), 0.0, 0, (), 0.0), []))
    return found


def _solver_reason(reason: str, move: _Move | None = None) -> str:
    """The routing core's reason in the tour's terms (its times are seconds of the day)."""
    if reason.startswith("dropped by the solver"):
        return ("no run could take it on the routes found: seats, volume, weight, the clock or the "
                "driving-time rules leave no room")
    if reason.startswith("time: no vehicle can serve it alone") and move is not None:
        return (f"time: no driven vehicle, even empty, can take it between {_clock(move.earliest)} and "
                f"{_clock(move.latest)} within its shift, its driver's rest and driving limit")
    return reason


def _settle(tour: Tour, matrix: TravelMatrix, pday: PlanDay, moves: list[_Move], fleet: list[Vehicle],
            cars: Mapping[str, Vehicle], parked: Mapping[str, str], drivers: dict[str, str],
            params: TransportParams, previous: Sequence[TransportRun] = (),
            held: Mapping[str, tuple[int, int]] = {}, duties: Mapping[str, Sequence[Duty]] = {},
            free: Mapping[str, datetime] = {}, slept: Mapping[str, str] = {}, away: Mapping[str, str] = {}
            ) -> tuple[_Day, vrp.RoutingResult | None, dict[str, str]]:
    """Solve the day with these fleet drivers (plus the own cars of the other owners),
    parking every fleet vehicle that would carry only its driver; returns the day, its
    result and the fleet drivers kept."""
    fleet_ids = {v.id for v in fleet}
    stranded = _stranded(tour, matrix, moves, drivers, fleet_ids, parked, slept) | dict(away)
    drivers = {vid: cid for vid, cid in drivers.items() if vid not in stranded}
    while True:
        owners = _cars_today(tour, moves, parked, drivers)
        reach, lifts, starts = _reaches(tour, matrix, moves, fleet_ids, parked, drivers)
        taken = owners | lifts
        bounds = _bounds(tour, pday, drivers | taken, fleet_ids, duties, free, reach)
        d = _build_day(tour, matrix, pday, moves + reach, fleet + [cars[c] for c in taken], parked,
                       drivers | taken, held, starts, bounds, stranded)
        result = _solve_day(d.problem, params, _seed(d, previous)) if d.problem is not None else None
        # A fleet vehicle whose driver's own move is not served would run without them:
        # it stays parked, and what it was to carry says why.
        driverless = _driverless(d, result, drivers) if result is not None else {}
        if driverless:
            stranded = {**stranded, **driverless}
            drivers = {vid: cid for vid, cid in drivers.items() if vid not in driverless}
            continue
        # Own cars always take their owner; only fleet vehicles may stay parked, and not
        # one the loading plan gives gear today (its gear, if dropped, keeps the solver's reason).
        loaded = {m.vehicle for m in moves if m.vehicle is not None}
        idle = (_idle(d, result) if result is not None else set()) & set(drivers) - loaded
        if idle and len(idle) == len(drivers) and not owners:
            # Nobody needs a lift and nobody has a car: the first vehicle still takes its driver.
            idle -= {next(iter(drivers), None)}
        if not idle:
            return d, result, drivers
        # An idle vehicle stays parked and frees its driver, who rides as a passenger or
        # takes their own car.
        drivers = {vid: cid for vid, cid in drivers.items() if vid not in idle}


def _driverless(d: _Day, result: vrp.RoutingResult, drivers: Mapping[str, str]) -> dict[str, str]:
    """Fleet vehicle -> why it may not run: its driver has moves today and none of them is
    served by it (a driver without moves is aboard where they slept, see :func:`_stranded`)."""
    found = {}
    for route in result.routes:
        cid = drivers.get(route.vehicle)
        own = [m for m in d.moves if not m.is_gear and m.subject == cid and not m.id.endswith(":reach")]
        if cid is None or not own or set(route.requests) & {m.id for m in own}:
            continue
        why = d.reasons.get(own[0].id) or _solver_reason(result.dropped.get(own[0].id, "dropped by the solver"),
                                                         own[0])
        found[route.vehicle] = f"driver: {cid}, on duty to drive {route.vehicle}, cannot be taken along ({why})"
    return found


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
    fleet_ids = {v.id for v in fleet}
    parked = {v.id: v.depot.id for v in fleet}
    cars = {f"{OWN_CAR_PREFIX}{c.id}": own_car(c, tour.rules.mileage_rate) for c in tour.crew if c.own_car}
    parked |= {car.id: car.depot.id for car in cars.values()}
    driven: dict[str, int] = {}
    hauls = _hauls(tour, plan)
    duties: dict[str, list[Duty]] = {}  # driving per driver and day (fleet vehicles and own cars)
    free: dict[str, datetime] = {}  # when each vehicle's last run ends
    aboard: set[str] = set()  # hauls loaded after a curfew, still in their vehicle
    transit: dict[str, _Transit] = {}  # fleet vehicles on a long leg, until the day they arrive
    done: set[str] = set()  # hauls delivered
    legged: set[str] = set()  # fleet vehicles that have driven a long leg
    runs: list[TransportRun] = []
    unserved: list[UnservedRequest] = []
    own_travel: list[OwnTravel] = []
    objective, statuses, hit = 0, set(), False
    for k, pday in enumerate(plan.days):
        for vid in [vid for vid, t in transit.items() if t.arrival.date() < pday.day
                    and (plan.days[k - 1].place_id == t.destination or parked[vid] != t.destination)]:
            del transit[vid]  # arrived, and the tour has caught up: an ordinary vehicle again
        _adopt(hauls, aboard, done, set(legged), pday.day)
        # Nightliners that set off after last night's curfew, then the vehicles leaving this morning.
        for day_k, overnight in ((k - 1, True), (k, False)):
            if day_k < 0:
                continue
            for t, run, shifts, keys in _long_legs(tour, plan, day_k, matrix, fleet, parked, transit, hauls,
                                                   aboard, done, driven, duties, free, overnight):
                transit[t.vehicle] = t
                legged.add(t.vehicle)
                runs.append(run)
                parked[t.vehicle], free[t.vehicle] = t.destination, t.arrival
                for cid, stretches in shifts.items():
                    duties.setdefault(cid, []).extend(stretches)
                    driven[cid] = driven.get(cid, 0) + sum(x.driving_s for x in stretches)
                aboard.update(keys)
        away = {vid: t.why for vid, t in transit.items() if t.arrival.date() > pday.day}
        arriving = {t.vehicle: t.driver for t in transit.values() if t.arrival.date() <= pday.day}
        day_fleet = [v for v in fleet if v.id not in away]
        ridden, late = _in_transit(_moves(tour, plan, k, matrix), transit, pday.day, _working(pday))
        crew_moves, own = _own_travel(tour, matrix, pday.day, ridden)
        unserved += [UnservedRequest(pday.day, m.id, m.subject, m.origin, m.destination, why) for m, why in late]
        own_travel += own
        moves = crew_moves + _haul_moves(tour, plan, k, matrix, [h for h in hauls if h.key not in done], aboard, away)
        unloads = [m for m in moves if m.aboard and m.vehicle in fleet_ids and m.vehicle not in away
                   and parked[m.vehicle] == m.destination]
        moves = [m for m in moves if m not in unloads]
        for run, late in _unload_parked(pday.day, unloads, free):
            if run is not None:
                runs.append(run)
            unserved += [UnservedRequest(pday.day, m.id, subject, m.destination, m.destination, why)
                         for m, why in late for subject in m.gear]
        # Unloaded, or too late and reported: either way the haul is over. (Gear unloaded late
        # is still at its venue for the next leg's load-out; it is not carried on as aboard.)
        aboard.difference_update(m.id[len("gear:"):] for m in unloads)
        done.update(m.id[len("gear:"):] for m in unloads)
        held: dict[str, tuple[int, int]] = {}
        for h in hauls:
            if h.key in aboard and h.day > pday.day:
                litres, grams = held.get(h.vehicle, (0, 0))
                held[h.vehicle] = (litres + h.litres, grams + h.grams)
        if not moves:
            continue
        party = list(dict.fromkeys(m.subject for m in moves if not m.is_gear))
        today = [r for r in previous_runs if r.day == pday.day]
        slept = _slept(tour, plan, k) | {cid: parked[vid] for vid, cid in arriving.items()}

        def out_of_reach(vid: str, cid: str) -> bool:
            return cid in slept and not _reachable(matrix, parked, cid, slept[cid], vid)

        if today:
            # Replanning: the earlier runs' fleet drivers, so the seed finds its vehicles;
            # only vehicles of today's fleet (one out of service keeps no driver). The rota's
            # drivers first; the earlier runs' fill the other vehicles, one vehicle per driver
            # (a replacement vehicle must not take the driver the rota gave another).
            today_ids = {v.id for v in day_fleet}
            seeded = {vid: cid for vid, cid in _rota_drivers(plan, pday).items() if vid in today_ids}
            for r in today:
                if r.vehicle_id in today_ids and r.driver_id in party and r.vehicle_id not in seeded \
                        and r.driver_id not in seeded.values() and not out_of_reach(r.vehicle_id, r.driver_id):
                    seeded[r.vehicle_id] = r.driver_id
        else:
            seeded = _rota_drivers(plan, pday)
        # The other vehicles get a licensed driver from the party who can get to them (the
        # spare ones are parked).
        drivers = _assign_drivers(tour, [c for c in party if c not in arriving.values()], day_fleet, driven, seeded,
                                  out_of_reach)
        # A vehicle back from its long leg keeps the driver who brought it, who starts there.
        drivers = {vid: cid for vid, cid in drivers.items() if cid not in arriving.values()} | arriving
        # A vehicle whose licensed crew all start too far from it says so.
        unreachable: dict[str, str] = {}
        for v in day_fleet:
            able = [c for c in party if licence_covers(tour.crew_by_id[c].licences, v.licence)
                    and c not in drivers.values()]
            if v.id not in drivers and able and all(out_of_reach(v.id, c) for c in able):
                cid = min(able, key=lambda c: _road_s(matrix, slept[c], parked[v.id]))
                minutes = matrix.leg(slept[cid], parked[v.id]).minutes
                unreachable[v.id] = (f"driver: {cid}, the nearest who may drive {v.id}, starts at {slept[cid]}, "
                                     f"{minutes} min from {v.id} parked at {parked[v.id]}")
        d, result, drivers = _settle(tour, matrix, pday, moves, day_fleet, cars, parked, drivers, params, today, held,
                                     duties, free, slept, away | unreachable)
        # A fleet vehicle carrying only people may cost more than the crew's own cars:
        # try the day without such vehicles and keep whichever is cheaper.
        spare = {r.vehicle for r in result.routes if r.vehicle in drivers
                 and not any(s.request and s.request.startswith("gear:") for s in r.stops)} if result else set()
        if spare and cars:
            trial = _settle(tour, matrix, pday, moves, day_fleet, cars, parked,
                            {vid: cid for vid, cid in drivers.items() if vid not in spare}, params, today, held,
                            duties, free, slept, away | unreachable)
            if trial[1] is not None and trial[1].objective is not None and result.objective is not None \
                    and trial[1].objective < result.objective:
                d, result, drivers = trial
        reasons = dict(d.reasons)
        # Where gear kept aboard started the day (on a long leg: where the leg began).
        morning = dict(parked) | {vid: transit[vid].origin for vid in away}
        if result is not None:
            statuses.add(result.status)
            objective += result.objective or 0
            hit = hit or result.hit_time_limit
            by_id = {m.id: m for m in d.moves}
            for rid, reason in result.dropped.items():
                reasons.setdefault(rid, _solver_reason(reason, by_id.get(rid)))
            served = {rid for route in result.routes for rid in route.requests}
            for m in d.moves:  # a day the search found nothing for in its time limit
                if m.id not in served and m.id not in reasons:
                    reasons[m.id] = f"no solution: the routing search found none in {params.time_limit_s:g} s"
            for route in result.routes:
                for rid in route.requests:
                    if rid.startswith("gear:"):
                        key = rid[len("gear:"):]
                        if key.endswith(":out"):
                            aboard.add(key[:-len(":out")])
                        else:
                            aboard.discard(key)
                            done.add(key)
                run = _run(tour, d, route)
                runs.append(run)
                free[route.vehicle] = run.stops[-1].departure
                # Own-car driving is recorded too: it counts towards the owner's driving time.
                # A run that only loads where the vehicle stands (a load-out) drives nothing
                # and is no duty at the wheel: the stage crew loads, the driver's rest holds.
                past, own = duties.setdefault(run.driver_id, []), route.vehicle not in fleet_ids
                if not route.driving:
                    pass
                elif past and past[-1].day == pday.day and past[-1].own_car == own:
                    past[-1] = Duty(pday.day, past[-1].driving_s + route.driving, past[-1].start, run.stops[-1].arrival,
                                    own)
                else:
                    past.append(Duty(pday.day, route.driving, run.stops[0].departure, run.stops[-1].arrival, own))
                parked[route.vehicle] = d.ids[route.stops[-1].location]
                driven[run.driver_id] = driven.get(run.driver_id, 0) + route.driving
        for m in d.moves:
            if m.id in reasons and m.stays and m.vehicle in fleet_ids and parked[m.vehicle] == m.origin \
                    and not any(r.vehicle_id == m.vehicle and r.day == pday.day for r in runs):
                # Nobody drives it today, but it stands where the gear is: the crew loads it.
                start = max(m.earliest, _seconds(pday.day, free[m.vehicle]) if m.vehicle in free else 0)
                runs.append(TransportRun(pday.day, m.vehicle, "", (RunStop(
                    m.origin, _at(pday.day, start), _at(pday.day, start + m.service), load_gear=m.gear,
                    volume_m3=m.litres / 1000, weight_kg=m.grams / 1000),), 0.0, 0, (), 0.0))
                aboard.add(m.id[len("gear:"):-len(":out")])
                continue
            if m.id in reasons:
                to = parked.get(m.vehicle, m.destination) if m.stays else m.destination
                start = morning.get(m.vehicle, m.origin) if m.aboard else m.origin
                for subject in m.gear or (m.subject,):
                    unserved.append(UnservedRequest(pday.day, m.id, subject, start, to, reasons[m.id]))
    status = "timed_out" if "timed_out" in statuses else "feasible" if statuses - {"optimal"} else "optimal"
    km: dict[str, float] = {}
    for run in runs:
        km[run.vehicle_id] = km.get(run.vehicle_id, 0.0) + run.km
    return TransportResult(
        status=status,
        runs=tuple(runs),
        unserved=tuple(unserved),
        own_travel=tuple(own_travel),
        driving_minutes=tuple((c.id, round(driven[c.id] / 60)) for c in tour.crew if c.id in driven),
        vehicle_km=tuple((v.id, round(km[v.id], 3)) for v in fleet + list(cars.values()) if v.id in km),
        cost=round(sum(r.cost for r in runs), 2),
        objective=objective,
        wall_time_s=_time.perf_counter() - started,
        hit_time_limit=hit,
    )
