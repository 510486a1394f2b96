"""Backups of a SQLite database with SQLite's online backup API (a consistent copy while the
app keeps running). PostgreSQL is backed up with its own tools (pg_dump; see the README).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa


class BackupError(Exception):
    """The backup cannot be made as asked; the message says why."""


PG_DUMP_HINT = (
    'PostgreSQL: use pg_dump, e.g. `pg_dump --format=custom --file=tracker.dump "$DATABASE_URL"`; '
    "restore into an empty database with `pg_restore --no-owner --dbname=NEW_URL tracker.dump`"
)


def sqlite_path(url: str) -> Path:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(PG_DUMP_HINT)
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("only a SQLite database in a file can be backed up")
    return Path(parsed.database)


def backup_sqlite(url: str, target: Path) -> int:
    """Copy the database at `url` to `target` (which must not exist); returns its size.

    The copy is made page by page by SQLite while writers go on; it is a consistent snapshot
    and includes what is still in the write-ahead log.
    """
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=1024)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        result = copy.execute("PRAGMA integrity_check").fetchone()
        if result is None or result[0] != "ok":
            raise BackupError(f"the copy failed its integrity check: {result}")
    finally:
        copy.close()
        source.close()
    return target.stat().st_size
