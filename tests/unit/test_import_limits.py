"""The bounds of one import (tracker.importing.limits), format by format, in process.

Each bound refuses with one Dutch message (ImportFailed) and is checked while reading: the
activity cap stops at the first activity too many (what follows is never read), the time
budget is checked in the readers' loops (shown with a clock that runs fast), and so on. The
files shaped to exhaust a reader are in test_import_shapes.py.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from config import Config
from tests.dutch import refused_in_dutch
from tests.plan_files import a_docx, a_docx_table, an_xlsx, blocks
from tracker.importing import cleaning, document_text, parties, word
from tracker.importing.draft import Draft, FoundActivity, FoundPlan, ImportFailed, build_draft
from tracker.importing.files import read_plan_file
from tracker.importing.limits import ImportBudget, ImportLimits

Builder = Callable[[int], bytes]


def text_plan(count: int) -> bytes:
    return blocks(count).encode()


def table_plan(count: int) -> bytes:
    rows = "".join(f"<b>Activiteit {n}</b> uitleg\tPR\t2021\n" for n in range(count))
    return f"Jaarplan 2021\n\n### 1. Samen\n\nWat\tWie\tLooptijd\n{rows}".encode()


def docx_plan(count: int) -> bytes:
    return a_docx_table(count, "")


def xlsx_plan(count: int) -> bytes:
    return an_xlsx(count)


def yaml_plan(count: int, extra: str = "") -> bytes:
    activities = ", ".join(f"{{title: Activiteit {n}, wanneer: Q1 2021}}" for n in range(count))
    return (
        "format: jaarplan/1\nnetwork: {slug: t, name: T}\n"
        "plan: {slug: t-2021, year: 2021, title: Jaarplan 2021}\n"
        f"themes: [{{name: Coördinatie, activities: [{activities}{extra}]}}]\n"
    ).encode()


FORMATS: dict[str, Builder] = {
    "plan.txt": text_plan,
    "table.md": table_plan,
    "plan.docx": docx_plan,
    "plan.xlsx": xlsx_plan,
    "plan.yaml": yaml_plan,
}


def read(name: str, data: bytes, **options: Any) -> Draft:
    return read_plan_file(name, data, network_slug="t", network_name="T", year=2021, **options)


# --- activities -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_a_plan_at_the_activity_cap_is_read_and_one_more_is_refused(name: str) -> None:
    build = FORMATS[name]
    assert len(read(name, build(3), limits=ImportLimits(max_activities=3)).document.activities) == 3
    with refused_in_dutch(ImportFailed, "het plan bevat meer dan 3 activiteiten"):
        read(name, build(4), limits=ImportLimits(max_activities=3))


def test_the_default_cap_is_2000_activities() -> None:
    assert len(read("plan.txt", text_plan(2000)).document.activities) == 2000
    with refused_in_dutch(ImportFailed, "meer dan 2.000 activiteiten"):
        read("plan.txt", text_plan(2001))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # what follows the activity too many would be refused for its own reason if it were read
        pytest.param("plan.txt", text_plan(5) + b"\n" + b"x" * 200_000 + b"\n", id="text"),
        pytest.param(
            "plan.yaml", yaml_plan(4, ", {title: Later, workgroups: [Onbekend]}"), id="yaml"
        ),
        pytest.param("plan.xlsx", an_xlsx(4, after="zonder thema"), id="xlsx"),
    ],
)
def test_reading_stops_at_the_first_activity_over_the_cap(name: str, data: bytes) -> None:
    with refused_in_dutch(ImportFailed, "meer dan 3 activiteiten"):
        read(name, data, limits=ImportLimits(max_activities=3))


# --- time -------------------------------------------------------------------------------------


class FastClock:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0
        self.reads = 0

    def __call__(self) -> float:
        self.now += 1
        self.reads += 1
        return self.now


@pytest.mark.parametrize("name", FORMATS)
def test_a_reader_that_runs_past_the_time_budget_is_stopped(name: str) -> None:
    data = FORMATS[name](50)
    clock = FastClock()
    with refused_in_dutch(ImportFailed, "duurde te lang \\(meer dan 10 seconden\\)"):
        read(name, data, clock=clock)
    assert clock.reads == 12  # the start, ten checks within the budget, the one past it
    assert len(read(name, data, clock=lambda: 0.0).document.activities) == 50  # time stood still


# --- size -------------------------------------------------------------------------------------


LONG = "x" * 100_001


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        pytest.param("plan.txt", f"Jaarplan 2021\n{LONG}\n".encode(), "regel 2", id="text-line"),
        pytest.param(
            "plan.yaml", yaml_plan(1, f", {{title: '{LONG}'}}"), "regel 4", id="yaml-value"
        ),
        pytest.param("plan.xlsx", an_xlsx(1, after=LONG), "blad 'Activiteiten'", id="xlsx-cell"),
        pytest.param("plan.docx", a_docx(f"<w:p><w:r><w:t>{LONG}</w:t></w:r></w:p>"), "regel",
                     id="docx-paragraph"),
    ],
)  # fmt: skip
def test_a_text_longer_than_100000_characters_is_refused(
    name: str, data: bytes, where: str
) -> None:
    with refused_in_dutch(ImportFailed, f"{where}.*de tekst is te lang \\(100.001 tekens"):
        read(name, data)


def test_a_found_field_longer_than_the_limit_is_refused() -> None:
    """Lines are bounded, and so are the fields several lines make up."""
    found = FoundPlan([FoundActivity("Thema", "Kop", wie="PR\n" * 40_000)], year=2021)
    with refused_in_dutch(ImportFailed, "activiteit 1, 'Wie': de tekst is te lang"):
        build_draft(found, network_slug="t", network_name="T")


def a_zip(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(count):
            archive.writestr(f"part{number}.xml", "")
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["plan.docx", "plan.xlsx"])
def test_an_archive_of_more_than_1000_members_is_refused(name: str) -> None:
    with refused_in_dutch(ImportFailed, "te veel onderdelen \\(1.001; maximaal 1.000\\)"):
        read(name, a_zip(1001))


@pytest.mark.parametrize("name", ["plan.docx", "plan.xlsx"])
def test_an_archive_that_unpacks_larger_than_the_limit_is_refused(name: str) -> None:
    data = FORMATS[name](5)
    with refused_in_dutch(ImportFailed, "uitgepakt te groot .*maximaal 0 MB"):
        read(name, data, limits=ImportLimits(max_unpacked_bytes=1000))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        pytest.param("plan.docx", a_docx("<w:p/>" * 101_000), id="docx"),
        pytest.param("plan.xlsx", an_xlsx(3000), id="xlsx"),
    ],
)
def test_an_archive_with_more_xml_elements_than_its_activities_need_is_refused(
    name: str, data: bytes
) -> None:
    """100,000 for the package (styles and the like) and 500 per allowed activity."""
    with refused_in_dutch(ImportFailed, "te veel opmaak \\(meer dan 100.500 XML-elementen\\)"):
        read(name, data, limits=ImportLimits(max_activities=1))


# --- YAML aliases ---------------------------------------------------------------------------


def test_a_few_yaml_aliases_are_allowed() -> None:
    data = (
        b"format: jaarplan/1\nnetwork: {slug: t, name: T}\n"
        b"plan: {slug: t-2021, year: 2021, title: Jaarplan 2021}\n"
        b"workgroups: [{name: PR}]\n"
        b"themes: [{name: A, activities: [{title: X, workgroups: &pr [PR]}, "
        b"{title: Y, workgroups: *pr}]}]\n"
    )
    assert [a.workgroups for a in read("plan.yaml", data).document.activities] == [("PR",)] * 2


def test_yaml_aliases_are_counted_as_all_they_repeat() -> None:
    """About 75 values are written, 157 with what the two aliases repeat; 100 are allowed."""
    data = yaml_plan(1) + b"x: &x [" + b", ".join([b"a"] * 40) + b"]\ny: [*x, *x]\n"
    with refused_in_dutch(ImportFailed, "meer dan 100 waarden"):
        read("plan.yaml", data, limits=ImportLimits(max_activities=1))
    assert read(
        "plan.yaml", data.replace(b"*x, *x", b"b, c"), limits=ImportLimits(max_activities=1)
    )


def test_a_yaml_alias_inside_what_it_names_is_refused() -> None:
    data = yaml_plan(1).replace(b"themes: [", b"themes: &t [{name: B, activities: *t}, ")
    with refused_in_dutch(ImportFailed, "de YAML-alias \\*t verwijst naar zichzelf"):
        read("plan.yaml", data)


def test_what_the_tracker_writes_itself_is_read_without_limits() -> None:
    """A stored draft was bounded when it was uploaded; the app's limits may be raised."""
    from tracker.importing.review import deserialise, serialise

    draft = read("plan.txt", text_plan(2500), limits=ImportLimits(max_activities=2500))
    assert deserialise(*serialise(draft)).document == draft.document  # 2,500 > the default cap


# --- configuration ----------------------------------------------------------------------------


def test_the_limits_come_from_the_configuration() -> None:
    assert ImportLimits.from_config({}) == ImportLimits()
    assert ImportLimits.from_config(vars(Config)) == ImportLimits()
    settings = {"IMPORT_MAX_ACTIVITIES": "10", "IMPORT_TIME_BUDGET": "2.5", "IMPORT_MAX_BYTES": 9,
                "IMPORT_MAX_UNPACKED_BYTES": 99}  # fmt: skip
    expected = ImportLimits(max_bytes=9, max_unpacked_bytes=99, max_activities=10, time_budget=2.5)
    assert ImportLimits.from_config(settings) == expected


def test_a_budget_refuses_in_plain_dutch() -> None:
    budget = ImportBudget(ImportLimits(time_budget=1), clock=FastClock())
    budget.tick()
    with refused_in_dutch(ImportFailed, "meer dan 1 seconde\\)"):
        budget.tick()


# --- the linear rewrites read as before ---------------------------------------------------------

UNIQUE = [
    (["Kop", "Kop (2)", "Kop", "Kop"], ["Kop", "Kop (2)", "Kop (3)", "Kop (4)"]),
    (["Kop", "Kop", "Kop (2)", "Kop"], ["Kop", "Kop (2)", "Kop (2) (2)", "Kop (3)"]),
    (["Kop (3)", "Kop", "Kop", "Kop", "Kop"], ["Kop (3)", "Kop", "Kop (2)", "Kop (4)", "Kop (5)"]),
]


@pytest.mark.parametrize(("headings", "titles"), UNIQUE)
def test_titles_are_numbered_past_the_ones_already_taken(
    headings: list[str], titles: list[str]
) -> None:
    found = FoundPlan([FoundActivity("A", h, wie="PR", wanneer="Q1") for h in headings], year=2021)
    draft = build_draft(found, network_slug="t", network_name="T")
    assert [a.title for a in draft.document.activities] == titles


OLD_LIST_SEPARATORS = re.compile(r"\s*(?:,|;|\n|\s+\+\s+)\s*")
OLD_AND = re.compile(r"(\s+en\s+|\s+&\s+(?=[a-z]))")
OLD_PARENTHESES = re.compile(r"\([^)]*\)")
OLD_BOLD = re.compile(r"<b>(.*?)</b>", re.IGNORECASE | re.DOTALL)
OLD_NUMBERED_VARIANT = re.compile(r"\s*(?:⁽[⁰¹²³⁴⁵⁶⁷⁸⁹]+⁾|\(\d{1,2}\))\s*$")
PIECES = [" ", "  ", "\u2003", "\n", "\t", ",", ";", "+", " + ", "en", " en ", "&", " & ", "a",
          "Werkgroep", "(", ")", "(2)", "⁽²⁾", "<b>", "</b>", "</B>", "x", "."]  # fmt: skip
TEXT = st.lists(st.sampled_from(PIECES), max_size=20).map("".join)


@settings(max_examples=500, deadline=None, database=None)
@given(TEXT)
def test_the_linear_patterns_split_and_strip_as_the_quadratic_ones_did(text: str) -> None:
    assert parties._LIST_SEPARATORS.split(text) == OLD_LIST_SEPARATORS.split(text)
    assert parties._AND.split(text) == OLD_AND.split(text)
    assert parties._without_parentheses(text) == OLD_PARENTHESES.sub(" ", text)
    assert document_text._split_bold(text) == OLD_BOLD.split(text)
    assert cleaning._NUMBERED_VARIANT.sub("", text) == OLD_NUMBERED_VARIANT.sub("", text)


def a_merged_table() -> bytes:
    """Spans, vertical merges and a row that starts a column late, as Word writes them."""

    def cell(text: str, properties: str = "") -> str:
        return f"<w:tc><w:tcPr>{properties}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    rows = [
        cell("Wat") + cell("Wie") + cell("Looptijd") + cell("Extra"),
        cell("A") + cell("PR", '<w:vMerge w:val="restart"/>') + cell("2021") + cell("e"),
        cell("B") + cell("", "<w:vMerge/>") + cell("Q2", '<w:gridSpan w:val="2"/>'),
        cell("C", '<w:gridSpan w:val="2"/>') + cell("Q3") + cell("f"),
        '<w:trPr><w:gridBefore w:val="1"/></w:trPr>' + cell("D") + cell("Q4"),
        cell("E", '<w:gridSpan w:val="9"/>'),
    ]
    return a_docx(
        "<w:tbl><w:tblGrid>" + "<w:gridCol/>" * 4 + "</w:tblGrid>"
        + "".join(f"<w:tr>{row}</w:tr>" for row in rows) + "</w:tbl>"
    )  # fmt: skip


def test_table_cells_are_the_ones_python_docx_gives_for_the_first_columns() -> None:
    table = Document(io.BytesIO(a_merged_table())).tables[0]
    ours = [[c.text for c, _ in row] for row in word._rows(table, ImportBudget())]
    theirs = [[c.text for c in row.cells][: word.MAX_COLUMNS] for row in table.rows]
    assert ours == theirs
    assert ours[2] == ["B", "PR", "Q2"]  # the merged cell reads as the one it continues


def test_yaml_loading_is_the_safe_loaders() -> None:
    """The bounded loader builds what yaml.safe_load builds (and no Python objects)."""
    source = yaml_plan(3).decode()
    from tracker.planfile import _BoundedLoader

    loader = _BoundedLoader(source, ImportBudget())
    try:
        assert loader.get_single_data() == yaml.safe_load(source)
    finally:
        loader.dispose()
    with refused_in_dutch(ImportFailed, "geen geldige YAML|could not determine"):
        read("plan.yaml", b"format: !!python/object:os.system {}\n")
