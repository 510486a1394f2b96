"""A Word (.docx) plan, read two ways (tracker.importing.files keeps the better reading):

- as document text for the document-text reader: headings of level 1 become section headings,
  other headings activity headings; a two-column table of labels (Doelstellingen | …) becomes
  label lines; a table headed Wat / Wie / Looptijd becomes tab-separated rows, with bold text
  kept as `<b>` so that titles are recognised;
- as structure (tracker.importing.structure) for the structure reader: headings by style or
  number, list paragraphs as bullets, tables with every grid column and merged cells marked.

Table cells are read here, not through python-docx's `row.cells`: that repeats a cell once
per grid column it claims to span (`gridSpan` 300000000 in a 37 kB file took 4 GB) and finds
the cell above a vertically merged one by searching the table again for every row (400 rows
took 23 s). Here each row costs its own size, and only the first MAX_COLUMNS (document text)
or MAX_GRID (structure) grid columns are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.table import CT_Tc
from docx.table import Table, _Cell
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph

from tracker.domain.message import Message
from tracker.importing.cleaning import NUMBERING, strip_markup
from tracker.importing.document_text import read_document_text
from tracker.importing.draft import FoundPlan, ImportFailed
from tracker.importing.limits import ImportBudget, unpacked_archive
from tracker.importing.reading import place_text
from tracker.importing.structure import (
    BULLET,
    HEADING,
    MINOR,
    TEXT,
    Part,
    Row,
    heading_part,
    is_heading_text,
    label_blocks,
    line_place,
    table_part,
)

_HEADING_STYLE = re.compile(r"^Heading (\d)$")
MAX_COLUMNS = 3  # the layouts of the document-text reader
MAX_GRID = 20  # the structure reader: any table of a plan, bounded


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


def _rows(
    table: Table, budget: ImportBudget, columns: int = MAX_COLUMNS
) -> list[list[tuple[_Cell, bool]]]:
    """The table's cells row by row, as python-docx's `row.cells` gives them (a spanning cell
    once per grid column, a vertically merged cell as the cell it continues), in linear time,
    each with whether it repeats the cell on its left (a horizontal merge)."""
    rows: list[list[tuple[_Cell, bool]]] = []
    above: dict[int, _Cell] = {}  # grid column → the cell the previous row has there
    for tr in table._tbl.tr_lst:
        budget.tick()
        cells: list[tuple[_Cell, bool]] = []
        here: dict[int, _Cell] = {}
        offset = tr.grid_before
        for tc in tr.tc_lst:
            if offset >= columns:
                break
            cell = _continued(tc, offset, above) or _Cell(tc, table)
            span = max(1, min(tc.grid_span, columns - offset))
            cells.extend([(cell, False)] + [(cell, True)] * (span - 1))
            here[offset] = cell
            offset += span
        rows.append(cells)
        above = here
    return rows


def _continued(tc: CT_Tc, offset: int, above: dict[int, _Cell]) -> _Cell | None:
    """The cell a vertically merged `tc` continues (the one above it), if any."""
    return above.get(offset) if tc.vMerge == "continue" else None


def _table_lines(table: Table, budget: ImportBudget) -> list[tuple[str, int]]:
    """The table as lines of text, each with the number of the row it comes from."""
    rows = [[cell for cell, _ in row] for row in _rows(table, budget)]
    if not rows:
        return []
    header = ["\n".join(_cell_lines(cell, budget)).lower() for cell in rows[0]]
    if len(header) >= 3 and header[:2] == ["wat", "wie"]:
        lines = [("Wat\tWie\tLooptijd", 1)]
        for number, row in enumerate(rows[1:], start=2):
            cells = [  # a line break inside a paragraph too ("\n": it would end the row)
                "<br>".join(_cell_lines(cell, budget, keep_bold=(i == 0))).replace("\n", "<br>")
                for i, cell in enumerate(row)
            ]
            if any(cells):
                lines.append(("\t".join(cells[:3]), number))
        return [*lines, ("", len(rows))]
    lines = []
    for number, row in enumerate(rows, start=1):
        label = "\n".join(_cell_lines(row[0], budget)) if row else ""
        values = [line for cell in row[1:2] for line in _cell_lines(cell, budget)]
        lines.append((f"{label}\t{values[0]}" if values else label, number))
        lines.extend((value, number) for value in values[1:])
    return [*lines, ("", len(rows))]


@contextmanager
def _readable() -> Iterator[None]:
    try:
        yield
    except ImportFailed:
        raise
    except Exception:  # a damaged file can fail anywhere inside zipfile, python-docx or lxml
        raise ImportFailed(Message("this is not a readable Word file (.docx)")) from None


@_readable()
def read_docx(data: bytes, budget: ImportBudget) -> DocxDocument:
    """The Word document, unpacked within the bounds of `budget` first (unpacked_archive)."""
    return Document(unpacked_archive(data, budget))


def _content(
    document: DocxDocument, budget: ImportBudget
) -> Iterator[tuple[int, Table | Paragraph, str]]:
    """The document's tables and non-empty paragraphs in order: each with its number among
    the tables or the paragraphs, and a paragraph with its text."""
    tables = paragraphs = 0
    for item in document.iter_inner_content():
        budget.tick()
        if isinstance(item, Table):
            tables += 1
            yield tables, item, ""
            continue
        paragraphs += 1
        text = _text(item, budget).strip()
        if text:
            yield paragraphs, item, text


@_readable()
def docx_parts(document: DocxDocument, budget: ImportBudget) -> list[Part]:
    """The structure of a .docx: headings by style or number, list paragraphs as bullets,
    tables with every grid column (up to MAX_GRID) and merged cells marked."""
    parts: list[Part] = []
    for number, item, text in _content(document, budget):
        if isinstance(item, Table):
            grid: list[Row] = [
                tuple(None if merged else _structure_cell(cell, budget) for cell, merged in row)
                for row in _rows(item, budget, MAX_GRID)
            ]
            places = [
                Message("table %(table)s, row %(row)s", table=number, row=row)
                for row in range(1, len(grid) + 1)
            ]
            if grid:
                parts.append(table_part(grid, places))
        else:
            where = Message("paragraph %(number)s", number=number)
            budget.check_text(where, text)
            parts.append(_paragraph_part(item, text, where))
    return label_blocks(parts)


def _structure_cell(cell: _Cell, budget: ImportBudget) -> str:
    """A cell's text; a bold lead of its first line ("**Spoedkit** in de regio …") on a line
    of its own, so that it titles the activity."""
    lines = [line.replace("</b><b>", "") for line in _cell_lines(cell, budget, keep_bold=True)]
    if lines and lines[0].startswith("<b>") and "</b>" in lines[0]:
        lead, rest = lines[0][3:].split("</b>", 1)
        lines[0:1] = [lead, rest] if strip_markup(rest) else [lead]
    return "\n".join(strip_markup(line) for line in lines if strip_markup(line))


def _paragraph_part(paragraph: Paragraph, text: str, where: Message) -> Part:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    level = _HEADING_STYLE.match(style)
    if style == "Title" or level:
        return heading_part(text, where, int(level.group(1)) if level else 1) or Part(
            HEADING, text, where, 1
        )
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if "List" in style or numbered:
        return Part(BULLET, text, where)
    heading = heading_part(text, where)
    if heading is not None:
        return heading
    bold = all(run.bold for run in paragraph.runs if run.text.strip())
    return Part(HEADING if bold and is_heading_text(text) else TEXT, text, where, MINOR)


_LINE = re.compile(r"\bregel (\d+)\b")


def docx_reading(document: DocxDocument, budget: ImportBudget) -> FoundPlan:
    """The older layouts read on the document's text (tracker.importing.document_text), with
    their places ("line 40" of that text) turned into the places a person finds in Word
    ("paragraph 12", "table 2, row 3")."""
    text, places = _docx_text(document, budget)
    found = read_document_text(text, budget)

    def place(number: int) -> Message:
        return places[min(max(number, 1), len(places)) - 1] if places else line_place(number)

    def in_dutch(match: re.Match[str]) -> str:
        return place_text(place(int(match.group(1))))

    for activity in found.activities:
        activity.source = _LINE.sub(in_dutch, activity.source)
        if activity.heading.startswith("Activiteit op regel "):  # a block without a heading
            activity.heading = _LINE.sub(in_dutch, activity.heading.replace(" op ", " in ", 1))
    found.warnings = [
        replace(warning, where=place(int(str(warning.where.params["number"]))))
        if isinstance(warning.where, Message) and warning.where.text_id == line_place(0).text_id
        else warning
        for warning in found.warnings
    ]
    return found


@_readable()
def _docx_text(document: DocxDocument, budget: ImportBudget) -> tuple[str, list[Message]]:
    """The text of a .docx in the layouts the document-text reader knows, and where each of
    its lines stands in the document."""
    lines: list[str] = []
    places: list[Message] = []
    for number, item, text in _content(document, budget):
        if isinstance(item, Table):
            for line, row in _table_lines(item, budget):
                lines.append(line)
                places.append(Message("table %(table)s, row %(row)s", table=number, row=row))
            continue
        style = (item.style.name if item.style is not None else "") or ""
        added = (
            ["", f"### {NUMBERING.sub('', text)}", ""]  # a theme, as written
            if style == "Heading 1"
            else [text, ""]
        )
        lines.extend(added)
        places.extend([Message("paragraph %(number)s", number=number)] * len(added))
    return "\n".join(lines), places
