"""What the tour costs and earns, line by line, per day and by category.

Every amount is a :class:`CostLine` in whole cents, so the totals are sums of integers
and add up exactly to the lines they come from. Where the money comes from:

- vehicles: each vehicle of the fleet drives every leg (the fleet travels together):
  road km × ``cost_per_km`` (fuel, wear and driver-independent running costs are all in
  ``cost_per_km``; there is no separate fuel line), and ``cost_per_day`` for every day
  from the first day away to the last. Km at sea are not road km.
- crossings: a fare per vehicle and crossing from ``data/crossing_prices.csv``.
- tolls: road km in a country × a per-km estimate by vehicle kind from ``data/tolls.csv``.
  A leg's road km are split half and half between the countries of its two ends;
  countries passed through are not known from the plan.
- hotels: the plan's accommodation, each crew member's share of the room.
- per diems: each crew member available that day, on every day away from the home
  base, at the rate of the country the tour ends the day in (``data/per_diems.csv``;
  a tour setting may override the table later).
- mileage: each transport run in a crew member's own car (``car:CREW_ID``), its km ×
  ``rules.mileage_rate``, the km allowance the company pays (an estimate of the car's
  running cost, hence marked ``estimate``); only when the plan has runs.
- fees: each booking's fee, once per booking, on its first night (income).

The tables are estimates in EUR; lines from them are marked ``estimate``. A tour kept in
another currency gets no lines from the tables (they would need an exchange rate): they
are listed in ``not_priced`` instead, as is anything the tables do not cover.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Mapping

from solvers import crossings as water
from touring.model import HOME_ID, DayKind, Plan, PlanDay, StayKind, Tour, Vehicle, VehicleKind
from touring.paperwork import country_of, data_table, plan_legs

TABLE_CURRENCY = "EUR"


class Category(str, enum.Enum):
    VEHICLE_KM = "vehicle_km"
    VEHICLE_DAYS = "vehicle_days"
    CROSSINGS = "crossings"
    TOLLS = "tolls"
    HOTELS = "hotels"
    PER_DIEMS = "per_diems"
    MILEAGE = "mileage"
    FEES = "fees"  # income

    @property
    def income(self) -> bool:
        return self is Category.FEES


@dataclass(frozen=True)
class CostLine:
    """One itemised amount: ``quantity`` × ``rate`` rounded to cents (or a sum of shares)."""

    day: date
    category: Category
    item: str  # what, in words
    quantity: float
    unit: str
    rate: float | None  # None when the amount is a sum (hotel shares)
    cents: int  # always positive; the category says whether it is a cost or income
    estimate: bool = False  # from a shipped table of estimates

    @property
    def amount(self) -> float:
        return self.cents / 100


@dataclass(frozen=True)
class CostReport:
    """Every line of money in the plan; the totals are computed from the lines only."""

    currency: str
    lines: tuple[CostLine, ...]
    not_priced: tuple[str, ...] = ()  # what the roll-up could not price, in words

    def cents(self, category: Category) -> int:
        return sum(line.cents for line in self.lines if line.category is category)

    @property
    def by_category(self) -> Mapping[Category, float]:
        return {category: self.cents(category) / 100 for category in Category}

    @property
    def by_day(self) -> Mapping[date, float]:
        """Each day's result: income minus costs."""
        days: dict[date, int] = {}
        for line in self.lines:
            days[line.day] = days.get(line.day, 0) + (line.cents if line.category.income else -line.cents)
        return {day: cents / 100 for day, cents in sorted(days.items())}

    @property
    def cost_cents(self) -> int:
        return sum(line.cents for line in self.lines if not line.category.income)

    @property
    def income_cents(self) -> int:
        return sum(line.cents for line in self.lines if line.category.income)

    @property
    def costs(self) -> float:
        return self.cost_cents / 100

    @property
    def income(self) -> float:
        return self.income_cents / 100

    @property
    def result(self) -> float:
        return (self.income_cents - self.cost_cents) / 100

    @property
    def estimated(self) -> float:
        """The part of the costs that comes from the tables of estimates."""
        return sum(line.cents for line in self.lines if line.estimate and not line.category.income) / 100


# --- the tables -----------------------------------------------------------------------

@lru_cache(maxsize=1)
def crossing_prices() -> Mapping[tuple[str, VehicleKind], float]:
    rows = data_table("crossing_prices.csv")
    return {(r["crossing_id"], VehicleKind(r["kind"])): float(r["price_eur"]) for r in rows}


@lru_cache(maxsize=1)
def toll_rates() -> Mapping[tuple[str, str], float]:
    """(country, kind or '*') to EUR per km."""
    return {(r["country"], r["kind"]): float(r["eur_per_km"]) for r in data_table("tolls.csv")}


@lru_cache(maxsize=1)
def per_diem_rates() -> Mapping[str, float]:
    """Country (or '*') to EUR per crew member and day."""
    return {r["country"]: float(r["eur_per_day"]) for r in data_table("per_diems.csv")}


def toll_rate(country: str, kind: VehicleKind) -> float | None:
    rates = toll_rates()
    return rates.get((country, kind.value), rates.get((country, "*")))


# --- the roll-up ----------------------------------------------------------------------

def _cents(quantity: float, rate: float) -> int:
    exact = Decimal(repr(quantity)) * Decimal(repr(rate)) * 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _line(day: date, category: Category, item: str, quantity: float, unit: str, rate: float,
          estimate: bool = False) -> CostLine:
    return CostLine(day, category, item, quantity, unit, rate, _cents(quantity, rate), estimate)


def away_days(plan: Plan) -> tuple[PlanDay, ...]:
    """The days from leaving the home base to getting back, both included."""
    away = [i for i, d in enumerate(plan.days) if d.travel or d.kind is not DayKind.HOME]
    return plan.days[away[0]:away[-1] + 1] if away else ()


def cost_rollup(tour: Tour, plan: Plan) -> CostReport:
    """The plan's costs and income, itemised per day, vehicle, crossing, country and booking.

    Parameters
    ----------
    tour
        The tour: vehicles and their rates, crew, places and their countries, hotels.
    plan
        The plan: days with their travel, bookings with their fees, accommodation.

    Returns
    -------
    CostReport
        Lines in whole cents; totals by category, by day and overall are sums of the
        lines. Amounts from the tables of estimates carry ``estimate=True``.
    """
    tables = tour.currency == TABLE_CURRENCY
    not_priced: list[str] = []
    if not tables:
        not_priced.append(f"crossings, tolls and per diems: the tables are in {TABLE_CURRENCY}, the tour in "
                          f"{tour.currency}")
    if not tour.vehicles:
        not_priced.append("driving: the tour has no vehicles")
    lines = (_vehicle_lines(tour, plan, tables, not_priced) + _hotel_lines(tour, plan)
             + (_per_diem_lines(tour, plan, not_priced) if tables else []) + _mileage_lines(tour, plan)
             + _fee_lines(tour, plan))
    order = list(Category)
    lines.sort(key=lambda line: (line.day, order.index(line.category)))  # stable: legs keep their order
    return CostReport(tour.currency, tuple(lines), tuple(dict.fromkeys(not_priced)))


def _vehicle_lines(tour: Tour, plan: Plan, tables: bool, not_priced: list[str]) -> list[CostLine]:
    lines: list[CostLine] = []
    sea = {c.id: c.km for c in water.crossings()}
    for leg in plan_legs(plan):
        countries = country_of(tour.places[leg.from_id]), country_of(tour.places[leg.to_id])
        # Crossings go with the leg's first part, but the sea km are a share of the whole leg.
        road_share = 1 - min(1.0, sum(sea.get(c, 0.0) for c in leg.crossings) / leg.km) if leg.km else 0.0
        for day, part in leg.parts:
            road_km = round(part.km * road_share, 1)
            route = f"{part.from_id} → {part.to_id}"
            for vehicle in tour.vehicles:
                if road_km and vehicle.cost_per_km:
                    lines.append(_line(day, Category.VEHICLE_KM, f"{vehicle.id}: {route}", road_km, "km",
                                       vehicle.cost_per_km))
                if tables:
                    lines += _crossing_lines(day, vehicle, part.crossings, not_priced)
                    lines += _toll_lines(day, vehicle, route, road_km, countries, not_priced)
    for plan_day in away_days(plan):
        for vehicle in tour.vehicles:
            if vehicle.cost_per_day:
                lines.append(_line(plan_day.day, Category.VEHICLE_DAYS, vehicle.id, 1, "day", vehicle.cost_per_day))
    return lines


def _crossing_lines(day: date, vehicle: Vehicle, crossing_ids: tuple[str, ...],
                    not_priced: list[str]) -> list[CostLine]:
    lines = []
    for crossing_id in crossing_ids:
        price = crossing_prices().get((crossing_id, vehicle.kind))
        if price is None:
            not_priced.append(f"crossing {crossing_id} for a {vehicle.kind.value}: no fare in the table")
            continue
        lines.append(_line(day, Category.CROSSINGS, f"{vehicle.id}: {crossing_id}", 1, "crossing", price, True))
    return lines


def _toll_lines(day: date, vehicle: Vehicle, route: str, road_km: float, countries: tuple[str, str],
                not_priced: list[str]) -> list[CostLine]:
    shares = {countries[0]: road_km} if countries[0] == countries[1] else \
        {countries[0]: round(road_km / 2, 1), countries[1]: round(road_km - round(road_km / 2, 1), 1)}
    lines = []
    for country, km in shares.items():
        rate = toll_rate(country, vehicle.kind)
        if rate is None:
            not_priced.append(f"tolls in {country or 'an unknown country'} for a {vehicle.kind.value}: "
                              "no estimate in the table")
        elif rate and km:
            lines.append(_line(day, Category.TOLLS, f"{vehicle.id}: {route} in {country}", km, "km", rate, True))
    return lines


def _hotel_lines(tour: Tour, plan: Plan) -> list[CostLine]:
    """One line per night and hotel: the crew's shares of the rooms."""
    names = {h.id: h.name for h in tour.hotels}
    lines = []
    for night in plan.accommodation:
        by_hotel: dict[str, list[float]] = {}
        for stay in night.stays:
            if stay.kind is StayKind.HOTEL and stay.price:
                by_hotel.setdefault(stay.hotel_id or "", []).append(stay.price)
        for hotel_id, prices in by_hotel.items():
            cents = sum(_cents(price, 1) for price in prices)
            lines.append(CostLine(night.day, Category.HOTELS, names.get(hotel_id, hotel_id), len(prices), "person",
                                  None, cents))
    return lines


def _per_diem_lines(tour: Tour, plan: Plan, not_priced: list[str]) -> list[CostLine]:
    """One line per day away: the crew available that day at the country's rate."""
    rates = per_diem_rates()
    lines = []
    for plan_day in away_days(plan):
        if plan_day.place_id == HOME_ID and not plan_day.travel:
            continue  # a day off at the home base
        crew = sum(member.is_available(plan_day.day) for member in tour.crew)
        country = country_of(tour.places[plan_day.place_id])
        rate = rates.get(country, rates.get("*"))
        if rate is None:
            not_priced.append(f"per diems in {country or 'an unknown country'}: no rate in the table")
        elif crew:
            lines.append(_line(plan_day.day, Category.PER_DIEMS, f"crew in {country or '?'}", crew, "person",
                               rate, True))
    return lines


def _mileage_lines(tour: Tour, plan: Plan) -> list[CostLine]:
    """One line per own-car run: its km at the tour's km allowance."""
    names = {c.id: c.name for c in tour.crew}
    return [_line(run.day, Category.MILEAGE, f"car of {names.get(run.driver_id, run.driver_id)}", run.km, "km",
                  tour.rules.mileage_rate, True)
            for run in plan.runs if run.own_car and run.km]


def _fee_lines(tour: Tour, plan: Plan) -> list[CostLine]:
    return [_line(b.first_night, Category.FEES, f"{b.show_id} ({b.nights} night{'s' if b.nights > 1 else ''})",
                  1, "booking", b.fee) for b in plan.bookings]
