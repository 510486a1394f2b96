"""The YAML plan format: what it reads, and the Dutch message it gives when it cannot."""

from pathlib import Path

import pytest

from tests.dutch import refused_in_dutch
from tracker.planfile import PlanFileError, read_plan_yaml

FIXTURES = Path(__file__).parent.parent / "fixtures"
HEAD = "format: jaarplan/1\nnetwork: {slug: a, name: A}\nplan: {slug: p, year: 2021, title: T}\n"


def test_the_mini_plan_is_read_with_themes_activities_and_workgroups() -> None:
    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    assert (document.plan_slug, document.year, document.motto) == (
        "testnet-2021",
        2021,
        "Samen verder",
    )
    assert document.themes == ["Coördinatie", "Informeren"]
    assert [a.title for a in document.activities] == [
        "Algemeen bestuursoverleg",
        "Gesprek bestuurders",
        "Website is actueel",
    ]
    assert document.activities[1].workgroups == ("Werkgroep beleid", "Werkgroep PR & Communicatie")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "geen jaarplan"),
        ("- a\n- b", "geen jaarplan"),
        ("format: other/2", "onbekend formaat"),
        ("format: jaarplan/1\n: [", "geen geldige YAML"),
        (
            HEAD.replace("2021", "twee"),
            "jaartal",
        ),
        (
            HEAD + "themes: [{name: X, activities: [{title: T1, workgroups: [Onbekend]}]}]",
            "onbekende werkgroep",
        ),
        (
            HEAD + "themes: [{name: X, activities: [{title: T1}, {title: T1}]}]",
            "dezelfde titel",
        ),
        (
            HEAD + "themes: [{name: X, activities: [{objectives: zonder titel}]}]",
            "'title' ontbreekt",
        ),
    ],
)
def test_invalid_plan_files_are_refused_with_a_message_saying_what_is_wrong(
    text: str, message: str
) -> None:
    with refused_in_dutch(PlanFileError, message):
        read_plan_yaml(text)
