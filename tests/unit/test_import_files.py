"""The importer's front door: every unreadable upload is refused with one Dutch message, and
Word documents in the two known layouts are read into a draft."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from openpyxl import Workbook

from tests.dutch import dutch, refused_in_dutch
from tracker.domain.timing import TimingKind, parse_timing
from tracker.importing.draft import Draft, ImportFailed
from tracker.importing.files import read_plan_file
from tracker.importing.limits import ImportLimits
from tracker.importing.parties import KnownGroup

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MB = 1024 * 1024


def read(name: str, data: bytes, **options: Any) -> Draft:
    return read_plan_file(name, data, network_slug="twente", network_name="Twente", **options)


def a_zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def an_xlsx_without_the_activities_sheet() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Blad1"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- refusals ---------------------------------------------------------------------------------

SMALL_PLAN = b"Jaarplan 2021\n\nCOORDINATIE\n\nTitel\n\nDoelstellingen\tX\nWie\tY\nWanneer\t2021\n"


@pytest.mark.parametrize(
    ("name", "data", "options", "message"),
    [
        pytest.param("plan.txt", b"", {}, "het bestand is leeg", id="empty"),
        pytest.param("plan.txt", b"  \n\t \r\n", {}, "het bestand is leeg", id="whitespace-only"),
        pytest.param("plan.docx", b"", {}, "het bestand is leeg", id="empty-docx"),
        pytest.param("plan.txt", SMALL_PLAN, {"limits": ImportLimits(max_bytes=20)},
                     "het bestand is te groot", id="too-large"),
        pytest.param("plan.txt", b"Jaarplan 2021\x00\x01\x02", {}, "geen tekstbestand",
                     id="binary-txt"),
        pytest.param("plan.md", b"\x89PNG\r\n\x1a\n\x00\x00", {}, "binaire gegevens",
                     id="binary-md"),
        pytest.param("plan.txt", "Coördinatie 2021".encode("latin-1"), {},
                     "geen UTF-8-tekst (onleesbaar teken op positie 2)", id="latin-1"),
        pytest.param("plan.pdf", b"%PDF-1.4\n", {}, "geen leesbaar PDF-bestand", id="pdf"),
        pytest.param("plan.odt", b"tekst", {}, "onbekend bestandstype .odt; mogelijk: .txt",
                     id="unknown-suffix"),
        pytest.param("plan", b"tekst", {}, "onbekend bestandstype (geen)", id="no-suffix"),
        pytest.param("plan.docx", b"dit is geen zip", {}, "geen leesbaar Word-bestand",
                     id="corrupt-docx"),
        pytest.param("plan.docx", b"PK\x03\x04kapot", {}, "geen leesbaar Word-bestand",
                     id="truncated-docx"),
        pytest.param("plan.docx", a_zip({"iets.txt": "hoi"}), {}, "geen leesbaar Word-bestand",
                     id="zip-that-is-not-a-docx"),
        pytest.param("plan.xlsx", b"dit is geen zip", {}, "geen leesbaar Excel-bestand",
                     id="corrupt-xlsx"),
        pytest.param("plan.xlsx", a_zip({"iets.txt": "hoi"}), {}, "geen leesbaar Excel-bestand",
                     id="zip-that-is-not-an-xlsx"),
        pytest.param("plan.xlsx", an_xlsx_without_the_activities_sheet(), {},
                     "het blad 'Activiteiten' ontbreekt", id="xlsx-without-activities"),
        pytest.param("plan.yaml", b"format: iets-anders\n", {},
                     "onbekend formaat 'iets-anders'; verwacht 'jaarplan/1'", id="yaml-format"),
        pytest.param("plan.yaml", b"- een\n- lijst\n", {}, "verwacht: een YAML-mapping",
                     id="yaml-list"),
        pytest.param("plan.yml", b"format: [niet afgesloten\n", {}, "geen geldige YAML",
                     id="yaml-syntax"),
        pytest.param("plan.yaml", b"format: jaarplan/1\nplan: {year: ooit}\n", {},
                     "plan: 'year' moet een jaartal zijn", id="yaml-year"),
        pytest.param("plan.txt", b"Beste collega's,\n\nTot ziens.\n", {"year": 2021},
                     "geen activiteiten gevonden", id="no-layout"),
        pytest.param("plan.txt", b"COORDINATIE\n\nTitel\n\nDoelstellingen\tX\n", {},
                     "het jaar van het plan staat niet in het bestand", id="no-year"),
    ],
)  # fmt: skip
def test_an_unreadable_upload_is_refused_with_a_dutch_message_naming_the_problem(
    name: str, data: bytes, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ImportFailed) as refused:
        read(name, data, **options)
    assert message in dutch(refused.value)


def test_a_file_over_the_limit_names_its_size_and_the_limit() -> None:
    with pytest.raises(ImportFailed) as refused:
        read("plan.txt", b"x" * (3 * MB // 2), limits=ImportLimits(max_bytes=MB))
    assert dutch(refused.value) == "het bestand is te groot (1,5 MB; maximaal 1,0 MB)"


def test_a_limit_under_one_megabyte_is_not_shown_as_zero() -> None:
    with pytest.raises(ImportFailed) as refused:
        read("plan.txt", b"x" * 600_000, limits=ImportLimits(max_bytes=512 * 1024))
    assert "maximaal 0 MB" not in dutch(refused.value)


def test_a_structured_plan_of_another_network_is_refused() -> None:
    data = (FIXTURES / "mini-plan.yaml").read_bytes()
    with refused_in_dutch(ImportFailed, "hoort bij netwerk 'testnet', niet bij 'twente'"):
        read("plan.yaml", data)


def test_a_structured_plan_of_another_year_is_refused() -> None:
    data = (FIXTURES / "mini-plan.yaml").read_bytes()
    with refused_in_dutch(ImportFailed, "dit plan is van 2021, niet van 2022"):
        read_plan_file("plan.yaml", data, network_slug="testnet", network_name="T", year=2022)


def test_a_yaml_plan_with_an_unreadable_wanneer_is_accepted_with_a_warning() -> None:
    plan = yaml.safe_load((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    plan["themes"][0]["activities"][0]["wanneer"] = "n.t.b."
    data = yaml.safe_dump(plan, allow_unicode=True).encode()
    draft = read_plan_file("plan.yaml", data, network_slug="testnet", network_name="T")
    assert [dutch(w) for w in draft.warnings] == [
        "Coördinatie › Algemeen bestuursoverleg: 'Wanneer' niet herkend: 'n.t.b.'"
    ]


def test_a_text_file_with_a_byte_order_mark_and_an_upper_case_suffix_is_read() -> None:
    draft = read("PLAN.TXT", b"\xef\xbb\xbf" + SMALL_PLAN)
    assert (draft.document.title, [a.title for a in draft.document.activities]) == (
        "Jaarplan 2021",
        ["Titel"],
    )


# --- Word documents ---------------------------------------------------------------------------


def docx_bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def a_blocks_docx() -> bytes:
    """Heading 1 pillar, Heading 2 activity, a two-column label table (Twente layout)."""
    document = Document()
    document.add_heading("Jaarplan 2021", level=0)
    document.add_paragraph("Inleidende tekst die geen activiteit is.")
    document.add_heading("Coördinatie", level=1)
    document.add_heading("Algemeen bestuursoverleg", level=2)
    rows = [
        ("Doelstellingen", ["Akkoord op jaarplan 2022 en begroting."]),
        ("Acties en resultaten", ["Algemeen Bestuur informeren.", "Jaarlijkse bijeenkomst."]),
        ("Wie", ["Dagelijks Bestuur en netwerkcoördinatoren."]),
        ("Wanneer", ["4e kwartaal"]),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    for row, (label, lines) in zip(table.rows, rows, strict=True):
        row.cells[0].text = label
        row.cells[1].text = lines[0]
        for line in lines[1:]:
            row.cells[1].add_paragraph(line)
    document.add_heading("2. Informeren", level=1)
    document.add_heading("Website", level=2)
    table = document.add_table(rows=3, cols=2)
    for row, (label, value) in zip(
        table.rows,
        [("Doelstellingen", "Actuele website."), ("Wie", "Secretariaat"), ("Wanneer", "Continu")],
        strict=True,
    ):
        row.cells[0].text, row.cells[1].text = label, value
    return docx_bytes(document)


def a_table_docx() -> bytes:
    """A section heading and a Wat / Wie / Looptijd table with a bold title (IJssel-Vecht)."""
    document = Document()
    document.add_heading("1. Transmurale Samenwerking", level=1)
    table = document.add_table(rows=2, cols=3)
    for cell, header in zip(table.rows[0].cells, ("Wat", "Wie", "Looptijd"), strict=True):
        cell.text = header
    what = table.rows[1].cells[0].paragraphs[0]
    what.add_run("Palliatieve Spoedkit positioneren").bold = True
    what.add_run(" in de regio, samen met huisartsen en apothekers.")
    table.rows[1].cells[1].text = "Werkgroep transmurale samenwerking, Mediq"
    table.rows[1].cells[2].text = "Q1 start pilot tot en met september 2024"
    return docx_bytes(document)


def test_a_word_plan_with_pillars_headings_and_label_tables_is_imported() -> None:
    known = [KnownGroup("Dagelijks Bestuur"), KnownGroup("Netwerkcoördinatoren"),
             KnownGroup("Secretariaat")]  # fmt: skip
    draft = read("jaarplan.docx", a_blocks_docx(), known=known)
    document = draft.document
    assert (document.title, document.year, document.themes) == (
        "Jaarplan 2021",
        2021,
        ["Coördinatie", "Informeren"],
    )
    first, second = document.activities
    assert (first.theme, first.title, first.objectives, first.actions, first.wie) == (
        "Coördinatie",
        "Algemeen bestuursoverleg",
        "Akkoord op jaarplan 2022 en begroting.",
        "Algemeen Bestuur informeren.\nJaarlijkse bijeenkomst.",
        "Dagelijks Bestuur en netwerkcoördinatoren.",
    )
    assert first.workgroups == ("Dagelijks Bestuur", "Netwerkcoördinatoren")
    timing = parse_timing(first.wanneer, document.year)
    assert (timing.kind, timing.start, timing.end) == (
        TimingKind.PERIOD,
        date(2021, 10, 1),
        date(2021, 12, 31),
    )
    assert (second.theme, second.title, second.wanneer, second.workgroups) == (
        "Informeren",
        "Website",
        "Continu",
        ("Secretariaat",),
    )
    assert first.source.startswith("jaarplan.docx › Coördinatie › Algemeen bestuursoverleg")
    assert draft.warnings == () and draft.proposed_workgroups == ()


def test_a_word_plan_with_a_wat_wie_looptijd_table_takes_the_bold_text_as_title() -> None:
    known = [KnownGroup("Werkgroep Transmurale Samenwerking")]
    draft = read_plan_file(
        "ijv.docx", a_table_docx(), network_slug="ijv", network_name="IJssel-Vecht", year=2024,
        known=known,
    )  # fmt: skip
    [activity] = draft.document.activities
    assert (activity.theme, activity.title, activity.actions) == (
        "Transmurale Samenwerking",
        "Palliatieve Spoedkit positioneren",
        "in de regio, samen met huisartsen en apothekers.",
    )
    assert activity.workgroups == ("Werkgroep Transmurale Samenwerking",)
    assert activity.parties == ("Mediq",) and draft.proposed_workgroups == ("Mediq",)
    timing = parse_timing(activity.wanneer, 2024)
    assert (timing.kind, timing.start, timing.end) == (
        TimingKind.PERIOD,
        date(2024, 1, 1),
        date(2024, 9, 30),
    )
    assert draft.document.title == "Jaarplan 2024"


def test_a_word_plan_without_a_year_in_its_title_asks_for_the_year() -> None:
    with refused_in_dutch(ImportFailed, "geef het jaar op"):
        read("ijv.docx", a_table_docx())


# --- the real plans, as uploaded ---------------------------------------------------------------


def test_the_twente_plan_text_is_imported_with_forty_activities_and_a_carry_over() -> None:
    data = (FIXTURES / "plans" / "000_7270eda182fee902.txt").read_bytes()
    draft = read("twente-2021.txt", data)
    activities = draft.document.activities
    assert len(activities) == 40 and draft.document.year == 2021
    carried = [(a.title, a.carried_from_year) for a in activities if a.carried_from_year]
    assert carried == [("Digitale webapplicatie wensenboekje", 2020)]
    assert all(a.source.startswith("twente-2021.txt › ") for a in activities)
