"""A stalled database costs a request a 503 within seconds, not a worker, and a lock held by a
stalled session stops blocking others (events/timeouts.py, the DATABASE_*_TIMEOUT settings).

PostgreSQL is reached through a TCP proxy in a process of its own (tests/tcp_proxy.py) that
the tests freeze (SIGSTOP: the kernel still acknowledges every packet, so no TCP option and
no server-side timeout notices, as with a frozen server) or cut (SIGKILL: every connection
closed). Every request runs in a thread given `BOUND` seconds to answer: settings of a few
seconds must answer well within it, and a request that hangs fails the test instead of
hanging it. SQLite: another process holds the database file's lock.
"""

from __future__ import annotations

import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask, Response
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from config import TestConfig
from tests.support import World, build_world, login, token_for
from tests.tcp_proxy import ProxyProcess
from tracker.clock import FixedClock
from tracker.database import Database
from tracker.services import db_session
from wsgi import create_app

T = TypeVar("T")
BOUND = 15.0  # seconds any request may take here; the settings below need a few
TIMEOUTS = {
    "DATABASE_CONNECT_TIMEOUT": 2,
    "DATABASE_STATEMENT_TIMEOUT": 2,  # the client gives up 2 s later (CLIENT_MARGIN_SECONDS)
    "DATABASE_LOCK_TIMEOUT": 1,
    "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": 3,
    "DATABASE_TCP_TIMEOUT": 4,
}
UNAVAILABLE_PAGE = "De database is op dit moment niet bereikbaar"


def make_app(url: str, clock: FixedClock, tmp_path: Path, **settings: object) -> Flask:
    config: dict[str, Any] = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(TIMEOUTS, DATABASE_URL=url, **settings)
    app = create_app(config, clock=clock)
    app.instance_path = str(tmp_path)
    return app


def within_bound(request: Callable[[], T]) -> T:
    """The answer to `request`, made in a thread that must finish within BOUND seconds.

    A request that hangs is left behind (its thread ends when the test's proxy is killed)."""
    outcome: list[T | BaseException] = []

    def run() -> None:
        try:
            outcome.append(request())
        except BaseException as error:  # handed to the test below
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(BOUND)
    assert outcome, f"no answer within {BOUND:g} s"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


@dataclass
class Requests:
    """The three kinds of request, as a signed-in person and with API tokens."""

    app: Flask
    world: World
    browser: FlaskClient
    reader: dict[str, str]
    writer: dict[str, str]

    def page(self) -> TestResponse:
        return self.browser.get("/mijn-activiteiten")

    def api_read(self) -> TestResponse:
        return self.app.test_client().get("/api/v1/plans", headers=self.reader)

    def api_write(self, expected_version: int = 1) -> TestResponse:
        return self.app.test_client().post(
            f"/api/v1/activities/{self.world.activity_id}/status",
            json={"status": "lopend", "expected_version": expected_version},
            headers=self.writer,
        )

    def make(self, kind: str) -> TestResponse:
        made: TestResponse = getattr(self, kind)()
        return made


def requests_for(app: Flask, world: World) -> Requests:
    browser = app.test_client()
    login(browser, world.emails["owner_member"])
    return Requests(
        app,
        world,
        browser,
        reader=token_for(app, world, "board"),
        writer=token_for(app, world, "owner_member"),
    )


def assert_unavailable(kind: str, answer: TestResponse) -> None:
    assert answer.status_code == 503, answer.get_data(as_text=True)[:300]
    if kind == "page":
        assert UNAVAILABLE_PAGE in answer.get_data(as_text=True)
    else:
        assert answer.get_json() == {
            "error": "unavailable",
            "message": "the database is unavailable; try again",
        }


def assert_answered(kind: str, answer: TestResponse) -> None:
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    if kind == "api_write":
        assert answer.get_json()["version"] == 2  # the failed attempt wrote nothing


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[ProxyProcess]:
    with ProxyProcess(sa.make_url(postgres_url).port or 5432) as running:
        yield running


@pytest.fixture
def proxied(
    postgres_url: str, proxy: ProxyProcess, clock: FixedClock, tmp_path: Path
) -> Iterator[Requests]:
    """The app on PostgreSQL through the proxy, with a plan, people and tokens."""
    url = sa.make_url(postgres_url).set(host="127.0.0.1", port=proxy.port)
    app = make_app(url.render_as_string(hide_password=False), clock, tmp_path)
    app.extensions["tracker"].db.create_schema()
    yield requests_for(app, build_world(app))
    proxy.close()  # first: a request left hanging then fails, and lets its connection go
    app.extensions["tracker"].db.dispose()


KINDS = ["page", "api_read", "api_write"]


@pytest.mark.postgres
@pytest.mark.parametrize("kind", KINDS)
def test_a_frozen_database_answers_503_within_seconds_and_the_app_recovers(
    proxied: Requests, proxy: ProxyProcess, kind: str
) -> None:
    assert proxied.page().status_code == 200  # connections in the pool, in use a moment ago
    proxy.freeze()
    assert_unavailable(kind, within_bound(lambda: proxied.make(kind)))
    proxy.thaw()
    assert_answered(kind, within_bound(lambda: proxied.make(kind)))  # same app, same session


@pytest.mark.postgres
@pytest.mark.parametrize("kind", KINDS)
def test_a_frozen_pooled_connection_is_pinged_within_seconds(
    proxied: Requests, proxy: ProxyProcess, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection that lay idle is pinged first (events/database.py): the ping waits on
    the frozen connection too, and must give up as soon."""
    from events import database

    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    proxy.freeze()
    assert_unavailable(kind, within_bound(lambda: proxied.make(kind)))
    proxy.thaw()
    assert_answered(kind, within_bound(lambda: proxied.make(kind)))


@pytest.mark.postgres
@pytest.mark.parametrize("kind", KINDS)
def test_a_cut_connection_answers_503_and_the_app_recovers(
    proxied: Requests, proxy: ProxyProcess, kind: str
) -> None:
    assert proxied.page().status_code == 200
    proxy.cut()
    assert_unavailable(kind, within_bound(lambda: proxied.make(kind)))
    proxy.start()  # the same port
    assert_answered(kind, within_bound(lambda: proxied.make(kind)))


def backend_pid(connection: sa.Connection) -> int:
    return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def backend_alive(postgres_url: str, pid: int) -> bool:
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,))
        return found.fetchone() is not None


@pytest.mark.postgres
def test_a_frozen_session_holding_the_event_lock_blocks_other_writers_only_briefly(
    proxied: Requests,
    proxy: ProxyProcess,
    postgres_url: str,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    """A write frozen mid-transaction holds the event table's lock. A writer on another app
    server (a direct connection) waits at most the lock timeout and answers 503; the server
    ends the frozen session after its idle-in-transaction timeout, and writes go on."""
    stalled = proxied.app.extensions["tracker"].db.unit_of_work()
    stalled.__enter__()
    stalled.events.lock_for_append()  # what every write takes first
    frozen_pid = backend_pid(stalled.connection)
    proxy.freeze()
    other = make_app(postgres_url, clock, tmp_path)
    try:
        elsewhere = Requests(other, proxied.world, other.test_client(), {}, proxied.writer)
        assert_unavailable("api_write", within_bound(elsewhere.api_write))
        deadline = time.monotonic() + BOUND
        while (answer := within_bound(elsewhere.api_write)).status_code == 503:
            assert time.monotonic() < deadline, "the frozen session kept its lock"
            time.sleep(0.5)
        assert_answered("api_write", answer)
        assert not backend_alive(postgres_url, frozen_pid)
    finally:
        other.extensions["tracker"].db.dispose()
        proxy.thaw()
        with suppress(sa.exc.SQLAlchemyError, psycopg.Error):
            stalled.__exit__(None, None, None)


@pytest.mark.postgres
@pytest.mark.parametrize("kind", KINDS)
def test_a_connection_lost_before_the_read_session_ends_answers_503_or_keeps_the_write(
    postgres_url: str, clock: FixedClock, tmp_path: Path, kind: str
) -> None:
    """The server ends the request's read session after the view is done, before the read
    transaction is ended: a read answers the 503, as for any database lost during it (the
    teardown used to swallow this and send the page); a write keeps its 200, as what it
    wrote is committed."""
    app = make_app(postgres_url, clock, tmp_path)
    app.extensions["tracker"].db.create_schema()
    armed = threading.Event()

    @app.after_request  # registered after the app's own, so it runs before them
    def end_the_backend(response: Response) -> Response:
        if armed.is_set():
            pid = backend_pid(db_session().connection())
            with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
                ended = admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
                assert ended.fetchone() == (True,)
        return response

    requests = requests_for(app, build_world(app))
    armed.set()
    try:
        answer = within_bound(lambda: requests.make(kind))
        if kind == "api_write":
            assert_answered(kind, answer)
        else:
            assert_unavailable(kind, answer)
    finally:
        app.extensions["tracker"].db.dispose()


@pytest.mark.postgres
def test_connections_killed_during_a_write_answer_503_not_a_bare_500(
    postgres_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    """Every connection of the app is killed as a write begins: the write fails (503), and
    the request's read session, on a connection that died too, must end without turning
    that answer into a bare 500 from Flask's teardown."""
    app = make_app(postgres_url, clock, tmp_path)
    db = app.extensions["tracker"].db
    db.create_schema()
    requests = requests_for(app, build_world(app))
    armed = threading.Event()

    def kill_everything(connection: sa.Connection) -> None:
        writing = connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
        if writing and armed.is_set():
            armed.clear()
            with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )

    sa.event.listen(db.engine, "begin", kill_everything)
    try:
        armed.set()
        assert_unavailable("api_write", within_bound(requests.api_write))
        assert_answered("api_write", within_bound(requests.api_write))
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_session_of_a_request_the_database_failed_is_let_go_without_waiting_on_it(
    postgres_url: str, proxy: ProxyProcess
) -> None:
    """After a database error the request's read session is closed, not rolled back: the
    teardown waits on nothing, even with no deadline at all (a statement timeout of 0)."""
    from events.timeouts import Timeouts

    url = sa.make_url(postgres_url).set(host="127.0.0.1", port=proxy.port)
    db = Database(url.render_as_string(hide_password=False), timeouts=Timeouts(statement=0))
    try:
        session = db.session()
        session.connection().exec_driver_sql("SELECT 1")  # in a transaction, as a request
        proxy.freeze()
        within_bound(lambda: db.end_session(session, failed=True, discard=True))
        assert db.engine.pool.checkedout() == 0
    finally:
        proxy.close()
        db.dispose()


@pytest.mark.postgres
def test_a_statement_over_the_timeout_is_cancelled_by_the_server_and_the_connection_kept(
    postgres_url: str,
) -> None:
    from events.database import make_engine
    from events.timeouts import Timeouts

    engine = make_engine(postgres_url, Timeouts(statement=1), pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            pid = backend_pid(connection)
            with pytest.raises(sa.exc.OperationalError) as cancelled:
                connection.exec_driver_sql("SELECT pg_sleep(5)")
            assert isinstance(cancelled.value.orig, psycopg.errors.QueryCanceled)
            assert not cancelled.value.connection_invalidated
        with engine.connect() as connection:
            assert backend_pid(connection) == pid  # the same connection, still good
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_timeouts_reach_the_server_and_libpq_and_the_url_wins(postgres_url: str) -> None:
    from events.database import make_engine
    from events.timeouts import Timeouts

    url = sa.make_url(postgres_url).update_query_dict(
        {"connect_timeout": "7", "options": "-c lock_timeout=2500"}
    )
    timeouts = Timeouts(connect=3, statement=4, lock=1.5, idle_in_transaction=6, tcp=9)
    engine = make_engine(url.render_as_string(hide_password=False), timeouts)
    try:
        with engine.connect() as connection:
            shown = {
                name: connection.exec_driver_sql(f"SHOW {name}").scalar_one()
                for name in ("statement_timeout", "lock_timeout", "TimeZone")
            }
            shown["idle"] = connection.exec_driver_sql(
                "SHOW idle_in_transaction_session_timeout"
            ).scalar_one()
            driver: Any = connection.connection.driver_connection
            parameters = driver.info.get_parameters()
        assert shown == {
            "statement_timeout": "4s",
            "lock_timeout": "2500ms",  # the URL's own
            "TimeZone": "UTC",
            "idle": "6s",
        }
        assert parameters["connect_timeout"] == "7"  # the URL's own
        tcp = ("keepalives", "keepalives_idle", "keepalives_count", "tcp_user_timeout")
        assert [parameters[name] for name in tcp] == ["1", "5", "3", "9000"]
        assert driver.read_deadline == 6.0  # the statement timeout and 2 s
    finally:
        engine.dispose()


# SQLite: another process holds the database file's lock.

_HOLD_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive":  # readers are kept out too
    connection.execute("PRAGMA locking_mode=EXCLUSIVE")
connection.execute("BEGIN EXCLUSIVE")
connection.execute("UPDATE network SET name = name")
print("locked", flush=True)
sys.stdin.readline()
connection.rollback()
"""


@pytest.fixture
def sqlite_app(sqlite_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Requests]:
    app = make_app(sqlite_url, clock, tmp_path)
    app.extensions["tracker"].db.create_schema()
    yield requests_for(app, build_world(app))
    app.extensions["tracker"].db.dispose()


def hold_lock(sqlite_url: str, mode: str) -> subprocess.Popen[str]:
    path = sa.make_url(sqlite_url).database or ""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, path, mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    ready, _, _ = select.select([holder.stdout], [], [], BOUND)
    if not ready or holder.stdout.readline() != "locked\n":
        release(holder)
        raise AssertionError("the other process did not take the lock")
    return holder


def release(holder: subprocess.Popen[str]) -> None:
    try:
        if holder.stdin is not None:
            holder.stdin.close()
        holder.wait(timeout=10)
    finally:
        holder.kill()
        if holder.stdout is not None:
            holder.stdout.close()


@pytest.mark.parametrize(
    ("mode", "blocked"),
    [("write", ["api_write"]), ("exclusive", KINDS)],
    ids=["write-lock", "exclusive-lock"],
)
def test_a_sqlite_file_locked_by_another_process_answers_503_within_the_lock_timeout(
    sqlite_app: Requests, sqlite_url: str, mode: str, blocked: list[str]
) -> None:
    """A write lock keeps writers out (readers read on, WAL); an exclusive lock, taken while
    the app had no connection open, keeps everyone out. Either way for at most the lock
    timeout (SQLite's busy timeout)."""
    if mode == "exclusive":
        sqlite_app.app.extensions["tracker"].db.engine.dispose()
    holder = hold_lock(sqlite_url, mode)
    try:
        for kind in KINDS:
            answer = within_bound(lambda: sqlite_app.make(kind))  # noqa: B023 (waited for)
            if kind in blocked:
                assert_unavailable(kind, answer)
            else:
                assert answer.status_code == 200, kind
    finally:
        release(holder)
    for kind in KINDS:
        assert_answered(kind, within_bound(lambda: sqlite_app.make(kind)))  # noqa: B023


def test_the_settings_default_to_the_timeouts_defaults(app: Flask) -> None:
    """config.py and events/timeouts.py name the same defaults (the README's table)."""
    from events.timeouts import Timeouts
    from tracker.app import _timeouts

    assert _timeouts(app) == Timeouts()
