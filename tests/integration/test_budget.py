"""A plan's budget: read from the plan format, stored, exported, and shown in the report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from flask import Flask

from tests.dutch import refused_in_dutch
from tracker.domain.budget import BadAmount, BudgetShare, parse_amount, parse_share, split
from tracker.domain.period import Period
from tracker.importing.spreadsheet import read_plan_xlsx, write_plan_xlsx
from tracker.planfile import PlanFileError, dump_plan_yaml, read_plan_yaml
from tracker.reports.render import render
from tracker.reports.service import reports_for

BUDGET = Path(__file__).parent.parent / "fixtures" / "budget-2023.yaml"


def test_the_split_over_networks_matches_the_plan_to_the_cent() -> None:
    document = read_plan_yaml(BUDGET.read_text(encoding="utf-8"))
    total = sum((line.amount for line in document.budget), Decimal("0"))
    assert total == Decimal("47262.70")  # "Totale projectkosten voor 2023 € 47.262,70"
    assert [amount for _, amount in split(total, document.budget_shares)] == [
        Decimal("28357.62"),  # "3/5 deel € 28.357,62"
        Decimal("18905.08"),  # "2/5 deel € 18.905,08"
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [("€ 22.466,70", "22466.70"), ("€ 1.500", "1500.00"), ("90,75", "90.75"), ("1500", "1500.00")],
)
def test_amounts_are_read_as_written_in_dutch(text: str, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["veel", "-5", "€", "1,2,3", "1e30"])
def test_what_is_not_an_amount_is_refused(text: str) -> None:
    with pytest.raises(BadAmount):
        parse_amount(text)


def test_shares_must_be_fractions_that_add_up_to_the_whole() -> None:
    assert parse_share("3/5 deel") == Fraction(3, 5)
    with pytest.raises(BadAmount):
        parse_share("5/3")
    broken = BUDGET.read_text(encoding="utf-8").replace("share: 2/5", "share: 1/5")
    with refused_in_dutch(PlanFileError, "tellen niet op tot 1"):
        read_plan_yaml(broken)
    assert split(
        Decimal("10.00"), [BudgetShare("a", Fraction(1, 3)), BudgetShare("b", Fraction(2, 3))]
    ) == [
        ("a", Decimal("3.33")),
        ("b", Decimal("6.67")),
    ]


def test_the_budget_round_trips_and_shows_in_the_report(app: Flask, tmp_path: Path) -> None:
    document = read_plan_yaml(BUDGET.read_text(encoding="utf-8"))
    assert read_plan_yaml(dump_plan_yaml(document)) == document
    assert read_plan_xlsx(write_plan_xlsx(document)) == document
    result = app.test_cli_runner().invoke(args=["load-plan", str(BUDGET)])
    assert result.exit_code == 0, result.output
    exported = tmp_path / "plan.yaml"
    app.test_cli_runner().invoke(args=["export-plan", "twente-2023", "-o", str(exported)])
    assert read_plan_yaml(exported.read_text(encoding="utf-8")) == document
    services = app.extensions["tracker"]
    with app.app_context(), services.db.session() as session:
        reports = reports_for(
            session, period=Period(2023, 2), now=services.clock.now(), plan_slug="twente-2023"
        )
        html = render(reports, "html").decode()
    assert "Begroting" in html
    for amount in ("22.466,70", "47.262,70", "28.357,62", "18.905,08"):
        assert f"€\u00a0{amount}" in html  # Dutch currency format, no-break space


def test_spending_shows_in_the_reports_from_the_day_it_was_spent(app: Flask) -> None:
    runner = app.test_cli_runner()
    services = app.extensions["tracker"]
    services.clock.current = datetime(2023, 5, 3, 9, tzinfo=UTC)
    assert runner.invoke(args=["load-plan", str(BUDGET)]).exit_code == 0
    spend = ["record-spending", "--plan", "twente-2023", "--theme", "Bewustwording"]
    done = runner.invoke(args=[*spend, "--amount", "1.250,50", "--on", "2023-05-02"])
    assert done.exit_code == 0, done.output
    wrong = runner.invoke(args=[*spend[:-1], "Onbekend", "--amount", "5", "--on", "2023-05-02"])
    assert wrong.exit_code != 0 and "is not a theme of the budget" in wrong.output
    services.clock.current = datetime(2024, 1, 8, 9, tzinfo=UTC)  # the year is over

    def html(period: Period) -> str:
        with app.app_context(), services.db.session() as session:
            reports = reports_for(
                session, period=period, now=services.clock.now(), plan_slug="twente-2023"
            )
            return render(reports, "html").decode()

    assert "1.250,50" not in html(Period(2023, 1))  # spent after the first quarter
    assert "€\u00a01.250,50" in html(Period(2023, 2))


def test_spending_entered_later_with_a_past_date_counts_as_known_and_keeps_past_reports(
    app: Flask,
) -> None:
    """Like a dated update: a report made now counts spending recorded late for its day; a
    report of a past date (as known then) stays the same bytes."""
    runner = app.test_cli_runner()
    services = app.extensions["tracker"]
    services.clock.current = datetime(2023, 1, 2, 9, tzinfo=UTC)
    assert runner.invoke(args=["load-plan", str(BUDGET)]).exit_code == 0

    def report_of_q1(as_of: date | None = None) -> str:
        with app.app_context(), services.db.session() as session:
            reports = reports_for(
                session, period=Period(2023, 1), now=services.clock.now(),
                plan_slug="twente-2023", as_of=as_of,
            )  # fmt: skip
            return render(reports, "html").decode()

    services.clock.current = datetime(2023, 4, 3, 9, tzinfo=UTC)
    before = report_of_q1(as_of=date(2023, 4, 2))
    assert "99,00" not in report_of_q1()
    spend = ["record-spending", "--plan", "twente-2023", "--theme", "Bewustwording"]
    done = runner.invoke(args=[*spend, "--amount", "99,00", "--on", "2023-02-01"])  # back-dated
    assert done.exit_code == 0, done.output
    assert report_of_q1(as_of=date(2023, 4, 2)) == before
    assert "99,00" in report_of_q1()
