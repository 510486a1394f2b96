"""The characters XLSX cannot hold are openpyxl's own list, written out in
tracker/spreadsheet_cells.py so that CSV reports and the app's start do not load openpyxl."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as OPENPYXL_ILLEGAL

from tracker.spreadsheet_cells import ILLEGAL_CHARACTERS_RE, csv_field


def test_the_illegal_characters_are_openpyxls() -> None:
    assert ILLEGAL_CHARACTERS_RE.pattern == OPENPYXL_ILLEGAL.pattern
    every = "".join(chr(code) for code in range(0x80))
    assert ILLEGAL_CHARACTERS_RE.sub("", every) == OPENPYXL_ILLEGAL.sub("", every)
    assert csv_field("a\x07b") == "ab"
