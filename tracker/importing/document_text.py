"""The text of a plan document (as extracted from PDF or Word) → the activities it lists.

Two layouts of real jaarplannen are read:

* blocks: pillar headings in capitals ("COÖRDINATIE"), activity headings, and under each one
  or more blocks `Doelstellingen` / `Acties en resultaten` / `Wie` / `Wanneer`, the label on
  its own line or followed by a tab or a space (Twente 2021);
* tables: section headings ("### 1. Transmurale Samenwerking") with a table `Wat` / `Wie` /
  `Looptijd` whose rows are tab-separated and whose cells carry HTML (IJssel-Vecht 2024).

Extraction noise is dropped: the navigation that repeats earlier headings before each
activity (the heading of a block is the last line before it), numbered page variants of one
heading ("Spirituele zorg in de eerstelijns⁽²⁾"), button labels ("Knop 38:"), page numbers,
`<hr/>` rules and Markdown marks. Any other line that is no heading, label, value, table row or
part of the foreword is listed as not placed with its line number, as the structure reader
lists what went nowhere (tracker.importing.reading); so is a table row without a "Wat". A line
among a table's rows does not end the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.domain.message import Message
from tracker.importing.cleaning import (
    NUMBERING,
    heading_text,
    html_to_lines,
    normalise_key,
    strip_markup,
)
from tracker.importing.draft import FoundActivity, FoundPlan, ImportWarning, year_in_title
from tracker.importing.limits import ImportBudget
from tracker.importing.reading import not_placed
from tracker.importing.structure import MD_HEADING, line_place

FIELDS = {
    "doelstellingen": "objectives",
    "doelstelling": "objectives",
    "doelen": "objectives",
    "acties en resultaten": "actions",
    "acties": "actions",
    "resultaten": "actions",
    "wie": "wie",
    "wanneer": "wanneer",
    "looptijd": "wanneer",
}
ORDER = ("objectives", "actions", "wie", "wanneer")
_LABEL = re.compile(
    r"^[-*•\s]*(?P<label>doelstellingen|doelstelling|doelen|acties en resultaten|acties|"
    r"resultaten|wie|wanneer|looptijd)\**[ ]*(?:(?P<sep>[:\t])\s*|\s+)?(?P<rest>.*)$",
    re.IGNORECASE,
)
_TABLE_HEADER = re.compile(r"^\s*wat\s*\t\s*wie\s*\t\s*(?:looptijd|wanneer)\s*$", re.IGNORECASE)
_NOISE = re.compile(
    r"^(?:knop\s+\d+\s*:?.*|pagina\s+\d+(?:\s+van\s+\d+)?|\d{1,3}|<hr\s*/?>|[-_=*•]{1,}|#+)$",
    re.IGNORECASE,
)
_HR = re.compile(r"^<hr\s*/?>\s*$", re.IGNORECASE)
_QUOTED = re.compile(r"^[“\"'‘„](?P<motto>[^”\"'’]{3,120})[”\"'’]$")
_FOREWORD = re.compile(r"^(?:voorwoord|inleiding)$", re.IGNORECASE)
_BOLD = re.compile(r"<b>(.*?)</b>", re.IGNORECASE | re.DOTALL)


def _is_pillar_heading(line: str) -> bool:
    if len(line) > 60:
        return False
    letters = [c for c in line if c.isalpha()]
    return (
        len(letters) >= 4
        and all(c.isupper() for c in letters)
        and not any(c.isdigit() for c in line)
    )


def _pillar_name(line: str) -> str:
    text = strip_markup(line).strip().lower()
    return text[:1].upper() + text[1:]


@dataclass
class _Block:
    heading: str
    theme: str
    line: int
    values: dict[str, list[str]] = field(default_factory=dict)
    current: str = ""
    closed: bool = False

    def has(self, name: str) -> bool:
        return bool(self.values.get(name))

    def accepts(self, name: str) -> bool:
        """A label continues this block only in the plan's order and only once."""
        if self.closed or self.has(name):
            return False
        filled = [ORDER.index(n) for n in self.values if self.values[n]]
        return not filled or ORDER.index(name) > max(filled)


@dataclass
class _Reader:
    budget: ImportBudget
    plan: FoundPlan = field(default_factory=FoundPlan)
    theme: str = ""
    section: str = ""
    heading: str = ""
    candidates: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)
    block: _Block | None = None
    in_table: bool = False
    preamble: list[tuple[int, str]] = field(default_factory=list)
    preamble_open: bool = True
    skipped: list[tuple[int, str]] = field(default_factory=list)  # lines read as nothing
    introduction: set[int] = field(default_factory=set)  # line numbers in the introduction
    names: set[str] = field(default_factory=set)  # keys of the headings and themes read

    def finish_block(self) -> None:
        block, self.block = self.block, None
        if block is None:
            return
        values = {name: "\n".join(lines).strip() for name, lines in block.values.items()}
        where = line_place(block.line)
        if not (values.get("objectives") or values.get("actions")):
            problem = Message("block without Objectives or Actions")
            self.plan.warnings.append(ImportWarning(where, problem))
            return
        theme = block.theme or "Algemeen"
        heading = block.heading or f"Activiteit op regel {block.line}"
        if not block.theme:
            problem = Message("activity is not under a pillar")
            self.plan.warnings.append(ImportWarning(where, problem))
        self.add(
            FoundActivity(
                theme=theme,
                heading=heading,
                objectives=values.get("objectives", ""),
                actions=values.get("actions", ""),
                wie=values.get("wie", ""),
                wanneer=values.get("wanneer", ""),
                source=f"{theme} › {heading}, regel {block.line}",
            )
        )

    def add(self, activity: FoundActivity) -> None:
        """Keep an activity; refuse (ImportFailed) at the first one over the cap."""
        self.plan.activities.append(activity)
        self.budget.count_activities(len(self.plan.activities))

    def start_block(self, number: int) -> None:
        self.finish_block()
        if self.candidates:
            *others, (_number, heading) = self.candidates
            self.heading = heading_text(heading)
            self.skipped += others
        self.candidates = []
        self.block = _Block(self.heading, self.theme or self.section, number)

    def close_preamble(self) -> None:
        if self.preamble_open:
            self.preamble_open = False
            kept = _introduction(self.preamble)
            self.plan.introduction = "\n\n".join(strip_markup(text) for _number, text in kept)
            self.introduction = {number for number, _text in kept}

    def list_skipped(self) -> None:
        """List the lines read as nothing as not placed, but for the navigation (a line
        repeating a heading, theme, title or motto) and the foreword's lines."""
        self.skipped += self.candidates
        self.candidates = []
        names = self.names | {_key(self.plan.title), _key(self.plan.motto)}
        for activity in self.plan.activities:
            names |= {_key(activity.heading), _key(activity.title), _key(activity.theme)}
        for number, text in sorted(self.skipped):
            if number not in self.introduction and _key(text) not in names:
                self.plan.warnings.append(not_placed(line_place(number), strip_markup(text)))


def read_document_text(text: str, budget: ImportBudget | None = None) -> FoundPlan:
    """Find the plan's title, motto, foreword and activities in extracted document text.

    `budget` bounds the activities and the time (ImportFailed); default limits when not given.
    """
    reader = _Reader(budget or ImportBudget())
    for number, raw in enumerate(text.splitlines(), start=1):
        reader.budget.tick()
        reader.budget.check_text(line_place(number), raw)
        _read_line(reader, raw, number)
    reader.finish_block()
    reader.close_preamble()
    reader.list_skipped()
    blocks = sum(1 for a in reader.plan.activities if not a.title)
    rows = len(reader.plan.activities) - blocks
    pieces = []
    if blocks:
        pieces.append(
            Message.plural(
                "%(count)s block Doelstellingen / Acties en resultaten / Wie / Wanneer",
                "%(count)s blocks Doelstellingen / Acties en resultaten / Wie / Wanneer",
                blocks,
                count=blocks,
            )
        )
    if rows:
        pieces.append(
            Message.plural(
                "%(count)s activity from a table Wat / Wie / Looptijd",
                "%(count)s activities from a table Wat / Wie / Looptijd",
                rows,
                count=rows,
            )
        )
    if pieces:
        reader.plan.reading = Message("read as %(pieces)s", pieces=tuple(pieces))
    return reader.plan


def _read_line(reader: _Reader, raw: str, number: int) -> None:
    line = raw.strip()
    block = reader.block
    if not line:
        return
    if reader.in_table and raw.count("\t") >= 2:
        _table_row(reader, raw, number)
        return
    in_table, reader.in_table = reader.in_table, False  # a plain line keeps it (below)
    if _TABLE_HEADER.match(line):
        reader.finish_block()
        reader.close_preamble()
        reader.in_table = True
        return
    if _HR.match(line) or (line.startswith("<hr") and raw.count("\t") >= 1):
        reader.finish_block()
        return
    heading = MD_HEADING.match(line)
    if heading:
        _read_heading(reader, heading_text(heading.group("text")), len(heading.group("marks")))
        return
    if not reader.plan.title and year_in_title(line) and len(line) < 80:
        reader.plan.title, reader.plan.year = strip_markup(line), year_in_title(line)
        return
    quoted = _QUOTED.match(line)
    if quoted and not reader.plan.motto:
        reader.plan.motto = quoted.group("motto").strip()
        return
    if reader.preamble_open and _FOREWORD.match(line):
        reader.preamble = []
        return
    label = _LABEL.match(line)
    if label and _is_label(label, line, block):
        _read_label(reader, FIELDS[label.group("label").lower()], label.group("rest"), number)
        return
    if _is_pillar_heading(line):
        reader.finish_block()
        reader.close_preamble()
        reader.theme = _pillar_name(line)
        reader.names.add(_key(line))
        return
    reader.in_table = in_table
    if _NOISE.match(line) and not (block and block.current == "wanneer" and not block.closed):
        return
    if block is not None and not block.closed and block.current:
        _add_value(block, line)
        return
    if reader.preamble_open:
        reader.preamble.append((number, line))
    reader.candidates.append((number, line))


def _read_heading(reader: _Reader, text: str, level: int) -> None:
    """A Markdown heading: the plan's title ("Jaarplan 2021"), a section naming the theme of
    the tables under it (level 3 or lower), or a heading the navigation may repeat."""
    reader.finish_block()
    year = year_in_title(text)
    if year and not reader.plan.title:
        reader.plan.title, reader.plan.year = text, year
        return
    reader.names.add(_key(text))
    if level >= 3:
        reader.section = NUMBERING.sub("", text)
        reader.names.add(_key(reader.section))
        reader.theme = ""
    elif reader.plan.title:
        reader.close_preamble()


def _read_label(reader: _Reader, name: str, rest: str, number: int) -> None:
    """A label (and the value after it): the next field of the open block, or a new block."""
    reader.close_preamble()
    if reader.block is None or not reader.block.accepts(name):
        reader.start_block(number)
    block = reader.block
    assert block is not None
    block.current = name
    block.values.setdefault(name, [])
    if rest.strip():
        _add_value(block, rest.strip())


def _key(text: str) -> str:
    """A line's key to compare it with headings: "**Coördinatie**" as "COÖRDINATIE"."""
    return normalise_key(heading_text(text))


_INLINE_LABELS = ("doelstellingen", "acties en resultaten", "wie", "wanneer", "looptijd")


def _is_label(label: re.Match[str], line: str, block: _Block | None) -> bool:
    """A label on its own line, before a tab or colon, or (full labels only) before a space.

    "- Acties gericht op borging …" is a bullet of the actions, not a new label.
    """
    if label.group("sep") or not label.group("rest"):
        return True
    name = label.group("label").lower()
    if name not in _INLINE_LABELS or line.lstrip().startswith(("-", "•", "*")):
        return False
    return block is not None or FIELDS[name] in ("objectives", "actions")


def _add_value(block: _Block, text: str) -> None:
    lines = html_to_lines(text) if ("<" in text or "•" in text) else [strip_markup(text)]
    block.values[block.current].extend(line for line in lines if line)
    if block.current == "wanneer" and block.values["wanneer"]:
        block.closed = True  # "Wanneer" is one line; what follows is the next heading


def _table_row(reader: _Reader, raw: str, number: int) -> None:
    cells = [cell.strip() for cell in raw.split("\t")]
    wat, wie, wanneer = cells[0], cells[1], " ".join(cells[2:]).strip()
    wie_text = "\n".join(html_to_lines(wie))
    wanneer_text = " ".join(html_to_lines(wanneer))
    theme = reader.section or reader.theme or "Algemeen"
    items = _items(wat)
    if not items and any(cells):  # a row without a "Wat": no activity, but not dropped
        reader.skipped.append((number, " / ".join(" ".join(html_to_lines(c)) for c in cells)))
    for title, description in items:
        reader.add(
            FoundActivity(
                theme=theme,
                heading=title,
                title=title,
                actions=description or title,
                wie=wie_text,
                wanneer=wanneer_text,
                source=f"{theme} › {title}, regel {number}",
            )
        )


def _items(cell: str) -> list[tuple[str, str]]:
    """A "Wat" cell may hold several activities, each starting with a bold title."""
    parts = _split_bold(cell)
    items: list[tuple[str, str]] = []
    if len(parts) > 1:
        lead = "\n".join(html_to_lines(parts[0]))
        for index in range(1, len(parts), 2):
            title = strip_markup(parts[index]).strip(" .:")
            description = "\n".join(html_to_lines(parts[index + 1]))
            if title:
                items.append((title, description))
            elif items:
                items[-1] = (items[-1][0], f"{items[-1][1]}\n{description}".strip())
        if lead and items:
            items[0] = (items[0][0], f"{lead}\n{items[0][1]}".strip())
        if items:
            return items
    lines = html_to_lines(cell)
    if not lines:
        return []
    first = re.split(r"(?<=[.!?])\s", lines[0], maxsplit=1)[0].strip(" .")
    return [(first[:120], "\n".join(lines))]


def _split_bold(cell: str) -> list[str]:
    """`_BOLD.split(cell)`, searching only up to the last "</b>".

    There every "<b>" has a "</b>" after it, so no attempt fails after scanning to the end
    (which made a cell full of unclosed "<b>" cost quadratic time).
    """
    end = max(cell.rfind("</b>"), cell.rfind("</B>"))
    if end < 0:
        return [cell]
    end += len("</b>")
    parts = _BOLD.split(cell[:end])
    parts[-1] += cell[end:]
    return parts


def _introduction(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The foreword's paragraphs (line number, text) without its signature (short closing
    lines: names and roles)."""
    body = [(number, text) for number, text in lines if not _is_pillar_heading(text)]
    while body and len(body[-1][1]) < 80 and not body[-1][1].endswith((".", ":", "!", "?")):
        body.pop()
    return [(number, text) for number, text in body if len(text) >= 40 or text.startswith("-")]
