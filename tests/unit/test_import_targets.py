"""Measurable targets read from a plan's expected results, and when a measurement meets them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dutch import dutch
from tracker.domain.targets import SCORE_UNIT, Comparator, Target, parse_targets
from tracker.importing.files import read_plan_file

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
AT_LEAST, AT_MOST, EXACTLY = Comparator.AT_LEAST, Comparator.AT_MOST, Comparator.EXACTLY


@pytest.mark.parametrize(
    ("sentence", "comparator", "value", "unit", "per_year", "described"),
    [
        pytest.param(
            "3 netwerkorganisaties hebben het online levenspad geïmplementeerd",
            EXACTLY, 3, "netwerkorganisaties", False, "3 netwerkorganisaties",
            id="exactly-3-netwerkorganisaties",
        ),
        pytest.param(
            "Train de trainer scholing Levenspad is in 3 instellingen uitgerold.",
            EXACTLY, 3, "instellingen", False, "3 instellingen", id="done-in-3-instellingen",
        ),
        pytest.param(
            "Zelfevaluatie is uitgevoerd bij 2 netwerkorganisaties.",
            EXACTLY, 2, "netwerkorganisaties", False, "2 netwerkorganisaties",
            id="done-at-2-netwerkorganisaties",
        ),
        pytest.param(
            "In minimaal 25 huisartsenpraktijken hangt de A3 poster",
            AT_LEAST, 25, "huisartsenpraktijken", False, "minimaal 25 huisartsenpraktijken",
            id="at-least-25-huisartsenpraktijken",
        ),
        pytest.param(
            "Maximaal 24 verpleegkundigen volgen Leergang Palliatieve Zorg Saxion om hiermee de "
            "palliatieve zorg in en buiten hun instellingen te verbeteren.",
            AT_MOST, 24, "verpleegkundigen", False, "maximaal 24 verpleegkundigen",
            id="at-most-24-verpleegkundigen",
        ),
        pytest.param(
            "Minimaal 6 keer per jaar casuïstiekbespreking.",
            AT_LEAST, 6, "casuïstiekbespreking", True, "minimaal 6 casuïstiekbespreking per jaar",
            id="at-least-6-a-year",
        ),
        pytest.param(
            "Er is een evaluatie van elke deskundigheidsbevordering beschikbaar waarbij het "
            "streefcijfer 7 of hoger is.",
            AT_LEAST, 7, SCORE_UNIT, False, "cijfer 7 of hoger",
            id="score-7-or-higher",
        ),
        pytest.param(
            "Er vinden 4 netwerkgroepbijeenkomsten per jaar voor beide netwerkgroepen plaats.",
            EXACTLY, 4, "netwerkgroepbijeenkomsten", True, "4 netwerkgroepbijeenkomsten per jaar",
            id="4-a-year",
        ),
        pytest.param(
            "Streven naar minimaal zeven PaTz-groepen in Twente.",
            AT_LEAST, 7, "PaTz-groepen", False, "minimaal 7 PaTz-groepen",
            id="number-word-zeven",
        ),
        pytest.param(
            "Ten minste 12 deelnemers per jaar", AT_LEAST, 12, "deelnemers", True,
            "minimaal 12 deelnemers per jaar", id="ten-minste-per-jaar",
        ),
        pytest.param(
            "Hoogstens 4 wachtenden", AT_MOST, 4, "wachtenden", False, "maximaal 4 wachtenden",
            id="hoogstens",
        ),
        pytest.param(
            "Een cijfer 5 of lager", AT_MOST, 5, SCORE_UNIT, False, "cijfer 5 of lager",
            id="score-5-or-lower",
        ),
    ],
)  # fmt: skip
def test_a_sentence_with_a_target_gives_its_comparator_value_unit_and_description(
    sentence: str,
    comparator: Comparator,
    value: float,
    unit: str,
    per_year: bool,
    described: str,
) -> None:
    assert parse_targets(sentence) == [Target(sentence.strip(), comparator, value, unit, per_year)]
    assert dutch(parse_targets(sentence)[0].describe()) == described


@pytest.mark.parametrize(
    "sentence",
    [
        "Bijdragen aan PR Palliatief Consultteam ZGT (vanaf 1 okt. 2018 beschikbaar voor 1e en "
        "2e lijn).",
        "Vanaf 1 okt. 2018",
        "24/7 de mogelijkheid van consultatie in de regio Twente voor de eerste en tweede lijn.",
        "Evaluatie 2e druk wensenboekje en zo nodig bijstellen proces en boekje.",
        "Gesprek (1x per 2 jaar) coördinatoren/afgevaardigde Dagelijks Bestuur met bestuurders.",
        "2021 komt er een nieuw katern.",
        "Ontwikkelen en start uitvoering PR en Communicatieplan 2021-2024.",
        "Herstart scholing september 2020 en afronding juni 2021.",
        "1 oktober 2021 is het plan klaar.",
        "1e kwartaal 2021",
        "Q1 start pilot tot en met september 2024",
        "3. Casuïstiekbespreking organiseren",
        "Werkgroep van 5 leden.",
        "Scholing in 2 dagdelen.",
        "Het project is in 2023 uitgevoerd.",
        "Geen getallen hier.",
        "",
        "   ",
    ],
    ids=[
        "date-in-parentheses", "vanaf-date", "24-7", "2e-druk", "1x-per-2-jaar", "leading-year",
        "year-range", "months-and-years", "day-month-year", "quarter", "timing-phrase",
        "item-number", "number-mid-sentence", "in-without-done", "done-with-year", "no-numbers",
        "empty", "blank",
    ],
)  # fmt: skip
def test_numbers_that_are_dates_years_ordinals_or_frequencies_are_not_targets(
    sentence: str,
) -> None:
    assert parse_targets(sentence) == []


def test_every_sentence_gives_its_own_target_in_the_order_written() -> None:
    targets = parse_targets("Minimaal 25 huisartsenpraktijken. Maximaal 24 verpleegkundigen.")
    assert [(t.comparator, t.value, t.unit, t.text) for t in targets] == [
        (AT_LEAST, 25, "huisartsenpraktijken", "Minimaal 25 huisartsenpraktijken."),
        (AT_MOST, 24, "verpleegkundigen", "Maximaal 24 verpleegkundigen."),
    ]


def test_a_bullet_list_of_results_gives_one_target_per_bullet_without_the_bullet() -> None:
    text = "- In minimaal 25 huisartsenpraktijken hangt de poster.\n• 3 hospices doen mee."
    assert [(t.text, t.comparator, t.value) for t in parse_targets(text)] == [
        ("In minimaal 25 huisartsenpraktijken hangt de poster.", AT_LEAST, 25),
        ("3 hospices doen mee.", EXACTLY, 3),
    ]


def test_a_decimal_comma_is_read_as_a_decimal() -> None:
    assert parse_targets("Minimaal 2,5 fte") == [Target("Minimaal 2,5 fte", AT_LEAST, 2.5, "fte")]


def test_a_decimal_target_is_described_with_a_dutch_decimal_comma() -> None:
    assert dutch(Target("Minimaal 2,5 fte", AT_LEAST, 2.5, "fte").describe()) == "minimaal 2,5 fte"


def test_the_targets_of_the_ijssel_vecht_plan_are_found_when_it_is_imported() -> None:
    data = (PLANS / "001_f9c4893a761be112.txt").read_bytes()
    draft = read_plan_file("plan.txt", data, network_slug="ijv", network_name="IJssel-Vecht")
    targets = {a.title: a.targets for a in draft.document.activities if a.targets}
    assert list(targets) == [
        "Scholingprogramma voor- en najaar",
        "Samenwerking in de regio (Lerend Netwerk in Hardenberg)",
    ]
    [score] = targets["Scholingprogramma voor- en najaar"]
    assert (score.comparator, score.value, score.unit) == (AT_LEAST, 7, SCORE_UNIT)
    assert score.text.endswith("het streefcijfer 7 of hoger is.")
    [meetings] = targets["Samenwerking in de regio (Lerend Netwerk in Hardenberg)"]
    assert dutch(meetings.describe()) == "4 bijeenkomsten"  # "Vier bijeenkomsten … organiseren"


@pytest.mark.parametrize(
    ("target", "measured", "met"),
    [
        (Target("", AT_LEAST, 25, "huisartsenpraktijken"), 25, True),
        (Target("", AT_LEAST, 25, "huisartsenpraktijken"), 30, True),
        (Target("", AT_LEAST, 25, "huisartsenpraktijken"), 24, False),
        (Target("", AT_MOST, 24, "verpleegkundigen"), 24, True),
        (Target("", AT_MOST, 24, "verpleegkundigen"), 12, True),
        (Target("", AT_MOST, 24, "verpleegkundigen"), 25, False),
        (Target("", AT_LEAST, 7, SCORE_UNIT), 7.0, True),
        (Target("", AT_LEAST, 7, SCORE_UNIT), 6.9, False),
        (Target("", AT_MOST, 5, SCORE_UNIT), 5.1, False),
        (Target("", EXACTLY, 3, "netwerkorganisaties"), 3, True),
        (Target("", EXACTLY, 3, "netwerkorganisaties"), 4, True),
        (Target("", EXACTLY, 3, "netwerkorganisaties"), 2, False),
        (Target("", AT_LEAST, 6, "casuïstiekbespreking", per_year=True), 0, False),
    ],
    ids=[
        "at-least-reached", "at-least-exceeded", "at-least-short", "at-most-reached",
        "at-most-under", "at-most-over", "score-reached", "score-short", "score-at-most-over",
        "exactly-reached", "exactly-exceeded-counts-as-reached", "exactly-short",
        "per-year-none-done",
    ],
)  # fmt: skip
def test_a_measured_value_meets_a_target_when_it_reaches_it(
    target: Target, measured: float, met: bool
) -> None:
    assert target.is_met_by(measured) is met
