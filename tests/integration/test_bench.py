"""The benchmark keeps working: its generated log is valid, and a tiny run prints every row.

No timing is asserted here; the figures belong in bench/RESULTS.md, not in a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import dataset, peer
from bench.commands import NEXT_STATUS, open_activities
from bench.report import parse_table
from reminders.periods import Period, ReminderKind
from reminders.planning import is_valid_address, snapshots
from reminders.selection import activities_per_workgroup
from tracker import models, projections
from tracker.clock import FixedClock
from tracker.database import Database
from tracker.domain.access import OPERATOR
from tracker.domain.commands import ChangeActivityStatus
from tracker.handlers.activities import change_activity_status, load_activity

ROOT = Path(__file__).resolve().parents[2]
TINY = 0.0005  # 1 network, 1 year, 20 activities: about 500 events
MEASURED = (
    "1", "1.short", "1.raw", "2", "2.p50", "2.p95", "3", "3.raw", "3.million",
    "4.plan.html", "4.plan.asof", "4.plan.pdf", "4.plan.pdf.again", "4.plan.xlsx",
    "4.network.html", "4.network.asof",
    "5", "5.make", "5.deliver",
    "6.web", "6.rebuild", "7.cli",
)  # fmt: skip


def test_tiny_scale_is_one_plan_of_twenty_activities() -> None:
    scale = dataset.Scale.of(TINY)
    assert (scale.networks, scale.years, scale.activities_per_plan) == (1, 1, 20)
    assert dataset.Scale.of(1.0).activities == 65 * 10 * 60


def test_the_generated_workgroups_have_addresses_and_work_in_every_quarter() -> None:
    data = dataset.generate(dataset.Scale.of(0.02))
    workgroups = data.reference[models.Workgroup.__table__]  # type: ignore[attr-defined]
    assert len(workgroups) == 3
    assert all(is_valid_address(row["email"]) for row in workgroups)
    assert all(row["email"].endswith("@example.org") for row in workgroups)
    last_year = dataset.today(data.scale).year
    activities = data.reference[models.Activity.__table__]  # type: ignore[attr-defined]
    links = data.reference[models.ActivityWorkgroup.__table__]  # type: ignore[attr-defined]
    assert {row["activity_id"] for row in links} == {row["id"] for row in activities}
    for quarter in (1, 2, 3, 4):
        period = Period(last_year, quarter)
        active = [
            row
            for row in activities
            if row["period_start"] and row["period_start"] <= period.last
            and row["period_end"] >= period.first
        ]  # fmt: skip
        assert len(active) >= 20, quarter  # a third of the last plan, for all three groups


def test_the_reminder_query_reads_exactly_what_the_rule_can_list(db: Database) -> None:
    """`snapshots(listable_in=…)` filters in SQL; the pure rule must find the same lists."""
    data = dataset.generate(dataset.Scale.of(0.02))
    dataset.write(db.write_engine, data)
    last_year = dataset.today(data.scale).year
    with db.session() as session:
        everything = snapshots(session)
        for period in [Period(year, q) for year in (2016, last_year, 2026) for q in (1, 2, 3, 4)]:
            some = snapshots(session, listable_in=period)
            assert len(some) < len(everything)
            for kind in (ReminderKind.QUARTERLY, ReminderKind.DUE_SOON):
                expected = activities_per_workgroup(kind, period, everything)
                assert activities_per_workgroup(kind, period, some) == expected, (period, kind)
                if period.year == last_year and kind is ReminderKind.QUARTERLY:
                    assert len(expected) == 3


def test_the_generated_log_replays_into_the_bulk_written_read_models(
    db: Database, clock: FixedClock
) -> None:
    data = dataset.generate(dataset.Scale.of(0.02))  # ten yearly plans of one network
    dataset.write(db.write_engine, data)
    with db.engine.connect() as connection:
        written = projections.snapshot(connection)
    assert len(written["activity_state"]) == 600
    assert {row[2] for row in written["activity_state"]} >= {"lopend", "afgerond", "gestopt"}
    with db.unit_of_work() as uow:
        replayed = projections.rebuild(uow.connection)
        for state in written["activity_state"][:50]:
            activity = load_activity(uow, str(state[0]))
            assert (activity.status.value, activity.version) == (state[2], state[3])
        uow.commit()
    with db.engine.connect() as connection:
        assert projections.snapshot(connection) == written
    assert replayed == data.event_count > 600 * 20

    # The log goes on where the bulk write stopped: the next append gets the next position.
    activity_id, status, version, _plan = open_activities(db, limit=1)[0]
    command = ChangeActivityStatus(OPERATOR, activity_id, NEXT_STATUS[status], "verder", version)
    result = change_activity_status(db.unit_of_work(), command, clock)
    assert result.events[0].position == data.event_count + 1
    with db.engine.connect() as connection:
        positions = connection.execute(sa.text("SELECT count(*) FROM events")).scalar_one()
    assert positions == data.event_count + 1


def _run_bench(tmp_path: Path, backends: str, postgres_url: str | None = None) -> str:
    command = [
        sys.executable,
        "-m",
        "bench",
        "--scale",
        str(TINY),
        "--seconds",
        "0.3",
        "--clients",
        "2",
        "--backends",
        backends,
        "--workdir",
        str(tmp_path),
        "--json",
        str(tmp_path / "rows.json"),
        "--results",
        str(tmp_path / "RESULTS.md"),
        "--time-limit",
        "240",  # ~50 s on a quiet machine; over 90 s at a load average of 10 (2 December)
    ]
    if postgres_url:
        command += ["--postgres-url", postgres_url]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _check_rows(tmp_path: Path, output: str, backend: str) -> None:
    cells = parse_table(output)
    for key in MEASURED:
        value = cells[(key, backend)]
        assert float(value.split()[0].replace(",", "")) > 0, (key, value)
    assert not any(backend_ == "—" for _, backend_ in cells), "every row is measured"
    assert "mails to 3 workgroups" in output  # one network: every workgroup has work in Q4
    rows = json.loads((tmp_path / "rows.json").read_text())
    measured = {row["key"]: row for row in rows if row["backend"] == backend}
    assert set(measured) == set(MEASURED)
    assert all(row["value"] > 0 for row in measured.values())
    for key in ("1.raw", "2", "3.raw"):  # the same work raw, a trivial request, a raw scan
        assert measured[key]["baseline_value"] > 0 and measured[key]["ratio"] > 0
    for key in ("1", "1.short", "3"):  # the peer: the eventsourcing library, same work
        if peer.AVAILABLE:
            assert measured[key]["baseline_value"] > 0 and measured[key]["ratio"] > 0, key
        else:
            assert measured[key]["baseline"] == peer.MISSING
    assert measured["1"]["target"] == "≥ 2 × peer" and measured["3"]["target"] == "≥ 4 × peer"
    assert measured["3.million"]["target"] == "< 15 s"
    assert measured["4.plan.html"]["target"] == "< 200 ms"
    assert measured["7.cli"]["target"] == "< 1.5 s"
    assert "interpreter" in measured["7.cli"]["baseline"]
    results = (tmp_path / "RESULTS.md").read_text()
    assert "bench:begin" in results and "status changes in-process" in results
    assert not list(tmp_path.glob("bench_*")), "the run leaves no database behind"


def test_a_tiny_bench_run_on_sqlite_prints_every_row(tmp_path: Path) -> None:
    output = _run_bench(tmp_path, "sqlite")
    _check_rows(tmp_path, output, "sqlite")


@pytest.mark.postgres
def test_a_tiny_bench_run_on_postgresql_prints_every_row(
    tmp_path: Path, postgres_server: str
) -> None:
    admin = sa.create_engine(postgres_server)
    count = sa.text("SELECT count(*) FROM pg_database WHERE datname LIKE 'bench\\_%'")
    with admin.connect() as connection:
        before = connection.execute(count).scalar_one()
    output = _run_bench(tmp_path, "postgresql", postgres_server)
    _check_rows(tmp_path, output, "postgresql")
    with admin.connect() as connection:
        after = connection.execute(count).scalar_one()
    admin.dispose()
    assert after == before, "the run drops the databases it created"
