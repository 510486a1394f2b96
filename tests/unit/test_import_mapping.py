"""The reader with a coordinator's mapping: columns and labels the lexicon does not know read
as fields, the heading level naming themes, and the structure kept with a draft."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dutch import refused_in_dutch
from tests.plan_files import UNRECOGNISED_PLAN, an_unrecognised_docx
from tests.unit.test_import_pdf import pdf
from tracker.domain.message import Message
from tracker.importing.files import read_mapped, read_plan_file
from tracker.importing.labels import document_labels
from tracker.importing.limits import ImportBudget
from tracker.importing.mapping import (
    BadMapping,
    Mapping,
    check_mapping,
    dump_structure,
    heading_levels,
    load_structure,
)
from tracker.importing.reading import NOT_PLACED, read_parts
from tracker.importing.structure import text_parts
from tracker.texts import translate

TABLES = """Jaarplan 2025

# Thema Scholing

## Uitvoering

Onderdeel\tOmschrijving\tKlaar in\tDoor
Cursus pijn\tTwee avonden voor verpleging\t2e kwartaal 2025\tWerkgroep Scholing
Website\tNieuwe teksten\tnajaar 2025\tNetwerkcoördinator

# Thema Zorgpad

## Uitvoering

Onderdeel\tOmschrijving\tKlaar in\tDoor
Zorgpad evalueren\tMet de huisartsen\t4e kwartaal 2025\tKerngroep
"""
MAPPED = {"Onderdeel": "title", "Omschrijving": "actions", "Klaar in": "wanneer", "Door": "wie"}

LABEL_BLOCKS = """Jaarplan 2025

# Thema Bewustwording

## Publiekscampagne

Omschrijving\tEen campagne in de regio
Klaar in\tnajaar 2025
Door\tWerkgroep PR

## Lezing

Omschrijving\tEen lezing voor mantelzorgers
Klaar in\tmaart 2025
Door\tWerkgroep PR
"""


def parts_of(text: str) -> list:  # type: ignore[type-arg]
    return text_parts(text, ImportBudget())


def rows(text: str, mapping: Mapping | None = None) -> list[tuple[str, str, str, str, str]]:
    found = read_parts(parts_of(text), ImportBudget(), mapping)
    return [(a.theme, a.title, a.actions, a.wie, a.wanneer) for a in found.activities]


def test_a_table_whose_columns_the_lexicon_does_not_know_is_read_with_a_mapping() -> None:
    assert rows(TABLES) == []
    mapping = Mapping.of(MAPPED, theme_level=1)
    assert rows(TABLES, mapping) == [
        ("Scholing", "Cursus pijn", "Twee avonden voor verpleging", "Werkgroep Scholing",
         "2e kwartaal 2025"),
        ("Scholing", "Website", "Nieuwe teksten", "Netwerkcoördinator", "najaar 2025"),
        ("Zorgpad", "Zorgpad evalueren", "Met de huisartsen", "Kerngroep", "4e kwartaal 2025"),
    ]  # fmt: skip


def test_without_a_mapping_the_unread_rows_are_listed_as_not_placed() -> None:
    found = read_parts(parts_of(TABLES), ImportBudget())
    unplaced = [str(w.message) for w in found.warnings if w.message.text_id == NOT_PLACED]
    assert "not placed: Cursus pijn | Twee avonden voor verpleging | 2e kwartaal 2025 | " \
        "Werkgroep Scholing" in unplaced  # fmt: skip


@pytest.mark.parametrize(
    ("level", "themes"),
    [(None, ["Uitvoering"] * 3), (2, ["Uitvoering"] * 3), (1, ["Scholing", "Scholing", "Zorgpad"])],
)
def test_the_theme_level_says_which_headings_name_the_themes(
    level: int | None, themes: list[str]
) -> None:
    assert [row[0] for row in rows(TABLES, Mapping.of(MAPPED, level))] == themes


def test_a_label_block_is_read_with_a_mapping_under_its_theme() -> None:
    assert rows(LABEL_BLOCKS) == []
    mapping = Mapping.of({"Omschrijving": "objectives", "Klaar in": "wanneer", "Door": "wie"})
    found = read_parts(parts_of(LABEL_BLOCKS), ImportBudget(), mapping)
    assert [(a.theme, a.title, a.objectives, a.wie, a.wanneer) for a in found.activities] == [
        ("Bewustwording", "Publiekscampagne", "Een campagne in de regio", "Werkgroep PR",
         "najaar 2025"),
        ("Bewustwording", "Lezing", "Een lezing voor mantelzorgers", "Werkgroep PR", "maart 2025"),
    ]  # fmt: skip


def test_an_ignored_column_is_left_out_and_said_so_an_unmapped_one_is_listed() -> None:
    ignoring = Mapping.of(dict(MAPPED, Door="ignore"), 1)
    found = read_parts(parts_of(TABLES), ImportBudget(), ignoring)
    assert [a.wie for a in found.activities] == ["", "", ""]
    assert not [w for w in found.warnings if w.message.text_id == NOT_PLACED]
    assert "ignoring Door" in str(found.reading)
    unmapped = Mapping.of(dict(MAPPED, Door=""), 1)
    found = read_parts(parts_of(TABLES), ImportBudget(), unmapped)
    unplaced = [str(w.message) for w in found.warnings if w.message.text_id == NOT_PLACED]
    assert unplaced == [
        "not placed: Door: Werkgroep Scholing",
        "not placed: Door: Netwerkcoördinator",
        "not placed: Door: Kerngroep",
    ]


def test_the_explanation_says_what_was_mapped_in_dutch() -> None:
    found = read_parts(parts_of(TABLES), ImportBudget(), Mapping.of(MAPPED, 1))
    assert found.reading is not None
    assert translate(found.reading, "nl") == (
        "gelezen als 2 tabellen met de kolommen Onderdeel, Omschrijving, Klaar in, Door onder "
        "de kopjes Uitvoering, de zelf gekoppelde kolommen en labels (door als Wie, klaar in "
        "als Wanneer, omschrijving als Acties, onderdeel als Titel), de thema's genoemd door "
        "de kopjes van niveau 1"
    )


def test_the_mapping_overrides_the_lexicon() -> None:
    mapping = Mapping.of({"Wie": "", "Wat": "title"})
    assert (mapping.field_of("Wie?"), mapping.field_of("Wat"), mapping.field_of("Looptijd")) == (
        None,
        "title",
        "wanneer",
    )


def test_the_labels_and_heading_levels_offered_for_mapping() -> None:
    parts = parts_of(TABLES + "\n" + LABEL_BLOCKS.split("\n", 1)[1])
    labels = document_labels(parts)
    assert [(label.text, label.example) for label in labels] == [
        ("Onderdeel", "Cursus pijn"),
        ("Omschrijving", "Twee avonden voor verpleging"),
        ("Klaar in", "2e kwartaal 2025"),
        ("Door", "Werkgroep Scholing"),
    ]  # the label blocks' labels are the same keys as the columns
    assert heading_levels(parts) == [(1, "Thema Scholing"), (2, "Uitvoering"), (9, "Jaarplan 2025")]


def test_a_known_header_row_is_offered_with_its_unknown_columns() -> None:
    parts = parts_of("Jaarplan 2025\n\nWat\tWie\tOpmerking\nCursus\tPR\tklein\n")
    assert [label.text for label in document_labels(parts)] == ["Wat", "Wie", "Opmerking"]
    parts = parts_of("Jaarplan 2025\n\nOpmerking\tklein\nWie\tPR\n")  # labels beside values
    assert [label.text for label in document_labels(parts)] == ["Opmerking", "Wie"]


def test_the_structure_and_mapping_survive_storing() -> None:
    parts = parts_of(TABLES + "\n1. Genummerd kopje\n\n• een punt\n")
    docx = read_plan_file("plan.docx", an_unrecognised_docx(), network_slug="n", network_name="N")
    merged = [p for p in docx.structure if p.rows]
    mapping = Mapping.of(MAPPED, 2)
    for structure in (parts, list(docx.structure)):
        text = dump_structure(structure, mapping)
        assert load_structure(text) == (structure, mapping)
    assert any(part.numbered for part in parts) and merged
    assert isinstance(load_structure(dump_structure(parts, mapping))[0][0].where, Message)
    assert load_structure("") == ([], Mapping())


def test_a_draft_read_again_with_a_mapping_keeps_its_structure() -> None:
    draft = read_plan_file("plan.txt", TABLES.encode(), network_slug="n", network_name="N")
    assert draft.document.activities == () and draft.structure
    mapped = read_mapped(
        "plan.txt", draft.structure, Mapping.of(MAPPED, 1),
        network_slug="n", network_name="N", year=draft.document.year,
    )  # fmt: skip
    assert [a.title for a in mapped.document.activities] == [
        "Cursus pijn",
        "Website",
        "Zorgpad evalueren",
    ]
    assert mapped.structure == draft.structure


@pytest.mark.parametrize(
    ("submitted", "level", "pattern"),
    [
        ([("onderdeel", "kleur")], "", "onbekend veld 'kleur'"),
        ([("onderdeel", "title"), ("door", "wie")], "", "het formulier past niet bij dit concept"),
        ([("onderdeel", "title")], "3", "het document heeft geen kopjes van niveau 3"),
        ([("onderdeel", "title")], "x", "het document heeft geen kopjes van niveau x"),
    ],
)
def test_a_mapping_that_does_not_fit_the_document_is_refused(
    submitted: list[tuple[str, str]], level: str, pattern: str
) -> None:
    parts = parts_of("# Thema\n\nOnderdeel\tUitleg\n")  # two columns: labels beside values
    labels = document_labels(parts)
    assert [label.key for label in labels] == ["onderdeel"]
    with refused_in_dutch(BadMapping, pattern):
        check_mapping(labels, submitted, level, parts)


def test_a_fitting_mapping_is_accepted() -> None:
    parts = parts_of("# Thema\n\nOnderdeel\tTekst\tDoor\n")
    labels = document_labels(parts)
    submitted = [("onderdeel", "title"), ("tekst", "actions"), ("door", "ignore")]
    chosen = check_mapping(labels, submitted, "1", parts)
    assert chosen == Mapping((("door", "ignore"), ("onderdeel", "title"), ("tekst", "actions")), 1)


def test_the_structure_is_kept_only_where_the_structure_reading_was_kept() -> None:
    plans = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
    known = read_plan_file(
        "000.txt", (plans / "000_7270eda182fee902.txt").read_bytes(),
        network_slug="n", network_name="N",
    )  # fmt: skip
    assert len(known.document.activities) == 40 and known.structure == ()  # the known layouts
    twente = read_plan_file(
        "003.txt", (plans / "003_a9d3cd190e6c3858.txt").read_bytes(),
        network_slug="n", network_name="N",
    )  # fmt: skip
    assert len(twente.document.activities) == 12 and twente.structure  # the structure reader


def test_a_pdf_table_of_unknown_columns_is_kept_for_the_mapping_and_read_with_it() -> None:
    rows = "".join(
        f"<tr><td>{title}</td><td>{text}</td><td>{wanneer}</td><td>{wie}</td></tr>"
        for title, text, wanneer, wie in UNRECOGNISED_PLAN["Scholing"]
    )
    header = "".join(f"<th>{name}</th>" for name in MAPPED)
    data = pdf(
        f"<h1>Jaarplan 2025</h1><h2>Scholing</h2><table><thead><tr>{header}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    draft = read_plan_file("plan.pdf", data, network_slug="n", network_name="N")
    assert draft.document.activities == ()
    assert [label.text for label in document_labels(draft.structure)] == list(MAPPED)
    mapped = read_mapped(
        "plan.pdf", draft.structure, Mapping.of(MAPPED),
        network_slug="n", network_name="N", year=draft.document.year,
    )  # fmt: skip
    assert [(a.theme, a.title, a.wie, a.wanneer) for a in mapped.document.activities] == [
        ("Scholing", title, wie, wanneer)
        for title, _, wanneer, wie in UNRECOGNISED_PLAN["Scholing"]
    ]


def test_label_lines_of_a_web_page_whose_labels_are_unknown_are_offered_and_read_mapped() -> None:
    text = (
        "Jaarplan 2025\n\nThema Scholing\n\nCursus pijn\nUitleg: twee avonden\nKlaar in: najaar\n"
        "Door: Werkgroep Scholing\n\nIntervisie\nUitleg: vier keer\nKlaar in: Continu\n"
        "Door: Netwerkcoördinator\n"
    )
    draft = read_plan_file("plan.txt", text.encode(), network_slug="t", network_name="T")
    assert draft.document.activities == ()
    parts = list(draft.structure)
    assert {"Uitleg", "Klaar in", "Door"} <= {label.text for label in document_labels(parts)}
    mapping = Mapping.of({"Uitleg": "actions", "Klaar in": "wanneer", "Door": "wie"})
    mapped = read_mapped("plan.txt", parts, mapping, network_slug="t", network_name="T", year=2025)
    assert [(a.theme, a.title, a.wie, a.wanneer) for a in mapped.document.activities] == [
        ("Scholing", "Cursus pijn", "Werkgroep Scholing", "najaar"),
        ("Scholing", "Intervisie", "Netwerkcoördinator", "Continu"),
    ]
