"""Looking after the store: create the schema, check it, rebuild the read models, back up."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.services import services


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the schema (the migrations not applied yet; safe to run again)."""
    services().db.create_schema()
    click.echo("Database ready.")


@click.command("check-store")
@with_appcontext
def check_store() -> None:
    """Check the event log (versions continuous per stream) and that the read models
    equal a replay; exits 1 when anything is wrong. Changes nothing."""
    from tracker.check import check_store as check

    with services().db.unit_of_work() as uow:  # rolled back: the replay is only compared
        report = check(uow.connection)
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}")
    if not report.clean:
        raise click.ClickException(f"{len(report.problems)} problem(s) in {report.events} events")
    click.echo(
        f"Store clean: {report.events} events in {report.streams} streams; "
        "versions continuous, read models equal a replay."
    )


@click.command("rebuild-projections")
@with_appcontext
def rebuild_projections() -> None:
    """Replay every event and rebuild the read models from scratch."""
    from tracker import projections

    with services().db.unit_of_work() as uow:
        count = projections.rebuild(uow.connection)
        uow.commit()
    click.echo(f"Rebuilt the read models from {count} events.")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def backup(target: str) -> None:
    """Copy the SQLite database to TARGET while the app keeps running (online backup).
    For PostgreSQL it explains the pg_dump command to use instead."""
    from tracker.backup import BackupError, backup_sqlite

    try:
        size = backup_sqlite(services().db.url, Path(target))
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Backup written to {target} ({size} bytes); integrity check ok.")


COMMANDS = (init_db, check_store, rebuild_projections, backup)
