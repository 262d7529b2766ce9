"""iCalendar (RFC 5545) files: the whole tour, and one per crew member.

Timed events carry a TZID and the calendar a VTIMEZONE for every zone used, so a phone
shows each show at the venue's local time wherever the phone is. Every UID is built from
the tour's name and what the event is (show and night, day, leg ends), never from a clock
or a random number, so re-exporting the same plan gives the same UIDs and calendar apps
update events instead of duplicating them.

A hotel night is one event per person (check-in 15:00 to check-out 10:00 the next day,
in the hotel's zone), keyed by person and date: a replan that moves someone to another
hotel that night updates their event. When the plan has transport runs, a day's travel is
its runs (the tour's calendar: one event per vehicle; a person's: their own rides, keyed by
person, date and ride number) instead of the legs' fixed departure rule.

Re-issuing (:func:`reissue`): a calendar exported again after a replan keeps every UID;
an event whose content (time, place, summary, description) changed gets the next SEQUENCE,
one that did not keeps its SEQUENCE, and every event of the earlier issue that is gone is
sent again with ``STATUS:CANCELLED`` and the next SEQUENCE, in the same ``METHOD:PUBLISH``
file. No separate ``METHOD:CANCEL`` file is written: RFC 5546 makes CANCEL an organizer's
scheduling message to attendees (ORGANIZER required, a method per calendar object), while
these files are published calendars that are imported or subscribed to, where a cancelled
status with a higher SEQUENCE under the same UID is what updates the event (RFC 5545
SEQUENCE and STATUS). Cancelled events stay in later issues, with their SEQUENCE, so a
calendar that missed one issue still learns of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vGeo

from touring.export.timeline import (
    Day, hotel_night, hours, rides, run_stops, slug, stay_hotel, stop_name, vehicle_name,
)
from touring.model import CrewMember, DayKind, Plan, RoomKind, Tour

PRODID = "-//touring//tour exports//EN"
UID_DOMAIN = "touring"


def uid(tour: Tour, *what: str) -> str:
    """A stable UID: ``tiny-test-tour/show/ab-brussels/night-1@touring``."""
    return "/".join([slug(tour.name), *what]) + f"@{UID_DOMAIN}"


def _event(tour: Tour, what: tuple[str, ...], summary: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid(tour, *what))
    event.add("dtstamp", stamp)
    event.add("sequence", 0)
    event.add("summary", summary)
    return event


def _all_day(event: Event, day: date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")


def _venue_location(event: Event, day: Day) -> None:
    venue = day.venue
    if venue is None:
        event.add("location", day.place.name)
        event.add("geo", vGeo((day.place.lat, day.place.lon)))
        return
    event.add("location", ", ".join(part for part in (venue.name, venue.address) if part))
    event.add("geo", vGeo((venue.place.lat, venue.place.lon)))


def _stop_location(event: Event, tour: Tour, place_id: str) -> None:
    event.add("location", stop_name(tour, place_id))
    if place_id in tour.places:
        event.add("geo", vGeo((tour.places[place_id].lat, tour.places[place_id].lon)))


def run_events(tour: Tour, day: Day, stamp: datetime, member: CrewMember | None = None) -> list[Event]:
    """The day's runs: one event per vehicle, or one per ride of ``member`` when given."""
    events = []
    if member is None:
        for run in day.local_runs:
            stops = run_stops(run)
            if not stops:
                continue
            vehicle = vehicle_name(tour, run.vehicle_id)
            event = _event(tour, ("run", run.vehicle_id, day.date.isoformat()),
                           f"{vehicle}: {stop_name(tour, stops[0].place_id)} → {stop_name(tour, stops[-1].place_id)}",
                           stamp)
            event.add("dtstart", stops[0].departure)
            event.add("dtend", stops[-1].arrival)
            _stop_location(event, tour, stops[0].place_id)
            driver = tour.crew_by_id[run.driver_id].name if run.driver_id in tour.crew_by_id else run.driver_id
            lines = [f"Driver {driver}; {run.km:,.0f} km, {hours(run.drive_minutes)} driving"]
            lines += [f"{stop.departure if number == 0 else stop.arrival:%H:%M} {stop_name(tour, stop.place_id)}"
                      for number, stop in enumerate(stops)]
            event.add("description", "\n".join(lines))
            events.append(event)
        return events
    for number, ride in enumerate(rides(day.local_runs, member.id), start=1):
        vehicle = vehicle_name(tour, ride.run.vehicle_id)
        start, end = stop_name(tour, ride.pick_up.place_id), stop_name(tour, ride.drop_off.place_id)
        # Keyed by person, date and ride number: a replan that moves a pick-up updates the event.
        event = _event(tour, ("ride", member.id, day.date.isoformat(), str(number)),
                       f"{'Drive' if ride.drives else 'Ride'}: {vehicle}, {start} → {end}", stamp)
        event.add("dtstart", ride.departs)
        event.add("dtend", ride.arrives)
        _stop_location(event, tour, ride.pick_up.place_id)
        driver = tour.crew_by_id[ride.run.driver_id].name if ride.run.driver_id in tour.crew_by_id \
            else ride.run.driver_id
        event.add("description", f"You drive the {vehicle}" if ride.drives
                  else f"{vehicle}, driver {driver}: pick-up {ride.departs:%H:%M} at {start}, "
                       f"arrival {ride.arrives:%H:%M} at {end}")
        events.append(event)
    return events


def day_events(tour: Tour, day: Day, stamp: datetime, member: CrewMember | None = None) -> list[Event]:
    """The events of one day: its travel (the runs when planned, else the legs), and its show,
    set-up or day off."""
    events = run_events(tour, day, stamp, member)
    for leg in () if day.runs else day.legs:
        part = leg.part
        what = ("travel", part.from_id, part.to_id, day.date.isoformat())
        event = _event(tour, what, f"Travel: {leg.title}", stamp)
        event.add("dtstart", leg.depart)
        event.add("dtend", leg.arrive)
        event.add("location", leg.origin.name)
        event.add("geo", vGeo((leg.origin.lat, leg.origin.lon)))
        crossings = f", crossings: {', '.join(part.crossings)}" if part.crossings else ""
        event.add("description", f"{part.km:,.0f} km, {hours(part.drive_minutes)} driving, "
                                 f"{hours(part.minutes)} in all{crossings}"
                                 f"{' (overnight, nightliner)' if part.overnight else ''}")
        events.append(event)
    if day.kind is DayKind.SHOW and day.show is not None:
        show = day.show
        # Keyed by show and night, not by date: a show that a replan moves keeps its
        # UID, so calendar apps move the event instead of adding a second one.
        night = (day.date - show.booking.first_night).days + 1
        event = _event(tour, ("show", show.booking.show_id, f"night-{night}"), f"Show: {show.venue.name}", stamp)
        event.add("dtstart", show.load_in)
        event.add("dtend", show.curfew)
        _venue_location(event, day)
        lines = [f"Load-in {show.load_in:%H:%M}"]
        if show.show is not None:
            lines.append(f"show {show.show:%H:%M}")
        lines.append(f"curfew {show.curfew:%H:%M}")
        contact = f"\nContact: {show.venue.contact}" if show.venue.contact else ""
        event.add("description", ", ".join(lines) + f" (local time, {show.venue.place.timezone}){contact}")
        events.append(event)
    elif day.kind is DayKind.SETUP and day.venue is not None:
        event = _event(tour, ("setup", day.plan_day.show_id or day.venue.id, day.date.isoformat()),
                       f"Set-up: {day.venue.name}", stamp)
        _all_day(event, day.date)
        _venue_location(event, day)
        events.append(event)
    elif day.kind is DayKind.OFF:
        event = _event(tour, ("off", day.date.isoformat()), f"Day off: {day.place.name}", stamp)
        _all_day(event, day.date)
        _venue_location(event, day)
        events.append(event)
    return events


def hotel_events(tour: Tour, day: Day, stamp: datetime, member: CrewMember | None = None) -> list[Event]:
    """A hotel-night event per person sleeping in a hotel after ``day`` (only ``member``'s when given).

    The whole tour's calendar names the person in the summary; a personal calendar does not.
    """
    if day.night is None:
        return []
    events = []
    for stay in day.night.stays:
        hotel = stay_hotel(tour, stay)
        if hotel is None or (member is not None and stay.crew_id != member.id):
            continue
        person = tour.crew_by_id[stay.crew_id]
        summary = f"Hotel: {hotel.name}" + (f" — {person.name}" if member is None else "")
        event = _event(tour, ("hotel", stay.crew_id, day.date.isoformat()), summary, stamp)
        check_in, check_out = hotel_night(day.date, hotel)
        event.add("dtstart", check_in)
        event.add("dtend", check_out)
        event.add("transp", "TRANSPARENT")  # asleep is not busy: the show that evening still counts
        event.add("location", ", ".join(part for part in (hotel.name, hotel.address) if part))
        event.add("geo", vGeo((hotel.place.lat, hotel.place.lon)))
        if stay.room is RoomKind.DOUBLE and stay.room_mate:
            room = f"double room with {tour.crew_by_id[stay.room_mate].name}"
        else:
            room = f"{stay.room.value} room" if stay.room else "room"
        lines = [f"{person.name}: {room}",
                 f"check-in {check_in:%H:%M}, check-out {check_out:%H:%M} (local time, {hotel.place.timezone})"]
        if hotel.contact:
            lines.append(f"Contact: {hotel.contact}")
        event.add("description", "\n".join(lines))
        events.append(event)
    return events


def calendar(plan: Plan, tour: Tour, days: tuple[Day, ...], name: str, stamp: datetime,
             member: CrewMember | None = None) -> Calendar:
    """A calendar of ``days`` (all of the tour's, or ``member``'s), with its time zones."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for day in days:
        for event in day_events(tour, day, stamp, member) + hotel_events(tour, day, stamp, member):
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal


def tour_calendar(plan: Plan, tour: Tour, days: tuple[Day, ...], stamp: datetime) -> Calendar:
    return calendar(plan, tour, days, tour.name, stamp)


def crew_calendar(plan: Plan, tour: Tour, days: tuple[Day, ...], member: CrewMember, stamp: datetime) -> Calendar:
    mine = tuple(d for d in days if member in d.crew)
    return calendar(plan, tour, mine, f"{tour.name} — {member.name}", stamp, member)


@dataclass(frozen=True)
class Issued:
    """One event as last issued: its SEQUENCE, a digest of its content, whether it was sent
    as cancelled, and the event itself (iCalendar text) to cancel it later."""

    sequence: int
    digest: str
    cancelled: bool
    ical: str


# Not content: when the file was made, the version counter and the status set by reissue.
_NOT_CONTENT = ("DTSTAMP", "SEQUENCE", "STATUS")


def content_digest(event: Event) -> str:
    """A digest of what a person sees of ``event``: times, place, summary, description."""
    text = event.to_ical().decode("utf-8").replace("\r\n ", "")
    lines = [line for line in text.split("\r\n") if line and not line.startswith(_NOT_CONTENT)]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def _set(event: Event, name: str, value) -> None:
    if name in event:
        del event[name]
    event.add(name, value)


def reissue(cal: Calendar, previous: Mapping[str, Issued], stamp: datetime) -> dict[str, Issued]:
    """Give ``cal``'s events their SEQUENCE against the ``previous`` issue and add the
    cancelled ones; returns what this issue sends, by UID, for the next one.

    An event new to the calendar has SEQUENCE 0; one whose content changed, or that comes
    back after a cancellation, the previous SEQUENCE + 1; an unchanged one its previous
    SEQUENCE. An event of ``previous`` that ``cal`` lacks is added as it was last sent,
    with ``STATUS:CANCELLED``, DTSTAMP ``stamp`` and the next SEQUENCE (the same SEQUENCE
    when it was already sent as cancelled).
    """
    issued: dict[str, Issued] = {}
    for event in cal.walk("VEVENT"):
        uid = str(event["UID"])
        digest = content_digest(event)
        before = previous.get(uid)
        if before is None:
            sequence = 0
        elif before.cancelled or before.digest != digest:
            sequence = before.sequence + 1
        else:
            sequence = before.sequence
        _set(event, "sequence", sequence)
        _set(event, "status", "CONFIRMED")
        issued[uid] = Issued(sequence, digest, False, event.to_ical().decode("utf-8"))
    for uid, before in previous.items():
        if uid in issued:
            continue
        event = Event.from_ical(before.ical)
        sequence = before.sequence if before.cancelled else before.sequence + 1
        _set(event, "sequence", sequence)
        _set(event, "status", "CANCELLED")
        _set(event, "dtstamp", stamp)
        cal.add_component(event)
        issued[uid] = Issued(sequence, before.digest, True, before.ical)
    cal.add_missing_timezones()
    return issued
