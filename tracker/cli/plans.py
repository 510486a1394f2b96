"""Plans from the command line: load or import a plan file, export one, carry a year's
unfinished activities over, record spending. Every change goes through a handler as the
operator (`OPERATOR`); this module only parses, calls and prints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session, select

from tracker.domain.access import OPERATOR
from tracker.domain.commands import LoadPlan, RecordSpending
from tracker.models import Network, Plan
from tracker.services import services

if TYPE_CHECKING:
    from tracker.domain.plan import PlanDocument
    from tracker.importing.draft import Draft


@click.command("load-plan")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def load_plan(path: str) -> None:
    """Load a plan in the project's YAML format (docs/plan-format.md)."""
    from tracker.importing.limits import ImportBudget, ImportFailed, ImportLimits
    from tracker.planfile import PlanFileError, read_plan_yaml

    try:
        with open(path, encoding="utf-8") as handle:
            budget = ImportBudget(ImportLimits.from_config(current_app.config))
            document = read_plan_yaml(handle.read(), budget)
    except (PlanFileError, ImportFailed, UnicodeDecodeError) as problem:
        raise click.ClickException(f"{path}: {problem}") from None
    _store(document)


@click.command("import-plan")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--network", "network_slug", required=True, help="Network slug")
@click.option("--network-name", help="Name of the network, when it is new")
@click.option("--year", type=int, help="Plan year (read from the title when left out)")
@click.option("--create-workgroups", is_flag=True, help="Create the proposed workgroups")
@click.option("--dry-run", is_flag=True, help="Show the draft and its warnings; store nothing")
@with_appcontext
def import_plan(
    path: str,
    network_slug: str,
    network_name: str | None,
    year: int | None,
    create_workgroups: bool,
    dry_run: bool,
) -> None:
    """Import a plan: document text, Word, XLSX or YAML (docs/importing.md)."""
    from tracker.importing.report import describe_draft
    from tracker.importing.review import CREATE, PartyChoice, with_party_choices

    draft = _read_draft(path, network_slug, network_name, year)
    if create_workgroups:  # every proposed party a new workgroup
        choices = [PartyChoice(party, CREATE) for party in draft.proposed_workgroups]
        draft = with_party_choices(draft, choices, {})
    click.echo(describe_draft(draft))
    if dry_run:
        click.echo("Dry run: nothing stored.")
        return
    _store(draft.document)


@click.command("export-plan")
@click.argument("plan_slug")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def export_plan(plan_slug: str, output: str) -> None:
    """Export a plan's content as YAML or XLSX (by the output's extension)."""
    from tracker.importing.stored import stored_plan_document

    write = _plan_writer(output)
    with services().db.session() as session:
        document = stored_plan_document(session, _plan(session, plan_slug))
    data = write(document)
    with open(output, "wb") as handle:
        handle.write(data)
    click.echo(f"{plan_slug}: {len(document.activities)} activities written to {output}.")


@click.command("carry-over")
@click.option("--from", "from_slug", required=True, help="Plan of the year that ends")
@click.option(
    "--to",
    "to_slug",
    help="A later plan of the same network (default: its plan of the next year, made if new)",
)
@click.option("--reason", required=True, help='Why they continue, e.g. "COVID-19"')
@click.option("--activity", "activity_ids", multiple=True, help="Only these (default: all open)")
@click.option("--dry-run", is_flag=True, help="List what would be carried over; store nothing")
@with_appcontext
def carry_over(
    from_slug: str, to_slug: str | None, reason: str, activity_ids: tuple[str, ...], dry_run: bool
) -> None:
    """Year-end carry-over (jaarovergang) of unfinished activities into the next plan."""
    from tracker.carry_over import CarryOverRefused, carry_over_plan

    try:
        outcome = carry_over_plan(
            services().db,
            services().clock,
            actor=OPERATOR,
            from_slug=from_slug,
            to_slug=to_slug,
            reason=reason,
            activity_ids=activity_ids,
            dry_run=dry_run,
        )
    except CarryOverRefused as refused:
        raise click.ClickException(str(refused)) from None
    for line in outcome.lines():
        click.echo(line)
    if dry_run:
        click.echo("Dry run: nothing stored.")


@click.command("record-spending")
@click.option("--plan", "plan_slug", required=True)
@click.option("--theme", required=True, help="A theme of the plan's budget")
@click.option("--amount", required=True, help='Euros, e.g. "1.250,00"')
@click.option("--on", "spent_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--note", default="")
@with_appcontext
def record_spending(plan_slug: str, theme: str, amount: str, spent_on: datetime, note: str) -> None:
    """Record money spent on a theme of a plan's budget (shown in the reports from then)."""
    from tracker.domain.budget import BadAmount, SpendingRefused, parse_amount
    from tracker.handlers.plans import UnknownBudgetTheme
    from tracker.handlers.plans import record_spending as record

    try:
        euros = parse_amount(amount)
    except BadAmount as problem:
        raise click.ClickException(str(problem)) from None
    with services().db.session() as session:
        plan_id = _plan(session, plan_slug).id
    assert plan_id is not None  # a stored plan has one
    command = RecordSpending(OPERATOR, plan_id, theme, euros, spent_on.date(), note)
    try:
        record(services().db.unit_of_work(), command, services().clock)
    except UnknownBudgetTheme as unknown:
        themes = ", ".join(unknown.themes) or "-"
        raise click.ClickException(f"{theme!r} is not a theme of the budget ({themes})") from None
    except SpendingRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"{plan_slug}: {euros} spent on {theme} on {spent_on.date()}.")


COMMANDS = (load_plan, import_plan, export_plan, carry_over, record_spending)


def _store(document: PlanDocument) -> None:
    """Store a plan file as the operator (its network made when new) and say what it did."""
    from tracker.handlers.plans import load_plan as load

    result = load(services().db.unit_of_work(), LoadPlan(OPERATOR, document), services().clock)
    click.echo(
        f"{result.plan_slug}: {result.created} activities added, {result.existing} already there."
    )


def _read_draft(path: str, network_slug: str, network_name: str | None, year: int | None) -> Draft:
    """The draft of a plan file, matched against the workgroups the network already has."""
    from tracker.importing.draft import NO_ACTIVITIES
    from tracker.importing.files import read_plan_file
    from tracker.importing.limits import ImportFailed, ImportLimits
    from tracker.queries import known_workgroups

    with services().db.session() as session:
        network = session.exec(select(Network).where(Network.slug == network_slug)).first()
        known = known_workgroups(session, network.id) if network and network.id else []
        name = network.name if network else (network_name or network_slug)
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        draft = read_plan_file(
            path,
            data,
            network_slug=network_slug,
            network_name=name,
            year=year,
            known=known,
            limits=ImportLimits.from_config(current_app.config),
        )
    except ImportFailed as problem:
        raise click.ClickException(f"{path}: {problem}") from None
    if not draft.document.activities:  # the browser's review maps the layout; here: refused
        raise click.ClickException(
            f"{path}: {NO_ACTIVITIES}; upload it in the browser to map its columns and labels"
        )
    return draft


def _plan_writer(output: str) -> Callable[[PlanDocument], bytes]:
    """How to write a plan to OUTPUT, chosen by its extension (refused before any reading)."""
    name = output.lower()
    if name.endswith(".xlsx"):
        from tracker.importing.spreadsheet import write_plan_xlsx

        return write_plan_xlsx
    if name.endswith((".yaml", ".yml")):
        from tracker.planfile import dump_plan_yaml

        return lambda document: dump_plan_yaml(document).encode("utf-8")
    raise click.ClickException("the output must end in .xlsx or .yaml")


def _plan(session: Session, slug: str) -> Plan:
    """The plan with this slug, or a ClickException."""
    plan = session.exec(select(Plan).where(Plan.slug == slug)).first()
    if plan is None:
        raise click.ClickException(f"no plan {slug!r}")
    return plan
