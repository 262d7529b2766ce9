"""Loading tours: the good tiny tour, and every kind of bad input with its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest

from touring.errors import DataError, TourDataError
from touring.io import load_tour
from touring.model import HOME_ID, RoomPreference, VehicleKind


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_errors(tour: Path) -> list[str]:
    with pytest.raises(TourDataError) as raised:
        load_tour(tour)
    return [str(e) for e in raised.value.errors]


def test_tiny_tour_loads_whole(tiny_tour):
    loaded = load_tour(tiny_tour)
    tour = loaded.tour
    assert tour.name == "Tiny test tour"
    assert [v.id for v in tour.venues] == ["ab-brussels", "vooruit-ghent", "desingel-antwerp"]
    assert [s.id for s in tour.shows] == [v.id for v in tour.venues]  # no shows.csv: one per venue
    assert tour.home.id == HOME_ID and tour.home.timezone == "Europe/Brussels"
    assert tour.rules.max_consecutive_show_days == 5 and tour.rules.max_drive_minutes_per_day == 540
    assert tour.rules.default_roles == ("actor", "technician")
    anna = tour.crew_by_id["anna"]
    assert anna.room is RoomPreference.SHARED and anna.share_with == ("ben",)
    assert anna.home.id == "home:anna" and abs(anna.home.lat - 50.88) < 0.05  # Leuven, resolved offline
    assert tour.vehicle_by_id["truck"].depot.id == "depot:truck"
    assert tour.vehicle_by_id["van"].depot is tour.home
    assert tour.vehicle_by_id["truck"].kind is VehicleKind.TRUCK
    assert loaded.warnings == ()


def test_shows_file_gives_nights_and_optional_shows(tiny_tour):
    (tiny_tour / "shows.csv").write_text(
        "id,venue,nights,required,fee,preferred_dates,fixed_date,roles\n"
        "ab-1,ab-brussels,2,yes,,,2026-03-03,actor\n"
        "gent-1,vooruit-ghent,1,no,1200,2026-03-06..2026-03-08,,\n", encoding="utf-8")
    tour = load_tour(tiny_tour).tour
    first, second = tour.shows
    assert first.nights == 2 and first.fixed_date.isoformat() == "2026-03-03" and first.roles == ("actor",)
    assert not second.required and tour.show_fee(second) == 1200 and tour.show_fee(first) == 5000
    warnings = load_tour(tiny_tour).warnings
    assert [str(w) for w in warnings] == ["shows.csv, column 'venue': venue 'desingel-antwerp' has no show"]


BAD_INPUTS = [
    ("venues.csv", "vooruit-ghent,Viernulvier", "ab-brussels,Viernulvier",
     "venues.csv, row 3, column 'id': duplicate id 'ab-brussels' (already used in venues.csv row 2)"),
    ("venues.csv", "2026-03-02..2026-03-14", "2026-02-30..2026-03-14",
     "venues.csv, row 2, column 'availability': '2026-02-30' is not a date (write YYYY-MM-DD, e.g. 2026-03-02)"),
    ("venues.csv", "2026-03-02..2026-03-14", "2026-05-01..2026-05-03",
     "venues.csv, row 2, column 'availability': 2026-05-01..2026-05-03 is outside the season 2026-03-01..2026-03-31"),
    ("venues.csv", "2026-03-02..2026-03-14", "2026-03-14..2026-03-02",
     "venues.csv, row 2, column 'availability': '2026-03-14..2026-03-02' ends before it starts"),
    ("venues.csv", "50.8481,4.3486", "95.0,4.3486",
     "venues.csv, row 2, column 'lat': 95.0 is out of range (-90..90)"),
    ("venues.csv", "50.8481,4.3486", "50.8481,",
     "venues.csv, row 2, column 'lon': lat and lon go together; give both or neither"),
    ("venues.csv", "2000,5000", "-5,5000",
     "venues.csv, row 2, column 'capacity': must not be negative, got -5"),
    ("venues.csv", "2000,5000", "2000,lots",
     "venues.csv, row 2, column 'fee': 'lots' is not a number"),
    ("venues.csv", "2026-03-02..2026-03-14,mon", "2026-03-02..2026-03-14,monday; funday",
     "venues.csv, row 2, column 'closed_weekdays': 'funday' is not a weekday (write mon, tue, wed, thu, fri, sat, sun)"),
    ("venues.csv", ",14:00,20:00", ",14:00,25:00",
     "venues.csv, row 2, column 'show_time': '25:00' is not a time of day (write HH:MM, e.g. 20:15)"),
    ("venues.csv", "1,40,21", "1,40,",
     "venues.csv, row 3, column 'radius_days': a radius clause needs both radius_km and radius_days"),
    ("venues.csv", "Brussels,BE,50.8481", "Brussels,Narnia,50.8481",
     "venues.csv, row 2, column 'country': unknown country 'Narnia' (use an ISO code such as BE, NL, GB)"),
    ("crew.csv", "Leuven,BE", "Atlantis,BE",
     "crew.csv, row 2, column 'home_city': unknown city 'Atlantis' in BE (not in the offline GeoNames data); "
     "give lat and lon"),
    ("crew.csv", "Leuven,BE", ",BE",
     "crew.csv, row 2, column 'home_city': give a city (with its country) or lat and lon"),
    ("crew.csv", "shared,ben", "shared,bert",
     "crew.csv, row 2, column 'share_with': unknown crew member 'bert'"),
    ("crew.csv", "BE,B,shared", "BE,Z,shared",
     "crew.csv, row 2, column 'licences': 'Z' is not a European driving licence class "
     "(A, A1, A2, AM, B, B96, BE, C, C1, C1E, CE, D, D1, D1E, DE)"),
    ("crew.csv", "anna,Anna Peeters,actor", "anna,Anna Peeters,",
     "crew.csv, row 2, column 'role': is required"),
    ("vehicles.csv", "van,van,9", "van,spaceship,9",
     "vehicles.csv, row 2, column 'kind': 'spaceship' is not one of car, van, bus, nightliner, truck"),
    ("vehicles.csv", "van,van,9", "van,van,0",
     "vehicles.csv, row 2, column 'seats': must be at least 1 (the driver), got 0"),
    ("vehicles.csv", "van,van,9,4", "van,van,9.5,4",
     "vehicles.csv, row 2, column 'seats': '9.5' is not a whole number"),
    ("equipment.csv", "rental,900,all,Antwerpen", "rental,900,all,",
     "equipment.csv, row 4, column 'supplier': rental equipment needs a supplier to pick it up from"),
    ("equipment.csv", "own,8000,all", "own,8000,nowhere",
     "equipment.csv, row 2, column 'needed_at': unknown show 'nowhere'"),
    ("tour.toml", "season_end = 2026-03-31", "season_end = 2026-02-01",
     "tour.toml, 'season_end': 2026-02-01 is before season_start 2026-03-01"),
    ("tour.toml", "season_end = 2026-03-31\n", "",
     "tour.toml, 'season_end': is required"),
    ("tour.toml", "max_consecutive_show_days = 5", 'max_consecutive_show_days = "five"',
     "tour.toml, 'rules.max_consecutive_show_days': 'five' is not a whole number"),
    ("tour.toml", "max_consecutive_show_days = 5", "max_consecutive_show_days = 0",
     "tour.toml, 'rules.max_consecutive_show_days': must be between 1 and 31, got 0"),
    ("tour.toml", "detour_factor = 1.2", "detour_factor = 0.5",
     "tour.toml, 'travel.detour_factor': must be between 1.0 and 3.0, got 0.5"),
]


@pytest.mark.parametrize("file,old,new,message", BAD_INPUTS, ids=[m.split(":")[0] for *_, m in BAD_INPUTS])
def test_bad_input_is_reported_exactly(tiny_tour, file, old, new, message):
    edit(tiny_tour / file, old, new)
    assert message in load_errors(tiny_tour)


def test_ambiguous_city_lists_its_candidates(tiny_tour):
    edit(tiny_tour / "tour.toml", 'city = "Gent"', 'city = "Halle"')
    (error,) = load_errors(tiny_tour)
    # Halle near Brussels and Halle near Antwerp, the larger first; figures vary with GeoNames releases.
    assert error.startswith("tour.toml, 'home.city': 'Halle' in BE is ambiguous: Halle (BE, population 3")
    assert error.count("Halle (BE, population") == 2 and "lat 50.73" in error and "lat 51.2" in error
    assert error.index("lat 50.73") < error.index("lat 51.2")
    assert error.endswith("; give lat and lon to choose")


def test_every_problem_is_reported_at_once(tiny_tour):
    edit(tiny_tour / "venues.csv", "2000,5000", "-5,lots")
    edit(tiny_tour / "crew.csv", "Leuven,BE", "Atlantis,BE")
    edit(tiny_tour / "vehicles.csv", "van,van,9", "van,van,0")
    errors = load_errors(tiny_tour)
    assert errors == [
        "venues.csv, row 2, column 'fee': 'lots' is not a number",
        "crew.csv, row 2, column 'home_city': unknown city 'Atlantis' in BE (not in the offline GeoNames data); "
        "give lat and lon",
        "vehicles.csv, row 2, column 'seats': must be at least 1 (the driver), got 0",
    ]


def test_shows_file_errors(tiny_tour):
    (tiny_tour / "shows.csv").write_text(
        "id,venue,nights,fixed_date\n"
        "s1,nowhere,1,\n"
        "s2,ab-brussels,0,\n"
        "s3,ab-brussels,1,2026-03-09\n"  # a Monday: AB is closed on Mondays
        "s3,desingel-antwerp,1,\n", encoding="utf-8")
    assert load_errors(tiny_tour) == [
        "shows.csv, row 2, column 'venue': unknown venue 'nowhere'",
        "shows.csv, row 3, column 'nights': must be at least 1, got 0",
        "shows.csv, row 4, column 'fixed_date': 2026-03-09 cannot be a show day: venue 'ab-brussels' is closed on Mondays",
        "shows.csv, row 5, column 'id': duplicate id 's3' (already used in shows.csv row 4)",
    ]


def test_fixed_date_on_a_public_holiday_of_a_venue_closed_on_holidays(tiny_tour):
    (tiny_tour / "shows.csv").write_text("venue,fixed_date\nab-brussels,2026-04-06\n", encoding="utf-8")
    (tiny_tour / "venues.csv").write_text("id,name,lat,lon,country,availability,closed_on_holidays\n"
                                          "ab-brussels,AB,50.8481,4.3486,BE,2026-04-01..2026-04-10,no\n")
    (tiny_tour / "equipment.csv").unlink()
    edit(tiny_tour / "tour.toml", "season_end = 2026-03-31", "season_end = 2026-04-30")
    load_tour(tiny_tour)  # Easter Monday is fine while the venue opens on holidays
    edit(tiny_tour / "venues.csv", "2026-04-10,no", "2026-04-10,yes")
    assert load_errors(tiny_tour) == [
        "shows.csv, row 2, column 'fixed_date': 2026-04-06 cannot be a show day: 2026-04-06 is Easter Monday, "
        "a public holiday in BE when venue 'ab-brussels' is closed"]


def test_travel_overrides_must_name_known_places(tiny_tour):
    (tiny_tour / "travel.csv").write_text(
        "from,to,minutes,km,mode\nhome,ab-brussels,50,56,all\nhome,mars,10,5,all\n"
        "home,vooruit-ghent,10,5,rocket\n", encoding="utf-8")
    assert load_errors(tiny_tour) == [
        "travel.csv, row 3, column 'to': unknown place 'mars'",
        "travel.csv, row 4, column 'mode': 'rocket' is not all, car, van, bus, nightliner, truck",
    ]


def test_travel_overrides_reach_crew_homes_and_depots(tiny_tour):
    (tiny_tour / "travel.csv").write_text(
        "from,to,minutes,km\nhome:anna,ab-brussels,35,30\ndepot:truck,home,5,3\nsupplier:haze,home,50,55\n",
        encoding="utf-8")
    overrides = load_tour(tiny_tour).tour.travel_overrides
    assert [(o.from_id, o.to_id) for o in overrides] == [
        ("home:anna", "ab-brussels"), ("depot:truck", "home"), ("supplier:haze", "home")]


def test_missing_files_and_columns(tiny_tour):
    (tiny_tour / "crew.csv").unlink()
    edit(tiny_tour / "venues.csv", ",availability,", ",dates,")
    errors = load_errors(tiny_tour)
    assert "venues.csv, column 'availability': required column is missing" in errors
    assert "crew.csv: is missing" in errors


def test_unknown_columns_and_settings_are_warnings(tiny_tour):
    edit(tiny_tour / "venues.csv", ",contact\n", ",contact,colour\n")
    edit(tiny_tour / "tour.toml", "[rules]", "[rules]\nmax_sleep = 3")
    warnings = [str(w) for w in load_tour(tiny_tour).warnings]
    assert warnings == ["tour.toml, 'rules.max_sleep': unknown setting, ignored",
                        "venues.csv, column 'colour': unknown column, ignored"]


def test_partial_ranges_and_one_sided_room_sharing_warn(tiny_tour):
    edit(tiny_tour / "venues.csv", "2026-03-10..2026-03-28", "2026-03-10..2026-04-10")
    edit(tiny_tour / "crew.csv", "shared,anna", "shared,")
    warnings = [str(w) for w in load_tour(tiny_tour).warnings]
    assert warnings == [
        "venues.csv, row 4, column 'availability': 2026-03-10..2026-04-10 reaches beyond the season "
        "2026-03-01..2026-03-31; only the days inside it count",
        "crew.csv, row 2, column 'share_with': 'ben' does not list 'anna': rooms are shared only by mutual consent",
    ]


def test_invalid_toml_and_bad_encoding(tiny_tour):
    (tiny_tour / "tour.toml").write_text("name = \n", encoding="utf-8")
    (tiny_tour / "hotels.csv").write_bytes("id,name\nx,H\xf4tel\n".encode("latin-1"))
    errors = load_errors(tiny_tour)
    assert errors[0] == "tour.toml: is not valid TOML: Invalid value (at line 1, column 8)"
    assert "hotels.csv: is not UTF-8 text (invalid continuation byte at byte 11)" in errors
    assert not any(e.startswith("tour.toml, ") for e in errors)  # no noise from the unreadable file


def test_semicolon_separated_csv_with_decimal_commas(tiny_tour):
    (tiny_tour / "hotels.csv").write_text(
        "id;name;city;country;lat;lon;singles;single_price\n"
        "ibis;Ibis Brussels Centre;Brussels;BE;50,845;4,35;4;95,50\n", encoding="utf-8")
    hotel = load_tour(tiny_tour).tour.hotels[0]
    assert (hotel.place.lat, hotel.place.lon, hotel.single_price) == (50.845, 4.35, 95.5)


def test_workbook_loads_like_the_folder(tiny_tour, tmp_path):
    import csv
    import tomllib

    import openpyxl

    workbook = openpyxl.Workbook()
    settings = workbook.active
    settings.title = "tour"
    settings.append(["key", "value"])

    def flatten(table, prefix=""):
        for key, value in table.items():
            if isinstance(value, dict):
                yield from flatten(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}", "; ".join(value) if isinstance(value, list) else value

    for key, value in flatten(tomllib.loads((tiny_tour / "tour.toml").read_text())):
        settings.append([key, value])
    for csv_file in sorted(tiny_tour.glob("*.csv")):
        sheet = workbook.create_sheet(csv_file.stem)
        for row in csv.reader(csv_file.open(encoding="utf-8")):
            sheet.append(row)
    book = tmp_path / "tiny.xlsx"
    workbook.save(book)
    assert load_tour(book).tour == load_tour(tiny_tour).tour


def test_workbook_errors_name_the_sheet(tiny_tour, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "tour"
    workbook.active.append(["key", "value"])
    workbook.active.append(["name", "Book"])
    venues = workbook.create_sheet("venues")
    venues.append(["id", "name", "lat", "lon", "country", "availability"])
    venues.append(["v1", "Venue", 51.0, 4.0, "BE", "soon"])
    book = tmp_path / "book.xlsx"
    workbook.save(book)
    with pytest.raises(TourDataError) as raised:
        load_tour(book)
    errors = [str(e) for e in raised.value.errors]
    assert "book.xlsx, sheet tour, 'season_start': is required" in errors
    assert "book.xlsx, sheet venues, row 2, column 'availability': 'soon' is not a date " \
           "(write YYYY-MM-DD, e.g. 2026-03-02)" in errors
    assert "book.xlsx: has no sheet 'crew'" in errors


def test_data_error_names_its_parts():
    error = DataError("venues.csv", 4, "lat", "95.0 is out of range (-90..90)")
    assert (error.file, error.row, error.field) == ("venues.csv", 4, "lat")
    assert str(error) == "venues.csv, row 4, column 'lat': 95.0 is out of range (-90..90)"
