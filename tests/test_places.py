"""Offline places: city names to coordinates, coordinates to time zones, the online option."""

import pytest

from touring.errors import FieldError
from touring.places import Geocoder, city_candidates, country_code, resolve_city, timezone_at


@pytest.mark.parametrize("name", ["Gent", "Ghent", "gent", "Gand"])
def test_official_and_alternate_names_find_ghent(name):
    city = resolve_city(name, "BE")
    assert city.name == "Gent" and abs(city.lat - 51.05) < 0.02 and abs(city.lon - 3.72) < 0.02


def test_accents_and_hyphens_are_folded():
    assert resolve_city("sint niklaas", "Belgium").name == "Sint-Niklaas"
    assert resolve_city("Liège", "BE").name == resolve_city("Liege", "BE").name


def test_country_filters_candidates():
    assert resolve_city("Breda", "NL").country == "NL"
    assert resolve_city("London", "GB").timezone == "Europe/London"
    with pytest.raises(FieldError, match="unknown city 'Breda' in BE"):
        resolve_city("Breda", "BE")


def test_ambiguous_name_lists_candidates_most_populous_first():
    candidates = city_candidates("Halle", "BE")
    assert len(candidates) == 2 and candidates[0].population > candidates[1].population
    with pytest.raises(FieldError) as error:
        resolve_city("Halle", "BE")
    assert error.value.field == "city" and "is ambiguous" in error.value.message


def test_country_names_and_codes():
    assert country_code("Belgium") == country_code("be") == country_code("BEL") == "BE"
    assert country_code("United Kingdom") == country_code("UK") == "GB"
    with pytest.raises(FieldError, match="unknown country 'Narnia'"):
        country_code("Narnia")


@pytest.mark.parametrize("lat,lon,zone", [
    (51.0543, 3.7174, "Europe/Brussels"),
    (51.5074, -0.1278, "Europe/London"),
    (53.3498, -6.2603, "Europe/Dublin"),
    (54.5973, -5.9301, "Europe/London"),  # Belfast: Ireland's island, the UK's clock
    (47.4979, 19.0402, "Europe/Budapest"),
    (38.7223, -9.1393, "Europe/Lisbon"),
    (51.3700, 1.4500, "Europe/London"),  # just off the Kent coast: the nearest zone
])
def test_time_zone_from_coordinates(lat, lon, zone):
    assert timezone_at(lat, lon) == zone


def test_online_geocoder_fails_clearly_without_network(tmp_path):
    # A closed port on this machine stands in for an unreachable service.
    geocoder = Geocoder("nominatim", "http://127.0.0.1:9", cache_file=tmp_path / "geocode.json", timeout_s=2)
    with pytest.raises(FieldError) as error:
        resolve_city("Nowhereville", "BE", geocoder)
    assert error.value.message.startswith("cannot geocode 'Nowhereville' in BE: the nominatim geocoder is unreachable")
    assert "touring works offline when lat and lon are given" in error.value.message
    assert not (tmp_path / "geocode.json").exists()


def test_online_geocoder_answers_from_its_cache_offline(tmp_path):
    cache = tmp_path / "geocode.json"
    cache.write_text('{"nominatim|BE|nowhereville": [50.9, 4.1]}', encoding="utf-8")
    geocoder = Geocoder("nominatim", "http://127.0.0.1:9", cache_file=cache, timeout_s=2)
    city = resolve_city("Nowhereville", "BE", geocoder)
    assert (city.lat, city.lon, city.timezone) == (50.9, 4.1, "Europe/Brussels")


def test_unknown_geocoder_service_is_named():
    with pytest.raises(FieldError, match="unknown geocoder 'carrier-pigeon'"):
        Geocoder("carrier-pigeon")
