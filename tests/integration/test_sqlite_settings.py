"""The SQLite settings every connection gets (events/database.py), read back from SQLite,
and the benchmark's raw baseline uses the same ones (bench/baselines.py)."""

from __future__ import annotations

from bench.baselines import connect_sqlite
from events.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_WAL_AUTOCHECKPOINT_PAGES,
    make_engine,
)

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
