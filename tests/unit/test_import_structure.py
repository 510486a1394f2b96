"""The structure reader on layouts the importer was not written for: Word tables with their
own columns in any order, repeated header rows, merged cells and page numbers; label tables
with synonyms; bullet lists under numbered headings. Every document is made here with
python-docx, so each test shows the layout it reads."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document

from tests.dutch import dutch
from tracker.domain.timing import TimingKind, parse_timing
from tracker.importing.draft import Draft
from tracker.importing.files import read_plan_file
from tracker.importing.lexicon import field_of
from tracker.importing.limits import ImportBudget
from tracker.importing.parties import KnownGroup
from tracker.importing.reading import read_parts
from tracker.importing.structure import text_parts


def docx(build: Any) -> bytes:
    document = Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def table(document: Any, rows: list[list[str]]) -> Any:
    made = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, cells in zip(made.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            lines = text.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    return made


def read(data: bytes, name: str = "plan.docx", **options: Any) -> Draft:
    options.setdefault("year", 2023)
    return read_plan_file(name, data, network_slug="twente", network_name="Twente", **options)


def said(draft: Draft) -> list[str]:
    return [dutch(w.message) for w in draft.warnings]


def not_placed(draft: Draft) -> list[str]:
    return [
        f"{dutch(w.where)}: {dutch(w.message)}"
        for w in draft.warnings
        if w.message.text_id.startswith("not placed")
    ]


def reading(draft: Draft) -> str:
    return dutch(draft.reading)


# --- the lexicon --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Doel", "objectives"),
        ("Doelstelling(en)", "objectives"),
        ("DOELSTELLINGEN:", "objectives"),
        ("Wat", "objectives"),
        ("Actie(s)", "actions"),
        ("Activiteiten", "actions"),
        ("Uitwerking", "actions"),
        ("Aanpak", "actions"),
        ("Acties en resultaten", "actions"),
        ("Resultaat", "results"),
        ("Beoogd resultaat", "results"),
        ("Resultaten", "results"),
        ("Te verwachten resultaten in 2023", "results"),
        ("Wie?", "wie"),
        ("Trekker", "wie"),
        ("Verantwoordelijk", "wie"),
        ("Verantwoordelijke", "wie"),
        ("Eigenaar", "wie"),
        ("Uitvoering", "wie"),
        ("Wanneer", "wanneer"),
        ("Looptijd", "wanneer"),
        ("Planning", "wanneer"),
        ("Termijn", "wanneer"),
        ("Tijdpad", "wanneer"),
        ("Periode", "wanneer"),
        ("Deadline", "wanneer"),
        ("Budget", "budget"),
        ("Kosten", "budget"),
        ("Opmerkingen", None),
        ("Wat we doen met de opmerkingen van de werkgroep", None),
        ("", None),
    ],
)
def test_the_lexicon_names_the_field_of_a_label_whatever_its_case_accents_plural_or_marks(
    label: str, field: str | None
) -> None:
    assert field_of(label) == field


# --- Word tables with a header row --------------------------------------------------------------

TWENTE_LIKE = [
    ["Doelstelling", "Uitwerking", "Wie", "Wanneer"],
    [
        "Meer PaTz-groepen in de regio. Bestaande groepen borgen.",
        "Kaderartsen werven.",
        "Werkgroep PaTz",
        "1e kwartaal 2023",
    ],
    [
        "Zelfevaluatie bij twee organisaties",
        "Organisaties benaderen\nUitvoeren en terugkoppelen",
        "Netwerkcoördinator",
        "april en november",
    ],
]


def a_plan_with_own_tables(document: Any) -> None:
    document.add_heading("Jaarplan 2023", level=0)
    document.add_heading("Bewustwording", level=1)
    table(document, TWENTE_LIKE)
    document.add_heading("Samenwerking", level=1)
    table(
        document,
        [
            TWENTE_LIKE[0],
            ["Afspraken met gemeenten vastleggen", "Overleg plannen", "Werkgroep PaTz", "2023"],
        ],
    )


def test_a_table_of_own_columns_gives_one_activity_per_row_with_wie_and_wanneer() -> None:
    draft = read(docx(a_plan_with_own_tables), known=[KnownGroup("Werkgroep PaTz")])
    activities = draft.document.activities
    assert [(a.theme, a.title) for a in activities] == [
        ("Bewustwording", "Meer PaTz-groepen in de regio"),
        ("Bewustwording", "Zelfevaluatie bij twee organisaties"),
        ("Samenwerking", "Afspraken met gemeenten vastleggen"),
    ]
    first, second, _ = activities
    assert (first.objectives, first.actions, first.wie, first.wanneer) == (
        "Meer PaTz-groepen in de regio. Bestaande groepen borgen.",
        "Kaderartsen werven.",
        "Werkgroep PaTz",
        "1e kwartaal 2023",
    )
    assert first.workgroups == ("Werkgroep PaTz",)
    assert second.actions == "Organisaties benaderen\nUitvoeren en terugkoppelen"
    assert (second.wie, second.wanneer) == ("Netwerkcoördinator", "april en november")
    assert parse_timing(first.wanneer, 2023).kind is TimingKind.PERIOD
    assert (
        first.source == "plan.docx › Bewustwording › Meer PaTz-groepen in de regio, tabel 1, rij 2"
    )
    assert reading(draft) == (
        "gelezen als 2 tabellen met de kolommen Doelstelling, Uitwerking, Wie, Wanneer onder de "
        "kopjes Bewustwording, Samenwerking"
    )


def test_columns_in_another_order_and_with_other_names_are_read_by_the_lexicon() -> None:
    def build(document: Any) -> None:
        document.add_heading("Deskundigheid", level=2)
        table(
            document,
            [
                ["Wanneer", "Trekker", "Activiteit", "Beoogd resultaat"],
                [
                    "Voorjaar",
                    "Werkgroep Scholing",
                    "Symposium organiseren",
                    "Minimaal 100 deelnemers",
                ],
            ],
        )

    [activity] = read(docx(build), known=[KnownGroup("Werkgroep Scholing")]).document.activities
    assert (activity.theme, activity.title, activity.wanneer, activity.workgroups) == (
        "Deskundigheid",
        "Symposium organiseren",
        "Voorjaar",
        ("Werkgroep Scholing",),
    )
    assert activity.actions == "Symposium organiseren\nMinimaal 100 deelnemers"
    assert [(t.comparator.value, t.value, t.unit) for t in activity.targets] == [
        (">=", 100, "deelnemers")
    ]


def test_an_unknown_column_is_listed_as_not_placed_with_its_row_and_the_rest_is_read() -> None:
    def build(document: Any) -> None:
        document.add_heading("Informeren", level=1)
        table(
            document,
            [
                ["Doel", "Opmerkingen", "Wie", "Wanneer"],
                ["Website actueel houden", "Na de zomer evalueren", "Secretariaat", "Continu"],
            ],
        )

    draft = read(docx(build))
    [activity] = draft.document.activities
    assert (activity.title, activity.wie, activity.wanneer) == (
        "Website actueel houden",
        "Secretariaat",
        "Continu",
    )
    assert not_placed(draft) == [
        "tabel 1, rij 2: niet geplaatst: Opmerkingen: Na de zomer evalueren"
    ]


def test_a_header_row_repeated_after_a_page_break_and_page_numbers_in_a_row_are_skipped() -> None:
    def build(document: Any) -> None:
        document.add_heading("Coördinatie", level=1)
        table(
            document,
            [
                ["Doelstelling", "Actie", "Wie", "Wanneer"],
                ["Bestuur informeren", "Verslag schrijven", "Coördinator", "4e kwartaal"],
                ["", "", "", "12"],
                ["Doelstelling", "Actie", "Wie", "Wanneer"],
                [
                    "Jaarplan 2024 opstellen\nPagina 3 van 8",
                    "Concept bespreken",
                    "Coördinator",
                    "September",
                ],
            ],
        )

    draft = read(docx(build))
    assert [(a.title, a.objectives, a.wanneer) for a in draft.document.activities] == [
        ("Bestuur informeren", "Bestuur informeren", "4e kwartaal"),
        ("Jaarplan 2024 opstellen", "Jaarplan 2024 opstellen", "September"),
    ]
    assert not_placed(draft) == []


def test_merged_cells_an_objective_over_two_rows_and_a_theme_row_across_the_table() -> None:
    def build(document: Any) -> None:
        made = table(
            document,
            [
                ["Doelstelling", "Actie", "Wie", "Wanneer"],
                ["Thema Samenwerking", "", "", ""],
                [
                    "Transmurale afspraken maken",
                    "Overleg ziekenhuizen",
                    "Werkgroep Transmuraal",
                    "Q1",
                ],
                ["", "Afspraken vastleggen", "Werkgroep Transmuraal", "Q3"],
                ["", "", "Secretariaat", ""],
            ],
        )
        made.cell(1, 0).merge(made.cell(1, 3))
        made.cell(2, 0).merge(made.cell(3, 0))

    activities = read(docx(build)).document.activities
    assert [(a.theme, a.title, a.actions, a.wie, a.wanneer) for a in activities] == [
        (
            "Samenwerking",
            "Transmurale afspraken maken",
            "Overleg ziekenhuizen",
            "Werkgroep Transmuraal",
            "Q1",
        ),
        (
            "Samenwerking",
            "Transmurale afspraken maken: Afspraken vastleggen",  # its own action, not "(2)"
            "Afspraken vastleggen",
            "Werkgroep Transmuraal\nSecretariaat",
            "Q3",
        ),
    ]


def test_a_label_table_with_synonyms_gives_one_activity_under_its_heading() -> None:
    def build(document: Any) -> None:
        document.add_heading("Faciliteren", level=1)
        document.add_heading("PaTz-groepen borgen", level=2)
        table(
            document,
            [
                ["Doel", "Alle groepen blijven bestaan."],
                ["Aanpak", "Twee keer per jaar bezoeken."],
                ["Trekker", "Werkgroep PaTz"],
                ["Termijn", "2023"],
            ],
        )

    draft = read(docx(build))
    [activity] = draft.document.activities
    assert (activity.theme, activity.title, activity.objectives, activity.actions) == (
        "Faciliteren",
        "PaTz-groepen borgen",
        "Alle groepen blijven bestaan.",
        "Twee keer per jaar bezoeken.",
    )
    assert (activity.wie, activity.wanneer) == ("Werkgroep PaTz", "2023")


def test_bullets_under_numbered_headings_are_activities_and_omitted_fields_assumed() -> None:
    def build(document: Any) -> None:
        document.add_paragraph("Jaarplan 2023", style="Title")
        document.add_paragraph("Inleiding zonder activiteiten, die niet geplaatst wordt.")
        for heading, items in (
            ("1. Bewustwording", ["Markering", "Zelfevaluatie"]),
            ("2. Samenwerking", ["Met de patiënt", "Formele zorg"]),
        ):
            document.add_paragraph(heading)
            for item in items:
                document.add_paragraph(item, style="List Bullet")

    draft = read(docx(build), year=None)
    activities = draft.document.activities
    assert [(a.theme, a.title) for a in activities] == [
        ("Bewustwording", "Markering"),
        ("Bewustwording", "Zelfevaluatie"),
        ("Samenwerking", "Met de patiënt"),
        ("Samenwerking", "Formele zorg"),
    ]
    assert {(a.wie, a.wanneer, a.workgroups) for a in activities} == {("Twente", "2023", ())}
    assert said(draft).count("het plan noemt geen 'Wanneer': het planjaar 2023 is aangenomen") == 4
    assert said(draft).count("het plan noemt geen 'Wie': het netwerk is aangenomen") == 4
    assert not_placed(draft) == [
        "alinea 2: niet geplaatst: Inleiding zonder activiteiten, die niet geplaatst wordt."
    ]


def test_a_text_with_a_tab_separated_table_of_its_own_columns_is_read() -> None:
    text = (
        "Jaarplan 2023\n\n1. Bewustwording\n\nDoel\tAanpak\tEigenaar\tPlanning\n"
        "Scholing geven\tTwee bijeenkomsten\tWerkgroep Scholing\tnajaar\n"
    )
    [activity] = read(text.encode(), name="plan.txt").document.activities
    assert (activity.theme, activity.title, activity.wie, activity.wanneer) == (
        "Bewustwording",
        "Scholing geven",
        "Werkgroep Scholing",
        "najaar",
    )
    assert activity.source == "plan.txt › Bewustwording › Scholing geven, regel 6"


def test_a_kosten_column_becomes_the_plan_budget_and_an_unreadable_amount_is_listed() -> None:
    def build(document: Any) -> None:
        document.add_heading("Deskundigheid", level=1)
        table(document, [["Activiteit", "Wie", "Wanneer", "Kosten"],
                         ["Symposium organiseren", "Werkgroep", "Najaar", "€ 1.500,-"],
                         ["Scholing geven", "Werkgroep", "Voorjaar", "n.t.b."]])  # fmt: skip

    draft = read(docx(build))
    assert [(b.theme, b.item, str(b.amount)) for b in draft.document.budget] == [
        ("Deskundigheid", "Symposium organiseren", "1500.00")
    ]
    assert not_placed(draft) == ["tabel 1, rij 3: niet geplaatst: n.t.b."]


WEB_PAGE_LABELS = """Jaarplan 2024

Thema Scholing

Cursus pijnbestrijding
Doel: verpleegkundigen herkennen pijn bij dementie
Aanpak:
- twee avonden met casuïstiek
- een e-learning
Trekker: Werkgroep Scholing
Deadline: 4e kwartaal

Intervisie
Doel: leren van elkaars casussen
Aanpak: vier bijeenkomsten
Trekker: Netwerkcoördinator
Deadline: Continu
"""


def test_lines_of_labels_and_values_copied_from_a_web_page_are_read_as_label_blocks() -> None:
    draft = read(WEB_PAGE_LABELS.encode(), name="plan.txt")
    found = [(a.theme, a.title, a.wie, a.wanneer) for a in draft.document.activities]
    assert found == [
        ("Scholing", "Cursus pijnbestrijding", "Werkgroep Scholing", "4e kwartaal"),
        ("Scholing", "Intervisie", "Netwerkcoördinator", "Continu"),
    ]
    first = draft.document.activities[0]
    assert "een e-learning" in first.actions and "twee avonden" in first.actions


def test_label_lines_of_unknown_labels_are_kept_for_the_mapping_not_dropped() -> None:
    text = WEB_PAGE_LABELS.replace("Doel:", "Onderdeel:").replace("Aanpak:", "Uitleg:")
    text = text.replace("Trekker:", "Door:").replace("Deadline:", "Klaar in:")
    parts = text_parts(text, ImportBudget())
    tables = [part for part in parts if part.kind == "table"]
    assert [row[0] for row in tables[0].rows] == ["Onderdeel", "Uitleg", "Door", "Klaar in"]
    assert tables[0].rows[1][1] == "• twee avonden met casuïstiek\n• een e-learning"
    found = read_parts(parts, ImportBudget())
    unplaced = " ".join(str(w.message) for w in found.warnings)
    assert "Werkgroep Scholing" in unplaced and "leren van elkaars casussen" in unplaced


def test_a_sentence_with_a_colon_in_running_text_stays_text() -> None:
    text = "Inleiding\n\nLet op: dit plan volgt op dat van vorig jaar.\nHet bestuur stelt vast.\n"
    parts = text_parts(text, ImportBudget())
    assert [part.kind for part in parts] == ["heading", "text", "text"]
    links = "Website: https://example.org\nZie ook: http://example.org/a"
    assert [part.kind for part in text_parts(links, ImportBudget())] == ["table"]


def test_paragraphs_of_labels_and_values_in_word_are_read_as_label_blocks() -> None:
    document = Document()
    document.add_heading("Jaarplan 2024", level=1)
    document.add_heading("Scholing", level=2)
    for title, lines in (
        ("Cursus pijnbestrijding", ["Doel: pijn herkennen", "Trekker: Werkgroep Scholing",
                                    "Deadline: 4e kwartaal"]),
        ("Intervisie", ["Doel: leren van casussen", "Trekker: Netwerkcoördinator",
                        "Deadline: Continu"]),
    ):  # fmt: skip
        document.add_heading(title, level=3)
        for line in lines:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    draft = read(buffer.getvalue())
    assert [(a.theme, a.title, a.wie, a.wanneer) for a in draft.document.activities] == [
        ("Scholing", "Cursus pijnbestrijding", "Werkgroep Scholing", "4e kwartaal"),
        ("Scholing", "Intervisie", "Netwerkcoördinator", "Continu"),
    ]


def test_a_word_file_read_in_the_older_layout_names_paragraphs_and_table_rows() -> None:
    document = Document()
    document.add_heading("Bewustwording", level=1)  # paragraph 1
    document.add_heading("Publiekscampagne", level=2)  # paragraph 2
    table = document.add_table(rows=0, cols=2)
    for label, value in (
        ("Doelstellingen", "Meer mensen kennen palliatieve zorg."),
        ("Acties en resultaten", "Een campagne in de regio."),
        ("Wie", "Werkgroep PR"),
        ("Wanneer", "4e kwartaal"),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph("Zie ook de bijlage over de begroting")  # paragraph 3
    buffer = io.BytesIO()
    document.save(buffer)
    draft = read(buffer.getvalue())
    [activity] = draft.document.activities
    assert activity.title == "Publiekscampagne"
    assert activity.source.endswith("Publiekscampagne, tabel 1, rij 1"), activity.source
    assert "alinea 3: niet geplaatst: Zie ook de bijlage over de begroting" in not_placed(draft)
    assert not any("regel" in text for text in not_placed(draft))
