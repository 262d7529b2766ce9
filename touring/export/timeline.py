"""The plan in local clock time: what every export (calendars, sheets, maps) shows.

The plan has dates; exports need times. The day's times (driving, show) follow these rules;
the vehicles' transport runs, when planned, keep their own stop times and join each ``Day``
(:attr:`Day.local_runs` gives them in the zone of the day's place; :func:`rides` each
person's own rides), and the exports then take the day's departures and arrivals from them:

- without runs, a day's driving starts at :data:`DEPARTURE` (08:00) local time where the leg
  starts, its parts one after the other; a part driven in the night after a show
  (nightliner) starts at that venue's curfew;
- a show runs from the venue's load-in to its curfew (:data:`DEFAULT_LOAD_IN` and
  :data:`DEFAULT_CURFEW` where the venue gives none; a curfew at or before the load-in is
  after midnight);
- every crew member travels with the tour on each day they are available; who works which
  role comes from the rota (``plan.crew_shifts``) when it was planned;
- the paperwork of a leg (:func:`touring.paperwork.paperwork`) and the rental pick-ups and
  returns belong to the leg's first day; a vehicle's manifest to every day the leg is driven;
- a hotel night runs from :data:`CHECK_IN` (15:00) to :data:`CHECK_OUT` (10:00) the next
  morning, in the hotel's local time.

Nothing here writes files; every datetime is time-zone aware, in the zone of its place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from touring.model import (
    CrewMember, CrewShift, DayKind, EquipmentMove, Hotel, LeftBehind, Night, Place, Plan, PlanDay, RunStop, ShowBooking,
    Stay, StayKind, ToBook, Tour, TransportRun, TravelPart, UnfilledRole, UnservedRequest, Venue, VehicleLoad,
)
from touring.paperwork import PaperworkItem, paperwork

DEPARTURE = time(8, 0)
DEFAULT_LOAD_IN = time(12, 0)
DEFAULT_CURFEW = time(23, 0)
CHECK_IN = time(15, 0)
CHECK_OUT = time(10, 0)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def at(day: date, clock: time, place: Place) -> datetime:
    """``clock`` on ``day`` in the local time of ``place``."""
    return datetime.combine(day, clock, tzinfo=zone(place.timezone))


def _local(moment: datetime, place: Place) -> datetime:
    """``moment`` in the zone of ``place`` when it has no zone of its own."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone(place.timezone))


def utc_offset(moment: datetime) -> str:
    """``UTC+01:00`` for a local time."""
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def hours(minutes: int) -> str:
    """``2h05`` for 125 minutes."""
    return f"{minutes // 60}h{minutes % 60:02d}"


def slug(text: str) -> str:
    """A lower-case ASCII token for file names and event UIDs: ``Tiny test tour`` -> ``tiny-test-tour``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


@dataclass(frozen=True)
class Leg:
    """One travel part, timed: the part of a leg driven on one day."""

    day: date
    part: TravelPart
    origin: Place
    destination: Place
    depart: datetime  # in the origin's zone
    arrive: datetime  # in the destination's zone on the leg's last part, else the origin's
    number: int  # 1-based: which part of its leg this is
    parts: int  # how many days the leg takes

    @property
    def title(self) -> str:
        text = f"{self.origin.name} → {self.destination.name}"
        return text if self.parts == 1 else f"{text} (part {self.number} of {self.parts})"


@dataclass(frozen=True)
class ShowNight:
    booking: ShowBooking
    venue: Venue
    night: int  # 1-based
    load_in: datetime
    show: datetime | None
    curfew: datetime
    soundcheck: datetime | None = None
    doors: datetime | None = None
    load_out: datetime | None = None


@dataclass(frozen=True)
class Day:
    """One day the tour is away (or on its way home), in local time."""

    plan_day: PlanDay
    place: Place  # where the tour is at the end of the day
    venue: Venue | None  # on show and set-up days
    show: ShowNight | None
    legs: tuple[Leg, ...]
    crew: tuple[CrewMember, ...]
    previous_zone: str | None  # the zone of the day before, when the clocks differ from it
    previous_offset: str | None
    night: Night | None = None  # the beds of the night that follows; None: not planned, or home
    to_book: tuple[ToBook, ...] = ()  # rooms still to book for that night
    paperwork: tuple[PaperworkItem, ...] = ()  # for the legs whose first day this is
    shifts: tuple[CrewShift, ...] = ()  # the rota of the day's show or set-up; empty: none, or not planned
    unfilled: tuple[UnfilledRole, ...] = ()  # role places of the day nobody can take
    loads: tuple[VehicleLoad, ...] = ()  # the manifests of the legs driven this day
    left_behind: tuple[LeftBehind, ...] = ()  # gear that fits in no vehicle on those legs
    moves: tuple[EquipmentMove, ...] = ()  # rental pick-ups and returns on legs that start this day
    runs: tuple[TransportRun, ...] = ()  # the vehicles' runs of the day; empty: none, or not planned
    unserved: tuple[UnservedRequest, ...] = ()  # the day's moves no run makes

    @property
    def date(self) -> date:
        return self.plan_day.day

    @property
    def kind(self) -> DayKind:
        return self.plan_day.kind

    @property
    def noon(self) -> datetime:
        return at(self.date, time(12), self.place)

    @property
    def zone_changed(self) -> bool:
        return self.previous_zone is not None

    @property
    def local_runs(self) -> tuple[TransportRun, ...]:
        """The day's runs with time-zone aware stop times.

        The routing model gives a run's times as clock times of the zone of the day's place
        (naive datetimes); the exports compare them with the show's times and put them in
        calendars, which needs the zone.
        """
        return tuple(replace(run, stops=tuple(replace(stop, arrival=_local(stop.arrival, self.place),
                                                            departure=_local(stop.departure, self.place))
                                              for stop in run.stops),
                             breaks=tuple((_local(start, self.place), minutes) for start, minutes in run.breaks))
                     for run in self.runs)

    @property
    def departure(self) -> datetime | None:
        """The day's first departure: the first run's when the runs are planned, else the first leg's."""
        first = min((run.stops[0].departure for run in self.local_runs if run.stops), default=None)
        if first is not None:
            return first
        return self.legs[0].depart if self.legs else None


def place_name(tour: Tour, place_id: str) -> str:
    """A venue's name, ``home (Gent)`` for the home base, else the place's name."""
    if place_id in tour.venue_by_id:
        return tour.venue_by_id[place_id].name
    if place_id == tour.home.id:
        return f"home ({tour.home.name})"
    return tour.places[place_id].name


def vehicle_name(tour: Tour, vehicle_id: str) -> str:
    """A vehicle's name; its id when the tour no longer has it."""
    return tour.vehicle_by_id[vehicle_id].name if vehicle_id in tour.vehicle_by_id else vehicle_id


def stop_name(tour: Tour, place_id: str) -> str:
    """A run stop's place: a venue, the home base, ``home of Carl De Smet``, a depot, a supplier."""
    if place_id.startswith("home:") and place_id[5:] in tour.crew_by_id:
        return f"home of {tour.crew_by_id[place_id[5:]].name}"
    if place_id.startswith("depot:") and place_id[6:] in tour.vehicle_by_id:
        return f"depot of the {tour.vehicle_by_id[place_id[6:]].name}"
    if place_id in tour.venue_by_id or place_id in tour.places:
        return place_name(tour, place_id)
    return place_id


def run_stops(run: TransportRun) -> tuple[RunStop, ...]:
    """The run's stops as a crew reads them: the driver gets on at the first stop and off at
    the last, and is not listed getting on and off in between.

    The routing model carries the driver like a passenger picked up at home, so a run may
    load gear at the depot before "picking up" its driver; the driver drives the whole run.
    """
    if not run.driver_id or not run.stops:
        return run.stops
    last = len(run.stops) - 1
    stops = []
    for number, stop in enumerate(run.stops):
        board = tuple(c for c in stop.board if c != run.driver_id)
        alight = tuple(c for c in stop.alight if c != run.driver_id)
        stops.append(replace(stop, board=((run.driver_id,) if number == 0 else ()) + board,
                             alight=alight + ((run.driver_id,) if number == last else ())))
    return tuple(stops)


@dataclass(frozen=True)
class Ride:
    """One person's ride in a vehicle's run: where and when they get on and off."""

    run: TransportRun
    crew_id: str
    drives: bool
    pick_up: RunStop
    drop_off: RunStop

    @property
    def departs(self) -> datetime:
        return self.pick_up.departure

    @property
    def arrives(self) -> datetime:
        return self.drop_off.arrival


def rides(runs: tuple[TransportRun, ...], crew_id: str) -> tuple[Ride, ...]:
    """``crew_id``'s rides in ``runs`` (one day's), in the order they leave.

    A driver has one ride, the whole run; anyone else one per boarding (out to the venue
    and back home are two rides). At a stop where a person both gets off and on, getting
    off comes first: they arrived with the vehicle and leave with it later.
    """
    found = []
    for run in runs:
        stops = run_stops(run)
        if not stops:
            continue
        if run.driver_id == crew_id:
            found.append(Ride(run, crew_id, True, stops[0], stops[-1]))
            continue
        start: RunStop | None = None
        for stop in stops:
            if start is not None and crew_id in stop.alight:
                found.append(Ride(run, crew_id, False, start, stop))
                start = None
            if start is None and crew_id in stop.board:
                start = stop
    return tuple(sorted(found, key=lambda ride: ride.departs))


def is_away(day: PlanDay) -> bool:
    """Whether the day is on the road: not at home, or driving home."""
    return day.kind is not DayKind.HOME or bool(day.travel)


def show_night(tour: Tour, booking: ShowBooking, day: date) -> ShowNight:
    venue = tour.venue_by_id[booking.venue_id]
    load_in = at(day, venue.load_in or DEFAULT_LOAD_IN, venue.place)
    curfew = at(day, venue.curfew or DEFAULT_CURFEW, venue.place)
    if curfew <= load_in:
        curfew = at(day + timedelta(days=1), venue.curfew or DEFAULT_CURFEW, venue.place)
    show = at(day, venue.show_time, venue.place) if venue.show_time else None

    def after(clock_time, start: datetime) -> datetime | None:
        """A clock time on the show day, or the next day when it comes before ``start``."""
        if clock_time is None:
            return None
        moment = at(day, clock_time, venue.place)
        return moment if moment >= start else at(day + timedelta(days=1), clock_time, venue.place)

    return ShowNight(booking, venue, (day - booking.first_night).days + 1, load_in, show, curfew,
                     after(venue.soundcheck, load_in), after(venue.doors, load_in), after(venue.load_out, curfew))


def _timed_legs(plan: Plan, tour: Tour) -> dict[date, tuple[Leg, ...]]:
    """Every travel part of the plan with its departure and arrival, by day."""
    flat = [(day, part) for day in plan.days for part in day.travel]
    # A leg is a run of parts with the same ends on consecutive entries.
    runs: list[list[tuple[PlanDay, TravelPart]]] = []
    for day, part in flat:
        if runs and (runs[-1][-1][1].from_id, runs[-1][-1][1].to_id) == (part.from_id, part.to_id) \
                and runs[-1][-1][0].day < day.day:
            runs[-1].append((day, part))
        else:
            runs.append([(day, part)])
    bookings = {b.show_id: b for b in plan.bookings}
    timed: dict[date, list[Leg]] = {}
    for run in runs:
        previous: Leg | None = None
        for number, (day, part) in enumerate(run, start=1):
            origin, destination = tour.places[part.from_id], tour.places[part.to_id]
            earlier = timed.get(day.day, [])
            if part.overnight and day.show_id in bookings:
                depart = show_night(tour, bookings[day.show_id], day.day).curfew
            elif earlier and not earlier[-1].part.overnight:
                depart = earlier[-1].arrive
            else:
                depart = at(day.day, DEPARTURE, origin)
            if previous is not None and previous.arrive > depart:
                depart = previous.arrive  # the night's drive ends after the usual departure
            last = number == len(run)
            arrive = (depart + timedelta(minutes=part.minutes)).astimezone(zone((destination if last else origin).timezone))
            previous = Leg(day.day, part, origin, destination, depart, arrive, number, len(run))
            timed.setdefault(day.day, []).append(previous)
    return {day: tuple(legs) for day, legs in timed.items()}


def hotel_by_id(tour: Tour) -> dict[str, Hotel]:
    return {h.id: h for h in tour.hotels}


def stay_hotel(tour: Tour, stay: Stay) -> Hotel | None:
    """The hotel of a hotel stay; ``None`` for a night at home, on board or not booked."""
    if stay.kind is not StayKind.HOTEL or stay.hotel_id is None:
        return None
    return hotel_by_id(tour)[stay.hotel_id]


def hotel_night(day: date, hotel: Hotel) -> tuple[datetime, datetime]:
    """Check-in on ``day`` and check-out the next morning, in the hotel's local time."""
    return at(day, CHECK_IN, hotel.place), at(day + timedelta(days=1), CHECK_OUT, hotel.place)


def _by_day(items) -> dict[date, tuple]:
    found: dict[date, list] = {}
    for item in items:
        found.setdefault(item.day, []).append(item)
    return {day: tuple(group) for day, group in found.items()}


def _driven(legs: dict[date, tuple[Leg, ...]], items) -> dict[date, tuple]:
    """Per-leg items (loads, left behind: dated by the leg's first day) on every day the leg is driven.

    An item goes with a day's part that has its ends and is the latest such leg that
    started on or before the day (a tour may drive the same two places twice).
    """
    found: dict[date, tuple] = {}
    for day, timed in legs.items():
        mine = []
        for leg in timed:
            ends = (leg.part.from_id, leg.part.to_id)
            same = [x for x in items if (x.from_id, x.to_id) == ends and x.day <= day]
            latest = max((x.day for x in same), default=None)
            mine += [x for x in same if x.day == latest and x not in mine]
        if mine:
            found[day] = tuple(mine)
    return found


def timeline(plan: Plan, tour: Tour) -> tuple[Day, ...]:
    """The days the tour is away, in order, with their local times, legs, crew and nights,
    and what the rota, the loading and the borders add to each."""
    legs = _timed_legs(plan, tour)
    papers = _by_day(paperwork(tour, plan))
    shifts, unfilled, moves = _by_day(plan.crew_shifts), _by_day(plan.unfilled_roles), _by_day(plan.equipment_moves)
    runs, unserved = _by_day(plan.runs), _by_day(plan.unserved_transport)
    loads, left = _driven(legs, plan.loads), _driven(legs, plan.left_behind)
    nights = {n.day: n for n in plan.accommodation}
    to_book: dict[date, list[ToBook]] = {}
    for line in plan.to_book:
        to_book.setdefault(line.day, []).append(line)
    bookings = {b.show_id: b for b in plan.bookings}
    days = []
    previous: tuple[str, str] | None = None
    for plan_day in plan.days:
        place = tour.places[plan_day.place_id]
        noon = at(plan_day.day, time(12), place)
        clocks = (place.timezone, utc_offset(noon))
        changed = previous is not None and previous != clocks
        if is_away(plan_day):
            venue = tour.venue_by_id.get(plan_day.place_id) if plan_day.show_id else None
            show = show_night(tour, bookings[plan_day.show_id], plan_day.day) \
                if plan_day.kind is DayKind.SHOW and plan_day.show_id in bookings else None
            crew = tuple(c for c in tour.crew if c.is_available(plan_day.day))
            days.append(Day(plan_day, place, venue, show, legs.get(plan_day.day, ()), crew,
                            previous[0] if changed else None, previous[1] if changed else None,
                            nights.get(plan_day.day), tuple(to_book.get(plan_day.day, ())),
                            papers.get(plan_day.day, ()), shifts.get(plan_day.day, ()),
                            unfilled.get(plan_day.day, ()), loads.get(plan_day.day, ()),
                            left.get(plan_day.day, ()), moves.get(plan_day.day, ()),
                            tuple(runs.get(plan_day.day, ())), tuple(unserved.get(plan_day.day, ()))))
        previous = clocks
    return tuple(days)


def crew_days(days: tuple[Day, ...], member: CrewMember) -> tuple[Day, ...]:
    """The days ``member`` is on the road."""
    return tuple(d for d in days if member in d.crew)


def venue_order(plan: Plan) -> dict[str, list[int]]:
    """The 1-based tour-order numbers of each venue's bookings."""
    order: dict[str, list[int]] = {}
    for number, booking in enumerate(plan.bookings, start=1):
        order.setdefault(booking.venue_id, []).append(number)
    return order
