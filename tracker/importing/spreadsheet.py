"""The plan as a spreadsheet (XLSX): one row per activity, the template people fill in.

Sheets: "Plan" (field / value), "Activiteiten" (one row per activity, columns in the plan's
words), "Werkgroepen" (name, e-mail, other names) and "Streefwaarden" (the measurable targets,
one row each). `read_plan_xlsx(write_plan_xlsx(d)) == d`. Only the "Activiteiten" sheet is
required; a sheet filled in by hand may leave the others out.

Reading streams the sheets (openpyxl's read-only mode) and stops at the first activity over
the import's cap, so a sheet of 100,000 rows is refused after 2,001 of them, not after all.
Only the first MAX_COLUMNS columns are read, and the sheets' stated dimensions are ignored
(`reset_dimensions`): a sheet that claims 16,384 columns or a million rows costs only what it
holds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from tracker.domain.budget import BadAmount, BudgetLine, BudgetShare, parse_amount, parse_share
from tracker.domain.message import Message
from tracker.domain.plan import PlannedActivity
from tracker.domain.targets import Comparator, Target
from tracker.importing.limits import ImportBudget, ImportFailed, unpacked_archive
from tracker.planfile import (
    PlanDocument,
    PlanFileError,
    WorkgroupSpec,
    is_year,
    refuse_same_titles,
    refuse_unknown_workgroups,
)
from tracker.spreadsheet_cells import append_row

ACTIVITY_COLUMNS = (
    "Thema", "Titel", "Doelstellingen", "Acties en resultaten", "Wie", "Wanneer",
    "Werkgroepen", "Andere partijen", "Bron", "Doorgeschoven uit jaar",
)  # fmt: skip
PLAN_FIELDS = (
    ("network_slug", "Netwerk (kort)"), ("network_name", "Netwerk"), ("plan_slug", "Plan (kort)"),
    ("year", "Jaar"), ("title", "Titel"), ("motto", "Motto"), ("introduction", "Voorwoord"),
)  # fmt: skip
TARGET_COLUMNS = ("Activiteit", "Vergelijking", "Waarde", "Eenheid", "Per jaar", "Tekst")
WORKGROUP_COLUMNS = ("Naam", "E-mail", "Andere namen")
BUDGET_COLUMNS = ("Thema", "Post", "Bedrag")
SPLIT_COLUMNS = ("Netwerk", "Deel")
YES = "ja"
MAX_COLUMNS = 30  # the widest sheet of the template has 10
ROWS_PER_ACTIVITY = 10  # other sheets (targets, budget) may have this many rows per activity


def _lines(values: tuple[str, ...]) -> str:
    return "\n".join(values)


def _split(cell: Any) -> tuple[str, ...]:
    return tuple(p.strip() for p in str(cell or "").replace(";", "\n").split("\n") if p.strip())


def _sheet(book: Workbook, title: str, header: tuple[str, ...]) -> Worksheet:
    sheet = book.create_sheet(title)
    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def write_plan_xlsx(document: PlanDocument) -> bytes:
    """The plan as an XLSX workbook (see the module docstring)."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    activities = _sheet(book, "Activiteiten", ACTIVITY_COLUMNS)
    # Every row through append_row (tracker/spreadsheet_cells.py): text stays text, exactly
    # as typed, so `read_plan_xlsx` gives it back unchanged.
    for activity in document.activities:
        append_row(activities, [
            activity.theme, activity.title, activity.objectives, activity.actions, activity.wie,
            activity.wanneer, _lines(activity.workgroups), _lines(activity.parties),
            activity.source, activity.carried_from_year,
        ])  # fmt: skip
    for column, width in zip("ABCDEFGHIJ", (18, 40, 60, 60, 40, 18, 30, 30, 30, 12), strict=True):
        activities.column_dimensions[column].width = width
    for row in activities.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    plan = _sheet(book, "Plan", ("Veld", "Waarde"))
    for name, label in PLAN_FIELDS:
        append_row(plan, [label, getattr(document, name)])
    groups = _sheet(book, "Werkgroepen", WORKGROUP_COLUMNS)
    for spec in document.workgroups:
        append_row(groups, [spec.name, spec.email, _lines(spec.aliases)])
    targets = _sheet(book, "Streefwaarden", TARGET_COLUMNS)
    for activity in document.activities:
        for target in activity.targets:
            append_row(targets, [
                activity.title, str(target.comparator), target.value, target.unit,
                YES if target.per_year else "", target.text,
            ])  # fmt: skip
    if document.budget or document.budget_shares:
        budget = _sheet(book, "Begroting", BUDGET_COLUMNS)
        for line in document.budget:
            append_row(budget, [line.theme, line.item, line.amount])
        split = _sheet(book, "Verdeling", SPLIT_COLUMNS)
        for share in document.budget_shares:
            append_row(split, [share.name, f"{share.share.numerator}/{share.share.denominator}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


Rows = Iterator[tuple[Message, dict[str, str]]]  # each row's place, its cells by column name


def _rows(
    book: Workbook, title: str, header: tuple[str, ...], budget: ImportBudget, most: int
) -> Rows:
    """The sheet's non-empty rows below its header, as column name → text, read as needed,
    each with its place ("sheet 'Activiteiten', row 3", counting the filled rows).

    Refuses (PlanFileError) a sheet with more than `most` such rows, at the first one over.
    """
    if title not in book.sheetnames:
        return
    sheet = book[title]
    sheet.reset_dimensions()  # a read-only sheet: what it holds, not what it claims
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    first = next(rows, None)
    if first is None:
        return
    found = [_text(cell) for cell in first]
    for name in found:
        budget.check_text(Message("sheet '%(sheet)s', header", sheet=title), name)
    missing = [name for name in header[:2] if name not in found]
    if missing:
        raise PlanFileError(
            Message(
                "sheet '%(sheet)s': column(s) %(columns)s missing",
                sheet=title,
                columns=", ".join(missing),
            )
        )
    count = 0
    for row in rows:
        budget.tick()
        values = {name: _text(row[i]) if i < len(row) else "" for i, name in enumerate(found)}
        for name, text in values.items():
            budget.check_text(
                Message("sheet '%(sheet)s', column '%(column)s'", sheet=title, column=name), text
            )
        if any(values.values()):
            count += 1
            if count > most:
                raise PlanFileError(
                    Message(
                        "sheet '%(sheet)s' has more than %(most)s filled rows",
                        sheet=title,
                        most=most,
                    )
                )
            yield Message("sheet '%(sheet)s', row %(row)s", sheet=title, row=count + 1), values


def read_plan_xlsx(data: bytes, budget: ImportBudget | None = None) -> PlanDocument:
    """A plan from a workbook in the template's layout; PlanFileError when it is not.

    `budget` bounds the activities and the time (ImportFailed); default limits when not given.
    """
    budget = budget or ImportBudget()
    try:
        book = load_workbook(unpacked_archive(data, budget), read_only=True, data_only=True)
    except ImportFailed:
        raise
    except Exception:  # a damaged file can fail anywhere inside zipfile, openpyxl or its parser
        raise PlanFileError(Message("this is not a readable Excel file (.xlsx)")) from None
    try:
        return _read_book(book, budget)
    finally:
        book.close()


def _read_book(book: Workbook, budget: ImportBudget) -> PlanDocument:
    if "Activiteiten" not in book.sheetnames:
        raise PlanFileError(
            Message("the sheet '%(sheet)s' is missing; use the template", sheet="Activiteiten")
        )
    most = ROWS_PER_ACTIVITY * budget.limits.max_activities

    def rows(title: str, header: tuple[str, ...]) -> Rows:
        return _rows(book, title, header, budget, most)

    fields = {row["Veld"]: row.get("Waarde", "") for _, row in rows("Plan", ("Veld", "Waarde"))}
    plan = {name: fields.get(label, "") for name, label in PLAN_FIELDS}
    if not is_year(plan["year"]):
        raise PlanFileError(
            Message("sheet '%(sheet)s': '%(field)s' must be a year", sheet="Plan", field="Jaar")
        )
    workgroups = tuple(
        WorkgroupSpec(row["Naam"], row.get("E-mail", ""), _split(row.get("Andere namen")))
        for _, row in rows("Werkgroepen", WORKGROUP_COLUMNS)
    )
    targets = _targets(rows("Streefwaarden", TARGET_COLUMNS))
    activities = _activities(rows("Activiteiten", ACTIVITY_COLUMNS), workgroups, targets, budget)
    budget_lines = _budget_lines(rows("Begroting", BUDGET_COLUMNS))
    shares = _shares(rows("Verdeling", SPLIT_COLUMNS))
    refuse_same_titles(activities)
    return PlanDocument(
        network_slug=plan["network_slug"],
        network_name=plan["network_name"],
        plan_slug=plan["plan_slug"],
        year=int(plan["year"]),
        title=plan["title"],
        motto=plan["motto"],
        introduction=plan["introduction"],
        workgroups=workgroups,
        activities=tuple(activities),
        budget=budget_lines,
        budget_shares=shares,
    )


def _targets(rows: Rows) -> dict[str, list[Target]]:
    """The sheet "Streefwaarden": the targets of each activity, by its title."""
    targets: dict[str, list[Target]] = {}
    for where, row in rows:
        try:
            target = Target(
                row.get("Tekst", ""),
                Comparator(row["Vergelijking"] or "="),
                float(row["Waarde"].replace(",", ".")),
                row["Eenheid"],
                row.get("Per jaar", "").lower() == YES,
            )
        except (KeyError, ValueError):
            raise PlanFileError(
                Message("%(where)s: comparison (>=, <=, =), value and unit are needed", where=where)
            ) from None
        targets.setdefault(row["Activiteit"], []).append(target)
    return targets


def _activities(
    rows: Rows,
    workgroups: tuple[WorkgroupSpec, ...],
    targets: dict[str, list[Target]],
    budget: ImportBudget,
) -> list[PlannedActivity]:
    """The sheet "Activiteiten", refused at the first activity over the import's cap."""
    known = {spec.name for spec in workgroups}
    activities = []
    for where, row in rows:
        if not row.get("Titel") or not row.get("Thema"):
            raise PlanFileError(
                Message(
                    "%(where)s: '%(theme)s' and '%(title)s' are required",
                    where=where,
                    theme="Thema",
                    title="Titel",
                )
            )
        groups = _split(row.get("Werkgroepen"))
        refuse_unknown_workgroups(where, groups, known)
        carried = row.get("Doorgeschoven uit jaar", "")
        if carried and not is_year(carried):
            raise PlanFileError(
                Message(
                    "%(where)s: '%(field)s' must be a year",
                    where=where,
                    field="Doorgeschoven uit jaar",
                )
            )
        activities.append(
            PlannedActivity(
                title=row["Titel"],
                theme=row["Thema"],
                objectives=row.get("Doelstellingen", ""),
                actions=row.get("Acties en resultaten", ""),
                wie=row.get("Wie", ""),
                wanneer=row.get("Wanneer", ""),
                workgroups=groups,
                source=row.get("Bron", ""),
                carried_from_year=int(carried) if carried else None,
                parties=_split(row.get("Andere partijen")),
                targets=tuple(targets.get(row["Titel"], ())),
            )
        )
        budget.count_activities(len(activities))
    return activities


def _budget_lines(rows: Rows) -> tuple[BudgetLine, ...]:
    lines = []
    for where, row in rows:
        try:
            lines.append(BudgetLine(row["Thema"], row.get("Post", ""), parse_amount(row["Bedrag"])))
        except (KeyError, BadAmount):
            raise PlanFileError(
                Message("%(where)s: theme and amount are needed", where=where)
            ) from None
    return tuple(lines)


def _shares(rows: Rows) -> tuple[BudgetShare, ...]:
    shares = []
    for where, row in rows:
        try:
            shares.append(BudgetShare(row["Netwerk"], parse_share(row["Deel"])))
        except (KeyError, BadAmount):
            raise PlanFileError(
                Message("%(where)s: network and share (3/5)", where=where)
            ) from None
    return tuple(shares)
