"""`flask --app wsgi reminders send|run`: by hand, as a dry run, and as its own process."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from tests.reminder_support import configure_mail, count, set_workgroup_email, use_smtp
from tests.smtp_server import SmtpServer, smtp_server
from tests.support import World, build_world
from tracker.clock import FixedClock

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def world(app: Flask, server: SmtpServer) -> World:
    use_smtp(app, server)
    return build_world(app)


def send(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["reminders", "send", *args])
    return result.exit_code, result.output


def test_a_dry_run_prints_recipients_and_subjects_and_sends_and_writes_nothing(
    app: Flask, world: World, server: SmtpServer
) -> None:
    events_before = count(app, "events")

    code, output = send(app, "--period", "2021Q2", "--dry-run")

    assert code == 0, output
    assert "Dry run, nothing is sent or written: quarterly 2021Q2, 4 mails" in output
    assert (
        "beleid@test.example.org\tJaarplan 2e kwartaal 2021: activiteiten van Werkgroep beleid"
        in output
    )
    assert output.count("pr@test.example.org\t") == 2
    assert server.attempts == 0 and server.received == []
    assert count(app, "reminder_outbox") == 0 and count(app, "reminder_run") == 0
    assert count(app, "events") == events_before


def test_send_delivers_a_run_by_hand_once(app: Flask, world: World, server: SmtpServer) -> None:
    code, output = send(app, "--period", "2021q2", "--kind", "due-soon")
    assert code == 0, output
    assert "Sending: due-soon 2021Q2, 2 mails" in output
    assert "2 new in the outbox; 2 delivery attempts:" in output
    assert output.count(": sent") == 2 and len(server.received) == 2

    code, output = send(app, "--period", "2021Q2", "--kind", "due-soon")
    assert code == 0 and "0 new in the outbox; 0 delivery attempts" in output
    assert len(server.received) == 2


def test_a_dry_run_of_the_digest_names_the_workgroup_without_an_address(
    app: Flask, world: World
) -> None:
    workgroup_id = set_workgroup_email(app, "testnet", "Werkgroep beleid", "")

    code, output = send(app, "--period", "2021Q2", "--kind", "digest", "--dry-run")

    assert code == 0 and "digest 2021Q2, 1 mails" in output
    assert (
        "coordinator@example.org\tJaarplan 2e kwartaal 2021: werkgroepen zonder update "
        "(Netwerk Palliatieve Zorg Test)"
    ) in output
    assert f"note: workgroup {workgroup_id} has no e-mail address" in output


def test_a_bad_period_or_kind_is_refused(app: Flask) -> None:
    code, output = send(app, "--period", "2021Q5")
    assert code == 2 and "not a quarter like 2021Q2" in output
    code, output = send(app, "--period", "2021Q2", "--kind", "weekly")
    assert code == 2 and "weekly" in output


def test_without_smtp_mail_goes_to_files_and_the_log_says_so(
    app: Flask, world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mail_dir = tmp_path / "mail"
    configure_mail(app, MAIL_BACKEND="file", SMTP_HOST="", MAIL_FILE_DIR=str(mail_dir))
    with caplog.at_level(logging.WARNING, logger="reminders.mailer"):
        code, output = send(app, "--period", "2021Q2")
    assert code == 0, output
    assert "No SMTP server configured (MAIL_BACKEND=file)" in caplog.text
    files = sorted(mail_dir.glob("*.eml"))
    assert len(files) == 4
    assert b"Subject:" in files[0].read_bytes()


def test_reminders_run_is_a_process_of_its_own_that_stops_cleanly_on_sigterm(
    app: Flask, tmp_path: Path
) -> None:
    log = tmp_path / "run.log"
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "test-secret",
        "SMTP_HOST": "",
        "MAIL_BACKEND": "",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while "Scheduler started" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
    output = log.read_text()
    assert code == 0, output
    assert "Reminder scheduler started" in output
    assert "No SMTP server configured (MAIL_BACKEND=file)" in output
    assert "Reminder scheduler stopping" in output and "Traceback" not in output


def test_run_once_catches_up_delivers_and_exits(
    app: Flask, world: World, server: SmtpServer, clock: FixedClock
) -> None:
    clock.current = datetime(2021, 4, 1, 9, tzinfo=ZoneInfo("Europe/Amsterdam"))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["reminders", "run", "--once"])
    second = runner.invoke(args=["reminders", "run", "--once"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert len(server.received) == 4
    assert count(app, "reminder_run") == 1
