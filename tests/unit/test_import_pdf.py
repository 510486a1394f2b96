"""PDF plans, read with pdfplumber into the same structure reader as text and Word.

The PDFs are rendered here with WeasyPrint from simple HTML (headings, paragraphs, bullets,
ruled tables), so no binary fixture is committed: a table of a plan's own columns running over
two pages (its header repeated, one row split by the page break), the Twente plan 2023 laid out
from its text, and a page with a drawing but no text (as a scan has).
"""

from __future__ import annotations

import html
from collections import Counter
from functools import cache

from weasyprint import HTML

from tests.dutch import dutch, refused_in_dutch
from tests.unit.test_import_twente_2023 import HAND_COUNT, PLAN, TITLES, twente_2023
from tracker.domain.budget import per_theme
from tracker.importing.draft import Draft, ImportFailed
from tracker.importing.files import read_plan_file
from tracker.importing.limits import ImportBudget
from tracker.importing.structure import BULLET, HEADING, MINOR, TABLE, text_parts

STYLE = "<style>table{border-collapse:collapse} td,th{border:1px solid black}</style>"


def pdf(body: str) -> bytes:
    return HTML(string=STYLE + body).write_pdf()  # type: ignore[no-any-return]


def read(data: bytes, **options: object) -> Draft:
    return read_plan_file("plan.pdf", data, network_slug="twente", network_name="Twente",
                          **options)  # type: ignore[arg-type]  # fmt: skip


ROWS = 40


@cache
def a_long_table() -> Draft:
    rows = "".join(
        f"<tr><td>Doel {i} bereiken</td><td>Uitwerking {i}<br>Met een tweede regel</td>"
        f"<td>Werkgroep {i % 3}</td><td>Q{i % 4 + 1}</td></tr>"
        for i in range(ROWS)
    )
    return read(pdf(
        "<h1>Jaarplan 2023</h1><h2>1. Bewustwording</h2><p>Een inleiding van enkele woorden.</p>"
        "<table><thead><tr><th>Doelstelling</th><th>Uitwerking</th><th>Wie</th><th>Wanneer</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    ))  # fmt: skip


def test_a_table_over_two_pages_gives_every_row_once_whole_with_wie_and_wanneer() -> None:
    draft = a_long_table()
    activities = draft.document.activities
    assert [a.title for a in activities] == [f"Doel {i} bereiken" for i in range(ROWS)]
    assert all(a.theme == "Bewustwording" for a in activities)
    assert [(a.actions, a.wie, a.wanneer) for a in activities] == [
        (f"Uitwerking {i}\nMet een tweede regel", f"Werkgroep {i % 3}", f"Q{i % 4 + 1}")
        for i in range(ROWS)
    ]  # the row split by the page break too
    assert activities[-1].source.endswith("pagina 2")
    assert dutch(draft.reading) == (
        "gelezen als 1 tabel met de kolommen Doelstelling, Uitwerking, Wie, Wanneer onder de "
        "kopjes Bewustwording"
    )
    unplaced = [dutch(w) for w in draft.warnings if w.message.text_id.startswith("not placed")]
    assert unplaced == ["pagina 1: niet geplaatst: Een inleiding van enkele woorden."]


@cache
def twente_2023_pdf() -> Draft:
    """The Twente plan 2023 laid out from its text: headings by size, bullets, paragraphs."""
    body = []
    for part in text_parts(PLAN.read_text(encoding="utf-8"), ImportBudget()):
        text = html.escape(part.text)
        if part.kind == HEADING:
            level = 4 if part.level == MINOR else min(part.level, 3)
            body.append(f"<h{level}>{text}</h{level}>")
        elif part.kind == BULLET:
            body.append(f"<p>• {text}</p>")
        elif part.kind == TABLE:
            cells = ("".join(f"<td>{html.escape(c or '')}</td>" for c in row) for row in part.rows)
            body.append("<table>" + "".join(f"<tr>{row}</tr>" for row in cells) + "</table>")
        else:
            body.append(f"<p>{text}</p>")
    return read(pdf("\n".join(body)), year=2023)


def test_the_twente_2023_plan_as_a_pdf_imports_like_its_text() -> None:
    from_pdf, from_text = twente_2023_pdf().document, twente_2023().document
    assert Counter(a.theme for a in from_pdf.activities) == HAND_COUNT
    assert [a.title for a in from_pdf.activities] == TITLES
    assert per_theme(from_pdf.budget) == per_theme(from_text.budget)
    assert len(from_pdf.budget) == 32 and from_pdf.budget_shares == from_text.budget_shares
    targets = Counter(
        (t.comparator, t.value, t.unit) for a in from_pdf.activities for t in a.targets
    )
    assert targets == Counter(
        (t.comparator, t.value, t.unit) for a in from_text.activities for t in a.targets
    )


def test_a_pdf_without_text_is_refused_as_a_scan() -> None:
    drawing = '<svg width="400" height="300"><rect width="300" height="200" fill="grey"/></svg>'
    with refused_in_dutch(ImportFailed, "deze PDF bevat geen tekst, alleen afbeeldingen"):
        read(pdf(drawing), year=2023)


def test_a_damaged_pdf_is_refused() -> None:
    with refused_in_dutch(ImportFailed, "geen leesbaar PDF-bestand"):
        read(b"%PDF-1.4\n1 0 obj kapot", year=2023)
