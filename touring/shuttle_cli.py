"""``touring shuttle``: parse, call :func:`solvers.shuttle.solve`, write, print.

Registered on the ``touring`` group with ``main.add_command(shuttle_command)``.
"""

from __future__ import annotations

from pathlib import Path

import click

from touring.io.shuttle import FestivalDataError, load_festival, write_plan


@click.command(name="shuttle")
@click.argument("festival", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write shuttle.json into (created if missing).")
@click.option("--time-limit", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Wall-clock seconds for the search.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed handed to the routing core (OR-Tools routing itself is deterministic per run).")
@click.option("--solutions", type=click.IntRange(min=1), default=None,
              help="Reproducible mode: stop after this many improving solutions; the time limit "
                   "becomes a safety net.")
def shuttle_command(festival: Path, out: Path, time_limit: float, seed: int, solutions: int | None) -> None:
    """Plan a festival day's artist shuttles and write OUT/shuttle.json.

    FESTIVAL is a folder with festival.toml, places.csv, fleet.csv and transfers.csv.
    Every transfer is either served on time or listed as unserved with its reason.

    \b
    Example:
        touring shuttle data/festival-shuttle -o out --time-limit 60
    """
    from solvers.shuttle import ShuttleParams, solve

    try:
        loaded = load_festival(festival)
    except FestivalDataError as error:
        raise click.ClickException(str(error)) from None
    plan = solve(loaded, ShuttleParams(time_limit=time_limit, solution_limit=solutions, seed=seed))
    write_plan(out / "shuttle.json", loaded, plan)

    transfers = {t.id: t for t in loaded.transfers}
    on_time = sum(s.on_time(transfers[s.transfer]) for s in plan.served)
    runs = sum(len(v.runs) for v in plan.vehicles)
    click.echo(f"{loaded.name} ({loaded.day}, {loaded.timezone}): {plan.status}, {plan.wall_time:.1f} s"
               f"{' (time limit hit)' if plan.hit_time_limit else ''}")
    click.echo(f"  vehicles used: {len(plan.vehicles)} of {len(loaded.vehicles())}, {runs} runs, "
               f"{plan.km:,.1f} km")
    click.echo(f"  transfers served on time: {on_time} of {len(loaded.transfers)}")
    split = [s for s in plan.served if s.pieces]
    click.echo(f"  split over several vehicles: {len(split)}")
    for item in split:
        click.echo(f"    {item.transfer} ({transfers[item.transfer].who}): {item.describe(transfers[item.transfer])}")
    click.echo(f"  unserved: {len(plan.unserved)}")
    for item in plan.unserved:
        click.echo(f"    {item.transfer} ({transfers[item.transfer].who}): {item.reason}")
    click.echo(f"  written: {out / 'shuttle.json'}")
