"""`flask --app wsgi reminders …`: the scheduler process, and sending a run by hand."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from reminders.periods import Period, ReminderKind, Run
from reminders.service import reminders_of
from tracker.domain.period import PeriodError

group = AppGroup("reminders", help="Quarterly e-mail reminders to the workgroups.")


@group.command("run")
@click.option(
    "--once",
    is_flag=True,
    help="Catch up on what is due, deliver the outbox, and exit (for cron instead).",
)
def run_command(once: bool) -> None:
    """Run the reminder scheduler (its own process; never inside the web workers)."""
    from reminders.scheduler import make_runs, run_scheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        make_runs(app)
        return
    run_scheduler(app)


@group.command("send")
@click.option("--period", required=True, help="The quarter, e.g. 2021Q2.")
@click.option(
    "--kind",
    type=click.Choice([kind.value for kind in ReminderKind]),
    default=ReminderKind.QUARTERLY.value,
    show_default=True,
)
@click.option("--dry-run", is_flag=True, help="Print recipients and subjects; send nothing.")
def send_command(period: str, kind: str, dry_run: bool) -> None:
    """Make one run by hand: print its recipients and subjects, then send them.

    Recipients who already have this reminder in the outbox are not sent it again.
    """
    try:
        run = Run(ReminderKind(kind), Period.parse(period))
    except PeriodError as problem:
        raise click.BadParameter(str(problem), param_hint="--period") from None
    reminders = reminders_of(current_app)
    planned = reminders.plan(run)
    label = "Dry run, nothing is sent or written" if dry_run else "Sending"
    click.echo(f"{label}: {run.kind.value} {run.period}, {len(planned.drafts)} mails")
    for draft in planned.drafts:
        click.echo(f"  {draft.address or '(no address)'}\t{draft.composed.subject}")
    for note in planned.problems:
        click.echo(f"  note: {note}")
    if dry_run:
        return
    written = reminders.make_run(run, once=False)
    outcomes = reminders.deliver_due()
    click.echo(f"{written} new in the outbox; {len(outcomes)} delivery attempts:")
    for outcome in outcomes:
        detail = f" ({outcome.detail})" if outcome.detail else ""
        click.echo(f"  outbox {outcome.outbox_id}: {outcome.status}{detail}")
