"""The ``touring`` command: parse, call the library, print. No business logic here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from touring.errors import FieldError, TourDataError
from touring.io import LoadedTour, load_tour
from touring.io.cache import JsonCache
from touring.model import VehicleKind
from touring.places import Geocoder


def _load(tour_path: Path, geocoder: Geocoder | None = None) -> LoadedTour:
    try:
        return load_tour(tour_path, geocoder=geocoder)
    except TourDataError as error:
        for warning in error.warnings:
            click.echo(f"warning: {warning}", err=True)
        raise click.ClickException(str(error)) from None


def _geocoder(service: str | None, url: str | None) -> Geocoder | None:
    if service is None:
        return None
    try:
        return Geocoder(service, url)
    except FieldError as error:
        raise click.BadParameter(error.message, param_hint="--geocoder") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="touring")
def main() -> None:
    """Plan tours: dates, transport, hotels, crew and exports, offline.

    A TOUR is a folder holding tour.toml and CSV files (venues.csv, crew.csv, ...) or one
    .xlsx workbook with the same sheets. See data/README.md for the format.

    \b
    Example:
        touring check data/flemish-theatre
    """


@main.command()
@click.argument("tour", type=click.Path(exists=True, path_type=Path))
@click.option("--geocoder", "geocoder_service", metavar="SERVICE",
              help="Also ask an online geocoder (geopy name, e.g. nominatim) for cities the offline data lacks.")
@click.option("--geocoder-url", metavar="URL", help="The geocoder's address, e.g. https://nominatim.example.org.")
def check(tour: Path, geocoder_service: str | None, geocoder_url: str | None) -> None:
    """Load TOUR and report every problem, each with its file, row and column.

    Exits with status 0 when the tour is clean (warnings allowed), 1 otherwise.

    \b
    Example:
        touring check data/festival-summer
    """
    loaded = _load(tour, _geocoder(geocoder_service, geocoder_url))
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    t = loaded.tour
    click.echo(f"{t.name}: {t.season} — {len(t.venues)} venues, {len(t.shows)} shows "
               f"({sum(s.required for s in t.shows)} required), {len(t.crew)} crew, {len(t.vehicles)} vehicles, "
               f"{len(t.equipment)} equipment items, {len(t.hotels)} hotels. No problems found.")


def _duration(minutes: int) -> str:
    return f"{minutes // 60}h{minutes % 60:02d}"


@main.command()
@click.argument("tour", type=click.Path(exists=True, path_type=Path))
@click.option("--kind", type=click.Choice([k.value for k in VehicleKind]), default=VehicleKind.VAN.value,
              show_default=True, help="Vehicle kind whose speed applies.")
@click.option("--osrm", "osrm_url", metavar="URL",
              help="Road times from an OSRM server's /table API, e.g. http://127.0.0.1:5000.")
@click.option("--top", default=10, show_default=True, help="How many of the longest legs to list.")
def travel(tour: Path, kind: str, osrm_url: str | None, top: int) -> None:
    """Summarise TOUR's travel matrix: the longest legs and the legs with crossings.

    Legs run between the home base and the venues. Matrices are cached in the tour
    folder under .touring/cache and recomputed when any input changes.

    \b
    Example:
        touring travel data/festival-summer --kind truck
    """
    from solvers.osrm import OsrmError
    from solvers.travel import OsrmRoad, crossing_names, travel_matrix

    loaded = _load(tour)
    t = loaded.tour
    road = OsrmRoad(osrm_url, t.travel.speeds_kmh[VehicleKind.CAR]) if osrm_url else None
    try:
        matrix = travel_matrix(t, kind, road=road, cache=JsonCache.for_tour(loaded.root))
    except OsrmError as error:
        raise click.ClickException(str(error)) from None
    stops = ["home"] + [v.id for v in t.venues]
    names = {"home": f"home ({t.home.name})"} | {v.id: v.name for v in t.venues}
    legs = [(a, b, matrix.leg(a, b)) for i, a in enumerate(stops) for b in stops[i + 1:]]
    source = "OSRM" if osrm_url else f"geodesic x {t.travel.detour_factor:g} at {t.travel.speeds_kmh[VehicleKind(kind)]:g} km/h"
    click.echo(f"{t.name}: {len(stops)} places, {len(legs)} legs by {kind} ({source})"
               f"{' [cached]' if matrix.from_cache else ''}")
    click.echo(f"\nLongest {min(top, len(legs))} legs:")
    for a, b, leg in sorted(legs, key=lambda item: -item[2].minutes)[:top]:
        via = f"  via {', '.join(leg.crossings)}" if leg.crossings else ""
        click.echo(f"  {names[a]} – {names[b]}: {leg.km:,.0f} km, {_duration(leg.minutes)}{via}")
    crossing = [(a, b, leg) for a, b, leg in legs if leg.crossings]
    labels = crossing_names()
    used: dict[str, int] = {}
    for _, _, leg in crossing:
        for crossing_id in leg.crossings:
            used[crossing_id] = used.get(crossing_id, 0) + 1
    by_use = ", ".join(f"{labels[c]} {n}" for c, n in sorted(used.items(), key=lambda item: -item[1]))
    click.echo(f"\nLegs with crossings: {len(crossing)}{f' ({by_use})' if by_use else ''}")
    if crossing:
        click.echo(f"Shortest {min(top, len(crossing))} of them:")
    for a, b, leg in sorted(crossing, key=lambda item: item[2].minutes)[:top]:
        click.echo(f"  {names[a]} – {names[b]}: {_duration(leg.minutes)} "
                   f"({_duration(leg.drive_minutes)} driving) via {'; '.join(labels[c] for c in leg.crossings)}")

def _progress(seconds: float, objective: float, bound: float) -> None:
    shown = f"{bound:>14,.2f}" if bound > -1e300 else f"{'none yet':>14}"
    click.echo(f"  {seconds:6.1f} s  plan {objective:>14,.2f}  bound {shown}", err=True)


@main.command()
@click.argument("tour", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for plan.json; earlier versions are kept in OUT/versions.")
@click.option("--time-limit", default=30.0, show_default=True, help="Seconds for the scheduler.")
@click.option("--seed", default=0, show_default=True, help="Random seed; the same seed gives the same plan.")
@click.option("--workers", default=2, show_default=True, help="CP-SAT worker threads.")
@click.option("--quiet", is_flag=True, help="No progress lines while solving.")
@click.option("--export", "export_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the exports (as `touring export`) into this folder.")
@click.option("--transport/--no-transport", default=True, show_default=True,
              help="Plan each vehicle's daily runs (who and what rides where, drivers, driver hours).")
def plan(tour: Path, out_dir: Path, time_limit: float, seed: int, workers: int, quiet: bool,
         export_dir: Path | None, transport: bool) -> None:
    """Choose the dates of TOUR's shows and write OUT/plan.json.

    Prints a day-by-day table and a summary; while solving, a line per better plan shows
    its cost and the best bound (on standard error). An impossible tour is explained by
    the rules that conflict, and exits with status 1.

    \b
    Example:
        touring plan data/flemish-theatre -o out/flemish
    """
    from solvers.schedule import ScheduleParams
    from touring.io.plan import version_number, write_plan
    from touring.planning import make_plan
    from touring.report import day_table, summary_lines

    loaded = _load(tour)
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        click.echo(f"Solving {loaded.tour.name} ({len(loaded.tour.shows)} shows, {time_limit:g} s, seed {seed}, "
                   f"{workers} workers)", err=True)
    params = ScheduleParams(time_limit_s=time_limit, seed=seed, workers=workers,
                            progress=None if quiet else _progress)
    from solvers.transport import TransportParams

    result = make_plan(loaded, params, transport_params=TransportParams() if transport else None)
    version = write_plan(result, loaded.tour, out_dir, tour_source=tour)
    if result.found:
        for line in day_table(result, loaded.tour):
            click.echo(line)
        click.echo("")
    for line in summary_lines(result, loaded.tour):
        click.echo(line)
    click.echo(f"\nWritten: {out_dir / 'plan.json'} (version {version.name})")
    if not result.found:
        sys.exit(1)
    if export_dir is not None:
        _export(result, loaded.tour, export_dir, pdf=True, version=version_number(version))


def _export(plan_result, tour, out_dir: Path, pdf: bool, version: int | None = None) -> None:
    from touring.export import ExportError, PdfUnavailable, export_plan

    try:
        # The version number lets a re-issue say "changed since version N".
        written = export_plan(plan_result, tour, out_dir, pdf=pdf, version=version)
    except (ExportError, PdfUnavailable) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Written: {len(written)} files in {out_dir}; open {out_dir / 'index.html'}")


@main.command(name="export")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the exports (index.html, calendars, itinerary.xlsx, day sheets, maps).")
@click.option("--tour", "tour_path", type=click.Path(exists=True, path_type=Path),
              help="The tour the plan was made from; default: the one plan.json records.")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF day sheets and itineraries.")
def export(plan_file: Path, out_dir: Path, tour_path: Path | None, no_pdf: bool) -> None:
    """Write calendars, spreadsheets, day sheets, itineraries and offline maps of PLAN.

    PLAN is a plan.json (or the folder holding it) written by `touring plan`. Open
    OUT/index.html; every page works with no network (maps show without tiles).

    \b
    Example:
        touring export out/flemish/plan.json -o out/flemish/export
    """
    from touring.errors import DataError
    from touring.io.plan import read_plan, read_tour_source, version_number

    if plan_file.is_dir():
        plan_file = plan_file / "plan.json"
    try:
        plan_result = read_plan(plan_file)
    except DataError as error:
        raise click.ClickException(str(error)) from None
    tour_path = tour_path or read_tour_source(plan_file)
    if tour_path is None:
        raise click.ClickException(f"{plan_file} does not name a tour that exists here; give it with --tour")
    _export(plan_result, _load(tour_path).tour, out_dir, pdf=not no_pdf, version=version_number(plan_file))


def _register_extra_commands() -> None:
    from touring.replan_cli import diff_command, history_command, replan_command
    from touring.shuttle_cli import shuttle_command

    main.add_command(shuttle_command)
    main.add_command(replan_command, "replan")
    main.add_command(history_command, "history")
    main.add_command(diff_command, "diff")


_register_extra_commands()


if __name__ == "__main__":
    sys.exit(main())
