"""The outbox: runs written once, mails claimed by one sender at a time, outcomes recorded.

Writing: the run row (UNIQUE(kind, period)) and one row per recipient (UNIQUE(recipient,
kind, period)) go in one transaction with INSERT … ON CONFLICT DO NOTHING, so of several
scheduler processes making the same run, exactly one writes; the others find it made.

Sending: a sender claims a pending, due row with a conditional UPDATE (a lease with a random
token). On SQLite writers are serialised by BEGIN IMMEDIATE; on PostgreSQL the second UPDATE
waits for the first to commit and then no longer matches. Just before it hands the message to
the mail server (SMTP DATA), the sender marks the row "sending" and commits, again only if it
still holds the claim: a sender whose claim ran out and was taken over never sends the row.

A sender that dies before that point leaves a pending row whose lease expires, and the row is
tried again: nothing was handed over. One that dies after it leaves a "sending" row: when its
lease has expired, the next sender marks it uncertain instead of sending it (the server may
have taken the mail), and an admin decides (`resend`). The claim token stays on such a row,
so a sender that was only slow can still record the answer it got.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from events.database import upsert_insert
from reminders.compose import Composed
from reminders.periods import Period, ReminderKind, Run
from tracker.database import Database
from tracker.domain.message import Message, stored
from tracker.handlers.marker import handler
from tracker.reminder_models import OutboxMessage, OutboxStatus, ReminderRun

outbox_table: sa.Table = OutboxMessage.__table__  # type: ignore[attr-defined]
run_table: sa.Table = ReminderRun.__table__  # type: ignore[attr-defined]

CLAIM_LEASE = timedelta(minutes=10)
SENDER_DIED = stored(Message("the sending process stopped before the mail server answered"))


def lease_for(smtp_timeout: float) -> timedelta:
    """A claim long enough for a live sender to get its answers: at least CLAIM_LEASE, and
    three SMTP timeouts (DATA's 354, the end of the message, a margin)."""
    return max(CLAIM_LEASE, timedelta(seconds=3 * smtp_timeout))


@dataclass(frozen=True)
class Draft:
    """One mail a run would send. `address` is shown by a dry run, never stored or logged."""

    recipient_key: str
    recipient_kind: str
    network_id: int
    workgroup_id: int | None
    user_id: int | None
    address: str
    composed: Composed
    activity_ids: tuple[str, ...]


def _insert_new(connection: Connection, table: sa.Table, unique: list[str], **values: Any) -> int:
    """INSERT … ON CONFLICT (`unique`) DO NOTHING; returns the rows it added (0 or 1),
    counted from RETURNING: the drivers do not agree on `rowcount` for it."""
    statement = (
        upsert_insert(connection.dialect.name, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique)
    )
    return len(connection.execute(statement.returning(sa.literal_column("1"))).all())


def done_runs(session: Session) -> set[Run]:
    """Every run already made (whoever made it)."""
    return {
        Run(ReminderKind(row.kind), Period.parse(row.period))
        for row in session.exec(select(ReminderRun))
    }


@handler
def write_run(
    db: Database, run: Run, drafts: Sequence[Draft], now: datetime, *, once: bool = True
) -> int | None:
    """Store a run and its mails in one transaction; returns the number of new outbox rows.

    With `once` (the scheduler), nothing is written when the run was already made and None is
    returned. Without it (a manual send), recipients that have no row yet get one; those that
    have one keep it.
    """
    now = now.astimezone(UTC)
    kind, period = run.kind.value, str(run.period)
    with db.unit_of_work() as uow:
        connection = uow.connection
        made = _insert_new(
            connection,
            run_table,
            ["kind", "period"],
            kind=kind,
            period=period,
            made_at=now,
            messages=len(drafts),
        )
        if once and not made:
            return None
        written = 0
        for draft in drafts:
            written += _insert_new(
                connection,
                outbox_table,
                ["recipient_key", "kind", "period"],
                recipient_key=draft.recipient_key,
                kind=kind,
                period=period,
                recipient_kind=draft.recipient_kind,
                network_id=draft.network_id,
                workgroup_id=draft.workgroup_id,
                user_id=draft.user_id,
                subject=draft.composed.subject,
                body_text=draft.composed.text,
                body_html=draft.composed.html,
                activity_ids=json.dumps(list(draft.activity_ids)),
                status=OutboxStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                last_error="",
                created_at=now,
            )
        uow.commit()
    return written


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        outbox_table.c.status == OutboxStatus.PENDING,
        outbox_table.c.next_attempt_at <= now,
        sa.or_(outbox_table.c.claimed_until.is_(None), outbox_table.c.claimed_until < now),
    )


@handler
def claim_next(
    db: Database,
    now: datetime,
    token: str,
    skip: Collection[int] = (),
    lease: timedelta = CLAIM_LEASE,
) -> OutboxMessage | None:
    """Claim the next due pending row for this sender (see the module docstring), or None."""
    now = now.astimezone(UTC)
    with db.unit_of_work() as uow:
        candidates = uow.connection.execute(
            sa.select(outbox_table.c.id)
            .where(_claimable(now), outbox_table.c.id.not_in(list(skip)))
            .order_by(outbox_table.c.next_attempt_at, outbox_table.c.id)
            .limit(10)
        ).scalars()
        for message_id in list(candidates):
            claimed = uow.connection.execute(
                sa.update(outbox_table)
                .where(outbox_table.c.id == message_id, _claimable(now))
                .values(claimed_until=now + lease, claim_token=token)
            ).rowcount
            if claimed == 1:
                message = uow.session.get(OutboxMessage, message_id)
                uow.commit()
                return message
        return None


@handler
def start_data(db: Database, message_id: int, token: str, now: datetime, lease: timedelta) -> bool:
    """Record, durably, that this sender hands the row's message to the server now; False
    (and nothing changed) when the sender no longer holds the claim: it must not send."""
    now = now.astimezone(UTC)
    with db.unit_of_work() as uow:
        held = uow.connection.execute(
            sa.update(outbox_table)
            .where(
                outbox_table.c.id == message_id,
                outbox_table.c.claim_token == token,
                outbox_table.c.status == OutboxStatus.PENDING,
            )
            .values(status=OutboxStatus.SENDING, claimed_until=now + lease)
        ).rowcount
        uow.commit()
    return held == 1


@handler
def give_up_abandoned(db: Database, now: datetime) -> list[int]:
    """Mark uncertain every "sending" row whose sender's lease expired (it died, or stalled,
    while the server had the message); returns their ids. They are not sent again."""
    now = now.astimezone(UTC)
    with db.unit_of_work() as uow:
        ids = list(
            uow.connection.execute(
                sa.update(outbox_table)
                .where(
                    outbox_table.c.status == OutboxStatus.SENDING,
                    outbox_table.c.claimed_until < now,
                )
                .values(
                    status=OutboxStatus.UNCERTAIN,
                    claimed_until=None,
                    attempts=outbox_table.c.attempts + 1,
                    last_error=SENDER_DIED,
                )
                .returning(outbox_table.c.id)
            ).scalars()
        )
        uow.commit()
    return sorted(ids)


def finish(connection: Connection, message_id: int, token: str, **values: object) -> bool:
    """Record an outcome for a row this sender holds; False if its lease was lost."""
    return (
        connection.execute(
            sa.update(outbox_table)
            .where(outbox_table.c.id == message_id, outbox_table.c.claim_token == token)
            .values(claimed_until=None, claim_token=None, **values)
        ).rowcount
        == 1
    )


def retry_at(attempts: int, now: datetime, delays: Sequence[int]) -> datetime | None:
    """Backoff: after the n-th failed attempt wait delays[n-1]; after the last one, None
    (give up)."""
    if attempts > len(delays):
        return None
    return now + timedelta(seconds=delays[attempts - 1])


UNDELIVERED = (OutboxStatus.FAILED, OutboxStatus.UNCERTAIN)


def undelivered_messages(session: Session) -> list[OutboxMessage]:
    """Rows refused for good or of unknown outcome, newest first (the admin page)."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.status).in_(UNDELIVERED))
            .order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
        ).all()
    )


def resend(session: Session, message_id: int, now: datetime) -> bool:
    """Put a failed or uncertain row back in the queue for a fresh series of attempts
    (admins). It is the same row, so the mail keeps its Message-ID."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status not in UNDELIVERED:
        return False
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now.astimezone(UTC)
    message.claimed_until = None
    message.claim_token = None
    session.add(message)
    return True
