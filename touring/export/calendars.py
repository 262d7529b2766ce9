"""iCalendar (RFC 5545) files: the whole tour, and one per crew member.

Timed events carry a TZID and the calendar a VTIMEZONE for every zone used, so a phone
shows each show at the venue's local time wherever the phone is. Every UID is built from
the tour's name and what the event is (show and night, day, leg ends), never from a clock
or a random number, so re-exporting the same plan gives the same UIDs and calendar apps
update events instead of duplicating them.

A hotel night is one event per person (check-in 15:00 to check-out 10:00 the next day,
in the hotel's zone), keyed by person and date: a replan that moves someone to another
hotel that night updates their event.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vGeo

from touring.export.timeline import Day, hotel_night, hours, slug, stay_hotel
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


def day_events(tour: Tour, day: Day, stamp: datetime) -> list[Event]:
    """The events of one day: its travel legs, and its show, set-up or day off."""
    events = []
    for leg in day.legs:
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
        for event in day_events(tour, day, stamp) + hotel_events(tour, day, stamp, member):
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal


def tour_calendar(plan: Plan, tour: Tour, days: tuple[Day, ...], stamp: datetime) -> Calendar:
    return calendar(plan, tour, days, tour.name, stamp)


def crew_calendar(plan: Plan, tour: Tour, days: tuple[Day, ...], member: CrewMember, stamp: datetime) -> Calendar:
    mine = tuple(d for d in days if member in d.crew)
    return calendar(plan, tour, mine, f"{tour.name} — {member.name}", stamp, member)
