"""Borders: ATA carnets, visas and work permits, time zones (touring.paperwork).

Most tests build a Tour and a Plan by hand (no geocoding, no solver): Gent → Brussels
(BE) → Amsterdam (NL) → London (GB) → Gent. One test plans a copy of the tiny tour with
its Antwerp venue moved to London.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from touring.model import (
    CrewMember, DateRange, DayKind, Equipment, Owner, Place, Plan, PlanDay, Show, SolverReport, Tour, TravelPart,
    Venue, VehicleKind,
)
from touring.paperwork import (
    DISCLAIMER, Action, PaperworkKind, country_groups, country_of, customs_territory, entry_rule, entry_rules,
    gear_value, paperwork, plan_legs,
)

DATA = Path(__file__).parent.parent / "touring" / "data"

GENT = Place("home", "Gent", 51.05, 3.72, "Europe/Brussels", "BE")
BRUSSELS = Place("ab", "Ancienne Belgique", 50.85, 4.35, "Europe/Brussels", "BE")
AMSTERDAM = Place("paradiso", "Paradiso", 52.36, 4.88, "Europe/Amsterdam", "NL")
LONDON = Place("barbican", "Barbican", 51.52, -0.09, "Europe/London", "GB")
SEASON = DateRange(date(2026, 3, 1), date(2026, 3, 10))


def crew(member_id: str, nationality: str, **kw) -> CrewMember:
    return CrewMember(member_id, member_id.title(), ("actor",), GENT, nationality, **kw)


def make_tour(crew_members=(), equipment=(), places=(BRUSSELS, AMSTERDAM, LONDON)) -> Tour:
    venues = tuple(Venue(p.id, p.name, p, (SEASON,)) for p in places)
    return Tour("Border test", SEASON, GENT, venues, tuple(Show(v.id, v.id) for v in venues),
                crew=tuple(crew_members), equipment=tuple(equipment))


def make_plan(legs: list[tuple[date, str, str, float, tuple[str, ...]]], bookings=()) -> Plan:
    """A plan whose days hold the given (day, from, to, km, crossings) parts."""
    by_day: dict[date, list[TravelPart]] = {}
    for day, a, b, km, crossings in legs:
        by_day.setdefault(day, []).append(TravelPart(a, b, km, int(km), int(km), crossings))
    days = tuple(PlanDay(d, DayKind.TRAVEL if d in by_day else DayKind.OFF, by_day[d][-1].to_id if d in by_day
                         else "home", None, tuple(by_day.get(d, ()))) for d in SEASON.days())
    report = SolverReport("hand", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    return Plan("Border test", SEASON, "EUR", VehicleKind.TRUCK, tuple(bookings), (), days, report)


GEAR = (Equipment("set", "Set pieces", quantity=4, value=8000),
        Equipment("haze", "Hazer", value=900, owner=Owner.RENTAL, supplier=GENT))
TOUR_LEGS = [(date(2026, 3, 1), "home", "ab", 55.0, ()),
             (date(2026, 3, 4), "ab", "paradiso", 210.0, ()),
             (date(2026, 3, 5), "paradiso", "barbican", 540.0, ("eurotunnel",)),
             (date(2026, 3, 7), "barbican", "home", 380.0, ("eurotunnel",))]


def items_of(items, kind, to_id=None):
    return [i for i in items if i.kind is kind and (to_id is None or i.to_id == to_id)]


# --- ATA carnet ---

def test_carnet_is_flagged_for_a_leg_into_great_britain_with_the_gear_value():
    items = paperwork(make_tour(equipment=GEAR), make_plan(TOUR_LEGS))
    into_gb = items_of(items, PaperworkKind.CARNET, "barbican")
    assert len(into_gb) == 1
    carnet = into_gb[0]
    assert (carnet.action, carnet.from_country, carnet.to_country) == (Action.REQUIRED, "NL", "GB")
    assert carnet.value == 4 * 8000 + 900  # own and rental, value × quantity
    assert "own 32,000, rental 900" in carnet.text and "via eurotunnel" in carnet.text
    assert carnet.day == date(2026, 3, 5)
    # Back into the EU needs it too (the carnet is discharged on re-import).
    assert [i.to_country for i in items_of(items, PaperworkKind.CARNET)] == ["GB", "BE"]


def test_no_carnet_within_the_eu_customs_union():
    items = paperwork(make_tour(equipment=GEAR), make_plan(TOUR_LEGS[:2]))
    assert items_of(items, PaperworkKind.CARNET) == []


def test_no_carnet_without_gear():
    assert items_of(paperwork(make_tour(), make_plan(TOUR_LEGS)), PaperworkKind.CARNET) == []


def test_customs_territories():
    assert customs_territory("BE") == customs_territory("NL") == customs_territory("MC") == "CUSTOMS_EU"
    assert customs_territory("LI") == customs_territory("CH") == "CUSTOMS_CH"
    assert customs_territory("GB") == "GB" and customs_territory("NO") == "NO"


def test_gear_only_needed_at_a_dropped_show_is_not_on_board():
    extra = Equipment("screen", "LED wall", value=50000, needed_at=("not-played",))
    own, rental = gear_value(make_tour(equipment=GEAR + (extra,)), make_plan(TOUR_LEGS))
    assert (own, rental) == (32000, 900)


# --- visas and work permits ---

def test_a_us_crew_member_entering_great_britain_needs_a_creative_worker_route():
    items = paperwork(make_tour([crew("joe", "US")]), make_plan(TOUR_LEGS))
    entry = items_of(items, PaperworkKind.ENTRY, "barbican")
    assert [(i.crew_id, i.action) for i in entry] == [("joe", Action.REQUIRED)]
    assert "Creative Worker" in entry[0].text and "Permitted Paid Engagement" in entry[0].text
    assert entry[0].source.startswith("https://www.gov.uk/")


def test_an_nl_national_needs_nothing_in_belgium_or_at_home():
    # NL → GB needs an ETA and a route to work; GB → BE and BE → NL need nothing.
    items = paperwork(make_tour([crew("piet", "NL")]), make_plan(TOUR_LEGS))
    entry = items_of(items, PaperworkKind.ENTRY)
    assert [(i.to_country, i.action) for i in entry] == [("GB", Action.REQUIRED)]
    assert entry_rule("NL", "BE").action == "none"
    assert entry_rule("NL", "NL") is None  # one's own country


def test_uncertain_cases_say_check():
    assert entry_rule("GB", "BE").action == "check"  # visa-free 90/180, work permit per country
    assert entry_rule("US", "FR").action == "check"
    assert entry_rule("BE", "CH").action == "check"  # Swiss notification for short-term work
    assert entry_rule("JP", "BE").action == "check"  # not in the table
    assert entry_rule("IE", "GB").action == entry_rule("GB", "IE").action == "none"  # Common Travel Area
    assert entry_rule("BE", "US").action == "required"


def test_a_crew_member_without_nationality_is_to_check():
    items = paperwork(make_tour([crew("x", "")]), make_plan(TOUR_LEGS[1:2]))
    assert [(i.crew_id, i.action) for i in items_of(items, PaperworkKind.ENTRY)] == [("x", Action.CHECK)]


def test_a_crew_member_away_that_day_is_not_listed():
    away = crew("joe", "US", availability=(DateRange(date(2026, 3, 1), date(2026, 3, 4)),))
    assert items_of(paperwork(make_tour([away]), make_plan(TOUR_LEGS)), PaperworkKind.ENTRY, "barbican") == []


def test_the_tables_say_they_are_a_planning_aid_and_name_known_groups():
    for name in ("entry_rules.csv", "country_groups.csv"):
        assert "PLANNING AID, NOT LEGAL ADVICE" in (DATA / name).read_text(encoding="utf-8")
    assert "not legal advice" in DISCLAIMER
    groups = set(country_groups())
    for rule in entry_rules():
        assert rule.action in ("none", "required", "check")
        for name in rule.nationality + rule.destination:
            assert name == "*" or name in groups or (len(name) == 2 and name.isupper()), name
        assert rule.source
    assert entry_rules()[-1].nationality == entry_rules()[-1].destination == ("*",)
    assert len(country_groups()["EU"]) == 27
    with (DATA / "entry_rules.csv").open(encoding="utf-8") as f:
        header = next(csv.reader(line for line in f if not line.startswith("#")))
    assert header == ["nationality", "destination", "action", "needed", "note", "source"]


# --- time zones and legs ---

def test_the_time_zone_change_is_shown():
    items = paperwork(make_tour(), make_plan(TOUR_LEGS))
    zones = items_of(items, PaperworkKind.TIME_ZONE)
    assert [i.text for i in zones] == [
        "clocks go back 1 h: Europe/Amsterdam (UTC+01:00) → Europe/London (UTC+00:00)",
        "clocks go forward 1 h: Europe/London (UTC+00:00) → Europe/Brussels (UTC+01:00)",
    ]
    assert all(i.action is Action.INFO for i in zones)


def test_items_come_by_date_and_a_multi_day_leg_is_one_leg():
    legs = TOUR_LEGS[:2] + [(date(2026, 3, 5), "paradiso", "barbican", 300.0, ("eurotunnel",)),
                            (date(2026, 3, 6), "paradiso", "barbican", 240.0, ()),
                            (date(2026, 3, 8), "barbican", "home", 380.0, ("eurotunnel",))]
    plan = make_plan(legs)
    assert [(leg.from_id, leg.day, leg.km) for leg in plan_legs(plan)][2] == ("paradiso", date(2026, 3, 5), 540.0)
    items = paperwork(make_tour([crew("joe", "US")], GEAR), plan)
    assert [i.day for i in items] == sorted(i.day for i in items)
    assert len(items_of(items, PaperworkKind.CARNET, "barbican")) == 1


def test_a_place_without_a_country_takes_the_country_of_its_time_zone():
    assert country_of(Place("p", "P", 48.85, 2.35, "Europe/Paris")) == "FR"
    assert country_of(LONDON) == "GB"


def test_a_tiny_tour_with_a_london_venue_on_disk(tiny_tour):
    from solvers.schedule import ScheduleParams
    from touring.io import load_tour
    from touring.planning import make_plan as plan_tour

    venues = tiny_tour / "venues.csv"
    venues.write_text(venues.read_text().replace("desingel-antwerp,De Singel,Antwerpen,BE,51.1920,4.4160",
                                                 "barbican-london,Barbican,London,GB,51.5200,-0.0940"))
    loaded = load_tour(tiny_tour)
    plan = plan_tour(loaded, ScheduleParams(time_limit_s=5))
    items = paperwork(loaded.tour, plan)
    carnets = items_of(items, PaperworkKind.CARNET)
    assert [(i.from_country, i.to_country) for i in carnets] == [("BE", "GB"), ("GB", "BE")]
    assert carnets[0].value == 4 * 8000 + 6 * 12000 + 900
    # Ben is Dutch: nothing into Belgium; an ETA and a route to work into Britain.
    ben = [i for i in items_of(items, PaperworkKind.ENTRY) if i.crew_id == "ben"]
    assert [(i.to_country, i.action) for i in ben] == [("GB", Action.REQUIRED)]
    assert len(items_of(items, PaperworkKind.TIME_ZONE)) == 2
