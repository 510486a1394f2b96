"""Backups: `flask --app wsgi backup FILE` copies a SQLite database while writers go on, and
the copy restores to a working app (same events and read models, check-store clean, people
sign in). PostgreSQL: the pg_dump / pg_restore commands the README documents, round-tripped."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from config import TestConfig
from tests.integration.test_rebuild import busy_history
from tests.support import build_world, login
from tracker import projections
from tracker.clock import FixedClock
from wsgi import create_app


def _state(app: Flask) -> tuple[list[tuple[object, ...]], dict[str, list[tuple[object, ...]]]]:
    db = app.extensions["tracker"].db
    with db.engine.connect() as connection:
        events = [tuple(r) for r in connection.execute(sa.text("SELECT * FROM events ORDER BY 1"))]
        return events, projections.snapshot(connection)


def _app_on(url: str, clock: FixedClock) -> Flask:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["DATABASE_URL"] = url
    return create_app(config, clock=clock)


def test_a_sqlite_backup_taken_during_writes_restores_to_a_working_app(
    app: Flask, clock: FixedClock, tmp_path: Path
) -> None:
    world = build_world(app)
    db = app.extensions["tracker"].db
    busy_history(db, clock, rounds=20)
    before = len(_state(app)[0])
    writer_clock = FixedClock(clock.now())
    writing = threading.Thread(target=busy_history, args=(db, writer_clock, 40))
    target = tmp_path / "backup.db"
    writing.start()
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    writing.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output
    again = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert again.exit_code == 1 and "exists already" in again.output

    # Restore: the backup file becomes the database of a new app.
    restored_path = tmp_path / "restored" / "tracker.db"
    restored_path.parent.mkdir()
    shutil.copy(target, restored_path)
    restored = _app_on(f"sqlite:///{restored_path}", clock)
    check = restored.test_cli_runner().invoke(args=["check-store"])
    assert check.exit_code == 0, check.output
    events, read_models = _state(restored)
    live_events, _ = _state(app)
    assert events == live_events[: len(events)] and len(events) >= before > 6
    assert read_models["activity_state"]
    login(restored.test_client(), world.emails["board"])
    restored.extensions["tracker"].db.dispose()


def test_backup_of_postgres_points_to_pg_dump(backend_app: Flask, tmp_path: Path) -> None:
    result = backend_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.db")])
    if backend_app.extensions["tracker"].db.engine.dialect.name == "postgresql":
        assert result.exit_code == 1 and "pg_dump" in result.output
    else:
        assert result.exit_code == 0


@pytest.mark.postgres
def test_the_documented_pg_dump_and_pg_restore_round_trip(
    postgres_url: str, postgres_server: str, clock: FixedClock, tmp_path: Path
) -> None:
    # The PostgreSQL client tools come with the server this test already needs.
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "install postgresql-client"
    source = _app_on(postgres_url, clock)
    source.extensions["tracker"].db.create_schema()
    world = build_world(source)
    busy_history(source.extensions["tracker"].db, clock, rounds=20)
    plain = sa.make_url(postgres_url).set(drivername="postgresql")
    dump = tmp_path / "tracker.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", plain.render_as_string(False)],
        check=True,
        timeout=60,
    )
    name = f"{plain.database}_restored"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        target = plain.set(database=name)
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={target.render_as_string(False)}", str(dump)],
            check=True,
            timeout=60,
        )
        restored = _app_on(target.render_as_string(False), clock)
        assert _state(restored) == _state(source)
        assert restored.test_cli_runner().invoke(args=["check-store"]).exit_code == 0
        login(restored.test_client(), world.emails["board"])
        with restored.extensions["tracker"].db.engine.begin() as connection:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                connection.execute(sa.text("DELETE FROM events"))  # the triggers came along
        restored.extensions["tracker"].db.dispose()
    finally:
        source.extensions["tracker"].db.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
