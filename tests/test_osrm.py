"""The OSRM road backend (:mod:`solvers.osrm`) against a real osrm-routed on 127.0.0.1.

The server serves the car network of central Helsinki built from PyPI wheels by
``tests/osrm_server.py`` (``.ci/get-osrm`` builds it ahead of CI). The tests that need it
skip only when its programs or extract cannot be had here, and fail instead under CI.
"""

from __future__ import annotations

import math

import osrm_server
import pytest
from geopy.distance import geodesic

from solvers.osrm import OsrmError, _blocks, osrm_table
from solvers.travel import OsrmRoad, compute_matrix
from touring.model import VehicleKind

# (lat, lon) on a street by each landmark, all inside the extract (lat 60.1642-60.1791,
# lon 24.9352-24.9534) and on its main connected road network: on the road, so that the
# straight line between two points is a lower bound of the road distance between them.
PLACES = {
    "railway_station": (60.17184, 24.94264),  # Vilhonkatu, by Helsinki railway station
    "senate_square": (60.16979, 24.95149),  # Hallituskatu, the square's north side
    "stockmann": (60.16892, 24.94664),  # Aleksanterinkatu
    "erottaja": (60.16580, 24.94361),  # Erottajankatu
    "long_bridge": (60.17621, 24.95012),  # Pitkäsilta
}
POINTS = list(PLACES.values())
# Outside the extract: OSRM moves them onto its nearest road, kilometres away.
PASILA = (60.1987, 24.9330)
TAPIOLA = (60.1750, 24.8050)


@pytest.fixture(scope="session")
def osrm_data() -> osrm_server.OsrmData:
    try:
        return osrm_server.prepare()
    except osrm_server.OsrmUnavailable as why:
        if osrm_server.in_ci():
            pytest.fail(f"CI must test against a real OSRM server, but {why}")
        pytest.skip(f"no OSRM server to test against: {why}")


@pytest.fixture(scope="session")
def osrm_url(osrm_data: osrm_server.OsrmData):
    with osrm_server.OsrmServer(osrm_data) as server:
        yield server.url


@pytest.fixture(scope="session")
def table(osrm_url: str) -> tuple[list[list[float]], list[list[float]]]:
    return osrm_table(osrm_url, POINTS)


@pytest.fixture
def closed_url() -> str:
    return f"http://127.0.0.1:{osrm_server.free_port()}"


def test_table_is_square_with_zero_diagonal(table):
    for matrix in table:
        assert len(matrix) == len(POINTS)
        assert all(len(row) == len(POINTS) for row in matrix)
        assert all(matrix[i][i] == 0 for i in range(len(POINTS)))
        assert all(isinstance(value, float) for row in matrix for value in row)


def test_table_is_plausible(table):
    distances_m, durations_s = table
    for i, a in enumerate(POINTS):
        for j, b in enumerate(POINTS):
            if i == j:
                continue
            straight_m = geodesic(a, b).m
            # A metre of slack: OSRM moves each point (by well under a metre here) onto its road.
            assert distances_m[i][j] >= straight_m - 1.0, (i, j)
            assert distances_m[i][j] <= 5 * straight_m, (i, j)  # city blocks, no ring roads
            speed_kmh = distances_m[i][j] / durations_s[i][j] * 3.6
            assert 5 <= speed_kmh <= 60, (i, j, speed_kmh)  # driving in a city centre


def test_table_is_directed(table):
    distances_m, _ = table
    # One-way streets make some trips longer one way than the other: rows are "from".
    assert any(distances_m[i][j] != distances_m[j][i] for i in range(len(POINTS)) for j in range(i))


@pytest.mark.parametrize("max_coordinates", [2, 3, 4])
def test_table_in_blocks_is_the_table_in_one_request(osrm_url, table, max_coordinates):
    assert osrm_table(osrm_url, POINTS, max_coordinates=max_coordinates) == table


def test_blocks_respect_the_server_limit(osrm_data, table):
    with osrm_server.OsrmServer(osrm_data, max_table_size=3) as small:
        with pytest.raises(OsrmError) as refused:
            osrm_table(small.url, POINTS)
        assert str(refused.value) == (
            f"the OSRM server at {small.url} answered TooBig: Too many table coordinates "
            "(pass max_coordinates no larger than the server's --max-table-size)")
        assert osrm_table(small.url, POINTS, max_coordinates=3) == table


@pytest.mark.parametrize("count, limit", [(2, 2), (5, 2), (5, 3), (100, 100), (101, 100), (250, 100), (7, 5)])
def test_blocks_cover_every_pair_within_the_limit(count, limit):
    blocks = _blocks(count, limit)
    assert all(2 <= len(block) <= limit for block in blocks)
    covered = {(i, j) for block in blocks for i in block for j in block}
    assert covered == {(i, j) for i in range(count) for j in range(count)}


def test_trailing_slash_is_accepted(osrm_url, table):
    assert osrm_table(osrm_url + "/", POINTS) == table


def test_one_point_or_none_needs_no_server(closed_url):
    assert osrm_table(closed_url, [POINTS[0]]) == ([[0.0]], [[0.0]])
    assert osrm_table(closed_url, []) == ([], [])


def test_unreachable_server_names_the_url(closed_url):
    with pytest.raises(OsrmError) as unreachable:
        osrm_table(closed_url + "/", POINTS)
    assert str(unreachable.value) == f"cannot reach the OSRM server at {closed_url}: connection refused"


@pytest.mark.parametrize("point", [(95.0, 24.9), (60.1, 200.0), (math.nan, 24.9), ("north", 24.9)])
def test_a_point_that_is_no_lat_lon_is_refused_before_asking(closed_url, point):
    with pytest.raises(ValueError, match="point 1 "):
        osrm_table(closed_url, [POINTS[0], point])


def test_max_coordinates_below_two_is_refused(closed_url):
    with pytest.raises(ValueError, match="max_coordinates must be at least 2"):
        osrm_table(closed_url, POINTS, max_coordinates=1)


def test_pair_without_a_route_names_the_points(osrm_url):
    # The square in front of the station and the middle of Senate Square: OSRM puts the
    # latter on a street that the extract's edge cuts off, so it can be left but not reached.
    station, square = (60.1719, 24.9414), (60.1693, 24.9524)
    with pytest.raises(OsrmError) as unroutable:
        osrm_table(osrm_url, [station, square])
    message = str(unroutable.value)
    assert message.startswith(f"the OSRM server at {osrm_url} finds no road route from point 0 to point 1 "
                              "(1 of 2 ordered pairs); the points: ")
    assert "point 0 (60.17190, 24.94140; 69 m from the nearest road)" in message
    assert "point 1 (60.16930, 24.95240; 13 m from the nearest road)" in message


def test_points_off_the_extract_are_named(osrm_url):
    points = [POINTS[0], PASILA, TAPIOLA]
    # OSRM moves them onto the nearest roads it has, here dead ends at the extract's edge.
    with pytest.raises(OsrmError) as unroutable:
        osrm_table(osrm_url, points)
    assert ("point 1 (60.19870, 24.93300; 2210 m from the nearest road), "
            "point 2 (60.17500, 24.80500; 7228 m from the nearest road)") in str(unroutable.value)
    # With a limit on that move, the error says what is wrong.
    with pytest.raises(OsrmError) as off:
        osrm_table(osrm_url, points, max_snap_m=500)
    assert str(off.value) == (
        f"the OSRM server at {osrm_url} has no road within 500 m of point 1 (60.19870, 24.93300; "
        "2210 m from the nearest road), point 2 (60.17500, 24.80500; 7228 m from the nearest road): "
        "such a point lies off the road network of the server's extract")


def test_points_on_roads_pass_a_tight_snap_limit(osrm_url, table):
    assert osrm_table(osrm_url, POINTS, max_snap_m=5) == table


def test_compute_matrix_with_osrm_road_agrees_with_the_table(osrm_url, table):
    distances_m, durations_s = table
    ids = list(PLACES)
    matrix = compute_matrix(VehicleKind.CAR, PLACES, 80.0, OsrmRoad(osrm_url, 80.0))
    assert matrix.ids == tuple(ids)
    for i in range(len(ids)):
        for j in range(len(ids)):
            leg = matrix.leg(ids[i], ids[j])
            assert isinstance(leg.metres, int) and isinstance(leg.minutes, int)
            assert leg.metres == round(distances_m[i][j])
            # Travel time is rounded up to the whole minute (solvers.units).
            assert leg.minutes == leg.drive_minutes == math.ceil(durations_s[i][j] / 60)
            assert leg.crossings == ()
