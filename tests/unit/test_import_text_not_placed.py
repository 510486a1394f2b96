"""The older text layouts (tracker.importing.document_text) list what they skip as not placed,
with its line number: a stray paragraph between blocks, a stray line inside a block or among a
table's rows; what they read is read as before."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.dutch import dutch
from tracker.importing.document_text import read_document_text
from tracker.importing.draft import FoundPlan
from tracker.importing.files import read_plan_file
from tracker.importing.reading import NOT_PLACED

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
TWENTE = (PLANS / "000_7270eda182fee902.txt").read_text(encoding="utf-8")
IJSSEL_VECHT = (PLANS / "001_f9c4893a761be112.txt").read_text(encoding="utf-8")
PARAGRAPH = "Dit losse stuk tekst hoort bij geen enkele activiteit en mag niet verdwijnen."
STRAY = "Zie ook de bijlage"


def _with_line_after(text: str, anchor: str, added: str) -> tuple[str, int]:
    """The text with `added` as a line of its own after the line `anchor`; its line number."""
    lines = text.split("\n")
    index = lines.index(anchor) + 1
    return "\n".join([*lines[:index], added, *lines[index:]]), index + 1


def _unplaced(plan: FoundPlan) -> list[str]:
    return [dutch(w) for w in plan.warnings if w.message.text_id == NOT_PLACED]


def _themes(plan: FoundPlan) -> Counter[str]:
    return Counter(a.theme for a in plan.activities)


def test_a_stray_paragraph_between_blocks_and_a_line_inside_one_are_listed() -> None:
    # Between the first block and the navigation before the second; and inside the second
    # block, after its one-line Wanneer.
    text, paragraph = _with_line_after(TWENTE, "Wanneer\t4e kwartaal", f"\n{PARAGRAPH}\n")
    paragraph += 1  # after the empty line above it
    text, stray = _with_line_after(text, "Wanneer\tContinu", STRAY)
    plan, original = read_document_text(text), read_document_text(TWENTE)
    listed = _unplaced(plan)
    assert f"regel {paragraph}: niet geplaatst: {PARAGRAPH}" in listed
    assert f"regel {stray}: niet geplaatst: {STRAY}" in listed
    assert len(listed) == len(_unplaced(original)) + 2
    assert _themes(plan) == _themes(original)
    assert [a.title or a.heading for a in plan.activities] == [
        a.title or a.heading for a in original.activities
    ]


def test_a_stray_line_among_a_tables_rows_is_listed_and_the_table_goes_on() -> None:
    first_row = next(line for line in IJSSEL_VECHT.split("\n") if line.startswith("<p><b>Pilot"))
    text, stray = _with_line_after(IJSSEL_VECHT, first_row, STRAY)
    text, empty_wat = _with_line_after(text, STRAY, "\t<p>Werkgroep X</p>\t<p>2024</p>")
    plan = read_document_text(text)
    assert _unplaced(plan) == [
        "regel 22: niet geplaatst: Via de werkgroepen geven we uitvoering aan het beleid zoals "
        "dit door het NPPZ II is geformuleerd.",
        f"regel {stray}: niet geplaatst: {STRAY}",
        f"regel {empty_wat}: niet geplaatst: / Werkgroep X / 2024",
    ]
    assert _themes(plan) == _themes(read_document_text(IJSSEL_VECHT))
    assert len(plan.activities) == 9


def test_the_shared_plans_import_with_the_same_counts_and_list_their_stray_lines() -> None:
    for name, text, activities, listed in [
        ("000.txt", TWENTE, 40, 16),
        ("001.txt", IJSSEL_VECHT, 9, 1),
    ]:
        draft = read_plan_file(name, text.encode(), network_slug="t", network_name="T")
        assert len(draft.document.activities) == activities
        unplaced = [w for w in draft.warnings if w.message.text_id == NOT_PLACED]
        assert len(unplaced) == listed, name
        assert all(str(w.where).startswith("line ") for w in unplaced)
