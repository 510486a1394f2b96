"""A multi-year vision or policy plan is recognised by its class and refused with a clear
message, never stored as one activity of thousands of characters; yearly plans still import."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from tracker.importing.draft import Draft
from tracker.importing.files import read_plan_file
from tracker.importing.limits import ImportFailed
from tracker.texts import translate

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
VISION = (PLANS / "002_7bf4d19e57c4c12f.txt").read_bytes()

PARAGRAPH = (
    "Wij willen dat iedere inwoner van de regio tijdig en goed geïnformeerd de zorg krijgt die "
    "bij hem of haar past. Daarvoor werken zorgaanbieders, gemeenten, vrijwilligers en "
    "naasten samen, delen zij kennis en stemmen zij hun aanbod af. "
) * 4
# A vision of our own: another network, other words, numbered headings, a span in its title.
OWN_VISION = "\n\n".join(
    [
        "Koers 2022-2026: Netwerk Palliatieve Zorg Zuidwest",
        "1. Waar wij voor staan",
        PARAGRAPH,
        "2. Onze ambitie voor de lange termijn",
        "Richting 2030 is palliatieve zorg in Zuidwest vanzelfsprekend. " + PARAGRAPH,
        "3. Strategische pijlers",
        PARAGRAPH,
        "4. Samenwerking",
        PARAGRAPH,
    ]
)


def _read(name: str, data: bytes, year: int | None = None) -> Draft:
    return read_plan_file(name, data, network_slug="twente", network_name="Twente", year=year)


def _docx(text: str) -> bytes:
    document = Document()
    for number, block in enumerate(text.split("\n\n")):
        if number == 0:
            document.add_heading(block, 0)
        elif block[:2].rstrip(".").isdigit():
            document.add_heading(block, 1)
        else:
            document.add_paragraph(block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "year", "signs"),
    [
        ("visie.txt", VISION, None, "meerjarenbeleidsplan, missie, visie, in 2031"),
        ("visie.txt", VISION, 2025, "meerjarenbeleidsplan, missie, visie, in 2031"),
        ("koers.txt", OWN_VISION.encode(), None, "2022-2026"),
        ("koers.docx", _docx(OWN_VISION), 2022, "2022-2026, richting 2030"),
    ],
    ids=["002-text", "002-text-with-year", "own-vision-text", "own-vision-word"],
)
def test_a_multi_year_vision_is_refused_in_dutch_naming_its_signs(
    name: str, data: bytes, year: int | None, signs: str
) -> None:
    with pytest.raises(ImportFailed) as refused:
        _read(name, data, year)
    dutch = translate(refused.value.message, "nl")
    assert dutch.startswith("dit bestand leest als een meerjarenvisie of meerjarenbeleidsplan (")
    assert signs in dutch
    assert "niet als een jaarplan" in dutch


@pytest.mark.parametrize("plan", ["000_7270eda182fee902", "001_f9c4893a761be112",
                                  "003_a9d3cd190e6c3858"])  # fmt: skip
def test_the_yearly_plans_still_import(plan: str) -> None:
    draft = _read("plan.txt", (PLANS / f"{plan}.txt").read_bytes())
    assert draft.document.activities


def test_a_yearly_plan_without_who_or_when_imports_even_untitled() -> None:
    # The Twente 2023 plan says no Wie or Wanneer and speaks of "strategische thema's"; it is
    # a yearly plan by its title, and without it still by its many short blocks.
    text = (PLANS / "003_a9d3cd190e6c3858.txt").read_text(encoding="utf-8")
    untitled = text.replace("Jaarplan 2023", "Plan 2023")
    assert len(_read("plan.txt", untitled.encode(), 2023).document.activities) == 12


def test_a_short_plan_without_who_or_when_is_not_taken_for_a_vision() -> None:
    text = (
        "Visie en werkwijze 2022-2026\n\nCOÖRDINATIE\n\nOverleg met gemeenten\n\n"
        "Doelstellingen\tAfspraken maken.\n"
    )
    draft = _read("kort.txt", text.encode(), 2022)
    assert len(draft.document.activities) == 1
