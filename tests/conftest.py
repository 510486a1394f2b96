"""Shared fixtures: databases (a real SQLite file, a real PostgreSQL server), the app, people.

PostgreSQL: the server named by TEST_POSTGRES_URL (default: the local `test` database). Each
test gets a database of its own: empty (`postgres_url`, `sqlite_url`) or, for the app and
`database_url`, a copy of one brought to the schema once per session by `create_schema` (the
migrations run once, not once per test; the app runs `create_schema` again, finding nothing
to do). When no server answers, PostgreSQL tests are skipped, except on
CI (CI=true), where that is a failure. A test's database is dropped in a thread of its own
(`_Dropper`): a DROP DATABASE takes the server ~0.3 s that the next test need not wait for.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import FileSystemBytecodeCache

from config import TestConfig
from tracker.clock import FixedClock
from tracker.database import Database
from wsgi import create_app

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _postgres_reachable() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means: not reachable
        return str(error).splitlines()[0]


class _Dropper:
    """Creates the tests' PostgreSQL databases and drops them in a thread of its own."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
        self.names: queue.Queue[str | None] = queue.Queue()
        self.thread = threading.Thread(target=self._drop_all, name="drop-databases", daemon=True)
        self.thread.start()

    def create(self, sql: str = "") -> tuple[str, str]:
        """A new database (`sql`: e.g. 'TEMPLATE "x"'): its name and URL."""
        name = f"tracker_test_{uuid.uuid4().hex[:12]}"
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}" {sql}')
        url = sa.make_url(self.server_url).set(database=name)
        return name, url.render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        self.names.put(name)

    def _drop_all(self) -> None:
        while (name := self.names.get()) is not None:
            with self.engine.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.names.put(None)
        self.thread.join()
        self.engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of a reachable PostgreSQL server (skip, or fail on CI, without one)."""
    problem = _postgres_reachable()
    if problem is not None:
        if ON_CI:
            pytest.fail(f"PostgreSQL is required on CI but not reachable: {problem}")
        pytest.skip(f"no PostgreSQL server reachable at {POSTGRES_URL}: {problem}")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def postgres_databases(postgres_server: str) -> Iterator[_Dropper]:
    dropper = _Dropper(postgres_server)
    yield dropper
    dropper.close()


@pytest.fixture
def postgres_url(postgres_databases: _Dropper) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name, url = postgres_databases.create()
    yield url
    postgres_databases.drop(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with this release's schema, made once per session."""
    path = tmp_path_factory.mktemp("template") / "tracker.db"
    database = Database(f"sqlite:///{path}")
    database.create_schema()
    database.dispose()
    return path


@pytest.fixture
def migrated_sqlite_url(sqlite_url: str, sqlite_template: Path) -> str:
    """`sqlite_url`'s file as a copy of the template (SQLite's backup API: WAL included)."""
    target = sa.make_url(sqlite_url).database or ""
    with closing(sqlite3.connect(sqlite_template)) as source:
        with closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
    return sqlite_url


@pytest.fixture(scope="session")
def postgres_template(postgres_databases: _Dropper) -> Iterator[str]:
    """A PostgreSQL database with this release's schema, made once, to copy per test."""
    name, url = postgres_databases.create()
    database = Database(url)
    database.create_schema()
    database.dispose()
    yield name
    postgres_databases.drop(name)


@pytest.fixture
def migrated_postgres_url(postgres_databases: _Dropper, postgres_template: str) -> Iterator[str]:
    """A PostgreSQL database of its own for one test, a copy of the template."""
    name, url = postgres_databases.create(f'TEMPLATE "{postgres_template}"')
    yield url
    postgres_databases.drop(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on a SQLite file and once on PostgreSQL (with the schema)."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("migrated_sqlite_url"))
    return str(request.getfixturevalue("migrated_postgres_url"))


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.create_schema()
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2021, 5, 10, 9, 30, tzinfo=UTC))


@pytest.fixture
def app(
    migrated_sqlite_url: str,
    clock: FixedClock,
    tmp_path: Path,
    templates_compiled: FileSystemBytecodeCache,
) -> Iterator[Flask]:
    """The app on a SQLite file (tests that must also run on PostgreSQL use `backend_app`)."""
    yield from _app(migrated_sqlite_url, clock, tmp_path, templates_compiled)


@pytest.fixture
def backend_app(
    database_url: str,
    clock: FixedClock,
    tmp_path: Path,
    templates_compiled: FileSystemBytecodeCache,
) -> Iterator[Flask]:
    """The app, once on SQLite and once on PostgreSQL."""
    yield from _app(database_url, clock, tmp_path, templates_compiled)


@pytest.fixture(scope="session")
def templates_compiled(tmp_path_factory: pytest.TempPathFactory) -> FileSystemBytecodeCache:
    """Jinja's own bytecode cache, shared by the tests' apps: each compiles no template again."""
    return FileSystemBytecodeCache(str(tmp_path_factory.mktemp("jinja")))


def _app(
    url: str, clock: FixedClock, tmp_path: Path, compiled: FileSystemBytecodeCache
) -> Iterator[Flask]:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["DATABASE_URL"] = url
    application = create_app(config, clock=clock)
    application.jinja_env.bytecode_cache = compiled
    application.instance_path = str(tmp_path)
    application.extensions["tracker"].db.create_schema()
    yield application
    application.extensions["tracker"].db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass(frozen=True)
class Person:
    email: str
    password: str
    user_id: int


PASSWORD = "correct-horse-battery"
