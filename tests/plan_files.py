"""Plan files for the importer's tests, built in code: text, Word, Excel, zip tricks."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import replace

from docx import Document

from tracker.demo import demo_draft
from tracker.domain.plan import PlannedActivity
from tracker.planfile import dump_plan_yaml


def blocks(count: int, heading: str = "Samenwerking in de regio") -> str:
    """A plan of `count` activity blocks under one repeated heading."""
    block = (
        "Doelstellingen\tIn minimaal {n} huisartsenpraktijken\nActies en resultaten\t- overleg\n"
        "Wie\tWerkgroep PR & Communicatie, secretariaat en netwerkcoördinatoren\n"
        "Wanneer\tQ2 2021\n\n"
    )
    return f"Jaarplan 2021\n\nCOÖRDINATIE\n\n{heading}\n\n" + "".join(
        block.format(n=n % 50 + 1) for n in range(count)
    )


def a_docx(body_xml: str = "") -> bytes:
    """A Word file made by python-docx, with `body_xml` added to its body."""
    document = Document()
    document.add_paragraph("Jaarplan 2021")
    buffer = io.BytesIO()
    document.save(buffer)
    if not body_xml:
        return buffer.getvalue()
    return with_member(buffer.getvalue(), "word/document.xml", lambda xml: xml.replace(
        b"<w:sectPr", body_xml.encode() + b"<w:sectPr", 1))  # fmt: skip


def with_member(archive: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The archive with member `name` changed."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            target.writestr(
                member.filename, change(content) if member.filename == name else content
            )
    return buffer.getvalue()


def understated(archive: bytes, name: str, size: int) -> bytes:
    """The archive with `name`'s unpacked size stated as `size` (central and local header)."""
    data = bytearray(archive)
    encoded = name.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == encoded:
            struct.pack_into("<I", data, at + 24, size)
            extra = struct.unpack_from("<H", data, at + 30)[0]
            data[at + 46 + length : at + 46 + length + extra] = b"\x00" * extra  # no zip64
        at = data.find(b"PK\x01\x02", at + 4)
    at = data.find(b"PK\x03\x04")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 26)[0]
        if data[at + 30 : at + 30 + length] == encoded:
            struct.pack_into("<I", data, at + 22, size)
        at = data.find(b"PK\x03\x04", at + 4)
    return bytes(data)


def an_xlsx(rows: int, after: str = "") -> bytes:
    """A workbook in the template's layout with `rows` activities (inline strings, as other
    tools write them), and optionally one more row `after` them with a second cell only."""

    def row(number: int, cells: list[str]) -> str:
        return f'<row r="{number}">' + "".join(
            f'<c r="{column}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
            for column, value in zip("ABCDEF", cells, strict=False) if value
        ) + "</row>"  # fmt: skip

    header = ["Thema", "Titel", "Doelstellingen", "Acties en resultaten", "Wie", "Wanneer"]
    activities = [row(1, header)] + [
        row(n + 2, ["Coördinatie", f"Activiteit {n}", "doel", "actie", "PR", "Q1 2021"])
        for n in range(rows)
    ]
    if after:
        activities.append(row(rows + 2, ["", after]))
    plan = [row(1, ["Veld", "Waarde"]), row(2, ["Jaar", "2021"]), row(3, ["Netwerk (kort)", "t"])]
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    sheet_type = f"{relations}/worksheet"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    members = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="{content_type}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{content_type}.worksheet+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet2.xml" '
            f'ContentType="{content_type}.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}"><Relationship Id="r1" '
            f'Type="{relations}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
            '<sheet name="Activiteiten" sheetId="1" r:id="r1"/>'
            '<sheet name="Plan" sheetId="2" r:id="r2"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}">'
            f'<Relationship Id="r1" Type="{sheet_type}" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="r2" Type="{sheet_type}" Target="worksheets/sheet2.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>'
        + "".join(activities) + "</sheetData></worksheet>",
        "xl/worksheets/sheet2.xml": f'<worksheet xmlns="{main}"><sheetData>'
        + "".join(plan) + "</sheetData></worksheet>",
    }  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def a_docx_table(rows: int, wie_properties: str) -> bytes:
    """A Wat / Wie / Looptijd table of `rows` rows; every Wie cell has `wie_properties`."""

    def cell(text: str, properties: str = "") -> str:
        return f"<w:tc><w:tcPr>{properties}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    header = "<w:tr>" + cell("Wat") + cell("Wie") + cell("Looptijd") + "</w:tr>"
    body = "".join(
        "<w:tr>" + cell(f"Activiteit {n}. Meer") + cell("PR", wie_properties) + cell("2021")
        + "</w:tr>" for n in range(rows)
    )  # fmt: skip
    return a_docx(
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
        + header + body + "</w:tbl>"
    )  # fmt: skip


ROUWCAFE = PlannedActivity(
    title="Rouwcafé in elke gemeente",
    theme="Informeren",
    objectives="Nabestaanden vinden in hun eigen gemeente een plek om over verlies te praten.",
    actions="Met de gemeenten een rouwcafé opzetten; twee bijeenkomsten per jaar.",
    wie="Werkgroep PR & Communicatie.",
    wanneer="3e kwartaal",
    workgroups=("Werkgroep PR & Communicatie",),
)


def corrected_twente_2021() -> bytes:
    """The 2021 Twente plan corrected: two titles fixed, one activity added, one removed."""
    document = demo_draft().document
    fixed = {
        "Zelfevaluatie instrument": "Zelfevaluatie-instrument",
        "Gluren bij de buren": "Gluren bij de buren: leren van elkaar",
    }
    activities = [
        replace(a, title=fixed.get(a.title, a.title))
        for a in document.activities
        if a.title != "Afstemming Menzis"
    ]
    activities.append(ROUWCAFE)
    return dump_plan_yaml(replace(document, activities=tuple(activities))).encode()


# A plan in a layout the lexicon does not know: its tables' columns are named otherwise
# (mapped in the review: Onderdeel → Titel, Omschrijving → Acties, Klaar in → Wanneer, Door →
# Wie), each theme a level-1 heading with a level-2 heading "Uitvoering" above its table.
UNRECOGNISED_COLUMNS = ("Onderdeel", "Omschrijving", "Klaar in", "Door")
UNRECOGNISED_PLAN = {
    "Scholing": [
        ("Cursus pijnbestrijding", "Twee avonden voor verpleging", "2e kwartaal 2025",
         "Werkgroep Scholing"),
        ("Scholing dementie", "Een e-learning voor verzorgenden", "najaar 2025",
         "Werkgroep Scholing"),
        ("Intervisie", "Vier bijeenkomsten", "2025", "Netwerkcoördinator"),
    ],
    "Zorgpad": [
        ("Zorgpad evalueren", "Met de huisartsen", "4e kwartaal 2025", "Kerngroep"),
        ("Overdracht verbeteren", "Een vast formulier", "1e kwartaal 2025", "Kerngroep"),
    ],
}  # fmt: skip


def an_unrecognised_docx(year: int = 2025) -> bytes:
    """A Word plan whose tables the lexicon cannot read (see UNRECOGNISED_PLAN)."""
    document = Document()
    document.add_paragraph(f"Jaarplan {year}")
    for theme, rows in UNRECOGNISED_PLAN.items():
        document.add_heading(f"Thema {theme}", level=1)
        document.add_heading("Uitvoering", level=2)
        table = document.add_table(rows=1, cols=len(UNRECOGNISED_COLUMNS))
        for cell, name in zip(table.rows[0].cells, UNRECOGNISED_COLUMNS, strict=True):
            cell.text = name
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def a_hand_filled_template(plan: dict[str, str], rows: list[dict[str, str]]) -> bytes:
    """The XLSX template as someone fills it in by hand: sheet "Plan" with only the given
    fields, sheet "Activiteiten" with the given columns (no "Werkgroepen" unless given)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Plan"
    sheet.append(["Veld", "Waarde"])
    for label, value in plan.items():
        sheet.append([label, value])
    activities = book.create_sheet("Activiteiten")
    header = list(dict.fromkeys(name for row in rows for name in row))
    activities.append(header)
    for row in rows:
        activities.append([row.get(name, "") for name in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
