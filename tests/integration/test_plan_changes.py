"""Changing the plan during the year through its handlers, on SQLite and PostgreSQL: every
amendment kind (the event written, the rows and read model), additions, withdrawals,
reopenings, renamed themes and plans made in the app; the rights; the 409 on a stale
version; and reports of an earlier moment showing the plan as it was then."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import col, select

from events.schema import events_table
from events.store import ConcurrencyError, EventStore
from reminders.periods import Period as ReminderPeriod
from reminders.periods import ReminderKind, Run
from reminders.service import reminders_of
from tests.support import World, build_world, person
from tracker.clock import FixedClock
from tracker.domain.access import OPERATOR, Forbidden, NotFound, Principal
from tracker.domain.commands import (
    AddActivity,
    AmendActivity,
    ChangeActivityStatus,
    CreatePlan,
    RenameTheme,
    ReopenActivity,
    WithdrawActivity,
)
from tracker.domain.events import ActivityAmended
from tracker.domain.period import Period
from tracker.domain.plan_changes import PlanChangeRefused
from tracker.domain.status import TransitionRefused
from tracker.domain.timing import TimingKind
from tracker.handlers.activities import change_activity_status
from tracker.handlers.plan_changes import (
    add_activity,
    amend_activity,
    create_plan,
    rename_theme,
    reopen_activity,
    withdraw_activity,
)
from tracker.models import Activity, ActivityWorkgroup, Plan, Theme, Workgroup
from tracker.projections import ActivityState, domain_events
from tracker.reports.render import render
from tracker.reports.service import reports_for

START = datetime(2021, 1, 4, 9, tzinfo=UTC)


@pytest.fixture
def world(backend_app: Flask) -> World:
    backend_app.extensions["tracker"].clock.current = START
    return build_world(backend_app)


def run(app: Flask, handler: Callable[..., Any], command: Any, at: datetime | None = None) -> Any:
    services = app.extensions["tracker"]
    if at is not None:
        services.clock.current = at
    return handler(services.db.unit_of_work(), command, services.clock)


def who(app: Flask, world: World, role: str) -> Principal:
    return person(app.extensions["tracker"].db, world.user_ids[role])


def fingerprint(app: Flask) -> tuple[Any, ...]:
    """Everything a refused change must leave as it was: the log and the plan's rows."""
    tables = (events_table, Activity, ActivityWorkgroup, Theme, Plan, ActivityState)
    with app.extensions["tracker"].db.session() as session:
        connection = session.connection()
        return tuple(
            tuple(sorted(map(tuple, connection.execute(sa.select(getattr(t, "__table__", t))))))
            for t in tables
        )


def events_of(app: Flask, activity_id: str) -> list[Any]:
    with app.extensions["tracker"].db.session() as session:
        stored = EventStore(session.connection()).read_stream(activity_id)
        return [recorded.event for recorded in domain_events(stored)]


def row(app: Flask, activity_id: str) -> tuple[Activity, str, list[str], ActivityState]:
    with app.extensions["tracker"].db.session() as session:
        activity = session.get(Activity, activity_id)
        assert activity is not None
        theme = session.get(Theme, activity.theme_id)
        assert theme is not None
        groups = session.exec(
            select(Workgroup.name)
            .join(ActivityWorkgroup, col(ActivityWorkgroup.workgroup_id) == Workgroup.id)
            .where(ActivityWorkgroup.activity_id == activity_id)
            .order_by(col(ActivityWorkgroup.position))
        ).all()
        state = session.get(ActivityState, activity_id)
        assert state is not None
        session.expunge_all()
        return activity, theme.name, list(groups), state


def workgroup_id(app: Flask, world: World, name: str) -> int:
    with app.extensions["tracker"].db.session() as session:
        found = session.exec(
            select(Workgroup.id).where(
                Workgroup.network_id == world.network_id, Workgroup.name == name
            )
        ).one()
        assert found is not None
        return found


def csv_rows(app: Flask, period: str) -> dict[str, dict[str, str]]:
    services = app.extensions["tracker"]
    with app.app_context(), services.db.session() as session:
        reports = reports_for(
            session, period=Period.parse(period), now=services.clock.now(), plan_slug="testnet-2021"
        )
        text = render(reports, "csv").decode("utf-8-sig")
    return {r["Activiteit"]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}


def made(app: Flask, fmt: str, period: str) -> bytes:
    services = app.extensions["tracker"]
    with app.app_context(), services.db.session() as session:
        reports = reports_for(
            session, period=Period.parse(period), now=services.clock.now(), plan_slug="testnet-2021"
        )
        return render(reports, fmt)


@pytest.mark.parametrize(
    ("edits", "field", "new"),
    [
        ({"title": "Bestuursoverleg (herzien)"}, "title", "Bestuursoverleg (herzien)"),
        ({"theme": "Informeren"}, "theme", "Informeren"),
        ({"theme": "Nieuw thema"}, "theme", "Nieuw thema"),
        ({"objectives": "Akkoord op jaarplan 2023."}, "objectives", "Akkoord op jaarplan 2023."),
        ({"actions": "Bestuur informeren."}, "actions", "Bestuur informeren."),
        ({"wie": "Werkgroep PR"}, "wie", "Werkgroep PR"),
        ({"wanneer": "2e kwartaal"}, "wanneer", "2e kwartaal"),
        ({"position": 7}, "position", 7),
    ],
)
def test_each_amendment_is_an_event_with_old_and_new_and_changes_the_rows(
    backend_app: Flask, world: World, edits: dict[str, Any], field: str, new: Any
) -> None:
    app = backend_app
    before, theme_before, _, state_before = row(app, world.activity_id)
    old = theme_before if field == "theme" else getattr(before, field)
    result = run(
        app,
        amend_activity,
        AmendActivity(
            who(app, world, "coordinator"), world.activity_id, reason="AB besluit", **edits
        ),
    )
    assert result.changed == (field,)
    last = events_of(app, world.activity_id)[-1]
    assert isinstance(last, ActivityAmended)
    assert last.changes == {field: [old, new]} and last.reason == "AB besluit"
    after, theme_after, _, state_after = row(app, world.activity_id)
    assert (theme_after if field == "theme" else getattr(after, field)) == new
    assert state_after.version == state_before.version + 1 == result.version
    assert state_after.status == state_before.status


def test_wanneer_is_read_again_and_unreadable_text_is_flagged(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    coordinator = who(app, world, "coordinator")
    run(app, amend_activity, AmendActivity(coordinator, world.activity_id, wanneer="2e kwartaal"))
    activity, *_ = row(app, world.activity_id)
    assert (activity.period_start, activity.period_end) == (
        datetime(2021, 4, 1).date(),
        datetime(2021, 6, 30).date(),
    )
    result = run(
        app, amend_activity, AmendActivity(coordinator, world.activity_id, wanneer="als het kan")
    )
    assert result.timing_kind == TimingKind.UNPARSED
    activity, *_ = row(app, world.activity_id)
    assert activity.timing_kind == TimingKind.UNPARSED and activity.period_end is None


def test_reassigned_workgroups_are_recorded_by_id_and_reach_the_new_members(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    beleid = workgroup_id(app, world, "Werkgroep beleid")
    pr = workgroup_id(app, world, "Werkgroep PR & Communicatie")
    member = who(app, world, "other_member")  # in PR, not in beleid
    with pytest.raises(Forbidden):
        run(app, change_activity_status, ChangeActivityStatus(member, world.activity_id, "lopend"))
    run(
        app,
        amend_activity,
        AmendActivity(who(app, world, "coordinator"), world.activity_id, workgroup_ids=(pr,)),
    )
    last = events_of(app, world.activity_id)[-1]
    assert last.changes == {"workgroups": [[beleid], [pr]]}
    assert row(app, world.activity_id)[2] == ["Werkgroep PR & Communicatie"]
    result = run(
        app, change_activity_status, ChangeActivityStatus(member, world.activity_id, "lopend")
    )
    assert result.status == "lopend"


def refused_amendments(app: Flask, world: World) -> list[tuple[AmendActivity, str]]:
    coordinator = who(app, world, "coordinator")
    with app.extensions["tracker"].db.session() as session:
        foreign = session.exec(
            select(Workgroup.id).where(Workgroup.network_id != world.network_id)
        ).first()
    assert foreign is not None
    a = world.activity_id
    return [
        (AmendActivity(coordinator, a, title="  "), "title_required"),
        (AmendActivity(coordinator, a, theme=""), "theme_required"),
        (AmendActivity(coordinator, a, title="x" * 301), "too_long"),
        (AmendActivity(coordinator, a, wanneer="x" * 501), "too_long"),
        (AmendActivity(coordinator, a, workgroup_ids=(foreign,)), "unknown_workgroup"),
        (AmendActivity(coordinator, a, title="Algemeen bestuursoverleg"), "nothing_changed"),
        (AmendActivity(coordinator, a), "nothing_changed"),
    ]


def test_bad_amendments_are_refused_by_rule_and_write_nothing(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    for command, code in refused_amendments(app, world):
        before = fingerprint(app)
        with pytest.raises(PlanChangeRefused) as refused:
            run(app, amend_activity, command)
        assert refused.value.code == code, command
        assert fingerprint(app) == before


def test_a_stale_version_is_refused_and_nothing_is_lost(backend_app: Flask, world: World) -> None:
    app = backend_app
    coordinator = who(app, world, "coordinator")
    seen = row(app, world.activity_id)[3].version
    run(app, amend_activity, AmendActivity(coordinator, world.activity_id, wanneer="3e kwartaal"))
    before = fingerprint(app)
    stale: list[tuple[Callable[..., Any], Any]] = [
        (
            amend_activity,
            AmendActivity(coordinator, world.activity_id, title="B", expected_version=seen),
        ),
        (withdraw_activity, WithdrawActivity(coordinator, world.activity_id, "dubbel", seen)),
    ]
    for handler, command in stale:
        with pytest.raises(ConcurrencyError):
            run(app, handler, command)
    assert fingerprint(app) == before
    assert row(app, world.activity_id)[0].wanneer == "3e kwartaal"


WRITES: list[tuple[str, Callable[..., Any], Callable[[Principal, World, int], Any]]] = [
    ("amend", amend_activity, lambda p, w, plan: AmendActivity(p, w.activity_id, title="Nieuw")),
    (
        "withdraw",
        withdraw_activity,
        lambda p, w, plan: WithdrawActivity(p, w.activity_id, "dubbel"),
    ),
    ("reopen", reopen_activity, lambda p, w, plan: ReopenActivity(p, w.activity_id, "fout")),
    ("add", add_activity, lambda p, w, plan: AddActivity(p, plan, "Nieuw", "Coördinatie")),
    ("rename", rename_theme, lambda p, w, plan: RenameTheme(p, plan, "Coördinatie", "Regie")),
    (
        "create",
        create_plan,
        lambda p, w, plan: CreatePlan(p, w.network_id, 2022, "Jaarplan 2022", themes=("A",)),
    ),
]


@pytest.mark.parametrize("name", [name for name, *_ in WRITES])
@pytest.mark.parametrize(
    ("role", "refusal"),
    [
        ("owner_member", Forbidden),
        ("other_member", Forbidden),
        ("board", Forbidden),
        ("other_coordinator", NotFound),
    ],
)
def test_only_the_networks_coordinators_change_the_plan(
    backend_app: Flask, world: World, name: str, role: str, refusal: type[Exception]
) -> None:
    app = backend_app
    _, handler, make = next(w for w in WRITES if w[0] == name)
    with app.extensions["tracker"].db.session() as session:
        plan_id = session.exec(select(Plan.id).where(Plan.slug == "testnet-2021")).one()
    before = fingerprint(app)
    with pytest.raises(refusal):
        run(app, handler, make(who(app, world, role), world, plan_id or 0))
    assert fingerprint(app) == before
    if name == "reopen":  # a coordinator reopens only a closed activity
        run(app, withdraw_activity, WithdrawActivity(OPERATOR, world.activity_id, "dubbel"))
        before = fingerprint(app)
    run(app, handler, make(who(app, world, "coordinator"), world, plan_id or 0))
    assert fingerprint(app) != before


def test_withdrawn_leaves_the_counts_from_then_on_and_reopening_brings_it_back(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    coordinator = who(app, world, "coordinator")
    run(app, change_activity_status, ChangeActivityStatus(OPERATOR, world.activity_id, "lopend"),
        at=datetime(2021, 2, 1, 9, tzinfo=UTC))  # fmt: skip
    with pytest.raises(TransitionRefused) as refused:
        run(app, withdraw_activity, WithdrawActivity(coordinator, world.activity_id, " "))
    assert refused.value.code == "reason_required_change"
    with pytest.raises(TransitionRefused) as refused:
        run(
            app,
            change_activity_status,
            ChangeActivityStatus(coordinator, world.activity_id, "vervallen", "x"),
        )
    assert refused.value.code == "withdraw_only"
    run(app, withdraw_activity, WithdrawActivity(coordinator, world.activity_id, "Dubbel met X"),
        at=datetime(2021, 5, 3, 9, tzinfo=UTC))  # fmt: skip
    assert row(app, world.activity_id)[3].status == "vervallen"
    app.extensions["tracker"].clock.current = datetime(2021, 7, 10, 9, tzinfo=UTC)
    q1 = csv_rows(app, "2021Q1")
    q2 = csv_rows(app, "2021Q2")
    assert q1["Algemeen bestuursoverleg"]["Status"] == "Lopend"  # withdrawn after Q1 ended
    assert q2["Algemeen bestuursoverleg"]["Status"] == "Vervallen"
    html = made(app, "html", "2021Q2").decode()
    assert "Vervallen uit het plan (1)" in html and "Dubbel met X" in html
    counted = html.split("Vervallen uit het plan")[0]
    assert "Vervallen" not in counted.split("<thead>")[1].split("</thead>")[0]
    with pytest.raises(TransitionRefused) as refused:
        run(app, reopen_activity, ReopenActivity(coordinator, world.pr_activity_id, "fout"))
    assert refused.value.code == "not_reopenable"
    with pytest.raises(TransitionRefused) as refused:
        run(
            app, reopen_activity, ReopenActivity(coordinator, world.activity_id, "fout", "afgerond")
        )
    assert refused.value.code == "reopen_to_open"
    result = run(app, reopen_activity, ReopenActivity(coordinator, world.activity_id, "Toch nodig"))
    assert result.status == "lopend"


def test_a_finished_activity_is_reopened_and_no_longer_finished(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    for status in ("lopend", "afgerond"):
        run(app, change_activity_status, ChangeActivityStatus(OPERATOR, world.activity_id, status))
    assert row(app, world.activity_id)[3].finished_at is not None
    result = run(
        app,
        reopen_activity,
        ReopenActivity(who(app, world, "coordinator"), world.activity_id, "Te vroeg", "vertraagd"),
    )
    state = row(app, world.activity_id)[3]
    assert result.status == state.status == "vertraagd" and state.finished_at is None


def test_an_added_activity_is_planned_and_absent_from_earlier_reports(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    coordinator = who(app, world, "coordinator")
    pr = workgroup_id(app, world, "Werkgroep PR & Communicatie")
    with app.extensions["tracker"].db.session() as session:
        plan_id = session.exec(select(Plan.id).where(Plan.slug == "testnet-2021")).one() or 0
    added = run(
        app,
        add_activity,
        AddActivity(coordinator, plan_id, "Nieuwsbrief", "Communicatie", wanneer="3e kwartaal",
                    workgroup_ids=(pr,)),
        at=datetime(2021, 7, 20, 9, tzinfo=UTC),
    )  # fmt: skip
    activity, theme, groups, state = row(app, added)
    assert (activity.title, theme, groups, state.status) == (
        "Nieuwsbrief", "Communicatie", ["Werkgroep PR & Communicatie"], "gepland"
    )  # fmt: skip
    with pytest.raises(PlanChangeRefused) as refused:
        run(app, add_activity, AddActivity(coordinator, plan_id, "Nieuwsbrief", "Communicatie"))
    assert refused.value.code == "title_taken"
    app.extensions["tracker"].clock.current = datetime(2021, 10, 5, 9, tzinfo=UTC)
    assert "Nieuwsbrief" not in csv_rows(app, "2021Q2")
    assert csv_rows(app, "2021Q3")["Nieuwsbrief"]["Status"] == "Gepland"


def test_a_renamed_theme_is_an_amendment_of_each_of_its_activities(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    with app.extensions["tracker"].db.session() as session:
        plan_id = session.exec(select(Plan.id).where(Plan.slug == "testnet-2021")).one() or 0
    coordinator = who(app, world, "coordinator")
    with pytest.raises(PlanChangeRefused) as refused:
        run(app, rename_theme, RenameTheme(coordinator, plan_id, "Coördinatie", "Informeren"))
    assert refused.value.code == "theme_exists"
    count = run(
        app,
        rename_theme,
        RenameTheme(coordinator, plan_id, "Coördinatie", "Regie", "Nieuwe indeling"),
        at=datetime(2021, 8, 2, 9, tzinfo=UTC),
    )
    assert count == 2
    assert events_of(app, world.activity_id)[-1].changes == {"theme": ["Coördinatie", "Regie"]}
    app.extensions["tracker"].clock.current = datetime(2021, 10, 5, 9, tzinfo=UTC)
    assert csv_rows(app, "2021Q2")["Algemeen bestuursoverleg"]["Thema"] == "Coördinatie"
    assert csv_rows(app, "2021Q3")["Algemeen bestuursoverleg"]["Thema"] == "Regie"


def test_a_plan_is_made_empty_or_as_a_copy_without_statuses(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    coordinator = who(app, world, "coordinator")
    run(app, change_activity_status, ChangeActivityStatus(OPERATOR, world.activity_id, "lopend"))
    run(app, withdraw_activity, WithdrawActivity(OPERATOR, world.pr_activity_id, "dubbel"))
    with app.extensions["tracker"].db.session() as session:
        source = session.exec(select(Plan.id).where(Plan.slug == "testnet-2021")).one()
    with pytest.raises(PlanChangeRefused) as refused:
        run(app, create_plan, CreatePlan(coordinator, world.network_id, 2021, "Dubbel"))
    assert refused.value.code == "plan_exists"
    with pytest.raises(PlanChangeRefused) as refused:
        run(app, create_plan, CreatePlan(coordinator, world.network_id, 1999, "Oud"))
    assert refused.value.code == "invalid_year"
    empty = run(
        app,
        create_plan,
        CreatePlan(coordinator, world.network_id, 2023, "Jaarplan 2023", "Motto", ("A", "B", "A")),
    )
    copy = run(
        app,
        create_plan,
        CreatePlan(coordinator, world.network_id, 2022, " Jaarplan  2022 ", copy_from=source),
    )
    with app.extensions["tracker"].db.session() as session:
        themes = session.exec(
            select(Theme.name).where(Theme.plan_id == empty.id).order_by(col(Theme.position))
        ).all()
        assert themes == ["A", "B"]
        copied = session.exec(
            select(Activity.title, ActivityState.status)
            .join(ActivityState, col(ActivityState.activity_id) == Activity.id)
            .where(Activity.plan_id == copy.id)
        ).all()
    assert copy.title == "Jaarplan 2022" and copy.slug == "testnet-2022"
    assert sorted(copied) == [
        ("Algemeen bestuursoverleg", "gepland"), ("Gesprek bestuurders", "gepland")
    ]  # fmt: skip


def test_a_past_report_shows_the_plan_as_it_was_byte_for_byte(
    backend_app: Flask, world: World
) -> None:
    """Title, wanneer, workgroups, theme and order amended, one activity withdrawn and one
    added after the 2nd quarter: its report is the same bytes as before."""
    app = backend_app
    clock: FixedClock = app.extensions["tracker"].clock
    run(app, change_activity_status, ChangeActivityStatus(OPERATOR, world.activity_id, "lopend"),
        at=datetime(2021, 5, 3, 9, tzinfo=UTC))  # fmt: skip
    clock.current = datetime(2021, 7, 1, 8, tzinfo=UTC)
    before = {fmt: made(app, fmt, "2021Q2") for fmt in ("html", "csv")}
    coordinator = who(app, world, "coordinator")
    pr = workgroup_id(app, world, "Werkgroep PR & Communicatie")
    clock.current = datetime(2021, 7, 5, 9, tzinfo=UTC)
    run(app, amend_activity, AmendActivity(
        coordinator, world.activity_id, title="Bestuursoverleg", wanneer="Continu",
        workgroup_ids=(pr,), theme="Informeren", position=9, reason="AB",
    ))  # fmt: skip
    run(app, amend_activity, AmendActivity(coordinator, world.activity_id, wanneer="2022"))
    run(app, withdraw_activity, WithdrawActivity(coordinator, world.pr_activity_id, "dubbel"))
    with app.extensions["tracker"].db.session() as session:
        plan_id = session.exec(select(Plan.id).where(Plan.slug == "testnet-2021")).one() or 0
    run(app, add_activity, AddActivity(coordinator, plan_id, "Later toegevoegd", "Coördinatie"))
    clock.current = datetime(2026, 11, 23, 10, tzinfo=UTC)
    after = {fmt: made(app, fmt, "2021Q2") for fmt in ("html", "csv")}
    assert after == before
    now = csv_rows(app, "2021Q3")
    assert now["Bestuursoverleg"]["Wanneer"] == "2022"
    assert now["Bestuursoverleg"]["Thema"] == "Informeren"
    assert now["Bestuursoverleg"]["Werkgroepen"] == "Werkgroep PR & Communicatie"
    assert "Later toegevoegd" in now and "Algemeen bestuursoverleg" not in now


def quarterly_reminders(app: Flask, world: World) -> dict[int | None, set[str]]:
    """Per workgroup, the activities testnet's next quarterly run lists in its mail."""
    planned = reminders_of(app).plan(Run(ReminderKind.QUARTERLY, ReminderPeriod.parse("2021Q4")))
    found: dict[int | None, set[str]] = {}
    for draft in planned.drafts:
        if draft.network_id == world.network_id:
            found.setdefault(draft.workgroup_id, set()).update(draft.activity_ids)
    return found


def test_the_next_reminder_run_follows_reassignments_and_skips_withdrawn_work(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    beleid = workgroup_id(app, world, "Werkgroep beleid")
    pr = workgroup_id(app, world, "Werkgroep PR & Communicatie")
    before = quarterly_reminders(app, world)
    assert {key for key, ids in before.items() if world.activity_id in ids} == {beleid}
    coordinator = who(app, world, "coordinator")
    run(app, amend_activity, AmendActivity(coordinator, world.activity_id, workgroup_ids=(pr,)))
    after = quarterly_reminders(app, world)
    assert {key for key, ids in after.items() if world.activity_id in ids} == {pr}
    run(app, withdraw_activity, WithdrawActivity(coordinator, world.activity_id, "dubbel"))
    assert not any(world.activity_id in ids for ids in quarterly_reminders(app, world).values())
