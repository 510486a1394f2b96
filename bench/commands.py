"""Status changes through the command handler, in-process: the write path without HTTP.

Each change is one `change_activity_status` call (load the stream, decide, append with the
expected version, update the read models, commit): one transaction each, as a person's
update would be. The open activities are visited in turn, moving gepland → lopend ⇄
vertraagd, so streams grow evenly and every change is allowed.
"""

from __future__ import annotations

import itertools
import time

import sqlalchemy as sa

from bench.baselines import NEXT_STATUS
from tracker.clock import SystemClock
from tracker.database import Database
from tracker.domain.access import OPERATOR
from tracker.domain.commands import ChangeActivityStatus
from tracker.handlers.activities import change_activity_status
from tracker.projections import state_table

__all__ = ["NEXT_STATUS", "command_throughput", "open_activities"]


def open_activities(db: Database, limit: int | None = None) -> list[tuple[str, str, int, int]]:
    """(activity id, status, version, plan id) of open activities, in a stable order."""
    query = (
        sa.select(
            state_table.c.activity_id,
            state_table.c.status,
            state_table.c.version,
            state_table.c.plan_id,
        )
        .where(state_table.c.status.in_(list(NEXT_STATUS)))
        .order_by(state_table.c.activity_id)
    )
    if limit is not None:
        query = query.limit(limit)
    with db.engine.connect() as connection:
        return [(r[0], r[1], r[2], r[3]) for r in connection.execute(query)]


def command_throughput(url: str, seconds: float, limit: int = 1_000_000) -> tuple[int, float]:
    """Run status changes for `seconds` (or `limit` changes): (changes, elapsed seconds)."""
    db = Database(url)
    clock = SystemClock()
    targets = open_activities(db, limit=5000)
    if not targets:
        raise RuntimeError("the dataset has no open activities to change")
    state = {activity_id: (status, version) for activity_id, status, version, _ in targets}
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    for activity_id, *_ in itertools.cycle(targets):
        if done >= limit or time.perf_counter() >= deadline:
            break
        status, version = state[activity_id]
        result = change_activity_status(
            db.unit_of_work(),
            ChangeActivityStatus(
                OPERATOR, activity_id, NEXT_STATUS[status], f"bench {done}", version
            ),
            clock,
        )
        state[activity_id] = (result.status, result.version)
        done += 1
    elapsed = time.perf_counter() - start
    db.dispose()
    return done, elapsed
