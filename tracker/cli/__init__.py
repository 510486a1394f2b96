"""Admin commands, `flask --app wsgi COMMAND`, one module per area.

Each command is a plain `click` command at module level, so a test can invoke it alone
(`app.test_cli_runner().invoke(command, args)`). They are registered flat on `app.cli`
(no group prefix: the README's command names). Heavy libraries (WeasyPrint, openpyxl,
python-docx, the demo) are imported inside the commands, so `flask --help` stays quick.
"""

from __future__ import annotations

import click
from flask import Flask

from tracker.cli import database, demo, people, plans, reports

COMMANDS: tuple[click.Command, ...] = (
    *database.COMMANDS,
    *demo.COMMANDS,
    *plans.COMMANDS,
    *reports.COMMANDS,
    *people.COMMANDS,
)


def register(app: Flask) -> None:
    """Add every admin command to the app's `flask` command line."""
    for command in COMMANDS:
        app.cli.add_command(command)
