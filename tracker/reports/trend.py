"""The trend of a plan: per theme, the % of its activities finished at the end of each quarter
of the plan's year so far.

Each point is the report as of that quarter's end (`build_report`, with the updates known at
the report's own moment), so the trend agrees with the quarterly reports and a report of a
past date keeps the same trend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from tracker.domain.period import Period
from tracker.reports.model import PlanReport, ThemeTrend, Trend
from tracker.reports.period import end_of_day


def trend_periods(period: Period, plan_year: int) -> list[Period]:
    """The quarters of the plan's year up to `period` (all four after the year)."""
    if period.year < plan_year:
        return []
    last = 4 if period.year > plan_year else period.quarter
    return [Period(plan_year, quarter) for quarter in range(1, last + 1)]


def build_trend(report: PlanReport, build: Callable[[Period, datetime], PlanReport]) -> Trend:
    """The trend up to `report`'s quarter; `build(period, moment)` makes the report of an
    earlier quarter as of `moment` (its end, or the report's moment when that is earlier)."""
    periods = trend_periods(report.period, report.plan_year)
    reports = [
        report
        if period == report.period
        else build(period, min(end_of_day(period.last), report.moment))
        for period in periods
    ]
    return trend_of(periods, reports)


def trend_of(periods: Sequence[Period], reports: Sequence[PlanReport]) -> Trend:
    """The % finished per theme in each report (one per period); the themes are those of
    the last report, in its order."""
    finished = [{theme.name: theme.finished_percent for theme in r.themes} for r in reports]
    names = [theme.name for theme in reports[-1].themes] if reports else []
    return Trend(
        tuple(periods),
        tuple(ThemeTrend(name, tuple(each.get(name) for each in finished)) for name in names),
    )
