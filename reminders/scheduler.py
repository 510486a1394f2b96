"""The reminder process: APScheduler 3 (BlockingScheduler), started by `reminders run` only.

Never started by the web app: nothing here runs at import time, and only the CLI command (or
a test) calls `run_scheduler`. Jobs:

- one per kind (quarterly, due-soon, digest), fired at that kind's scheduled moments by
  `ScheduleTrigger` (a cron expression cannot say "the first working day of the quarter");
- a catch-up, once at start: makes every run that fell due while the process was down;
- delivery of the outbox every MAIL_SEND_INTERVAL seconds (retries, resends by admins).

The job store is in memory, on purpose: APScheduler 3 does not support several processes
sharing a persistent job store, and it need not remember anything. What was done is in the
database (runs and outbox), so a restart catches up from there, and a second process finds
the run made and sends nothing twice. `coalesce` and a misfire grace of days cover a process
that was alive but stalled (e.g. a suspended VM) past a scheduled moment.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterable
from datetime import datetime, timedelta
from types import FrameType

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from reminders.periods import ReminderKind, Schedule
from reminders.service import reminders_of

log = logging.getLogger(__name__)


class ScheduleTrigger(BaseTrigger):
    """Fires at every scheduled moment of one kind of reminder (see periods.Schedule)."""

    def __init__(self, schedule: Schedule, kind: ReminderKind) -> None:
        self.schedule = schedule
        self.kind = kind

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        after = previous_fire_time or now - timedelta(microseconds=1)
        return self.schedule.following(self.kind, after)

    def __str__(self) -> str:
        return f"reminder schedule ({self.kind.value})"


def make_runs(app: Flask, kinds: Iterable[ReminderKind] | None = None) -> None:
    """Job: make the runs that are due (all kinds, or the given ones), then deliver."""
    with app.app_context():
        reminders = reminders_of(app)
        reminders.make_due_runs(kinds)
        reminders.deliver_due()


def deliver(app: Flask) -> None:
    """Job: deliver what is due in the outbox (first attempts, retries, resends)."""
    with app.app_context():
        reminders_of(app).deliver_due()


def build_scheduler(app: Flask, scheduler: BaseScheduler) -> BaseScheduler:
    """Configure `scheduler` (Blocking for the process, Background in tests) with the jobs."""
    reminders = reminders_of(app)
    schedule = reminders.schedule
    scheduler.configure(
        timezone=schedule.timezone,
        job_defaults={
            "coalesce": True,
            "misfire_grace_time": int(schedule.grace.total_seconds()),
            "max_instances": 1,
        },
    )
    for kind in schedule.kinds:
        scheduler.add_job(
            make_runs,
            ScheduleTrigger(schedule, kind),
            args=(app, (kind,)),
            id=f"reminders-{kind.value}",
            name=f"{kind.value} reminders",
        )
    scheduler.add_job(make_runs, args=(app,), id="catch-up", name="catch up after start")
    scheduler.add_job(
        deliver,
        IntervalTrigger(seconds=reminders.mail.send_interval, timezone=schedule.timezone),
        args=(app,),
        id="deliver",
        name="deliver the outbox",
    )
    return scheduler


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def serve(app: Flask, scheduler: BlockingScheduler) -> None:
    """Run `scheduler` in the foreground until SIGTERM or Ctrl-C, then stop it cleanly."""
    reminders = reminders_of(app)
    reminders.mailer  # noqa: B018  (built now, so the log says at once where mail goes)
    signal.signal(signal.SIGTERM, _stop)
    log.info(
        "Reminder scheduler started (pid %d): %s; mail backend %s",
        os.getpid(),
        ", ".join(kind.value for kind in reminders.schedule.kinds) or "no reminder kinds",
        reminders.mail.backend,
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("Reminder scheduler stopping (pid %d)", os.getpid())
        scheduler.shutdown(wait=True)


def run_scheduler(app: Flask) -> None:
    """`flask --app wsgi reminders run`: the long-running reminder process."""
    serve(app, build_scheduler(app, BlockingScheduler()))
