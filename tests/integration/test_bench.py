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

from bench import dataset
from bench.commands import NEXT_STATUS, open_activities
from bench.report import NOT_BUILT, parse_table
from events import projections
from tracker.clock import FixedClock
from tracker.database import Database
from tracker.domain.commands import ChangeActivityStatus
from tracker.handlers import change_activity_status, load_activity

ROOT = Path(__file__).resolve().parents[2]
TINY = 0.0005  # 1 network, 1 year, 20 activities: about 500 events
MEASURED = ("1", "2", "2.p50", "2.p95", "3", "6.web", "6.rebuild")


def test_tiny_scale_is_one_plan_of_twenty_activities() -> None:
    scale = dataset.Scale.of(TINY)
    assert (scale.networks, scale.years, scale.activities_per_plan) == (1, 1, 20)
    assert dataset.Scale.of(1.0).activities == 65 * 10 * 60


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
    command = ChangeActivityStatus(activity_id, NEXT_STATUS[status], "verder", version)
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
        "90",
    ]
    if postgres_url:
        command += ["--postgres-url", postgres_url]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _check_rows(tmp_path: Path, output: str, backend: str) -> None:
    cells = parse_table(output)
    for key in MEASURED:
        value = cells[(key, backend)]
        assert float(value.split()[0].replace(",", "")) > 0, (key, value)
    assert cells[("4", "—")] == cells[("5", "—")] == NOT_BUILT
    rows = json.loads((tmp_path / "rows.json").read_text())
    measured = {row["key"]: row for row in rows if row["backend"] == backend}
    assert set(measured) == set(MEASURED)
    assert all(row["value"] > 0 for row in measured.values())
    for key in ("1", "2", "3"):
        assert measured[key]["baseline_value"] > 0 and measured[key]["ratio"] > 0
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
