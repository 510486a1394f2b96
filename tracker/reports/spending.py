"""Money spent on a plan's budget, as recorded (`record_spending`), for reports and pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from tracker.models import BudgetSpending


def spent_per_theme(entries: Iterable[BudgetSpending]) -> dict[str, Decimal]:
    """The total of the entries per theme."""
    spent: dict[str, Decimal] = {}
    for row in entries:
        spent[row.theme] = spent.get(row.theme, Decimal("0.00")) + Decimal(row.amount_cents) / 100
    return spent


def spending_entries(
    session: Session, plan_id: int, day: date, known: datetime
) -> list[BudgetSpending]:
    """The spending of the plan up to `day` as recorded up to `known` (a report of a past
    date stays the same), the newest first."""
    return list(
        session.exec(
            select(BudgetSpending)
            .where(BudgetSpending.plan_id == plan_id)
            .where(BudgetSpending.spent_on <= day)
            .where(BudgetSpending.recorded_at <= known)
            .order_by(col(BudgetSpending.spent_on).desc(), col(BudgetSpending.id).desc())
        )
    )
