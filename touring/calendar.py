"""Which days a venue can host a show: its windows, its closed weekdays, and the public
holidays of its country (from the ``holidays`` package) where it says so."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from touring.model import Venue

WEEKDAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


@lru_cache(maxsize=256)
def public_holidays(country: str, year: int) -> dict[date, str]:
    """The national public holidays of ``country`` (ISO code) in ``year``; empty if unknown."""
    import holidays

    try:
        return dict(holidays.country_holidays(country, years=year))
    except NotImplementedError:  # a country the package does not cover
        return {}


def closed_reason(venue: Venue, day: date) -> str | None:
    """Why ``venue`` cannot host a show on ``day``, in a tour manager's words; None if it can."""
    if not any(day in window for window in venue.availability):
        return f"{day} is outside the windows of venue '{venue.id}'"
    if day.weekday() in venue.closed_weekdays:
        return f"venue '{venue.id}' is closed on {WEEKDAY_NAMES[day.weekday()]}"
    if venue.closed_on_holidays and venue.place.country:
        holiday = public_holidays(venue.place.country, day.year).get(day)
        if holiday:
            return f"{day} is {holiday}, a public holiday in {venue.place.country} when venue '{venue.id}' is closed"
    return None


def is_open(venue: Venue, day: date) -> bool:
    return closed_reason(venue, day) is None
