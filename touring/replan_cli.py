"""``touring replan``, ``touring history`` and ``touring diff``: parse, call, print.

Registered in :mod:`touring.cli` with::

    from touring.replan_cli import diff_command, history_command, replan_command
    main.add_command(replan_command, "replan")
    main.add_command(history_command, "history")
    main.add_command(diff_command, "diff")
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator

import click

from touring.errors import DataError, TourDataError
from touring.io import LoadedTour, load_tour


def _load(tour_path: Path) -> LoadedTour:
    try:
        return load_tour(tour_path)
    except TourDataError as error:
        raise click.ClickException(str(error)) from None


def _today(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-03-12") from None


def _db_option(command):
    return click.option(
        "--db", metavar="URL", envvar="TOURING_DB",
        help="SQLAlchemy URL of the history database, e.g. postgresql+psycopg://user@host/touring "
             "(default: TOUR/.touring/history.sqlite; also read from $TOURING_DB).")(command)


@contextmanager
def _history(tour: Path, db: str | None, *, existing: bool) -> Iterator:
    """The tour's history (``--db`` or the file in the tour); with ``existing``, a missing one is an error."""
    from touring.io.history import HISTORY_FILE, History, HistoryError

    if existing and db is None and not (tour / HISTORY_FILE).exists():
        raise click.ClickException(f"no history yet in {tour / HISTORY_FILE}: run touring replan first")
    try:
        with History(tour, db) as history:
            if existing and history.latest() is None:
                raise click.ClickException(f"no history yet for tour {history.tour!r} in {history.describe()}: "
                                           "run touring replan first")
            yield history
    except HistoryError as error:
        raise click.ClickException(str(error)) from None


@click.command("replan")
@click.argument("tour", type=click.Path(exists=True, path_type=Path))
@click.option("--plan", "plan_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The plan in force (plan.json or a version file).")
@click.option("--today", required=True, callback=_today, metavar="DATE",
              help="Shows starting before this date are history and keep their dates.")
@click.option("--cancel", multiple=True, metavar="SHOW_ID", help="Cancel a show.")
@click.option("--window", multiple=True, metavar="VENUE_ID:RANGES",
              help="New windows of a venue, e.g. ab-brussels:2026-03-02..2026-03-08;2026-03-12.")
@click.option("--add-show", multiple=True, metavar="VENUE_ID:FEE", help="Add a required show at a venue.")
@click.option("--unavailable", multiple=True, metavar="CREW_ID:FROM..TO", help="A crew member cannot work.")
@click.option("--vehicle-out", multiple=True, metavar="VEHICLE_ID:FROM[..TO]", help="A vehicle out of service.")
@click.option("--hotel-lost", multiple=True, metavar="HOTEL_ID:DATE", help="A hotel booking lost on a date.")
@click.option("--join", multiple=True, metavar="CREW_ID:FROM[..TO]",
              help="A crew member listed in crew.csv who works from FROM (to TO) only.")
@click.option("--hire", multiple=True, metavar="VEHICLE_ID:FROM[..TO]",
              help="A vehicle listed in vehicles.csv that joins the fleet from FROM (to TO) only.")
@click.option("--events", "events_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="More events from a CSV with columns kind,value (kind as the options: cancel, window, ...).")
@click.option("--allow-moving", is_flag=True,
              help="Let booked shows and hotel stays move (each change is counted and penalised by the "
                   "weights.replan_* settings) instead of fixing them.")
@click.option("--add-dropped", is_flag=True,
              help="Let optional shows the plan in force dropped be played now (e.g. in a freed slot).")
@click.option("--time-limit", default=10.0, show_default=True, help="Seconds for the date scheduler.")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the new plan.json (as a new version), changes.md and changes.html.")
@_db_option
@click.option("--export", "export_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also re-issue the exports (as `touring export`) into this folder: give the folder of the "
                   "previous export so calendars keep their UIDs, raise SEQUENCE and cancel what is gone.")
def replan_command(tour: Path, plan_path: Path, today: date, cancel, window, add_show, unavailable, vehicle_out,
                   hotel_lost, join, hire, events_csv: Path | None, allow_moving: bool, add_dropped: bool,
                   time_limit: float, out_dir: Path, db: str | None, export_dir: Path | None) -> None:
    """Recompute TOUR's plan after events, changing as little as possible.

    Dates before --today do not move. Everything the plan in force holds from --today on
    counts as booked: show dates, hotel stays and which vehicle carries which gear stay
    put unless an event forces a change (or --allow-moving lets it, counted and
    penalised). A vehicle out, a hire and a lost hotel apply to their days only. When the
    plan has transport runs they are planned again. Every plan and its events are kept in
    TOUR/.touring/history.sqlite, or in the database --db names.

    \b
    Example:
        touring replan data/flemish-theatre --plan out/plan.json --today 2026-03-10 \\
            --cancel ab-brussels --unavailable anna:2026-03-12..2026-03-14 -o out
    """
    from solvers.replan import replan
    from solvers.schedule import ScheduleParams
    from touring.changes import changes_html, changes_markdown, crew_changes
    from touring.io.files import write_text_atomic
    from touring.io.history import parse_event, read_events_csv
    from touring.io.plan import read_plan, write_plan

    loaded = _load(tour)
    try:
        previous = read_plan(plan_path)
    except DataError as error:
        raise click.ClickException(str(error)) from None
    events = []
    for kind, values in (("cancel", cancel), ("window", window), ("add-show", add_show),
                         ("unavailable", unavailable), ("vehicle-out", vehicle_out), ("hotel-lost", hotel_lost),
                         ("join", join), ("hire", hire)):
        for value in values:
            try:
                events.append(parse_event(kind, value))
            except ValueError as error:
                raise click.BadParameter(str(error), param_hint=f"--{kind}") from None
    if events_csv is not None:
        try:
            events += read_events_csv(events_csv)
        except DataError as error:
            raise click.ClickException(str(error)) from None
    if not events:
        raise click.UsageError("no event given: use --cancel, --window, ... or --events")
    try:
        result = replan(loaded, previous, tuple(events), today, ScheduleParams(time_limit_s=time_limit),
                        allow_moving=allow_moving, add_dropped=add_dropped)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if not result.found:
        lines = "\n".join(f"  - {c}" for c in result.plan.conflicts)
        raise click.ClickException(f"no plan keeps every rule after these events ({result.plan.schedule_report.status})"
                                   + (f":\n{lines}" if lines else ""))
    write_plan(result.plan, result.tour, out_dir, tour_source=tour)
    with _history(loaded.root, db, existing=False) as history:
        based_on = history.latest()
        if based_on is None:
            based_on = history.add(previous, loaded.tour)
        number = history.add(result.plan, result.tour, result.events, based_on, today)
    changes = crew_changes(loaded.tour, previous, result.plan)
    write_text_atomic(out_dir / "changes.md", changes_markdown(loaded.tour, changes))
    write_text_atomic(out_dir / "changes.html", changes_html(loaded.tour, changes))
    click.echo(f"version {number} (from {based_on}): {len(result.plan.bookings)} shows, "
               f"{result.plan.km:,.0f} km, {result.plan.fees:,.0f} {loaded.tour.currency} in fees; "
               f"{len(result.cancelled)} cancelled, {len(result.moved)} moved, {len(result.added)} added"
               + (" (booked dates had to be freed)" if result.relaxed else "") + f"; {result.wall_time_s:.1f} s")
    for label, ids in (("cancelled", result.cancelled), ("moved", result.moved), ("added", result.added),
                       ("forced to move", result.forced)):
        if ids:
            click.echo(f"  {label}: {', '.join(ids)}")
    if result.changed_stays:
        click.echo(f"  hotel stays changed: {len(result.changed_stays)} (person-nights)")
    if result.changed_units:
        click.echo(f"  gear units in another vehicle: {result.changed_units}")
    people = sum(1 for items in changes.values() if items)
    click.echo(f"Changes for {people} crew member(s) in {out_dir / 'changes.md'}")
    if export_dir is not None:
        _reissue(result.plan, result.tour, export_dir, number)


def _reissue(plan, tour, export_dir: Path, version: int) -> None:
    """Write the exports of the new plan into ``export_dir``, re-issuing the export found there."""
    from touring.export import ExportError, PdfUnavailable, export_plan
    from touring.export.state import read_state

    try:
        earlier = read_state(export_dir)
        written = export_plan(plan, tour, export_dir, version=version)
    except (DataError, ExportError, PdfUnavailable) as error:
        raise click.ClickException(str(error)) from None
    what = f"re-issued ({earlier.issue.label} before)" if earlier is not None else "written (no earlier export there)"
    click.echo(f"Exports {what}: {len(written)} files in {export_dir}; open {export_dir / 'index.html'}")


@click.command("history")
@click.argument("tour", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_db_option
def history_command(tour: Path, db: str | None) -> None:
    """List the plan versions kept for TOUR, with their events and figures.

    \b
    Example:
        touring history data/flemish-theatre
    """
    with _history(tour, db, existing=True) as history:
        versions = history.versions()
    for v in versions:
        origin = f"from {v.based_on}" if v.based_on else "first"
        when = f", today {v.today}" if v.today else ""
        objective = f", objective {v.objective:,.2f}" if v.objective is not None else ""
        click.echo(f"v{v.number} ({origin}{when}, {v.created_at}): {v.status}, {v.shows} shows, {v.km:,.1f} km, "
                   f"fees {v.fees:,.2f}{objective}")
        for event in v.events:
            click.echo(f"  - {event}")


@click.command("diff")
@click.argument("tour", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("v1", type=int)
@click.argument("v2", type=int)
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the per-person changes as an HTML page.")
@_db_option
def diff_command(tour: Path, v1: int, v2: int, html_path: Path | None, db: str | None) -> None:
    """Say, per crew member, what changes from version V1 to version V2 of TOUR's plan.

    \b
    Example:
        touring diff data/flemish-theatre 1 2 --html changes.html
    """
    from touring.changes import changes_html, changes_markdown, crew_changes
    from touring.io.files import write_text_atomic

    with _history(tour, db, existing=True) as history:
        loaded = _load(tour)
        try:
            old, new = history.plan(v1), history.plan(v2)
        except KeyError as error:
            raise click.ClickException(f"there is no version {error.args[0]}") from None
    changes = crew_changes(loaded.tour, old, new)
    click.echo(changes_markdown(loaded.tour, changes), nl=False)
    if html_path is not None:
        write_text_atomic(html_path, changes_html(loaded.tour, changes))
