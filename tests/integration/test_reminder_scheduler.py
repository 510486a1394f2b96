"""The APScheduler wiring: the jobs, their schedule, and catching up once after downtime.

The scheduler is the real one (a BackgroundScheduler here, the BlockingScheduler in the
process); the app's FixedClock says what time it is for the reminders, so three days of
downtime take no time at all. Every wait is bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from config import TestConfig
from reminders.periods import ReminderKind, Schedule
from reminders.scheduler import ScheduleTrigger, build_scheduler
from tests.reminder_support import outbox_rows, use_smtp
from tests.smtp_server import SmtpServer, smtp_server
from tests.support import World, build_world
from tracker.clock import FixedClock
from wsgi import create_app

AMS = ZoneInfo("Europe/Amsterdam")
WAIT_SECONDS = 30


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def world(backend_app: Flask, server: SmtpServer) -> World:
    use_smtp(backend_app, server)
    return build_world(backend_app)


def start_and_catch_up(app: Flask) -> None:
    """Start the scheduler as the process would, wait for its catch-up job, stop it."""
    finished = threading.Event()
    errors: list[BaseException] = []

    def on_event(event: JobExecutionEvent) -> None:
        if event.job_id == "catch-up":
            if event.exception is not None:
                errors.append(event.exception)
            finished.set()

    scheduler = build_scheduler(app, BackgroundScheduler())
    scheduler.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        assert finished.wait(WAIT_SECONDS), "the catch-up job did not run"
    finally:
        scheduler.shutdown(wait=True)
    assert errors == []


def test_three_days_down_across_a_quarter_boundary_gives_exactly_one_reminder_after_start(
    backend_app: Flask, world: World, server: SmtpServer, clock: FixedClock
) -> None:
    clock.current = datetime(2021, 3, 29, 10, tzinfo=AMS)
    start_and_catch_up(backend_app)  # running before the downtime: nothing is due
    assert server.received == []

    # Down from 29 March until Sunday 4 April: the Q2 reminder of Thursday 1 April 08:00 was
    # missed. The process starts and sends it once.
    clock.current = datetime(2021, 4, 4, 10, tzinfo=AMS)
    start_and_catch_up(backend_app)
    start_and_catch_up(backend_app)  # and a restart the same day sends nothing more

    assert sorted(m.recipients[0] for m in server.received) == [
        "beleid@test.example.org",
        "beleid@test.example.org",
        "pr@test.example.org",
        "pr@test.example.org",
    ]
    rows = outbox_rows(backend_app)
    assert {(r.kind, r.period, r.status) for r in rows} == {("quarterly", "2021Q2", "sent")}
    assert len(rows) == 4


def test_the_jobs_are_coalesced_with_a_misfire_grace_of_days_and_follow_the_schedule(
    app: Flask,
) -> None:
    scheduler = build_scheduler(app, BackgroundScheduler())
    scheduler.start(paused=True)  # the job defaults are applied when the jobs are stored
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=True)
    assert set(jobs) == {
        "reminders-quarterly",
        "reminders-due-soon",
        "reminders-digest",
        "catch-up",
        "deliver",
    }
    for job in jobs.values():
        assert job.coalesce is True and job.misfire_grace_time == 7 * 24 * 3600
    trigger = jobs["reminders-quarterly"].trigger
    assert isinstance(trigger, ScheduleTrigger)
    now = datetime(2024, 3, 20, 12, tzinfo=AMS)
    first = trigger.get_next_fire_time(None, now)
    assert first == datetime(2024, 4, 2, 8, tzinfo=AMS)  # 1 April 2024 was Easter Monday
    assert trigger.get_next_fire_time(first, now) == datetime(2024, 7, 1, 8, tzinfo=AMS)
    digest = ScheduleTrigger(Schedule(), ReminderKind.DIGEST)
    assert digest.get_next_fire_time(None, now) == datetime(2024, 4, 9, 8, tzinfo=AMS)


def test_the_web_app_starts_no_scheduler(tmp_path: object) -> None:
    before = {thread.name for thread in threading.enumerate()}
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["DATABASE_URL"] = "sqlite://"
    application = create_app(config)
    application.test_client().get("/inloggen")
    after = {thread.name for thread in threading.enumerate()}
    assert after == before
    assert "reminders" in application.extensions
