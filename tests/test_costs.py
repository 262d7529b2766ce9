"""The cost roll-up (touring.costs): every line itemised, the totals exactly their sum.

A hand-built tour (no geocoding, no solver): Gent (home) → Brussels, two nights → Cologne
→ London (Eurotunnel) → Gent, with a van and a truck, three crew and one hotel night.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from touring.costs import Category, away_days, cost_rollup, crossing_prices, per_diem_rates, toll_rate
from touring.model import (
    CrewMember, DateRange, DayKind, Hotel, Night, Place, Plan, PlanDay, RoomKind, Show, ShowBooking, SolverReport,
    Stay, StayKind, Tour, TravelPart, Vehicle, VehicleKind, Venue,
)

GENT = Place("home", "Gent", 51.05, 3.72, "Europe/Brussels", "BE")
BRUSSELS = Place("ab", "Ancienne Belgique", 50.85, 4.35, "Europe/Brussels", "BE")
COLOGNE = Place("live", "Live Music Hall", 50.94, 6.94, "Europe/Berlin", "DE")
LONDON = Place("barbican", "Barbican", 51.52, -0.09, "Europe/London", "GB")
HOTEL = Place("ibis", "Ibis Brussels", 50.845, 4.35, "Europe/Brussels", "BE")
SEASON = DateRange(date(2026, 3, 1), date(2026, 3, 10))
D = {n: date(2026, 3, n) for n in range(1, 11)}

VAN = Vehicle("van", "Van", VehicleKind.VAN, 9, GENT, cost_per_km=0.25, cost_per_day=80)
TRUCK = Vehicle("truck", "Truck", VehicleKind.TRUCK, 3, GENT, cost_per_km=0.45, cost_per_day=150)
CREW = (CrewMember("anna", "Anna", ("actor",), GENT, "BE"),
        CrewMember("ben", "Ben", ("actor",), GENT, "NL"),
        CrewMember("carl", "Carl", ("technician",), GENT, "BE", availability=(DateRange(D[1], D[4]),)))


def make_tour(currency: str = "EUR", vehicles=(VAN, TRUCK)) -> Tour:
    venues = tuple(Venue(p.id, p.name, p, (SEASON,), fee=1000) for p in (BRUSSELS, COLOGNE, LONDON))
    return Tour("Cost test", SEASON, GENT, venues, tuple(Show(v.id, v.id) for v in venues), crew=CREW,
                vehicles=vehicles, hotels=(Hotel("ibis", "Ibis Brussels", HOTEL, 4, 2, 95, 120),), currency=currency)


def part(a: str, b: str, km: float, crossings: tuple[str, ...] = ()) -> TravelPart:
    return TravelPart(a, b, km, int(km), int(km), crossings)


def make_plan() -> Plan:
    days = (
        PlanDay(D[1], DayKind.HOME, "home"),
        PlanDay(D[2], DayKind.SHOW, "ab", "ab", (part("home", "ab", 55.0),)),
        PlanDay(D[3], DayKind.SHOW, "ab", "ab"),
        PlanDay(D[4], DayKind.SHOW, "live", "live", (part("ab", "live", 220.0),)),
        PlanDay(D[5], DayKind.TRAVEL, "barbican", None, (part("live", "barbican", 530.0, ("eurotunnel",)),)),
        PlanDay(D[6], DayKind.SHOW, "barbican", "barbican"),
        PlanDay(D[7], DayKind.HOME, "home", None, (part("barbican", "home", 380.0, ("eurotunnel",)),)),
        PlanDay(D[8], DayKind.HOME, "home"),
    )
    bookings = (ShowBooking("ab", "ab", D[2], 2, D[2], 5000.0),
                ShowBooking("live", "live", D[4], 1, D[4], 3000.0),
                ShowBooking("barbican", "barbican", D[6], 1, D[6], 4000.0))
    night = Night(D[2], "ab", "ab", (Stay("anna", StayKind.HOTEL, "ibis", RoomKind.DOUBLE, "ben", 60.0),
                                     Stay("ben", StayKind.HOTEL, "ibis", RoomKind.DOUBLE, "anna", 60.0),
                                     Stay("carl", StayKind.HOTEL, "ibis", RoomKind.SINGLE, None, 95.0)))
    unbooked = Night(D[3], "ab", "live", tuple(Stay(c.id, StayKind.UNBOOKED) for c in CREW))
    report = SolverReport("hand", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    return Plan("Cost test", SEASON, "EUR", VehicleKind.TRUCK, bookings, (), days, report,
                accommodation=(night, unbooked))


def lines_of(report, category):
    return [line for line in report.lines if line.category is category]


def test_the_totals_add_up_exactly_to_the_itemised_lines():
    report = cost_rollup(make_tour(), make_plan())
    assert report.lines and all(line.cents > 0 for line in report.lines)
    by_category = {c: sum(line.cents for line in report.lines if line.category is c) for c in Category}
    assert {c: round(v * 100) for c, v in report.by_category.items()} == by_category
    assert report.cost_cents == sum(v for c, v in by_category.items() if not c.income)
    assert report.income_cents == by_category[Category.FEES]
    assert report.cost_cents + report.income_cents == sum(line.cents for line in report.lines)
    assert round(sum(report.by_day.values()) * 100) == report.income_cents - report.cost_cents
    assert round(report.result * 100) == report.income_cents - report.cost_cents
    for line in report.lines:
        if line.rate is not None:  # each line is its quantity × rate, to the cent
            assert abs(line.cents - line.quantity * line.rate * 100) <= 0.5 + 1e-6
    assert [line.day for line in report.lines] == sorted(line.day for line in report.lines)


def test_fees_are_counted_once_per_booking():
    report = cost_rollup(make_tour(), make_plan())
    fees = lines_of(report, Category.FEES)
    assert [(line.day, line.item, line.amount) for line in fees] == [
        (D[2], "ab (2 nights)", 5000.0), (D[4], "live (1 night)", 3000.0), (D[6], "barbican (1 night)", 4000.0)]
    assert report.income == make_plan().fees == 12000.0


def test_each_vehicle_pays_its_road_km_and_every_day_away():
    report = cost_rollup(make_tour(), make_plan())
    km = lines_of(report, Category.VEHICLE_KM)
    eurotunnel_km = 50.0  # at sea (under it): not road km
    road = 55 + 220 + (530 - eurotunnel_km) + (380 - eurotunnel_km)
    assert sum(line.quantity for line in km if line.item.startswith("van:")) == road
    assert sum(line.cents for line in km if line.item.startswith("truck:")) == sum(
        round(line.quantity * 45) for line in km if line.item.startswith("truck:"))
    days = lines_of(report, Category.VEHICLE_DAYS)
    # From leaving on the 2nd to getting back on the 7th, both included, for each vehicle.
    assert [d.day for d in away_days(make_plan())] == [D[n] for n in range(2, 8)]
    assert len(days) == 2 * 6 and sum(line.amount for line in days) == 6 * (80 + 150)


def test_crossings_are_priced_per_vehicle_and_crossing():
    report = cost_rollup(make_tour(), make_plan())
    crossings = lines_of(report, Category.CROSSINGS)
    assert [(line.day, line.item) for line in crossings] == [
        (D[5], "van: eurotunnel"), (D[5], "truck: eurotunnel"), (D[7], "van: eurotunnel"), (D[7], "truck: eurotunnel")]
    price = crossing_prices()
    assert sum(line.amount for line in crossings) == 2 * (price["eurotunnel", VehicleKind.VAN]
                                                          + price["eurotunnel", VehicleKind.TRUCK])
    assert all(line.estimate for line in crossings)


def test_tolls_are_estimated_per_country_and_kind():
    report = cost_rollup(make_tour(), make_plan())
    tolls = lines_of(report, Category.TOLLS)
    # The German Maut for the truck; none for the van; none for a coach in Germany.
    assert any(line.item == "truck: ab → live in DE" for line in tolls)
    assert not any(line.item.startswith("van:") for line in tolls)
    assert toll_rate("DE", VehicleKind.BUS) == 0.0 and toll_rate("DE", VehicleKind.TRUCK) > 0
    assert toll_rate("XX", VehicleKind.TRUCK) is None
    assert "tolls in XX" not in " ".join(report.not_priced)


def test_hotels_are_the_stays_prices():
    report = cost_rollup(make_tour(), make_plan())
    hotels = lines_of(report, Category.HOTELS)
    assert [(line.day, line.item, line.quantity, line.amount) for line in hotels] == [
        (D[2], "Ibis Brussels", 3, 215.0)]
    assert sum(line.amount for line in hotels) == make_plan().room_cost


def test_per_diems_for_the_crew_available_each_day_away():
    report = cost_rollup(make_tour(), make_plan())
    per_diems = {line.day: (line.item, line.quantity, line.rate) for line in lines_of(report, Category.PER_DIEMS)}
    rates = per_diem_rates()
    assert per_diems[D[2]] == ("crew in BE", 3, rates["BE"])
    assert per_diems[D[4]] == ("crew in DE", 3, rates["DE"])
    assert per_diems[D[5]] == ("crew in GB", 2, rates["GB"])  # Carl has left
    assert D[1] not in per_diems and D[8] not in per_diems  # at home


def test_a_tour_in_another_currency_gets_no_lines_from_the_eur_tables():
    report = cost_rollup(make_tour("USD"), make_plan())
    assert not any(line.estimate for line in report.lines)
    assert {line.category for line in report.lines} == {Category.VEHICLE_KM, Category.VEHICLE_DAYS,
                                                         Category.HOTELS, Category.FEES}
    assert report.not_priced[0] == "crossings, tolls and per diems: the tables are in EUR, the tour in USD"


def test_what_the_tables_do_not_cover_is_listed():
    plan = make_plan()
    days = list(plan.days)
    days[4] = replace(days[4], travel=(part("live", "barbican", 530.0, ("no-such-ferry",)),))
    report = cost_rollup(make_tour(), replace(plan, days=tuple(days)))
    assert "crossing no-such-ferry for a van: no fare in the table" in report.not_priced
    assert cost_rollup(make_tour(vehicles=()), plan).not_priced == ("driving: the tour has no vehicles",)


# --- mileage: own cars are paid per km at the tour's allowance ---

def test_own_car_runs_are_paid_as_mileage_and_fleet_runs_are_not():
    from touring.model import Rules, RunStop, TransportRun

    t = datetime(2026, 3, 2, 9, 0)
    stop = RunStop("home", t, t)
    runs = (TransportRun(D[2], "car:anna", "anna", (stop, stop), 61.5, 50, (), 26.45),
            TransportRun(D[2], "van", "ben", (stop, stop), 80.0, 60, (), 100.0))
    tour = replace(make_tour(), rules=Rules(mileage_rate=0.43))
    (line,) = lines_of(cost_rollup(tour, replace(make_plan(), runs=runs)), Category.MILEAGE)
    assert (line.day, line.item, line.quantity, line.unit, line.rate, line.cents, line.estimate) == (
        D[2], "car of Anna", 61.5, "km", 0.43, 2645, True)


def test_no_mileage_without_own_car_runs():
    assert lines_of(cost_rollup(make_tour(), make_plan()), Category.MILEAGE) == []
