"""The Twente plan 2023 (tests/fixtures/plans/003_…): a layout of its own, read from its text.

It has no activity tables: four strategic themes, each a numbered heading over three bullets
(the infographic on its second page), a text per bullet further on, lists of expected results
and a budget per theme and per item, split over two networks. It says no Wie and no Wanneer.
"""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path

from docx import Document

from tests.dutch import dutch
from tracker.domain.budget import per_theme, split
from tracker.domain.targets import Comparator
from tracker.importing.draft import Draft
from tracker.importing.files import read_plan_file
from tracker.importing.limits import ImportBudget
from tracker.importing.report import describe_draft
from tracker.importing.structure import BULLET, HEADING, MINOR, TEXT, text_parts

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "003_a9d3cd190e6c3858.txt"
EXACTLY, AT_LEAST = Comparator.EXACTLY, Comparator.AT_LEAST


@cache
def twente_2023() -> Draft:
    return read_plan_file("twente-2023.txt", PLAN.read_bytes(), network_slug="twente",
                          network_name="Netwerken Palliatieve Zorg Twente")  # fmt: skip


# Counted by hand in the plan's infographic ("Strategische thema's"): under "1. Bewustwording",
# "2. Continuïteit van zorg", "3. Samenwerking" and "4. Participatie & ondersteuning" stand
# three bullets each (12 activities); the chapter "3.2 Strategische thema's voor 2023" treats
# the same subjects, the fourth theme's first as "Partners in zorg" instead.
HAND_COUNT = {"Bewustwording": 3, "Continuïteit van zorg": 3, "Samenwerking": 3,
              "Participatie & ondersteuning": 3}  # fmt: skip
TITLES = [
    "Markering en proactieve zorgplanning", "Deskundigheidsbevordering",
    "Zelfevaluatie instrument", "Regionale en transmurale afspraken tot samenwerking",
    "Consultatie in regio",
    "Generalistische zorg waar nodig ondersteund door gespecialiseerde zorg",
    "Met de patiënt", "Zichtbaarheid verpleegkundigen Palliatieve Zorg vergroten",
    "Formele en informele zorg verbinden", "Ondersteuning van de patiënt",
    "Oog voor de mantelzorger", "Evenwichtige zorgverleners",
]  # fmt: skip


def test_the_plan_imports_with_its_four_themes_and_three_activities_each() -> None:
    document = twente_2023().document
    assert (document.year, document.title) == (2023, "Jaarplan 2023 Netwerken Palliatieve Zorg")
    assert Counter(a.theme for a in document.activities) == HAND_COUNT
    assert document.themes == list(HAND_COUNT)
    assert [a.title for a in document.activities] == TITLES


def test_each_activity_carries_the_text_the_plan_writes_under_its_subject() -> None:
    by_title = {a.title: a for a in twente_2023().document.activities}
    assert by_title["Markering en proactieve zorgplanning"].objectives.startswith(
        "Uit eerdere veldraadplegingen blijkt dat zowel zorgverleners als patiënten"
    )
    assert "roulerend uitvoeren van ongeveer twee zelfevaluaties per jaar" in (
        by_title["Zelfevaluatie instrument"].objectives
    )
    # The plan gives the first subject of theme 4 another name in its text: none is guessed.
    assert by_title["Ondersteuning van de patiënt"].objectives == ""


def test_the_expected_results_become_measurable_targets_of_the_activities_they_name() -> None:
    activities = twente_2023().document.activities
    targets = {(a.title, t.comparator, t.value, t.unit) for a in activities for t in a.targets}
    assert {
        ("Zelfevaluatie instrument", EXACTLY, 2, "netwerkorganisaties"),
        ("Zichtbaarheid verpleegkundigen Palliatieve Zorg vergroten", EXACTLY, 3, "instellingen"),
    } <= targets
    # Every number of "Te verwachten resultaten in 2023" is a target of some activity.
    assert {(c, v, u) for _, c, v, u in targets} >= {
        (EXACTLY, 3, "netwerkorganisaties"), (EXACTLY, 3, "instellingen"),
        (EXACTLY, 2, "netwerkorganisaties"), (AT_LEAST, 1, "initiatief"),
        (AT_LEAST, 25, "huisartsenpraktijken"),
    }  # fmt: skip
    actions = "\n".join(a.actions for a in activities)
    assert "- Project Formele-Informele Zorg is uitgevoerd of is lopende." in actions


def test_the_budget_per_theme_and_item_and_its_split_are_the_plans() -> None:
    document = twente_2023().document
    assert per_theme(document.budget) == {
        "Bewustwording": Decimal("22466.70"), "Continuïteit van zorg": Decimal("3100.00"),
        "Samenwerking": Decimal("17516.00"), "Participatie & ondersteuning": Decimal("4180.00"),
    }  # fmt: skip
    assert len(document.budget) == 32  # 13 + 5 + 8 + 6 items in the four theme tables
    assert document.budget[0].item == "Bijeenkomsten (per dagdeel)"
    total = sum((line.amount for line in document.budget), Decimal(0))
    assert [(s.name, s.share) for s in document.budget_shares] == [
        ("Netwerk Enschede-Haaksbergen Noordoost Twente", Fraction(3, 5)),
        ("Netwerk Noordwest Twente", Fraction(2, 5)),
    ]
    assert split(total, document.budget_shares) == [
        ("Netwerk Enschede-Haaksbergen Noordoost Twente", Decimal("28357.62")),
        ("Netwerk Noordwest Twente", Decimal("18905.08")),
    ]


def test_what_the_plan_does_not_say_is_the_network_and_the_plan_year_flagged_for_review() -> None:
    draft = twente_2023()
    assert {(a.wie, a.wanneer, a.workgroups) for a in draft.document.activities} == {
        ("Netwerken Palliatieve Zorg Twente", "2023", ())
    }
    warnings = Counter(dutch(w.message) for w in draft.warnings)
    assert warnings["het plan noemt geen 'Wie': het netwerk is aangenomen"] == 12
    assert warnings["het plan noemt geen 'Wanneer': het planjaar 2023 is aangenomen"] == 12


def test_the_review_explains_the_reading_and_lists_what_was_not_placed_with_its_line() -> None:
    draft = twente_2023()
    assert dutch(draft.reading) == (
        "gelezen als opsommingen van activiteiten onder de genummerde kopjes Bewustwording, "
        "Continuïteit van zorg, Samenwerking, Participatie & ondersteuning, 15 van 15 verwachte "
        "resultaten geplaatst bij de activiteit die ze noemen, een begroting van 32 regels"
    )
    unplaced = [dutch(w) for w in draft.warnings if w.message.text_id.startswith("not placed")]
    assert "regel 21: niet geplaatst: Bewustwording creëren" in unplaced  # "Uitdagingen"
    assert any(u.startswith("regel 441: niet geplaatst: Partners in zorg Er is behoefte")
               for u in unplaced)  # fmt: skip
    # Page furniture is no content: links and button labels are not listed.
    assert not [u for u in unplaced if "palliaweb.nl" in u or "Knop " in u]


def test_the_dry_run_shows_the_reading_and_the_budget() -> None:
    described = describe_draft(twente_2023())
    assert "read as bullet lists of activities under the numbered headings Bewustwording" in (
        described
    )
    assert (
        "Budget: 32 lines, EUR 47262.70; Netwerk Enschede-Haaksbergen Noordoost Twente 3/5, "
        "Netwerk Noordwest Twente 2/5" in described
    )


def test_the_plan_as_a_word_file_imports_like_its_text() -> None:
    """Laid out in Word from its text: heading styles, bold short lines, list bullets."""
    document = Document()
    for part in text_parts(PLAN.read_text(encoding="utf-8"), ImportBudget()):
        if part.kind == HEADING and part.level < MINOR:
            document.add_heading(part.text, level=min(part.level, 3))
        elif part.kind == HEADING:
            document.add_paragraph().add_run(part.text).bold = True
        elif part.kind == BULLET:
            document.add_paragraph(part.text, style="List Bullet")
        elif part.kind == TEXT:
            document.add_paragraph(part.text)
    buffer = io.BytesIO()
    document.save(buffer)
    from_word = read_plan_file("twente-2023.docx", buffer.getvalue(), network_slug="twente",
                               network_name="Twente", year=2023).document  # fmt: skip
    from_text = twente_2023().document
    assert Counter(a.theme for a in from_word.activities) == HAND_COUNT
    assert [a.title for a in from_word.activities] == TITLES
    assert [a.objectives for a in from_word.activities] == [
        a.objectives for a in from_text.activities
    ]
    assert from_word.budget == from_text.budget
    assert from_word.budget_shares == from_text.budget_shares
