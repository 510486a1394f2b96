"""PostgreSQL: a pooled connection is pinged only after lying idle, and a dead one is then
replaced before any request sees it (events/database.py, PING_AFTER_IDLE_SECONDS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from events import database
from events.database import make_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def terminate(postgres_url: str, pid: int) -> None:
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.execute(sa.text(f"SELECT pg_terminate_backend({pid})")).scalar()
    admin.dispose()


def pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    seen: list[object] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        seen.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return seen


def test_a_connection_idle_past_the_limit_is_pinged_and_a_dead_one_replaced(
    engine: Engine, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = pings(engine, monkeypatch)
    first = backend_pid(engine)
    terminate(postgres_url, first)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # every wait is too long
    second = backend_pid(engine)  # no error: the ping found it dead, the pool reconnected
    assert second != first and len(seen) == 1
    assert backend_pid(engine) == second and len(seen) == 2  # alive: pinged and kept


def test_a_connection_just_given_back_is_used_without_a_ping(
    engine: Engine, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = pings(engine, monkeypatch)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 3600.0)
    first = backend_pid(engine)
    assert backend_pid(engine) == first and seen == []  # the saved round trip
    # The price: a server gone within the window fails that connection's next use once
    # (a 503 in the app); SQLAlchemy then replaces the pool and the next use works.
    terminate(postgres_url, first)
    with pytest.raises(sa.exc.OperationalError) as failed:
        backend_pid(engine)
    assert failed.value.connection_invalidated
    assert backend_pid(engine) != first
