"""`load-demo`: the Twente 2021 demo plan and its accounts, for trying the tracker out."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.services import services


@click.command("load-demo")
@with_appcontext
def load_demo() -> None:
    """Load the Twente 2021 demo plan and the demo accounts (safe to run again)."""
    from tracker.clock import AMSTERDAM
    from tracker.demo import DEMO_PASSWORD
    from tracker.demo import load_demo as load

    services().db.create_schema()
    today = services().clock.now().astimezone(AMSTERDAM).date()
    demo_accounts = load(services().db, services().passwords, until=today)
    click.echo("Demo loaded: Jaarplan 2021 of the Netwerken Palliatieve Zorg Twente.")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for account in demo_accounts:
        role = "admin" if account.is_admin else account.role
        extra = f" ({', '.join(account.workgroups)})" if account.workgroups else ""
        click.echo(f"  {account.email:32} {role}{extra}")


COMMANDS = (load_demo,)
