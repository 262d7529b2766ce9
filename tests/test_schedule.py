"""The tour-date scheduler: each rule where it holds and where it binds, real CP-SAT solves."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from solvers.schedule import ScheduleParams, ScheduleResult, lead_kind, solve
from solvers.travel import travel_matrix
from touring.model import (
    HOME_ID, CrewMember, DateRange, Place, Rules, Show, Tour, TravelOverride, Vehicle, VehicleKind, Venue, Weights,
)

SEASON = DateRange(date(2026, 3, 2), date(2026, 3, 29))  # Monday 2 March to Sunday 29 March
HOME = Place(HOME_ID, "Gent", 51.0543, 3.7174, "Europe/Brussels", "BE")
TOWNS = {
    "brussels": (50.8467, 4.3525), "antwerp": (51.2194, 4.4025), "leuven": (50.8798, 4.7005),
    "mechelen": (51.0259, 4.4776), "bruges": (51.2093, 3.2247), "hasselt": (50.9307, 5.3325),
    "kortrijk": (50.8279, 3.2649), "barcelona": (41.3874, 2.1686),
}
FAST = ScheduleParams(time_limit_s=10, workers=2)


def day(n: int) -> date:
    return SEASON.start + timedelta(days=n)


def window(first: int, last: int) -> DateRange:
    return DateRange(day(first), day(last))


def venue(town: str, *windows: DateRange, **options) -> Venue:
    lat, lon = TOWNS[town]
    return Venue(town, town.title(), Place(town, town.title(), lat, lon, "Europe/Brussels", "BE"),
                 tuple(windows) or (SEASON,), **options)


def make_tour(venues: list[Venue], shows: list[Show] | None = None, **options) -> Tour:
    shows = shows if shows is not None else [Show(v.id, v.id) for v in venues]
    vehicles = options.pop("vehicles", (Vehicle("van", "Van", VehicleKind.VAN, 9, HOME),))
    return Tour("test tour", options.pop("season", SEASON), HOME, tuple(venues), tuple(shows),
                vehicles=tuple(vehicles), **options)


def plan(tour: Tour, params: ScheduleParams = FAST) -> ScheduleResult:
    return solve(tour, travel_matrix(tour, lead_kind(tour)), params)


def nights(result: ScheduleResult) -> dict[str, list[date]]:
    return {b.show_id: [b.first_night + timedelta(days=k) for k in range(b.nights)] for b in result.bookings}


def first_night(result: ScheduleResult, show_id: str) -> date:
    return next(b.first_night for b in result.bookings if b.show_id == show_id)


# --- windows, closed days, holidays ---

def test_show_falls_inside_its_window():
    result = plan(make_tour([venue("brussels", window(10, 12)), venue("antwerp", window(3, 5))]))
    assert result.status == "optimal"
    assert day(10) <= first_night(result, "brussels") <= day(12)
    assert day(3) <= first_night(result, "antwerp") <= day(5)


def test_window_with_no_open_day_is_explained_before_solving():
    tour = make_tour([venue("brussels", window(0, 0), closed_weekdays=frozenset({0}))])  # day 0 is a Monday
    result = plan(tour)
    assert result.status == "infeasible"
    assert result.conflicts == (
        "show `brussels` has no possible date: venue `brussels` offers 2026-03-02 (closed on Mondays), and no 1 "
        "open night(s) in a row fit in the season 2026-03-02..2026-03-29",)


def test_closed_weekday_is_avoided():
    result = plan(make_tour([venue("brussels", window(0, 6), closed_weekdays=frozenset(range(1, 7)))]))
    assert first_night(result, "brussels").weekday() == 0


def test_public_holiday_closes_a_venue_that_says_so():
    easter_season = DateRange(date(2026, 4, 1), date(2026, 4, 12))  # Easter Monday is 6 April 2026
    holiday = DateRange(date(2026, 4, 6), date(2026, 4, 7))
    open_on_holidays = make_tour([venue("brussels", holiday)], season=easter_season,
                                 shows=[Show("s", "brussels", fixed_date=date(2026, 4, 6))])
    assert plan(open_on_holidays).found
    closed = make_tour([venue("brussels", holiday, closed_on_holidays=True)], season=easter_season)
    assert first_night(plan(closed), "brussels") == date(2026, 4, 7)


# --- nights, set-up, travel ---

def test_multi_night_run_takes_consecutive_days_at_one_venue():
    result = plan(make_tour([venue("brussels", window(3, 9))], [Show("run", "brussels", nights=3)]))
    played = nights(result)["run"]
    assert len(played) == 3 and played[2] - played[0] == timedelta(days=2)
    assert all(day(3) <= d <= day(9) for d in played)


def test_setup_days_come_before_the_first_night_and_are_kept_free():
    tour = make_tour([venue("brussels", window(4, 12), setup_days=2), venue("antwerp", window(2, 12))])
    result = plan(tour)
    booking = next(b for b in result.bookings if b.show_id == "brussels")
    assert booking.first_night - booking.setup_start == timedelta(days=2)
    antwerp = first_night(result, "antwerp")
    assert not booking.setup_start <= antwerp <= booking.first_night


def test_a_long_drive_inserts_travel_days():
    tour = make_tour([venue("brussels", window(0, 27)), venue("barcelona", window(0, 27))])
    result = plan(tour)
    gap = abs((first_night(result, "barcelona") - first_night(result, "brussels")).days)
    # About 1,600 km by van at 75 km/h: three days at most 9 hours of driving each.
    assert gap >= 3


def test_a_drive_that_does_not_fit_makes_the_tour_infeasible_with_the_windows_named():
    tour = make_tour([venue("brussels", window(5, 5)), venue("barcelona", window(6, 6))])
    result = plan(tour)
    assert result.status == "infeasible"
    assert "show `brussels` is required" in result.conflicts
    assert "show `barcelona` must fall in the windows of venue `barcelona`: 2026-03-08" in result.conflicts
    assert any(c.startswith("travel between `brussels` and `barcelona` takes") for c in result.conflicts)


def test_longer_driving_days_make_it_fit():
    tight = make_tour([venue("brussels", window(5, 5)), venue("barcelona", window(7, 7))])
    assert plan(tight).status == "infeasible"
    relaxed = replace(tight, rules=Rules(max_drive_minutes_per_day=720))
    assert plan(relaxed).found


# --- rhythm ---

FOUR_TOWNS = ["brussels", "antwerp", "leuven", "mechelen"]


def test_at_most_n_show_days_in_a_row():
    tour = make_tour([venue(t, window(8, 11)) for t in FOUR_TOWNS], rules=Rules(max_consecutive_show_days=4,
                                                                                 days_off_per_week=0))
    assert plan(tour).found
    broken = replace(tour, rules=Rules(max_consecutive_show_days=3, days_off_per_week=0))
    result = plan(broken)
    assert result.status == "infeasible"
    assert "at most 3 show days in a row (rules.max_consecutive_show_days)" in result.conflicts


def test_days_off_in_any_seven():
    towns = FOUR_TOWNS + ["bruges", "hasselt"]
    tour = make_tour([venue(t, window(8, 14)) for t in towns], rules=Rules(days_off_per_week=1))
    result = plan(tour)
    assert result.found and len(result.bookings) == 6
    broken = replace(tour, rules=Rules(days_off_per_week=2))
    result = plan(broken)
    assert result.status == "infeasible"
    assert "at least 2 day(s) without a show or set-up in any 7 (rules.days_off_per_week)" in result.conflicts


# --- radius clauses ---

def test_radius_clause_keeps_nearby_shows_apart():
    ghent = venue("antwerp", window(10, 10), radius_km=60, radius_days=7)
    tour = make_tour([ghent, venue("mechelen", window(0, 27)), venue("barcelona", window(0, 27))])
    result = plan(tour)
    assert abs((first_night(result, "mechelen") - day(10)).days) > 7


def test_radius_clause_against_a_fixed_show_is_explained_in_the_tour_s_words():
    tour = make_tour([venue("antwerp", window(0, 27), radius_km=60, radius_days=21),
                      venue("brussels", window(12, 14))],
                     [Show("antwerp", "antwerp", fixed_date=day(8)), Show("brussels", "brussels")])
    result = plan(tour)
    assert result.status == "infeasible"
    assert set(result.conflicts[:3]) == {
        "show `antwerp` is fixed on 2026-03-10",
        "show `brussels` is required",
        "the radius clause of `antwerp` (60 km, 21 days) keeps `brussels` (42 km away) more than 21 days "
        "from `antwerp`",
    }
    assert result.conflicts[3:] == ("travel between `antwerp` and `brussels` takes 0h40 (50 km)",)


# --- crew ---

def crew(member_id: str, role: str, *available: DateRange) -> CrewMember:
    return CrewMember(member_id, member_id.title(), (role,), HOME, availability=tuple(available))


def test_show_waits_for_its_crew():
    tour = make_tour([venue("brussels", window(0, 10))], rules=Rules(default_roles=("actor", "technician")),
                     crew=(crew("ann", "actor"), crew("tom", "technician", window(6, 20))))
    assert first_night(plan(tour), "brussels") >= day(6)


def test_missing_role_is_named():
    tour = make_tour([venue("brussels", window(0, 4))], rules=Rules(default_roles=("actor", "technician")),
                     crew=(crew("ann", "actor"), crew("tom", "technician", window(6, 20))))
    result = plan(tour)
    assert result.status == "infeasible"
    assert result.conflicts == ("show `brussels` has no possible date with its crew: no technician is available "
                                "on 2026-03-02..2026-03-06",)


# --- fixed, optional and preferred dates ---

def test_fixed_date_is_kept():
    tour = make_tour([venue("brussels"), venue("antwerp")], [Show("b", "brussels", fixed_date=day(17)),
                                                             Show("a", "antwerp")])
    assert first_night(plan(tour), "b") == day(17)


def test_optional_show_is_played_when_its_fee_pays_and_dropped_with_a_reason_when_not():
    tour = make_tour([venue("brussels", window(3, 3)), venue("barcelona", window(20, 20))],
                     [Show("b", "brussels"), Show("far", "barcelona", required=False, fee=50_000)])
    assert {b.show_id for b in plan(tour).bookings} == {"b", "far"}
    cheap = replace(tour, shows=(Show("b", "brussels"), Show("far", "barcelona", required=False, fee=100)))
    result = plan(cheap)
    assert [b.show_id for b in result.bookings] == ["b"]
    (dropped,) = result.dropped
    assert dropped.show_id == "far"
    assert dropped.reason.startswith("it fits on 2026-03-22, but the extra travel would cost ")
    assert dropped.reason.endswith(" EUR against a fee of 100 EUR")


def test_preferred_dates_are_taken_when_possible():
    tour = make_tour([venue("brussels", window(0, 20))],
                     [Show("b", "brussels", preferred_dates=(window(14, 14),))])
    assert first_night(plan(tour), "b") == day(14)


# --- a tour solved by hand, determinism, progress ---

def test_tiny_tour_optimum_checked_by_hand():
    # Legs overridden to round figures: home-brussels 50 km, brussels-antwerp 40 km,
    # antwerp-home 60 km, home-antwerp 60 km... The only costs are 1 EUR per km.
    overrides = [TravelOverride(HOME_ID, "brussels", 40, 50.0), TravelOverride("brussels", "antwerp", 35, 40.0),
                 TravelOverride("antwerp", HOME_ID, 45, 60.0)]
    tour = make_tour([venue("brussels", window(2, 9)), venue("antwerp", window(2, 9)),
                      venue("kortrijk", window(5, 5))],
                     [Show("brussels", "brussels"), Show("antwerp", "antwerp"),
                      Show("kortrijk", "kortrijk", required=False, fee=10)],
                     travel_overrides=tuple(overrides), weights=Weights(km=1, drive_hour=0, cost=0))
    result = plan(tour)
    # Either direction round the loop is 50 + 40 + 60 = 150 km; Kortrijk's 10 EUR fee
    # cannot pay the detour of more than 10 km, so it is dropped.
    assert result.status == "optimal"
    assert result.objective == pytest.approx(150.0) and result.bound == pytest.approx(150.0)
    assert {b.show_id for b in result.bookings} == {"brussels", "antwerp"}
    assert [d.show_id for d in result.dropped] == ["kortrijk"]


def test_same_seed_same_plan():
    tour = make_tour([venue(t, window(0, 20)) for t in FOUR_TOWNS + ["bruges", "hasselt", "kortrijk"]])
    first, second = plan(tour, ScheduleParams(time_limit_s=5, seed=7)), plan(tour, ScheduleParams(time_limit_s=5,
                                                                                                   seed=7))
    assert first.bookings == second.bookings and first.objective == second.objective


def test_progress_reports_objective_and_bound():
    seen = []
    tour = make_tour([venue(t, window(0, 20)) for t in FOUR_TOWNS])
    result = plan(tour, replace(FAST, progress=lambda seconds, objective, bound: seen.append((objective, bound))))
    assert seen and seen[-1][0] == pytest.approx(result.objective)
    assert all(bound <= objective + 1e-6 for objective, bound in seen)


def test_lead_kind_is_the_slowest_vehicle():
    tour = make_tour([venue("brussels")], vehicles=(Vehicle("van", "Van", VehicleKind.VAN, 9, HOME),
                                                   Vehicle("truck", "Truck", VehicleKind.TRUCK, 3, HOME)))
    assert lead_kind(tour) is VehicleKind.TRUCK
