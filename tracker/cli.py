"""Admin commands: `flask --app wsgi COMMAND`."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import Flask, current_app
from sqlmodel import select

from tracker import accounts, projections
from tracker.domain.access import OPERATOR, Role
from tracker.domain.commands import (
    CreateApiToken,
    CreatePerson,
    ErasePerson,
    LoadPlan,
    RecordSpending,
)
from tracker.domain.plan import PlanDocument
from tracker.handlers import people
from tracker.models import Network, User, Workgroup
from tracker.planfile import PlanFileError, read_plan_yaml
from tracker.services import services

ROLES = ("admin", "coordinator", "member", "board")


def init_app(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the schema (the migrations not applied yet; safe to run again)."""
        services().db.create_schema()
        click.echo("Database ready.")

    @app.cli.command("load-demo")
    def load_demo_command() -> None:
        """Load the Twente 2021 demo plan and the demo accounts (safe to run again)."""
        from tracker.demo import DEMO_PASSWORD, load_demo

        services().db.create_schema()
        demo_accounts = load_demo(services().db, services().passwords)
        click.echo("Demo loaded: Jaarplan 2021 of the Netwerken Palliatieve Zorg Twente.")
        click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in demo_accounts:
            role = "admin" if account.is_admin else account.role
            extra = f" ({', '.join(account.workgroups)})" if account.workgroups else ""
            click.echo(f"  {account.email:32} {role}{extra}")

    @app.cli.command("load-plan")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def load_plan_command(path: str) -> None:
        """Load a plan in the project's YAML format (docs/plan-format.md)."""
        from tracker.importing.limits import ImportBudget, ImportFailed, ImportLimits

        try:
            with open(path, encoding="utf-8") as handle:
                budget = ImportBudget(ImportLimits.from_config(current_app.config))
                document = read_plan_yaml(handle.read(), budget)
        except (PlanFileError, ImportFailed, UnicodeDecodeError) as problem:
            raise click.ClickException(f"{path}: {problem}") from None
        _load(document)

    @app.cli.command("import-plan")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--network", "network_slug", required=True, help="Network slug")
    @click.option("--network-name", help="Name of the network, when it is new")
    @click.option("--year", type=int, help="Plan year (read from the title when left out)")
    @click.option("--create-workgroups", is_flag=True, help="Create the proposed workgroups")
    @click.option("--dry-run", is_flag=True, help="Show the draft and its warnings; store nothing")
    def import_plan_command(
        path: str,
        network_slug: str,
        network_name: str | None,
        year: int | None,
        create_workgroups: bool,
        dry_run: bool,
    ) -> None:
        """Import a plan: document text, Word, XLSX or YAML (docs/importing.md)."""
        from tracker.importing.draft import ImportFailed, with_new_workgroups
        from tracker.importing.files import read_plan_file
        from tracker.importing.limits import ImportLimits
        from tracker.importing.report import describe_draft
        from tracker.queries import known_workgroups

        db = services().db
        with db.session() as session:
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
        if create_workgroups:
            draft = with_new_workgroups(draft, draft.proposed_workgroups)
        click.echo(describe_draft(draft))
        if dry_run:
            click.echo("Dry run: nothing stored.")
            return
        _load(draft.document)

    @app.cli.command("export-plan")
    @click.argument("plan_slug")
    @click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
    def export_plan_command(plan_slug: str, output: str) -> None:
        """Export a plan's content as YAML or XLSX (by the output's extension)."""
        from tracker.importing.spreadsheet import write_plan_xlsx
        from tracker.importing.stored import stored_plan_document
        from tracker.models import Plan
        from tracker.planfile import dump_plan_yaml

        with services().db.session() as session:
            plan = session.exec(select(Plan).where(Plan.slug == plan_slug)).first()
            if plan is None:
                raise click.ClickException(f"no plan {plan_slug!r}")
            document = stored_plan_document(session, plan)
        if output.lower().endswith(".xlsx"):
            data = write_plan_xlsx(document)
        elif output.lower().endswith((".yaml", ".yml")):
            data = dump_plan_yaml(document).encode("utf-8")
        else:
            raise click.ClickException("the output must end in .xlsx or .yaml")
        with open(output, "wb") as handle:
            handle.write(data)
        click.echo(f"{plan_slug}: {len(document.activities)} activities written to {output}.")

    @app.cli.command("carry-over")
    @click.option("--from", "from_slug", required=True, help="Plan of the year that ends")
    @click.option(
        "--to",
        "to_slug",
        help="A later plan of the same network (default: its plan of the next year, made if new)",
    )
    @click.option("--reason", required=True, help='Why they continue, e.g. "COVID-19"')
    @click.option(
        "--activity", "activity_ids", multiple=True, help="Only these (default: all open)"
    )
    @click.option("--dry-run", is_flag=True, help="List what would be carried over; store nothing")
    def carry_over_command(
        from_slug: str,
        to_slug: str | None,
        reason: str,
        activity_ids: tuple[str, ...],
        dry_run: bool,
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

    @app.cli.command("report")
    @click.option("--plan", "plan_slug", help="Plan slug")
    @click.option("--network", "network_slug", help="Network slug: all its plans of that year")
    @click.option("--period", required=True, help="Quarter, e.g. 2021Q3")
    @click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Show it as on")
    @click.option(
        "--format", "fmt", type=click.Choice(["html", "pdf", "xlsx", "csv"]), default="html"
    )
    @click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
    def report_command(
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
        if as_of is not None and not EARLIEST_DAY <= as_of.date() <= LATEST_DAY:
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
                    as_of=as_of.date() if as_of else None,
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

    @app.cli.command("record-spending")
    @click.option("--plan", "plan_slug", required=True)
    @click.option("--theme", required=True, help="A theme of the plan's budget")
    @click.option("--amount", required=True, help='Euros, e.g. "1.250,00"')
    @click.option("--on", "spent_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
    @click.option("--note", default="")
    def record_spending_command(
        plan_slug: str, theme: str, amount: str, spent_on: datetime, note: str
    ) -> None:
        """Record money spent on a theme of a plan's budget (shown in the reports from then)."""
        from tracker.domain.budget import BadAmount, parse_amount
        from tracker.handlers.plans import UnknownBudgetTheme, record_spending
        from tracker.models import Plan

        try:
            euros = parse_amount(amount)
        except BadAmount as problem:
            raise click.ClickException(str(problem)) from None
        with services().db.session() as session:
            plan = session.exec(select(Plan).where(Plan.slug == plan_slug)).first()
        if plan is None or plan.id is None:
            raise click.ClickException(f"no plan {plan_slug!r}")
        command = RecordSpending(OPERATOR, plan.id, theme, euros, spent_on.date(), note)
        try:
            record_spending(services().db.unit_of_work(), command, services().clock)
        except UnknownBudgetTheme as unknown:
            themes = ", ".join(unknown.themes) or "-"
            raise click.ClickException(
                f"{theme!r} is not a theme of the budget ({themes})"
            ) from None
        click.echo(f"{plan_slug}: {euros} spent on {theme} on {spent_on.date()}.")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--name", required=True)
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--network", "network_slug", help="Network slug (for coordinator, member, board)")
    @click.option("--workgroup", "workgroup_names", multiple=True, help="Workgroup name (members)")
    def create_user_command(
        email: str, name: str, role: str, network_slug: str | None, workgroup_names: tuple[str, ...]
    ) -> None:
        """Create a person; the password is read from standard input."""
        password = sys.stdin.readline().rstrip("\n")
        network_id: int | None = None
        workgroup_ids: list[int] = []
        if role != "admin":
            if not network_slug:
                raise click.UsageError("--network is required for this role")
            network_id, workgroup_ids = _network_and_workgroups(network_slug, workgroup_names)
        elif workgroup_names:
            raise click.UsageError("--workgroup needs --role member (or coordinator) and --network")
        command = CreatePerson(
            OPERATOR,
            email=email,
            name=name,
            password=password,
            is_admin=role == "admin",
            network_id=network_id,
            role=None if role == "admin" else Role(role),
            workgroup_ids=tuple(workgroup_ids),
        )
        tools = services()
        try:
            user_id = people.create_person(
                tools.db.unit_of_work(), command, tools.clock, tools.passwords
            )
        except accounts.AccountError as refused:
            raise click.ClickException(str(refused)) from None
        click.echo(f"Created user {user_id} ({role}).")

    @app.cli.command("create-token")
    @click.argument("email")
    def create_token_command(email: str) -> None:
        """Print a new API bearer token for a person (shown once; store it safely)."""
        command = CreateApiToken(OPERATOR, _person_id(email))
        try:
            token = people.create_api_token(services().db.unit_of_work(), command, services().clock)
        except people.Refused:
            raise click.ClickException("this person is deactivated") from None
        click.echo(token)

    @app.cli.command("export-person")
    @click.argument("email")
    @click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
    def export_person_command(email: str, output: str) -> None:
        """Write everything stored about a person to a JSON file."""
        _export_person(_person_id(email), output)
        click.echo(f"Personal data written to {output}.")

    @app.cli.command("erase-person")
    @click.argument("email")
    @click.option("--export", "export_to", type=click.Path(dir_okay=False), help="JSON first")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation")
    def erase_person_command(email: str, export_to: str | None, yes: bool) -> None:
        """Erase a person's personal data; the event log keeps replaying ("verwijderde
        gebruiker"). With --export their data is written to a JSON file first."""
        user_id = _person_id(email)
        if export_to:
            _export_person(user_id, export_to)
            click.echo(f"Personal data written to {export_to}.")
        if not yes:
            click.confirm(f"Erase person {user_id} for good?", abort=True)
        people.erase_person(
            services().db.unit_of_work(), ErasePerson(OPERATOR, user_id), services().clock
        )
        click.echo(f"Person {user_id} erased.")

    @app.cli.command("backup")
    @click.argument("target", type=click.Path(dir_okay=False))
    def backup_command(target: str) -> None:
        """Copy the SQLite database to TARGET while the app keeps running (online backup).
        For PostgreSQL it explains the pg_dump command to use instead."""
        from pathlib import Path

        from tracker.backup import BackupError, backup_sqlite

        try:
            size = backup_sqlite(services().db.url, Path(target))
        except BackupError as problem:
            raise click.ClickException(str(problem)) from None
        click.echo(f"Backup written to {target} ({size} bytes); integrity check ok.")

    @app.cli.command("check-store")
    def check_store_command() -> None:
        """Check the event log (versions continuous per stream) and that the read models
        equal a replay; exits 1 when anything is wrong. Changes nothing."""
        from tracker.check import check_store

        with services().db.unit_of_work() as uow:  # rolled back: the replay is only compared
            report = check_store(uow.connection)
        for problem in report.problems:
            click.echo(f"PROBLEM: {problem}")
        if not report.clean:
            raise click.ClickException(
                f"{len(report.problems)} problem(s) in {report.events} events"
            )
        click.echo(
            f"Store clean: {report.events} events in {report.streams} streams; "
            "versions continuous, read models equal a replay."
        )

    @app.cli.command("rebuild-projections")
    def rebuild_projections() -> None:
        """Replay every event and rebuild the read models from scratch."""
        with services().db.unit_of_work() as uow:
            count = projections.rebuild(uow.connection)
            uow.commit()
        click.echo(f"Rebuilt the read models from {count} events.")


def _load(document: PlanDocument) -> None:
    """Store a plan file as the operator (its network made when new) and say what it did."""
    from tracker.handlers.plans import load_plan

    result = load_plan(services().db.unit_of_work(), LoadPlan(OPERATOR, document), services().clock)
    click.echo(
        f"{result.plan_slug}: {result.created} activities added, {result.existing} already there."
    )


def _network_and_workgroups(slug: str, names: tuple[str, ...]) -> tuple[int, list[int]]:
    """A network by its short name, and its workgroups by their names (in that network)."""
    with services().db.session() as session:
        network = session.exec(select(Network).where(Network.slug == slug)).first()
        if network is None or network.id is None:
            raise click.ClickException(f"unknown network {slug!r}")
        ids = []
        for name in names:
            workgroup = session.exec(
                select(Workgroup).where(Workgroup.network_id == network.id, Workgroup.name == name)
            ).first()
            if workgroup is None or workgroup.id is None:
                raise click.ClickException(f"unknown workgroup {name!r} in {slug!r}")
            ids.append(workgroup.id)
        return network.id, ids


def _person_id(email: str) -> int:
    """The id of the person with this e-mail address (or this id), or a ClickException."""
    with services().db.session() as session:
        if email.isdigit():
            user = session.get(User, int(email))
        else:
            user = session.exec(
                select(User).where(User.email == accounts.normalise_email(email))
            ).first()
        if user is None or user.id is None:
            raise click.ClickException("no such person")
        return user.id


def _export_person(user_id: int, output: str) -> None:
    import json

    from tracker.security.erasure import personal_data

    with services().db.session() as session:
        data = personal_data(session, user_id)
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
