"""Water is not road: land masses and the crossings between them.

Two data files ship with the package:

- ``data/landmasses.csv``: coarse polygons, (lat, lon) vertices, of the islands a tour
  reaches only over water (Great Britain, Ireland). A point inside no polygon is on the
  ``continent``, the land mass the road network of mainland Europe covers.
- ``data/crossings.csv``: ferries and the Channel Tunnel with typical timetable
  durations and the operators' advised check-in times (a planning aid: book against the
  real timetable).

A crossing's time is its check-in plus the crossing itself. The crossings form a
networkx graph with the ports as nodes; road legs between ports of one land mass join
them, so a leg from Antwerp to Dublin may use Calais–Dover, then Holyhead–Dublin.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

CONTINENT = "continent"


@dataclass(frozen=True)
class Port:
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Crossing:
    id: str
    name: str
    mode: str  # ferry or tunnel
    a: Port
    b: Port
    crossing_minutes: int
    check_in_minutes: int
    km: float

    @property
    def minutes(self) -> int:
        """Time from arriving at the terminal to driving off on the other side."""
        return self.check_in_minutes + self.crossing_minutes


@dataclass(frozen=True)
class Landmass:
    id: str
    name: str
    polygon: tuple[tuple[float, float], ...]  # (lat, lon) vertices

    def contains(self, lat: float, lon: float) -> bool:
        # Ray casting in the (lon, lat) plane: the polygons are coarse and far from the
        # poles and the antimeridian, so planar geometry is exact enough.
        inside = False
        vertices = self.polygon
        for (lat1, lon1), (lat2, lon2) in zip(vertices, vertices[1:] + vertices[:1]):
            if (lat1 > lat) != (lat2 > lat):
                crossing_lon = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
                if lon < crossing_lon:
                    inside = not inside
        return inside


def _data_text(name: str) -> str:
    return resources.files("solvers").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def landmasses() -> tuple[Landmass, ...]:
    found = []
    for row in csv.DictReader(_data_text("landmasses.csv").splitlines()):
        vertices = tuple(tuple(float(x) for x in pair.split()) for pair in row["polygon"].split(";"))
        found.append(Landmass(row["id"], row["name"], vertices))
    return tuple(found)


@lru_cache(maxsize=1)
def crossings() -> tuple[Crossing, ...]:
    found = []
    for row in csv.DictReader(_data_text("crossings.csv").splitlines()):
        found.append(Crossing(
            row["id"], row["name"], row["mode"],
            Port(row["from_port"], float(row["from_lat"]), float(row["from_lon"])),
            Port(row["to_port"], float(row["to_lat"]), float(row["to_lon"])),
            int(row["crossing_minutes"]), int(row["check_in_minutes"]), float(row["km"])))
    return tuple(found)


def landmass_of(lat: float, lon: float) -> str:
    """The id of the land mass a point is on; ``continent`` when no island holds it."""
    for landmass in landmasses():
        if landmass.contains(lat, lon):
            return landmass.id
    return CONTINENT


def ports() -> tuple[Port, ...]:
    """Every port once, in the order the crossings name them."""
    seen: dict[str, Port] = {}
    for crossing in crossings():
        for port in (crossing.a, crossing.b):
            seen.setdefault(port.name, port)
    return tuple(seen.values())


def data_fingerprint() -> str:
    """Changes whenever the shipped crossing or land-mass data change (a cache key part)."""
    digest = hashlib.sha256()
    for name in ("crossings.csv", "landmasses.csv"):
        digest.update(_data_text(name).encode("utf-8"))
    return digest.hexdigest()[:16]
