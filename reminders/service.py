"""The reminders' wiring: settings, schedule, mailer, and the two jobs (make runs, deliver).

Built by `reminders.init_app` from the app's config; the database and the clock are the
tracker's own (`create_app(..., clock=)`), so tests control time the same way everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from flask import Flask

from reminders import outbox
from reminders.mailer import Mailer, build_mailer
from reminders.periods import ReminderKind, Run, Schedule, due_runs
from reminders.planning import Context, RunPlan, plan_run
from reminders.sender import Outcome, Sender
from reminders.settings import MailSettings
from tracker.clock import Clock
from tracker.database import Database

log = logging.getLogger(__name__)


@dataclass
class Reminders:
    app: Flask
    mail: MailSettings
    schedule: Schedule

    @property
    def db(self) -> Database:
        found: Database = self.app.extensions["tracker"].db
        return found

    @property
    def clock(self) -> Clock:
        found: Clock = self.app.extensions["tracker"].clock
        return found

    @cached_property
    def mailer(self) -> Mailer:
        """The configured mailer, built on first use (tests may set their own)."""
        return build_mailer(self.mail)

    def context(self) -> Context:
        return Context(
            env=self.app.jinja_env,
            app_url=self.mail.app_url,
            secret_key=str(self.app.config["SECRET_KEY"]),
            timezone=self.schedule.timezone,
        )

    def plan(self, run: Run) -> RunPlan:
        """What `run` would send, to whom (read only: what a dry run prints)."""
        with self.app.app_context(), self.db.session() as session:
            return plan_run(session, self.context(), run.kind, run.period)

    def make_run(self, run: Run, *, once: bool = True) -> int | None:
        """Write the run's mails to the outbox (see `outbox.write_run`)."""
        planned = self.plan(run)
        for problem in planned.problems:
            log.warning("%s %s: %s", run.kind.value, run.period, problem)
        written = outbox.write_run(self.db, run, planned.drafts, self.clock.now(), once=once)
        if written is None:
            log.info("%s %s: already made, nothing written", run.kind.value, run.period)
        else:
            log.info("%s %s: %d mails in the outbox", run.kind.value, run.period, written)
        return written

    def make_due_runs(self, kinds: Iterable[ReminderKind] | None = None) -> None:
        """Make every run that is due now and not made yet (the catch-up after downtime, and
        what each scheduled job does)."""
        schedule = self.schedule
        if kinds is not None:
            schedule = replace(schedule, kinds=tuple(k for k in kinds if k in schedule.kinds))
        with self.db.session() as session:
            done = outbox.done_runs(session)
        for run in due_runs(schedule, self.clock.now(), done):
            self.make_run(run)

    def sender(self) -> Sender:
        return Sender(
            self.db, self.mailer, self.clock, self.mail, str(self.app.config["SECRET_KEY"])
        )

    def deliver_due(self) -> list[Outcome]:
        """Deliver every outbox row that is due now."""
        return self.sender().deliver_due()


def reminders_of(app: Flask) -> Reminders:
    found: Reminders = app.extensions["reminders"]
    return found
