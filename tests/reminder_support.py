"""Helpers for the reminder tests: point the app at a test SMTP server, make and deliver runs."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text
from sqlmodel import col, select

from reminders.periods import Period, ReminderKind, Run
from reminders.sender import Outcome
from reminders.service import Reminders, reminders_of
from reminders.settings import mail_settings
from tests.smtp_server import SmtpServer
from tracker.database import Database
from tracker.domain.access import OPERATOR, Principal
from tracker.domain.commands import ChangeActivityStatus
from tracker.handlers.activities import change_activity_status
from tracker.models import Workgroup
from tracker.reminder_models import OutboxMessage, ReminderPreference


def use_smtp(app: Flask, server: SmtpServer, **extra: object) -> Reminders:
    """Send this app's mail to `server` (as SMTP_HOST/SMTP_PORT would in production)."""
    return configure_mail(app, **{**server.config(), **extra})


def configure_mail(app: Flask, **config: object) -> Reminders:
    """Change mail settings after the app was made (as if set in the environment)."""
    app.config.update(config)
    reminders = reminders_of(app)
    reminders.mail = mail_settings(app.config)
    reminders.__dict__.pop("mailer", None)  # built again from the new settings
    return reminders


def db_of(app: Flask) -> Database:
    database: Database = app.extensions["tracker"].db
    return database


def make_and_deliver(app: Flask, kind: ReminderKind, period: str) -> list[Outcome]:
    reminders = reminders_of(app)
    reminders.make_run(Run(kind, Period.parse(period)))
    return reminders.deliver_due()


def outbox_rows(app: Flask) -> list[OutboxMessage]:
    with db_of(app).session() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def count(app: Flask, table: str) -> int:
    with db_of(app).engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def event_types(app: Flask, activity_id: str) -> list[str]:
    with db_of(app).engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type FROM events WHERE stream_id = :id ORDER BY version"),
            {"id": activity_id},
        )
        return [row.type for row in rows]


def choose(app: Flask, user_id: int, *, personal_copy: bool = True, digest: bool = True) -> None:
    with db_of(app).session() as session:
        session.merge(
            ReminderPreference(user_id=user_id, personal_copy=personal_copy, digest=digest)
        )
        session.commit()


def set_workgroup_email(app: Flask, network_slug: str, name: str, email: str) -> int:
    from tracker.models import Network

    with db_of(app).session() as session:
        workgroup = session.exec(
            select(Workgroup)
            .join(Network, col(Network.id) == col(Workgroup.network_id))
            .where(Network.slug == network_slug, Workgroup.name == name)
        ).one()
        workgroup.email = email
        session.add(workgroup)
        session.commit()
        assert workgroup.id is not None
        return workgroup.id


def change_status(
    app: Flask, activity_id: str, status: str, note: str = "", actor: int | None = None
) -> None:
    services = app.extensions["tracker"]
    change_activity_status(
        services.db.unit_of_work(),
        ChangeActivityStatus(
            OPERATOR if actor is None else Principal(actor, is_admin=True),
            activity_id,
            status,
            note,
        ),
        services.clock,
    )
