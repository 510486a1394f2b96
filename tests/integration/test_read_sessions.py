"""A request's session ends with a commit when it only read (PostgreSQL's driver keeps its
prepared statements), and with a rollback whenever it wrote anything it did not commit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, col, select

from tracker.database import Database
from tracker.models import Network


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


def read_then_write(session: Session) -> None:
    session.exec(select(Network)).all()
    add_flushed(session)
    session.exec(select(Network)).all()


@pytest.mark.parametrize(
    "write", [add_flushed, add_pending, core_insert, read_then_write], ids=lambda f: f.__name__
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
