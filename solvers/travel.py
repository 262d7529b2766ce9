"""The travel-time model: places in, integer matrices out (minutes and metres).

For one vehicle kind, every pair of places of a tour gets a :class:`Leg`:

1. Road legs between places on one land mass come from a road model: by default the
   geodesic distance (geopy, WGS84) times the tour's detour factor, driven at the kind's
   average speed; or a real road network through an OSRM server (``/table`` API).
2. Legs between land masses (Great Britain, Ireland, the continent) drive to a port,
   take the fastest chain of crossings (:mod:`solvers.crossings`), and drive on.
3. ``travel.csv`` overrides win over both.

Units are those of :mod:`solvers.units`: whole minutes (rounded up) and metres. A matrix
is cached on disk as JSON, keyed by a hash of everything it was computed from, so it is
computed once per tour and recomputed as soon as any input changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Protocol, Sequence

import networkx as nx
from geopy.distance import geodesic

from solvers import crossings as water
from solvers.units import METRES_PER_KM, drive_minutes, km_to_metres, seconds_to_minutes
from touring.model import Tour, TravelOverride, VehicleKind

CACHE_VERSION = 1
Point = tuple[float, float]  # (lat, lon)


class RoadModel(Protocol):
    """Road distances and driving times between points on one land mass."""

    key: str  # identifies the model and its settings in a cache key

    def legs(self, points: Sequence[Point], speed_kmh: float) -> tuple[list[list[int]], list[list[int]]]:
        """Metres and driving minutes between every pair of ``points``."""


@dataclass(frozen=True)
class GeodesicRoad:
    """Straight-line (geodesic) distance stretched by a detour factor, at an average speed."""

    detour_factor: float

    @property
    def key(self) -> str:
        return f"geodesic:{self.detour_factor!r}"

    def legs(self, points: Sequence[Point], speed_kmh: float) -> tuple[list[list[int]], list[list[int]]]:
        count = len(points)
        metres = [[0] * count for _ in range(count)]
        minutes = [[0] * count for _ in range(count)]
        for i in range(count):
            for j in range(i + 1, count):
                road = km_to_metres(geodesic(points[i], points[j]).km * self.detour_factor)
                metres[i][j] = metres[j][i] = road
                minutes[i][j] = minutes[j][i] = drive_minutes(road, speed_kmh)
        return metres, minutes


@dataclass(frozen=True)
class OsrmRoad:
    """Road distances and times from an OSRM server's ``/table`` service.

    OSRM's car profile gives car times; a slower kind's time is the car time stretched by
    ``car_speed_kmh / speed_kmh``, the ratio of the tour's average speeds.
    """

    url: str
    car_speed_kmh: float

    @property
    def key(self) -> str:
        return f"osrm:{self.url}:{self.car_speed_kmh!r}"

    def legs(self, points: Sequence[Point], speed_kmh: float) -> tuple[list[list[int]], list[list[int]]]:
        from solvers.osrm import osrm_table

        distances_m, durations_s = osrm_table(self.url, list(points))
        stretch = self.car_speed_kmh / speed_kmh
        metres = [[int(round(d)) for d in row] for row in distances_m]
        minutes = [[seconds_to_minutes(s * stretch) for s in row] for row in durations_s]
        return metres, minutes


@dataclass(frozen=True)
class Leg:
    minutes: int  # door to door, crossings and check-in included
    drive_minutes: int  # behind the wheel only
    metres: int
    crossings: tuple[str, ...] = ()  # crossing ids in travel order
    overridden: bool = False  # taken from travel.csv

    @property
    def km(self) -> float:
        return self.metres / METRES_PER_KM


@dataclass(frozen=True)
class TravelMatrix:
    """Legs between every pair of places of a tour, for one vehicle kind."""

    kind: VehicleKind
    ids: tuple[str, ...]
    minutes: tuple[tuple[int, ...], ...]
    drive_minutes: tuple[tuple[int, ...], ...]
    metres: tuple[tuple[int, ...], ...]
    crossings: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    overridden: frozenset[tuple[int, int]] = frozenset()
    from_cache: bool = field(default=False, compare=False)

    def index(self, place_id: str) -> int:
        try:
            return self._positions[place_id]
        except KeyError:
            raise KeyError(f"no place '{place_id}' in the travel matrix") from None

    @property
    def _positions(self) -> dict[str, int]:
        positions = self.__dict__.get("_position_cache")
        if positions is None:
            positions = {place_id: i for i, place_id in enumerate(self.ids)}
            object.__setattr__(self, "_position_cache", positions)
        return positions

    def leg(self, origin: str, destination: str) -> Leg:
        i, j = self.index(origin), self.index(destination)
        return Leg(self.minutes[i][j], self.drive_minutes[i][j], self.metres[i][j],
                   self.crossings.get((i, j), ()), (i, j) in self.overridden)

    def legs(self) -> list[tuple[str, str, Leg]]:
        """Every ordered pair of different places with its leg."""
        return [(a, b, self.leg(a, b)) for a in self.ids for b in self.ids if a != b]

    def to_json(self) -> dict:
        return {
            "version": CACHE_VERSION, "kind": self.kind.value, "ids": list(self.ids),
            "minutes": [list(r) for r in self.minutes], "drive_minutes": [list(r) for r in self.drive_minutes],
            "metres": [list(r) for r in self.metres],
            "crossings": [[i, j, list(c)] for (i, j), c in sorted(self.crossings.items())],
            "overridden": sorted([i, j] for i, j in self.overridden),
        }

    @classmethod
    def from_json(cls, data: dict, from_cache: bool = False) -> TravelMatrix:
        def rows(key: str) -> tuple[tuple[int, ...], ...]:
            return tuple(tuple(int(v) for v in row) for row in data[key])

        return cls(VehicleKind(data["kind"]), tuple(data["ids"]), rows("minutes"), rows("drive_minutes"),
                   rows("metres"), {(i, j): tuple(c) for i, j, c in data["crossings"]},
                   frozenset((i, j) for i, j in data["overridden"]), from_cache)


def too_far_to_drive(matrix: TravelMatrix, limit_minutes: int, origin: str, destination: str
                     ) -> tuple[int, str] | None:
    """(minutes door to door, why) when the way from ``origin`` to ``destination`` is no
    drive for a tour's vehicles: it crosses the sea (or an ocean), or its time behind the
    wheel is longer than one day's driving (``limit_minutes``, the tour's
    ``rules.max_drive_minutes_per_day``). A crew member whose home is that far from the
    tour travels on their own (flight or train)."""
    leg = matrix.leg(origin, destination)
    if leg.crossings:
        return leg.minutes, f"across the sea ({', '.join(leg.crossings)}), {leg.minutes} min by road and ferry"
    if leg.drive_minutes > limit_minutes:
        return leg.minutes, f"{leg.drive_minutes} min by road, more than a day's driving ({limit_minutes} min)"
    return None


# --- computing ---

def _port_paths(road: RoadModel, speed_kmh: float) -> tuple[list[water.Port], list[str], dict, dict]:
    """Fastest chains of crossings between every two ports, with road legs between ports."""
    ports = list(water.ports())
    masses = [water.landmass_of(p.lat, p.lon) for p in ports]
    metres, minutes = road.legs([(p.lat, p.lon) for p in ports], speed_kmh)
    graph = nx.Graph()
    for i, a in enumerate(ports):
        for j in range(i + 1, len(ports)):
            if masses[i] == masses[j]:
                graph.add_edge(a.name, ports[j].name, minutes=minutes[i][j], drive=minutes[i][j],
                               metres=metres[i][j], crossing=None)
    for crossing in water.crossings():
        existing = graph.get_edge_data(crossing.a.name, crossing.b.name)
        if existing is None or existing["minutes"] > crossing.minutes:
            graph.add_edge(crossing.a.name, crossing.b.name, minutes=crossing.minutes, drive=0,
                           metres=km_to_metres(crossing.km), crossing=crossing.id)
    paths = dict(nx.all_pairs_dijkstra_path(graph, weight="minutes"))
    totals: dict[tuple[str, str], tuple[int, int, int, tuple[str, ...]]] = {}
    for start, targets in paths.items():
        for end, path in targets.items():
            edges = [graph.edges[u, v] for u, v in zip(path, path[1:])]
            totals[start, end] = (sum(e["minutes"] for e in edges), sum(e["drive"] for e in edges),
                                  sum(e["metres"] for e in edges),
                                  tuple(e["crossing"] for e in edges if e["crossing"]))
    return ports, masses, totals, paths


def compute_matrix(kind: VehicleKind, places: dict[str, Point], speed_kmh: float, road: RoadModel,
                   overrides: Sequence[TravelOverride] = ()) -> TravelMatrix:
    """Legs between every pair of ``places`` (id -> (lat, lon)) for one vehicle kind.

    Raises
    ------
    ValueError
        When two places lie on land masses that no crossing links.
    """
    ids = tuple(places)
    points = [places[i] for i in ids]
    masses = [water.landmass_of(lat, lon) for lat, lon in points]
    count = len(ids)
    crosses_water = len(set(masses)) > 1
    if crosses_water:
        ports, port_masses, port_totals, _ = _port_paths(road, speed_kmh)
        all_points = points + [(p.lat, p.lon) for p in ports]
    else:
        ports, port_masses, port_totals, all_points = [], [], {}, points
    road_metres, road_minutes = road.legs(all_points, speed_kmh)

    minutes = [[0] * count for _ in range(count)]
    driving = [[0] * count for _ in range(count)]
    metres = [[0] * count for _ in range(count)]
    crossing_ids: dict[tuple[int, int], tuple[str, ...]] = {}
    for i in range(count):
        for j in range(count):
            if i == j:
                continue
            if masses[i] == masses[j]:
                minutes[i][j] = driving[i][j] = road_minutes[i][j]
                metres[i][j] = road_metres[i][j]
                continue
            best = None
            for p, port_p in enumerate(ports):
                if port_masses[p] != masses[i]:
                    continue
                for q, port_q in enumerate(ports):
                    if port_masses[q] != masses[j] or (port_p.name, port_q.name) not in port_totals:
                        continue
                    via_minutes, via_drive, via_metres, via = port_totals[port_p.name, port_q.name]
                    out_p, in_q = count + p, count + q
                    total = road_minutes[i][out_p] + via_minutes + road_minutes[in_q][j]
                    if best is None or total < best[0]:
                        best = (total, road_minutes[i][out_p] + via_drive + road_minutes[in_q][j],
                                road_metres[i][out_p] + via_metres + road_metres[in_q][j], via)
            if best is None:
                raise ValueError(f"no crossing links '{ids[i]}' ({masses[i]}) to '{ids[j]}' ({masses[j]})")
            minutes[i][j], driving[i][j], metres[i][j], crossing_ids[i, j] = best

    overridden = set()
    position = {place_id: i for i, place_id in enumerate(ids)}
    applicable = [o for o in overrides if o.kind in (None, kind)]
    # A kind-specific leg beats an all-kinds leg; a leg given one way also holds the
    # other way unless the reverse is given too.
    applicable.sort(key=lambda o: o.kind is not None)
    explicit = {(o.from_id, o.to_id) for o in applicable}
    for override in applicable:
        pairs = [(override.from_id, override.to_id)]
        if (override.to_id, override.from_id) not in explicit:
            pairs.append((override.to_id, override.from_id))
        for a, b in pairs:
            if a in position and b in position:
                i, j = position[a], position[b]
                minutes[i][j] = driving[i][j] = override.minutes
                metres[i][j] = km_to_metres(override.km)
                crossing_ids.pop((i, j), None)
                overridden.add((i, j))

    freeze = lambda rows: tuple(tuple(r) for r in rows)  # noqa: E731
    return TravelMatrix(kind, ids, freeze(minutes), freeze(driving), freeze(metres),
                        {k: v for k, v in crossing_ids.items() if v}, frozenset(overridden))


def _cache_key(kind: VehicleKind, places: dict[str, Point], speed_kmh: float, road: RoadModel,
               overrides: Sequence[TravelOverride]) -> str:
    inputs = {
        "version": CACHE_VERSION, "kind": kind.value, "speed_kmh": speed_kmh, "road": road.key,
        "water": water.data_fingerprint(),
        "places": [[i, lat, lon] for i, (lat, lon) in places.items()],
        "overrides": sorted([o.from_id, o.to_id, o.minutes, o.km, o.kind.value if o.kind else ""]
                            for o in overrides),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:20]


class MatrixCache(Protocol):
    """Somewhere to keep computed matrices by key (``touring.io.cache.JsonCache``)."""

    def get(self, key: str) -> dict | None: ...

    def put(self, key: str, data: dict) -> None: ...


def travel_matrix(tour: Tour, kind: VehicleKind | str, *, speed_kmh: float | None = None,
                  road: RoadModel | None = None, cache: MatrixCache | None = None) -> TravelMatrix:
    """The travel matrix of every place of ``tour`` for one vehicle kind.

    Parameters
    ----------
    tour
        The tour; its places, travel settings and travel.csv overrides are used.
    kind
        The vehicle kind whose average speed applies.
    speed_kmh
        A speed overriding the tour's speed for the kind (a vehicle's own speed).
    road
        The road model; by default geodesic distance times the tour's detour factor.
    cache
        Where matrices are kept between runs; ``None`` computes without caching.
    """
    kind = VehicleKind(kind)
    speed = speed_kmh or tour.travel.speeds_kmh[kind]
    road = road or GeodesicRoad(tour.travel.detour_factor)
    places = {place_id: place.coordinates for place_id, place in tour.places.items()}
    key = f"travel-{kind.value}-{_cache_key(kind, places, speed, road, tour.travel_overrides)}"
    cached = cache.get(key) if cache is not None else None
    if cached is not None:
        try:
            return TravelMatrix.from_json(cached, from_cache=True)
        except (ValueError, KeyError, TypeError):
            pass  # written by another version: compute it afresh
    matrix = compute_matrix(kind, places, speed, road, tour.travel_overrides)
    if cache is not None:
        cache.put(key, matrix.to_json())
    return matrix


def crossing_names() -> dict[str, str]:
    return {c.id: c.name for c in water.crossings()}


def hours_and_minutes(minutes: int) -> str:
    return f"{minutes // 60}h{minutes % 60:02d}"
