"""Scheduler processes on one database: exactly one mail per workgroup, also after a kill.

Real OS processes (tests/reminder_process.py runs the same scheduler as `reminders run`),
on a SQLite file (WAL) and on PostgreSQL, starting just after the Q2 reminder fell due, all
delivering to one real SMTP server. The outbox's unique constraints decide who writes; the
claim decides who sends; a row whose sender died after it started DATA is never sent again
by itself (its outcome is unknown: it becomes "uncertain").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
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


def start_processes(
    app: Flask,
    server: SmtpServer,
    logs: Path,
    *,
    count: int = PROCESSES,
    now: datetime = JUST_AFTER_THE_Q2_REMINDER,
    smtp_timeout: float = 10,
) -> list[subprocess.Popen[bytes]]:
    """Start `count` scheduler processes whose clocks start at `now`, and let them go together
    (`logs`, a directory of its own, gets their output and the start barrier)."""
    logs.mkdir(parents=True, exist_ok=True)
    processes = []
    for number in range(count):
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
                    now.isoformat(),
                    "--barrier",
                    str(logs),
                    "--lifetime",
                    str(WAIT_SECONDS),
                    "--smtp-timeout",
                    str(smtp_timeout),
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
    while len(list(logs.glob("ready-*"))) < count and time.monotonic() < deadline:
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


def wait_until_sent(app: Flask, expected: int, done: tuple[str, ...] = ("sent",)) -> None:
    """Until `expected` rows are there, all in one of the `done` states."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        rows = outbox_rows(app)
        if len(rows) >= expected and all(row.status in done for row in rows):
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


def test_a_sender_killed_mid_data_leaves_the_mail_uncertain_and_the_next_one_does_not_repeat_it(
    backend_app: Flask, world: World, server: SmtpServer, tmp_path: Path
) -> None:
    # The server takes the first message and is slow to answer: the process is killed while
    # it waits (as the OOM killer or a power cut would: no clean-up of any kind).
    server.handler.delay = WAIT_SECONDS
    [killed] = start_processes(backend_app, server, tmp_path / "killed", count=1, smtp_timeout=30)
    try:
        assert server.handler.data_arrived.wait(WAIT_SECONDS), "no DATA arrived"
    finally:
        killed.send_signal(signal.SIGKILL)
        assert killed.wait(timeout=20) == -signal.SIGKILL
    server.handler.delay = 0
    assert len(server.received) == 1
    killed_mail = server.message_ids[0]

    # A new sender, long after the dead one's claim ran out.
    later = JUST_AFTER_THE_Q2_REMINDER + timedelta(minutes=30)
    processes = start_processes(backend_app, server, tmp_path / "next", count=1, now=later)
    try:
        wait_until_sent(backend_app, expected=4, done=("sent", "uncertain"))
    finally:
        codes = stop(processes)
    log = (tmp_path / "next" / "scheduler-0.log").read_text()

    assert codes == [0] and "Traceback" not in log, log
    # Four mails, each delivered once: the killed one was not sent again.
    assert len(server.received) == 4 and server.attempts == 4
    assert len(set(server.message_ids)) == 4 and server.message_ids.count(killed_mail) == 1
    rows = outbox_rows(backend_app)
    assert sorted(row.status for row in rows) == ["sent", "sent", "sent", "uncertain"]
    assert count(backend_app, "reminder_outbox") == 4
