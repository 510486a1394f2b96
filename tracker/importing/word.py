"""A Word (.docx) plan as document text, so the document-text reader can take it from there.

Headings of level 1 become pillar headings, other headings activity headings; a two-column
table of labels (Doelstellingen | …) becomes label lines; a table headed Wat / Wie / Looptijd
becomes tab-separated rows, with bold text kept as `<b>` so that titles are recognised.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from tracker.importing.draft import ImportFailed

_NUMBERING = re.compile(r"^\d{1,2}[.)]\s+")


def _runs(paragraph: Paragraph) -> str:
    parts = []
    for run in paragraph.runs:
        text = run.text
        if text and run.bold and text.strip():
            parts.append(f"<b>{text}</b>")
        else:
            parts.append(text)
    return "".join(parts)


def _cell_text(cell_paragraphs: list[Paragraph], keep_bold: bool) -> str:
    lines = [(_runs(p) if keep_bold else p.text).strip() for p in cell_paragraphs]
    return "<br>".join(line for line in lines if line)


def _table_lines(table: Table) -> list[str]:
    rows = [[cell for cell in row.cells] for row in table.rows]
    if not rows:
        return []
    header = [cell.text.strip().lower() for cell in rows[0]]
    if len(header) >= 3 and header[:2] == ["wat", "wie"]:
        lines = ["Wat\tWie\tLooptijd"]
        for row in rows[1:]:
            cells = [_cell_text(cell.paragraphs, keep_bold=(i == 0)) for i, cell in enumerate(row)]
            if any(cells):
                lines.append("\t".join(cells[:3]))
        return lines + [""]
    lines = []
    for row in rows:
        label = row[0].text.strip()
        values = [p.text.strip() for cell in row[1:2] for p in cell.paragraphs if p.text.strip()]
        lines.append(f"{label}\t{values[0]}" if values else label)
        lines.extend(values[1:])
    return lines + [""]


def docx_to_text(data: bytes) -> str:
    """The text of a .docx in the layouts the document-text reader knows."""
    try:
        return _read(Document(io.BytesIO(data)))
    except ImportFailed:
        raise
    except Exception:  # a damaged file can fail anywhere inside python-docx or lxml
        raise ImportFailed("dit is geen leesbaar Word-bestand (.docx)") from None


def _read(document: DocxDocument) -> str:
    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            lines.extend(_table_lines(item))
            continue
        text = item.text.strip()
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        if style == "Heading 1":
            lines.extend(["", _NUMBERING.sub("", text).upper(), ""])
        else:
            lines.extend([text, ""])
    return "\n".join(lines)
