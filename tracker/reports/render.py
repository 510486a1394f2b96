"""A report in its four formats: HTML (also the source of the PDF), PDF, XLSX and CSV.

Every format is a function of the report alone: the moment it shows comes from the report
(its as-of moment), never from the clock, so the same report gives the same bytes (HTML, CSV)
or the same cells (XLSX). Its texts (headers, sheet names, "yes") are in the current language
(Flask-Babel's: the reader's in a request, Dutch on the command line).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from markupsafe import Markup

from tracker.clock import AMSTERDAM
from tracker.domain.message import Message
from tracker.reports.model import STATUS_ORDER, PlanReport, TargetLine
from tracker.spreadsheet_cells import append_row, csv_field
from tracker.texts import status_label, translate

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

CSS = Path(__file__).resolve().parent.parent / "static" / "report.css"
FORMATS = ("html", "pdf", "xlsx", "csv")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def title_of(reports: Sequence[PlanReport]) -> str:
    first = reports[0]
    return f"{first.network_name} · {translate(first.period.label)}"


def render_html(reports: Sequence[PlanReport]) -> str:
    """A complete HTML document with its styles inside (for files, print and the PDF)."""
    # The Jinja environment directly: a report is also made outside any request (CLI), so
    # request-bound context processors (the signed-in person) must not run.
    return current_app.jinja_env.get_template("reports/document.html").render(
        reports=reports,
        statuses=STATUS_ORDER,
        # Our own style sheet, trusted: escaped, its quotes became &#34; inside <style>, which
        # browsers and WeasyPrint do not decode (the font and the page numbers were lost).
        css=Markup(CSS.read_text(encoding="utf-8")),  # noqa: S704
        title=title_of(reports),
    )


PDF_CACHE_FILES = 200  # the newest PDFs kept in instance/report-pdf/


def render_pdf(reports: Sequence[PlanReport]) -> bytes:
    """The HTML report laid out as PDF pages by WeasyPrint, kept by the hash of that HTML.

    Laying out pages takes seconds; the HTML takes milliseconds and fixes the PDF's content
    completely, so a report asked for again (a past quarter never changes) comes from the
    cache. Only the newest PDF_CACHE_FILES are kept.
    """
    from weasyprint import HTML  # imported here: it loads Pango, only needed for PDFs

    html = render_html(reports)
    folder = Path(current_app.instance_path) / "report-pdf"
    cached = folder / f"{hashlib.sha256(html.encode()).hexdigest()}.pdf"
    if cached.is_file():
        return cached.read_bytes()
    with collection_paused():
        pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    folder.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(pdf)
    partial.replace(cached)  # atomic: a reader never sees half a file
    for old in sorted(folder.glob("*.pdf"), key=lambda f: f.stat().st_mtime)[:-PDF_CACHE_FILES]:
        old.unlink(missing_ok=True)
    return bytes(pdf)


_pausing = threading.Lock()
_paused = 0  # renders under way with the garbage collector paused (threads of one worker)
_resume = True  # whether the collector was on before the first of them


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while WeasyPrint lays out pages.

    A layout makes hundreds of thousands of objects that live until the PDF is written;
    the collector would walk the growing heap again and again (a quarter of the layout's
    time, see bench/RESULTS.md). What the layout leaves in cycles is collected once the
    collector runs again. A counter, not a flag: the collector comes back only when no other
    thread of the worker is still rendering; a render that ends while others go on collects
    once itself, so renders that keep overlapping cannot keep the collector away for good
    (every thread's cyclic garbage would pile up meanwhile).
    """
    global _paused, _resume
    with _pausing:
        if _paused == 0:
            _resume = gc.isenabled()  # left off if someone else had turned it off
        _paused += 1
        gc.disable()
    try:
        yield
    finally:
        with _pausing:
            _paused -= 1
            others_rendering = _paused > 0
            if not others_rendering and _resume:
                gc.enable()
        if others_rendering:
            gc.collect()


def _yes(value: bool) -> str:
    return translate(YES) if value else ""


def _trend(line: TargetLine) -> str:
    """↑, ↓ or =; "new" for a first value."""
    if line.value is not None and line.previous_value is None:
        return translate(Message("new"))
    return line.trend


def _rows(report: PlanReport) -> list[list[object]]:
    rows: list[list[object]] = []
    changed = report.closing.changed_activities if report.closing else frozenset()
    for line in (*report.activities, *report.withdrawn):
        timing = line.facts.timing
        rows.append(
            [
                report.plan_title,
                line.facts.theme,
                line.facts.title,
                status_label(line.status),
                status_label(line.previous_status) if line.previous_status else "",
                _yes(line.changed),
                ", ".join(line.facts.workgroups),
                timing.text,
                timing.end,
                line.last_update_at.astimezone(AMSTERDAM).date() if line.last_update_at else None,
                line.last_note,
                _yes(line.overdue),
                _yes(not line.updated_this_quarter),
                _yes(line.facts.activity_id in changed),
            ]
        )
    return rows


YES = Message("yes")
NO = Message("no")
ACTIVITY_HEADER = (
    Message("Plan"), Message("Theme"), Message("Activity"), Message("Status"),
    Message("Previous quarter"), Message("Changed"), Message("Workgroups"), Message("When"),
    Message("End of period"), Message("Last update"), Message("Last note"), Message("Overdue"),
    Message("No update this quarter"), Message("Changed after closing"),
)  # fmt: skip
CLOSING_HEADER = (
    Message("Plan"), Message("Quarter"), Message("Closed on"), Message("Closed by"),
    Message("Reproduces"), Message("Activity"), Message("What"), Message("At closing"),
    Message("Now"),
)  # fmt: skip


def _closing_rows(report: PlanReport) -> list[list[object]]:
    """The quarter's closing: one row per difference since, or one row when there is none."""
    closing = report.closing
    if closing is None:
        return []
    by = translate(closing.closed_as) + (f" ({closing.closed_by})" if closing.closed_by else "")
    first = [
        report.plan_title,
        translate(report.period.label),
        closing.closed_at.astimezone(AMSTERDAM).date(),
        by,
        translate(YES if closing.reproduced else NO),
    ]
    if not closing.changes:
        return [first]
    rows: list[list[object]] = []
    for change in closing.changes:
        values: list[object] = [change.old, change.new]
        if change.target is None:
            what = translate(Message("Status"))
            values = [status_label(v) if isinstance(v, str) else "" for v in values]
        else:
            what = translate(change.target.describe())
        rows.append([*first, change.title, what, *values])
    return rows


def _header(*texts: Message) -> list[str]:
    return [translate(text) for text in texts]


def render_csv(reports: Sequence[PlanReport]) -> bytes:
    """One row per activity; UTF-8 with BOM and ';' so Dutch Excel opens it as a table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_field(value) for value in _header(*ACTIVITY_HEADER)])
    for report in reports:
        for row in _rows(report):
            writer.writerow([csv_field(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_xlsx(reports: Sequence[PlanReport]) -> bytes:
    """Sheets: summary per theme, all activities, changes, targets, carried-over work, and
    the quarter's closing when it was closed."""
    from openpyxl import Workbook  # loaded for the first spreadsheet, not at every start

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = translate(Message("Summary"))
    append_row(
        summary,
        [*_header(Message("Plan"), Message("Theme")), *[status_label(s) for s in STATUS_ORDER],
         *_header(Message("Total"), Message("Percentage done"))],
    )  # fmt: skip
    activities = book.create_sheet(translate(Message("Activities")))
    append_row(activities, _header(*ACTIVITY_HEADER))
    changes = book.create_sheet(translate(Message("Changes")))
    append_row(
        changes,
        _header(Message("Plan"), Message("Date"), Message("Activity"), Message("From"),
                Message("To"), Message("Note")),
    )  # fmt: skip
    targets = book.create_sheet(translate(Message("Targets")))
    append_row(
        targets,
        _header(Message("Plan"), Message("Activity"), Message("Target"),
                Message("Latest value"), Message("Trend"), Message("Met")),
    )  # fmt: skip
    carried = book.create_sheet(translate(Message("Carried over")))
    append_row(
        carried,
        _header(Message("Plan"), Message("Activity"), Message("Since"), Message("Years"),
                Message("Reason"), Message("Status"), Message("Finished in")),
    )  # fmt: skip
    closed = [row for report in reports for row in _closing_rows(report)]
    if closed:
        closing = book.create_sheet(translate(Message("Closing")))
        append_row(closing, _header(*CLOSING_HEADER))
        for row in closed:
            append_row(closing, row)
    total = translate(Message("Total"))
    # Every row through append_row (tracker/spreadsheet_cells.py): text stays text in every
    # sheet, whichever field it came from.
    for report in reports:
        for theme, name in (*((t, t.name) for t in report.themes), (report.totals, total)):
            append_row(
                summary,
                [report.plan_title, name, *[theme.counts.get(s, 0) for s in STATUS_ORDER],
                 theme.total, theme.finished_percent],
            )  # fmt: skip
        for row in _rows(report):
            append_row(activities, row)
        for change in report.changes:
            append_row(
                changes,
                [report.plan_title, change.at.astimezone(AMSTERDAM).date(),
                 change.title,
                 status_label(change.from_status) if change.from_status else "",
                 status_label(change.to_status) if change.to_status else "",
                 change.note],
            )  # fmt: skip
        for item in report.targets:
            append_row(
                targets,
                [report.plan_title, item.title, translate(item.target.describe()), item.value,
                 _trend(item), _yes(item.met)],
            )  # fmt: skip
        for entry in report.carried_in:
            append_row(
                carried,
                [report.plan_title, entry.title, entry.origin_year, entry.age,
                 entry.reason, status_label(entry.status),
                 translate(entry.finished_in.label) if entry.finished_in else ""],
            )  # fmt: skip
    for sheet in book.worksheets:
        _as_table(sheet)
    moment = reports[0].moment.astimezone(AMSTERDAM).replace(tzinfo=None)
    book.properties.created = moment  # the report's moment, not the clock's
    book.properties.modified = moment
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _as_table(sheet: Worksheet) -> None:
    """A bold, frozen header row with filters; dates as Dutch dates; each column as wide as
    its longest value (within bounds), so the sheet reads without resizing anything."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for number, column in enumerate(sheet.iter_cols(), start=1):
        for cell in column:
            if isinstance(cell.value, date):
                cell.number_format = "DD-MM-YYYY"
        widest = max(len(str(cell.value)) if cell.value is not None else 0 for cell in column)
        sheet.column_dimensions[get_column_letter(number)].width = min(max(widest, 8), 60) + 2


def render(reports: Sequence[PlanReport], fmt: str) -> bytes:
    """The report in one of FORMATS."""
    if fmt == "html":
        return render_html(reports).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(reports)
    if fmt == "xlsx":
        return render_xlsx(reports)
    if fmt == "csv":
        return render_csv(reports)
    raise ValueError(f"unknown format {fmt!r}")
