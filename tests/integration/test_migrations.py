"""Migrations: a database made by the previous release is upgraded by `init-db` with all its
data; revision 0001 is exactly that release's schema; the models and the migrated schema
agree; `init-db` on a current database changes nothing.

The previous release's databases are in tests/fixtures/previous-release/ (a SQLite file and
a plain `pg_dump`, made by that release's own commands and pages: see make_fixtures.py).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlmodel import SQLModel

from config import TestConfig
from tests.conftest import BACKENDS
from tests.support import login
from tracker import projections
from tracker.clock import FixedClock
from tracker.database import (
    PREVIOUS_RELEASE,
    PREVIOUS_RELEASE_TABLES,
    Database,
    SchemaError,
    alembic_config,
    is_migrated,
    upgrade,
)
from wsgi import create_app

PREVIOUS = Path(__file__).parents[1] / "fixtures" / "previous-release"
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
# The columns the upgrade drops (nothing used them); every other value must survive.
DROPPED = {("activity", "carried_from_id"), ("user", "locale")}
# The tables later revisions add: empty after the upgrade.
ADDED = {"calendar_feed"}
# The columns later revisions add to existing tables (compared apart: see the upgrade test).
ADDED_COLUMNS = {("password_reset_token", "purpose"), ("importdraft", "structure")}
DEMO_PASSWORD = "jaarplan-demo-2021"  # of the demo accounts in the fixtures
WRITES = ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE", "TRUNCATE")


@pytest.fixture(params=BACKENDS)
def previous_release(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database as the previous release left it (a copy of the fixture)."""
    if request.param == "sqlite":
        shutil.copy(PREVIOUS / "tracker.sqlite", tmp_path / "tracker.db")
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    url = str(request.getfixturevalue("postgres_url"))
    restore_dump(url, PREVIOUS / "tracker-postgresql.sql")
    return url


@pytest.fixture
def empty_twin(
    previous_release: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """An empty database of the same kind as `previous_release`."""
    if previous_release.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = str(request.getfixturevalue("postgres_server"))
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def restore_dump(url: str, dump: Path) -> None:
    """Run a plain pg_dump file, as psql would (its meta-commands, `\\restrict`, left out)."""
    script = "\n".join(
        line for line in dump.read_text(encoding="utf-8").splitlines() if not line.startswith("\\")
    )
    engine = sa.create_engine(url)
    try:
        connection = engine.raw_connection()
        try:
            connection.driver_connection.execute(script)  # type: ignore[union-attr]
            connection.commit()
        finally:
            connection.close()
    finally:
        engine.dispose()


def make_app(url: str, tmp_path: Path) -> Flask:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["DATABASE_URL"] = url
    app = create_app(config, clock=FixedClock(datetime(2027, 1, 4, 10, 0, tzinfo=UTC)))
    app.instance_path = str(tmp_path)
    return app


@pytest.fixture
def upgraded(previous_release: str, tmp_path: Path) -> Iterator[tuple[Flask, dict[str, Any]]]:
    """The app on the previous release's database after `init-db`, and that database's
    rows and schema as they were before."""
    before = read_database(previous_release)
    app = make_app(previous_release, tmp_path)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    yield app, before
    app.extensions["tracker"].db.dispose()


READ_MODELS = {table.name for table in projections.READ_MODEL_TABLES}


def read_database(url: str) -> dict[str, Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {"rows": rows_of(connection), "schema": schema_of(connection)}
    finally:
        engine.dispose()


def rows_of(connection: sa.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order, without the columns the upgrade
    drops or adds. Not the version table, nor the read models: they are derived from the log and
    rebuilt when their shape changes (check-store compares them with a replay below)."""
    rows = {}
    for name in sa.inspect(connection).get_table_names():
        if name == "alembic_version" or name in READ_MODELS:
            continue
        table = sa.Table(name, sa.MetaData(), autoload_with=connection)
        kept = [c for c in table.columns if (name, c.name) not in DROPPED | ADDED_COLUMNS]
        query = sa.select(*kept).order_by(*table.primary_key.columns)
        rows[name] = [tuple(row) for row in connection.execute(query)]
    return rows


def schema_of(connection: sa.Connection) -> dict[str, Any]:
    """Tables (columns, keys, indexes, unique constraints) and triggers, as the database
    reports them."""
    inspector = sa.inspect(connection)
    tables = {}
    for name in sorted(inspector.get_table_names()):
        if name == "alembic_version":
            continue
        tables[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(name)
            ],
            "primary key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign keys": sorted(
                (fk["name"] or "", fk["constrained_columns"], fk["referred_table"])
                for fk in inspector.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (ix["name"] or "", ix["column_names"], bool(ix["unique"]))
                for ix in inspector.get_indexes(name)
            ),
            "unique": sorted(
                (uc["name"] or "", uc["column_names"])
                for uc in inspector.get_unique_constraints(name)
            ),
        }
    if connection.dialect.name == "sqlite":
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    else:
        query = """SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
            UNION ALL SELECT proname, prosrc FROM pg_proc WHERE proname = 'events_append_only'
            ORDER BY 1"""
    triggers = [(name, " ".join(sql.split())) for name, sql in connection.exec_driver_sql(query)]
    return {"tables": tables, "triggers": triggers}


def version_of(url: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def test_the_fixture_is_the_previous_release_with_something_in_every_table(
    previous_release: str,
) -> None:
    before = read_database(previous_release)
    assert version_of(previous_release) is None  # made by create_all, before migrations
    assert set(before["rows"]) | READ_MODELS == PREVIOUS_RELEASE_TABLES  # how init-db knows it
    assert [name for name, rows in before["rows"].items() if not rows] == []
    counts = {name: len(rows) for name, rows in before["rows"].items()}
    assert counts["user"] == 7 and counts["events"] == 160 and counts["reminder_outbox"] == 13
    assert len(before["schema"]["triggers"]) == (2 if previous_release.startswith("sqlite") else 3)


def test_init_db_upgrades_the_previous_release_and_keeps_every_row(
    upgraded: tuple[Flask, dict[str, Any]],
) -> None:
    app, before = upgraded
    url = app.config["DATABASE_URL"]
    assert version_of(url) == HEAD
    after = read_database(url)
    kept = {name: rows for name, rows in after["rows"].items() if name not in ADDED}
    assert kept == before["rows"]  # people, roles, memberships, plans, themes,
    # activities, events, outbox, preferences, audit entries, spending: every value
    assert {name: after["rows"][name] for name in ADDED} == {name: [] for name in ADDED}
    engine = sa.create_engine(url)
    with engine.connect() as connection:  # the reset links of before stay reset links
        purposes = connection.exec_driver_sql("SELECT purpose FROM password_reset_token")
        assert purposes.scalars().all() == ["reset"] * len(before["rows"]["password_reset_token"])
        structures = connection.exec_driver_sql("SELECT structure FROM importdraft")
        assert structures.scalars().all() == [""] * len(before["rows"]["importdraft"])
    engine.dispose()
    for table, column in DROPPED:
        assert column not in {c[0] for c in after["schema"]["tables"][table]["columns"]}
    assert after["schema"]["triggers"] == before["schema"]["triggers"]


def test_the_dropped_columns_held_nothing(previous_release: str) -> None:
    engine = sa.create_engine(previous_release)
    with engine.connect() as connection:
        carried = connection.exec_driver_sql(
            "SELECT count(*) FROM activity WHERE carried_from_id IS NOT NULL"
        ).scalar_one()
        locales = connection.exec_driver_sql('SELECT DISTINCT locale FROM "user"').scalars().all()
    engine.dispose()
    assert (carried, locales) == (0, [""])


def test_the_upgraded_store_is_clean_and_the_app_works_on_it(
    upgraded: tuple[Flask, dict[str, Any]],
) -> None:
    app, before = upgraded
    cli = app.test_cli_runner()
    result = cli.invoke(args=["check-store"])
    assert result.exit_code == 0, result.output
    assert "Store clean: 160 events in 48 streams" in result.output

    db = app.extensions["tracker"].db
    with db.engine.connect() as connection:
        activity_id, title, version = connection.execute(
            sa.text(
                "SELECT a.id, a.title, s.version FROM activity a "
                "JOIN activity_state s ON s.activity_id = a.id "
                "WHERE a.title = 'Gesprek bestuurders'"
            )
        ).one()
    client = app.test_client()
    login(client, "coordinator@example.org", DEMO_PASSWORD)
    page = client.get(f"/activiteiten/{activity_id}")
    assert page.status_code == 200
    assert title in page.get_data(as_text=True)
    assert "Gestart na de zomer" in page.get_data(as_text=True)  # a note of the old release
    response = client.post(
        f"/activiteiten/{activity_id}/status",
        data={"status": "vertraagd", "note": "Na de upgrade", "version": str(version)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with db.engine.connect() as connection:
        events = connection.execute(sa.text("SELECT count(*) FROM events")).scalar_one()
        status, note = connection.execute(
            sa.text("SELECT status, last_note FROM activity_state WHERE activity_id = :a"),
            {"a": activity_id},
        ).one()
    assert (events, status, note) == (
        len(before["rows"]["events"]) + 1,
        "vertraagd",
        "Na de upgrade",
    )
    result = cli.invoke(args=["check-store"])
    assert result.exit_code == 0 and "161 events" in result.output, result.output


def test_revision_0001_is_the_schema_of_the_previous_release(
    previous_release: str, empty_twin: str
) -> None:
    """An empty database taken to 0001 gets what the previous release made itself, so
    stamping one of its databases at 0001 is true."""
    db = Database(empty_twin)
    try:
        with db.schema_transaction() as connection:
            upgrade(connection, PREVIOUS_RELEASE)
    finally:
        db.dispose()
    assert read_database(empty_twin)["schema"] == read_database(previous_release)["schema"]


def differences(url: str) -> list[Any]:
    """What Alembic's autogenerate finds between the models and the database (the read
    models left out, as for a new revision)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": is_migrated, "compare_type": True}
            )
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """An empty database (`database_url` comes with the schema already made)."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def test_the_models_and_the_migrations_agree(empty_database_url: str) -> None:
    """A model changed without a revision fails here (as the models did against 0001)."""
    database_url = empty_database_url
    db = Database(database_url)
    try:
        with db.schema_transaction() as connection:
            upgrade(connection, PREVIOUS_RELEASE)
        found = differences(database_url)
        added = sorted(diff[1].name for diff in found if diff[0] == "add_table")
        assert added == sorted(ADDED)
        changed = [diff for diff in found if diff[0] not in ("add_table", "add_index")]
        assert sorted((diff[0], diff[2], diff[3].name) for diff in changed) == [
            ("add_column", table, column) for table, column in sorted(ADDED_COLUMNS)
        ] + [
            ("remove_column", "activity", "carried_from_id"),
            ("remove_column", "user", "locale"),
        ]
        indexes = [diff[1] for diff in found if diff[0] == "add_index"]
        assert {index.table.name for index in indexes} <= ADDED
        db.create_schema()
        assert differences(database_url) == []
    finally:
        db.dispose()


def test_the_upgraded_previous_release_agrees_with_the_models(
    upgraded: tuple[Flask, dict[str, Any]],
) -> None:
    app, _before = upgraded
    assert differences(app.config["DATABASE_URL"]) == []


def statements_of_a_second_init_db(app: Flask) -> list[str]:
    statements: list[str] = []
    engine = app.extensions["tracker"].db.engine

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.strip())

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        result = app.test_cli_runner().invoke(args=["init-db"])
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert result.exit_code == 0, result.output
    return statements


def test_init_db_twice_changes_nothing(empty_database_url: str, tmp_path: Path) -> None:
    database_url = empty_database_url
    app = make_app(database_url, tmp_path)
    try:
        result = app.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        before = read_database(database_url)
        statements = statements_of_a_second_init_db(app)
        assert statements  # it did look
        assert [s for s in statements if s.upper().startswith(WRITES)] == []
        assert read_database(database_url) == before
        assert version_of(database_url) == HEAD
    finally:
        app.extensions["tracker"].db.dispose()


def test_init_db_again_on_the_upgraded_previous_release_changes_nothing(
    upgraded: tuple[Flask, dict[str, Any]],
) -> None:
    app, _before = upgraded
    url = app.config["DATABASE_URL"]
    before = read_database(url)
    statements = statements_of_a_second_init_db(app)
    assert [s for s in statements if s.upper().startswith(WRITES)] == []
    assert read_database(url) == before


def test_a_database_of_an_unknown_release_is_refused_and_left_alone(
    empty_database_url: str,
) -> None:
    """Tables of the previous release, but not all of them (and no version table): no
    guess, a clear error, and nothing written."""
    database_url = empty_database_url
    db = Database(database_url)
    try:
        with db.schema_transaction() as connection:
            upgrade(connection, PREVIOUS_RELEASE)
            connection.exec_driver_sql("DROP TABLE reminder_preference")
            connection.exec_driver_sql("DROP TABLE alembic_version")
        before = read_database(database_url)
        with pytest.raises(SchemaError, match="lacks the tables reminder_preference"):
            db.create_schema()
        assert read_database(database_url) == before
        assert version_of(database_url) is None
    finally:
        db.dispose()
