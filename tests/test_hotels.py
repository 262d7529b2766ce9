"""Accommodation: each rule where it holds and where it binds, real CP-SAT solves.

Tours and plans are built by hand: shows in Brussels (two venues 6 km apart) and
Antwerp, crew living in Vilvoorde (10 minutes from Brussels), Leuven or Amsterdam.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from solvers.hotels import (
    AccommodationParams, AccommodationResult, RoomKind, StayKind, can_go_home, mutual_pairs, solve,
)
from solvers.schedule import ScheduleParams
from solvers.travel import travel_matrix
from touring.io import load_tour
from touring.model import (
    HOME_ID, CrewMember, DateRange, DayKind, Hotel, Place, Plan, PlanDay, RoomPreference, Rules, Show,
    SolverReport, Tour, TravelPart, Vehicle, Venue, VehicleKind, Weights,
)
from touring.planning import make_plan

SEASON = DateRange(date(2026, 3, 1), date(2026, 3, 31))
HOME = Place(HOME_ID, "Gent", 51.0543, 3.7174, "Europe/Brussels", "BE")
TOWNS = {
    "brussels": (50.8481, 4.3486), "forest": (50.8096, 4.3238), "antwerp": (51.1920, 4.4160),
    "vilvoorde": (50.9281, 4.4245), "amsterdam": (52.3676, 4.9041), "leuven": (50.8798, 4.7005),
}
FAST = AccommodationParams(time_limit_s=5, workers=2)


def night(n: int) -> date:
    return date(2026, 3, 10) + timedelta(days=n)


def place(town: str, place_id: str | None = None) -> Place:
    lat, lon = TOWNS[town]
    return Place(place_id or town, town.title(), lat, lon, "Europe/Brussels", "BE")


def person(crew_id: str, town: str, **options) -> CrewMember:
    if options.get("share_with"):
        options.setdefault("room", RoomPreference.SHARED)
    return CrewMember(crew_id, crew_id.title(), ("actor",), place(town, f"home:{crew_id}"), **options)


def hotel(hotel_id: str, town: str, singles: int = 0, doubles: int = 0, single_price: float = 90.0,
          double_price: float = 120.0) -> Hotel:
    return Hotel(hotel_id, hotel_id.title(), place(town, hotel_id), singles, doubles, single_price, double_price)


def make_tour(crew: list[CrewMember], hotels: list[Hotel], rules: Rules = Rules(),
              weights: Weights = Weights()) -> Tour:
    venues = tuple(Venue(town, town.title(), place(town), (SEASON,)) for town in ("brussels", "forest", "antwerp"))
    return Tour("hotel test", SEASON, HOME, venues, (Show("brussels", "brussels"),), crew=tuple(crew),
                hotels=tuple(hotels), rules=rules, weights=weights)


def make_plan_of(places: list[str], overnight: int | None = None) -> Plan:
    """One show day per place from ``night(0)`` on, driving between them, then home."""
    days = []
    previous = HOME_ID
    for n, where in enumerate(places + [HOME_ID]):
        travel = (TravelPart(previous, where, 10.0, 10, 10),) if where != previous else ()
        if n - 1 == overnight:
            travel = (TravelPart(previous, where, 10.0, 10, 10, overnight=True),)
            days[-1] = replace(days[-1], travel=travel)
            travel = ()
        kind = DayKind.SHOW if where != HOME_ID else DayKind.TRAVEL
        days.append(PlanDay(night(n), kind, where, where if kind is DayKind.SHOW else None, travel))
        previous = where
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    return Plan("hotel test", SEASON, "EUR", VehicleKind.VAN, (), (), tuple(days), report)


def accommodate(tour: Tour, places: list[str], params: AccommodationParams = FAST, **plan_options
                ) -> AccommodationResult:
    result = solve(tour, make_plan_of(places, **plan_options), travel_matrix(tour, VehicleKind.CAR), params)
    assert result.status == "optimal"
    return result


def stays(result: AccommodationResult, n: int = 0) -> dict[str, tuple]:
    """crew id -> (kind, hotel, room, room-mate) on night ``n``."""
    found = next(x for x in result.nights if x.day == night(n))
    return {s.crew_id: (s.kind.value, s.hotel_id, s.room.value if s.room else None, s.room_mate)
            for s in found.stays}


def far(count: int, prefix: str = "far") -> list[CrewMember]:
    return [person(f"{prefix}{k}", "amsterdam") for k in range(count)]


# --- nights ---

def test_a_night_belongs_to_every_day_away_from_home():
    tour = make_tour(far(1), [hotel("ibis", "brussels", singles=1)])
    result = accommodate(tour, ["brussels", "brussels", "antwerp"])
    assert [(x.day, x.place_id) for x in result.nights] == [
        (night(0), "brussels"), (night(1), "brussels"), (night(2), "antwerp")]
    # The morning after the last Antwerp night starts at Antwerp, where the drive home begins.
    assert result.nights[-1].next_place_id == "antwerp"


def test_a_plan_without_nights_has_nothing_to_book():
    tour = make_tour(far(2), [hotel("ibis", "brussels", singles=2)])
    result = solve(tour, replace(make_plan_of([]), days=()), travel_matrix(tour, VehicleKind.CAR), FAST)
    assert (result.status, result.nights, result.to_book, result.objective) == ("optimal", (), (), 0.0)


def test_crew_away_that_day_has_no_bed():
    away = person("away", "amsterdam", availability=(DateRange(night(1), night(5)),))
    result = accommodate(make_tour([away], [hotel("ibis", "brussels", singles=1)]), ["brussels", "brussels"])
    assert stays(result, 0) == {}
    assert stays(result, 1) == {"away": ("hotel", "ibis", "single", None)}


def test_a_nightliner_night_is_spent_on_board():
    tour = make_tour(far(2), [hotel("ibis", "brussels", singles=2)])
    result = accommodate(tour, ["brussels", "antwerp"], overnight=0)
    assert {kind for kind, *_ in stays(result, 0).values()} == {"nightliner"}
    assert [line.day for line in result.to_book] == [night(1)]  # in Antwerp, off the bus


# --- go home ---

def test_crew_living_near_goes_home_and_far_sleeps_in_a_hotel():
    tour = make_tour([person("near", "vilvoorde"), person("far", "amsterdam")],
                     [hotel("ibis", "brussels", singles=2)])
    assert stays(accommodate(tour, ["brussels"])) == {
        "near": ("home", None, None, None), "far": ("hotel", "ibis", "single", None)}


def test_go_home_radius_binds():
    tour = make_tour([person("near", "vilvoorde")], [hotel("ibis", "brussels", singles=2)],
                     rules=Rules(go_home_radius_minutes=5))
    assert stays(accommodate(tour, ["brussels"])) == {"near": ("hotel", "ibis", "single", None)}


def test_go_home_needs_the_next_morning_near_too():
    tour = make_tour([person("near", "vilvoorde")], [])
    matrix = travel_matrix(tour, VehicleKind.CAR)
    member = tour.crew[0]
    assert can_go_home(tour, member, "brussels", "brussels", matrix)
    tour = replace(tour, rules=Rules(go_home_radius_minutes=20))
    assert matrix.leg("home:near", "brussels").minutes <= 20 < matrix.leg("home:near", "antwerp").minutes
    assert not can_go_home(tour, member, "brussels", "antwerp", matrix)


# --- sharing only by consent ---

def test_a_mutual_pair_shares_a_double():
    crew = [person("anna", "amsterdam", share_with=("ben",)), person("ben", "amsterdam", share_with=("anna",))]
    result = accommodate(make_tour(crew, [hotel("ibis", "brussels", singles=2, doubles=2)]), ["brussels"])
    assert stays(result) == {"anna": ("hotel", "ibis", "double", "ben"), "ben": ("hotel", "ibis", "double", "anna")}
    assert result.room_cost == 120.0
    assert {s.price for s in result.nights[0].stays} == {60.0}


def test_a_one_sided_listing_never_shares():
    crew = [person("anna", "amsterdam", share_with=("ben",)), person("ben", "amsterdam", room=RoomPreference.SHARED)]
    tour = make_tour(crew, [hotel("ibis", "brussels", singles=2, doubles=2)])
    assert mutual_pairs(tour) == []
    assert stays(accommodate(tour, ["brussels"])) == {
        "anna": ("hotel", "ibis", "single", None), "ben": ("hotel", "ibis", "single", None)}
    # Even when that leaves someone without a bed: one double, used alone.
    tour = make_tour(crew, [hotel("ibis", "brussels", doubles=1)])
    result = accommodate(tour, ["brussels"])
    assert sorted(kind for kind, *_ in stays(result).values()) == ["hotel", "unbooked"]
    assert [line.text for line in result.to_book] == ["book 1 single near Brussels for 2026-03-10"]


# --- room counts ---

def test_enough_rooms_books_everyone():
    result = accommodate(make_tour(far(4), [hotel("ibis", "brussels", singles=4)]), ["brussels"])
    assert all(s == ("hotel", "ibis", "single", None) for s in stays(result).values())
    assert result.to_book == ()


def test_more_people_than_rooms_leaves_some_to_book():
    result = accommodate(make_tour(far(4), [hotel("ibis", "brussels", singles=2)]), ["brussels", "brussels"])
    assert sorted(kind for kind, *_ in stays(result).values()) == ["hotel", "hotel", "unbooked", "unbooked"]
    assert [line.text for line in result.to_book] == [
        "book 2 singles near Brussels for 2026-03-10", "book 2 singles near Brussels for 2026-03-11"]
    assert result.to_book[0].reason == "the hotels within 30 min are full"


def test_a_double_is_used_as_a_single_when_singles_run_out():
    result = accommodate(make_tour(far(3), [hotel("ibis", "brussels", singles=1, doubles=2)]), ["brussels"])
    rooms = sorted(room for _, _, room, _ in stays(result).values())
    assert rooms == ["double", "double", "single"]
    assert result.room_cost == 90.0 + 2 * 120.0


def test_no_hotel_near_the_venue_is_reported_per_night_and_place():
    crew = far(1) + [person("anna", "amsterdam", share_with=("ben",)), person("ben", "amsterdam", share_with=("anna",))]
    result = accommodate(make_tour(crew, [hotel("ibis", "brussels", singles=9, doubles=9)]), ["brussels", "antwerp"])
    assert [(line.text, line.reason) for line in result.to_book] == [
        ("book 1 single and 1 double near Antwerp for 2026-03-11", "no hotel in the data lies within 30 min")]
    assert result.to_book[0].crew_ids == ("far0", "anna", "ben")


# --- budget ---

def test_hotel_under_the_budget_cap_is_used():
    tour = make_tour(far(1), [hotel("grand", "brussels", singles=5, single_price=140)],
                     rules=Rules(hotel_budget_per_night=150))
    assert stays(accommodate(tour, ["brussels"])) == {"far0": ("hotel", "grand", "single", None)}


def test_hotel_over_the_budget_cap_is_not_used():
    tour = make_tour(far(1), [hotel("grand", "brussels", singles=5, single_price=140),
                              hotel("budget", "brussels", singles=5, single_price=95)],
                     rules=Rules(hotel_budget_per_night=100), weights=Weights(cost=0.0))
    # Room prices weigh nothing here: only the cap keeps the party out of the Grand.
    assert stays(accommodate(tour, ["brussels"])) == {"far0": ("hotel", "budget", "single", None)}
    tour = replace(tour, hotels=tour.hotels[:1])
    result = accommodate(tour, ["brussels"])
    assert stays(result) == {"far0": ("unbooked", None, None, None)}
    assert result.to_book[0].reason == "every hotel within 30 min costs more than the budget of 100 EUR per person"


def test_a_shared_double_costs_each_half_of_the_budget():
    crew = [person("anna", "amsterdam", share_with=("ben",)), person("ben", "amsterdam", share_with=("anna",)),
            person("carl", "amsterdam")]
    tour = make_tour(crew, [hotel("ibis", "brussels", doubles=3, double_price=160)],
                     rules=Rules(hotel_budget_per_night=100))
    assert stays(accommodate(tour, ["brussels"])) == {
        "anna": ("hotel", "ibis", "double", "ben"), "ben": ("hotel", "ibis", "double", "anna"),
        "carl": ("unbooked", None, None, None)}


# --- fewest hotels ---

def test_the_party_stays_together_when_one_hotel_holds_everyone():
    hotels = [hotel("small", "brussels", singles=2, single_price=80), hotel("large", "brussels", singles=4)]
    result = accommodate(make_tour(far(4), hotels), ["brussels"])
    assert {h for _, h, _, _ in stays(result).values()} == {"large"}
    # Without the extra-hotel penalty and the drives, the cheaper split wins.
    free = Weights(extra_hotel=0.0, km=0.0, drive_hour=0.0)
    result = accommodate(make_tour(far(4), hotels, weights=free), ["brussels"])
    assert sorted(h for _, h, _, _ in stays(result).values()) == ["large", "large", "small", "small"]


def test_the_party_splits_when_no_hotel_holds_everyone():
    hotels = [hotel("one", "brussels", singles=2), hotel("two", "brussels", singles=2)]
    result = accommodate(make_tour(far(4), hotels), ["brussels"])
    assert sorted(h for _, h, _, _ in stays(result).values()) == ["one", "one", "two", "two"]
    assert result.to_book == ()


# --- the same hotel on consecutive nights ---

def test_the_same_hotel_on_consecutive_nights_in_one_city():
    # Night 0 at Forest, night 1 at the AB (6 km apart): each hotel is nearer one of them.
    hotels = [hotel("south", "forest", singles=2), hotel("north", "brussels", singles=2)]
    result = accommodate(make_tour(far(2), hotels), ["forest", "brussels"])
    first, second = stays(result, 0), stays(result, 1)
    assert first == second and len({h for _, h, _, _ in first.values()}) == 1


def test_the_party_moves_when_moving_costs_nothing():
    hotels = [hotel("south", "forest", singles=2), hotel("north", "brussels", singles=2)]
    result = accommodate(make_tour(far(2), hotels, weights=Weights(hotel_change=0.0)), ["forest", "brussels"])
    assert {h for _, h, _, _ in stays(result, 0).values()} == {"south"}
    assert {h for _, h, _, _ in stays(result, 1).values()} == {"north"}


def test_moving_between_cities_is_not_penalised():
    hotels = [hotel("ibis", "brussels", singles=2), hotel("antwerp-inn", "antwerp", singles=2)]
    result = accommodate(make_tour(far(2), hotels), ["brussels", "antwerp"])
    assert result.objective == pytest.approx(2 * 90 * 2, abs=1)  # rooms only: no move, no extra hotel


# --- determinism and params ---

def test_same_seed_gives_the_same_rooms():
    crew = far(5) + [person("anna", "amsterdam", share_with=("ben",)), person("ben", "amsterdam", share_with=("anna",))]
    hotels = [hotel("ibis", "brussels", singles=3, doubles=2), hotel("south", "forest", singles=3, doubles=1),
              hotel("antwerp-inn", "antwerp", singles=4, doubles=1)]
    tour = make_tour(crew, hotels)
    places = ["brussels", "brussels", "forest", "antwerp", "antwerp"]
    params = AccommodationParams(time_limit_s=5, seed=7, workers=2)
    first, second = accommodate(tour, places, params), accommodate(tour, places, params)
    assert first.nights == second.nights and first.to_book == second.to_book
    assert first.objective == second.objective


def test_params_are_checked():
    with pytest.raises(ValueError, match="workers"):
        AccommodationParams(workers=0)
    assert AccommodationParams(workers=2).search_workers == 1  # deterministic: one worker
    assert AccommodationParams(workers=2, deterministic=False).search_workers == 2


# --- on a tour from disk ---

def test_make_plan_on_the_tiny_tour(tiny_tour):
    toml = tiny_tour / "tour.toml"
    toml.write_text(toml.read_text().replace("[rules]\n", "[rules]\ngo_home_radius_minutes = 10\n"))
    loaded = load_tour(tiny_tour)
    plan = make_plan(loaded, ScheduleParams(time_limit_s=5))
    result = solve(loaded.tour, plan, travel_matrix(loaded.tour, VehicleKind.CAR), FAST)
    assert result.status == "optimal"
    brussels = next(x for x in result.nights if x.place_id == "ab-brussels")
    assert {s.crew_id: (s.hotel_id, s.room, s.room_mate) for s in brussels.stays} == {
        "anna": ("ibis-brussels", RoomKind.DOUBLE, "ben"), "ben": ("ibis-brussels", RoomKind.DOUBLE, "anna"),
        "carl": ("ibis-brussels", RoomKind.SINGLE, None)}
    assert all(line.place_id != "ab-brussels" and (line.singles, line.doubles) == (1, 1) for line in result.to_book)
    assert len(result.to_book) == len(result.nights) - 1
    assert all(s.kind is not StayKind.HOME for x in result.nights for s in x.stays)


# --- replanning: closed nights, booked stays ---

def _hotels_of(result: AccommodationResult, n: int) -> set[str]:
    return {h for _, h, _, _ in stays(result, n).values()}


def test_a_hotel_closed_one_night_rehouses_that_night_only():
    # 60 a night cheaper: worth moving back for (weights.hotel_change is 50).
    hotels = [hotel("cheap", "brussels", singles=2, single_price=30), hotel("dear", "brussels", singles=2)]
    tour = make_tour(far(2), hotels)
    plan = make_plan_of(["brussels", "brussels", "brussels"])
    matrix = travel_matrix(tour, VehicleKind.CAR)
    open_all = solve(tour, plan, matrix, FAST)
    assert [_hotels_of(open_all, n) for n in range(3)] == [{"cheap"}] * 3
    result = solve(tour, plan, matrix, FAST, closed={("cheap", night(1))})
    assert [_hotels_of(result, n) for n in range(3)] == [{"cheap"}, {"dear"}, {"cheap"}]


def test_a_night_whose_only_hotel_is_closed_says_so():
    tour = make_tour(far(1), [hotel("ibis", "brussels", singles=1)])
    result = solve(tour, make_plan_of(["brussels"]), travel_matrix(tour, VehicleKind.CAR), FAST,
                   closed={("ibis", night(0))})
    assert [b.reason for b in result.to_book] == ["the only hotels within 30 min take nobody that night (ibis)"]


def _booked_in(hotel_id: str, crew: list[CrewMember], nights: range) -> dict:
    return {(m.id, night(n)): hotel_id for m in crew for n in nights}


def test_booked_stays_are_kept_though_a_cheaper_hotel_has_room():
    crew = far(2)
    hotels = [hotel("cheap", "brussels", singles=2, single_price=80), hotel("dear", "brussels", singles=2)]
    tour = make_tour(crew, hotels)
    plan = make_plan_of(["brussels", "brussels"])
    result = solve(tour, plan, travel_matrix(tour, VehicleKind.CAR), FAST, booked=_booked_in("dear", crew, range(2)))
    assert [_hotels_of(result, n) for n in range(2)] == [{"dear"}, {"dear"}]


def test_a_booking_whose_hotel_closed_is_forced_to_move():
    crew = far(2)
    hotels = [hotel("cheap", "brussels", singles=2, single_price=80), hotel("dear", "brussels", singles=2)]
    tour = make_tour(crew, hotels)
    plan = make_plan_of(["brussels", "brussels"])
    result = solve(tour, plan, travel_matrix(tour, VehicleKind.CAR), FAST, booked=_booked_in("dear", crew, range(2)),
                   closed={("dear", night(1))})
    assert [_hotels_of(result, n) for n in range(2)] == [{"dear"}, {"cheap"}]


def test_moves_allowed_cost_the_change_weight_and_happen_only_when_worth_it():
    crew = far(2)
    hotels = [hotel("cheap", "brussels", singles=2, single_price=80), hotel("dear", "brussels", singles=2)]
    plan = make_plan_of(["brussels", "brussels"])
    booked = _booked_in("dear", crew, range(2))
    tour = make_tour(crew, hotels)
    kept = solve(tour, plan, travel_matrix(tour, VehicleKind.CAR), FAST, booked=booked, allow_moving=True)
    assert [_hotels_of(kept, n) for n in range(2)] == [{"dear"}, {"dear"}]
    cheap_changes = make_tour(crew, hotels, weights=Weights(replan_changed_hotel=1.0))
    moved = solve(cheap_changes, plan, travel_matrix(cheap_changes, VehicleKind.CAR), FAST, booked=booked,
                  allow_moving=True)
    assert [_hotels_of(moved, n) for n in range(2)] == [{"cheap"}, {"cheap"}]
    # Rooms 4 x 80, and 4 booked person-nights changed at 1 each.
    assert moved.objective == pytest.approx(4 * 80 + 4 * 1, abs=0.01)


def test_previous_stays_as_hints_give_the_same_optimum():
    hotels = [hotel("one", "brussels", singles=2), hotel("two", "brussels", singles=2)]
    tour = make_tour(far(3), hotels)
    plan = make_plan_of(["brussels", "brussels"])
    matrix = travel_matrix(tour, VehicleKind.CAR)
    first = solve(tour, plan, matrix, FAST)
    hinted = solve(tour, plan, matrix, FAST, previous=first.nights)
    assert hinted.status == "optimal" and hinted.objective == pytest.approx(first.objective)


def test_a_shared_double_of_the_previous_plan_is_hinted_once():
    pair = [person("ann", "amsterdam", share_with=("bob",)), person("bob", "amsterdam", share_with=("ann",))]
    tour = make_tour(pair, [hotel("ibis", "brussels", singles=2, doubles=1)])
    plan = make_plan_of(["brussels"])
    matrix = travel_matrix(tour, VehicleKind.CAR)
    first = solve(tour, plan, matrix, FAST)
    assert stays(first)["ann"] == ("hotel", "ibis", "double", "bob")
    assert solve(tour, plan, matrix, FAST, previous=first.nights).status == "optimal"


def test_bookings_that_no_longer_fit_the_rooms_are_kept_as_far_as_they_fit():
    crew = far(2)
    # Both were booked at the Ibis, which now lists one single only.
    tour = make_tour(crew, [hotel("ibis", "brussels", singles=1), hotel("other", "brussels", singles=2)])
    result = solve(tour, make_plan_of(["brussels"]), travel_matrix(tour, VehicleKind.CAR), FAST,
                   booked=_booked_in("ibis", crew, range(1)))
    assert result.found and sorted(h for _, h, _, _ in stays(result).values()) == ["ibis", "other"]


# --- nights on the road: a leg longer than a day's drive ---

def road_plan(origin: str, destination: str) -> Plan:
    """A leg driven over two days: the night between them is spent on the road, the show
    at ``destination`` on the second day."""
    part = TravelPart(origin, destination, 10.0, 10, 10)
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    days = (PlanDay(night(0), DayKind.TRAVEL, origin, None, (part,)),
            PlanDay(night(1), DayKind.SHOW, destination, destination, (part,)))
    return Plan("hotel test", SEASON, "EUR", VehicleKind.VAN, (), (), days, report)


def liner() -> Vehicle:
    return Vehicle("liner", "liner", VehicleKind.NIGHTLINER, 16, HOME, licence="D")


def test_a_night_on_the_road_is_spent_aboard_the_nightliner():
    # Brussels has a free hotel, but the tour is on its way to Antwerp that night.
    tour = replace(make_tour(far(2), [hotel("ibis", "brussels", singles=2)]), vehicles=(liner(),))
    result = solve(tour, road_plan("brussels", "antwerp"), travel_matrix(tour, VehicleKind.CAR), FAST)
    assert stays(result, 0) == {"far0": ("nightliner", None, None, None), "far1": ("nightliner", None, None, None)}
    assert [line.day for line in result.to_book] == [night(1)]  # in Antwerp, off the bus


def test_a_night_on_the_road_without_a_nightliner_is_booked_where_the_drive_ends():
    tour = make_tour(far(2), [hotel("ibis", "brussels", singles=2)])
    result = solve(tour, road_plan("brussels", "antwerp"), travel_matrix(tour, VehicleKind.CAR), FAST)
    assert {kind for kind, *_ in stays(result, 0).values()} == {"unbooked"}
    (line, _) = result.to_book
    assert line.text == "book 2 singles near the end of the day's drive from Brussels to Antwerp for 2026-03-10"
    assert line.reason.startswith("the tour is on the road that night")
    # The same two days as one-day drives: the first night is at the Brussels hotel.
    one_day = road_plan("brussels", "antwerp")
    one_day = replace(one_day, days=(replace(one_day.days[0], travel=()),) + one_day.days[1:])
    assert {kind for kind, *_ in stays(solve(tour, one_day, travel_matrix(tour, VehicleKind.CAR), FAST),
                                       0).values()} == {"hotel"}


def test_a_leg_from_home_leaves_the_crew_across_the_sea_at_home():
    # From the home base on the nightliner: the Londoner flies in and sleeps at home until then.
    london = CrewMember("lon", "Lon", ("actor",), Place("home:lon", "London", 51.5074, -0.1278, "Europe/London", "GB"))
    tour = replace(make_tour(far(1) + [london], []), vehicles=(liner(),))
    result = solve(tour, road_plan(HOME_ID, "antwerp"), travel_matrix(tour, VehicleKind.CAR), FAST)
    assert stays(result, 0) == {"far0": ("nightliner", None, None, None), "lon": ("home", None, None, None)}
