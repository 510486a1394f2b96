"""`report`: a quarterly progress report of a plan or a network, written to a file."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from tracker.services import services


@click.command("report")
@click.option("--plan", "plan_slug", help="Plan slug")
@click.option("--network", "network_slug", help="Network slug: all its plans of that year")
@click.option("--period", required=True, help="Quarter, e.g. 2021Q3")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Show it as on")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "xlsx", "csv"]), default="html")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def report(
    plan_slug: str | None,
    network_slug: str | None,
    period: str,
    as_of: datetime | None,
    fmt: str,
    output: str,
) -> None:
    """A quarterly progress report as it stood at the quarter's end (or --as-of)."""
    from tracker.domain.period import EARLIEST_DAY, LATEST_DAY, Period, PeriodError
    from tracker.reports.render import render
    from tracker.reports.service import NothingToReport, reports_for

    if bool(plan_slug) == bool(network_slug):
        raise click.UsageError("give either --plan or --network")
    day = as_of.date() if as_of else None
    if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
        raise click.BadParameter(
            f"give a day from {EARLIEST_DAY} to {LATEST_DAY}", param_hint="--as-of"
        )
    try:
        quarter = Period.parse(period)
        with services().db.session() as session:
            reports = reports_for(
                session,
                period=quarter,
                now=services().clock.now(),
                plan_slug=plan_slug,
                network_slug=network_slug,
                as_of=day,
            )
    except PeriodError as problem:
        raise click.BadParameter(f"{problem}; e.g. 2021Q3", param_hint="--period") from None
    except NothingToReport as problem:
        raise click.ClickException(str(problem)) from None
    data = render(reports, fmt)
    with open(output, "wb") as handle:
        handle.write(data)
    activities = sum(len(r.activities) for r in reports)
    click.echo(f"{quarter}: {activities} activities, {len(data)} bytes written to {output}.")


COMMANDS = (report,)
