"""A Word (.docx) plan as document text, so the document-text reader can take it from there.

Headings of level 1 become pillar headings, other headings activity headings; a two-column
table of labels (Doelstellingen | …) becomes label lines; a table headed Wat / Wie / Looptijd
becomes tab-separated rows, with bold text kept as `<b>` so that titles are recognised.

Table cells are read here, not through python-docx's `row.cells`: that repeats a cell once
per grid column it claims to span (`gridSpan` 300000000 in a 37 kB file took 4 GB) and finds
the cell above a vertically merged one by searching the table again for every row (400 rows
took 23 s). Here each row costs its own size, and only the first MAX_COLUMNS grid columns are
read: both layouts use no more (Wat, Wie, Looptijd; label, value).
"""

from __future__ import annotations

import re

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.table import CT_Tc
from docx.table import Table, _Cell
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph

from tracker.domain.message import Message
from tracker.importing.draft import ImportFailed
from tracker.importing.limits import ImportBudget, unpacked_archive

_NUMBERING = re.compile(r"^\d{1,2}[.)]\s+")
MAX_COLUMNS = 3


def _text(paragraph: Paragraph, budget: ImportBudget) -> str:
    """`paragraph.text` (runs and hyperlinks), the clock checked per run: python-docx takes
    a while per run, and one paragraph may hold a million of them."""
    parts = []
    for piece in paragraph.iter_inner_content():
        for run in piece.runs if isinstance(piece, Hyperlink) else (piece,):
            budget.tick()
            parts.append(run.text)
    return "".join(parts)


def _bold_marked(paragraph: Paragraph, budget: ImportBudget) -> str:
    """The paragraph's runs with bold text as `<b>…</b>` (titles in a Wat cell)."""
    parts = []
    for run in paragraph.runs:
        budget.tick()
        text = run.text
        if text and run.bold and text.strip():
            parts.append(f"<b>{text}</b>")
        else:
            parts.append(text)
    return "".join(parts)


def _cell_lines(cell: _Cell, budget: ImportBudget, keep_bold: bool = False) -> list[str]:
    """The cell's non-empty paragraphs, stripped."""
    lines = []
    for paragraph in cell.paragraphs:
        line = (_bold_marked(paragraph, budget) if keep_bold else _text(paragraph, budget)).strip()
        if line:
            lines.append(line)
    return lines


def _rows(table: Table, budget: ImportBudget) -> list[list[_Cell]]:
    """The table's cells row by row, as python-docx's `row.cells` gives them (a spanning cell
    once per grid column, a vertically merged cell as the cell it continues), in linear time.
    """
    rows: list[list[_Cell]] = []
    above: dict[int, _Cell] = {}  # grid column → the cell the previous row has there
    for tr in table._tbl.tr_lst:
        budget.tick()
        cells: list[_Cell] = []
        here: dict[int, _Cell] = {}
        offset = tr.grid_before
        for tc in tr.tc_lst:
            if offset >= MAX_COLUMNS:
                break
            cell = _continued(tc, offset, above) or _Cell(tc, table)
            span = max(1, min(tc.grid_span, MAX_COLUMNS - offset))
            cells.extend([cell] * span)
            here[offset] = cell
            offset += span
        rows.append(cells)
        above = here
    return rows


def _continued(tc: CT_Tc, offset: int, above: dict[int, _Cell]) -> _Cell | None:
    """The cell a vertically merged `tc` continues (the one above it), if any."""
    return above.get(offset) if tc.vMerge == "continue" else None


def _table_lines(table: Table, budget: ImportBudget) -> list[str]:
    rows = _rows(table, budget)
    if not rows:
        return []
    header = ["\n".join(_cell_lines(cell, budget)).lower() for cell in rows[0]]
    if len(header) >= 3 and header[:2] == ["wat", "wie"]:
        lines = ["Wat\tWie\tLooptijd"]
        for row in rows[1:]:
            cells = ["<br>".join(_cell_lines(cell, budget, keep_bold=(i == 0)))
                     for i, cell in enumerate(row)]  # fmt: skip
            if any(cells):
                lines.append("\t".join(cells[:3]))
        return lines + [""]
    lines = []
    for row in rows:
        label = "\n".join(_cell_lines(row[0], budget)) if row else ""
        values = [line for cell in row[1:2] for line in _cell_lines(cell, budget)]
        lines.append(f"{label}\t{values[0]}" if values else label)
        lines.extend(values[1:])
    return lines + [""]


def docx_to_text(data: bytes, budget: ImportBudget | None = None) -> str:
    """The text of a .docx in the layouts the document-text reader knows.

    `budget` bounds the unpacked size, the time and (later) the activities; default limits
    when not given. The archive is unpacked within those bounds first (unpacked_archive).
    """
    budget = budget or ImportBudget()
    try:
        return _read(Document(unpacked_archive(data, budget)), budget)
    except ImportFailed:
        raise
    except Exception:  # a damaged file can fail anywhere inside zipfile, python-docx or lxml
        raise ImportFailed(Message("this is not a readable Word file (.docx)")) from None


def _read(document: DocxDocument, budget: ImportBudget) -> str:
    lines: list[str] = []
    for item in document.iter_inner_content():
        budget.tick()
        if isinstance(item, Table):
            lines.extend(_table_lines(item, budget))
            continue
        text = _text(item, budget).strip()
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        if style == "Heading 1":
            lines.extend(["", _NUMBERING.sub("", text).upper(), ""])
        else:
            lines.extend([text, ""])
    return "\n".join(lines)
