"""Brute-force limits kept in the database, so they hold across workers and restarts.

- Per account: `max_failures` failed logins in a row lock it for `lock_for`; a successful
  login resets the count. A locked account refuses even the right password.
- Per address: more than `per_minute` login attempts in one clock minute answer 429.

Both counters are raised with one atomic statement (an upsert or `count = count + 1`), so two
workers counting at once never lose an increment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from events.database import upsert_insert
from tracker.clock import as_utc
from tracker.security.models import AccountSecurity, LoginCounter

security_table: sa.Table = AccountSecurity.__table__  # type: ignore[attr-defined]
counter_table: sa.Table = LoginCounter.__table__  # type: ignore[attr-defined]

KEEP_COUNTERS = timedelta(hours=1)


@dataclass(frozen=True)
class Limits:
    max_failures: int = 10
    lock_for: timedelta = timedelta(minutes=15)
    per_minute: int = 20


def count_attempt(connection: Connection, address: str, now: datetime) -> int:
    """Count one login attempt from `address`; returns the attempts in this minute so far."""
    window = now.replace(second=0, microsecond=0)
    insert = upsert_insert(connection.dialect.name, counter_table)
    statement = (
        insert.values(address=address[:64], window=window, count=1)
        .on_conflict_do_update(
            index_elements=[counter_table.c.address, counter_table.c.window],
            set_={"count": counter_table.c.count + 1},
        )
        .returning(counter_table.c.count)
    )
    count = int(connection.execute(statement).scalar_one())
    if count == 1:  # a new window: forget old ones
        connection.execute(
            sa.delete(counter_table).where(counter_table.c.window < now - KEEP_COUNTERS)
        )
    return count


def _ensure_row(connection: Connection, user_id: int) -> None:
    insert = upsert_insert(connection.dialect.name, security_table)
    connection.execute(insert.values(user_id=user_id).on_conflict_do_nothing())


def locked_until(connection: Connection, user_id: int, now: datetime) -> datetime | None:
    """When the account's lock ends, or None when it is not locked."""
    found = connection.execute(
        sa.select(security_table.c.locked_until).where(security_table.c.user_id == user_id)
    ).scalar_one_or_none()
    until = as_utc(found)
    return until if until is not None and until > now else None


def register_failure(connection: Connection, user_id: int, now: datetime, limits: Limits) -> bool:
    """Count a failed login; True when this failure locked the account."""
    _ensure_row(connection, user_id)
    failures = int(
        connection.execute(
            sa.update(security_table)
            .where(security_table.c.user_id == user_id)
            .values(failed_logins=security_table.c.failed_logins + 1)
            .returning(security_table.c.failed_logins)
        ).scalar_one()
    )
    if failures < limits.max_failures:
        return False
    connection.execute(
        sa.update(security_table)
        .where(security_table.c.user_id == user_id)
        .values(failed_logins=0, locked_until=now + limits.lock_for)
    )
    return True


def register_success(connection: Connection, user_id: int) -> None:
    """A successful login clears the failure count."""
    connection.execute(
        sa.update(security_table)
        .where(security_table.c.user_id == user_id)
        .values(failed_logins=0, locked_until=None)
    )
