"""Blocks that share one heading are titled by their own objective, not "(2)", "(3)"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.importing.draft import FoundActivity, FoundPlan, build_draft, objective_summary
from tracker.importing.files import read_plan_file

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


def test_the_five_tekortkomingen_blocks_of_the_2021_plan_are_told_apart_by_their_objective() -> (
    None
):
    data = (PLANS / "000_7270eda182fee902.txt").read_bytes()
    draft = read_plan_file("plan.txt", data, network_slug="twente", network_name="Twente")
    titles = [a.title for a in draft.document.activities]
    assert [t for t in titles if t.startswith("Tekortkomingen")] == [
        "Tekortkomingen en knelpunten",
        "Tekortkomingen en knelpunten: Monitoring beschikbare capaciteit en bezetting…",
        "Tekortkomingen en knelpunten: Monitoren mogelijke knelpunten",
        "Tekortkomingen en knelpunten: Monitoring inzet VPTZ",
        "Tekortkomingen en knelpunten: Wensen /behoeften VGZ zijn geformuleerd",
    ]
    assert not [t for t in titles if t.endswith(("(2)", "(3)", "(4)", "(5)"))]
    assert len(set(titles)) == len(titles) == 40


def _titles(*blocks: tuple[str, str, str]) -> list[str]:
    found = FoundPlan(
        [
            FoundActivity(theme, "Overleg", objectives=objectives, actions=actions, wanneer="2021")
            for theme, objectives, actions in blocks
        ],  # fmt: skip
        year=2021,
    )
    draft = build_draft(found, network_slug="t", network_name="T")
    return [a.title for a in draft.document.activities]


def test_a_block_whose_objective_repeats_is_titled_by_its_action_then_numbered() -> None:
    assert _titles(
        ("Thema", "Afspraken maken.", "Overleg plannen."),
        ("Thema", "Afspraken maken.", "Afspraken vastleggen."),  # objective as the first's …
        ("Thema", "Afspraken maken.", "Afspraken vastleggen."),  # … and action too
        ("Thema", "", ""),  # nothing of its own
        ("Thema", "Overleg", ""),  # only the heading again
    ) == [
        "Overleg",
        "Overleg: Afspraken maken",
        "Overleg: Afspraken vastleggen",
        "Overleg (2)",
        "Overleg (3)",
    ]


def test_the_same_heading_under_two_themes_is_told_apart_by_the_theme_as_before() -> None:
    assert _titles(("Coördinatie", "Doel A", ""), ("Leren", "Doel B", "")) == [
        "Overleg (Coördinatie)",
        "Overleg (Leren)",
    ]


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("Monitoring inzet VPTZ.", "Monitoring inzet VPTZ"),
        (
            "- Inzichtelijk maken van vrije plaatsen.\n- Tweede punt",
            "Inzichtelijk maken van vrije plaatsen",
        ),  # fmt: skip
        ("\n\n• Eerste. Tweede zin.", "Eerste"),
        (
            "Eind 2021 met Willem. Hart voor levensvragen.",
            "Eind 2021 met Willem. Hart voor levensvragen",
        ),  # fmt: skip
        (
            "Bij verwijzers is bekend wat de meerwaarde is van een geestelijk verzorger en wanneer",
            "Bij verwijzers is bekend wat de meerwaarde is van…",
        ),  # fmt: skip
        ("", ""),
    ],
)
def test_an_objective_is_summarised_by_its_first_sentence_cut_at_a_word(
    text: str, summary: str
) -> None:
    assert objective_summary(text) == summary
