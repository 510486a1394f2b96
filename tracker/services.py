"""The app's wiring: the database, the clock and the password hasher, reachable per request."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, has_app_context
from sqlmodel import Session

from tracker.clock import Clock
from tracker.database import Database
from tracker.mail import SendMail
from tracker.passwords import Passwords


@dataclass
class Services:
    db: Database
    clock: Clock
    passwords: Passwords
    send_mail: SendMail | None = None  # plugged in by the reminders package (tracker.mail)


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


def mark_request_failed(database: bool = False) -> None:
    """For the error handlers: this request failed, so its session is rolled back (Flask
    passes no error to the teardown for an exception an error handler answered). When the
    database failed, the session's connection is closed instead (`Database.end_session`)."""
    g.request_failed = True
    if database:
        g.database_failed = True


def end_request_read() -> None:
    """Before the answer is made: end this request's read transaction if it only read and
    the request did not fail. Raises the database's errors, for the answer to say so (the
    teardown, `close_db_session`, comes too late to change the answer)."""
    if "db_session" in g and not g.get("request_failed", False):
        services().db.end_read(g.db_session)


def close_db_session(error: BaseException | None = None) -> None:
    """Flask's teardown: end and close the request's session (never raises)."""
    failed = g.pop("request_failed", False) or error is not None
    lost = g.pop("database_failed", False)
    session = g.pop("db_session", None)
    if session is not None:
        services().db.end_session(session, failed=failed, discard=lost)
