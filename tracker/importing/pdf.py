"""A PDF plan (with text) as structure, read with pdfplumber.

Each page's tables (found by their ruling lines) become tab-separated rows, its other lines
text; a line set larger than the body text becomes a heading (the largest size level 1). That
text goes through the same structure reader as any plan text (tracker.importing.structure), and
each part is then placed on its page. A PDF without any text (a scan) is refused.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import replace
from typing import Any

import pdfplumber

from tracker.domain.message import Message
from tracker.importing.limits import ImportBudget, ImportFailed
from tracker.importing.structure import Part, text_parts

HEADING_RATIO = 1.15  # a line this much larger than the body text is a heading
PARAGRAPH_GAP = 0.5  # lines closer than this (times the font size) are one paragraph
MAX_PAGES = 500


def pdf_parts(data: bytes, budget: ImportBudget) -> list[Part]:
    """The structure of a PDF's text; ImportFailed for a damaged PDF or one without text."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise ImportFailed(Message("the PDF has more than %(most)s pages", most=MAX_PAGES))
            pages = [_page_lines(page, budget) for page in pdf.pages]
            # The body text's size: the one most characters have (table cells included).
            sizes = Counter(round(c.get("size", 0.0), 1) for page in pdf.pages for c in page.chars)
    except ImportFailed:
        raise
    except Exception:  # pdfminer can fail anywhere on a damaged file
        raise ImportFailed(Message("this is not a readable PDF file")) from None
    if not any(lines for lines in pages):
        raise ImportFailed(
            Message(
                "this PDF holds no text, only images (a scan?): upload the Word file or a PDF "
                "with text"
            )
        )
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    larger = sorted(
        {size for lines in pages for _, _, size, _ in lines if size > body * HEADING_RATIO},
        reverse=True,
    )
    text: list[str] = []
    page_of: list[int] = []
    for number, lines in enumerate(pages, start=1):
        for index, (_, bottom, size, line) in enumerate(lines):
            level = larger.index(size) + 1 if size in larger else 0
            if level and text and text[-1].startswith(f"{'#' * level} ") and text[-1][-1] == " ":
                text[-1] += line  # a heading wrapped over two lines
            else:
                text.append(f"{'#' * min(level, 6)} {line}" if level else line)
                page_of.append(number)
            after = lines[index + 1][0] if index + 1 < len(lines) else None
            if after is not None and after - bottom < size * PARAGRAPH_GAP:
                text[-1] += " "  # the paragraph goes on in the next line
            else:
                text.append("")
                page_of.append(number)
    return [_on_page(part, page_of) for part in text_parts("\n".join(text), budget)]


def _page_lines(page: Any, budget: ImportBudget) -> list[tuple[float, float, float, str]]:
    """(top, bottom, font size, text) of the page's lines in reading order; table rows
    tab-separated (their size 0: never a heading, never joined)."""
    budget.tick()
    # A row split by a page break lacks its bottom (or top) rule: the ends of the columns'
    # rules close it, so it is read as a row (the reader joins the two halves).
    ends = [e for e in page.edges if e["orientation"] == "v"]
    closing = [min(e["top"] for e in ends), max(e["bottom"] for e in ends)] if ends else []
    tables = page.find_tables({"explicit_horizontal_lines": closing})
    lines: list[tuple[float, float, float, str]] = []
    for table in tables:
        for number, row in enumerate(table.extract()):
            cells = [_unwrap(cell or "").replace("\t", " ").replace("\n", "<br>") for cell in row]
            top = table.bbox[1] + number / 1000
            lines.append((top, top, 0.0, "\t".join(cells) + "\t"))
    boxes = [table.bbox for table in tables]
    for line in page.extract_text_lines():
        budget.tick()
        middle = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
        if any(x0 <= middle[0] <= x1 and top <= middle[1] <= bottom
               for x0, top, x1, bottom in boxes):  # fmt: skip
            continue
        size = round(max((c.get("size", 0.0) for c in line["chars"]), default=0.0), 1)
        lines.append((line["top"], line["bottom"], size, line["text"]))
    return sorted(lines, key=lambda item: item[0])


def _unwrap(cell: str) -> str:
    """A cell's lines with those the cell's width wrapped joined: a line goes on in the next
    when that starts in lower case or it ends in a comma, hyphen, slash or "en"."""
    lines: list[str] = []
    for line in cell.split("\n"):
        if lines and (line[:1].islower() or lines[-1].endswith((",", "-", "/", " en"))):
            glue = "" if lines[-1].endswith(("-", "/")) else " "
            lines[-1] = f"{lines[-1]}{glue}{line}"
        else:
            lines.append(line)
    return "\n".join(lines)


def _on_page(part: Part, page_of: list[int]) -> Part:
    """The part with its place as a page ("page 3"), not a line of the text made here."""

    def page(where: Message) -> Message:
        number = int(where.params.get("number", 1))  # type: ignore[arg-type]
        return Message("page %(page)s", page=page_of[min(number, len(page_of)) - 1])

    return replace(part, where=page(part.where), places=tuple(page(p) for p in part.places))
