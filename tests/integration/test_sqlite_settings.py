"""The SQLite settings every connection gets (events/database.py), read back from SQLite,
and the benchmark's raw baseline uses the same ones (bench/baselines.py); a disposed
database keeps no file open."""

from __future__ import annotations

import os
from pathlib import Path

from bench.baselines import connect_sqlite
from events.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_WAL_AUTOCHECKPOINT_PAGES,
    make_engine,
)
from tracker.database import Database

EXPECTED = {
    "journal_mode": "wal",
    "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
    "synchronous": 1,  # NORMAL
    "wal_autocheckpoint": SQLITE_WAL_AUTOCHECKPOINT_PAGES,
}


def test_every_connection_and_the_baseline_get_the_settings(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        found = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in EXPECTED}
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
    assert found == EXPECTED
    raw = connect_sqlite(sqlite_url)
    assert {name: raw.execute(f"PRAGMA {name}").fetchone()[0] for name in EXPECTED} == EXPECTED
    raw.close()


def test_a_disposed_database_leaves_no_file_open(tmp_path: Path) -> None:
    """Each Database that wrote once and was disposed closes its files (the write queue's
    lock file stayed open: a test session ran out of descriptors for select())."""

    def open_files() -> int:
        return len(os.listdir("/proc/self/fd"))

    def write_once(number: int) -> None:
        db = Database(f"sqlite:///{tmp_path / f'{number}.db'}")
        db.create_schema()
        with db.unit_of_work() as uow:
            uow.connection.exec_driver_sql("SELECT 1")
            uow.commit()
        db.dispose()

    write_once(0)  # whatever stays loaded once (modules, the log) is not a leak
    before = open_files()
    for number in range(1, 21):
        write_once(number)
    assert open_files() <= before
