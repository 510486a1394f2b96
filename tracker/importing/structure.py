"""The structure of a plan document, whatever its format: headings, text, bullets, tables.

Text, Word and PDF are each turned into a list of `Part`s here or in their own module (word.py,
pdf.py); `tracker.importing.reading` then decides what each part means. For text, lines that a
PDF or Word extraction wrapped are joined first: a line continues the one before when that one
ends in a space or hyphen, or when it starts in lower case (even after a blank line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.domain.message import Message
from tracker.importing.cleaning import html_to_lines, strip_markup
from tracker.importing.limits import ImportBudget

HEADING, TEXT, BULLET, TABLE = "heading", "text", "bullet", "table"
MINOR = 9  # the level of a short line standing alone (a heading without a style or number)
THEME_LINE = MINOR - 1  # "Thema Scholing" standing alone: above the short lines after it
Row = tuple[str | None, ...]  # a table row's cells; None: covered by the cell on its left


@dataclass(frozen=True)
class Part:
    """One piece of a document in reading order, and where it stands in the file."""

    kind: str
    text: str
    where: Message
    level: int = 0  # headings: 1 the highest, MINOR a short line standing alone
    rows: tuple[Row, ...] = ()  # tables
    places: tuple[Message, ...] = ()  # tables: where each row stands
    numbered: bool = False  # headings: "1. Bewustwording", "3.2 …"


NOISE = re.compile(
    r"^(?:knop\s+\d+\s*:?.*|pagina\s+\d+(?:\s*(?:van|/)\s*\d+)?\s*:?|\d{1,3}|<hr\s*/?>|[-_=*•]+|"
    r"#+|https?://\S+|www\.\S+)$",
    re.IGNORECASE,
)
BULLET_MARK = re.compile(r"^(?:[-*•▪◦‣●○■□➢►✓]|\uf0b7|\uf0a7)\s*")
NUMBERED = re.compile(r"^(?P<number>\d{1,2}\.(?:\d{1,2}\.?)*)\s+(?P<text>\S.*)$")
MD_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<text>.+)$")
_END = (".", ",", ";", ":", "!", "?")
# "Klaar in: 2e kwartaal": a label of a few words starting with a letter, a colon, its value.
_LABEL_LINE = re.compile(r"^(?P<label>[^\W\d_][\w()/&'’ .-]{0,40}?)\s*:(?:\s+(?P<value>\S.*))?\s*$")
MAX_LABEL_WORDS = 6
THEME_PREFIX = re.compile(r"^(?:thema|pijler|speerpunt)\s*\d*\s*[:.\-–]?\s*", re.I)


def line_place(number: int) -> Message:
    """A place in a text file: "line 12"."""
    return Message("line %(number)s", number=number)


def is_heading_text(text: str, most: int = 90) -> bool:
    """Short, starting with a capital or digit, not ending like a sentence."""
    return 0 < len(text) <= most and not text.endswith(_END) and text[0].isupper()


def heading_part(text: str, where: Message, level: int = 0) -> Part | None:
    """A numbered or capitalised heading, with its level, or None when `text` is no heading."""
    numbered = NUMBERED.match(text)
    if numbered and is_heading_text(numbered.group("text")):
        level = level or numbered.group("number").rstrip(".").count(".") + 1
        return Part(HEADING, numbered.group("text").strip(), where, level, numbered=True)
    letters = [c for c in text if c.isalpha()]
    if level or (len(letters) >= 4 and all(c.isupper() for c in letters) and len(text) <= 60):
        return Part(HEADING, text, where, level or 1)
    return None


def text_parts(text: str, budget: ImportBudget) -> list[Part]:
    """The parts of a plan's text (as extracted from PDF or Word, or written by hand)."""
    return list(_classify(_logical_lines(text, budget)))


def _logical_lines(text: str, budget: ImportBudget) -> list[tuple[int, str]]:
    """(first line number, joined text) per line as the writer meant it."""
    lines: list[tuple[int, str]] = []
    blank, open_end = True, False  # open_end: the last line ended in a space or hyphen
    for number, raw in enumerate(text.splitlines(), start=1):
        budget.tick()
        budget.check_text(line_place(number), raw)
        stripped = raw.strip()
        if not stripped:
            blank = True
            continue
        if "\t" in raw.strip(" "):  # a table row: never joined
            lines.append((number, raw.strip(" \r\n")))
            blank, open_end = False, False
            continue
        if NOISE.match(stripped) and (blank or not open_end):  # "… € 60 12 €" + "720" goes on
            continue
        bullet = raw.startswith("  ")  # a bullet whose mark the extraction lost
        if lines and not bullet and _continues(lines[-1][1], stripped, blank, open_end):
            first, before = lines[-1]
            glue = "" if before.endswith("-") and before[-2:-1].isalpha() else " "
            lines[-1] = (first, f"{before}{glue}{stripped}")
        else:
            lines.append((number, ("• " if bullet else "") + stripped))
        blank, open_end = False, raw.endswith((" ", "-")) or raw.rstrip().endswith("-")
    return lines


def _continues(before: str, line: str, blank: bool, open_end: bool) -> bool:
    if "\t" in before or BULLET_MARK.match(line) or NUMBERED.match(line) or line[0] == "#":
        return False
    if before.endswith((".", "!", "?", ":")) and not open_end:
        return False
    lower = line[0].islower()
    if blank:  # a bullet wrapped over a blank line goes on after it
        return lower or (open_end and BULLET_MARK.match(before) is not None)
    return lower or open_end


def _classify(lines: list[tuple[int, str]]) -> list[Part]:
    parts: list[Part] = []
    rows: list[Row] = []
    places: list[Message] = []
    for index, (number, line) in enumerate(lines):
        where = line_place(number)
        if "\t" in line:
            rows.append(tuple(_cell(cell) for cell in line.split("\t")))
            places.append(where)
            continue
        if rows:
            parts.append(table_part(rows, places))
            rows, places = [], []
        parts.append(_line_part(line, where, lines[index + 1 : index + 2]))
    if rows:
        parts.append(table_part(rows, places))
    return label_blocks(parts)


def label_blocks(parts: list[Part]) -> list[Part]:
    """Two or more lines (paragraphs) of labels and values in a row, whatever the labels, made
    a table of labels and values: the reader's lexicon or the coordinator's mapping says what
    each label is. Bullets under a label without a value are its value."""
    result: list[Part] = []
    index = 0
    while index < len(parts):
        rows: list[Row] = []
        places: list[Message] = []
        end = index
        while end < len(parts):
            part, labelled = parts[end], _label_line(parts[end])
            if labelled is not None:
                rows.append(labelled)
                places.append(part.where)
            elif rows and part.kind == BULLET and (not rows[-1][1] or _bulleted(rows[-1])):
                label, value = rows[-1]
                rows[-1] = (label, f"{value}\n• {part.text}" if value else f"• {part.text}")
            else:
                break
            end += 1
        if sum(1 for row in rows if row[1]) >= 2:
            result.append(table_part(rows, places))
            index = end
        else:
            result.append(parts[index])
            index += 1
    return result


def _label_line(part: Part) -> tuple[str, str] | None:
    """("Klaar in", "2e kwartaal") for a line "Klaar in: 2e kwartaal"; None for other parts."""
    if part.kind not in (TEXT, HEADING) or part.numbered or part.level not in (0, MINOR):
        return None
    match = _LABEL_LINE.match(part.text)
    if match is None:
        return None
    label = match.group("label").strip()
    if len(label.split()) > MAX_LABEL_WORDS or label.lower() in ("http", "https"):
        return None
    return label, (match.group("value") or "").strip()


def _bulleted(row: Row) -> bool:
    return (row[1] or "").startswith("• ")


def table_part(rows: list[Row], places: list[Message]) -> Part:
    return Part(TABLE, "", places[0], rows=tuple(rows), places=tuple(places))


def _line_part(line: str, where: Message, after: list[tuple[int, str]]) -> Part:
    marked = MD_HEADING.match(line)
    if marked:
        text = strip_markup(marked.group("text"))
        return heading_part(text, where, len(marked.group("marks"))) or Part(HEADING, text, where)
    bullet = BULLET_MARK.match(line)
    if bullet:
        return Part(BULLET, strip_markup(line[bullet.end() :]), where)
    text = strip_markup(line)
    heading = heading_part(text, where)
    if heading is not None:
        return heading
    if is_heading_text(text, 80) and (not after or not after[0][1][:1].islower()):
        return Part(HEADING, text, where, THEME_LINE if THEME_PREFIX.match(text) else MINOR)
    return Part(TEXT, text, where)


def _cell(cell: str) -> str:
    return "\n".join(html_to_lines(cell)) if "<" in cell or "•" in cell else strip_markup(cell)
