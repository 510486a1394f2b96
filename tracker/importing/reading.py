"""What the parts of a document mean (tracker.importing.structure): activities, results, budget.

The conventions read, whatever the format:

- a **table with a header row** whose columns the lexicon knows (Doelstelling, Uitwerking, Wie,
  Wanneer, … in any order and number): one activity per row, titled by its Titel column or the
  first line of its objective; a header row repeated after a page break is skipped, a row
  without objective or action continues the row above (a row split over two pages), a row of
  one merged cell names the theme of the rows below it, page numbers inside a cell are dropped;
- a **table of labels and values** (Doelstellingen | …, Wie | …): one activity per block, under
  the heading above it;
- a **numbered heading followed by a bullet list** ("1. Bewustwording" • … • …): a theme with
  one activity per bullet; a short line further on that repeats such a bullet is the heading of
  the text describing that activity;
- a **heading naming results** ("Te verwachten resultaten in 2023") followed by items: each
  result goes to the activity sharing the most (rare) words with it;
- a **Budget / Kosten** column or label: a line of the plan budget (the activity as its item);
- a **budget**: "Thema 1 Bewustwording € 22.466,70", "Netwerk … 3/5 deel € …" and items per
  theme ("Bijeenkomsten € 150 5 € 750") closed by "Totaal € …".

Everything else (text, bullets, table rows and columns) is listed as not placed, with its place.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from tracker.domain.budget import BadAmount, BudgetLine, BudgetShare, parse_amount, parse_share
from tracker.domain.message import Message
from tracker.importing.cleaning import normalise_key
from tracker.importing.draft import FoundActivity, FoundPlan, ImportWarning, year_in_title
from tracker.importing.lexicon import field_of, label_key
from tracker.importing.limits import ImportBudget
from tracker.importing.mapping import FIELD_NAMES, IGNORE, Mapping, level_name
from tracker.importing.structure import (
    BULLET,
    HEADING,
    MINOR,
    NOISE,
    TABLE,
    TEXT,
    THEME_LINE,
    THEME_PREFIX,
    Part,
    Row,
)

NOT_PLACED = "not placed: %(text)s"  # the message id of what went nowhere (the review lists it)
TEXT_FIELDS = ("title", "objectives", "actions", "results")
_AMOUNT = r"€\s*(?P<amount>\d[\d.]*(?:,\d{1,2})?)(?:,-)?\*?"
_THEME_TOTAL = re.compile(r"^thema\s+\d+\s*[:.]?\s*(?P<name>.+?)\s+" + _AMOUNT + "$", re.I)
_SHARE = re.compile(r"^(?P<name>.+?)\s+(?P<share>\d+\s*/\s*\d+)\s*deel\s+" + _AMOUNT + "$", re.I)
_TOTAL = re.compile(r"^totaal\b[^€]*" + _AMOUNT + "$", re.I)
_ITEM = re.compile(r"^(?P<item>[^\d€].*?)\s+(?:€\s*\d[\d.,]*\s+)?(?:\d+\s+)?" + _AMOUNT + "$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
MAX_TITLE_CHARS = 100  # characters: a longer first line is cut at a word


def not_placed(where: Message, text: str) -> ImportWarning:
    """The warning listing text that went nowhere (shortened to 120 characters)."""
    short = " ".join(text.split())
    short = short if len(short) <= 120 else short[:117] + "…"
    return ImportWarning(where, Message("not placed: %(text)s", text=short))


def place_text(where: Message) -> str:
    """A place in the file in Dutch for an activity's source ("regel 12", "tabel 2, rij 3")."""
    patterns = {
        "line %(number)s": "regel %(number)s",
        "page %(page)s": "pagina %(page)s",
        "table %(table)s, row %(row)s": "tabel %(table)s, rij %(row)s",
        "paragraph %(number)s": "alinea %(number)s",
    }
    return patterns.get(where.text_id, where.text_id) % dict(where.params)


def title_from(text: str) -> str:
    """A title from a text: its first line, or that line's first sentence, cut at a word."""
    first = text.strip().split("\n", 1)[0].lstrip("-• ").strip()
    first = _SENTENCE_END.split(first, maxsplit=1)[0].rstrip(" .:;")
    if len(first) > MAX_TITLE_CHARS:
        first = first[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] + " …"
    return first


@dataclass
class _Reader:
    parts: list[Part]
    budget: ImportBudget
    mapping: Mapping = field(default_factory=Mapping)
    ignored: dict[str, None] = field(default_factory=dict)  # labels the mapping ignores, as written
    plan: FoundPlan = field(default_factory=FoundPlan)
    placed: set[int] = field(default_factory=set)
    stack: list[Part] = field(default_factory=list)  # the headings in scope, highest first
    tables: list[tuple[tuple[str, ...], str]] = field(default_factory=list)  # columns, heading
    label_blocks: int = 0
    lists: list[str] = field(default_factory=list)  # headings of bullet lists of activities
    results: list[tuple[int, str]] = field(default_factory=list)
    open_table: _OpenTable | None = None  # the last table read, until the next heading

    def add(self, activity: FoundActivity, where: Message) -> FoundActivity:
        activity.source = f"{activity.theme} › {activity.title or activity.heading}, " + (
            place_text(where)
        )
        self.plan.activities.append(activity)
        self.budget.count_activities(len(self.plan.activities))
        return activity

    def not_placed(self, where: Message, text: str) -> None:
        self.plan.warnings.append(not_placed(where, text))

    def nearest(self, skip: int = 0) -> str:
        """The nearest heading in scope (skipping `skip` levels up), or ''."""
        named = [p.text for p in self.stack if p.level < THEME_LINE] or [p.text for p in self.stack]
        return named[-1 - skip] if len(named) > skip else ""

    def theme(self, skip: int = 0) -> str:
        """The theme of what is read here: the nearest heading of the mapping's theme level,
        else the nearest heading in scope (skipping `skip` levels up), without "Thema 1:"."""
        level = self.mapping.theme_level
        if level is not None:
            heading = next((p.text for p in reversed(self.stack) if p.level == level), "")
        else:
            heading = self.nearest(skip)
        return THEME_PREFIX.sub("", heading) or heading or "Algemeen"

    def field_of(self, label: str | None) -> str | None:
        """The field a column or label is read as (the mapping's, else the lexicon's); an
        ignored one is remembered for the explanation."""
        if self.mapping.ignores(label):
            self.ignored.setdefault(" ".join((label or "").split()), None)
        return self.mapping.field_of(label)


def read_parts(
    parts: list[Part], budget: ImportBudget, mapping: Mapping | None = None
) -> FoundPlan:
    """Activities, results and budget found in `parts` by the conventions above; `mapping`
    (the coordinator's) says what columns and labels the lexicon does not know are, and which
    heading level names the themes."""
    reader = _Reader(parts, budget, mapping or Mapping())
    _read_budget(reader)
    index = 0
    while index < len(parts):
        budget.tick()
        index = _read_part(reader, index)
    _read_descriptions(reader)
    _attach_results(reader)
    for number, part in enumerate(parts):
        if number not in reader.placed and part.kind in (TEXT, BULLET):
            reader.not_placed(part.where, part.text)
    reader.plan.reading = _explain(reader)
    return reader.plan


def _read_part(reader: _Reader, index: int) -> int:
    part = reader.parts[index]
    if index in reader.placed:
        return index + 1
    if part.kind == TABLE:
        _read_table(reader, part)
        return index + 1
    if part.kind != HEADING:
        return index + 1
    year = year_in_title(part.text)
    if year and not reader.plan.title:
        reader.plan.title, reader.plan.year = part.text, year
        return index + 1
    if field_of(part.text) == "results":
        return _read_results(reader, index)
    reader.open_table = None
    while reader.stack and reader.stack[-1].level >= part.level:
        reader.stack.pop()
    reader.stack.append(part)
    bullets = _following(reader.parts, index, BULLET)
    if part.level < MINOR and len(bullets) >= 2:
        theme = THEME_PREFIX.sub("", part.text) or part.text
        if reader.mapping.theme_level is not None and part.level != reader.mapping.theme_level:
            theme = reader.theme()
        reader.lists.append(theme)
        for number in bullets:
            bullet = reader.parts[number]
            title = title_from(bullet.text)
            reader.add(
                FoundActivity(
                    theme,
                    title,
                    title=title,
                    objectives=bullet.text if title != bullet.text else "",
                ),
                bullet.where,
            )
            reader.placed.add(number)
        return bullets[-1] + 1
    return index + 1


def _following(parts: list[Part], index: int, kind: str) -> list[int]:
    """The indexes of the parts of `kind` directly after `index`."""
    found = []
    for number in range(index + 1, len(parts)):
        if parts[number].kind != kind:
            break
        found.append(number)
    return found


def _read_results(reader: _Reader, index: int) -> int:
    number = index + 1
    while number < len(reader.parts) and reader.parts[number].kind in (BULLET, TEXT):
        if number not in reader.placed:
            reader.results.append((number, reader.parts[number].text))
        number += 1
    return number


# --- tables -----------------------------------------------------------------------------------


def _columns(row: Row) -> list[str]:
    """Each column's header as written: a merged header cell names every column it covers."""
    names: list[str] = []
    for cell in row:
        names.append(cell if cell is not None else (names[-1] if names else ""))
    return [" ".join(name.split()) for name in names]


def header_index(rows: tuple[Row, ...], mapping: Mapping) -> int | None:
    """The table's header row among its first three: one naming at least two fields, one of
    them a text, in at least half of its (not ignored) cells; None for a table without one."""
    for number, row in enumerate(rows[:3]):
        cells = [cell for cell in row if cell and not mapping.ignores(cell)]
        fields = {mapping.field_of(cell) for cell in cells} - {None}
        if len(fields) >= 2 and fields & set(TEXT_FIELDS) and 2 * len(fields) >= len(cells):
            return number
    return None


def _clean_cell(cell: str | None) -> str:
    """A cell's text without page numbers and other page furniture that landed in it."""
    if not cell:
        return ""
    return "\n".join(
        line for line in cell.split("\n") if line.strip() and not NOISE.match(line.strip())
    ).strip()


def _read_table(reader: _Reader, table: Part) -> None:
    header = header_index(table.rows, reader.mapping)
    before = reader.open_table
    width = max((len(row) for row in table.rows), default=0)
    if before is not None and (
        (header is None and width == len(before.columns))
        or (header is not None and _keys(table.rows[header]) == _keys(before.columns))
    ):  # the table of the page before goes on
        _read_rows(reader, table, before, 0 if header is None else header + 1)
        return
    if header is None:
        if not _read_label_table(reader, table):
            for number, row in enumerate(table.rows):
                joined = " | ".join(_clean_cell(cell) for cell in row if _clean_cell(cell))
                if joined:
                    reader.not_placed(_row_place(table, number), joined)
        return
    columns = tuple(_columns(table.rows[header]))
    heading = reader.nearest()
    reader.tables.append((tuple(dict.fromkeys(n for n in columns if n)), heading))
    state = _OpenTable(columns, reader.theme())
    _read_rows(reader, table, state, header + 1)


@dataclass
class _OpenTable:
    """A table with a header row being read; the table on the next page may go on with it."""

    columns: tuple[str, ...]
    theme: str
    last: FoundActivity | None = None


def _keys(row: Row | tuple[str, ...]) -> list[str]:
    return [label_key(name) for name in _columns(row)]


def _read_rows(reader: _Reader, table: Part, state: _OpenTable, start: int) -> None:
    fields = [reader.field_of(name) for name in state.columns]
    header_keys = _keys(state.columns)
    page_start = start  # the first row of a page: it may end the row above
    pending: dict[str, str] = {}
    for number in range(start, len(table.rows)):
        reader.budget.tick()
        row = table.rows[number]
        if _keys(row) == header_keys:
            page_start = number + 1
            continue  # the header again, after a page break
        if number and _on_new_page(table, number):
            page_start = number
        cells = [_clean_cell(cell) for cell in row]
        if not any(cells):
            continue
        if len(row) > 1 and cells[0] and all(cell is None for cell in row[1:]):  # merged
            state.theme, state.last = THEME_PREFIX.sub("", cells[0]) or state.theme, None
            continue
        values: dict[str, list[str]] = {}
        for column, cell in enumerate(cells):
            if not cell or (column and row[column] is None):
                continue
            name = fields[column] if column < len(fields) else None
            label = state.columns[column] if column < len(state.columns) else ""
            if name is None and reader.mapping.ignores(label):
                continue
            if name is None:
                reader.not_placed(_row_place(table, number), f"{label}: {cell}" if label else cell)
            else:
                values.setdefault(name, []).append(cell)
        text = {name: "\n".join(lines) for name, lines in values.items()}
        split = number == page_start and not (text.get("title") or text.get("objectives"))
        if not any(text.get(n) for n in TEXT_FIELDS) and state.last is None:
            pending = text  # the top of a row the page break cut: goes with the next
            continue
        if state.last is not None and (split or not any(text.get(n) for n in TEXT_FIELDS)):
            _extend(state.last, text)  # the rest of the row above (split over two pages)
            continue
        text = {**pending, **{name: value for name, value in text.items() if value}}
        pending = {}
        state.last = reader.add(_activity(state.theme, text), _row_place(table, number))
        _add_cost(reader, state.last, text.get("budget", ""), _row_place(table, number))
    for value in pending.values():
        reader.not_placed(_row_place(table, len(table.rows) - 1), value)
    reader.open_table = state


def _activity(theme: str, text: dict[str, str]) -> FoundActivity:
    objectives, actions = text.get("objectives", ""), text.get("actions", "")
    results = text.get("results", "")
    actions = "\n".join(part for part in (actions, results) if part)
    named = text.get("title", "").strip().split("\n", 1)[0]  # a title as written
    title = named or title_from(objectives or actions)
    return FoundActivity(
        theme,
        title,
        objectives=objectives,
        actions=actions,
        wie=text.get("wie", ""),
        wanneer=" ".join(text.get("wanneer", "").split()),
        title=title,
    )


def _extend(activity: FoundActivity, text: dict[str, str]) -> None:
    text = dict(text, actions="\n".join(text.get(n, "") for n in ("actions", "results")).strip())
    for name in ("actions", "wie", "wanneer"):
        if text.get(name):
            joined = f"{getattr(activity, name)}\n{text[name]}".strip()
            setattr(activity, name, joined)


def _add_cost(reader: _Reader, activity: FoundActivity, text: str, where: Message) -> None:
    """A Budget / Kosten column: a line of the plan budget under the activity's theme."""
    if not text:
        return
    try:
        amount = parse_amount(text.split("\n", 1)[0])
    except BadAmount:
        reader.not_placed(where, text)
    else:
        reader.plan.budget.append(BudgetLine(activity.theme, activity.title, amount))


def _on_new_page(table: Part, number: int) -> bool:
    """The row is the first of its page (a PDF's table going on from the page before)."""
    here, before = _row_place(table, number), _row_place(table, number - 1)
    return here.text_id == "page %(page)s" and str(here) != str(before)


def _row_place(table: Part, number: int) -> Message:
    return table.places[number] if number < len(table.places) else table.where


def _read_label_table(reader: _Reader, table: Part) -> bool:
    """A table of labels and values: one activity per block (a label again starts the next)."""
    labelled = [(reader.field_of(row[0] or ""), row) for row in table.rows if row]
    if sum(1 for name, _ in labelled if name) < 2:
        return False
    heading, theme = reader.nearest(), reader.theme(1)
    block: dict[str, str] = {}
    first = 0

    def finish() -> None:
        activities = reader.plan.activities
        if block.get("objectives") or block.get("actions") or block.get("results"):
            activity = _activity(theme, {"title": heading, **block} if heading else block)
            activity.heading = heading or activity.title
            reader.add(activity, _row_place(table, first))
            _add_cost(reader, activity, block.get("budget", ""), _row_place(table, first))
            reader.label_blocks += 1
        elif activities and heading and activities[-1].heading == heading:
            _extend(activities[-1], block)  # the rest of the block, after a page break
        else:
            for value in block.values():
                reader.not_placed(_row_place(table, first), value)

    for number, (name, row) in enumerate(labelled):
        value = "\n".join(_clean_cell(cell) for cell in row[1:] if _clean_cell(cell))
        if name is None and reader.mapping.ignores(row[0]):
            continue
        if name is None:
            if value or _clean_cell(row[0]):
                reader.not_placed(_row_place(table, number), f"{row[0] or ''} {value}".strip())
            continue
        if name in block:
            finish()
            block, first = {}, number
        block[name] = value
    finish()
    return True


# --- descriptions and results -----------------------------------------------------------------


def _read_descriptions(reader: _Reader) -> None:
    """A short line repeating an activity's title heads the text describing that activity."""
    by_title = {label_key(a.title): a for a in reader.plan.activities if not a.objectives}
    current: FoundActivity | None = None
    for number, part in enumerate(reader.parts):
        if number in reader.placed:
            continue
        if part.kind == HEADING:
            current = by_title.pop(label_key(part.text), None)
        elif part.kind in (TEXT, BULLET) and current is not None:
            current.objectives = f"{current.objectives}\n{part.text}".strip()
            reader.placed.add(number)
        elif part.kind == TABLE:
            current = None


def _words(text: str) -> set[str]:
    return {word for word in normalise_key(text).split() if len(word) >= 5}


def _attach_results(reader: _Reader) -> None:
    """Each expected result to the activity sharing the rarest words with it."""
    activities = reader.plan.activities
    titles = [_words(a.title) for a in activities]
    words = [_words(f"{a.title}\n{a.objectives}") for a in activities]
    frequency = Counter(word for found in words for word in found)
    for number, result in reader.results:
        reader.budget.tick()
        said = _words(result)
        shared = [
            sum((3 if w in title else 1) / frequency[w] for w in said & found)
            for title, found in zip(titles, words, strict=True)
        ]
        best = max(range(len(shared)), key=shared.__getitem__, default=None)
        if best is None or shared[best] == 0:
            continue
        activity = activities[best]
        activity.actions = f"{activity.actions}\n- {result}".strip()
        reader.placed.add(number)


# --- budget -----------------------------------------------------------------------------------


def _amount(match: re.Match[str]) -> Decimal:
    return parse_amount(match.group("amount"))


def _read_budget(reader: _Reader) -> None:
    """Theme totals, the split over networks, and the items of each theme where they add up."""
    totals: dict[str, Decimal] = {}
    shares: list[tuple[int, BudgetShare]] = []
    group: list[int] = []
    items: dict[str, list[BudgetLine]] = {}
    for number, part in enumerate(reader.parts):
        if part.kind == TABLE:
            continue
        text = " ".join(part.text.split())
        try:
            theme = _THEME_TOTAL.match(text)
            share = _SHARE.match(text)
            total = _TOTAL.match(text)
            if theme and not total:
                totals[theme.group("name")] = _amount(theme)
                reader.placed.add(number)
                group = []
            elif share:
                group = []
                shares.append(
                    (number, BudgetShare(share.group("name"), parse_share(share.group("share"))))
                )
            elif total and totals:
                _close_group(reader, group, _amount(total), totals, items)
                reader.placed.add(number)
                group = []
            elif totals:
                group.append(number)
        except BadAmount:
            continue
    if sum((s.share for _, s in shares), Fraction(0)) == 1:
        reader.plan.budget_shares = [s for _, s in shares]
        reader.placed.update(number for number, _ in shares)
    reader.plan.budget = [
        line
        for name, amount in totals.items()
        for line in items.get(name) or [BudgetLine(name, "", amount)]
    ]


def _close_group(
    reader: _Reader,
    group: list[int],
    total: Decimal,
    totals: dict[str, Decimal],
    items: dict[str, list[BudgetLine]],
) -> None:
    """The items since the last total belong to the theme whose total they add up to."""
    theme = next(
        (name for name, amount in totals.items() if amount == total and name not in items), None
    )
    lines, used = [], []
    for number in group:
        text = " ".join(reader.parts[number].text.split())
        item = _ITEM.match(text)
        if item:
            lines.append(BudgetLine(theme or "", item.group("item"), _amount(item)))
        if item or len(text) <= 90:  # an item, or the label of a few items
            used.append(number)
    if theme is None or sum((line.amount for line in lines), Decimal("0.00")) != total:
        return
    items[theme] = lines
    reader.placed.update(used)


# --- the explanation --------------------------------------------------------------------------


def _explain(reader: _Reader) -> Message | None:
    pieces: list[Message] = []
    by_columns: dict[tuple[str, ...], list[str]] = {}
    for columns, heading in reader.tables:
        by_columns.setdefault(columns, []).append(heading)
    for columns, headings in by_columns.items():
        named = tuple(dict.fromkeys(h for h in headings if h))
        table = Message.plural(
            "%(count)s table with the columns %(columns)s",
            "%(count)s tables with the columns %(columns)s",
            len(headings),
            count=len(headings),
            columns=columns,
        )
        pieces.append(
            Message("%(table)s under the headings %(headings)s", table=table, headings=named)
            if named
            else table
        )
    pieces.extend(_mapping_pieces(reader))
    if reader.label_blocks:
        pieces.append(
            Message.plural(
                "%(count)s table of labels and values",
                "%(count)s tables of labels and values",
                reader.label_blocks,
                count=reader.label_blocks,
            )
        )
    if reader.lists:
        pieces.append(
            Message(
                "bullet lists of activities under the numbered headings %(headings)s",
                headings=tuple(reader.lists),
            )
        )
    if reader.results:
        attached = sum(1 for number, _ in reader.results if number in reader.placed)
        pieces.append(
            Message(
                "%(attached)s of %(count)s expected results placed with the activity they name",
                attached=attached,
                count=len(reader.results),
            )
        )
    if reader.plan.budget:
        pieces.append(
            Message.plural(
                "a budget of %(count)s line",
                "a budget of %(count)s lines",
                len(reader.plan.budget),
                count=len(reader.plan.budget),
            )
        )
    return Message("read as %(pieces)s", pieces=tuple(pieces)) if pieces else None


def _mapping_pieces(reader: _Reader) -> list[Message]:
    """What the coordinator's mapping changed in the reading."""
    mapping, pieces = reader.mapping, []
    mapped = [(key, name) for key, name in mapping.mapped if name != IGNORE]
    if mapped:
        pairs = tuple(
            Message("%(label)s as %(field)s", label=key, field=FIELD_NAMES[name])
            for key, name in mapped
        )
        pieces.append(Message("the columns and labels mapped by hand (%(pairs)s)", pairs=pairs))
    if reader.ignored:
        pieces.append(Message("ignoring %(labels)s", labels=tuple(reader.ignored)))
    if mapping.theme_level is not None:
        level = level_name(mapping.theme_level)
        pieces.append(Message("the themes named by the %(level)s", level=level))
    return pieces
