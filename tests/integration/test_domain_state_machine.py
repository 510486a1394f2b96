"""A Hypothesis state machine over the domain: plan activities, change their status (valid,
invalid, stale), amend, withdraw and reopen them, carry plans over into the next year,
rebuild the read models, let time pass, deliver reminders, in any order. After every step
the store is clean: versions run on without gaps in every stream, the read models equal a
full replay of the log, and the aggregate the handlers decide on (made from its read-model
row, the snapshot) equals the aggregate a replay of its own stream gives.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import select

from events.store import ConcurrencyError
from tests.support import load_plan
from tracker import projections
from tracker.carry_over import CarryOverRefused, carry_over_plan
from tracker.check import check_store
from tracker.clock import FixedClock
from tracker.database import Database
from tracker.domain.access import Principal
from tracker.domain.commands import (
    AmendActivity,
    ChangeActivityStatus,
    PlanActivity,
    PlannedActivity,
    RecordReminderSent,
    ReopenActivity,
    WithdrawActivity,
)
from tracker.domain.status import Status, StatusError
from tracker.handlers.activities import (
    UnknownActivity,
    change_activity_status,
    load_activity,
    plan_activity,
    record_reminder_sent,
    replay_activity,
)
from tracker.handlers.plan_changes import amend_activity, reopen_activity, withdraw_activity
from tracker.ids import activity_id_for
from tracker.models import Activity, Plan
from tracker.planfile import read_plan_yaml

FIXTURES = Path(__file__).parent.parent / "fixtures"
STATUSES = [s.value for s in Status] + ["", "onbekend", "AFGEROND"]
PERSON = Principal(1, is_admin=True)  # access is not what this machine explores
TEXT = st.text(alphabet=st.characters(exclude_characters="\x00", max_codepoint=0x2FFF), max_size=40)


class TrackerMachine(RuleBasedStateMachine):
    """On a SQLite file; `PostgresMachine` runs the same on a PostgreSQL database."""

    def _database_url(self) -> str:
        return f"sqlite:///{self.directory}/tracker.db"

    @initialize()
    def start(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="tracker-machine-")
        self.db = Database(self._database_url())
        self.db.create_schema()
        self.clock = FixedClock(datetime(2021, 1, 4, 9, 0, tzinfo=UTC))
        document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
        load_plan(self.db, document, self.clock)
        self.versions: dict[str, int] = {}  # the version each activity was last seen at

    def teardown(self) -> None:
        if hasattr(self, "db"):
            self.db.dispose()
            shutil.rmtree(self.directory, ignore_errors=True)
            self._drop()

    def _drop(self) -> None:
        """Nothing to do for SQLite: the file went with the directory."""

    def _activities(self) -> list[Activity]:
        with self.db.session() as session:
            return list(session.exec(select(Activity).order_by(Activity.id)).all())

    def _plans(self) -> list[Plan]:
        with self.db.session() as session:
            return list(session.exec(select(Plan).order_by(Plan.year)).all())

    @rule(data=st.data(), title=TEXT, theme=st.sampled_from(["Coördinatie", "Nieuw thema"]))
    def plan_an_activity(self, data: st.DataObject, title: str, theme: str) -> None:
        plan = data.draw(st.sampled_from(self._plans()))
        assert plan.id is not None
        command = PlanActivity(
            activity_id=activity_id_for(plan.slug, title or "zonder titel"),
            plan_id=plan.id,
            content=PlannedActivity(title=title or "zonder titel", theme=theme),
        )
        with self.db.unit_of_work() as uow:
            plan_activity(uow, command, self.clock)
            uow.commit()

    @rule(
        data=st.data(),
        status=st.sampled_from(STATUSES),
        note=TEXT,
        stale=st.booleans(),
        blind=st.booleans(),
    )
    def change_status(
        self, data: st.DataObject, status: str, note: str, stale: bool, blind: bool
    ) -> None:
        activity = data.draw(st.sampled_from(self._activities()))
        with self.db.unit_of_work() as uow:
            current = uow.events.current_version(activity.id)
        expected = None if blind else (current - 1 if stale else current)
        command = ChangeActivityStatus(PERSON, activity.id, status, note, expected)
        try:
            change_activity_status(self.db.unit_of_work(), command, self.clock)
        except (StatusError, ConcurrencyError, UnknownActivity):
            pass

    @rule(data=st.data(), title=TEXT, wanneer=TEXT, stale=st.booleans())
    def amend(self, data: st.DataObject, title: str, wanneer: str, stale: bool) -> None:
        activity = data.draw(st.sampled_from(self._activities()))
        with self.db.unit_of_work() as uow:
            current = uow.events.current_version(activity.id)
        command = AmendActivity(
            PERSON, activity.id, title=title, wanneer=wanneer,
            expected_version=current - 1 if stale else current,
        )  # fmt: skip
        try:
            amend_activity(self.db.unit_of_work(), command, self.clock)
        except (StatusError, ConcurrencyError):
            pass

    @rule(data=st.data(), reason=TEXT, reopen=st.booleans(), status=st.sampled_from(STATUSES))
    def withdraw_or_reopen(
        self, data: st.DataObject, reason: str, reopen: bool, status: str
    ) -> None:
        activity = data.draw(st.sampled_from(self._activities()))
        try:
            if reopen:
                command = ReopenActivity(PERSON, activity.id, reason, status)
                reopen_activity(self.db.unit_of_work(), command, self.clock)
            else:
                withdrawal = WithdrawActivity(PERSON, activity.id, reason)
                withdraw_activity(self.db.unit_of_work(), withdrawal, self.clock)
        except StatusError:
            pass

    @rule(data=st.data(), reason=TEXT, everything=st.booleans())
    def carry_over(self, data: st.DataObject, reason: str, everything: bool) -> None:
        plan = data.draw(st.sampled_from(self._plans()))
        chosen: list[str] = []
        if not everything:
            mine = [a.id for a in self._activities() if a.plan_id == plan.id]
            chosen = data.draw(st.lists(st.sampled_from(mine), max_size=3, unique=True))
        try:
            carry_over_plan(
                self.db,
                self.clock,
                actor=PERSON,
                from_slug=plan.slug,
                reason=reason,
                activity_ids=chosen,
            )
        except CarryOverRefused:
            pass

    @rule(data=st.data())
    def deliver_a_reminder(self, data: st.DataObject) -> None:
        ids = [a.id for a in self._activities()]
        listed = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
        command = RecordReminderSent(tuple(listed), "workgroup", "2021Q1", outbox_id=1)
        with self.db.unit_of_work() as uow:
            record_reminder_sent(uow, command, self.clock)
            uow.commit()

    @rule()
    def rebuild(self) -> None:
        with self.db.unit_of_work() as uow:
            projections.rebuild(uow.connection)
            uow.commit()

    @rule(hours=st.integers(min_value=0, max_value=24 * 200))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))

    @invariant()
    def read_models_equal_a_replay(self) -> None:
        if not hasattr(self, "db"):
            return
        with self.db.unit_of_work() as uow:  # rolled back: the replay is only compared
            report = check_store(uow.connection)
        assert report.clean, report.problems

    @invariant()
    def the_snapshot_gives_the_replayed_aggregate(self) -> None:
        if not hasattr(self, "db"):
            return
        with self.db.unit_of_work() as uow:
            for activity in self._activities():
                assert load_activity(uow, activity.id) == replay_activity(uow, activity.id)


SETTINGS = settings(
    max_examples=25,
    stateful_step_count=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TrackerMachine.TestCase.settings = SETTINGS
test_the_read_models_always_equal_a_replay = TrackerMachine.TestCase


@pytest.mark.postgres
def test_the_read_models_always_equal_a_replay_on_postgresql(postgres_server: str) -> None:
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")

    class PostgresMachine(TrackerMachine):
        def _database_url(self) -> str:
            self.database = f"tracker_machine_{uuid.uuid4().hex[:12]}"
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{self.database}"')
            url = sa.make_url(postgres_server).set(database=self.database)
            return url.render_as_string(hide_password=False)

        def _drop(self) -> None:
            with admin.connect() as connection:
                connection.exec_driver_sql(
                    f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'
                )

    try:
        run_state_machine_as_test(PostgresMachine, settings=settings(SETTINGS, max_examples=10))
    finally:
        admin.dispose()
