"""A reminder scheduler process for the tests: `python -m tests.reminder_process …`.

The same scheduler as `flask --app wsgi reminders run` (build_scheduler + serve: a
BlockingScheduler, SIGTERM handling), with two test-only differences: its clock runs from a
given moment (so "now" can be 1 April 2021), and it stops by itself after --lifetime seconds
even if the test that started it has died.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler

from config import TestConfig
from reminders.scheduler import build_scheduler, serve
from wsgi import create_app


@dataclass
class RunningClock:
    """Real time, shifted so that it started at `start`."""

    start: datetime
    started: float

    def now(self) -> datetime:
        return self.start.astimezone(UTC) + timedelta(seconds=time.monotonic() - self.started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--now", required=True, help="ISO moment the clock starts at")
    parser.add_argument("--barrier", required=True, help="directory: ready-<pid> in, go out")
    parser.add_argument("--lifetime", type=float, default=60.0)
    parser.add_argument("--smtp-timeout", type=float, default=10.0)
    args = parser.parse_args()

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        DATABASE_URL=args.database,
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=args.smtp_port,
        SMTP_SECURITY="none",
        SMTP_TIMEOUT=args.smtp_timeout,
        MAIL_SEND_INTERVAL=1,
    )
    clock = RunningClock(datetime.fromisoformat(args.now), time.monotonic())
    app = create_app(config, clock=clock)
    scheduler = build_scheduler(app, BlockingScheduler())
    scheduler.add_job(
        os.kill,
        "date",
        run_date=datetime.now(UTC) + timedelta(seconds=args.lifetime),
        args=(os.getpid(), signal.SIGTERM),
        id="lifetime",
    )
    # All processes start together: each says it is ready, then waits for the test's "go".
    barrier = Path(args.barrier)
    (barrier / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + args.lifetime
    while not (barrier / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go from the test")
        time.sleep(0.05)
    serve(app, scheduler)


if __name__ == "__main__":
    main()
