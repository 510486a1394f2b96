"""The app's wiring: the database, the clock and the password hasher, reachable per request."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, has_app_context
from sqlmodel import Session

from tracker.clock import Clock
from tracker.database import Database
from tracker.passwords import Passwords


@dataclass
class Services:
    db: Database
    clock: Clock
    passwords: Passwords


def services() -> Services:
    """The Services of the current app (set up by create_app)."""
    found: Services = current_app.extensions["tracker"]
    return found


def db_session() -> Session:
    """A read session for this request, closed when the request ends."""
    if "db_session" not in g:
        g.db_session = services().db.session()
    session: Session = g.db_session
    return session


def end_read_snapshot() -> None:
    """Before a write queues for SQLite's write lock: end this request's read transaction
    if it only read (see `Database.end_read`; the session itself stays usable)."""
    if has_app_context() and "db_session" in g:
        services().db.end_read(g.db_session)


def mark_request_failed() -> None:
    """For the error handlers: this request failed, so its session is rolled back (Flask
    passes no error to the teardown for an exception an error handler answered)."""
    g.request_failed = True


def close_db_session(error: BaseException | None = None) -> None:
    failed = g.pop("request_failed", False) or error is not None
    session = g.pop("db_session", None)
    if session is not None:
        services().db.end_session(session, failed=failed)
