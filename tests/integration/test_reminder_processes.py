"""Three scheduler processes at once, on one database: exactly one mail per workgroup.

Real OS processes (tests/reminder_process.py runs the same scheduler as `reminders run`),
on a SQLite file (WAL) and on PostgreSQL, all starting at the same instant just after the
Q2 reminder fell due, all delivering to one real SMTP server. The outbox's unique
constraints decide who writes; the claim decides who sends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from tests.reminder_support import count, outbox_rows, use_smtp
from tests.smtp_server import SmtpServer, smtp_server
from tests.support import World, build_world
from tracker.clock import FixedClock

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 3
WAIT_SECONDS = 60
JUST_AFTER_THE_Q2_REMINDER = datetime(2021, 4, 1, 8, 0, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def world(backend_app: Flask, server: SmtpServer, clock: FixedClock) -> World:
    clock.current = JUST_AFTER_THE_Q2_REMINDER
    use_smtp(backend_app, server)
    return build_world(backend_app)


def start_processes(app: Flask, server: SmtpServer, logs: Path) -> list[subprocess.Popen[bytes]]:
    processes = []
    for number in range(PROCESSES):
        log = (logs / f"scheduler-{number}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.reminder_process",
                    "--database",
                    app.config["DATABASE_URL"],
                    "--smtp-port",
                    str(server.port),
                    "--now",
                    JUST_AFTER_THE_Q2_REMINDER.isoformat(),
                    "--barrier",
                    str(logs),
                    "--lifetime",
                    str(WAIT_SECONDS),
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
        )
        log.close()
    # Let them go together, once every one has built its app.
    deadline = time.monotonic() + WAIT_SECONDS
    while len(list(logs.glob("ready-*"))) < PROCESSES and time.monotonic() < deadline:
        time.sleep(0.05)
    (logs / "go").touch()
    return processes


def stop(processes: list[subprocess.Popen[bytes]]) -> list[int]:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    codes = []
    for process in processes:
        try:
            codes.append(process.wait(timeout=20))
        except subprocess.TimeoutExpired:
            process.kill()
            codes.append(process.wait(timeout=5))
    return codes


def wait_until_sent(app: Flask, expected: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        rows = outbox_rows(app)
        if len(rows) >= expected and all(row.status == "sent" for row in rows):
            return
        time.sleep(0.2)
    pytest.fail(f"not all reminders were sent in time: {[r.status for r in outbox_rows(app)]}")


def test_three_scheduler_processes_send_exactly_one_mail_per_workgroup(
    backend_app: Flask, world: World, server: SmtpServer, tmp_path: Path
) -> None:
    processes = start_processes(backend_app, server, tmp_path)
    try:
        wait_until_sent(backend_app, expected=4)
    finally:
        codes = stop(processes)
    logs = "\n".join(path.read_text() for path in sorted(tmp_path.glob("scheduler-*.log")))

    assert codes == [0] * PROCESSES, logs
    assert logs.count("Reminder scheduler started") == PROCESSES
    assert logs.count('Job "catch up after start') == PROCESSES  # each one tried
    assert logs.count("quarterly 2021Q2: 4 mails in the outbox") == 1, logs
    assert "Traceback" not in logs
    # Exactly one mail per workgroup: 2 networks × (beleid, PR), each delivered once.
    assert len(server.received) == 4 and server.attempts == 4
    assert Counter(m.recipients[0] for m in server.received) == {
        "beleid@test.example.org": 2,
        "pr@test.example.org": 2,
    }
    assert count(backend_app, "reminder_run") == 1
    assert count(backend_app, "reminder_outbox") == 4
    # Each delivery recorded once in the history of each activity it listed.
    with backend_app.extensions["tracker"].db.engine.connect() as connection:
        from sqlalchemy import text

        rows = connection.execute(
            text("SELECT stream_id, data FROM events WHERE type = 'ReminderSent'")
        ).all()
    assert len(rows) == len(set(rows)) == 6  # PR lists 2 activities, beleid 1, per network
