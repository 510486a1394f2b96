"""The column headers and labels of a document that a coordinator can map to fields.

Taken from the structure alone (not from a mapping), so a mapping form and the form it comes
back as list the same labels in the same order: the header row of each table the lexicon
reads; of another table of two columns its first column (labels with their values beside
them), of a wider one its first row (a header the lexicon does not know).
"""

from __future__ import annotations

from collections.abc import Iterable

from tracker.importing.lexicon import label_key
from tracker.importing.mapping import Label, Mapping
from tracker.importing.reading import header_index
from tracker.importing.structure import NOISE, TABLE, Part, Row

MAX_LABELS = 100  # a form of more selects helps no one; the rest are read by the lexicon
MAX_LABEL_CHARS = 60
MAX_EXAMPLE_CHARS = 80
LABEL_COLUMNS = 2  # a table this narrow holds labels in its first column


def document_labels(parts: Iterable[Part]) -> list[Label]:
    """Each distinct header or label (by its key) in reading order, with a first example."""
    found: dict[str, Label] = {}
    lexicon = Mapping()
    for part in parts:
        if part.kind != TABLE or not part.rows:
            continue
        header = header_index(part.rows, lexicon)
        if header is None and max(len(row) for row in part.rows) <= LABEL_COLUMNS:
            for row in part.rows:
                _add(found, row[0] if row else None, _cell(row, 1))
            continue
        first = header or 0
        below = part.rows[first + 1 : first + 2]
        for column, cell in enumerate(part.rows[first]):
            _add(found, cell, _cell(below[0], column) if below else "")
    return list(found.values())[:MAX_LABELS]


def _cell(row: Row, column: int) -> str:
    return (row[column] or "") if column < len(row) else ""


def _add(found: dict[str, Label], cell: str | None, example: str) -> None:
    text = " ".join((cell or "").split())
    if not text or len(text) > MAX_LABEL_CHARS or NOISE.match(text) or "\n" in (cell or ""):
        return
    if not any(c.isalpha() for c in text):
        return
    key = label_key(text)
    example = " ".join(example.split())
    if len(example) > MAX_EXAMPLE_CHARS:
        example = example[: MAX_EXAMPLE_CHARS - 1].rsplit(" ", 1)[0] + " …"
    known = found.get(key)
    if key and known is None:
        found[key] = Label(text, key, example)
    elif known is not None and not known.example and example:
        found[key] = Label(known.text, key, example)
