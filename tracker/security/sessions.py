"""Ending sessions: a per-person epoch, and idle and absolute timeouts.

A session (and a remember cookie, should one ever be issued) names the person *and* the
epoch they signed in under (`"12:3"`). Raising the epoch (sign-out, password change,
deactivation, erasure) makes every earlier session of that person invalid at once, in every
worker, without a server-side session store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.security.throttle import _ensure_row, security_table


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta = timedelta(hours=2)
    absolute: timedelta = timedelta(hours=12)

    def expired(self, signed_in_at: object, seen_at: object, now: float) -> bool:
        """True when the session is past either limit (or does not say when it began)."""
        if not isinstance(signed_in_at, int | float) or not isinstance(seen_at, int | float):
            return True
        return (
            now - seen_at > self.idle.total_seconds()
            or now - signed_in_at > self.absolute.total_seconds()
        )


def session_epoch(connection: Connection, user_id: int) -> int:
    found = connection.execute(
        sa.select(security_table.c.session_epoch).where(security_table.c.user_id == user_id)
    ).scalar_one_or_none()
    return int(found or 0)


def end_all_sessions(connection: Connection, user_id: int) -> int:
    """Invalidate every session of the person; returns the new epoch."""
    _ensure_row(connection, user_id)
    return int(
        connection.execute(
            sa.update(security_table)
            .where(security_table.c.user_id == user_id)
            .values(session_epoch=security_table.c.session_epoch + 1)
            .returning(security_table.c.session_epoch)
        ).scalar_one()
    )


def session_id(user_id: int, epoch: int) -> str:
    return f"{user_id}:{epoch}"


def parse_session_id(value: str) -> tuple[int, int] | None:
    user, _, epoch = value.partition(":")
    if not user.isdigit() or not epoch.isdigit():
        return None
    return int(user), int(epoch)
