"""What a board meeting looks at in a plan's report: the quarter, and the notable notes."""

from __future__ import annotations

from datetime import date

from tracker.domain.period import Period
from tracker.domain.status import Status
from tracker.reports.model import ActivityLine, PlanReport

NOTABLE = (Status.VERTRAAGD, Status.GESTOPT)


def meeting_period(plan_year: int, today: date) -> Period:
    """The current quarter while the plan's year runs; before it its first, after it its last."""
    return min(max(Period.containing(today), Period(plan_year, 1)), Period(plan_year, 4))


def notable_lines(report: PlanReport, limit: int = 10) -> list[ActivityLine]:
    """The delayed and stopped activities updated this quarter with a note, the latest first."""
    lines = [
        line
        for line in report.activities
        if line.status in NOTABLE and line.updated_this_quarter and line.last_note
    ]
    lines.sort(key=lambda line: line.last_update_at or report.moment, reverse=True)
    return lines[:limit]
