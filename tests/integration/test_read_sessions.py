"""A request's session ends with a commit when it only read (PostgreSQL's driver keeps its
prepared statements), and with a rollback whenever it wrote anything it did not commit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlmodel import Session, col, select

from tracker.database import Database
from tracker.models import Network
from tracker.services import db_session


def endings(db: Database) -> list[str]:
    seen: list[str] = []
    event.listen(db.engine, "commit", lambda _connection: seen.append("commit"))
    event.listen(db.engine, "rollback", lambda _connection: seen.append("rollback"))
    return seen


def stored_networks(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.exec(select(Network.slug)).all())


def test_a_session_that_only_read_is_committed(db: Database) -> None:
    seen = endings(db)
    session = db.session()
    assert session.exec(select(Network).where(col(Network.slug) == "x")).all() == []
    db.end_session(session)
    assert seen == ["commit"]
    assert not session.in_transaction()


def add_flushed(session: Session) -> None:
    session.add(Network(slug="flushed", name="Flushed"))
    session.flush()


def add_pending(session: Session) -> None:
    session.add(Network(slug="pending", name="Pending"))


def core_insert(session: Session) -> None:
    session.connection().execute(sa.insert(Network).values(slug="core", name="Core"))


def plain_sql(session: Session) -> None:
    session.connection().exec_driver_sql("INSERT INTO network (slug, name) VALUES ('sql', 'Sql')")


def read_then_write(session: Session) -> None:
    session.exec(select(Network)).all()
    add_flushed(session)
    session.exec(select(Network)).all()


@pytest.mark.parametrize(
    "write",
    [add_flushed, add_pending, core_insert, plain_sql, read_then_write],
    ids=lambda f: f.__name__,
)
def test_a_session_that_wrote_without_committing_is_rolled_back(
    db: Database, write: Callable[[Session], None]
) -> None:
    seen = endings(db)
    session = db.session()
    write(session)
    db.end_session(session)
    assert "commit" not in seen
    assert stored_networks(db) == []


def test_a_failed_request_rolls_back_even_a_read(db: Database) -> None:
    seen = endings(db)
    session = db.session()
    session.exec(select(Network)).all()
    db.end_session(session, failed=True)
    assert seen == ["rollback"]


def test_a_committed_write_stays_and_the_next_read_is_committed(db: Database) -> None:
    session = db.session()
    add_flushed(session)
    session.commit()
    seen = endings(db)
    session.exec(select(Network)).all()  # a new transaction, reading only
    db.end_session(session)
    assert seen == ["commit"] and stored_networks(db) == ["flushed"]


def test_a_request_answered_by_an_error_handler_rolls_back(app: Flask) -> None:
    """Flask gives the teardown no error when a handler answered the exception (the 500
    page): the handler marks the request as failed, so its session is rolled back."""
    db = app.extensions["tracker"].db

    @app.get("/test-only/boom")
    def boom() -> str:
        db_session().exec(select(Network)).all()
        raise RuntimeError("boom")

    seen = endings(db)
    assert app.test_client().get("/test-only/boom").status_code == 500
    assert "rollback" in seen and "commit" not in seen
