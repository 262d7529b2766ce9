from datetime import date

import pytest

from touring.errors import FieldError
from touring.model import (
    DateRange, Equipment, Owner, Place, Rules, TravelSettings, Vehicle, VehicleKind, Venue,
)

GHENT = Place("vooruit", "Viernulvier", 51.048, 3.7276, "Europe/Brussels", "BE")


def test_date_range_rejects_end_before_start():
    with pytest.raises(FieldError) as error:
        DateRange(date(2026, 3, 5), date(2026, 3, 1))
    assert error.value.field == "end"


def test_place_rejects_latitude_out_of_range():
    with pytest.raises(FieldError, match=r"lat: 91.0 is out of range \(-90..90\)"):
        Place("x", "x", 91.0, 0.0, "UTC")


def test_venue_needs_both_halves_of_a_radius_clause():
    with pytest.raises(FieldError) as error:
        Venue("v", "v", GHENT, (DateRange(date(2026, 3, 1), date(2026, 3, 2)),), radius_km=50)
    assert error.value.field == "radius_days"


def test_venue_availability_honours_closed_weekdays():
    venue = Venue("v", "v", GHENT, (DateRange(date(2026, 3, 2), date(2026, 3, 8)),), closed_weekdays=frozenset({0}))
    assert not venue.is_available(date(2026, 3, 2))  # a Monday
    assert venue.is_available(date(2026, 3, 3))
    assert not venue.is_available(date(2026, 3, 9))


def test_vehicle_gets_the_usual_licence_of_its_kind():
    truck = Vehicle("t", "t", VehicleKind.TRUCK, 3, GHENT)
    assert truck.licence == "C"


def test_rental_equipment_needs_a_supplier():
    with pytest.raises(FieldError) as error:
        Equipment("haze", "hazer", owner=Owner.RENTAL)
    assert error.value.field == "supplier"


def test_rules_reject_an_impossible_driving_day():
    with pytest.raises(FieldError) as error:
        Rules(max_drive_minutes_per_day=2000)
    assert error.value.field == "max_drive_minutes_per_day"


def test_travel_settings_need_every_kind():
    with pytest.raises(FieldError, match="speeds_kmh.truck"):
        TravelSettings(speeds_kmh={k: 70.0 for k in VehicleKind if k is not VehicleKind.TRUCK})
