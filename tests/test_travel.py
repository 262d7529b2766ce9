"""The travel model: road legs, water crossings, overrides and the on-disk cache."""

from __future__ import annotations

import pytest

from solvers.crossings import CONTINENT, crossings, landmass_of
from solvers.travel import GeodesicRoad, compute_matrix, travel_matrix
from touring.io import load_tour
from touring.io.cache import JsonCache
from touring.model import TravelOverride, VehicleKind

PLACES = {
    "brussels": (50.8467, 4.3525), "ghent": (51.0543, 3.7174), "antwerp": (51.2194, 4.4025),
    "amsterdam": (52.3676, 4.9041), "london": (51.5074, -0.1278), "glasgow": (55.8642, -4.2518),
    "dublin": (53.3498, -6.2603), "belfast": (54.5973, -5.9301),
}


@pytest.fixture(scope="module")
def by_car():
    return compute_matrix(VehicleKind.CAR, PLACES, 80.0, GeodesicRoad(1.2))


@pytest.mark.parametrize("place,landmass", [
    ("brussels", CONTINENT), ("amsterdam", CONTINENT), ("london", "great-britain"), ("glasgow", "great-britain"),
    ("dublin", "ireland"), ("belfast", "ireland"),
])
def test_landmass_of_cities(place, landmass):
    assert landmass_of(*PLACES[place]) == landmass


def test_every_port_lies_on_the_land_mass_it_serves():
    sides = {c.id: (landmass_of(c.a.lat, c.a.lon), landmass_of(c.b.lat, c.b.lon)) for c in crossings()}
    assert all(a != b for a, b in sides.values()), sides
    assert sides["dover-calais"] == ("great-britain", CONTINENT)
    assert sides["holyhead-dublin"] == ("great-britain", "ireland")
    assert sides["cairnryan-belfast"] == ("great-britain", "ireland")


def test_brussels_to_ghent_matches_the_road(by_car):
    # By road about 55 km and 45 minutes by car.
    leg = by_car.leg("brussels", "ghent")
    assert 50 <= leg.km <= 62 and 38 <= leg.minutes <= 52
    assert leg.crossings == () and leg.drive_minutes == leg.minutes


def test_antwerp_to_london_crosses_the_channel(by_car):
    leg = by_car.leg("antwerp", "london")
    assert leg.crossings and leg.crossings[0] in {"eurotunnel", "dover-calais", "dover-dunkirk"}
    assert leg.minutes > leg.drive_minutes  # check-in and crossing are not driving
    assert 4 * 60 <= leg.minutes <= 7 * 60
    assert by_car.leg("london", "antwerp") == leg


def test_antwerp_to_dublin_crosses_twice_or_sails_direct(by_car):
    leg = by_car.leg("antwerp", "dublin")
    assert leg.crossings in {("eurotunnel", "holyhead-dublin"), ("dover-calais", "holyhead-dublin")}


def test_glasgow_to_belfast_takes_the_short_sea(by_car):
    assert by_car.leg("glasgow", "belfast").crossings in {("cairnryan-belfast",), ("cairnryan-larne",)}


def test_slower_kinds_take_longer_on_the_same_road():
    truck = compute_matrix(VehicleKind.TRUCK, PLACES, 65.0, GeodesicRoad(1.2))
    car = compute_matrix(VehicleKind.CAR, PLACES, 80.0, GeodesicRoad(1.2))
    assert truck.leg("brussels", "amsterdam").minutes > car.leg("brussels", "amsterdam").minutes
    assert truck.metres == car.metres


def test_overrides_win_both_ways_unless_the_reverse_is_given():
    overrides = [TravelOverride("brussels", "ghent", 70, 58.0),
                 TravelOverride("ghent", "antwerp", 50, 60.0), TravelOverride("antwerp", "ghent", 65, 61.0),
                 TravelOverride("brussels", "antwerp", 90, 45.0, VehicleKind.TRUCK)]
    car = compute_matrix(VehicleKind.CAR, PLACES, 80.0, GeodesicRoad(1.2), overrides)
    assert car.leg("brussels", "ghent").minutes == car.leg("ghent", "brussels").minutes == 70
    assert car.leg("ghent", "brussels").metres == 58000 and car.leg("ghent", "brussels").overridden
    assert car.leg("ghent", "antwerp").minutes == 50 and car.leg("antwerp", "ghent").minutes == 65
    assert car.leg("brussels", "antwerp").minutes != 90  # a truck-only override
    truck = compute_matrix(VehicleKind.TRUCK, PLACES, 65.0, GeodesicRoad(1.2), overrides)
    assert truck.leg("brussels", "antwerp").minutes == 90


def test_matrix_is_integer_and_zero_on_the_diagonal(by_car):
    for i, row in enumerate(by_car.minutes):
        assert row[i] == 0 and all(isinstance(v, int) for v in row)
    assert all(isinstance(v, int) for row in by_car.metres for v in row)


def test_cache_is_used_and_invalidated(tiny_tour):
    cache = JsonCache.for_tour(tiny_tour)
    tour = load_tour(tiny_tour).tour
    first = travel_matrix(tour, "van", cache=cache)
    assert not first.from_cache and len(list(cache.directory.glob("travel-van-*.json"))) == 1
    again = travel_matrix(tour, "van", cache=cache)
    assert again.from_cache and again == first

    # A changed input is a new key: computed afresh, the old entry is left alone.
    (tiny_tour / "travel.csv").write_text("from,to,minutes,km\nhome,ab-brussels,55,56\n", encoding="utf-8")
    changed = travel_matrix(load_tour(tiny_tour).tour, "van", cache=cache)
    assert not changed.from_cache and changed.leg("home", "ab-brussels").minutes == 55
    assert len(list(cache.directory.glob("travel-van-*.json"))) == 2

    # Another kind or speed is another matrix.
    assert not travel_matrix(tour, "truck", cache=cache).from_cache
    assert not travel_matrix(tour, "van", speed_kmh=60, cache=cache).from_cache


def test_damaged_cache_entry_is_recomputed(tiny_tour):
    cache = JsonCache.for_tour(tiny_tour)
    tour = load_tour(tiny_tour).tour
    good = travel_matrix(tour, "car", cache=cache)
    (entry,) = cache.directory.glob("travel-car-*.json")
    entry.write_text('{"version": 1, "kind": "car"', encoding="utf-8")
    again = travel_matrix(tour, "car", cache=cache)
    assert not again.from_cache and again == good


def test_tour_matrix_holds_every_place(tiny_tour):
    tour = load_tour(tiny_tour).tour
    matrix = travel_matrix(tour, "van")
    assert set(matrix.ids) == {"home", "ab-brussels", "vooruit-ghent", "desingel-antwerp", "ibis-brussels",
                               "home:anna", "home:ben", "home:carl", "depot:truck", "supplier:haze"}
