"""What must be ready at each border the tour crosses: carnet, visas and work permits, clocks.

A PLANNING AID, NOT LEGAL ADVICE. The rules come from tables shipped with the package and
documented in ``touring/data/README.md``:

- ``data/country_groups.csv``: the EU, the EEA, Schengen and the customs territories
  (``CUSTOMS_EU`` is the EU customs union: the 27 member states and Monaco).
- ``data/entry_rules.csv``: what a crew member of one nationality needs to work in a
  destination country; the first matching row wins, and uncertain cases say ``check``.

A leg crosses a border when the countries of the places it starts and ends in differ
(places carry ISO 3166 alpha-2 codes; a place without one gets the country of its IANA
time zone). Countries a leg only passes through (France between Belgium and Spain,
Switzerland between Germany and Italy) are not known from the plan and are not checked.
"""

from __future__ import annotations

import csv
import enum
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from importlib import resources
from typing import Iterator, Mapping
from zoneinfo import ZoneInfo

from touring.model import Owner, Place, Plan, Tour, TravelPart

DISCLAIMER = "a planning aid, not legal advice: confirm with the authorities and your carnet issuer"


class PaperworkKind(str, enum.Enum):
    CARNET = "carnet"  # an ATA carnet for the gear
    ENTRY = "entry"  # a visa, work permit or notification for one crew member
    TIME_ZONE = "time_zone"  # the clocks change


class Action(str, enum.Enum):
    REQUIRED = "required"  # something must be obtained before the leg
    CHECK = "check"  # may be needed: look it up for this case
    INFO = "info"  # nothing to obtain, something to know


@dataclass(frozen=True)
class EntryRule:
    nationality: tuple[str, ...]  # ISO codes, group names or "*"
    destination: tuple[str, ...]
    action: str  # none, required or check
    needed: str
    note: str
    source: str


@dataclass(frozen=True)
class Leg:
    """One leg of the plan, from one stop to the next, with the parts driven on each day."""

    from_id: str
    to_id: str
    parts: tuple[tuple[date, TravelPart], ...]

    @property
    def day(self) -> date:
        """The first day the leg is driven: paperwork must be ready by then."""
        return self.parts[0][0]

    @property
    def km(self) -> float:
        return sum(part.km for _, part in self.parts)

    @property
    def crossings(self) -> tuple[str, ...]:
        return tuple(c for _, part in self.parts for c in part.crossings)


@dataclass(frozen=True)
class PaperworkItem:
    """One thing to have ready for one leg; ``text`` says it in words."""

    day: date  # the first day of the leg
    kind: PaperworkKind
    action: Action
    from_id: str
    to_id: str
    from_country: str
    to_country: str
    text: str
    crew_id: str | None = None  # for entry items
    value: float | None = None  # for a carnet: the gear on board, in the tour's currency
    source: str = ""


# --- the tables -----------------------------------------------------------------------

def data_table(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file in ``touring/data``, without its leading ``#`` comment lines."""
    text = resources.files("touring").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@lru_cache(maxsize=1)
def country_groups() -> Mapping[str, frozenset[str]]:
    """Group name to its ISO codes, from ``data/country_groups.csv``."""
    return {row["group"]: frozenset(row["countries"].split()) for row in data_table("country_groups.csv")}


@lru_cache(maxsize=1)
def entry_rules() -> tuple[EntryRule, ...]:
    """The rows of ``data/entry_rules.csv`` in file order (the first match wins)."""
    return tuple(EntryRule(tuple(r["nationality"].split()), tuple(r["destination"].split()), r["action"],
                           r["needed"], r["note"], r["source"]) for r in data_table("entry_rules.csv"))


@lru_cache(maxsize=1)
def _zone_countries() -> Mapping[str, str]:
    """IANA zone to ISO country from tzdata's zone.tab (tzdata ships with pandas)."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            found[zone] = code
    return found


def country_of(place: Place) -> str:
    """The place's ISO country; that of its time zone when none was given ('' if unknown)."""
    return place.country or _zone_countries().get(place.timezone, "")


def _matches(code: str, names: tuple[str, ...]) -> bool:
    groups = country_groups()
    return any(name == "*" or name == code or code in groups.get(name, ()) for name in names)


def entry_rule(nationality: str, destination: str) -> EntryRule | None:
    """The first rule for a ``nationality`` working in ``destination``; None for one's own country."""
    if nationality == destination:
        return None
    return next((r for r in entry_rules() if _matches(nationality, r.nationality)
                 and _matches(destination, r.destination)), None)


def customs_territory(country: str) -> str:
    """The customs territory a country belongs to: a CUSTOMS_* group, else the country itself."""
    return next((name for name, members in country_groups().items()
                 if name.startswith("CUSTOMS_") and name != "CUSTOMS_UNION_WITH_EU" and country in members),
                country)


# --- the legs -------------------------------------------------------------------------

def plan_legs(plan: Plan) -> tuple[Leg, ...]:
    """The plan's legs in order; a leg driven over several days keeps its parts together."""
    legs: list[tuple[str, str, list]] = []
    for plan_day in plan.days:
        for part in plan_day.travel:
            # A new leg starts where the stops change; crossings always go with a leg's first part.
            if legs and (legs[-1][0], legs[-1][1]) == (part.from_id, part.to_id) and not part.crossings:
                legs[-1][2].append((plan_day.day, part))
            else:
                legs.append((part.from_id, part.to_id, [(plan_day.day, part)]))
    return tuple(Leg(a, b, tuple(parts)) for a, b, parts in legs)


# --- the rules ------------------------------------------------------------------------

def paperwork(tour: Tour, plan: Plan) -> tuple[PaperworkItem, ...]:
    """Everything to have ready at the borders of the plan, by date.

    Parameters
    ----------
    tour
        The tour the plan was made from (places, crew, equipment).
    plan
        The plan; only its days' travel is read.

    Returns
    -------
    tuple of PaperworkItem
        For each leg whose end countries differ: an ATA carnet when the leg changes
        customs territory, an entry item for each crew member whose nationality needs
        one (or whose case must be checked), and for any leg a time-zone item when the
        clocks differ. In leg order, which is date order. A planning aid, not legal advice.
    """
    items: list[PaperworkItem] = []
    for leg in plan_legs(plan):
        origin, destination = tour.places[leg.from_id], tour.places[leg.to_id]
        ends = (country_of(origin), country_of(destination))
        if ends[0] != ends[1]:
            items += _carnet_items(tour, plan, leg, *ends)
            items += _entry_items(tour, leg, *ends)
        items += _time_zone_items(leg, origin, destination, *ends)
    return tuple(items)


def gear_value(tour: Tour, plan: Plan) -> tuple[float, float]:
    """The value of the gear the tour carries, own and rental: value × quantity.

    Gear needed only at shows the plan does not play is left out; all other gear is
    taken to be on board for the whole tour (the plan does not say when rental gear is
    picked up or returned).
    """
    played = {b.show_id for b in plan.bookings}
    own = rental = 0.0
    for item in tour.equipment:
        if item.needed_at and not played.intersection(item.needed_at):
            continue
        if item.owner is Owner.RENTAL:
            rental += item.value * item.quantity
        else:
            own += item.value * item.quantity
    return own, rental


def _carnet_items(tour: Tour, plan: Plan, leg: Leg, start: str, end: str) -> Iterator[PaperworkItem]:
    """An ATA carnet when the gear leaves one customs territory for another."""
    if not tour.equipment or not start or not end:
        return
    territories = customs_territory(start), customs_territory(end)
    if territories[0] == territories[1]:
        return
    partial = country_groups().get("CUSTOMS_UNION_WITH_EU", frozenset())
    with_eu = "CUSTOMS_EU" in territories and (start in partial or end in partial)
    own, rental = gear_value(tour, plan)
    where = f" via {', '.join(leg.crossings)}" if leg.crossings else ""

    def name(code: str, territory: str) -> str:
        return f"{code} ({'EU customs union' if territory == 'CUSTOMS_EU' else 'outside the EU customs union'})"

    text = (f"ATA carnet for the gear, {own + rental:,.0f} {tour.currency} on board (own {own:,.0f}, "
            f"rental {rental:,.0f}): {name(start, territories[0])} → {name(end, territories[1])}{where}; "
            f"stamped on leaving and on entering")
    if with_eu:
        text += "; a customs union with the EU covers some goods: check whether a carnet is needed"
    yield PaperworkItem(leg.day, PaperworkKind.CARNET, Action.CHECK if with_eu else Action.REQUIRED, leg.from_id,
                        leg.to_id, start, end, text, value=round(own + rental, 2), source="data/country_groups.csv")


def _entry_items(tour: Tour, leg: Leg, start: str, end: str) -> Iterator[PaperworkItem]:
    """For each crew member on the road that day: what their nationality needs in ``end``.

    A crew member is on the road when available on the leg's last day (the plan does not
    assign crew to legs).
    """
    arrival = leg.parts[-1][0]
    for member in tour.crew:
        if not member.is_available(arrival):
            continue
        if not member.nationality:
            yield PaperworkItem(leg.day, PaperworkKind.ENTRY, Action.CHECK, leg.from_id, leg.to_id, start, end,
                                f"{member.name}: nationality not given; check what working in {end} needs",
                                crew_id=member.id)
            continue
        rule = entry_rule(member.nationality, end) if end else None
        if end and rule is None:
            continue  # a national of the destination
        if rule is not None and rule.action == "none":
            continue
        needed = rule.needed if rule else "the destination's country is not known: check"
        action = Action.REQUIRED if rule and rule.action == "required" else Action.CHECK
        yield PaperworkItem(leg.day, PaperworkKind.ENTRY, action, leg.from_id, leg.to_id, start, end,
                            f"{member.name} ({member.nationality}) working in {end or '?'}: {needed}",
                            crew_id=member.id, source=rule.source if rule else "")


def _time_zone_items(leg: Leg, origin: Place, destination: Place, start: str, end: str) -> Iterator[PaperworkItem]:
    """The clocks' change between the leg's ends at noon of its first day, if any."""
    leaving = datetime.combine(leg.day, time(12), tzinfo=ZoneInfo(origin.timezone))
    before = leaving.utcoffset()
    after = leaving.astimezone(ZoneInfo(destination.timezone)).utcoffset()
    if before == after:
        return
    minutes = int((after - before).total_seconds() // 60)
    amount = f"{abs(minutes) // 60} h" + (f" {abs(minutes) % 60:02d} min" if abs(minutes) % 60 else "")
    text = (f"clocks go {'forward' if minutes > 0 else 'back'} {amount}: {origin.timezone} ({_utc(before)}) → "
            f"{destination.timezone} ({_utc(after)})")
    yield PaperworkItem(leg.day, PaperworkKind.TIME_ZONE, Action.INFO, leg.from_id, leg.to_id, start, end, text,
                        source="IANA time zone database")


def _utc(offset) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
