"""The one way a value goes into a spreadsheet: every XLSX sheet and every CSV this app writes
(the reports in tracker/reports/render.py, the plan export in tracker/importing/spreadsheet.py).

Text from people (a theme, a title, a note, a workgroup's name, a target) must stay text: a
theme named '=HYPERLINK("http://evil")' must not become a live formula in someone's Excel.
- XLSX: every string is written as a string cell (never a formula, never an error value
  like "#N/A"), exactly as typed; text that starts like a formula (=, +, -, @, tab, CR, LF)
  also gets Excel's quote prefix, so it stays text when someone edits the cell.
- CSV: a spreadsheet program reads every field anew, so such text gets a leading apostrophe
  (the usual CSV-injection defence), which Excel shows and does not evaluate.
Characters XLSX cannot hold (control characters other than tab, LF and CR) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# The characters XLSX cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE, written out so that
# writing a CSV does not load openpyxl (tests/unit/test_spreadsheet_cells.py compares them).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def formula_like(text: str) -> bool:
    """True for text a spreadsheet program would read as a formula."""
    return text.startswith(FORMULA_START)


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """Append one row to an XLSX sheet: strings as text cells (see the module docstring);
    numbers, dates and None as openpyxl writes them."""
    row = [_clean(value) if isinstance(value, str) else value for value in values]
    sheet.append(row)
    number = sheet.max_row
    for column, value in enumerate(row, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=number, column=column)
            cell.data_type = "s"  # openpyxl made "=…" a formula, "#N/A" an error: text, always
            if formula_like(value):
                cell.quotePrefix = True


def csv_field(value: object) -> object:
    """A value for a CSV writer: formula-like text gets a leading apostrophe."""
    if not isinstance(value, str):
        return value
    text = _clean(value)
    return "'" + text if formula_like(text) else text
