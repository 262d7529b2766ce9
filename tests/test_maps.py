"""Maps of the tiny tour's plan: what the builders draw, and the saved page opened in a
real headless Chromium with every request off this machine blocked and recorded."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from datetime import date
from pathlib import Path

import folium
import pytest

from maps import OfflineError, day_map, offline_html, person_map, save_offline, tour_map
from solvers.schedule import ScheduleParams
from touring.io import load_tour
from touring.planning import make_plan

TINY = Path(__file__).parent / "data" / "tiny"
TILES = re.compile(r"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def planned():
    loaded = load_tour(TINY)
    return make_plan(loaded, ScheduleParams(time_limit_s=5)), loaded.tour


@pytest.fixture(scope="module")
def hotel_planned(tmp_path_factory):
    """The tiny tour with a go-home radius of 10 minutes: the night in Brussels is at the Ibis."""
    target = tmp_path_factory.mktemp("maps") / "tiny"
    shutil.copytree(TINY, target, ignore=shutil.ignore_patterns(".touring"))
    toml = target / "tour.toml"
    toml.write_text(toml.read_text().replace("[rules]\n", "[rules]\ngo_home_radius_minutes = 10\n"))
    loaded = load_tour(target)
    return make_plan(loaded, ScheduleParams(time_limit_s=5)), loaded.tour


def _children(m: folium.Map, kind: type) -> list:
    return [child for child in m._children.values() if type(child) is kind]


def test_the_tour_map_numbers_the_venues_and_draws_every_leg(planned):
    plan, tour = planned
    m = tour_map(plan, tour)
    markers = _children(m, folium.Marker)
    assert len(markers) == len(tour.venues) + 1  # the venues and the home base
    labels = sorted(re.search(r">([^<]+)</div>", mk.icon.options["html"]).group(1)
                    for mk in markers if isinstance(mk.icon, folium.DivIcon))
    assert labels == ["1", "2", "3"]
    assert len(_children(m, folium.PolyLine)) == len(plan.bookings) + 1  # out, between shows, home
    given = folium.Map()
    assert tour_map(plan, tour, given) is given


def test_a_leg_with_a_sea_crossing_is_dashed_through_its_ports(planned):
    plan, tour = planned
    days = tuple(dataclasses.replace(d, travel=tuple(dataclasses.replace(t, crossings=("dover-calais",))
                                                     for t in d.travel)) if d.day == date(2026, 3, 10) else d
                 for d in plan.days)
    lines = _children(tour_map(dataclasses.replace(plan, days=days), tour), folium.PolyLine)
    dashed = [line for line in lines if line.options.get("dashArray")]
    assert len(dashed) == 1 and len(dashed[0].locations) == 4  # origin, both ports, destination


def test_day_and_person_maps_show_their_own_places(planned):
    plan, tour = planned
    day = day_map(plan, tour, date(2026, 3, 10))
    assert len(_children(day, folium.Marker)) == 2 and len(_children(day, folium.PolyLine)) == 1
    anna = person_map(plan, tour, tour.crew_by_id["anna"])
    assert len(_children(anna, folium.Marker)) == len(tour.venues) + 2  # and her own home
    with pytest.raises(ValueError, match="2026-03-01 is not a day on the road"):
        day_map(plan, tour, date(2026, 3, 1))


def _popup_html(marker: folium.Marker) -> str:
    popup = next(c for c in marker._children.values() if isinstance(c, folium.Popup))
    return "".join(c.data for c in popup.html._children.values())


def _hotel_markers(m: folium.Map) -> list:
    return [mk for mk in _children(m, folium.Marker)
            if isinstance(mk.icon, folium.DivIcon) and 'class="tour-hotel"' in mk.icon.options["html"]]


def test_day_and_person_maps_mark_the_hotel_of_the_night(hotel_planned):
    plan, tour = hotel_planned
    day = day_map(plan, tour, date(2026, 3, 10))
    hotels = _hotel_markers(day)
    assert len(hotels) == 1 and len(_children(day, folium.Marker)) == 3  # Gent, Brussels, the Ibis
    assert hotels[0].location == [50.845, 4.35]
    popup = _popup_html(hotels[0])
    for text in ("<b>Ibis Brussels Centre</b>", "Tue 10 Mar", "Double: Anna Peeters &amp; Ben Janssens",
                 "Single: Carl De Smet"):
        assert text in popup, text
    assert _hotel_markers(day_map(plan, tour, date(2026, 3, 11))) == []  # no hotel near Antwerp: to book
    anna = _hotel_markers(person_map(plan, tour, tour.crew_by_id["anna"]))
    assert len(anna) == 1
    assert "Tue 10 Mar: Anna Peeters, double, with Ben Janssens" in _popup_html(anna[0])
    assert "L.AwesomeMarkers" not in offline_html(day)  # a plain badge: no icon font, saves offline


def test_the_offline_page_inlines_leaflet_and_links_nothing(planned):
    plan, tour = planned
    html = offline_html(tour_map(plan, tour))
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?:', html)
    assert 't.version="1.9.3"' in html and "jQuery v3.7.1" in html
    assert "L.Icon.Default.mergeOptions({iconUrl: 'data:image/png;base64," in html
    assert "images/marker-icon.png" not in html


def test_a_map_that_needs_awesome_markers_is_refused():
    m = folium.Map()
    folium.Marker((51.0, 4.0), icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(OfflineError, match="the map uses folium.Icon, which needs https://cdn.jsdelivr.net/npm/bootstrap"):
        offline_html(m)


def _chromium_path() -> str:
    """Debian's Chromium and playwright's Python API; on CI their absence fails the test."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "the playwright package is not installed (pip install playwright)"
    if problem is None and not os.access(path, os.X_OK):
        problem = "Chromium is not installed (apt-get install -y chromium)"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the offline map test needs a browser on CI: {problem}")
        pytest.skip(problem)
    return path


def test_the_saved_map_renders_in_chromium_with_no_network(planned, hotel_planned, tmp_path):
    plan, tour = planned
    path = save_offline(tour_map(plan, tour), tmp_path / "tour.html")
    day_path = save_offline(day_map(*hotel_planned, date(2026, 3, 10)), tmp_path / "day.html")
    executable = _chromium_path()
    from playwright.sync_api import sync_playwright

    attempted: list[str] = []
    local: list[str] = []
    errors: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith("file:"):
            local.append(url)
            request_route.continue_()
        else:
            attempted.append(url)
            request_route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 800, "height": 600})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route("**/*", route)
            page.goto(path.as_uri())
            page.wait_for_selector(".leaflet-marker-icon")
            markers = page.locator(".leaflet-marker-icon")
            assert markers.count() == len(tour.venues) + 1
            assert page.locator("path.leaflet-interactive").count() == len(plan.bookings) + 1
            # The home base's pin is Leaflet's default image: it must come from the page itself.
            page.wait_for_function("[...document.querySelectorAll('img.leaflet-marker-icon')]"
                                   ".every(img => img.complete && img.naturalWidth > 0)")
            page.locator(".tour-stop", has_text="2").click()
            popup = page.locator(".leaflet-popup-content")
            popup.wait_for()
            assert "2. Ancienne Belgique" in popup.inner_text() and "Tue 10 Mar" in popup.inner_text()

            # A day with a hotel night: the hotel's badge shows beside the venue's, and opens.
            page.goto(day_path.as_uri())
            page.wait_for_selector(".tour-hotel")
            assert page.locator(".tour-hotel").count() == 1
            assert page.locator(".leaflet-marker-icon").count() == 3
            page.locator(".tour-hotel").click()
            popup = page.locator(".leaflet-popup-content")
            popup.wait_for()
            assert "Ibis Brussels Centre" in popup.inner_text()
            assert "Double: Anna Peeters & Ben Janssens" in popup.inner_text()
        finally:
            browser.close()
    assert errors == []
    assert local == [path.as_uri(), day_path.as_uri()]
    assert attempted and all(TILES.match(url) for url in attempted), attempted
