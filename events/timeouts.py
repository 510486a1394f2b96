"""How long the app waits on its database, and how PostgreSQL is told.

A stalled database must cost a request seconds, not a worker (gunicorn kills a worker that
hangs 30 s, and its client gets a dropped connection instead of the 503 page). What bounds
each wait on PostgreSQL:

- connecting: libpq's `connect_timeout` (psycopg enforces it itself, also when the server's
  TCP handshake succeeds and its answer never comes);
- a statement the server runs: `statement_timeout`; waiting for a lock: `lock_timeout`;
- a session left in a transaction (its client frozen or gone) holds its locks until the
  server's `idle_in_transaction_session_timeout` ends it;
- a peer that stops acknowledging (network or host gone): TCP keepalives and
  `tcp_user_timeout`, on the client's socket;
- a peer that acknowledges but never answers (a frozen server or proxy: its kernel still
  acknowledges every packet, so neither the TCP options nor any server-side timeout ever
  fire; tried: with keepalives and `tcp_user_timeout` of 1-3 s, a query through a stopped
  proxy on 127.0.0.1 waited until killed): nothing in libpq or psycopg bounds it.
  `DeadlineConnection` gives every wait of psycopg's a deadline, a little longer than the
  statement timeout (so the server's own cancel normally comes first and the connection
  survives); when it passes, the connection is closed and an OperationalError raised, which
  SQLAlchemy takes as a disconnect (the pool replaces the connection) and the app answers
  with its 503.

On SQLite the lock timeout is the busy timeout (a file locked by another process).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors
from psycopg.abc import RV, PQGen

# How much longer than the statement timeout the client waits for an answer: enough for the
# server's own "canceling statement due to statement timeout" to arrive first.
CLIENT_MARGIN_SECONDS = 2.0
# SQLite has no "no limit" busy timeout; a lock timeout of 0 waits this long (24 days).
_SQLITE_NO_LIMIT_MS = 2**31 - 1


@dataclass(frozen=True)
class Timeouts:
    """Seconds the app waits on its database; 0 switches one limit off. Set from the
    DATABASE_*_TIMEOUT variables (config.py, README); these defaults are theirs."""

    connect: float = 5.0
    statement: float = 10.0
    lock: float = 5.0
    idle_in_transaction: float = 30.0
    tcp: float = 10.0

    def read_deadline(self) -> float | None:
        """How long the client waits for any one answer of PostgreSQL (None: no limit)."""
        return self.statement + CLIENT_MARGIN_SECONDS if self.statement > 0 else None

    def ping_deadline(self) -> float | None:
        """How long a ping of a pooled connection may take: a live server answers at once,
        so no longer than a connect may (the pool then connects anew, or gives up)."""
        return max(2.0, self.connect) if self.connect > 0 else self.read_deadline()

    def sqlite_busy_timeout_ms(self) -> int:
        return round(self.lock * 1000) if self.lock > 0 else _SQLITE_NO_LIMIT_MS

    def libpq_parameters(self) -> dict[str, Any]:
        """Connection parameters for libpq (a value given in the database URL wins)."""
        parameters: dict[str, Any] = {}
        if self.connect > 0:
            parameters["connect_timeout"] = max(2, math.ceil(self.connect))  # whole seconds
        if self.tcp > 0:
            # Probe a connection idle for half the limit, three probes in the other half;
            # unacknowledged data for the whole limit also ends it.
            parameters.update(
                keepalives=1,
                keepalives_idle=max(1, math.ceil(self.tcp / 2)),
                keepalives_interval=max(1, math.ceil(self.tcp / 6)),
                keepalives_count=3,
                tcp_user_timeout=round(self.tcp * 1000),
            )
        return parameters

    def server_options(self, own: str = "") -> str:
        """libpq's `options` for a new PostgreSQL session: the server's timeouts (a limit of
        0 is left to the server's own setting, whose default is none), then `own` (the
        URL's options), whose settings win, coming later."""
        settings = {
            "statement_timeout": self.statement,
            "lock_timeout": self.lock,
            "idle_in_transaction_session_timeout": self.idle_in_transaction,
        }
        ours = [
            f"-c {name}={round(seconds * 1000)}"
            for name, seconds in settings.items()
            if seconds > 0
        ]
        return " ".join([*ours, own]).strip()


class DeadlineConnection(psycopg.Connection[Any]):
    """A psycopg connection whose every wait for the server ends after `read_deadline`
    seconds: then the connection is closed (its state is unknown, as psycopg itself does
    when a cancelled query does not end) and OperationalError raised."""

    read_deadline: float | None = None

    @contextmanager
    def answering_within(self, seconds: float | None) -> Iterator[None]:
        """Inside the block, wait at most `seconds` for each answer (None: as before)."""
        if seconds is None:
            yield
            return
        kept, self.read_deadline = self.read_deadline, seconds
        try:
            yield
        finally:
            self.read_deadline = kept

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        deadline = self.read_deadline if timeout is None else timeout
        try:
            return super().wait(gen, interval, deadline)
        except errors._WaitTimeout as error:
            if timeout is not None:  # a caller's own limit (psycopg's cancel): its concern
                raise
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database did not answer within {deadline:g} s; connection closed"
            ) from error
