"""The real plans 000 (Twente 2021) and 001 (IJssel-Vecht 2024) laid out again as Word files and
PDFs, made here from what their text reads as, and imported: the counts per theme are the ones
counted by hand for their text (tests/unit/test_import_document_text.py)."""

from __future__ import annotations

import html
import io
from collections import Counter
from functools import cache
from pathlib import Path

from docx import Document
from weasyprint import HTML

from tracker.importing.document_text import read_document_text
from tracker.importing.draft import FoundPlan
from tracker.importing.files import read_plan_file
from tracker.planfile import PlanDocument

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
# Counted by hand in 000: the blocks under each pillar heading of the raw text.
TWENTE_2021 = {"Coördinatie": 21, "Faciliteren": 10, "Informeren": 5, "Leren en verbeteren": 4}
LABELS = (("Doelstellingen", "objectives"), ("Acties en resultaten", "actions"), ("Wie", "wie"),
          ("Wanneer", "wanneer"))  # fmt: skip
STYLE = "<style>table{border-collapse:collapse} td{border:1px solid black}</style>"


@cache
def twente_2021() -> FoundPlan:
    return read_document_text((PLANS / "000_7270eda182fee902.txt").read_text(encoding="utf-8"))


def text_titles() -> list[str]:
    data = (PLANS / "000_7270eda182fee902.txt").read_bytes()
    return [a.title for a in imported("twente-2021.txt", data).activities]


def blocks(plan: FoundPlan) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(theme, heading, [(label, value)]) per block, in the plan's order."""
    return [(a.theme, a.heading, [(label, getattr(a, name)) for label, name in LABELS
                                  if getattr(a, name)]) for a in plan.activities]  # fmt: skip


def imported(name: str, data: bytes) -> PlanDocument:
    return read_plan_file(name, data, network_slug="twente", network_name="Twente").document


def test_the_twente_2021_plan_as_word_with_label_tables_imports_with_its_40_activities() -> None:
    document = Document()
    document.add_paragraph("Jaarplan 2021", style="Title")
    theme = heading = ""
    for block_theme, block_heading, rows in blocks(twente_2021()):
        if block_theme != theme:
            document.add_heading(theme := block_theme, level=1)
        if block_heading != heading:
            document.add_heading(heading := block_heading, level=2)
        table = document.add_table(rows=len(rows), cols=2)
        for row, (label, value) in zip(table.rows, rows, strict=True):
            row.cells[0].text, row.cells[1].text = label, value
    buffer = io.BytesIO()
    document.save(buffer)
    activities = imported("twente-2021.docx", buffer.getvalue()).activities
    assert Counter(a.theme for a in activities) == TWENTE_2021
    assert [a.title for a in activities] == text_titles()
    assert [(a.wie, a.wanneer) for a in activities] == [
        (a.wie, a.wanneer) for a in twente_2021().activities
    ]


def test_the_twente_2021_plan_as_a_pdf_with_label_tables_imports_with_its_40_activities() -> None:
    body, theme, heading = ["<h1>Jaarplan 2021</h1>"], "", ""
    for block_theme, block_heading, rows in blocks(twente_2021()):
        if block_theme != theme:
            body.append(f"<h2>{html.escape(theme := block_theme)}</h2>")
        if block_heading != heading:
            body.append(f"<h3>{html.escape(heading := block_heading)}</h3>")
        cells = "".join(
            f"<tr><td>{label}</td><td>{html.escape(value).replace(chr(10), '<br>')}</td></tr>"
            for label, value in rows
        )
        body.append(f"<table>{cells}</table>")
    data = HTML(string=STYLE + "".join(body)).write_pdf()
    activities = imported("twente-2021.pdf", data).activities
    assert Counter(a.theme for a in activities) == TWENTE_2021
    assert [a.title for a in activities] == text_titles()
    # A line break in a PDF cell may be the cell's width: compared without them.
    assert [(" ".join(a.wie.split()), a.wanneer) for a in activities] == [
        (" ".join(a.wie.split()), a.wanneer) for a in twente_2021().activities
    ]


@cache
def ijssel_vecht() -> FoundPlan:
    return read_document_text((PLANS / "001_f9c4893a761be112.txt").read_text(encoding="utf-8"))


# Counted by hand in 001: the bold titles in the Wat column of each section's table.
IJSSEL_VECHT = {"Transmurale Samenwerking": 2, "Deskundigheidsbevordering": 1,
                "Verbinding & Verdieping": 2, "Palliatieve zorg voor IJsselmond": 1,
                "Lerend Netwerk in Hardenberg": 1,
                "Uitvoering kwaliteitskader PZ in de regio": 2}  # fmt: skip


def test_the_ijssel_vecht_plan_as_word_and_as_pdf_imports_with_its_9_activities() -> None:
    plan = ijssel_vecht()
    document = Document()
    document.add_paragraph("Jaarplan 2024", style="Title")
    body = ["<h1>Jaarplan 2024</h1>"]
    for theme in dict.fromkeys(a.theme for a in plan.activities):
        rows = [a for a in plan.activities if a.theme == theme]
        document.add_heading(theme, level=1)
        table = document.add_table(rows=len(rows) + 1, cols=3)
        for cell, label in zip(table.rows[0].cells, ("Wat", "Wie", "Looptijd"), strict=True):
            cell.text = label
        cells = []
        for row, activity in zip(table.rows[1:], rows, strict=True):
            what = row.cells[0].paragraphs[0]
            what.add_run(activity.title).bold = True
            what.add_run(" " + activity.actions.replace("\n", " "))
            row.cells[1].text, row.cells[2].text = activity.wie, activity.wanneer
            cells.append(
                f"<tr><td style='width:60%'><b>{html.escape(activity.title)}</b><br>"
                f"{html.escape(activity.actions)}</td><td>{html.escape(activity.wie)}</td>"
                f"<td>{html.escape(activity.wanneer)}</td></tr>"
            )
        body.append(f"<h2>{html.escape(theme)}</h2><table><tr><td>Wat</td><td>Wie</td>"
                    f"<td>Looptijd</td></tr>{''.join(cells)}</table>")  # fmt: skip
    buffer = io.BytesIO()
    document.save(buffer)
    titles = [a.title for a in plan.activities]
    for name, data in (("ijv.docx", buffer.getvalue()),
                       ("ijv.pdf", HTML(string=STYLE + "".join(body)).write_pdf())):  # fmt: skip
        activities = imported(name, data).activities
        assert Counter(a.theme for a in activities) == IJSSEL_VECHT, name
        assert [a.title.split(" (")[0] for a in activities] == titles, name
        assert [a.wanneer for a in activities] == [a.wanneer for a in plan.activities], name
