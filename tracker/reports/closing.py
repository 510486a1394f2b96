"""A closed quarter's report: its hash, and what changed at the quarter's end since.

What a closing fixes is the report's figures: each activity's status and target values at
the quarter's end. Their canonical JSON (the event log's own: sorted keys, no spaces) is
what is hashed, rather than the CSV or PDF bytes: those are written in the reader's
language and lay-out (and the CSV has no target values), while the figures are the same
for every reader and stay the same when a chart or a column is added to the report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from events.store import EventStore, encode_data
from tracker.domain.closing import CLOSED_AS_LABELS, closing_overtaken, closing_period, known_at
from tracker.domain.events import QuarterClosed, decode_plan_event, plan_stream
from tracker.domain.message import Message
from tracker.models import Plan, User
from tracker.queries import HistoryEntry
from tracker.reports.load import plan_report
from tracker.reports.model import ActivityLine, ClosingNote, Difference, PlanReport
from tracker.reports.period import report_moment


def figures(report: PlanReport) -> dict[str, Any]:
    """The report's figures at its moment, per activity (in the report's order)."""
    values = iter(report.targets)  # one per target of each counted activity, in their order

    def entry(line: ActivityLine, targets: list[list[Any]]) -> dict[str, Any]:
        facts, status = line.facts, line.status.value
        return {"id": facts.activity_id, "title": facts.title, "status": status, "targets": targets}

    activities = [
        entry(line, [[t.indicator_id, next(values).value] for t in line.facts.targets])
        for line in report.activities
    ] + [entry(line, []) for line in report.withdrawn]  # vervallen: no targets counted
    return {
        "plan": report.plan_slug,
        "period": str(report.period),
        "moment": report.moment.isoformat(),
        "activities": activities,
    }


def report_hash(report: PlanReport) -> str:
    """The SHA-256 of the report's figures in canonical JSON."""
    return hashlib.sha256(encode_data(figures(report)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Closed:
    """A closing as the log holds it, with who closed it (an id; the page names them)."""

    event: QuarterClosed
    actor_id: int | None


def plan_closings(session: Session, plan_id: int) -> list[Closed]:
    """The plan's closed quarters, oldest first."""
    stored = EventStore(session.connection()).read_stream(plan_stream(plan_id))
    closings = []
    for recorded in stored:
        event = decode_plan_event(recorded.type, recorded.data)
        if isinstance(event, QuarterClosed):
            closings.append(Closed(event, recorded.actor))
    return closings


def versions_after_closing(
    session: Session, plan_id: int, entries: Iterable[HistoryEntry]
) -> frozenset[int]:
    """The history entries (by version) of updates dated inside a quarter that was closed
    before they were recorded: flagged "na vaststelling"."""
    closed = [c.event for c in plan_closings(session, plan_id)]
    return frozenset(
        entry.version
        for entry in entries
        if closed
        and isinstance(day := entry.data.get("happened_on"), str)
        and closing_overtaken(closed, date.fromisoformat(day), entry.recorded_at)
    )


def closed_report(session: Session, plan: Plan, event: QuarterClosed) -> PlanReport:
    """The quarter's report as it was known when it was closed (reproducible: the same
    inputs give the same report)."""
    moment = known_at(event)
    period = closing_period(event)
    return plan_report(session, plan, period, report_moment(period, None, moment), moment)


def differences(closed: PlanReport, now: PlanReport) -> list[Difference]:
    """What changed at the quarter's end between the closed report and a later one."""
    before = {a["id"]: a for a in figures(closed)["activities"]}
    targets = {t.indicator_id: t.target for line in now.activities for t in line.facts.targets}
    found = []
    for activity in figures(now)["activities"]:
        key = activity["id"]
        old = before.pop(key, {"status": None, "targets": []})
        if old["status"] != activity["status"]:
            found.append(
                Difference(key, activity["title"], None, old["status"], activity["status"])
            )
        old_values = dict(old["targets"])
        for indicator_id, value in activity["targets"]:
            if old_values.get(indicator_id) != value:
                old_value = old_values.get(indicator_id)
                target = targets[indicator_id]
                found.append(Difference(key, activity["title"], target, old_value, value))
    found += [Difference(a["id"], a["title"], None, a["status"], None) for a in before.values()]
    return found


def closing_note(
    session: Session, plan: Plan, report: PlanReport, known: datetime, closings: list[Closed]
) -> ClosingNote | None:
    """The closing of the report's quarter, with what changed since as known at `known`;
    None when the quarter is not closed, or was closed after `known`."""
    found = [c for c in closings if closing_period(c.event) == report.period]
    if not found or known_at(found[0].event) > known:
        return None
    closing = found[0]
    closed = closed_report(session, plan, closing.event)
    user = session.get(User, closing.actor_id) if closing.actor_id is not None else None
    return ClosingNote(
        closed_at=known_at(closing.event),
        closed_as=CLOSED_AS_LABELS.get(closing.event.closed_as, Message(closing.event.closed_as)),
        closed_by=user.name if user is not None else None,
        reproduced=report_hash(closed) == closing.event.report_sha256,
        # Only a report of the quarter's end compares with the closed one.
        changes=tuple(differences(closed, report)) if report.moment == closed.moment else (),
    )


def with_closing(
    session: Session, plan: Plan, report: PlanReport, known: datetime, closings: list[Closed]
) -> PlanReport:
    """The report with its quarter's closing, for the page and every downloaded file."""
    return replace(report, closing=closing_note(session, plan, report, known, closings))
