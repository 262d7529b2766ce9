"""Folium maps of a plan: the whole tour, one day, one person.

Each builder takes an optional existing map and returns the map; saving (and inlining
the assets for offline use) is :func:`maps.offline.save_offline`. Coordinates enter as
(lat, lon), the order folium uses.

Only Leaflet's own layers are used (``DivIcon`` and default markers, polylines) so the
saved page needs nothing but Leaflet and jQuery, which ship inline. Venues are round
numbered badges, hotels square "H" badges (plain HTML and CSS, no icon font).
"""

from __future__ import annotations

from datetime import date
from html import escape

import folium

from solvers.crossings import crossings as known_crossings
from touring.export.sheets import room_lines, room_text
from touring.export.timeline import Day, crew_days, hotel_by_id, hours, place_name, timeline, venue_order
from touring.model import CrewMember, Hotel, Plan, StayKind, Tour

HOTEL_COLOUR = "#00509e"
# Colour of a leg by ISO week (cycled): dark enough to read on any tile set.
WEEK_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
SEA_DASH = "8 8"


def week_colour(day: date) -> str:
    return WEEK_COLOURS[day.isocalendar().week % len(WEEK_COLOURS)]


def _new_map(m: folium.Map | None, points: list[tuple[float, float]]) -> folium.Map:
    if m is None:
        m = folium.Map(tiles="OpenStreetMap", control_scale=True)
    if points:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        m.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))], padding=(30, 30))
    return m


def _number_icon(label: str, colour: str = "#222") -> folium.DivIcon:
    width = 16 + 8 * len(label)
    return folium.DivIcon(
        html=(f'<div class="tour-stop" style="background:{colour};color:#fff;border:2px solid #fff;'
              f"border-radius:12px;font:bold 13px/20px sans-serif;text-align:center;width:{width}px;height:20px;"
              f'box-shadow:0 0 3px #000">{escape(label)}</div>'),
        icon_size=(width + 4, 24), icon_anchor=(width // 2 + 2, 12), class_name="tour-stop-icon")


def _hotel_icon() -> folium.DivIcon:
    """A square "H" badge on a short stem whose tip marks the hotel: unlike the round venue
    numbers at a glance, and standing above a venue next door instead of on it. No icon font."""
    return folium.DivIcon(
        html=(f'<div class="tour-hotel" style="background:{HOTEL_COLOUR};color:#fff;border:2px solid #fff;'
              "border-radius:3px;font:bold 13px/20px sans-serif;text-align:center;width:20px;height:20px;"
              'box-shadow:0 0 3px #000">H</div>'
              f'<div style="width:0;height:0;margin-left:7px;border:5px solid transparent;'
              f'border-top:8px solid {HOTEL_COLOUR}"></div>'),
        icon_size=(24, 36), icon_anchor=(12, 34), popup_anchor=(0, -34), class_name="tour-hotel-icon")


def _hotel_header(hotel: Hotel) -> str:
    return (f"<b>{escape(hotel.name)}</b><br>" + (f"{escape(hotel.address)}<br>" if hotel.address else "")
            + (f"{escape(hotel.contact)}<br>" if hotel.contact else ""))


def _hotel_stays(tour: Tour, days: tuple[Day, ...], member: CrewMember | None = None) -> dict[str, list]:
    """The hotel stays of ``days`` (only ``member``'s when given) by hotel id: (day, stays) in order."""
    found: dict[str, list] = {}
    for day in days:
        if day.night is None:
            continue
        for stay in day.night.stays:
            if stay.kind is not StayKind.HOTEL or stay.hotel_id is None:
                continue
            if member is not None and stay.crew_id != member.id:
                continue
            nights = found.setdefault(stay.hotel_id, [])
            if not nights or nights[-1][0] is not day:
                nights.append((day, []))
            nights[-1][1].append(stay)
    return found


def _add_hotels(m: folium.Map, tour: Tour, stays: dict[str, list], member: CrewMember | None = None) -> None:
    """A hotel badge per hotel slept in, its popup giving each night and who sleeps there."""
    hotels = hotel_by_id(tour)
    for hotel_id, nights in stays.items():
        hotel = hotels[hotel_id]
        if member is None:
            beds = "<br>".join(f"<i>{day.date:%a %d %b}</i><br>" + "<br>".join(room_lines(tour, mine))
                               for day, mine in nights)
        else:
            beds = "<br>".join(f"{day.date:%a %d %b}: {escape(member.name)}, {escape(room_text(tour, mine[0]))}"
                               for day, mine in nights)
        # Below the venue badges: a hotel next to the venue must not hide the venue's number.
        folium.Marker(hotel.place.coordinates, icon=_hotel_icon(),
                      popup=folium.Popup(_hotel_header(hotel) + beds, max_width=300),
                      tooltip=f"hotel: {hotel.name}", z_index_offset=-1000).add_to(m)


def _legs(days: tuple[Day, ...]) -> list[tuple[str, str, list]]:
    """The legs of ``days``: (from id, to id, timed parts), each leg once, in order."""
    found: list[tuple[str, str, list]] = []
    for day in days:
        for leg in day.legs:
            key = (leg.part.from_id, leg.part.to_id)
            if found and found[-1][:2] == key and leg.number > 1:
                found[-1][2].append(leg)
            else:
                found.append((*key, [leg]))
    return found


def _path(tour: Tour, from_id: str, to_id: str, crossing_ids: tuple[str, ...]) -> list[tuple[float, float]]:
    """A leg's line: straight, through the ports of its sea crossings (nearest port first)."""
    by_id = {c.id: c for c in known_crossings()}
    points = [tour.places[from_id].coordinates]
    for crossing_id in crossing_ids:
        crossing = by_id.get(crossing_id)
        if crossing is None:
            continue
        a, b = (crossing.a.lat, crossing.a.lon), (crossing.b.lat, crossing.b.lon)
        last = points[-1]
        if (a[0] - last[0]) ** 2 + (a[1] - last[1]) ** 2 > (b[0] - last[0]) ** 2 + (b[1] - last[1]) ** 2:
            a, b = b, a
        points += [a, b]
    points.append(tour.places[to_id].coordinates)
    return points


def _add_legs(m: folium.Map, tour: Tour, days: tuple[Day, ...]) -> int:
    count = 0
    for from_id, to_id, parts in _legs(days):
        crossing_ids = tuple(c for leg in parts for c in leg.part.crossings)
        km = sum(leg.part.km for leg in parts)
        drive = sum(leg.part.drive_minutes for leg in parts)
        first = parts[0]
        text = (f"<b>{escape(place_name(tour, from_id))} → {escape(place_name(tour, to_id))}</b><br>"
                f"{first.day:%a %d %b}, departure {first.depart:%H:%M}<br>{km:,.0f} km, {hours(drive)} driving"
                + (f"<br>crossings: {escape(', '.join(crossing_ids))}" if crossing_ids else ""))
        folium.PolyLine(
            _path(tour, from_id, to_id, crossing_ids), color=week_colour(first.day), weight=4, opacity=0.85,
            dash_array=SEA_DASH if crossing_ids else None, popup=folium.Popup(text, max_width=300),
            tooltip=f"{place_name(tour, from_id)} → {place_name(tour, to_id)}",
        ).add_to(m)
        count += 1
    return count


def _add_venues(m: folium.Map, plan: Plan, tour: Tour, venue_ids: set[str] | None = None) -> None:
    """A numbered marker per venue (numbers in tour order), with its dates in the popup."""
    order = venue_order(plan)
    for venue_id, numbers in order.items():
        if venue_ids is not None and venue_id not in venue_ids:
            continue
        venue = tour.venue_by_id[venue_id]
        bookings = [b for b in plan.bookings if b.venue_id == venue_id]
        dates = "<br>".join(f"{b.first_night:%a %d %b}" + (f" ({b.nights} nights)" if b.nights > 1 else "")
                            for b in bookings)
        text = (f"<b>{'/'.join(map(str, numbers))}. {escape(venue.name)}</b><br>"
                + (f"{escape(venue.address)}<br>" if venue.address else "")
                + f"{dates}" + (f"<br>{escape(venue.contact)}" if venue.contact else ""))
        folium.Marker(venue.place.coordinates, icon=_number_icon("/".join(map(str, numbers))),
                      popup=folium.Popup(text, max_width=300), tooltip=venue.name).add_to(m)


def _add_home(m: folium.Map, tour: Tour) -> None:
    """The home base as Leaflet's default pin."""
    folium.Marker(tour.home.coordinates, popup=folium.Popup(f"<b>Home base</b><br>{escape(tour.home.name)}"),
                  tooltip=f"home ({tour.home.name})").add_to(m)


def tour_map(plan: Plan, tour: Tour, m: folium.Map | None = None) -> folium.Map:
    """The whole tour: numbered venues, legs coloured by week (dashed where they cross the sea), home.

    Parameters
    ----------
    plan, tour
        The plan and the tour it was made from.
    m
        A map to draw on; a new OpenStreetMap map when ``None``.
    """
    days = timeline(plan, tour)
    points = [tour.home.coordinates] + [tour.venue_by_id[b.venue_id].place.coordinates for b in plan.bookings]
    m = _new_map(m, points)
    _add_legs(m, tour, days)
    _add_venues(m, plan, tour)
    _add_home(m, tour)
    return m


def day_map(plan: Plan, tour: Tour, day: date, m: folium.Map | None = None) -> folium.Map:
    """One day: its legs, where it starts and ends, the day's venue and the night's hotels."""
    days = tuple(d for d in timeline(plan, tour) if d.date == day)
    if not days:
        raise ValueError(f"{day} is not a day on the road in this plan")
    today = days[0]
    ids = {today.place.id} | {leg.part.from_id for leg in today.legs} | {leg.part.to_id for leg in today.legs}
    stays = _hotel_stays(tour, days)
    m = _new_map(m, [tour.places[i].coordinates for i in ids | set(stays)])
    _add_legs(m, tour, days)
    _add_venues(m, plan, tour, ids)
    _add_hotels(m, tour, stays)
    if tour.home.id in ids:
        _add_home(m, tour)
    elif today.place.id not in tour.venue_by_id:
        folium.Marker(today.place.coordinates, icon=_number_icon("●", "#555"),
                      popup=folium.Popup(escape(today.place.name))).add_to(m)
    return m


def person_map(plan: Plan, tour: Tour, member: CrewMember, m: folium.Map | None = None) -> folium.Map:
    """One crew member's tour: the legs, venues and hotels of the days they are on the road, and their home."""
    days = crew_days(timeline(plan, tour), member)
    ids = {d.place.id for d in days} | {leg.part.from_id for d in days for leg in d.legs}
    stays = _hotel_stays(tour, days, member)
    m = _new_map(m, [tour.places[i].coordinates for i in ids | set(stays)] + [member.home.coordinates])
    _add_legs(m, tour, days)
    _add_venues(m, plan, tour, ids)
    _add_hotels(m, tour, stays, member)
    if tour.home.id in ids:
        _add_home(m, tour)
    folium.Marker(member.home.coordinates, icon=_number_icon("⌂", "#555"),
                  popup=folium.Popup(f"<b>{escape(member.name)}</b><br>home"), tooltip=member.home.name).add_to(m)
    return m
