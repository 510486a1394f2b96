"""People from the command line: create a person or an API token, export or erase what is
stored about someone. Changes go through the people handlers as the operator (`OPERATOR`)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlmodel import select

from tracker import accounts
from tracker.domain.access import OPERATOR, Role
from tracker.domain.commands import CreateApiToken, CreatePerson, ErasePerson
from tracker.handlers import people
from tracker.models import Network, User, Workgroup
from tracker.security import audit
from tracker.security.audit import AuditKind
from tracker.services import services

ROLES = ("admin", "coordinator", "member", "board")


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--network", "network_slug", help="Network slug (for coordinator, member, board)")
@click.option("--workgroup", "workgroup_names", multiple=True, help="Workgroup name (members)")
@with_appcontext
def create_user(
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


@click.command("create-token")
@click.argument("email")
@with_appcontext
def create_token(email: str) -> None:
    """Print a new API bearer token for a person (shown once; store it safely)."""
    command = CreateApiToken(OPERATOR, _person_id(email))
    try:
        token = people.create_api_token(services().db.unit_of_work(), command, services().clock)
    except people.Refused:
        raise click.ClickException("this person is deactivated") from None
    click.echo(token)


@click.command("export-person")
@click.argument("email")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def export_person(email: str, output: str) -> None:
    """Write everything stored about a person to a JSON file."""
    _write_personal_data(_person_id(email), output)
    click.echo(f"Personal data written to {output}.")


@click.command("erase-person")
@click.argument("email")
@click.option("--export", "export_to", type=click.Path(dir_okay=False), help="JSON first")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
@with_appcontext
def erase_person(email: str, export_to: str | None, yes: bool) -> None:
    """Erase a person's personal data; the event log keeps replaying ("verwijderde
    gebruiker"). With --export their data is written to a JSON file first."""
    user_id = _person_id(email)
    if export_to:
        _write_personal_data(user_id, export_to)
        click.echo(f"Personal data written to {export_to}.")
    if not yes:
        click.confirm(f"Erase person {user_id} for good?", abort=True)
    people.erase_person(
        services().db.unit_of_work(), ErasePerson(OPERATOR, user_id), services().clock
    )
    click.echo(f"Person {user_id} erased.")


COMMANDS = (create_user, create_token, export_person, erase_person)


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


def _write_personal_data(user_id: int, output: str) -> None:
    """Write everything stored about a person to OUTPUT as JSON."""
    import json

    from tracker.security.erasure import personal_data

    tools = services()
    with tools.db.session() as session:
        data = personal_data(session, user_id)
    audit.record(
        tools.db,
        AuditKind.EXPORT,
        at=tools.clock.now(),
        subject_id=user_id,
        detail=audit.fields(data="personal"),
    )
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
