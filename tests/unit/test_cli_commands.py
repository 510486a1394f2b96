"""The admin commands one by one: each module's command runs alone, and bad arguments are
refused before the store is touched (a bare Flask app with no database behind it: reaching
for the store would fail with a KeyError instead of the message checked here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import Result
from flask import Flask

from tracker.cli import people, plans, reports

ROOT = Path(__file__).resolve().parent.parent.parent


def invoke_alone(command: click.Command, args: list[str], stdin: str = "") -> Result:
    """Run one command object on an app without services or database."""
    return Flask("bare").test_cli_runner().invoke(command, args, input=stdin)


REFUSED = [
    (reports.report, ["--plan", "p", "--network", "n", "--period", "2021Q3", "-o", "r.csv"], 2,
     "give either --plan or --network"),
    (reports.report, ["--period", "2021Q3", "-o", "r.csv"], 2, "give either --plan or --network"),
    (plans.export_plan, ["twente-2021", "-o", "plan.txt"], 1, "must end in .xlsx or .yaml"),
    (plans.record_spending,
     ["--plan", "p", "--theme", "T", "--amount", "twaalf", "--on", "2023-05-02"], 1, "twaalf"),
    (people.create_user, ["a@example.org", "--name", "A", "--role", "admin", "--workgroup", "W"],
     2, "--workgroup needs --role member"),
    (people.create_user, ["a@example.org", "--name", "A", "--role", "board"], 2,
     "--network is required"),
]  # fmt: skip


@pytest.mark.parametrize(("command", "args", "exit_code", "message"), REFUSED)
def test_bad_arguments_are_refused_before_the_store_is_touched(
    command: click.Command,
    args: list[str],
    exit_code: int,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # where an output file would land
    result = invoke_alone(command, args, stdin="lang-genoeg-12\n")
    assert (result.exit_code, message in result.output) == (exit_code, True), (
        result.output,
        result.exception,
    )
    assert list(tmp_path.iterdir()) == []


def _readme_commands() -> list[tuple[list[str], set[str]]]:
    """(command words, options) of each row of the README's Commands table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for usage in re.findall(r"^\| `([^`]+)`", table, flags=re.MULTILINE):
        words = []
        for word in usage.split():
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            words.append(word)
        rows.append((words, set(re.findall(r"(?<![\w-])--?[a-z][a-z-]*", usage))))
    return rows


def test_every_command_and_option_of_the_readme_exists(app: Flask) -> None:
    rows = _readme_commands()
    for words, options in rows:
        command: click.Command = app.cli
        for word in words:
            assert isinstance(command, click.Group) and word in command.commands, words
            command = command.commands[word]
        known = {opt for param in command.params for opt in param.opts}
        assert options <= known, (words, options - known)
    assert len(rows) == len(app.cli.commands) + 1  # and each is in the README (`reminders`: 2)


HEAVY = ("weasyprint", "openpyxl", "docx", "yaml", "tracker.demo", "tracker.reports.render")


def test_importing_the_commands_loads_no_heavy_library() -> None:
    """`flask --help` imports every command module: the libraries that only some commands
    need are imported inside those commands."""
    code = f"import sys, tracker.cli; print(*[m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
